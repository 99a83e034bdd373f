# alpine.sh - Alpine from the command line: vercmp, signed APKINDEX reading and writing on a fixture repository.
. "$(dirname "$0")/../tap.sh"
# definitions from this tree, wherever the binary under test lives (build-asan/kiln)
export KILN_DISTROS_DIR=$TOP/distros/defs

# ---- kiln vercmp ----
vc() { # distro a b expected
	local got
	got=$("$KILN" vercmp "$1" "$2" "$3" 2>&1)
	if [ "$got" = "$4" ]; then ok "vercmp $1 $2 $4 $3"; else not_ok "vercmp $1 $2 $3: got '$got', wanted '$4'"; fi
}
vc alpine:v3.20 1.0_rc1 1.0 "<"
vc alpine:v3.20 1.0_p1 1.0a "<"
vc alpine:v3.20 1.0-r1 1.0 ">"
vc alpine:v3.20 01.0 1.0 "="
vc alpine:v3.22 1.0 1.00 ">"
vc alpine:v3.23 1.0 1.00 "<"
vc alpine:edge 1.0~9 1.0~10 ">"
vc alpine:v3.21 8.2.001 8.2.0 "<"
vc alpine:v3.23 8.2.001 8.2.0 ">"
vc debian:bookworm 1.0~rc1 1.0 "<"
vc debian:bookworm 1:0.9 2.0 ">"
expect_exit 7 "vercmp refuses an invalid apk version" "$KILN" vercmp alpine:v3.20 1.0~abc 1.0
check "the message names the version" grep -q "'1.0~abc' is not a valid apk version" "$SCRATCH/err"
expect_exit 5 "vercmp with an unknown distro" "$KILN" vercmp alpine:v9.99 1 2
expect_exit 2 "vercmp needs three arguments" "$KILN" vercmp alpine:v3.20 1
"$KILN" distros >"$SCRATCH/distros"
check "every Alpine release is a known distro" bash -c "for d in v3.20 v3.21 v3.22 v3.23 edge; do grep -qx alpine:\$d '$SCRATCH/distros' || exit 1; done"

# ---- a fixture repository built with tar, gzip and openssl ----
repo=$SCRATCH/repo
if ! "$TOP/tests/fixtures/mkrepo.sh" "$repo" >"$SCRATCH/mkrepo.log" 2>&1; then
	not_ok "fixture repository"; cat "$SCRATCH/mkrepo.log"; done_testing; exit 1
fi
keys=$repo/keys
key=$keys/test@kiln-00000001.rsa
expect_exit 0 "an index signed with openssl verifies" "$KILN" index --verify "$repo/x86_64/APKINDEX.tar.gz" --keys-dir "$keys"
check "it lists all six packages" grep -q ': 6 packages, signed by test@kiln-00000001.rsa.pub' "$SCRATCH/out"
check "with their checksums" grep -q '^zlib 1.3.1-r1 Q1' "$SCRATCH/out"

expect_exit 0 "kiln index writes an index" env SOURCE_DATE_EPOCH=1700000000 "$KILN" index "$repo/x86_64" --key "$key" --rewrite-arch x86_64 -o "$SCRATCH/APKINDEX.tar.gz"
expect_exit 0 "kiln reads back what it wrote" "$KILN" index --verify "$SCRATCH/APKINDEX.tar.gz" --keys-dir "$keys" --json
check "every field round-trips" python3 - "$SCRATCH/out" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
p = {x["name"] + "-" + x["version"]: x for x in j["packages"]}
assert len(p) == 6, p.keys()
c = p["curl-8.9.1_p1-r0"]
assert c["depends"] == ["ca-certificates-bundle", "so:libz.so.1", "so:libc.musl-x86_64.so.1"], c
assert c["provides"] == ["cmd:curl=8.9.1_p1-r0"] and c["origin"] == "curl" and c["license"] == "MIT"
assert c["build_time"] == 1700000000 and c["url"] == "https://example.org/curl"
assert p["curl-doc-8.9.1_p1-r0"]["install_if"] == ["docs", "curl=8.9.1_p1-r0"]
assert p["curl-doc-8.9.1_p1-r0"]["arch"] == "x86_64"
assert p["musl-1.2.5-r0"]["provider_priority"] == 10
assert j["signer"] == "test@kiln-00000001.rsa.pub"
PY
# independent checks with python's zlib/tarfile and openssl
split_index() { # FILE DIR: sig.tar, index.tar.gz (raw second stream), APKINDEX text
	python3 - "$1" "$2" <<'PY'
import io, sys, tarfile, zlib
b = open(sys.argv[1], "rb").read(); out = sys.argv[2]
z = zlib.decompressobj(31); sig = z.decompress(b); rest = z.unused_data
open(out + "/index.tar.gz", "wb").write(rest)
t = tarfile.open(fileobj=io.BytesIO(sig))
m = t.getmembers()[0]
open(out + "/signame", "w").write(m.name)
open(out + "/sig", "wb").write(t.extractfile(m).read())
t = tarfile.open(fileobj=io.BytesIO(zlib.decompress(rest, 31)))
open(out + "/APKINDEX", "wb").write(t.extractfile("APKINDEX").read())
PY
}
mkdir -p "$SCRATCH/k"
split_index "$SCRATCH/APKINDEX.tar.gz" "$SCRATCH/k"
check "the index text is what apk index writes (same as the shell-made one)" cmp -s "$SCRATCH/k/APKINDEX" "$repo/APKINDEX"
check "the signature entry is .SIGN.RSA.<key>.pub" grep -qx '.SIGN.RSA.test@kiln-00000001.rsa.pub' "$SCRATCH/k/signame"
check "openssl verifies kiln's signature over the index stream" bash -c "openssl dgst -sha1 -verify \"$key.pub\" -signature \"$SCRATCH/k/sig\" \"$SCRATCH/k/index.tar.gz\" >/dev/null"
env SOURCE_DATE_EPOCH=1700000000 "$KILN" -q index "$repo/x86_64" --key "$key" --rewrite-arch x86_64 -o "$SCRATCH/again.tar.gz"
check "kiln index is reproducible" cmp -s "$SCRATCH/APKINDEX.tar.gz" "$SCRATCH/again.tar.gz"

