#!/usr/bin/env bash
# store's progress: a live line on a terminal, none in a pipe.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/store-gen.sh"

plan 14

esc=$(printf '\033')
until=$(date -u -d '+40 seconds' +%Y-%m-%dT%H:%M:%SZ)
{
	gen artists 200 50 s1 full 0
	echo '{"type":"STATE","value":{"bookmarks":{"artists":{"sync_id":"s1","mode":"full","fetched":200,"total":1000,"pages":4,"rejected":3,"throttled_until":"'"$until"'","complete":false}}}}'
} >"$tmp/in"

# On a pseudo-terminal (script runs the command on one; -e keeps its status).
# The input pauses after the STATE that says the stream is rate limited.
run 0 "store on a terminal" -- script -qec "{ cat '$tmp/in'; sleep 1.5; } | store '$tmp/tty.db'; echo status=\$?" /dev/null
tr -d '\r' <"$out" >"$tmp/screen"
ok "grep -q 'status=75' '$tmp/screen'" "store ran, partial (75)"
ok "grep -q \"\${esc}\\[K\" '$out'" "the live line is redrawn in place"
ok "grep -Eq 'store: artists: 50 of 200 \\(25%\\), [0-9,]+/s' '$tmp/screen'" "done/total, %, rate"
ok "grep -Eq 'artists: 197 of 1,000 \\(19%\\), [0-9,]+/s(, ETA [0-9]+ s)?, 3 rejected, rate limited, resuming in [0-9]+ s' '$tmp/screen'" \
	"rejected and the rate-limit wait"
ok "grep -q 'artists: partial: 197 of ~1,000 stored (3 rejected); run the same command to resume' '$tmp/screen'" "the final line"

# In a pipe: no escape codes, no carriage returns, only the final report.
run 75 "store in a pipe" -- store "$tmp/pipe.db" <"$tmp/in"
ok "! grep -q \"\$esc\" '$err' && ! grep -q \$'\\r' '$err'" "no live line in a pipe"
is "$(cat "$err")" "store: artists: partial: 197 of ~1,000 stored (3 rejected); run the same command to resume" "only the report"
# In a pipe, a log line every --progress-interval.
run 75 "store in a pipe, slow input" -- sh -c "{ head -n 52 '$tmp/in'; sleep 0.5; tail -n +53 '$tmp/in'; } | store --progress-interval 0.2 '$tmp/log.db'"
ok "grep -Eq '^store: artists: [0-9,]+ of [0-9,]+ \([0-9]+%\), [0-9,]+/s' '$err'" "a log line"
ok "! grep -q \"\$esc\" '$err'" "... without escape codes"
run 75 "-q on a terminal" -- script -qec "store -q '$tmp/q.db' <'$tmp/in'" /dev/null
ok "! grep -q \"\${esc}\\[K\" '$out'" "-q: no live line"
