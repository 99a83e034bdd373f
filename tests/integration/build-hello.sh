# build-hello.sh - with a warm cache, bookworm's hello rebuilt by kiln has exactly
# the bytes sbuild built (the .buildinfo sbuild wrote, tests/fixtures/sbuild/),
# and the bytes an earlier kiln build from the same lock had (the first run on
# a machine, e.g. make demo, records them under $KILN_HOME/reference/).
. "$(dirname "$0")/../tap.sh"
CACHE=/var/cache/kiln
if [ "$(id -u)" != 0 ] || [ ! -d "$CACHE/roots" ]; then
	echo "1..0 # skip no warm cache (run make demo once)"
	exit 0
fi
export KILN_HOME=$CACHE
# warm: the root for hello's current lock is prepared (make demo does it)
"$KILN" -q build --json --cached-root debian:bookworm hello -o "$SCRATCH/o" >"$SCRATCH/out" 2>"$SCRATCH/err"
rc=$?
if [ "$rc" -eq 5 ] && grep -q "no prepared root" "$SCRATCH/err"; then
	echo "1..0 # skip no prepared root for hello's current lock (run make demo once)"
	exit 0
fi
if [ "$rc" -eq 0 ]; then ok "kiln build debian:bookworm hello with the warm cache"; else not_ok "kiln build debian:bookworm hello with the warm cache (exit $rc)"; sed 's/^/# /' "$SCRATCH/err" | tail -5; fi
check "the cached root was reused" python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["root_cached"], j' "$SCRATCH/out"
lock=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lock"]["sha256"])' "$SCRATCH"/o/*.kiln.json)
sha=$(sha256sum <"$SCRATCH/o/hello_2.10-3_amd64.deb" | cut -d' ' -f1)
ref=$CACHE/reference/hello-$lock.sha256
if [ -s "$ref" ]; then
	check "hello_2.10-3_amd64.deb is bit-identical to the earlier build from lock ${lock:0:12} ($sha)" test "$sha" = "$(cat "$ref")"
else
	mkdir -p "$CACHE/reference" && echo "$sha" > "$ref.tmp" && mv "$ref.tmp" "$ref"
	ok "first build from lock ${lock:0:12} recorded as the reference ($sha)"
fi
# sbuild --chroot-mode=unshare, bookworm, 2026-11-27 (tests/fixtures/sbuild/README.md)
for deb in hello_2.10-3_amd64.deb hello-dbgsym_2.10-3_amd64.deb; do
	want=$(awk -v f="$deb" '/^Checksums-Sha256:/{c=1;next} /^[^ ]/{c=0} c && $3==f {print $1}' \
		"$TOP/tests/fixtures/sbuild/hello_2.10-3_amd64.buildinfo")
	got=$(sha256sum <"$SCRATCH/o/$deb" | cut -d' ' -f1)
	check "$deb has the sha256 sbuild's .buildinfo lists (${want:0:12}...)" test -n "$want" -a "$got" = "$want"
done
done_testing
