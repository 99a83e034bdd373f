# apkwrite.sh - .apk files written by apk_write_package, checked without kiln (openssl, python's zlib and tarfile, GNU tar) and by kiln index.
. "$(dirname "$0")/../tap.sh"
BUILD_DIR=$TOP/${KILN_BUILD:-build}
tool=$SCRATCH/apkwrite_tool
san=()
case "$BUILD_DIR" in *asan*) san=(-fsanitize=address,undefined) ;; esac
# shellcheck disable=SC2046
if ! gcc -std=gnu11 -D_GNU_SOURCE -I"$TOP" "${san[@]}" -o "$tool" "$TOP/tests/integration/apkwrite_tool.c" \
	"$BUILD_DIR/libkiln.a" $(pkg-config --libs libsolv libsolvext libarchive libcrypto zlib libzstd libseccomp libcurl jansson sqlite3) -lpthread 2>"$SCRATCH/cc.err"; then
	not_ok "building the test driver"; cat "$SCRATCH/cc.err"; done_testing; exit 1
fi
keys=$SCRATCH/keys
mkdir -p "$keys"
key=$SCRATCH/test@kiln-2.rsa
openssl genrsa -out "$key" 2048 2>/dev/null
openssl rsa -in "$key" -pubout -out "$keys/test@kiln-2.rsa.pub" 2>/dev/null
SDE=1700000000

# a package tree: a shared library and a program using it (gcc), text, a
# symlink, a name longer than 100 bytes, an empty directory, a script
T=$SCRATCH/tree
long=usr/share/kt/$(printf 'd%.0s' {1..60})/$(printf 'f%.0s' {1..60}).txt
mkdir -p "$T/usr/lib" "$T/usr/bin" "$T/var/empty" "$(dirname "$T/$long")" "$SCRATCH/src"
printf 'int kt(void){return 7;}\n' >"$SCRATCH/src/kt.c"
printf 'int kt(void);\nint main(void){return kt();}\n' >"$SCRATCH/src/main.c"
gcc -shared -fPIC -Wl,-soname,libkt.so.3 -o "$T/usr/lib/libkt.so.3.0.1" "$SCRATCH/src/kt.c"
gcc -o "$T/usr/bin/kt" "$SCRATCH/src/main.c" "$T/usr/lib/libkt.so.3.0.1"
ln -s libkt.so.3.0.1 "$T/usr/lib/libkt.so.3"
echo "a long name" >"$T/$long"
printf 'line 1\nline 2\n' >"$T/usr/share/kt/notes"
chmod 644 "$T/usr/share/kt/notes" "$T/$long"
printf '#!/bin/sh\nexit 0\n' >"$SCRATCH/post-install"
touch -d @1 "$T/usr/share/kt/notes"

expect_exit 0 "apk_write_package writes a package" "$tool" write "$T" "$SCRATCH/kt.apk" "$key" test@kiln-2.rsa.pub kt 3.0.1-r2 x86_64 $SDE -s .post-install="$SCRATCH/post-install" -d musl
expect_exit 0 "kiln reads it back: signature and datahash verified" "$tool" read "$SCRATCH/kt.apk" "$keys"
check "with its name and version" grep -q '^kt 3.0.1-r2 Q1' "$SCRATCH/out"

# split the three gzip members at their boundaries (python's zlib)
python3 - "$SCRATCH/kt.apk" "$SCRATCH" <<'PY'
import sys, zlib
b = open(sys.argv[1], "rb").read()
names = ["sig.tar.gz", "control.tar.gz", "data.tar.gz"]
i = 0
while b:
    d = zlib.decompressobj(31)
    d.decompress(b)
    used = len(b) - len(d.unused_data)
    open(f"{sys.argv[2]}/{names[i]}", "wb").write(b[:used])
    b = d.unused_data
    i += 1
assert i == 3, i
PY
check "three gzip streams" test -s "$SCRATCH/data.tar.gz"
tar -xzf "$SCRATCH/sig.tar.gz" -C "$SCRATCH" 2>/dev/null
check "the signature entry is .SIGN.RSA.<key name>" test -s "$SCRATCH/.SIGN.RSA.test@kiln-2.rsa.pub"
expect_exit 0 "openssl verifies the signature over the compressed control stream" openssl dgst -sha1 -verify "$keys/test@kiln-2.rsa.pub" -signature "$SCRATCH/.SIGN.RSA.test@kiln-2.rsa.pub" "$SCRATCH/control.tar.gz"
check "openssl says Verified OK" grep -qx "Verified OK" "$SCRATCH/out"
cp "$SCRATCH/control.tar.gz" "$SCRATCH/control2.tar.gz"
printf 'x' >>"$SCRATCH/control2.tar.gz"
expect_exit 1 "and refuses it over other bytes" openssl dgst -sha1 -verify "$keys/test@kiln-2.rsa.pub" -signature "$SCRATCH/.SIGN.RSA.test@kiln-2.rsa.pub" "$SCRATCH/control2.tar.gz"

check "the data stream: PAX checksums, order, owners, mtimes, datahash (python tarfile)" python3 - "$SCRATCH" "$long" $SDE <<'PY'
import hashlib, io, sys, tarfile, zlib
d, long, sde = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(f"{d}/data.tar.gz", "rb").read()
t = tarfile.open(fileobj=io.BytesIO(zlib.decompress(data, 31)), format=tarfile.PAX_FORMAT)
names = []
for m in t:
    names.append(m.name)
    assert m.mtime == sde, (m.name, m.mtime)
    assert (m.uid, m.gid, m.uname, m.gname) == (0, 0, "root", "root"), m.name
    if m.isreg():
        body = t.extractfile(m).read()
        assert m.pax_headers["APK-TOOLS.checksum.SHA1"] == hashlib.sha1(body).hexdigest(), m.name
    elif m.issym():
        assert m.pax_headers["APK-TOOLS.checksum.SHA1"] == hashlib.sha1(m.linkname.encode()).hexdigest()
    else:
        assert "APK-TOOLS.checksum.SHA1" not in m.pax_headers, m.name
