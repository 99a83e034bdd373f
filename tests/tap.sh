# lib.sh - helpers for integration scripts: TAP output and a scratch KILN_HOME.
# Source it; call ok/not_ok via check, and finish with done_testing.
set -u
KILN=${KILN_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/kiln}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T_NUM=0
T_FAIL=0
SCRATCH=$(mktemp -d /tmp/kiln-test.XXXXXX)
trap 'rm -rf "$SCRATCH"; [ -n "${CLEANUP:-}" ] && eval "$CLEANUP"' EXIT
export KILN_HOME=$SCRATCH/home
export KILN_RETRY_DELAY_MS=10
export NO_COLOR=1
# definitions from this tree, whichever binary runs (build-asan/kiln has no defs beside it)
export KILN_DISTROS_DIR=${KILN_DISTROS_DIR:-$TOP/distros/defs}

ok() { T_NUM=$((T_NUM + 1)); echo "ok $T_NUM - $*"; }
not_ok() { T_NUM=$((T_NUM + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_NUM - $*"; }
# check "description" command... : passes when the command exits 0
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# expect_exit CODE "description" command...
expect_exit() {
	local want=$1 d=$2; shift 2
	"$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else not_ok "$d (exit $rc, wanted $want)"; sed 's/^/# /' "$SCRATCH/err" | head -5; fi
}
done_testing() { echo "1..$T_NUM"; [ "$T_FAIL" -eq 0 ]; }

# alpine_fixture DIR LOG: the signed Alpine-format repository of
# tests/fixtures/make-alpine-repo.sh in DIR; a copy of $KILN_ALPINE_FIXTURE
# when run-tests.sh made one for the whole run (it takes minutes). Returns the
# script's status (77: skipped, its reason in LOG).
alpine_fixture() {
	if [ -n "${KILN_ALPINE_FIXTURE:-}" ] && [ -d "$KILN_ALPINE_FIXTURE" ]; then
		cp -a "$KILN_ALPINE_FIXTURE" "$1" >"$2" 2>&1
		return
	fi
	KILN_BIN=$KILN "$TOP/tests/fixtures/make-alpine-repo.sh" "$1" >"$2" 2>&1
}
