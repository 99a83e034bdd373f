# backport_alpine.sh - kiln backport into Alpine releases: an aports directory
# per release, the upstream tarball from the sha512 source cache, the
# APKBUILD's own patch applied first; each class of fix, the exact APKBUILD
# edits (source=, sha512sums, pkgrel, secfixes), the result read back by
# kiln info, the version order, the report and the OpenVEX document.
. "$(dirname "$0")/../tap.sh"
F=$SCRATCH/fx
bash "$TOP/tests/fixtures/make-alpine-backport.sh" "$F" >/dev/null 2>&1 || { not_ok "fixture"; done_testing; exit 1; }
export SOURCE_DATE_EPOCH=1767700000
A=$F/aports
P=$F/patches
json() { python3 -c "import json,sys; r=json.load(open('$SCRATCH/out')); $1" ; }

# the tarball is not in the cache yet: the error says how to add it
expect_exit 5 "a source missing from the cache is not found" "$KILN" backport --no-build alpine:v3.20 "$A" --patch "$P/clean.patch" -o "$SCRATCH/r0"
check "the error says to add it with kiln source --add" grep -q 'kiln source --add' "$SCRATCH/out"
check "nothing is written without the source" test ! -e "$SCRATCH/r0/v3.20/kbp"
expect_exit 0 "kiln source --add stores the tarballs" "$KILN" source --add "$F/kbp-1.0.tar.gz" "$F/kbp-1.1.tar.gz"

# clean: the CVE is taken from the patch's subject
expect_exit 0 "a clean fix is written" "$KILN" --json backport --no-build alpine:v3.20 "$A" --patch "$P/clean.patch" -o "$SCRATCH/r1"
check "classified applies-cleanly" json 't=r["targets"][0]; assert t["class"]=="applies-cleanly" and t["package"]=="kbp", t'
check "the version is pkgver-r(pkgrel+1)" json 't=r["targets"][0]; assert t["old_version"]=="1.0-r2" and t["new_version"]=="1.0-r3", t'
check "the files written are listed" json 'assert r["targets"][0]["files_written"]==["v3.20/kbp/CVE-2026-1001.patch","v3.20/kbp/APKBUILD"], r["targets"][0]["files_written"]'
check "the report says nothing was built, and why" json 'assert r["targets"][0]["binary_build"]=="not built (--no-build)"'
K=$SCRATCH/r1/v3.20/kbp
tsum=$(sha512sum "$F/kbp-1.0.tar.gz" | cut -d' ' -f1)
psum=$(sha512sum "$A/v3.20/fix-build.patch" | cut -d' ' -f1)
nsum=$(sha512sum "$K/CVE-2026-1001.patch" | cut -d' ' -f1)
cat > "$SCRATCH/want" <<W
# Contributor: K <k@example.org>
# Maintainer: K <k@example.org>
pkgname=kbp
pkgver=1.0
pkgrel=3
pkgdesc="a tiny parser for kiln's tests"
url="https://example.org/kbp"
arch="all"
license="MIT"
makedepends="build-base"
subpackages="\$pkgname-doc"
source="https://example.org/kbp-\$pkgver.tar.gz
	fix-build.patch
	CVE-2026-1001.patch
	"

# secfixes:
#   1.0-r3:
#     - CVE-2026-1001

build() {
	make
}

check() {
	./kbp | grep -qx '6 3'
}

# mkdir/cp: the fixture repository's busybox has no install applet
package() {
	mkdir -p "\$pkgdir"/usr/bin "\$pkgdir"/usr/share/man/man1
	cp kbp "\$pkgdir"/usr/bin/kbp
	cp kbp.1 "\$pkgdir"/usr/share/man/man1/kbp.1
}