assert names == sorted(names, key=lambda s: s.encode()), names
assert long in names and "var/empty" in names and "usr/lib/libkt.so.3" in names, names
assert t.getmember("usr/bin/kt").mode == 0o755 and t.getmember("usr/share/kt/notes").mode == 0o644
ctl = zlib.decompress(open(f"{d}/control.tar.gz", "rb").read(), 31)
info = ctl[512:ctl.index(b"\0", 512)].decode()
lines = info.splitlines()
assert f"datahash = {hashlib.sha256(data).hexdigest()}" == lines[-1], lines[-1]
for want in ["pkgname = kt", "pkgver = 3.0.1-r2", "origin = kt", "depend = musl", "depend = /bin/sh",
             "provides = so:libkt.so.3=3.0.1", "provides = cmd:kt=3.0.1-r2", "depend = so:libc.so.6",
             "builddate = 1700000000", "arch = x86_64"]:
    assert want in lines, (want, lines)
assert not any(l.startswith("depend = so:libkt") for l in lines), lines
# the control tar is cut: .PKGINFO then .post-install, no end blocks
assert ctl[:8] == b".PKGINFO" and b".post-install" in ctl and len(ctl) % 512 == 0
assert ctl[-512:] != bytes(512)
PY
check "gzip -dc of the whole file is one tar stream (GNU tar lists every entry)" bash -c "gzip -dc '$SCRATCH/kt.apk' | tar -t 2>/dev/null | grep -qx 'usr/bin/kt'"

# reproducible: the same tree, copied in another order with other mtimes
T2=$SCRATCH/tree2
mkdir -p "$T2"
(cd "$T" && find . -mindepth 1 | LC_ALL=C sort -r) | while read -r p; do
	if [ -d "$T/$p" ] && [ ! -L "$T/$p" ]; then mkdir -p "$T2/$p"; else mkdir -p "$(dirname "$T2/$p")" && cp -P "$T/$p" "$T2/$p"; fi
done
find "$T2" -exec touch -h -d @2100000000 {} +
expect_exit 0 "the same tree written again" "$tool" write "$T2" "$SCRATCH/kt2.apk" "$key" test@kiln-2.rsa.pub kt 3.0.1-r2 x86_64 $SDE -s .post-install="$SCRATCH/post-install" -d musl
check "gives identical bytes" cmp "$SCRATCH/kt.apk" "$SCRATCH/kt2.apk"

# kiln index over what was written, read back by kiln
mkdir -p "$SCRATCH/repo/x86_64"
cp "$SCRATCH/kt.apk" "$SCRATCH/repo/x86_64/kt-3.0.1-r2.apk"
expect_exit 0 "kiln index indexes it" env SOURCE_DATE_EPOCH=$SDE "$KILN" index "$SCRATCH/repo/x86_64" --key "$key" -o "$SCRATCH/repo/x86_64/APKINDEX.tar.gz"
expect_exit 0 "kiln reads that index back" "$KILN" index --verify "$SCRATCH/repo/x86_64/APKINDEX.tar.gz" --keys-dir "$keys" --json
check "with the package's fields" python3 - "$SCRATCH/out" "$SCRATCH/kt.apk" <<'PY'
import base64, hashlib, json, os, sys, zlib
j = json.load(open(sys.argv[1]))
assert len(j["packages"]) == 1
p = j["packages"][0]
b = open(sys.argv[2], "rb").read()
d = zlib.decompressobj(31); d.decompress(b); rest = d.unused_data
d = zlib.decompressobj(31); d.decompress(rest); ctl = rest[:len(rest) - len(d.unused_data)]
assert p["checksum"] == "Q1" + base64.b64encode(hashlib.sha1(ctl).digest()).decode(), p
assert p["name"] == "kt" and p["version"] == "3.0.1-r2" and p["size"] == os.path.getsize(sys.argv[2])
assert "so:libkt.so.3=3.0.1" in p["provides"] and "cmd:kt=3.0.1-r2" in p["provides"], p["provides"]
assert p["depends"] == ["musl", "/bin/sh", "so:libc.so.6"], p["depends"]
PY

# refusals
mkdir -p "$SCRATCH/bad/dev" && mkfifo "$SCRATCH/bad/dev/fifo"
expect_exit 7 "a tree with a fifo is refused" "$tool" write "$SCRATCH/bad" "$SCRATCH/bad.apk" "$key" test@kiln-2.rsa.pub bad 1-r0 x86_64 $SDE
check "naming it" grep -q 'bad/dev/fifo is a fifo' "$SCRATCH/err"
check "and nothing is written" test ! -e "$SCRATCH/bad.apk"
expect_exit 7 "an unknown script name is refused" "$tool" write "$T" "$SCRATCH/bad.apk" "$key" test@kiln-2.rsa.pub kt 1-r0 x86_64 $SDE -s .evil="$SCRATCH/post-install"
check "naming it" grep -q "'.evil' is not an apk install script name" "$SCRATCH/err"
echo "not a key" >"$SCRATCH/nokey"
expect_exit 7 "a bad signing key is refused" "$tool" write "$T" "$SCRATCH/bad.apk" "$SCRATCH/nokey" test@kiln-2.rsa.pub kt 1-r0 x86_64 $SDE
check "and nothing is written" test ! -e "$SCRATCH/bad.apk"
done_testing
