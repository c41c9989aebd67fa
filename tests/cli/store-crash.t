#!/usr/bin/env bash
# store killed with SIGKILL at random points, resumed each time from
# `checkpoint skip`: the result equals a clean run's. Also SIGTERM, a full
# disk, and two stores sharing one database.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/store-gen.sh"

plan 40

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

{
	gen tracks 1500 50 c1 full 1
	gen artists 1000 50 c1 full 1
	PLAYLIST=p1 gen playlist_items 400 100 c1 full 1
	PLAYLIST=p2 gen playlist_items 100 100 c1 full 1
} >"$tmp/in"

clean="$tmp/clean.db"
t0=$(now_ms)
run 0 "a clean run" -- store --batch 200 --commit-interval 0.05 "$clean" <"$tmp/in"
clean_ms=$(($(now_ms) - t0))
dump "$clean" >"$tmp/clean.dump"

# ---- kill -9 at random points ----
# Each run is killed at a random time, up to 1/15 of a clean run after its
# start, and the next resumes from `checkpoint skip`. When a round has stored
# everything, its database is compared with the clean one and a new round
# starts from an empty database, until 60 runs were killed mid-way.
db="$tmp/crash.db"
maxdelay=$((clean_ms / 15 + 1))
killed=0 runs=0 rounds=1 rounds_equal=0 skip_failed=0
while [ $killed -lt 60 ] && [ $runs -lt 400 ]; do
	# (a failed skip prints nothing: that is not a finished round)
	if ! checkpoint -q skip "$db" <"$tmp/in" >"$tmp/rest" 2>"$err"; then
		skip_failed=$((skip_failed + 1))
		sed 's/^/# checkpoint skip: /' "$err"
		cp "$tmp/in" "$tmp/rest"
	fi
	if ! grep -q '"RECORD"' "$tmp/rest"; then
		if dump "$db" | cmp -s - "$tmp/clean.dump"; then
			rounds_equal=$((rounds_equal + 1))
		else
			echo "# round $rounds differs from the clean run:"
			dump "$db" | diff "$tmp/clean.dump" - | head -10 | sed 's/^/#   /'
		fi
		rounds=$((rounds + 1))
		rm -f "$db" "$db-wal" "$db-shm"
		continue
	fi
	runs=$((runs + 1))
	store -q --batch 200 --commit-interval 0.05 "$db" <"$tmp/rest" 2>/dev/null &
	pid=$!
	d=$((RANDOM % maxdelay))
	sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
	kill -9 $pid 2>/dev/null
	{ wait $pid; } 2>/dev/null
	[ $? -eq 137 ] && killed=$((killed + 1))
done
echo "# $killed of $runs runs killed in $rounds rounds (clean run: $clean_ms ms, delays up to $maxdelay ms)"
ok "[ $killed -ge 60 ]" "store was killed mid-run 60 times"
is "$rounds_equal" "$((rounds - 1))" "every finished round equals the clean run"
is "$skip_failed" 0 "checkpoint skip reads every database a killed store left"
checkpoint -q skip "$db" <"$tmp/in" >"$tmp/rest"
run 0 "the final resume completes" -- store "$db" <"$tmp/rest"
dump "$db" >"$tmp/crash.dump"
ok "cmp -s '$tmp/clean.dump' '$tmp/crash.dump'" "the database equals a clean run's"
[ -s "$tmp/crash.dump" ] && ! cmp -s "$tmp/clean.dump" "$tmp/crash.dump" &&
	diff "$tmp/clean.dump" "$tmp/crash.dump" | head -5 | sed 's/^/# /'
is "$(q "$db" 'PRAGMA integrity_check')" ok "integrity_check"
is "$(q "$db" "SELECT count(*) FROM library WHERE removed_at IS NOT NULL")" 0 "nothing soft-deleted by the crashes"
checkpoint -q skip "$db" <"$tmp/in" >"$tmp/rest"
is "$(wc -l <"$tmp/rest")" 4 "after completion skip passes only the SCHEMA lines"

# ---- SIGTERM: up to the last STATE, exit 75 ----
# term DB INPUT: store reads INPUT from a FIFO kept open, then gets SIGTERM
# once it has read all of it: every byte is in the fifo, and store waits in
# read(2) on its standard input (fd 0) for more (not after a fixed time: a
# loaded machine may not have read the last STATE yet). Its status in $st.
mkfifo "$tmp/fifo"
term() {
	local pid
	store --commit-interval 10 --batch 100000 "$1" <"$tmp/fifo" 2>"$tmp/term.err" &
	pid=$!
	exec 3>"$tmp/fifo"
	cat "$2" >&3
	for _ in $(seq 400); do
		read -r nr fd _ <"/proc/$pid/syscall" 2>/dev/null && [ "$nr $fd" = "0 0x0" ] && break
		sleep 0.05
	done
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")	# peak RSS, KiB
	kill -TERM $pid
	wait $pid
	st=$?
	exec 3>&-
}
db2="$tmp/term.db"
head -n 1022 "$tmp/in" >"$tmp/head"	# SCHEMA, 20 pages of 50 and one record more
term "$db2" "$tmp/head"
is "$st" 75 "SIGTERM while the input is quiet: exit 75"
ok "grep -q 'tracks: partial: 1,000 of ~1,500 stored; run the same command to resume' '$tmp/term.err'" "says partial"
is "$(q "$db2" "SELECT count(*) FROM tracks WHERE stub = 0")" 1000 "rows up to the last STATE, not the record after it"
is "$(checkpoint get "$db2" tracks | jq .fetched)" 1000 "the checkpoint matches the rows"
is "$(q "$db2" "SELECT status, error FROM sync_runs")" "partial|interrupted" "sync_runs: partial"

