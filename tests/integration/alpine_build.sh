# alpine_build.sh - APKBUILDs: kiln info (evaluation in the sandbox, hostile recipes), the sha512
# source cache, and kiln build alpine:v3.20 end to end against a signed fixture repository
# (twice, bit-identical; packages read back; a changed source and a bad index signature refused).
. "$(dirname "$0")/../tap.sh"
export KILN_DISTROS_DIR=$TOP/distros/defs
demo=$TOP/tests/fixtures/alpine-demo
upstream=$TOP/tests/fixtures/alpine-demo-upstream/kiln-hello-1.0.1

# ---- kiln info ----
expect_exit 0 "kiln info --json evaluates the demo APKBUILD" "$KILN" info --json "$demo"
check "every variable is there, lists split, secfixes by version" python3 - "$SCRATCH/out" "$demo" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["pkgname"] == "kiln-hello" and j["pkgver"] == "1.0" and j["pkgrel"] == "0", j
assert j["pkgdesc"] == "A tiny C program built by kiln from an APKBUILD"
assert j["arch"] == ["all"] and j["license"] == "MIT" and j["makedepends"] == ["build-base"]
assert j["subpackages"] == ["kiln-hello-doc"] and j["depends"] == [] and j["options"] == []
assert j["source"] == ["hello.c", "greeting.patch",
                       "kiln-hello.1::https://kiln.invalid/demo/kiln-hello-1.0.1"], j["source"]
assert j["sha512sums"][1::2] == ["hello.c", "greeting.patch", "kiln-hello.1"]
assert all(len(h) == 128 for h in j["sha512sums"][0::2])
assert j["functions"] == ["build", "check", "package"], j["functions"]
assert j["secfixes"] == {"1.0-r0": ["CVE-2026-0001"]}, j["secfixes"]
assert j["maintainer"] == "kiln demo <demo@kiln.invalid>"
assert j["builddir"] == "$startdir/src" and j["dir"] == sys.argv[2]
PY
expect_exit 0 "kiln info prints a text form" "$KILN" info "$demo"
check "with one variable per line" grep -qx 'pkgname          kiln-hello' "$SCRATCH/out"

hostile() { # name, APKBUILD body after pkgname/pkgver/pkgrel
	mkdir -p "$SCRATCH/$1"
	printf 'pkgname=x\npkgver=1.0\npkgrel=0\n%s\n' "$2" >"$SCRATCH/$1/APKBUILD"
}
hostile write 'echo owned >/etc/kiln-owned-by-apkbuild; echo owned >"$HOME/../../../var/tmp/kiln-owned"'
expect_exit 7 "an APKBUILD writing outside is stopped" "$KILN" info "$SCRATCH/write"
check "the error names the APKBUILD and the shell's reason" grep -q "$SCRATCH/write/APKBUILD: shell error (exit status 1):.*Read-only file system" "$SCRATCH/err"
check "nothing was written on the host" test ! -e /etc/kiln-owned-by-apkbuild -a ! -e /var/tmp/kiln-owned
hostile net 'wget -q -O /dev/null http://deb.debian.org/debian/ || nc -w 2 151.101.2.132 80 </dev/null'
expect_exit 7 "an APKBUILD reaching for the network fails" "$KILN" info "$SCRATCH/net"
check "with the shell's error" grep -q "$SCRATCH/net/APKBUILD: shell error" "$SCRATCH/err"
hostile loop 'while :; do :; done'
expect_exit 1 "an APKBUILD that never ends is stopped by the timeout" "$KILN" info --timeout 2 "$SCRATCH/loop"
check "the message says so" grep -q "$SCRATCH/loop/APKBUILD: evaluation timed out after 2 s" "$SCRATCH/err"
hostile chatty 'yes kiln'
expect_exit 7 "an APKBUILD printing without end is cut off" "$KILN" info "$SCRATCH/chatty"
check "the message names the limit" grep -q "printed more than 1048576 bytes" "$SCRATCH/err"
hostile keys "if cat $KILN_HOME/keys/* 2>/dev/null | grep -q PRIVATE; then pkgdesc=leaked; fi"
mkdir -p "$KILN_HOME/keys" && echo "-----BEGIN PRIVATE KEY-----" >"$KILN_HOME/keys/kiln-apk.rsa"
expect_exit 0 "an APKBUILD looking for kiln's keys" "$KILN" info --json "$SCRATCH/keys"
check "does not see them (kiln's home is hidden)" python3 -c "import json,sys; assert 'pkgdesc' not in json.load(open(sys.argv[1]))" "$SCRATCH/out"
mkdir -p "$SCRATCH/nover" && printf 'pkgname=x\npkgrel=0\n' >"$SCRATCH/nover/APKBUILD"
expect_exit 7 "a missing pkgver is an error" "$KILN" info "$SCRATCH/nover"
check "naming the file" grep -q "$SCRATCH/nover/APKBUILD: pkgver is not set" "$SCRATCH/err"
mkdir -p "$SCRATCH/badver" && printf 'pkgname=x\npkgver=1.0-beta\npkgrel=0\n' >"$SCRATCH/badver/APKBUILD"
expect_exit 7 "an invalid pkgver is an error" "$KILN" info "$SCRATCH/badver"
check "by apk's version rules" grep -q "pkgver '1.0-beta' is not a valid apk version" "$SCRATCH/err"
expect_exit 5 "a directory without an APKBUILD" "$KILN" info "$SCRATCH"

