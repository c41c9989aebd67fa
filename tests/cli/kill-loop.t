#!/usr/bin/env bash
# The kill loop (tests/torture/kill-loop): a random stage of a full sync is
# killed with SIGKILL at a random moment, the same command is rerun until it
# completes, and every completion must equal a clean sync. 100 kills on the
# normal build, 30 under the sanitizers (each stage starts several times
# slower there); `make torture` runs 1,000 on a larger library.
# KILL_LOOP_SEED=N reruns a seed.
. "$(dirname "$0")/../lib.sh"
plan 6

kills=${KILL_LOOP_KILLS:-100}
[ -n "${CRATE_BUILD:-}" ] && kills=${KILL_LOOP_KILLS:-30}
seed=${KILL_LOOP_SEED:-$(( $(date +%s) % 100000 ))}
"$top/tests/torture/kill-loop" -q --kills "$kills" --seed "$seed" --size small >"$out" 2>"$err"
rc=$?
sed 's/^/# /' "$out"
cat "$out" >&2	# the figures, also in make check's output
sed 's/^/#   /' "$err" | head -30
figure() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$out"; }
ok "[ '$(sed -n 's/.*: \([0-9]*\) kills.*/\1/p' "$out")' -ge $kills ] 2>/dev/null" "$kills stages killed (seed $seed)"
is "lost $(figure lost)" "lost 0" "no row lost"
is "duplicated $(figure duplicated)" "duplicated 0" "no row duplicated or changed"
is "ahead $(figure ahead)" "ahead 0" "no checkpoint ahead of its rows after any kill"
is "integrity $(figure integrity)" "integrity 0" "integrity_check ok after every kill"
is "$rc" 0 "no hang and no unexpected exit"