sha512sums="
$tsum  kbp-1.0.tar.gz
$psum  fix-build.patch
$nsum  CVE-2026-1001.patch
"
W
check "the APKBUILD is edited exactly (source=, pkgrel, a new secfixes block, sha512sums)" diff -u "$SCRATCH/want" "$K/APKBUILD"
check "the aports dir itself is not touched" bash -c "grep -qx 'pkgrel=2' '$A/v3.20/APKBUILD' && test ! -e '$A/v3.20/CVE-2026-1001.patch'"
check "the APKBUILD's own patch is copied along" cmp "$A/v3.20/fix-build.patch" "$K/fix-build.patch"
expect_exit 0 "the edited APKBUILD evaluates (kiln info)" "$KILN" info --json "$K"
check "kiln info reads pkgrel, source=, sha512sums and secfixes back" python3 -c "
import json; i=json.load(open('$SCRATCH/out'))
assert i['pkgrel']=='3' and i['source'][-1]=='CVE-2026-1001.patch', i
s=json.dumps(i['secfixes']); assert '1.0-r3' in s and 'CVE-2026-1001' in s, s"
check "the DEP-3 header names the CVE and the upstream commit" bash -c "grep -qx 'Description: util: refuse a scale that overflows' '$K/CVE-2026-1001.patch' && grep -q 'Fixes CVE-2026-1001' '$K/CVE-2026-1001.patch' && grep -qx 'Origin: upstream, commit:0123456789abcdef0123456789abcdef01234567' '$K/CVE-2026-1001.patch'"
mkdir -p "$SCRATCH/x"
tar -xzf "$F/kbp-1.0.tar.gz" -C "$SCRATCH/x"
check "the APKBUILD's patches apply in source= order with patch -p1 --fuzz=0" bash -c "cd '$SCRATCH/x/kbp-1.0' && patch -s -p1 --fuzz=0 < '$K/fix-build.patch' && patch -s -p1 --fuzz=0 < '$K/CVE-2026-1001.patch'"
check "the source has the fix" grep -q 'x > INT_MAX / by' "$SCRATCH/x/kbp-1.0/src/util.c"
check "the work directory is removed after success" test ! -e "$SCRATCH/r1/v3.20/work"
V=$SCRATCH/r1/backport.openvex.json
check "OpenVEX: fixed for the new packages, with Alpine purls" python3 -c "
import json; d=json.load(open('$V'))
f=[p['@id'] for s in d['statements'] if s['status']=='fixed' for p in s['products']]
assert f==['pkg:apk/alpine/kbp@1.0-r3?arch=x86_64&distro=alpine-3.20','pkg:apk/alpine/kbp-doc@1.0-r3?arch=noarch&distro=alpine-3.20'], f"
check "OpenVEX: affected for the previous version, with the update to take" python3 -c "
import json; d=json.load(open('$V'))
a=[s for s in d['statements'] if s['status']=='affected']
assert a and a[0]['action_statement']=='Update to 1.0-r3 or later.' and a[0]['products'][0]['@id']=='pkg:apk/alpine/kbp@1.0-r2?arch=x86_64&distro=alpine-3.20', a"

# fuzz, into two releases: refreshed to fuzz 0; the older one is checked against the newer
expect_exit 0 "a fix needing fuzz is refreshed in both releases" "$KILN" --json backport --no-build alpine:v3.20,alpine:v3.21 "$A" --patch "$P/fuzz.patch" -o "$SCRATCH/r2"
check "classified applies-with-fuzz (fuzz 1) in both" json 'assert [t["class"] for t in r["targets"]]==["applies-with-fuzz"]*2 and r["targets"][0]["patches"][0]["hunks"][0]["fuzz"]==1, r'
check "the new versions" json 'assert [t["new_version"] for t in r["targets"]]==["1.0-r3","1.1-r1"], r'
check "the older release is checked below the newer one's aports version" json 'v=r["targets"][0]["version_check"]; assert v.startswith("checked below v3.21'"'"'s 1.1-r0"), v'
K2=$SCRATCH/r2/v3.20/kbp
check "the refreshed patch has the tree's context and line numbers" bash -c "grep -q '^@@ -10,6 +10,8 @@' '$K2/CVE-2026-1002.patch' && ! grep -q 'into the buffer given' '$K2/CVE-2026-1002.patch'"
rm -rf "$SCRATCH/x" && mkdir -p "$SCRATCH/x" && tar -xzf "$F/kbp-1.0.tar.gz" -C "$SCRATCH/x"
check "the refreshed patch applies with fuzz 0 after the APKBUILD's own" bash -c "cd '$SCRATCH/x/kbp-1.0' && patch -s -p1 --fuzz=0 < '$K2/fix-build.patch' && patch -s -p1 --fuzz=0 < '$K2/CVE-2026-1002.patch' && grep -q 'n > sizeof(buf)' src/parse.c"
check "the existing secfixes block gets the new version on top" bash -c "sed -n '/^# secfixes:/,/^\$/p' '$SCRATCH/r2/v3.21/kbp/APKBUILD' | diff -u - <(printf '# secfixes:\n#   1.1-r1:\n#     - CVE-2026-1002\n#   1.1-r0:\n#     - CVE-2025-0001\n\n')"
check "a one-line source= and sha512sums keep their layout" bash -c "grep -qx 'source=\"https://example.org/kbp-\$pkgver.tar.gz CVE-2026-1002.patch\"' '$SCRATCH/r2/v3.21/kbp/APKBUILD' && grep -qx 'sha512sums=\"$tsum  kbp-1.1.tar.gz' '$SCRATCH/r2/v3.21/kbp/APKBUILD' && grep -qx \"\$(sha512sum '$SCRATCH/r2/v3.21/kbp/CVE-2026-1002.patch' | cut -d' ' -f1)  CVE-2026-1002.patch\\\"\" '$SCRATCH/r2/v3.21/kbp/APKBUILD'"

