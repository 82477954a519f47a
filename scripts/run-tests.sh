#!/bin/sh
# SPDX-License-Identifier: MIT
# make test: every tier, then one line summing them all.
out=build/test-results.txt
mkdir -p build
: > "$out"
# pytest trims its short summary lines ("FAILED <test> - <why>") to the
# terminal's width, 80 columns in a pipe: leave room for the why.
export COLUMNS="${COLUMNS:-200}"
run_tier() {
	# a tier that cannot even build or start counts as one failure
	make --no-print-directory "$1" 2>&1 | tee -a "$out.log" | tee /dev/stderr | grep '^RESULT ' >> "$out"
	grep -q "^RESULT $2 " "$out" || echo "RESULT $2 0 1" >> "$out"
}
: > "$out.log"
# the gates first: seconds for the form, a minute or two for the analysis
run_tier check-format format
run_tier lint lint
run_tier unit unit
run_tier fuzz-smoke fuzz
run_tier integration integration
# What failed, again, just above the totals: a CI log is often read from its end.
# cmocka says "[  FAILED  ]", a fuzzer "FINDING" (then its input, indented),
# pytest's short summary "FAILED <test> - <why>" and "ERROR <test> - <why>".
if grep -q -E '^(FAILED|ERROR) |\[  FAILED  \]|^fuzz .*: FINDING|: exited with status' "$out.log"; then
	echo "what failed:"
	awk '/^fuzz .*: FINDING/ {keep = 1; print; next}
	     keep && /^  / {print; next}
	     {keep = 0}
	     /^(FAILED|ERROR) |\[  FAILED  \]|: exited with status/ {print}' "$out.log" | cut -c1-400
fi
passed=$(awk '/^RESULT/ {p += $3} END {print p + 0}' "$out")
failed=$(awk '/^RESULT/ {f += $4} END {print f + 0}' "$out")
awk '/^RESULT/ {printf "  %-12s %d passed, %d failed\n", $2, $3, $4}' "$out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
