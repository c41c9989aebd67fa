#!/usr/bin/env bash
# Pipe breakage: SIGKILL one stage of fetch-pages | validate | store in the
# middle of a walk; its neighbours exit (none hangs) with the status that says
# what happened, store commits no partial record (a line cut short is not a
# record; whole records read after the last STATE are kept, their library
# membership pending, as store(1) says of the end of input), and the same
# pipeline resumed from the checkpoint completes. The times the
# neighbours took are printed, not asserted (the machine may be loaded); a
# neighbour still running after 10 s counts as hung.
. "$(dirname "$0")/../lib.sh"
plan 18

export CRATE_TOKEN=test-token
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# 100 pages, each answered after 20 ms: a walk of seconds
sim_start --dialect spotify --tracks 5000 --latency 20

# EXPECTED STATUSES: fetch-pages validate store, "-" for the one killed. A
# filter cannot tell an upstream that died from one that finished: validate
# sees the end of its input (0, or 1 if the last line was cut), store sees no
# complete STATE (75). Upstream of a dead stage, a write fails: fetch-pages
# 74, validate 74 (validate(1): a write error on standard output, a closed pipe).
for case in "fetch-pages - [01] 75" "validate 74 - 75" "store 74 74 -"; do
	read -r victim want_f want_v want_s <<<"$case"
	db="$tmp/$victim.db"
	rm -f "$tmp/f1" "$tmp/f2"
	mkfifo "$tmp/f1" "$tmp/f2"
	fetch-pages -q --base-url "$SIM_URL/v1" tracks >"$tmp/f1" 2>"$tmp/fetch.err" &
	declare -A pid=([fetch-pages]=$!)
	validate -q <"$tmp/f1" >"$tmp/f2" 2>"$tmp/validate.err" &
	pid[validate]=$!
	store --commit-interval 0 "$db" <"$tmp/f2" 2>"$tmp/store.err" &
	pid[store]=$!
	# kill once a few pages are committed
	for _ in $(seq 400); do
		[ "$(sqlite3 "$db" "select json_extract(state, '$.pages') from checkpoints" 2>/dev/null)" -ge 3 ] 2>/dev/null && break
		sleep 0.05
	done
	t0=$(now_ms)
	kill -KILL "${pid[$victim]}"
	declare -A took=() status=()
	while :; do
		left=0
		for s in fetch-pages validate store; do
			[ "$s" = "$victim" ] || [ -n "${took[$s]:-}" ] && continue
			if kill -0 "${pid[$s]}" 2>/dev/null; then
				left=1
			else
				took[$s]=$(($(now_ms) - t0))
			fi
		done
		[ $left = 0 ] || [ $(($(now_ms) - t0)) -gt 10000 ] && break
		sleep 0.01
	done
	hung=
	for s in fetch-pages validate store; do
		if [ "$s" != "$victim" ] && [ -z "${took[$s]:-}" ]; then
			hung="$hung $s"
			kill -KILL "${pid[$s]}"
		fi
		{ wait "${pid[$s]}"; } 2>/dev/null
		status[$s]=$?
	done
	echo "# $victim killed: fetch-pages exit ${status[fetch-pages]} after ${took[fetch-pages]:--} ms," \
		"validate ${status[validate]} after ${took[validate]:--} ms, store ${status[store]} after ${took[store]:--} ms"
	is "${hung:-none}" none "$victim killed: no neighbour hangs"
	got="${status[fetch-pages]} ${status[validate]} ${status[store]}"
	[ "$victim" = fetch-pages ] && got="- ${got#* }"
	[ "$victim" = validate ] && got="${got%% *} - ${got##* }"
	[ "$victim" = store ] && got="${got% *} -"
	# shellcheck disable=SC2053 # the expected statuses are a pattern
	ok "[[ '$got' == $want_f' '$want_v' '$want_s ]]" \
		"$victim killed: the exits say so ($got, expected $want_f $want_v $want_s)"
	is "$(sqlite3 "$db" "select count(*) from tracks where not json_valid(data)
		or json_extract(data, '$.id') is not id")" 0 "$victim killed: every row is a whole record"
	# (records after the last STATE are kept, adopted by that STATE's sync)
	seen=$(sqlite3 "$db" "select count(*) from library where sync_id is not null")
	fetched=$(sqlite3 "$db" "select json_extract(state, '$.fetched') from checkpoints")
	ok "[ $seen -ge $fetched ] && [ $seen -lt $((fetched + 50)) ] &&
		[ $(sqlite3 "$db" "select count(*) from library where sync_id is null") -lt 50 ]" \
		"$victim killed: the rows the checkpoint counts, and at most a page read after it ($seen rows, $fetched counted)"
	is "$(sqlite3 "$db" 'pragma integrity_check')" ok "$victim killed: integrity_check"
	fetch-pages -q --base-url "$SIM_URL/v1" --state "$(checkpoint get "$db" tracks)" tracks |
		validate -q | store -q "$db" 2>"$err"
	is "$?/$(sqlite3 "$db" "select count(*) from library where sync_id is not null and removed_at is null")" \
		0/5000 "$victim killed: the resumed pipeline completes with every track"
	unset pid took status
done