# already applied: the same change as the APKBUILD's own patch
expect_exit 0 "a fix the APKBUILD already carries is already applied" "$KILN" --json backport --no-build alpine:v3.20 "$A" --patch "$P/same.patch" --cve CVE-2026-1003 -o "$SCRATCH/r3"
check "it names the source= patch with the same change" json 'p=r["targets"][0]["patches"][0]; assert p["class"]=="already-applied" and p["same_as"]=="fix-build.patch", p'
check "nothing is written" json 't=r["targets"][0]; assert t["new_version"] is None and t["files_written"]==[] and t["apkbuild"] is None, t'
check "OpenVEX: fixed in the current version" python3 -c "
import json; d=json.load(open('$SCRATCH/r3/backport.openvex.json'))
assert [s['status'] for s in d['statements']]==['fixed'] and d['statements'][0]['products'][0]['@id'].startswith('pkg:apk/alpine/kbp@1.0-r2?'), d"

# not applicable
expect_exit 0 "a fix for absent files is not applicable" "$KILN" --json backport --no-build alpine:v3.20 "$A" --patch "$P/absent.patch" --cve CVE-2026-1004 -o "$SCRATCH/r4"
check "classified not-applicable, naming the file" json 't=r["targets"][0]; assert t["class"]=="not-applicable" and "lib/gone.c" in t["summary"] and t["files_written"]==[], t'
check "OpenVEX: not_affected, code not present" python3 -c "
import json; d=json.load(open('$SCRATCH/r4/backport.openvex.json'))
assert [(s['status'],s['justification']) for s in d['statements']]==[('not_affected','vulnerable_code_not_present')], d"

# needs a manual backport: one release fails, the other still completes
expect_exit 1 "a hunk that matches nowhere needs a manual backport" "$KILN" --json backport --no-build alpine:v3.20 "$A" --patch "$P/manual.patch" --cve CVE-2026-1005 -o "$SCRATCH/r5"
check "classified needs-manual-backport, naming hunk, file and the differing line" json 't=r["targets"][0]; h=t["patches"][0]["hunks"][0]; assert t["class"]=="needs-manual-backport" and h["file"]=="src/parse.c" and "return (int)strlen(in);" in h["why"], t'
check "nothing is written, the patched tree is kept for the person" bash -c "test ! -e '$SCRATCH/r5/v3.20/kbp' && grep -q 'as Alpine builds it' '$SCRATCH/r5/v3.20/work/src/kbp-1.0/src/parse.c'"
check "the report says where the tree is" json 'assert any(n=="the unpacked source is in '"$SCRATCH"'/r5/v3.20/work/src/kbp-1.0" for n in r["targets"][0]["notes"]), r["targets"][0]["notes"]'
expect_exit 1 "one release failing does not stop the other (two fixes, two releases)" "$KILN" --json backport --no-build alpine:v3.20,alpine:v3.21 "$A" --patch "$P/clean.patch" --patch "$P/manual.patch" --cve CVE-2026-1001 -o "$SCRATCH/r6"
check "both releases are reported" json 'assert len(r["targets"])==2 and r["failed"]==2 and all(t["class"]=="needs-manual-backport" for t in r["targets"]), r'
check "a series stops at its first failing patch" json 'p=r["targets"][0]["patches"]; assert p[0]["class"]=="applies-cleanly" and p[1]["class"]=="needs-manual-backport" and "manual.patch" in r["targets"][0]["summary"], p'

