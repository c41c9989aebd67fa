#!/usr/bin/env bash
# The fuzz targets (tests/fuzz) without libFuzzer: every seed and every crash
# input kept under tests/fuzz/regress/TARGET/ runs clean, on the normal build
# and under ASan/UBSan. (`make fuzz` runs the targets with libFuzzer; `make
# check` runs it a few seconds per target where clang is installed.)
. "$(dirname "$0")/../lib.sh"
targets="json msg page prov rules tree"
plan 12

seeds=("$top"/tests/fixtures/shared/*.json "$top"/tests/fixtures/shared/captures/*.json \
	"$top"/tests/fixtures/*.json "$top"/tests/fixtures/*.ndjson "$top"/tests/fuzz/seeds/*)
for t in $targets; do
	replay=$build/tests/fuzz/replay_$t
	run 0 "$t: the seeds" -- "$replay" "${seeds[@]}"
	regress=("$top/tests/fuzz/regress/$t"/*)
	if [ -e "${regress[0]}" ]; then
		run 0 "$t: ${#regress[@]} crash inputs found by fuzzing" -- "$replay" "${regress[@]}"
	else
		ok true "$t: no crash input kept # SKIP none found"
	fi
done
