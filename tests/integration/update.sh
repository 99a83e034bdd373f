# update.sh - kiln update / kiln source against a local signed archive served
# on 127.0.0.1, and every bad input the foundation issue lists.
. "$(dirname "$0")/../tap.sh"
A=$SCRATCH/archive
bash "$TOP/tests/fixtures/make-archive.sh" init "$A" || { not_ok "fixture archive"; done_testing; exit 1; }
export KILN_DISTROS_DIR=$A/defs
python3 "$TOP/tests/tools/httpd.py" --dir "$A" --port-file "$SCRATCH/port" &
HTTPD=$!
CLEANUP="kill $HTTPD 2>/dev/null"
for _ in $(seq 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.05; done
PORT=$(cat "$SCRATCH/port")
M=http://127.0.0.1:$PORT/debian
D=debian:kilntest
STATE=$KILN_HOME/indices/debian_kilntest/kilntest
SIGNED=InRelease
REL=$A/debian/dists/kilntest
resign() { bash "$TOP/tests/fixtures/make-archive.sh" release "$A" "$@"; }
blob() { echo "$KILN_HOME/blobs/sha256/${1:0:2}/$1"; }
# the state after a refused update: no Release kept under its real name
no_state() { [ ! -e "$STATE/Release" ] && [ ! -e "$STATE/InRelease" ] && [ ! -e "$STATE/indices" ]; }

expect_exit 0 "update verifies and caches a signed archive" "$KILN" update --mirror "$M" $D
check "the verified InRelease is kept" test -s "$STATE/InRelease"
check "the index manifest lists Packages and Sources" grep -q '^Sources main source' "$STATE/indices"
PKG_SHA=$(awk '$1=="Packages"{print $4}' "$STATE/indices")
check "the uncompressed Packages is a blob under its sha256" test -s "$(blob "$PKG_SHA")"
check "the blob's content hashes to its name" bash -c "[ \$(sha256sum '$(blob "$PKG_SHA")' | cut -d' ' -f1) = $PKG_SHA ]"

expect_exit 0 "a second update succeeds" "$KILN" --json update --mirror "$M" $D
check "a second update downloads no index" python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; assert r["indices_downloaded"]==0 and r["indices_cached"]==2, r' "$SCRATCH/out"

# kiln source
expect_exit 0 "source writes the verified files" "$KILN" source --mirror "$M" $D kilntest -o "$SCRATCH/src"
check "the .dsc is written" test -s "$SCRATCH/src/kilntest_1.0.dsc"
check "the tarball matches the archive's" cmp -s "$SCRATCH/src/kilntest_1.0.tar.xz" "$A/debian/pool/main/k/kilntest/kilntest_1.0.tar.xz"
expect_exit 0 "a .dsc signed by a trusted maintainer key is accepted" "$KILN" source --keyring "$A/keyring.gpg" --mirror "$M" $D kilntest -o "$SCRATCH/src2"
check "kiln says the maintainer signature is good" grep -q "good maintainer signature" "$SCRATCH/err"
expect_exit 3 "a .dsc whose signature does not verify is refused" "$KILN" source --keyring "$A/stranger.gpg" --mirror "$M" $D kilntest -o "$SCRATCH/src3"
check "the error names the .dsc" grep -q "kilntest_1.0.dsc: the maintainer signature does not verify" "$SCRATCH/err"
check "nothing is written after a bad .dsc signature" test ! -e "$SCRATCH/src3/kilntest_1.0.tar.xz"
expect_exit 5 "an unknown source package is not found" "$KILN" source --mirror "$M" $D nosuch -o "$SCRATCH/x"
check "the error names the package" grep -q "no source package 'nosuch'" "$SCRATCH/err"
expect_exit 5 "an absent version lists the available ones" "$KILN" source --mirror "$M" $D kilntest=9.9 -o "$SCRATCH/x"
check "the error lists version 1.0" grep -q "available: 1.0 (kilntest)" "$SCRATCH/err"
expect_exit 5 "an unknown distro is an error" "$KILN" update debian:nosuch
check "the error lists the known distros" grep -q "known distros: .*debian:kilntest" "$SCRATCH/err"

# a source tarball whose hash differs from the index
TAR=$A/debian/pool/main/k/kilntest/kilntest_1.0.tar.xz
cp "$TAR" "$SCRATCH/tar.orig"
printf 'X' | dd of="$TAR" bs=1 seek=100 conv=notrunc 2>/dev/null
TAR_SHA=$(awk '/tar.xz/{print $1}' "$REL/main/source/Sources")
rm -f "$(blob "$TAR_SHA")"
expect_exit 3 "a source tarball with a wrong hash is refused" "$KILN" source --mirror "$M" $D kilntest -o "$SCRATCH/bad"
check "the error names the tarball and the mismatch" grep -q "kilntest_1.0.tar.xz: sha256 mismatch" "$SCRATCH/err"
check "the bad tarball is not kept in the cache" test ! -e "$(blob "$TAR_SHA")"
check "nothing is written to the output directory" test ! -e "$SCRATCH/bad/kilntest_1.0.tar.xz"
cp "$SCRATCH/tar.orig" "$TAR"

# an unreachable mirror, and --offline using the cache
expect_exit 4 "an unreachable mirror is reported" "$KILN" update --mirror http://127.0.0.1:9/debian $D
check "the error says the mirror cannot be reached" grep -q "cannot reach mirror" "$SCRATCH/err"
expect_exit 0 "--offline uses the cache" "$KILN" update --offline --mirror http://127.0.0.1:9/debian $D

# the mirror from the environment and from a config file
rm -rf "$KILN_HOME/indices"
expect_exit 0 "KILN_MIRROR selects the mirror" env KILN_MIRROR="$M" "$KILN" update $D
rm -rf "$KILN_HOME/indices"
echo "debian = $M" > "$SCRATCH/mirrors.conf"
expect_exit 0 "a config file selects the mirror" "$KILN" update --config "$SCRATCH/mirrors.conf" $D
expect_exit 0 "KILN_CONFIG names the config file" env KILN_CONFIG="$SCRATCH/mirrors.conf" "$KILN" update $D

# from here on, each case starts from an empty cache
fresh() { rm -rf "$KILN_HOME"; }

fresh
cp "$REL/Release" "$SCRATCH/Release.good"
cp "$REL/InRelease" "$SCRATCH/InRelease.good"
sed -i 's/^Label: kiln-test/Label: kiln-tampered/' "$REL/InRelease"
expect_exit 3 "a tampered InRelease is refused" "$KILN" update --mirror "$M" $D
check "the error says the InRelease signature check failed" grep -q "InRelease: signature check failed" "$SCRATCH/err"
check "nothing is kept after a bad signature" no_state
# without InRelease, Release + Release.gpg are used (and checked)
fresh
rm "$REL/InRelease"
sed -i 's/^Label: kiln-test/Label: kiln-tampered/' "$REL/Release"
expect_exit 3 "a tampered Release (detached signature) is refused" "$KILN" update --mirror "$M" $D
check "the error says the Release signature check failed" grep -q "/Release: signature check failed" "$SCRATCH/err"
check "nothing is kept after a bad detached signature" no_state
fresh
cp "$SCRATCH/Release.good" "$REL/Release"
expect_exit 0 "Release + Release.gpg are used when there is no InRelease" "$KILN" update --mirror "$M" $D
check "the verified Release and its signature are kept" test -s "$STATE/Release" -a -s "$STATE/Release.gpg"
expect_exit 0 "the detached form verifies again from the cache" "$KILN" update --offline $D
cp "$SCRATCH/InRelease.good" "$REL/InRelease"

fresh
resign --key stranger
expect_exit 3 "a Release signed by an unknown key is refused" "$KILN" update --mirror "$M" $D
check "the error names the signature problem" grep -q "verifies with a trusted key" "$SCRATCH/err"
check "nothing is kept after an unknown key" no_state

fresh
resign --valid-until "Thu, 01 Jan 2026 00:00:00 UTC"
expect_exit 3 "an expired Release is refused" "$KILN" update --mirror "$M" $D
check "the error says it expired" grep -q "expired (Valid-Until 2026-01-01" "$SCRATCH/err"
check "nothing is kept after an expired Release" no_state

fresh
resign --date "Mon, 01 Jan 2035 00:00:00 UTC"
expect_exit 3 "a Release dated in the future is refused" "$KILN" update --mirror "$M" $D

fresh
resign --valid-until "Thu, 01 Jan 2026 00:00:00 UTC"
expect_exit 0 "--no-check-valid-until accepts an expired Release" "$KILN" update --no-check-valid-until --mirror "$M" $D
check "with a warning" grep -q "expired on 2026-01-01" "$SCRATCH/err"

# a newer, validly signed Release that is dated before the cached one: a rollback
fresh
resign
expect_exit 0 "update with a current Release" "$KILN" update --mirror "$M" $D
resign --date "Mon, 01 Jan 2024 00:00:00 UTC"
expect_exit 3 "an older Release than the cached one is refused" "$KILN" update --mirror "$M" $D
check "the error calls it a rollback" grep -q "rollback" "$SCRATCH/err"

# a Packages.xz whose content differs from what the Release says
fresh
resign
PXZ=$(awk '/main\/binary-amd64\/Packages.xz/{print $1}' "$REL/Release")
BH=$REL/main/binary-amd64/by-hash/SHA256/$PXZ
cp "$BH" "$SCRATCH/pxz"
xz -dc "$BH" | sed 's/Version: 1.0/Version: 6.6/' | xz > "$SCRATCH/evil.xz"
head -c "$(stat -c %s "$BH")" "$SCRATCH/evil.xz" > "$BH.tmp"; [ "$(stat -c %s "$BH.tmp")" -lt "$(stat -c %s "$BH")" ] && cat "$SCRATCH/evil.xz" > "$BH.tmp"
head -c "$(stat -c %s "$SCRATCH/pxz")" "$BH.tmp" > "$BH"
expect_exit 3 "a Packages file with a different hash is refused" "$KILN" update --mirror "$M" $D
check "the error names Packages.xz and the mismatch" grep -q "Packages.xz: sha256 mismatch" "$SCRATCH/err"
check "nothing is kept under the expected hash" test ! -e "$(blob "$PXZ")"
check "no manifest after a bad index" no_state

# a truncated download (the server sends less than the Release promises)
fresh
head -c 100 "$SCRATCH/pxz" > "$BH"
expect_exit 3 "a truncated download is refused" "$KILN" update --mirror "$M" $D
check "the error says truncated" grep -q "truncated download (100 of" "$SCRATCH/err"
check "nothing is kept after a truncated download" test ! -e "$(blob "$PXZ")"

# resuming: a partial file from an interrupted run is completed
cp "$SCRATCH/pxz" "$BH"
fresh
mkdir -p "$KILN_HOME/blobs/partial"
head -c 50 "$SCRATCH/pxz" > "$KILN_HOME/blobs/partial/$PXZ.part"
export HTTPD_LOG=$SCRATCH/httpd.log
expect_exit 0 "an interrupted download is resumed and verified" "$KILN" update --mirror "$M" $D

# two updates at once into one cache
fresh
"$KILN" -q update --mirror "$M" $D & p1=$!
"$KILN" -q update --mirror "$M" $D & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
check "two concurrent updates both succeed" test "$r1" = 0 -a "$r2" = 0
check "the concurrent updates leave a consistent manifest" grep -q '^Packages main amd64' "$STATE/indices"
done_testing
