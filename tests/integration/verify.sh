# verify.sh - kiln verify on bookworm's hello with the warm cache: a kiln build record and its
# .buildinfo verify; an sbuild .buildinfo (random Build-Path, its own Environment) is rebuilt at
# that path and verifies; one changed byte is named by kiln verify and kiln diff; a tampered
# rebuild attestation or the wrong key fails; a version no mirror carries is exit 5.
# Builds are expensive (one hello build is 1.5-2 min on a quiet machine, several times that on
# a busy one): one build, one rebuild from the record, one from the sbuild .buildinfo; the
# other cases compare against that rebuild (--rebuilt) or stop before building (--dry-run).
. "$(dirname "$0")/../tap.sh"
CACHE=/var/cache/kiln
if [ "$(id -u)" != 0 ] || [ ! -d "$CACHE/roots" ]; then
	echo "1..0 # skip no warm cache (run make demo once)"
	exit 0
fi
export KILN_HOME=$CACHE
O=$SCRATCH/o R=$SCRATCH/r
"$KILN" -q build --json --cached-root debian:bookworm hello -o "$O" >"$SCRATCH/build.json" 2>"$SCRATCH/build.err"
rc=$?
if [ "$rc" -eq 5 ] && grep -q "no prepared root" "$SCRATCH/build.err"; then
	echo "1..0 # skip no prepared root for hello's current lock (run make demo once)"
	exit 0
fi
if [ "$rc" -eq 0 ]; then ok "kiln build debian:bookworm hello (the record to verify)"; else not_ok "kiln build hello (exit $rc)"; sed 's/^/# /' "$SCRATCH/build.err" | tail -5; done_testing; exit 1; fi
REC=$O/hello_2.10-3_amd64.kiln.json BI=$O/hello_2.10-3_amd64.buildinfo
DEB=hello_2.10-3_amd64.deb DBG=hello-dbgsym_2.10-3_amd64.deb
ATT=$R/hello_2.10-3_amd64.rebuild.intoto.jsonl
"$KILN" -q keygen -o "$SCRATCH/k" >/dev/null
"$KILN" -q keygen -o "$SCRATCH/other" >/dev/null

# ---- the build record: rebuilt from its lock, every output compared, attested ----
expect_exit 0 "kiln verify RECORD.json rebuilds and reproduces (exit 0)" \
	"$KILN" -q verify --json --key "$SCRATCH/k.key" "$REC" -o "$R"
cp "$SCRATCH/out" "$SCRATCH/v1.json"
check "both packages reproduced, .buildinfo and .changes named as not compared" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["verdict"] == "reproduced", j
st = {o["name"]: o["status"] for o in j["outputs"]}
assert st == {"hello_2.10-3_amd64.deb": "reproduced", "hello-dbgsym_2.10-3_amd64.deb": "reproduced"}, st
nc = " ".join(j["not_compared"])
assert "hello_2.10-3_amd64.buildinfo" in nc and "hello_2.10-3_amd64.changes" in nc, nc
' "$SCRATCH/v1.json"
check "the rebuilt hello .deb has the recorded bytes" cmp -s "$O/$DEB" "$R/$DEB"
check "the rebuild used the record's lock" python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["lock"]["sha256"] == b["lock"]["sha256"] == json.load(open(sys.argv[3]))["lock_sha256"]
' "$REC" "$R/hello_2.10-3_amd64.kiln.json" "$SCRATCH/v1.json"
expect_exit 0 "kiln attest verify accepts the rebuild attestation with the signing key" \
	"$KILN" attest verify "$ATT" --key "$SCRATCH/k.pub"
check "the attestation: kiln's rebuild predicate, subjects the reproduced .debs, the record's digest" python3 -c '
import base64, hashlib, json, sys
env = json.loads(open(sys.argv[1]).readline())
assert env["payloadType"] == "application/vnd.in-toto+json"
st = json.loads(base64.b64decode(env["payload"]))
assert st["_type"] == "https://in-toto.io/Statement/v1"
assert st["predicateType"] == "https://kiln.invalid/attestations/rebuild/v1"
subj = {s["name"]: s["digest"]["sha256"] for s in st["subject"]}
for n in ("hello_2.10-3_amd64.deb", "hello-dbgsym_2.10-3_amd64.deb"):
    assert subj[n] == hashlib.sha256(open(sys.argv[2] + "/" + n, "rb").read()).hexdigest()
