#!/usr/bin/env bash
# sync-library and the demo: the whole pipeline against provider-sim.
. "$(dirname "$0")/../lib.sh"
plan 26

export CRATE_TOKEN=test-token
fast=(--backoff 10ms,20ms,40ms,80ms)

# The database against the simulator's ground truth: every saved thing and every
# playlist entry, but for the documented skips: entries of playlists the provider
# refuses, entries whose track is unavailable (null), and items validate rejects.
check_db() { # DB DUMP REJECTS...
	local db=$1 dump=$2 s
	shift 2
	for s in tracks artists albums playlists; do
		got=$(sqlite3 "$db" "select id from library where stream='$s' and removed_at is null order by id")
		want=$(jq -r "select(.stream==\"$s\").id" "$dump" | sort | grep -v -x -F -f <(cat "$@" /dev/null | jq -r "select(.stream==\"$s\").id"))
		is "$got" "$want" "$(basename "$db") $s: the library equals the simulator's"
	done
	forbidden=$(sqlite3 "$db" "select substr(stream, 16) from checkpoints where state like '%\"forbidden\":true%'")
	got=$(sqlite3 "$db" "select playlist_id || ' ' || position || ' ' || coalesce(track_id, '-') from playlist_items order by 1")
	want=$(jq -r 'select(.stream=="playlist_items" and .track_id != null) | "\(.playlist_id) \(.position) \(.track_id)"' "$dump" |
		grep -v -F -f <(echo "${forbidden:-none}") | grep -v -F -f <(cat "$@" /dev/null | jq -r 'select(.stream=="playlist_items").id | sub(":"; " ")' | sed 's/$/ /') | sort)
	is "$(echo "$got" | sed 's/ spotify:local:[^ ]*$/ -/' | grep -v ' -$')" "$(echo "$want" | grep -v ' -$')" \
		"$(basename "$db") playlist entries equal the simulator's, but for the documented skips"
}

# -- the demo, quietly, on a small library
run 0 "make demo's script, small and quiet" -- "$top/scripts/demo" -q --small --db "$tmp/demo.db" --dump "$tmp/demo.dump"
is "$(wc -l <"$err")" 1 "demo -q: the result line only"
[ "$(wc -l <"$err")" -eq 1 ] || sed 's/^/# demo -q said: /' "$err"
is "$(sqlite3 "$tmp/demo.db" 'pragma integrity_check')" ok "integrity_check"
run 0 "demo --help" -- "$top/scripts/demo" --help
ok 'head -n 1 "$out" | grep -q "^usage: demo" && ! grep -q "set -u" "$out"' "--help: the usage, not the script's code"
# make demo, off a terminal: the whole library, at most 30 lines (the demo runs
# the checkout's bin/, the same on both builds: once is enough)
if [ -z "${CRATE_BUILD:-}" ]; then
	run 0 "the demo, in full" -- "$top/scripts/demo" --db "$tmp/full.db"
	ok '[ "$(wc -l <"$err")" -le 30 ]' "make demo prints at most 30 lines off a terminal ($(wc -l <"$err"))"
	ok 'grep -q "rate limited" "$err" || grep -q "rate-limit wait" "$err"' "it met faults and said so"
else
	for _ in 1 2 3; do echo "ok $((t_n += 1)) # skip the full demo runs on the normal build"; done
fi

# -- a sync killed halfway resumes to the same database
# (the albums' first page is answered 4 s late, so the sync cannot end before
# the interruption, however the machine's load moves it)
sim_start --dialect spotify --tracks 600 --artists 100 --albums 60 --playlists 8 --latency 40 --dump "$tmp/dump" \
	--fault-path /v1/me/albums --fault-hang @1 --hang-ms 4000
# With job control the sync gets a process group of its own, as in a terminal,
# and Ctrl-C is SIGINT to the whole group.
set -m
sync-library -q "${fast[@]}" --base-url "$SIM_URL/v1" --rejects "$tmp" "$tmp/lib.db" >"$out" 2>"$err" &
pid=$!
set +m
# interrupt once something is committed (the sanitizer build is slower)
for _ in $(seq 200); do
	[ "$(sqlite3 "$tmp/lib.db" 'select count(*) from checkpoints' 2>/dev/null)" -ge 1 ] 2>/dev/null && break
	sleep 0.05
done
kill -INT -- -$pid
wait $pid
is "$?" 75 "Ctrl-C: exit 75"
ok 'grep -q "interrupted" "$err" && ! grep -q "failed" "$err"' "Ctrl-C is an interruption, not a stage's failure"
ok 'pgrep -f "fetch-pages.*$SIM_URL" >/dev/null; [ $? -eq 1 ]' "no stage is left running"
is "$(sqlite3 "$tmp/lib.db" 'pragma integrity_check')" ok "the database is whole"
is "$(sqlite3 "$tmp/lib.db" "select count(*) from sync_runs where status = 'running'")" 0 \
	"no run is left running: the interrupted one is recorded as partial"
run 0 "the same command completes" -- sync-library -q "${fast[@]}" --base-url "$SIM_URL/v1" --rejects "$tmp" "$tmp/lib.db"
check_db "$tmp/lib.db" "$tmp/dump" "$tmp"/*.rejects.ndjson

# -- --until-complete across a 429 longer than --max-wait
sim_stop
sim_start --dialect spotify --tracks 300 --artists 20 --albums 20 --playlists 2 --fault-429 @3 --retry-after 2
run 0 "--until-complete waits out a long 429 and completes" -- sync-library "${fast[@]}" --max-wait 1s \
	--until-complete --base-url "$SIM_URL/v1" "$tmp/until.db" tracks
ok 'grep -q "resuming in" "$err"' "it said it would resume"
is "$(sqlite3 "$tmp/until.db" "select count(*) from library where stream='tracks'")" 300 "every track stored"
sim_stop
sim_start --dialect spotify --tracks 300 --fault-429 @3 --retry-after 2
run 75 "without it, the same 429 leaves a partial sync" -- sync-library -q "${fast[@]}" --max-wait 1s \
	--base-url "$SIM_URL/v1" --full "$tmp/once.db" tracks

run 64 "an unknown stream" -- sync-library "$tmp/x.db" podcasts
run 0 "--help" -- sync-library --help
ok 'shellcheck "$top/scripts/sync-library" "$top/scripts/demo"' "the scripts are clean on shellcheck"