# ---- SIGTERM after more records than wait in memory for their STATE ----
# (store writes them behind a savepoint: those are rolled back)
db2="$tmp/term2.db"
gen tracks 1500 300 t2 full 1 | head -n 1104 >"$tmp/head"	# SCHEMA, 3 pages of 300, 200 records
term "$db2" "$tmp/head"
is "$st" 75 "SIGTERM with 200 records after the last STATE: exit 75"
is "$(q "$db2" "SELECT count(*) FROM tracks WHERE stub = 0")" 900 "rows up to the last STATE, none of the 200 after it"
is "$(q "$db2" "SELECT count(*) FROM library WHERE sync_id IS NULL")" 0 "no member waits for a STATE"
is "$(checkpoint get "$db2" tracks | jq .fetched)" 900 "the checkpoint matches the rows"

# ---- ... or more bytes: at most 4 MiB of lines wait (40 records of 1 MiB) ----
db2="$tmp/term3.db"
{
	head -n 1022 "$tmp/in"
	for i in $(seq 40); do
		sed -n 2p "$tmp/in" | jq -c --arg id "big$i" '.record.id = $id | .record.title = ("x" * 1048576)'
	done
} >"$tmp/big40"
term "$db2" "$tmp/big40"
is "$st" 75 "SIGTERM with 40 MiB of records after the last STATE: exit 75"
is "$(q "$db2" "SELECT count(*) FROM tracks WHERE stub = 0")" 1000 "rows up to the last STATE, none of the 40 after it"
if [ -n "${CRATE_BUILD:-}" ]; then
	ok true "peak memory # SKIP measured on the normal build (the sanitizers keep freed memory)"
else
	ok "[ $hwm -lt 65536 ]" "they did not all wait in memory: peak RSS $hwm KiB, under 64 MiB"
fi

# ---- a full disk ----
db3="$tmp/full.db"
gen artists 6000 100 f1 full 1 >"$tmp/big"
run 74 "a full disk: exit 74" -- store --max-pages 150 --batch 500 "$db3" <"$tmp/big"
ok "grep -q 'database or disk is full; rolled back to the last committed STATE' '$err'" "a clear message"
rows=$(q "$db3" 'SELECT count(*) FROM artists')
ok "[ $rows -gt 0 ] && [ $rows -lt 6000 ]" "some rows were committed ($rows)"
is "$(checkpoint get "$db3" artists | jq .fetched)" "$rows" "the checkpoint matches the rows"
is "$(q "$db3" "SELECT status || ' ' || coalesce(stored, 'null') FROM sync_runs ORDER BY run_id DESC LIMIT 1")" \
	"failed $rows" "the failed run says how much it stored"
is "$(q "$db3" 'PRAGMA integrity_check')" ok "integrity_check"
checkpoint -q skip "$db3" <"$tmp/big" >"$tmp/rest"
run 0 "the rerun with space completes" -- store "$db3" <"$tmp/rest"
is "$(q "$db3" "SELECT count(*) FROM library WHERE sync_id = 'f1' AND removed_at IS NULL")" 6000 "all 6,000 stored"
clean3="$tmp/clean3.db"
run 0 "a clean run of the same input" -- store "$clean3" <"$tmp/big"
ok "cmp -s <(dump '$db3') <(dump '$clean3')" "equal to the clean run"

# ---- two writers ----
db4="$tmp/two.db"
gen tracks 2000 50 w1 full 1 >"$tmp/w1"
gen artists 8000 50 w1 full 1 >"$tmp/w2"
store --commit-interval 0 "$db4" <"$tmp/w1" 2>"$tmp/w1.err" &
p1=$!
store --commit-interval 0 "$db4" <"$tmp/w2" 2>"$tmp/w2.err" &
p2=$!
wait $p1
is "$?" 0 "first writer finishes"
wait $p2
is "$?" 0 "second writer finishes"
is "$(q "$db4" "SELECT count(*) FROM library")" 10000 "both wrote everything"
is "$(q "$db4" "SELECT group_concat(status) FROM sync_runs")" "complete,complete" "both complete"

# ---- a writer that holds the database ----
db5="$tmp/busy.db"
gen artists 10 5 b1 full 1 >"$tmp/b1"
store -q "$db5" <"$tmp/b1" 2>/dev/null
{ echo "BEGIN IMMEDIATE; DELETE FROM checkpoints;"; sleep 1.5; echo "ROLLBACK;"; } | sqlite3 "$db5" &
holder=$!
sleep 0.3
run 75 "a lock held past --busy-timeout: exit 75" -- store --busy-timeout 0.3 "$db5" <"$tmp/b1"
ok "grep -q 'database is locked' '$err'" "... says the database is locked"
run 0 "the default timeout waits the lock out" -- store "$db5" <"$tmp/b1"
wait $holder
# SIGTERM while waiting for another writer's lock: store stops at once
{ echo "BEGIN IMMEDIATE; DELETE FROM checkpoints;"; sleep 4; echo "ROLLBACK;"; } | sqlite3 "$db5" &
holder=$!
sleep 0.3
store -q --busy-timeout 60 "$db5" <"$tmp/b1" >/dev/null 2>&1 &
spid=$!
sleep 0.5
kill -TERM $spid
wait $spid
st=$?
kill -0 $holder 2>/dev/null
held=$?
is "$st" 75 "SIGTERM while waiting for a lock: exit 75"
is "$held" 0 "... while the other writer still holds the lock"
wait $holder
