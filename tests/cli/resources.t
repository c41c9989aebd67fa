#!/usr/bin/env bash
# Resources: a full sync with every stage under valgrind's memcheck (no error,
# no leak); the file descriptors of each stage through a long playlist walk
# (they do not grow); each stage's peak RSS at two library sizes, ten times
# apart (flat). Normal build only: the sanitizers' memory would be measured
# instead, and valgrind cannot run a sanitized program.
. "$(dirname "$0")/../lib.sh"

if [ -n "${CRATE_BUILD:-}" ]; then
	echo "1..0 # SKIP resources are measured on the normal build"
	exit 0
fi
export CRATE_TOKEN=test-token
stages=(fetch-pages validate store checkpoint)

# wrap valgrind|rss: sync-library finds each stage through a wrapper that
# runs it under valgrind, or under time(1) writing its peak RSS to rss.STAGE.
wrap() {
	local s cmd
	rm -rf "$tmp/bin"
	mkdir "$tmp/bin"
	for s in "${stages[@]}"; do
		case $1 in
		valgrind) cmd="valgrind -q --log-file=$tmp/vg.$s.%p --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99" ;;
		rss) cmd="/usr/bin/time -a -o $tmp/rss.$s -f %M" ;;
		esac
		printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$cmd" "$(command -v "$s")" >"$tmp/bin/$s"
		chmod +x "$tmp/bin/$s"
	done
}
sync() { PATH="$tmp/bin:$PATH" sync-library -q --backoff 10ms --base-url "$SIM_URL/v1" "$@"; }

# ---- valgrind ----
if command -v valgrind >/dev/null; then
	sim_start --dialect spotify --tracks 200 --artists 30 --albums 20 --playlists 5 --playlist-max 60
	wrap valgrind
	sync "$tmp/vg.db" 2>"$err"
	is "$?" 0 "a full sync with every stage under valgrind completes"
	n=$(find "$tmp" -name 'vg.*.*' | wc -l)
	reports=$(find "$tmp" -name 'vg.*.*' -size +0 -exec cat {} + | head -40)
	ok "[ $n -ge 9 ]" "valgrind watched every stage of every stream ($n processes)"
	is "${reports:-none}" none "no memory error and no leak in any of them"
	sim_stop
else
	ok true "# SKIP valgrind is not installed"
	ok true "# SKIP valgrind is not installed"
	ok true "# SKIP valgrind is not installed"
fi

# ---- file descriptors through a long playlist walk ----
sim_start --dialect spotify --tracks 2000 --playlists 300 --playlist-max 200 --latency 10
rm -rf "$tmp/bin"
sync "$tmp/fd.db" playlists 2>"$err"
is "$?" 0 "300 playlists stored"
mkfifo "$tmp/f1" "$tmp/f2"
sqlite3 -separator ' ' "$tmp/fd.db" "select id, snapshot_id from playlists" |
	fetch-pages -q -P 4 --base-url "$SIM_URL/v1" playlist_items >"$tmp/f1" 2>"$tmp/fetch.err" &
fp=$!
validate -q <"$tmp/f1" >"$tmp/f2" 2>/dev/null &
vp=$!
store -q "$tmp/fd.db" <"$tmp/f2" 2>"$tmp/store.err" &
sp=$!
# a sample of each stage's open descriptors every 20 ms, while fetch-pages walks
: >"$tmp/fds"
while kill -0 $fp 2>/dev/null; do
	echo "$(ls /proc/$fp/fd 2>/dev/null | wc -l) $(ls /proc/$vp/fd 2>/dev/null | wc -l) $(ls /proc/$sp/fd 2>/dev/null | wc -l)" >>"$tmp/fds"
	sleep 0.02
done
wait $fp
f=$?
wait $vp
wait $sp
is "$f/$?" 0/0 "the walk of 300 playlists completes"
samples=$(wc -l <"$tmp/fds")
# the most open at once in the first and in the second half of the walk
half() { sed -n "$1" "$tmp/fds" | awk -v c="$2" '$c > m { m = $c } END { print m + 0 }'; }
for c in 1 2 3; do
	name=$(echo fetch-pages validate store | cut -d' ' -f$c)
	a=$(half "1,$((samples / 2))p" $c)
	b=$(half "$((samples / 2 + 1)),\$p" $c)
	echo "# $name: at most $a descriptors open in the first half of the walk, $b in the second ($samples samples)"
	ok "[ $samples -ge 10 ] && [ $b -le $a ]" "$name: the descriptors do not grow"
done
sim_stop

# ---- peak RSS at two library sizes ----
wrap rss
declare -A rss
for n in 1 10; do
	rm -f "$tmp"/rss.*
	sim_start --dialect spotify --tracks $((1500 * n)) --artists $((200 * n)) --albums $((200 * n)) \
		--playlists $((10 * n)) --playlist-max 150
	sync "$tmp/rss$n.db" 2>"$err"
	is "$?" 0 "a sync of the library times $n"
	for s in "${stages[@]}"; do
		rss[$s$n]=$(sort -n "$tmp/rss.$s" | tail -1)
	done
	sim_stop
done
rows1=$(sqlite3 "$tmp/rss1.db" "select (select count(*) from library) + (select count(*) from playlist_items)")
rows10=$(sqlite3 "$tmp/rss10.db" "select (select count(*) from library) + (select count(*) from playlist_items)")
echo "# peak RSS in KiB: $rows1 rows, then $rows10 rows"
for s in "${stages[@]}"; do
	echo "# $(printf '%-12s %8s %8s' "$s" "${rss[${s}1]}" "${rss[${s}10]}")"
	# flat: ten times the library costs less than a quarter more memory
	ok "[ ${rss[${s}10]:-0} -gt 0 ] && [ ${rss[${s}10]} -le $(( ${rss[${s}1]:-0} * 5 / 4 )) ]" \
		"$s: memory flat at ten times the library (${rss[${s}1]} KiB, ${rss[${s}10]} KiB)"
done

plan "$t_n"
