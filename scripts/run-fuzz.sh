#!/bin/sh
# SPDX-License-Identifier: MIT
# Run each libFuzzer binary for N seconds from its corpus; one test each:
# passed if it found nothing. Findings are kept in build/fuzz/findings/.
# A finding prints its reason and the input itself (hex, up to 4 KiB), so
# that a CI log alone reproduces it: xxd -r -p > input; build/fuzz/<f> input.
# FUZZ_SEED, if set, fixes libFuzzer's random seed, and the run starts from
# the committed seeds alone (its corpus emptied first): it then tries the same
# inputs in the same order on any machine, as on a clean clone (but for the
# order libFuzzer reads seeds of equal size in, and how many a machine runs).
secs=$1; shift
seed=${FUZZ_SEED:+-seed=$FUZZ_SEED}
passed=0; failed=0
mkdir -p build/fuzz/findings
for f in "$@"; do
	name=$(basename "$f")
	corpus=build/fuzz/corpus/$name
	[ -n "$seed" ] && corpus=build/fuzz/smoke-corpus/$name && rm -rf "$corpus"
	mkdir -p "$corpus"
	seeds=tests/fuzz/seeds/$name
	[ -d "$seeds" ] || seeds=
	dict=tests/fuzz/$name.dict
	[ -f "$dict" ] && dict=-dict=$dict || dict=
	log=build/fuzz/$name.log
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $seed $dict \
		-artifact_prefix=build/fuzz/findings/"$name"- "$corpus" $seeds > "$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "fuzz $name: ${execs:-?} runs in ${secs}s, no finding"
		passed=$((passed + 1))
	else
		echo "fuzz $name: FINDING (log $log)"
		grep -E -A1 "invariant violated|ERROR|SUMMARY|INFO: Seed|artifact" "$log" | head -n 12 | sed 's/^/  /'
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		if [ -n "$art" ] && [ -f "$art" ]; then
			echo "  input ($(stat -c %s "$art") bytes, hex):"
			head -c 4096 "$art" | od -An -v -tx1 | tr -d ' \n' | fold -w 96 | sed 's/^/    /'
			echo
		fi
		failed=$((failed + 1))
	fi
done
echo "RESULT fuzz $passed $failed"
