#!/bin/sh
# SPDX-License-Identifier: MIT
# Run cmocka unit test binaries; print their output and a RESULT line.
passed=0; failed=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	echo "$out" | grep -E '^\[ +(OK|FAILED|ERROR) +\]|^\[  (PASSED|FAILED)  \]' | grep -v '^\[  PASSED  \]' | sed "s|^|$(basename "$t"): |" | grep -v ': \[       OK \]' || true
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed (a sanitizer report) or failed to start: count it
		echo "$out" | tail -n 30
		echo "$(basename "$t"): exited with status $rc"
		f=1
	fi
	echo "unit $(basename "$t"): $p passed, $f failed"
	passed=$((passed + p)); failed=$((failed + f))
done
echo "RESULT unit $passed $failed"
