# cli.sh - the command line: help, version, exit codes, unknown things.
. "$(dirname "$0")/../tap.sh"
expect_exit 0 "kiln --version exits 0" "$KILN" --version
check "--version prints the version" grep -q '^kiln [0-9]' "$SCRATCH/out"
expect_exit 0 "kiln --help exits 0" "$KILN" --help
check "--help lists the exit codes" grep -q 'Exit status' "$SCRATCH/out"
expect_exit 2 "an unknown command is a usage error" "$KILN" frobnicate
expect_exit 2 "no command is a usage error" "$KILN"
expect_exit 0 "kiln distros --help exits 0" "$KILN" distros --help
expect_exit 0 "kiln distros lists definitions" "$KILN" distros
check "bookworm is a known distro" grep -qx 'debian:bookworm' "$SCRATCH/out"
check "sid is a known distro" grep -qx 'debian:sid' "$SCRATCH/out"
expect_exit 0 "kiln distros --json" "$KILN" distros --json
check "--json output is a JSON array" python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert "debian:trixie" in a' "$SCRATCH/out"
done_testing
