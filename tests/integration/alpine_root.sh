# alpine_root.sh - an Alpine build root end to end: the fixture repository made from Debian packages,
# kiln update from a file:// mirror, apk_resolve of build-base, apkroot_prepare, and a C program
# compiled and run in that root with kiln sandbox; then packages that must be refused.
. "$(dirname "$0")/../tap.sh"

# ---- the repository (tests/fixtures/make-alpine-repo.sh) ----
repo=$SCRATCH/alpine
KILN_BIN=$KILN "$TOP/tests/fixtures/make-alpine-repo.sh" "$repo" >"$SCRATCH/mkrepo.log" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "1..0 # SKIP $(grep SKIP "$SCRATCH/mkrepo.log" | tail -1)"
	exit 0
fi
if [ "$rc" -ne 0 ]; then
	not_ok "make-alpine-repo.sh (exit $rc)"; sed 's/^/# /' "$SCRATCH/mkrepo.log"; done_testing; exit 1
fi
ok "make-alpine-repo.sh made the repository"
keys=$repo/keys
main=$repo/v3.20/main/x86_64
check "seven packages" test "$(ls "$main"/*.apk | wc -l)" -eq 7
expect_exit 0 "its index verifies with kiln index --verify" "$KILN" index --verify "$main/APKINDEX.tar.gz" --keys-dir "$keys" --json
check "tcc depends on so:libc.so.6 and libc6 provides it" python3 - "$SCRATCH/out" <<'PY'
import json, sys
p = {x["name"]: x for x in json.load(open(sys.argv[1]))["packages"]}
assert "so:libc.so.6" in p["tcc"]["depends"], p["tcc"]
assert any(x.startswith("so:libc.so.6=") for x in p["libc6"]["provides"]), p["libc6"]
assert "/bin/sh" in p["busybox"]["provides"] and "cmd:sh=1.35.0-r0" in p["busybox"]["provides"]
assert p["build-base"]["depends"] == ["busybox", "tcc", "libc6-dev", "make"], p["build-base"]
PY
# ---- the driver for apk_resolve and apkroot_prepare ----
BUILDDIR=$TOP/${KILN_BUILD:-build}
SAN=
case ${KILN_BUILD:-build} in *asan*) SAN="-fsanitize=address,undefined" ;; esac
# shellcheck disable=SC2046,SC2086
if ! cc -std=gnu11 -D_GNU_SOURCE -I"$TOP" $SAN -o "$SCRATCH/try" "$TOP/tests/integration/apkroot_try.c" \
	"$BUILDDIR/libkiln.a" $(pkg-config --libs libsolv libsolvext libarchive libcrypto zlib libzstd \
	libseccomp libcurl jansson sqlite3) -lpthread 2>"$SCRATCH/cc.err"; then
	not_ok "building apkroot_try"; sed 's/^/# /' "$SCRATCH/cc.err"; done_testing; exit 1
fi
TRY=$SCRATCH/try

# ---- update, resolve, prepare ----
expect_exit 0 "kiln update alpine:v3.20 from the file:// mirror" "$KILN" update alpine:v3.20 --mirror "file://$repo" --keyring "$keys"
export KILN_MIRROR=file://$repo KILN_KEYS=$keys
expect_exit 0 "apk_resolve of build-base" "$TRY" resolve alpine:v3.20 "$SCRATCH/bb.lock" build-base
check "the lock lists the toolchain in install order" python3 - "$SCRATCH/bb.lock" "file://$repo" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[:5] == ["kiln-lock 1", "Distro: alpine:v3.20", "Source: try 1.0-r0", "Arch: x86_64", "Packages: 7"], lines[:5]
assert lines[6] == "mirror " + sys.argv[2], lines[6]
pk = [l.split() for l in lines[7:] if l]
names = [p[0] for p in pk]
assert sorted(names) == ["build-base", "busybox", "libc6", "libc6-dev", "linux-libc-dev", "make", "tcc"], names
i = names.index
assert i("libc6") < i("tcc") and i("libc6") < i("libc6-dev") < i("tcc") < i("build-base"), names
for p in pk:
    assert len(p) == 7 and p[3] == "-" and p[6].startswith("C:Q1"), p
    assert p[5] == "v3.20/main/x86_64/%s-%s.apk" % (p[0], p[1]), p