expect_exit 0 "--sha256 writes an RSA256 signature" "$KILN" index "$repo/x86_64" --key "$key" --sha256 -o "$SCRATCH/sha256.tar.gz"
mkdir -p "$SCRATCH/k256"
split_index "$SCRATCH/sha256.tar.gz" "$SCRATCH/k256"
check "named .SIGN.RSA256.<key>" grep -qx '.SIGN.RSA256.test@kiln-00000001.rsa.pub' "$SCRATCH/k256/signame"
check "openssl verifies it with sha256" bash -c "openssl dgst -sha256 -verify \"$key.pub\" -signature \"$SCRATCH/k256/sig\" \"$SCRATCH/k256/index.tar.gz\" >/dev/null"
expect_exit 0 "kiln verifies RSA256 signatures" "$KILN" index --verify "$SCRATCH/sha256.tar.gz" --keys-dir "$keys"

# ---- bad input ----
python3 - "$SCRATCH/APKINDEX.tar.gz" "$SCRATCH/tampered.tar.gz" <<'PY'
import sys, zlib
b = open(sys.argv[1], "rb").read()
z = zlib.decompressobj(31); z.decompress(b); rest = z.unused_data; sig = b[:len(b) - len(rest)]
tar = bytearray(zlib.decompress(rest, 31))
i = tar.index(b"P:zlib"); tar[i + 2:i + 6] = b"zlob"
c = zlib.compressobj(9, zlib.DEFLATED, 31)
open(sys.argv[2], "wb").write(sig + c.compress(bytes(tar)) + c.flush())
PY
expect_exit 3 "a tampered index is rejected" "$KILN" index --verify "$SCRATCH/tampered.tar.gz" --keys-dir "$keys"
check "the error names the file and says BAD signature" grep -q "tampered.tar.gz: BAD signature" "$SCRATCH/err"
mkdir -p "$SCRATCH/otherkeys"
openssl genrsa -out "$SCRATCH/other.rsa" 2048 2>/dev/null
openssl rsa -in "$SCRATCH/other.rsa" -pubout -out "$SCRATCH/otherkeys/test@kiln-00000001.rsa.pub" 2>/dev/null
expect_exit 3 "a signature by a different key with the same name is rejected" "$KILN" index --verify "$SCRATCH/APKINDEX.tar.gz" --keys-dir "$SCRATCH/otherkeys"
mkdir -p "$SCRATCH/nokeys"
expect_exit 3 "an index signed by an unknown key is rejected" "$KILN" index --verify "$SCRATCH/APKINDEX.tar.gz" --keys-dir "$SCRATCH/nokeys"
check "the error names the key" grep -q "signed by unknown key test@kiln-00000001.rsa.pub" "$SCRATCH/err"
expect_exit 3 "an unsigned index is rejected" "$KILN" index --verify "$SCRATCH/k/index.tar.gz" --keys-dir "$keys"
head -c 700 "$SCRATCH/APKINDEX.tar.gz" >"$SCRATCH/short.tar.gz"
expect_exit 7 "a truncated index is malformed input" "$KILN" index --verify "$SCRATCH/short.tar.gz" --keys-dir "$keys"
echo "not an apk" >"$repo/x86_64/broken.apk"
expect_exit 7 "kiln index refuses a directory with a broken .apk" "$KILN" index "$repo/x86_64" --key "$key" -o "$SCRATCH/x.tar.gz"
check "naming it" grep -q "broken.apk" "$SCRATCH/err"
check "and writes nothing" test ! -e "$SCRATCH/x.tar.gz"
expect_exit 2 "kiln index needs --key" "$KILN" index "$repo/x86_64"
rm -f "$repo/x86_64/broken.apk"
# signature and control of one package, data of another: the datahash gives it away
python3 - "$repo/x86_64/zlib-1.3.1-r1.apk" "$repo/x86_64/musl-1.2.5-r0.apk" "$SCRATCH/bad/zlib-1.3.1-r1.apk" <<'PY'
import os, sys, zlib
def members(b):
    out = []
    while b:
        z = zlib.decompressobj(31); z.decompress(b); used = len(b) - len(z.unused_data)
        out.append(b[:used]); b = z.unused_data
    return out
