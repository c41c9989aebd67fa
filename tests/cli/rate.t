#!/usr/bin/env bash
# fetch-pages' rate (fetch/rate.c): a 429 it cannot measure a quota by cuts
# nothing, a provider's wait holds even the workers already waiting for their
# turn, and under a rolling quota few requests are answered 429. Counts from
# provider-sim's --log only: nothing here asserts a time.
. "$(dirname "$0")/../lib.sh"
plan 16

export CRATE_TOKEN=test-token
last_state() { grep '"type":"STATE"' "$1" | tail -1 | jq -c ".value.bookmarks[\"$2\"]"; }
count429() { grep -c '"status":429' "$tmp/sim.log"; }

# -- a 429 to the very first request (the demo's random ones: no quota behind
#    it) has nothing to measure a quota by: it is waited out, and nothing is
#    learned (it once set the rate to 0.9 a second, and a sync crawled)
sim_start --dialect spotify --tracks 300 --fault-429 @1 --retry-after 1 --log "$tmp/sim.log"
run 0 "a 429 to the first request" -- fetch-pages -q --limit 50 --base-url "$SIM_URL/v1" tracks
is "$(count429)" 1 "is the only one"
is "$(last_state "$out" tracks | jq -r '.rate // "none"')" none "and teaches no rate"
sim_stop

# -- the same at -P 4, the 429 to the second request (the first page's own
#    request is answered; the window's first one is not)
rm -f "$tmp/sim.log"
sim_start --dialect spotify --tracks 300 --fault-429 @2 --retry-after 1 --log "$tmp/sim.log"
run 0 "a 429 early at -P 4" -- fetch-pages -q -P 4 --limit 50 --base-url "$SIM_URL/v1" tracks
is "$(last_state "$out" tracks | jq -r '.rate // "none"')" none "teaches no rate either"
sim_stop

# -- a stray 429 after five pages (no quota behind it) measures 5 a second;
#    nothing confirms it as a quota, so the rate climbs back to it and probes
#    past it ever faster. It once crept up at 5% a second from 4.5, and a
#    sync of small playlists crawled.
rm -f "$tmp/sim.log"
sim_start --dialect spotify --tracks 4000 --fault-429 @6 --retry-after 1 --log "$tmp/sim.log"
run 0 "a stray 429 after five pages" -- fetch-pages -q --limit 20 --base-url "$SIM_URL/v1" tracks
is "$(count429)" 1 "is the only one"
rate=$(last_state "$out" tracks | jq -r .rate)
ok 'awk "BEGIN { exit !($rate > 20) }"' "the rate is probed well past it ($rate)"
sim_stop

# -- 8 workers paced at --rate 40 under a 20/s quota: the first 429's wait
#    holds the workers already waiting for their slot too. They once went at
#    their slots, each 429 a new episode cutting the rate again (8 429s, the
#    rate learned near 10 a second).
rm -f "$tmp/sim.log"
sim_start --dialect spotify --tracks 4000 --rate 20/1s --log "$tmp/sim.log"
run 0 "-P 8 at --rate 40 under a 20/s quota" -- fetch-pages -q -P 8 --rate 40 --limit 50 \
	--base-url "$SIM_URL/v1" tracks
n=$(count429)
ok '[ "$n" -le 3 ]' "the wait holds every worker: $n 429s (at most 3)"
rate=$(last_state "$out" tracks | jq -r .rate)
ok 'awk "BEGIN { exit !($rate >= 15 && $rate <= 21) }"' "the rate learned is near the quota ($rate)"
sim_stop

# -- a 429 with requests served before it measures the quota: the rate learned
#    is 0.9 of what was served in the last second
rm -f "$tmp/sim.log"
sim_start --dialect spotify --tracks 2000 --rate 20/1s --log "$tmp/sim.log"
run 0 "-P 1 under a 20/s quota" -- fetch-pages -q --limit 50 --base-url "$SIM_URL/v1" tracks
n=$(count429)
ok '[ "$n" -ge 1 ] && [ "$n" -le 2 ]' "one 429 to learn the quota by ($n)"
rate=$(last_state "$out" tracks | jq -r .rate)
ok 'awk "BEGIN { exit !($rate >= 15 && $rate <= 21) }"' "the rate learned is near the quota ($rate)"
sim_stop

# -- a resume starts at the rate in the bookmark and creeps from it: the quota
#    it was learned under is still there (it once probed past it at once)
rm -f "$tmp/sim.log"
sim_start --dialect spotify --tracks 4000 --rate 50/1s --log "$tmp/sim.log"
state='{"sync_id":"r1","stream":"tracks","next":null,"offset":0,"fetched":0,"pages":0,"rate":47}'
run 0 "a resume at 47 a second under a 50/s quota" -- fetch-pages -q --limit 20 \
	--base-url "$SIM_URL/v1" --state "$state" tracks
is "$(count429)" 0 "is never answered 429"