assert len(subj) == 2
p = st["predicate"]
assert p["verdict"] == "reproduced"
assert p["reproduces"] == {"format": "kiln-build-record", "name": "hello_2.10-3_amd64.kiln.json",
    "digest": {"sha256": hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()}}
assert p["rebuild"]["lockSha256"] == json.load(open(sys.argv[3]))["lock"]["sha256"]
assert p["rebuild"]["buildPath"] == "/build/reproducible-path/hello-2.10"
assert len(p["rebuild"]["packages"]) == len(json.load(open(sys.argv[3]))["lock"]["packages"])
' "$ATT" "$R" "$REC"
# the signature, checked without kiln: Ed25519 over PAE(type, payload)
check "openssl verifies the attestation's signature over the DSSE PAE" sh -c '
python3 - "$1" "$2" <<PY
import base64, json, sys
e = json.loads(open(sys.argv[1]).readline())
body = base64.b64decode(e["payload"]); t = e["payloadType"].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)
open(sys.argv[2] + "/pae", "wb").write(pae)
open(sys.argv[2] + "/sig", "wb").write(base64.b64decode(e["signatures"][0]["sig"]))
PY
openssl pkeyutl -verify -pubin -inkey "$3" -rawin -in "$2/pae" -sigfile "$2/sig" >/dev/null' _ "$ATT" "$SCRATCH" "$SCRATCH/k.pub"

# ---- a tampered attestation, the wrong key ----
python3 - "$ATT" "$SCRATCH/tampered.intoto.jsonl" <<'PY'
import base64, json, sys
e = json.loads(open(sys.argv[1]).readline())
st = json.loads(base64.b64decode(e["payload"]))
st["subject"][0]["digest"]["sha256"] = "0" * 64
e["payload"] = base64.b64encode(json.dumps(st, separators=(",", ":"), sort_keys=True).encode()).decode()
open(sys.argv[2], "w").write(json.dumps(e) + "\n")
PY
expect_exit 3 "a tampered rebuild attestation fails kiln attest verify (exit 3)" \
	"$KILN" attest verify "$SCRATCH/tampered.intoto.jsonl" --key "$SCRATCH/k.pub" --dir "$R"
check "and says the signature does not verify" grep -q "signature" "$SCRATCH/err"
expect_exit 3 "the wrong key fails kiln attest verify (exit 3)" \
	"$KILN" attest verify "$ATT" --key "$SCRATCH/other.pub"
check "and says so" grep -q "signature" "$SCRATCH/err"

# ---- the kiln .buildinfo: its lock (Installed-Build-Depends found in the indices, plus
# fakeroot) has the record's packages, so the rebuild above is its rebuild too ----
expect_exit 0 "the .buildinfo's plan: exact versions from the indices, fakeroot added" \
	"$KILN" -q verify --json --dry-run "$BI"
check "its packages are the record's lock, its path and environment the build's" python3 -c '
import json, sys
p = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
mine = sorted(p["lock"])
theirs = sorted("%s %s %s" % (x["name"], x["version"], x["arch"]) for x in r["lock"]["packages"])
assert mine == theirs, set(mine) ^ set(theirs)
assert sorted(p["added"]) == ["fakeroot 1.31-1.2", "libfakeroot 1.31-1.2"], p["added"]
assert p["build_path"] == "/build/reproducible-path/hello-2.10"
env = r["build"]["environment"]
for k in ("DEB_BUILD_OPTIONS", "LANG", "LC_ALL", "SOURCE_DATE_EPOCH"):
    assert p["environment"][k] == env[k], k
assert p["unset"] == ["DEB_BUILD_PROFILES"] and p["kind"] == "arch"
' "$SCRATCH/out" "$REC"
expect_exit 0 "kiln verify FILE.buildinfo (kiln's) reproduces every file it lists (exit 0)" \
	"$KILN" -q verify --key "$SCRATCH/k.key" "$BI" --rebuilt "$R"