a = members(open(sys.argv[1], "rb").read()); b = members(open(sys.argv[2], "rb").read())
os.makedirs(os.path.dirname(sys.argv[3]), exist_ok=True)
open(sys.argv[3], "wb").write(a[0] + a[1] + b[2])
PY
expect_exit 3 "a .apk whose data does not match its datahash is refused" "$KILN" index "$SCRATCH/bad" --key "$key" -o "$SCRATCH/bad.tar.gz"
check "naming the package and the reason" grep -q "zlib-1.3.1-r1.apk: datahash mismatch" "$SCRATCH/err"

# ---- kiln update against a local mirror ----
mirror=$SCRATCH/mirror
mkdir -p "$mirror/alpine/v3.20/main/x86_64" "$mirror/alpine/v3.20/community/x86_64"
cp "$repo/x86_64/APKINDEX.tar.gz" "$mirror/alpine/v3.20/main/x86_64/"
cp "$SCRATCH/sha256.tar.gz" "$mirror/alpine/v3.20/community/x86_64/APKINDEX.tar.gz"
python3 "$TOP/tests/tools/httpd.py" --dir "$mirror" --port-file "$SCRATCH/port" &
HTTPD=$!
CLEANUP="kill $HTTPD 2>/dev/null"
for _ in $(seq 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.05; done
M=http://127.0.0.1:$(cat "$SCRATCH/port")/alpine
STATE=$KILN_HOME/indices/alpine_v3.20/v3.20
expect_exit 0 "kiln update fetches and verifies both repositories" "$KILN" --json update --mirror "$M" --keyring "$keys" alpine:v3.20
check "two indices downloaded" python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; assert r["indices_downloaded"]==2 and r["suites"]==1, r' "$SCRATCH/out"
check "the manifest lists main and community" bash -c "grep -q '^APKINDEX main x86_64 ' '$STATE/indices' && grep -q '^APKINDEX community x86_64 ' '$STATE/indices'"
sha=$(awk '$2=="main"{print $4}' "$STATE/indices")
check "the verified index is a blob under its sha256" cmp -s "$KILN_HOME/blobs/sha256/${sha:0:2}/$sha" "$repo/x86_64/APKINDEX.tar.gz"
expect_exit 0 "a second update" "$KILN" --json update --mirror "$M" --keyring "$keys" alpine:v3.20
check "downloads nothing new" python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; assert r["indices_downloaded"]==0 and r["indices_cached"]==2, r' "$SCRATCH/out"
expect_exit 0 "--offline uses the verified snapshot" "$KILN" --offline update --keyring "$keys" alpine:v3.20
cp "$STATE/indices" "$SCRATCH/indices.before"
cp "$SCRATCH/tampered.tar.gz" "$mirror/alpine/v3.20/community/x86_64/APKINDEX.tar.gz"
touch -d '+1 hour' "$mirror/alpine/v3.20/community/x86_64/APKINDEX.tar.gz"
expect_exit 3 "a tampered index on the mirror is refused" "$KILN" update --mirror "$M" --keyring "$keys" alpine:v3.20
check "naming its URL" grep -q "^kiln: http://127.0.0.1:[0-9]*/alpine/v3.20/community/x86_64/APKINDEX.tar.gz: BAD signature" "$SCRATCH/err"
check "and the verified snapshot is kept as it was" cmp -s "$STATE/indices" "$SCRATCH/indices.before"
expect_exit 3 "without the key the index is refused" "$KILN" update --mirror "$M" --keyring "$SCRATCH/nokeys" alpine:v3.20
expect_exit 5 "a missing repository is not found" "$KILN" update --mirror "$M/nothing" --keyring "$keys" alpine:v3.20
done_testing