# the version order: refused when not below the next release
expect_exit 1 "a version not below the next release's is refused" "$KILN" backport --no-build alpine:v3.20 "$A" --patch "$P/clean.patch" --next-version 1.0-r3 -o "$SCRATCH/r7"
check "the refusal explains the order" grep -q "refusing version 1.0-r3: it is not below the next release's version 1.0-r3" "$SCRATCH/out"
check "nothing is written after a refusal" test ! -e "$SCRATCH/r7/v3.20/kbp"
expect_exit 0 "a version below --next-version is accepted" "$KILN" backport --no-build alpine:v3.20 "$A" --patch "$P/clean.patch" --next-version 1.0-r10 -o "$SCRATCH/r8"

# --in-place edits the aports directory itself
cp -r "$A/v3.20" "$SCRATCH/inplace"
expect_exit 0 "--in-place edits the given directory" "$KILN" backport --no-build --in-place alpine:v3.20 "$SCRATCH/inplace" --patch "$P/clean.patch" -o "$SCRATCH/r9"
check "the edited APKBUILD and the patch are in the directory" bash -c "cmp '$K/APKBUILD' '$SCRATCH/inplace/APKBUILD' && cmp '$K/CVE-2026-1001.patch' '$SCRATCH/inplace/CVE-2026-1001.patch'"
expect_exit 0 "run again, the fix is already there" "$KILN" --json backport --no-build --in-place alpine:v3.20 "$SCRATCH/inplace" --patch "$P/clean.patch" -o "$SCRATCH/r10"
check "the second run says already applied (same as CVE-2026-1001.patch) and changes nothing" bash -c "python3 -c \"import json; r=json.load(open('$SCRATCH/out')); p=r['targets'][0]['patches'][0]; assert p['class']=='already-applied' and p['same_as']=='CVE-2026-1001.patch', p\" && cmp '$K/APKBUILD' '$SCRATCH/inplace/APKBUILD'"

# a queue file: two fixes, replayed into both releases as one new version each
cat > "$F/kbp.queue" <<Q
Source: kbp
Aports: aports
Targets: alpine:v3.20, alpine:v3.21

CVE: CVE-2026-1001
Patches: patches/clean.patch

CVE: CVE-2026-1002
Patches: patches/fuzz.patch
Q
expect_exit 0 "a queue replays its fixes into its Alpine targets" "$KILN" --json backport --no-build --queue "$F/kbp.queue" -o "$SCRATCH/rq"
check "each fix is classified in order" json 'assert [[f["class"] for f in t["fixes"]] for t in r["targets"]]==[["applies-cleanly","applies-with-fuzz"]]*2, r'
check "one new version per release" json 'assert [t["new_version"] for t in r["targets"]]==["1.0-r3","1.1-r1"], r'
check "both patches in source= order, one secfixes entry with both ids" bash -c "grep -A4 '^source=' '$SCRATCH/rq/v3.20/kbp/APKBUILD' | sed -n 3,4p | diff -u - <(printf '\tCVE-2026-1001.patch\n\tCVE-2026-1002.patch\n') && sed -n '/^# secfixes:/,/^\$/p' '$SCRATCH/rq/v3.20/kbp/APKBUILD' | diff -u - <(printf '# secfixes:\n#   1.0-r3:\n#     - CVE-2026-1001\n#     - CVE-2026-1002\n\n')"
check "the second patch is relative to the first" bash -c "rm -rf '$SCRATCH/xq' && mkdir -p '$SCRATCH/xq' && tar -xzf '$F/kbp-1.0.tar.gz' -C '$SCRATCH/xq' && cd '$SCRATCH/xq/kbp-1.0' && for p in fix-build CVE-2026-1001 CVE-2026-1002; do patch -s -p1 --fuzz=0 < '$SCRATCH/rq/v3.20/kbp/'\$p.patch || exit 1; done"

# one command for Debian and Alpine targets: SRC is the package name, --aports the directory
expect_exit 0 "--aports names the aports directory when SRC is a package name" "$KILN" --json backport --no-build alpine:v3.20 kbp --aports "$A" --patch "$P/clean.patch" -o "$SCRATCH/ra"
check "the same result as with the directory as SRC" cmp "$K/APKBUILD" "$SCRATCH/ra/v3.20/kbp/APKBUILD"