check "both .debs named reproduced" sh -c "grep -q '^reproduced *$DEB\$' '$SCRATCH/out' && grep -q '^reproduced *$DBG\$' '$SCRATCH/out'"

# ---- one changed byte ----
T=$SCRATCH/t
mkdir -p "$T" && cp "$O"/* "$T"/
python3 - "$T" <<'PY'
import hashlib, json, sys
d = sys.argv[1]; n = "hello_2.10-3_amd64.deb"
b = bytearray(open(d + "/" + n, "rb").read()); b[len(b) // 2] ^= 1
open(d + "/" + n, "wb").write(b)
r = json.load(open(d + "/hello_2.10-3_amd64.kiln.json"))
for o in r["outputs"]:
    if o["name"] == n: o["sha256"] = hashlib.sha256(b).hexdigest()
json.dump(r, open(d + "/hello_2.10-3_amd64.kiln.json", "w"), indent=2, sort_keys=True)
PY
expect_exit 1 "a record claiming a .deb with one byte changed: kiln verify exits 1" \
	"$KILN" verify "$T/hello_2.10-3_amd64.kiln.json" --rebuilt "$R"
check "and names the file that differs" grep -q "^DIFFERS *$DEB\$" "$SCRATCH/out"
check "and the other one as reproduced" grep -q "^reproduced *$DBG\$" "$SCRATCH/out"
check "and shows kiln diff's summary: the byte" grep -q "bytes at 0x[0-9a-f]*, 1 long" "$SCRATCH/out"
check "no attestation for a mismatch" sh -c "! grep -q '^attestation' '$SCRATCH/out'"
expect_exit 1 "kiln diff of the changed copy and the rebuild exits 1" \
	"$KILN" diff "$T/$DEB" "$R/$DEB"
off=$(python3 -c 'import os,sys; print("%x" % (os.path.getsize(sys.argv[1]) // 2))' "$T/$DEB")
check "kiln diff names the file and the byte (at 0x$off)" sh -c "grep -q '$DEB' '$SCRATCH/out' && grep -q 'bytes at 0x$off, 1 long' '$SCRATCH/out'"
# the same inside the package: one byte of /usr/bin/hello, repacked
U=$SCRATCH/u X=$SCRATCH/x
mkdir -p "$U" && cp "$O"/* "$U"/ && dpkg-deb -R "$O/$DEB" "$X"
python3 - "$X/usr/bin/hello" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); i = b.index(b"Hello, world!"); b[i] = ord("J")
open(sys.argv[1], "wb").write(b)
PY
SOURCE_DATE_EPOCH=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["build"]["source_date_epoch"])' "$REC") \
	dpkg-deb -Zxz --root-owner-group -b "$X" "$U/$DEB" >/dev/null
python3 - "$U" <<'PY'
import hashlib, json, sys
d = sys.argv[1]; n = "hello_2.10-3_amd64.deb"
r = json.load(open(d + "/hello_2.10-3_amd64.kiln.json"))
for o in r["outputs"]:
    if o["name"] == n: o["sha256"] = hashlib.sha256(open(d + "/" + n, "rb").read()).hexdigest(); o.pop("size", None)
json.dump(r, open(d + "/hello_2.10-3_amd64.kiln.json", "w"), indent=2, sort_keys=True)
PY
expect_exit 1 "a .deb whose /usr/bin/hello has one byte changed: kiln verify exits 1" \
	"$KILN" verify "$U/hello_2.10-3_amd64.kiln.json" --rebuilt "$R"
check "the diff names only ./usr/bin/hello, its ELF section and the byte" sh -c "
grep -q 'files: 0 added, 0 removed, 1 modified' '$SCRATCH/out' &&
grep -q 'modified ./usr/bin/hello \\[content\\]' '$SCRATCH/out' &&
grep -q 'ELF section .rodata modified' '$SCRATCH/out' &&
grep -q 'bytes at 0x[0-9a-f]*, 1 long: 4a -> 48' '$SCRATCH/out'"

# ---- versions no mirror carries: exit 5, named, --mirror suggested ----
sed 's/^ base-files (= [^)]*)/ base-files (= 12.4+deb12u1)/' "$BI" >"$SCRATCH/old.buildinfo"
expect_exit 5 "a .buildinfo naming base-files 12.4+deb12u1 (gone from the mirrors): exit 5" \
	"$KILN" -q verify --dry-run "$SCRATCH/old.buildinfo"
check "the error names the package and version and suggests --mirror" sh -c "
grep -q 'base-files 12.4+deb12u1' '$SCRATCH/err' && grep -q -- '--mirror http://snapshot.debian.org/archive/debian/' '$SCRATCH/err'"
python3 - "$REC" "$SCRATCH/old.kiln.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for p in r["lock"]["packages"]:
    if p["name"] == "base-files":
        p["version"] = "12.4+deb12u1"; p["sha256"] = "ab" * 32
del r["lock"]["sha256"]
json.dump(r, open(sys.argv[2], "w"))
PY
expect_exit 5 "a record whose lock names base-files 12.4+deb12u1: exit 5" \
	"$KILN" -q verify --dry-run "$SCRATCH/old.kiln.json"
check "the error names it and suggests --mirror" sh -c "grep -q 'base-files 12.4+deb12u1' '$SCRATCH/err' && grep -q -- '--mirror' '$SCRATCH/err'"
expect_exit 2 "rebuilding into the record's own directory is refused" \
	"$KILN" -q verify "$REC" -o "$O"

# ---- an sbuild .buildinfo: random Build-Path, sbuild's Environment; rebuilt at that path ----
SB=$CACHE/reference/sbuild/hello_2.10-3_amd64.buildinfo
[ -s "$SB" ] || SB=$TOP/tests/fixtures/sbuild/hello_2.10-3_amd64.buildinfo
if [ -s "$SB" ] && grep -q "^Build-Path: /build/hello-" "$SB"; then
	what="sbuild's .buildinfo ($(basename "$SB"))"
else
	# no sbuild one: the same build described the way sbuild writes it (formats/buildinfo.md)
	SB=$SCRATCH/sbuild/hello_2.10-3_amd64.buildinfo
	mkdir -p "$SCRATCH/sbuild"
	python3 - "$BI" "$SB" <<'PY'
import random, string, sys
t = open(sys.argv[1]).read()
rnd = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(6))
out, skip = [], False
for line in t.splitlines():
    if skip and line.startswith(" "):
        continue
    skip = False
    if line.startswith("Build-Path:"):
        line = "Build-Path: /build/hello-%s/hello-2.10" % rnd
    if line.startswith("Environment:"):
        out += ["Environment:", ' DEB_BUILD_OPTIONS="parallel=2"', ' LANG="C.UTF-8"',
                ' SOURCE_DATE_EPOCH="1672068600"']
        skip = True
        continue
    out.append(line)
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
	what="an sbuild-format .buildinfo (random Build-Path, parallel=2, no LC_ALL)"
fi
BP=$(sed -n 's/^Build-Path: //p' "$SB")
expect_exit 0 "kiln verify $what reproduces its files (exit 0)" \
	"$KILN" -q verify --json --key "$SCRATCH/k.key" "$SB" -o "$SCRATCH/rs"
sed 's/^/# /' "$SCRATCH/err" | tail -3
check "the rebuild ran at its Build-Path $BP, with its Environment" python3 -c '
import json, sys
r = json.load(open(sys.argv[1] + "/hello_2.10-3_amd64.kiln.json"))
assert r["build"]["build_path"] == sys.argv[2], r["build"]["build_path"]
bi = open(sys.argv[3]).read()
env = r["build"]["environment"]
for line in bi.split("Environment:\n", 1)[1].splitlines():
    if not line.startswith(" "): break
    k, v = line.strip().split("=", 1)
    assert env[k] == v.strip("\""), (k, env.get(k), v)
if "LC_ALL=" not in bi: assert "LC_ALL" not in env
' "$SCRATCH/rs" "$BP" "$SB"
expect_exit 0 "and its attestation verifies" \
	"$KILN" -q attest verify "$SCRATCH/rs/hello_2.10-3_amd64.rebuild.intoto.jsonl" --key "$SCRATCH/k.pub"
done_testing
