#!/bin/bash
# run-tests.sh - runs every unit test binary and integration script (all speak
# TAP), prints each failure, and ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${KILN_BUILD:-build}
export KILN_BIN=${KILN_BIN:-$PWD/kiln}
export CMOCKA_MESSAGE_OUTPUT=TAP
pass=0 fail=0 failed_names=()
filter=${TESTS:-}

run_tap() { # name, command...
	local name=$1; shift
	local out rc
	out=$("$@" 2>&1); rc=$?
	local p f
	p=$(grep -cE '^ok ' <<<"$out")
	f=$(grep -cE '^not ok ' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		failed_names+=("$name")
		echo "---- $name (exit $rc)"
		grep -vE '^ok ' <<<"$out" | tail -40
	else
		echo "  $name: $p passed"
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	[ -n "$filter" ] && [[ "$n" != *$filter* ]] && continue
	run_tap "$n" "$t"
done
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	[ -n "$filter" ] && [[ "$n" != *$filter* ]] && continue
	run_tap "$n" bash "$t"
done
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
