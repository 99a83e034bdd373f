# backport.sh - kiln backport against a local signed archive with three suites:
# classification per suite, refreshed patch, series, changelog, version
# policy (and its refusal), the new source package, the report and OpenVEX.
. "$(dirname "$0")/../tap.sh"
A=$SCRATCH/archive
bash "$TOP/tests/fixtures/make-backport-archive.sh" "$A" >/dev/null 2>&1 || { not_ok "fixture archive"; done_testing; exit 1; }
export KILN_DISTROS_DIR=$A/defs
python3 "$TOP/tests/tools/httpd.py" --dir "$A" --port-file "$SCRATCH/port" &
HTTPD=$!
CLEANUP="kill $HTTPD 2>/dev/null"
for _ in $(seq 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.05; done
export KILN_MIRROR=http://127.0.0.1:$(cat "$SCRATCH/port")/debian
export SOURCE_DATE_EPOCH=1767700000 DEBFULLNAME="Kiln Tester" DEBEMAIL=tester@kiln.invalid
P=$A/patches
O=$SCRATCH/res
json() { python3 -c "import json,sys; r=json.load(open('$SCRATCH/out')); $1" ; }

for s in kilnold kilnstable kilnnext; do
	expect_exit 0 "update $s" "$KILN" update debian:$s
done

# one fix, two suites: it applies (with an offset) in one and not in the other
expect_exit 1 "a suite that fails makes the exit status 1" \
	"$KILN" --json backport --no-binaries debian:kilnold,debian:kilnstable kbp --patch "$P/fix.patch" --cve CVE-2026-0001 --bug-debian https://bugs.debian.org/1099999 -o "$O"
check "both suites are reported" json 'assert len(r["targets"])==2 and r["succeeded"]==1 and r["failed"]==1'
check "the old suite needs a manual backport" json 't=r["targets"][0]; assert t["class"]=="needs-manual-backport" and t["new_version"] is None, t'
check "the failing hunk is named with its file and reason" json 'h=r["targets"][0]["patches"][0]["hunks"][0]; assert h["file"]=="src/parse.c" and not h["applied"] and "differs" in h["why"], h'
check "the stable suite applies with an offset" json 't=r["targets"][1]; assert t["class"]=="applies-with-offset" and t["patches"][0]["hunks"][0]["offset"]==3, t'
check "the new version follows the suite's convention" json 'assert r["targets"][1]["new_version"]=="1.0-1+deb11u1"'
check "the version is checked against the next suite" json 'assert "kilnnext" in r["targets"][1]["version_check"] and "1.1-1" in r["targets"][1]["version_check"], r["targets"][1]["version_check"]'
check "the source package was built" json 'assert r["targets"][1]["source_build"]=="ok"'
check "the report says the binaries were not built, and why" json 'assert r["targets"][1]["binary_build"]=="not built (--no-binaries)"'
S=$O/kilnstable
check "the new .dsc is written" test -s "$S/kbp_1.0-1+deb11u1.dsc"
check "the debian tarball is written" test -s "$S/kbp_1.0-1+deb11u1.debian.tar.xz"
check "nothing is written for the failing suite" test ! -e "$O/kilnold/kbp_0.9-1+deb10u1.dsc"
check "the failing suite keeps its unpacked source for a manual backport" test -f "$O/kilnold/work/tree/src/parse.c"
check "the report says where the unpacked source is" json 'assert any("kilnold/work/tree" in n for n in r["targets"][0]["notes"])'
check "a suite that succeeded does not keep its work directory" test ! -e "$O/kilnstable/work"
mkdir -p "$SCRATCH/x"
check "the new source package unpacks with its series applied (fuzz 0)" bash -c "cd '$SCRATCH/x' && dpkg-source -x '$S/kbp_1.0-1+deb11u1.dsc' kbp >/dev/null 2>&1"
check "the unpacked source has the fix" grep -q 'if (n > sizeof(buf))' "$SCRATCH/x/kbp/src/parse.c"
check "the patch is last in the series" bash -c "[ \"\$(tail -1 '$SCRATCH/x/kbp/debian/patches/series')\" = CVE-2026-0001.patch ]"
PATCH=$SCRATCH/x/kbp/debian/patches/CVE-2026-0001.patch
check "the DEP-3 description is the upstream subject" grep -qx 'Description: parse: bound the copy to the buffer' "$PATCH"
check "the DEP-3 header names the CVE" grep -q 'Fixes CVE-2026-0001' "$PATCH"
check "the DEP-3 header has the origin commit" grep -qx 'Origin: upstream, commit:0123456789abcdef0123456789abcdef01234567' "$PATCH"
check "the DEP-3 header has Bug-Debian" grep -qx 'Bug-Debian: https://bugs.debian.org/1099999' "$PATCH"
check "the DEP-3 header says Forwarded: not-needed" grep -qx 'Forwarded: not-needed' "$PATCH"
check "the DEP-3 header has Last-Update from SOURCE_DATE_EPOCH" grep -qx 'Last-Update: 2026-01-06' "$PATCH"
check "the refreshed hunk has the tree's line numbers" grep -q '^@@ -8,6 +8,8 @@' "$PATCH"
CL=$SCRATCH/x/kbp/debian/changelog
check "the changelog title names the security suite and urgency=high" grep -qx 'kbp (1.0-1+deb11u1) kilnstable-security; urgency=high' "$CL"
check "the changelog line names the CVE and closes the bug" grep -qx '  \* Fix CVE-2026-0001: parse: bound the copy to the buffer (Closes: #1099999)' "$CL"
check "the changelog trailer has the maintainer and date" grep -qx ' -- Kiln Tester <tester@kiln.invalid>  Tue, 06 Jan 2026 11:46:40 +0000' "$CL"
check "the old entry follows" bash -c "sed -n 7p '$CL' | grep -q '^kbp (1.0-1) kilnstable'"
V=$O/backport.openvex.json
check "the OpenVEX document is written" test -s "$V"
check "OpenVEX: fixed for the new binaries" python3 -c "
import json; d=json.load(open('$V'))
assert d['@context']=='https://openvex.dev/ns/v0.2.0'
f=[s for s in d['statements'] if s['status']=='fixed']
ids=[p['@id'] for s in f for p in s['products']]
assert 'pkg:deb/debian/kbp@1.0-1%2Bdeb11u1?arch=amd64&distro=debian-11' in ids, ids
assert 'pkg:deb/debian/kbp-doc@1.0-1%2Bdeb11u1?arch=all&distro=debian-11' in ids, ids"
check "OpenVEX: affected for the previous version, with the update to take" python3 -c "
import json; d=json.load(open('$V'))
a=[s for s in d['statements'] if s['status']=='affected' and 'Update to 1.0-1+deb11u1' in s.get('action_statement','')]
assert any(p['@id']=='pkg:deb/debian/kbp@1.0-1?arch=amd64&distro=debian-11' for s in a for p in s['products'])"
check "OpenVEX: the old suite stays affected" python3 -c "
import json; d=json.load(open('$V'))
assert any(s['status']=='affected' and any('distro=debian-10' in p['@id'] for p in s['products']) for s in d['statements'])"

# the text report
expect_exit 0 "one suite that applies exits 0" "$KILN" backport --no-binaries debian:kilnstable kbp --patch "$P/fix.patch" --cve CVE-2026-0001 -o "$SCRATCH/res2"
check "the text report gives class, version and files" bash -c "grep -q 'applies with an offset' '$SCRATCH/out' && grep -q -- '-> 1.0-1+deb11u1' '$SCRATCH/out' && grep -q 'wrote kilnstable/kbp_1.0-1+deb11u1.dsc' '$SCRATCH/out' && grep -q '1 of 1 suites succeeded' '$SCRATCH/out'"

# already there
expect_exit 0 "a fix that is upstream in the next suite is already applied there" "$KILN" --json backport --no-binaries debian:kilnnext kbp --patch "$P/fix.patch" --cve CVE-2026-0001 -o "$SCRATCH/res3"
check "classified already-applied, nothing changed" json 't=r["targets"][0]; assert t["class"]=="already-applied" and t["new_version"] is None and t["files_written"]==[], t'
expect_exit 0 "a change debian/patches already carries is already applied" "$KILN" --json backport --no-binaries debian:kilnstable kbp --patch "$P/existing.patch" --cve CVE-2026-0002 -o "$SCRATCH/res4"
check "it says which debian/patches file has it" json 'p=r["targets"][0]["patches"][0]; assert p["class"]=="already-applied" and p["same_as"]=="debian/patches/readme-wording.patch", p'

# not applicable
expect_exit 0 "a patch for absent files is not applicable (nothing to do)" "$KILN" --json backport --no-binaries debian:kilnstable kbp --patch "$P/absent.patch" --cve CVE-2026-0003 -o "$SCRATCH/res5"
check "classified not-applicable naming the file" json 't=r["targets"][0]; assert t["class"]=="not-applicable" and "lib/gone.c" in t["summary"], t'
check "OpenVEX says not_affected, code not present" python3 -c "
import json; d=json.load(open('$SCRATCH/res5/backport.openvex.json'))
assert all(s['status']=='not_affected' and s['justification']=='vulnerable_code_not_present' for s in d['statements']) and d['statements']"

# CRLF file, LF patch
expect_exit 0 "an LF patch for a CRLF file applies ignoring line endings" "$KILN" --json backport --no-binaries debian:kilnstable kbp --patch "$P/crlf.patch" --cve CVE-2026-0004 -o "$SCRATCH/res6"
check "classified applies-ignoring-line-endings" json 'assert r["targets"][0]["class"]=="applies-ignoring-line-endings"'
check "the stored patch keeps the file's CRLF endings" bash -c "grep -q \$'^+\treturn 1;\r\$' '$SCRATCH/res6/kilnstable/CVE-2026-0004.patch'"

# the version order refusal, with a made-up next-suite version
expect_exit 1 "a version not below the next suite's is refused" "$KILN" backport --no-binaries debian:kilnstable kbp --patch "$P/fix.patch" --cve CVE-2026-0001 --next-version 1.0-1+deb11u1 -o "$SCRATCH/res7"
check "the refusal explains the order" grep -q 'refusing version 1.0-1+deb11u1: it is not below the next suite.s version 1.0-1+deb11u1' "$SCRATCH/out"
check "nothing is built after a refusal" test ! -e "$SCRATCH/res7/kilnstable/kbp_1.0-1+deb11u1.dsc"

# the binaries: the fixture archive has no debhelper, so the build environment
# cannot be resolved; the suite fails and says so, the source package stays
expect_exit 1 "a binary build that cannot be done fails the suite" "$KILN" --json backport debian:kilnstable kbp --patch "$P/fix.patch" --cve CVE-2026-0001 -o "$SCRATCH/resb"
check "the report gives the binary build failure" json 't=r["targets"][0]; assert t["binary_build"].startswith("failed: ") and t["source_build"]=="ok" and not t["ok"], t'
check "the new source package is kept" test -s "$SCRATCH/resb/kilnstable/kbp_1.0-1+deb11u1.dsc"
check "no fixed statement without binaries" python3 -c "
import json; d=json.load(open('$SCRATCH/resb/backport.openvex.json'))
assert not any(s['status']=='fixed' for s in d['statements']), d"

# usage and input errors
expect_exit 2 "--patch is required" "$KILN" backport --no-binaries debian:kilnstable kbp --cve CVE-2026-0001
expect_exit 2 "a malformed CVE id is a usage error" "$KILN" backport --no-binaries debian:kilnstable kbp --patch "$P/fix.patch" --cve CVE-26-1
printf 'not a diff\n' > "$SCRATCH/bad.patch"
expect_exit 7 "a file without a diff is malformed input" "$KILN" backport --no-binaries debian:kilnstable kbp --patch "$SCRATCH/bad.patch" --cve CVE-2026-0001
check "the error names the patch" grep -q 'bad.patch: no unified diff' "$SCRATCH/err"
expect_exit 5 "an unknown source package is not found" "$KILN" backport --no-binaries debian:kilnstable nosuch --patch "$P/fix.patch" --cve CVE-2026-0001 -o "$SCRATCH/res8"
expect_exit 2 "no maintainer is a usage error" env -u DEBEMAIL -u EMAIL "$KILN" backport --no-binaries debian:kilnstable kbp --patch "$P/fix.patch" --cve CVE-2026-0001 -o "$SCRATCH/res9"
check "the error says how to name the maintainer" grep -q 'DEBEMAIL' "$SCRATCH/out"

# a queue file: several fixes, replayed per target
expect_exit 1 "a queue replays into its targets (one needs a manual backport)" "$KILN" --json backport --no-binaries --queue "$P/kbp.queue" -o "$SCRATCH/resq"
check "the queue's targets are used" json 'assert [t["distro"] for t in r["targets"]]==["debian:kilnold","debian:kilnstable"]'
check "the old suite names the fix that fails, and nothing is written" json 't=r["targets"][0]; assert t["class"]=="needs-manual-backport" and t["summary"].startswith("fix 1 of 3") and t["files_written"]==[], t'
check "each fix is classified in order" json 'f=r["targets"][1]["fixes"]; assert [x["class"] for x in f]==["applies-with-offset","already-applied","applies-ignoring-line-endings"], f'
check "one new version for all fixes" json 'assert r["targets"][1]["new_version"]=="1.0-1+deb11u1"'
Q=$SCRATCH/q
mkdir -p "$Q"
check "the queued source package unpacks" bash -c "cd '$Q' && dpkg-source -x '$SCRATCH/resq/kilnstable/kbp_1.0-1+deb11u1.dsc' kbp >/dev/null 2>&1"
check "one patch per applied fix, in queue order" bash -c "[ \"\$(tail -2 '$Q/kbp/debian/patches/series' | tr '\n' ' ')\" = 'CVE-2026-0001.patch CVE-2026-0004.patch ' ]"
check "one changelog line per applied fix" bash -c "sed -n 3,4p '$Q/kbp/debian/changelog' | grep -c '^  \* Fix CVE-2026-000[14]: ' | grep -qx 2"
check "the queue's summary is used" grep -qx '  \* Fix CVE-2026-0001: parse() overflows its buffer (Closes: #1099999)' "$Q/kbp/debian/changelog"
check "the second patch is relative to the first" bash -c "grep -q '^+.return 1;' '$Q/kbp/debian/patches/CVE-2026-0004.patch' && ! grep -q 'sizeof(buf)' '$Q/kbp/debian/patches/CVE-2026-0004.patch'"
expect_exit 0 "DISTRO narrows the queue's targets" "$KILN" --json backport --no-binaries --queue "$P/kbp.queue" debian:kilnstable -o "$SCRATCH/resq2"
printf 'Source: kbp\n\nCVE: CVE-2026-0001\n' > "$SCRATCH/bad.queue"
expect_exit 7 "a fix without Patches is malformed" "$KILN" backport --no-binaries --queue "$SCRATCH/bad.queue" debian:kilnstable
check "the error names the queue file and line" grep -q 'bad.queue:3: a fix needs CVE: and Patches:' "$SCRATCH/err"
done_testing
