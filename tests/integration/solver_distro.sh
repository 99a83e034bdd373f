# solver_distro.sh - resolve and check through a distro's verified indices
# (kiln update of a local signed archive): pool and source-index caches, and
# a base set the archive cannot provide.
. "$(dirname "$0")/../tap.sh"
A=$SCRATCH/archive
bash "$TOP/tests/fixtures/make-archive.sh" init "$A" || { not_ok "fixture archive"; done_testing; exit 1; }
export KILN_DISTROS_DIR=$A/defs
python3 "$TOP/tests/tools/httpd.py" --dir "$A" --port-file "$SCRATCH/port" &
CLEANUP="kill $! 2>/dev/null"
for _ in $(seq 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.05; done
M=http://127.0.0.1:$(cat "$SCRATCH/port")/debian
D=debian:kilntest
SOLV=$KILN_HOME/indices/debian_kilntest/solv

expect_exit 5 "resolve before any update says to run kiln update" "$KILN" resolve $D kilntest
check "the message names the command" grep -q 'run: kiln update debian:kilntest' "$SCRATCH/err"
expect_exit 0 "update the fixture archive" "$KILN" update --mirror "$M" $D
expect_exit 1 "a base set the archive lacks makes the source unbuildable" "$KILN" resolve $D kilntest
check "the reason names build-essential" grep -q "build-essential is needed by the distro's build-essential set, but debian:kilntest has no package named build-essential" "$SCRATCH/err"
check "the pool is cached as .solv with its side file" bash -c "ls '$SOLV'/*.solv '$SOLV'/*.solv.meta >/dev/null"
check "the source index is cached" bash -c "ls '$SOLV'/*.srcidx >/dev/null"
expect_exit 5 "an absent version lists the available ones" "$KILN" resolve $D kilntest=9
check "the versions are listed" grep -q 'available: 1.0 (kilntest)' "$SCRATCH/err"
expect_exit 1 "check --all through the distro" "$KILN" check $D --all
check "check counts the unbuildable source" grep -q '^1 sources: 0 buildable, 1 unbuildable' "$SCRATCH/out"
done_testing
