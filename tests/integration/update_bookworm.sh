# update_bookworm.sh - the real bookworm archive, served from a local copy of its
# dists/ files on 127.0.0.1: verified, then refused once altered. Needs a warm
# cache (the first `kiln update debian:bookworm` or `make demo` makes it).
. "$(dirname "$0")/../tap.sh"
REAL=${KILN_REAL_CACHE:-/var/cache/kiln}
S=$REAL/indices/debian_bookworm/bookworm
R=$S/InRelease
[ -f "$R" ] || R=$S/Release
pxz=$(awk '$3=="main/binary-amd64/Packages.xz"{print $1}' "$R" 2>/dev/null)
sxz=$(awk '$3=="main/source/Sources.xz"{print $1}' "$R" 2>/dev/null | tail -1)
pxz=$(echo "$pxz" | tail -1)
blob() { echo "$REAL/blobs/sha256/${1:0:2}/$1"; }
if [ -z "$pxz" ] || [ ! -s "$(blob "$pxz")" ] || [ ! -s "$(blob "$sxz")" ]; then
	echo "ok 1 - # SKIP no warm bookworm cache in $REAL (run: kiln update debian:bookworm)"
	echo "1..1"
	exit 0
fi
MD=$SCRATCH/mirror/debian/dists/bookworm
mkdir -p "$MD/main/binary-amd64/by-hash/SHA256" "$MD/main/source/by-hash/SHA256"
cp "$S"/*Release* "$MD/"
cp "$(blob "$pxz")" "$MD/main/binary-amd64/by-hash/SHA256/$pxz"
ln -s "$(blob "$sxz")" "$MD/main/source/by-hash/SHA256/$sxz"
python3 "$TOP/tests/tools/httpd.py" --dir "$SCRATCH/mirror" --port-file "$SCRATCH/port" &
CLEANUP="kill $! 2>/dev/null"
for _ in $(seq 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.05; done
M=http://127.0.0.1:$(cat "$SCRATCH/port")/debian

expect_exit 0 "bookworm verifies from a local copy of its dists/" "$KILN" update --mirror "$M" debian:bookworm
expect_exit 0 "a second run succeeds" "$KILN" --json update --mirror "$M" debian:bookworm
check "a second run downloads no index" grep -q '"indices_downloaded": 0' "$SCRATCH/out"

rm -rf "$KILN_HOME"
RF=$MD/$(basename "$R")
cp "$RF" "$SCRATCH/Release.good"
sed -i 's/^Label: Debian/Label: Debian (altered)/' "$RF"
expect_exit 3 "an altered bookworm Release is refused" "$KILN" update --mirror "$M" debian:bookworm
check "the error says the signature does not verify" grep -q "signature check failed" "$SCRATCH/err"
cp "$SCRATCH/Release.good" "$RF"

rm -rf "$KILN_HOME"
P=$MD/main/binary-amd64/by-hash/SHA256/$pxz
printf '\x00' | dd of="$P" bs=1 seek=4096 conv=notrunc 2>/dev/null
expect_exit 3 "an altered Packages.xz is refused" "$KILN" update --mirror "$M" debian:bookworm
check "the error names Packages.xz" grep -q "binary-amd64/Packages.xz: sha256 mismatch" "$SCRATCH/err"
check "no index is kept after the altered Packages.xz" test ! -e "$KILN_HOME/indices/debian_bookworm/bookworm/indices"
done_testing
