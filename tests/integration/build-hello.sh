# build-hello.sh - with a warm cache, bookworm's hello rebuilt by kiln has exactly the bytes sbuild's rebuild has.
. "$(dirname "$0")/../tap.sh"
SBUILD_SHA=3833e140df6c4c6d1503a79981792d0525a7a510d42d5cd0bf71384f5e994164
CACHE=/var/cache/kiln
# warm: a root prepared for hello in the machine's cache (made by `make demo`)
if [ "$(id -u)" != 0 ] || ! grep -qs '"source": "hello"' "$CACHE"/roots/*.json; then
	echo "1..0 # skip no warm cache (run make demo once)"
	exit 0
fi
export KILN_HOME=$CACHE
expect_exit 0 "kiln build debian:bookworm hello with the warm cache" "$KILN" build -q --json debian:bookworm hello -o "$SCRATCH/out"
check "the cached root was reused" python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["root_cached"], j' "$SCRATCH/out"
sha=$(sha256sum <"$SCRATCH/out/hello_2.10-3_amd64.deb" | cut -d' ' -f1)
check "hello_2.10-3_amd64.deb is bit-identical to sbuild's rebuild ($sha)" test "$sha" = "$SBUILD_SHA"
done_testing