# the build step: the Alpine builder against a signed fixture repository
expect_exit 5 "without --no-build, a build without the release's indices fails (not found)" "$KILN" --json backport alpine:v3.20 "$A" --patch "$P/clean.patch" -o "$SCRATCH/rb0"
check "the report gives the build failure, the edited APKBUILD stays" json 't=r["targets"][0]; assert t["binary_build"].startswith("failed: ") and "kiln update alpine:v3.20" in t["binary_build"] and t["apkbuild"] and not t["ok"], t'
check "no fixed statement without packages" python3 -c "
import json; d=json.load(open('$SCRATCH/rb0/backport.openvex.json'))
assert not any(s['status']=='fixed' for s in d['statements']), d"
repo=$SCRATCH/repo
alpine_fixture "$repo" "$SCRATCH/repo.log"
rc=$?
if [ "$rc" -eq 77 ]; then
	ok "# SKIP the build: the Debian packages for the fixture repository are neither cached nor downloadable"
elif [ "$rc" -ne 0 ]; then
	not_ok "the fixture repository (exit $rc)"; sed 's/^/# /' "$SCRATCH/repo.log" | tail -5
else
	keys=$repo/keys
	common=(--mirror "file://$repo" --keys-dir "$keys" --key "$keys/kiln-fixture@kiln-00000001.rsa")
	expect_exit 0 "kiln update reads the fixture repository" "$KILN" update --mirror "file://$repo" --keyring "$keys" alpine:v3.20
	expect_exit 0 "the fix is built with the Alpine builder" "$KILN" --json backport "${common[@]}" alpine:v3.20 "$A" --patch "$P/clean.patch" -o "$SCRATCH/rb"
	check "the report says built and tested" json 't=r["targets"][0]; assert t["binary_build"].startswith("ok: ") and t["tests"]=="passed" and t["ok"], t'
	B=$SCRATCH/rb/v3.20/binaries
	check "the packages carry the new version" test -s "$B/kbp-1.0-r3.apk" -a -s "$B/kbp-doc-1.0-r3.apk"
	check "the packages are listed as written" json 'w=r["targets"][0]["files_written"]; assert "v3.20/binaries/kbp-1.0-r3.apk" in w and "v3.20/binaries/kbp-doc-1.0-r3.apk" in w, w'
	check "the build record names the patched recipe's sources" python3 -c "
import json; r=json.load(open('$B/kbp-1.0-r3_x86_64.kiln.json'))
assert r['source']['version']=='1.0-r3', r['source']
assert [f['name'] for f in r['source']['files']]==['APKBUILD','kbp-1.0.tar.gz','fix-build.patch','CVE-2026-1001.patch'], r['source']['files']"
	check "OpenVEX: fixed for the built packages" python3 -c "
import json; d=json.load(open('$SCRATCH/rb/backport.openvex.json'))
f=[p['@id'] for s in d['statements'] if s['status']=='fixed' for p in s['products']]
assert 'pkg:apk/alpine/kbp@1.0-r3?arch=x86_64&distro=alpine-3.20' in f, f"
fi

# input errors
expect_exit 5 "a release without an aports dir is not found" "$KILN" backport --no-build alpine:v3.22 "$A" --patch "$P/clean.patch" -o "$SCRATCH/r11"
check "the error names the places looked at" grep -q "$A/v3.22/APKBUILD" "$SCRATCH/out"
cp -r "$A/v3.20" "$SCRATCH/computed"
sed -i 's/^pkgrel=2$/pkgrel=$((1 + 1))/' "$SCRATCH/computed/APKBUILD"
expect_exit 7 "a computed pkgrel is not edited" "$KILN" backport --no-build alpine:v3.20 "$SCRATCH/computed" --patch "$P/clean.patch" -o "$SCRATCH/r12"
check "the error names the file, line and reason" grep -qF "computed/APKBUILD:5: pkgrel='\$((1 + 1))' is not a plain number" "$SCRATCH/out"
check "nothing is left behind" bash -c "test ! -e '$SCRATCH/r12/v3.20/kbp' && test ! -e '$SCRATCH/r12/v3.20/.kbp.new'"
done_testing
