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
# the Alpine-format fixture repository takes minutes to make: make it once
# for the tests that need it (tests/tap.sh: alpine_fixture)
if [ -z "${KILN_ALPINE_FIXTURE:-}" ] && { [ -z "$filter" ] || [[ alpine_root-alpine_build-backport_alpine == *$filter* ]]; }; then
	fx=$PWD/$BUILD/alpine-fixture
	rm -rf "$fx"
	if KILN_BIN=$KILN_BIN tests/fixtures/make-alpine-repo.sh "$fx" >"$BUILD/alpine-fixture.log" 2>&1; then
		export KILN_ALPINE_FIXTURE=$fx
	else
		rm -rf "$fx"
	fi
fi
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	[ -n "$filter" ] && [[ "$n" != *$filter* ]] && continue
	run_tap "$n" bash "$t"
done
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