PY
expect_exit 0 "apkroot_prepare makes the root" "$TRY" prepare "$SCRATCH/bb.lock" "$keys"
read -r ROOT how <"$SCRATCH/out"
check "a new root under roots/" bash -c "[ '$how' = new ] && [ -d '$ROOT' ] && [ \"\$(dirname '$ROOT')\" = '$KILN_HOME/roots' ]"
check "kiln cache list sees it" bash -c "'$KILN' cache list | grep -q \"\$(basename '$ROOT')\""
check "lib/apk/db/installed lists the seven packages" test "$(grep -c '^P:' "$ROOT/lib/apk/db/installed")" -eq 7
expect_exit 0 "the installed database reads back" "$TRY" installed "$ROOT"
check "with every file of tcc" grep -qx 'tcc 0.9.27_git20200814-r0 9 dirs 18 files' "$SCRATCH/out"
check "Z: is the sha1 of the file (usr/bin/tcc)" python3 - "$ROOT" <<'PY'
import base64, hashlib, sys
root = sys.argv[1]
db = open(root + "/lib/apk/db/installed").read().split("\n")
d = None
for i, l in enumerate(db):
    if l.startswith("F:"): d = l[2:]
    if l == "R:tcc" and d == "usr/bin":
        z = [x for x in db[i + 1:i + 3] if x.startswith("Z:")][0][2:]
        want = "Q1" + base64.b64encode(hashlib.sha1(open(root + "/usr/bin/tcc", "rb").read()).digest()).decode()
        assert z == want, (z, want)
        sys.exit(0)
sys.exit("usr/bin/tcc not in the database")
PY
check "scripts.tar keeps busybox's .post-install" bash -c "tar -tf '$ROOT/lib/apk/db/scripts.tar' | grep -qx 'busybox-1.35.0-r0.Q1.*=.post-install'"
check "which ran in the root (/etc/shells)" grep -qx /bin/ash "$ROOT/etc/shells"
check "etc/apk/world" bash -c "printf 'build-base\nbusybox\nlibc6\nlibc6-dev\nlinux-libc-dev\nmake\ntcc\n' | cmp -s - '$ROOT/etc/apk/world'"
check "etc/apk/arch" bash -c "[ \"\$(cat '$ROOT/etc/apk/arch')\" = x86_64 ]"
check "etc/apk/repositories" bash -c "[ \"\$(cat '$ROOT/etc/apk/repositories')\" = 'file://$repo/v3.20/main' ]"
check "etc/apk/keys holds the trusted key" cmp -s "$keys/kiln-fixture@kiln-00000001.rsa.pub" "$ROOT/etc/apk/keys/kiln-fixture@kiln-00000001.rsa.pub"
check "the build user" grep -qx 'kiln:x:1000:1000:kiln build user:/home/build:/bin/sh' "$ROOT/etc/passwd"
check "its group" grep -qx 'kiln:x:1000:' "$ROOT/etc/group"
check "its home belongs to it inside the sandbox" bash -c "[ \"\$(stat -c %u '$ROOT/home/build')\" = 1000001000 ]"
check "no scripts mount point left behind" test ! -e "$ROOT/kiln-scripts"

# ---- the root builds C ----
expect_exit 0 "tcc compiles and links a C program in the root, and it runs" "$KILN" sandbox --root "$ROOT" --chdir /tmp -- \
	/bin/sh -c 'printf "#include <stdio.h>\nint main(void){puts(\"hello from tcc\");return 0;}\n" >t.c && tcc t.c -o t && ./t && cc t.c -o t2 && ./t2 && make --version'