# ---- the source cache ----
expect_exit 0 "kiln source --add stores a file by its sha512" "$KILN" source --add "$upstream"
check "and prints it" grep -qx "$(sha512sum "$upstream" | cut -d' ' -f1)  $upstream" "$SCRATCH/out"
h=$(sha512sum "$upstream" | cut -d' ' -f1)
check "under sources/sha512/xx/<hex>" cmp -s "$upstream" "$KILN_HOME/sources/sha512/${h:0:2}/$h"

# ---- a signed fixture repository, and builds against it ----
repo=$SCRATCH/repo
alpine_fixture "$repo" "$SCRATCH/repo.log"
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "# skipping the builds: $(grep SKIP "$SCRATCH/repo.log")"
	ok "# SKIP the Debian packages for the fixture repository are neither cached nor downloadable"
	done_testing
	exit
fi
if [ "$rc" -ne 0 ]; then
	not_ok "the fixture repository (exit $rc)"; sed 's/^/# /' "$SCRATCH/repo.log" | tail -5
	done_testing; exit 1
fi
ok "the fixture repository"
keys=$repo/keys
key=$keys/kiln-fixture@kiln-00000001.rsa
common=(--mirror "file://$repo" --keyring "$keys")
expect_exit 0 "kiln update reads the fixture repository" "$KILN" update "${common[@]}" alpine:v3.20
expect_exit 0 "kiln resolve gives the demo's build environment" "$KILN" resolve "${common[@]}" alpine:v3.20 "$demo"
check "with build-base and the compiler" bash -c "grep -q '^build-base 1.0-r0 ' '$SCRATCH/out' && grep -q '^tcc ' '$SCRATCH/out'"

expect_exit 0 "kiln build alpine:v3.20 builds the demo" "$KILN" -q build "${common[@]}" --key "$key" alpine:v3.20 "$demo" -o "$SCRATCH/out1"
cat "$SCRATCH/err" | tail -5 | sed 's/^/# /'
expect_exit 0 "a second build" "$KILN" -q build "${common[@]}" --key "$key" alpine:v3.20 "$demo" -o "$SCRATCH/out2"
for p in kiln-hello-1.0-r0.apk kiln-hello-doc-1.0-r0.apk; do
	check "$p is built" test -s "$SCRATCH/out1/$p"
	check "$p is bit-identical twice" cmp -s "$SCRATCH/out1/$p" "$SCRATCH/out2/$p"
done
check "the log and the build record are there" test -s "$SCRATCH/out1/kiln-hello-1.0-r0_x86_64.build" -a -s "$SCRATCH/out1/kiln-hello-1.0-r0_x86_64.kiln.json"
check "the log shows abuild's steps in order" bash -c "grep -o '^kiln: step [a-z]*' '$SCRATCH/out1/kiln-hello-1.0-r0_x86_64.build' | tr '\n' ' ' | grep -qx 'kiln: step unpack kiln: step prepare kiln: step build kiln: step check kiln: step package kiln: step split '"
check "the record names the sources and outputs" python3 - "$SCRATCH/out1/kiln-hello-1.0-r0_x86_64.kiln.json" "$SCRATCH/out1" <<'PY'
import hashlib, json, sys
r = json.load(open(sys.argv[1]))
assert r["source"]["name"] == "kiln-hello" and r["source"]["version"] == "1.0-r0"
assert [f["name"] for f in r["source"]["files"]] == ["APKBUILD", "hello.c", "greeting.patch", "kiln-hello.1"]
outs = {o["name"]: o["sha256"] for o in r["outputs"]}
assert sorted(outs) == ["kiln-hello-1.0-r0.apk", "kiln-hello-doc-1.0-r0.apk"], outs
for n, h in outs.items():
    assert hashlib.sha256(open(sys.argv[2] + "/" + n, "rb").read()).hexdigest() == h
