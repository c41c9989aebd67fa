#!/usr/bin/env bash
# The fault matrix: each provider-sim fault aimed at the first, a middle and
# the last page of a sync of saved tracks (5 pages of 50, Spotify dialect).
# Every cell must end complete and equal to the simulator's library, or
# partial with the right exit and the same command completing it later. The
# matrix is printed as TAP diagnostics (and copied into RELIABILITY.md).
. "$(dirname "$0")/../lib.sh"
. "$top/tests/torture/db.sh"

export CRATE_TOKEN=test-token
# One page at a time (-W 1), so that a fault aimed at a request hits that page
# and a burst hits it again on every retry (with pages fetched at once, a
# burst is spread over several pages and none runs out of retries).
# shellcheck disable=SC2054 # the backoff list is one word
fast=(-W 1 --backoff 10ms,20ms,40ms --timeout 1s --max-wait 1s)
pages=(1 3 5)	# the pages of /v1/me/tracks that the fault hits: first, middle, last
# sync-library's preflight (sync-library(1): one request, the first page of
# the first stream) is the first request to /v1/me/tracks: page P is request P + 1.
lib=(--dialect spotify --tracks 250 --fault-path /v1/me/tracks)
# The token command: Spotify's refresh-token grant against the simulator
# (https://developer.spotify.com/documentation/web-api/tutorials/refreshing-tokens).
refresh() { echo "curl -s -d grant_type=refresh_token -d refresh_token=test-refresh-token $SIM_URL/api/token | jq -r .access_token"; }

# FAULT: a name, the first exit the cell expects (0 complete, also with items
# rejected: see sync-library(1); 75 partial), then the simulator's options,
# where @P is the page.
faults=(
	"429-seconds|0|--fault-429 @P --retry-after 1"
	"429-date|0|--fault-429 @P --retry-after 1 --retry-after-date"
	"429-over-max-wait|75|--fault-429 @P --retry-after 2"
	"5xx-burst|0|--fault-5xx @P --burst 3"
	"5xx-long-burst|75|--fault-5xx @P --burst 6"
	"hang|0|--fault-hang @P"
	"reset|0|--fault-reset @P"
	"truncation|0|--fault-truncate @P"
	"malformed|0|--fault-malformed @P"
	"bad-items|0|--bad-items @S"
	"token-expiry|0|--token-ttl T"
	"drift|0|--drift @P"
)
plan $(( ${#faults[@]} * ${#pages[@]} + 2 ))

# truth: the simulator's saved tracks now (after drift), less defective ones
truth() {
	curl -s "$SIM_URL/sim/dump" | jq -r 'select(.stream == "tracks" and (.bad // null) == null) | .id' | sort
}
got() {
	sqlite3 "$1" "select id from library where stream = 'tracks' and removed_at is null order by id"
}

# cell NAME WANT PAGE OPTS...: runs one cell; prints what happened (for the
# matrix) and sets $cell_ok.
cell() {
	local name=$1 want=$2 page=$3 db="$tmp/$1-$3.db" rc rc2 opts=() o tok=()
	shift 3
	for o in "$@"; do
		case $o in
		@P) o=@$((page + 1)) ;;
		@S) o=@$(( (page - 1) * 50 + 7 )) ;;	# a track of that page
		T) o=$page ;;	# the preflight and the pages before it are served
		esac
		opts+=("$o")
	done
	sim_start "${lib[@]}" "${opts[@]}"
	[ "$name" = token-expiry ] && tok=(--token-cmd "$(refresh)")
	sync-library -q "${fast[@]}" "${tok[@]}" --base-url "$SIM_URL/v1" "$db" tracks >"$out" 2>"$err"
	rc=$?
	cell_ok=1
	desc="$rc"
	if [ $rc -ne "$want" ]; then
		cell_ok=
		desc="$rc!"
	fi
	a=$(db_ahead "$db" "$db")
	[ -n "$a" ] && { cell_ok=; desc="$desc,ahead"; }
	if [ $rc = 75 ] || [ $rc = 77 ]; then
		# the throttle a 429 set has to pass first
		[ "$name" = 429-over-max-wait ] && sleep 2
		sync-library -q "${fast[@]}" "${tok[@]}" --base-url "$SIM_URL/v1" "$db" tracks >"$out" 2>"$err"
		rc2=$?
		desc="$desc>$rc2"
		[ $rc2 = 0 ] || [ $rc2 = 1 ] || cell_ok=
	fi
	if [ "$(got "$db")" != "$(truth)" ]; then
		cell_ok=
		desc="$desc,wrong($(comm -3 <(got "$db") <(truth) | wc -l))"
	fi
	[ "$(sqlite3 "$db" 'pragma integrity_check')" = ok ] || { cell_ok=; desc="$desc,corrupt"; }
	sim_stop
}

# Cells that fail for a known reason, fixed elsewhere: TODO in TAP.
# (none now: drift at the last page was one, fixed by counting only the final
# pass as seen)
declare -A todo=()
declare -A matrix
for f in "${faults[@]}"; do
	IFS='|' read -r name want opts <<<"$f"
	row=$(printf '%-18s' "$name")
	for p in "${pages[@]}"; do
		# shellcheck disable=SC2086 # opts are words
		cell "$name" "$want" "$p" $opts
		t=
		[ -z "$cell_ok" ] && [ -n "${todo[$name-$p]:-}" ] && t=" # TODO ${todo[$name-$p]}"
		ok "[ -n '$cell_ok' ]" "$name at page $p: $desc$t"
		[ -n "$cell_ok" ] || sed 's/^/#   /' "$err" | tail -5
		row="$row $(printf '%-10s' "$desc")"
	done
	matrix[$name]=$row
done

echo "# fault matrix (exit of the run; >N: exit of the rerun; ! unexpected exit;"
echo "# wrong(N): N tracks differ from the simulator's; ahead: a checkpoint ahead of its rows):"
echo "# $(printf '%-18s' fault) $(printf '%-10s' 'first') $(printf '%-10s' 'middle') last"
for f in "${faults[@]}"; do
	echo "# ${matrix[${f%%|*}]}"
done

# A resume keeps the count of items rejected before it: a defective track on
# the first page, a burst that stops the walk on the third, and the rerun.
sim_start "${lib[@]}" --bad-items @7 --fault-5xx @4 --burst 6
sync-library -q "${fast[@]}" --base-url "$SIM_URL/v1" "$tmp/rej.db" tracks >"$out" 2>"$err"
rc=$?
sync-library -q "${fast[@]}" --base-url "$SIM_URL/v1" "$tmp/rej.db" tracks >"$out" 2>"$err"
is "$rc/$?/$(got "$tmp/rej.db" | wc -l)" 75/0/249 "a walk stopped past a rejected item (75) resumes and completes"
# fetch-pages carries the bookmark's `rejected` into a resume, and validate adds
# its own run's count to it (fixed on main, 8b93f18).
is "$(sqlite3 "$tmp/rej.db" "select json_extract(state, '$.rejected') from checkpoints")" 1 \
	"the checkpoint still counts the item rejected before the resume"
sim_stop
