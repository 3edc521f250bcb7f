#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs `ukms-rot generate --state-dir D` many times, SIGKILLing some runs at random moments,
# and checks that no identity is ever printed twice and counters never go backwards.
# Usage: test_kill9.sh UKMS_ROT [RUNS]. Prints TAP.
set -u
exe=$1 runs=${2:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
killed=0 printed=0 errors=0
for ((i = 0; i < runs; i++)); do
	out="$work/out.$i"
	"$exe" generate --state-dir "$work/state" >"$out" 2>"$work/err.$i" &
	pid=$!
	if ((RANDOM % 2)); then
		# a random few milliseconds, then kill -9 (it may already have finished)
		sleep "0.00$((RANDOM % 10))"
		kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 137 ]; then errors=$((errors + 1)); fi
	if [ -s "$out" ]; then
		cut -d' ' -f1 "$out" >>"$work/ids"
		printed=$((printed + 1))
	fi
done
echo "1..4"
echo "# runs=$runs killed=$killed printed=$printed errors=$errors"
total=$(wc -l <"$work/ids")
uniq_n=$(sort -u "$work/ids" | wc -l)
[ "$errors" = 0 ] && echo "ok 1 - every run exited 0 or was killed" || echo "not ok 1 - $errors runs failed"
[ "$printed" -gt $((runs / 3)) ] && echo "ok 2 - $printed identities printed" ||
	echo "not ok 2 - only $printed identities printed"
[ "$total" = "$uniq_n" ] && echo "ok 3 - no identity repeats ($total)" ||
	echo "not ok 3 - $((total - uniq_n)) repeated identities"
# Counters (hex chars 17-24) in print order must be strictly increasing.
if python3 -c '
import sys
c = [int(l[16:24], 16) for l in open(sys.argv[1])]
sys.exit(0 if all(a < b for a, b in zip(c, c[1:])) else 1)' "$work/ids"; then
	echo "ok 4 - counters strictly increase in print order"
else
	echo "not ok 4 - a counter went backwards"
fi