assert r["build"]["build_path"] == "/home/buildozer/aports/kiln-hello/src"
assert [p["name"] for p in r["lock"]["packages"]][-1] == "build-base"
assert all(p["checksum"].startswith("Q1") for p in r["lock"]["packages"])
assert r["build"]["network"] is False
PY
# independent checks: the signature over the control stream, datahash over the data stream
check "each package's signature verifies with openssl and its datahash matches" python3 - "$SCRATCH/out1" "$key.pub" <<'PY'
import hashlib, io, os, subprocess, sys, tarfile, tempfile, zlib
d, pub = sys.argv[1], sys.argv[2]
for n in ("kiln-hello-1.0-r0.apk", "kiln-hello-doc-1.0-r0.apk"):
    b = open(os.path.join(d, n), "rb").read()
    raw, rest = [], b
    while rest:
        z = zlib.decompressobj(31); z.decompress(rest); used = len(rest) - len(z.unused_data)
        raw.append(rest[:used]); rest = z.unused_data
    assert len(raw) == 3, (n, len(raw))
    sig = tarfile.open(fileobj=io.BytesIO(zlib.decompress(raw[0], 31) + b"\0" * 1024))
    m = sig.getmembers()[0]
    assert m.name == ".SIGN.RSA.kiln-fixture@kiln-00000001.rsa.pub", m.name
    with tempfile.TemporaryDirectory() as t:
        open(t + "/sig", "wb").write(sig.extractfile(m).read())
        open(t + "/ctl", "wb").write(raw[1])
        subprocess.run(["openssl", "dgst", "-sha1", "-verify", pub, "-signature", t + "/sig", t + "/ctl"],
                       check=True, stdout=subprocess.DEVNULL)
    ctl = tarfile.open(fileobj=io.BytesIO(zlib.decompress(raw[1], 31) + b"\0" * 1024))
    info = ctl.extractfile(".PKGINFO").read().decode()
    dh = [l.split(" = ")[1] for l in info.splitlines() if l.startswith("datahash = ")][0]
    assert hashlib.sha256(raw[2]).hexdigest() == dh, n
    data = tarfile.open(fileobj=io.BytesIO(zlib.decompress(raw[2], 31)))
    names = [x.name for x in data.getmembers()]
    if n.startswith("kiln-hello-doc"):
        assert "usr/share/man/man1/kiln-hello.1.gz" in names, names
        assert "install_if = docs kiln-hello=1.0-r0" in info and "arch = noarch" in info
    else:
        assert "usr/bin/kiln-hello" in names and not any("share/man" in x for x in names), names
        assert "pkgname = kiln-hello\n" in info and "origin = kiln-hello" in info
PY
mkdir -p "$SCRATCH/idx"
cp "$SCRATCH/out1/"*.apk "$SCRATCH/idx/"
expect_exit 0 "kiln reads the packages back (datahash checked) into a signed index" "$KILN" index "$SCRATCH/idx" --key "$key"
expect_exit 0 "and verifies that index" "$KILN" index --verify "$SCRATCH/idx/APKINDEX.tar.gz" --keys-dir "$keys"
check "listing both packages" grep -q ': 2 packages, signed by kiln-fixture@kiln-00000001.rsa.pub' "$SCRATCH/out"

# ---- bad input ----
cp -r "$demo" "$SCRATCH/changed"
echo "/* changed */" >>"$SCRATCH/changed/hello.c"
expect_exit 3 "a source whose sha512 differs stops the build" "$KILN" build "${common[@]}" --key "$key" alpine:v3.20 "$SCRATCH/changed" -o "$SCRATCH/out-changed"
check "the error names the file" grep -q "$SCRATCH/changed/APKBUILD: source hello.c: sha512 mismatch" "$SCRATCH/err"
check "nothing is left in -o" bash -c "[ ! -e '$SCRATCH/out-changed' ] || [ -z \"\$(ls -A '$SCRATCH/out-changed')\" ]"
cp -r "$demo" "$SCRATCH/failing"
sed -i 's|^check() {|check() {\n\techo "kiln-test: check fails on purpose"; false|' "$SCRATCH/failing/APKBUILD"
expect_exit 1 "a failing check() fails the build" "$KILN" build "${common[@]}" --key "$key" alpine:v3.20 "$SCRATCH/failing" -o "$SCRATCH/out-failing"
check "naming the step" grep -q "failed at step 'check'" "$SCRATCH/err"
check "only the log is left in -o, with the check's output" bash -c "[ \"\$(ls '$SCRATCH/out-failing')\" = kiln-hello-1.0-r0_x86_64.build ] && grep -q 'kiln-test: check fails on purpose' '$SCRATCH/out-failing/kiln-hello-1.0-r0_x86_64.build'"
expect_exit 0 "--nocheck skips check()" "$KILN" -q build "${common[@]}" --key "$key" --nocheck alpine:v3.20 "$SCRATCH/failing" -o "$SCRATCH/out-nocheck"
check "and says so in the log" grep -q "kiln: step check skipped (--nocheck)" "$SCRATCH/out-nocheck/kiln-hello-1.0-r0_x86_64.build"
cp -r "$repo" "$SCRATCH/badrepo"
openssl genrsa -out "$SCRATCH/other.rsa" 2048 2>/dev/null
cp "$SCRATCH/other.rsa" "$SCRATCH/kiln-fixture@kiln-00000001.rsa"
"$KILN" -q index "$SCRATCH/badrepo/v3.20/main/x86_64" --key "$SCRATCH/kiln-fixture@kiln-00000001.rsa" >/dev/null 2>&1
expect_exit 3 "an index signed by another key (same key name) is rejected" "$KILN" update --mirror "file://$SCRATCH/badrepo" --keyring "$keys" alpine:v3.20
check "with a clear error" grep -qi "signature" "$SCRATCH/err"
done_testing