check "hello from tcc, twice, and GNU make" bash -c "[ \"\$(grep -c 'hello from tcc' '$SCRATCH/out')\" = 2 ] && grep -q 'GNU Make 4.3' '$SCRATCH/out'"
expect_exit 0 "the exact test of the brief" "$KILN" sandbox --root "$ROOT" --chdir /tmp -- \
	/bin/sh -c 'echo "int main(){return 0;}" > t.c && tcc t.c -o t && ./t'
expect_exit 0 "as the build user too, who owns /home/build" "$KILN" sandbox --root "$ROOT" --uid 1000 --gid 1000 --chdir /tmp -- \
	/bin/sh -c '[ "$(id -un)" = kiln ] && [ "$(stat -c %u /home/build)" = 1000 ] && echo "int main(){return 3;}" >t.c && tcc t.c -o t; ./t; [ $? = 3 ]'

# ---- cached; and again from the blob store alone ----
expect_exit 0 "a second prepare" "$TRY" prepare "$SCRATCH/bb.lock" "$keys"
check "reuses the root" grep -qx "$ROOT cached" "$SCRATCH/out"
mv "$main" "$SCRATCH/main.away"
rm -rf "$ROOT"
expect_exit 0 "with the mirror gone, the root is made again from the blob store" "$TRY" prepare "$SCRATCH/bb.lock" "$keys"
check "the same root" grep -qx "$ROOT new" "$SCRATCH/out"
mv "$SCRATCH/main.away" "$main"

# ---- packages that must be refused (their own mirror, alpine:v3.21) ----
bad=$SCRATCH/bad
bmain=$bad/v3.21/main/x86_64
mkdir -p "$bmain" "$bad/v3.21/community/x86_64"
cp "$main/busybox-1.35.0-r0.apk" "$bmain/"
"$TOP/tests/fixtures/mkapk.sh" "$bmain/build-base-1-r0.apk" "$keys/kiln-fixture@kiln-00000001.rsa" build-base 1-r0 x86_64
key=$keys/kiln-fixture@kiln-00000001.rsa
python3 - "$SCRATCH/evil.tar" <<'PY'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
for name in ("usr/share/evil/README", "../../escape"):
    data = b"evil\n"
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = 1700000000
    t.addfile(ti, io.BytesIO(data))
t.close()
PY
APK_DATA_TAR=$SCRATCH/evil.tar "$TOP/tests/fixtures/mkapk.sh" "$bmain/evil-1.0-r0.apk" "$key" evil 1.0-r0 x86_64
"$TOP/tests/fixtures/mkapk.sh" "$bmain/datafake-1.0-r0.apk" "$key" datafake 1.0-r0 x86_64
"$TOP/tests/fixtures/mkapk.sh" "$bmain/sigfake-1.0-r0.apk" "$key" sigfake 1.0-r0 x86_64
"$KILN" -q index "$bmain" --key "$key" -o "$bmain/APKINDEX.tar.gz"
"$KILN" -q index "$bad/v3.21/community/x86_64" --key "$key" -o "$bad/v3.21/community/x86_64/APKINDEX.tar.gz"
expect_exit 0 "kiln update alpine:v3.21 from the second mirror" "$KILN" update alpine:v3.21 --mirror "file://$bad" --keyring "$keys"
export KILN_MIRROR=file://$bad
for p in evil datafake sigfake; do
	expect_exit 0 "a lock for busybox and $p" "$TRY" resolve alpine:v3.21 "$SCRATCH/$p.lock" busybox "$p"
done
# after the index was signed: datafake gets another package's data stream, sigfake a
# signature by another key under the trusted key's name (their control parts, so C:, are unchanged)
openssl genrsa -out "$SCRATCH/other.rsa" 2048 2>/dev/null
python3 - "$bmain" "$SCRATCH/other.rsa" <<'PY'
import io, os, subprocess, sys, tarfile, zlib
d, other = sys.argv[1], sys.argv[2]
def members(b):
    out = []
    while b:
        z = zlib.decompressobj(31); z.decompress(b); used = len(b) - len(z.unused_data)
        out.append(b[:used]); b = z.unused_data
    return out
df = members(open(d + "/datafake-1.0-r0.apk", "rb").read())
ev = members(open(d + "/evil-1.0-r0.apk", "rb").read())
open(d + "/datafake-1.0-r0.apk", "wb").write(df[0] + df[1] + ev[2])
sf = members(open(d + "/sigfake-1.0-r0.apk", "rb").read())
sig = subprocess.run(["openssl", "dgst", "-sha1", "-sign", other], input=sf[1], capture_output=True, check=True).stdout
buf = io.BytesIO()
t = tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT)
ti = tarfile.TarInfo(".SIGN.RSA.kiln-fixture@kiln-00000001.rsa.pub"); ti.size = len(sig)
t.addfile(ti, io.BytesIO(sig)); t.close()
tar = buf.getvalue()[:-1024] if buf.getvalue().endswith(b"\0" * 1024) else buf.getvalue()
tar = tar[:512 + ((len(sig) + 511) // 512) * 512]
c = zlib.compressobj(9, zlib.DEFLATED, 31)
open(d + "/sigfake-1.0-r0.apk", "wb").write(c.compress(tar) + c.flush() + sf[1] + sf[2])
PY
# the mirror now serves files of another size than the index says: refused as such
expect_exit 3 "a package of the wrong size is refused" "$TRY" prepare "$SCRATCH/datafake.lock" "$keys"
check "naming the package and the sizes" grep -q "datafake-1.0-r0: size mismatch (expected [0-9]*, got [0-9]*)" "$SCRATCH/err"
# with the lock saying the served sizes, the checks behind it speak
for p in datafake sigfake; do
	size=$(stat -c %s "$bmain/$p-1.0-r0.apk")
	sed -i "s|^\($p 1.0-r0 x86_64 - \)[0-9]*|\1$size|" "$SCRATCH/$p.lock"
done
ls "$KILN_HOME/roots" | grep -v '\.lock$' >"$SCRATCH/roots.before"
expect_exit 3 "a package with a path outside the root is refused" "$TRY" prepare "$SCRATCH/evil.lock" "$keys"
check "naming the package and the path" grep -q "evil-1.0-r0: data member '../../escape' leaves the root" "$SCRATCH/err"
expect_exit 3 "a package whose data does not match its datahash is refused" "$TRY" prepare "$SCRATCH/datafake.lock" "$keys"
check "naming the package and the reason" grep -q "datafake-1.0-r0: .*datahash mismatch" "$SCRATCH/err"
expect_exit 3 "a package with a bad signature is refused" "$TRY" prepare "$SCRATCH/sigfake.lock" "$keys"
check "naming the package and the reason" grep -q "sigfake-1.0-r0: .*BAD signature" "$SCRATCH/err"
ls "$KILN_HOME/roots" | grep -v '\.lock$' >"$SCRATCH/roots.after"
check "no root, half-made or not, is left behind" cmp -s "$SCRATCH/roots.before" "$SCRATCH/roots.after"
check "nothing of busybox from that mirror was installed anywhere" bash -c "! ls -d '$KILN_HOME'/roots/.tmp-* 2>/dev/null"
not_a_blob() { local h; h=$(sha256sum "$1" | cut -c1-64); [ ! -e "$KILN_HOME/blobs/sha256/${h:0:2}/$h" ]; }
check "the refused downloads are not in the blob store" bash -c "$(declare -f not_a_blob); not_a_blob '$bmain/datafake-1.0-r0.apk' && not_a_blob '$bmain/sigfake-1.0-r0.apk'"
done_testing
