# attest.sh - keygen, attest render and attest verify end to end; signatures checked independently with openssl.
. "$(dirname "$0")/../tap.sh"
B=$SCRATCH/build
bash "$TOP/tests/fixtures/make-attest-build.sh" "$B"
REC=$B/hello-t_1.0-1_amd64.kiln.json
PROV=$B/hello-t_1.0-1_amd64.intoto.jsonl
SBOM=$B/hello-t_1.0-1_amd64.spdx.json

# ---- keygen ----
expect_exit 0 "keygen ed25519" "$KILN" keygen -o "$SCRATCH/ed"
check "private key is mode 0600" test "$(stat -c %a "$SCRATCH/ed.key")" = 600
check "private key is PKCS#8 PEM" grep -q '^-----BEGIN PRIVATE KEY-----$' "$SCRATCH/ed.key"
check "public key is SPKI PEM" grep -q '^-----BEGIN PUBLIC KEY-----$' "$SCRATCH/ed.pub"
check "openssl reads the ed25519 key" sh -c "openssl pkey -in '$SCRATCH/ed.key' -noout -text | grep -q ED25519"
keyid=$(openssl pkey -pubin -in "$SCRATCH/ed.pub" -outform DER | sha256sum | cut -d' ' -f1)
check "printed key id is sha256 of the SPKI DER" grep -q "key id:      $keyid" "$SCRATCH/out"
expect_exit 0 "keygen ecdsa-p256" "$KILN" keygen --type ecdsa-p256 -o "$SCRATCH/ec"
check "openssl sees a P-256 key" sh -c "openssl pkey -in '$SCRATCH/ec.key' -noout -text | grep -q 'NIST CURVE: P-256'"
expect_exit 0 "keygen --json" "$KILN" keygen --json -o "$SCRATCH/j"
check "--json gives the key id and both paths" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["type"] == "ed25519" and len(j["keyid"]) == 64
assert j["private"].endswith("/j.key") and j["public"].endswith("/j.pub")
' "$SCRATCH/out"
expect_exit 6 "keygen does not replace a key" "$KILN" keygen -o "$SCRATCH/ed"
check "and says so" grep -q 'not replacing' "$SCRATCH/err"
expect_exit 2 "unknown key type is a usage error" "$KILN" keygen --type rsa -o "$SCRATCH/rsa"

# ---- render ----
expect_exit 0 "render with an ed25519 key" "$KILN" attest render "$REC" --key "$SCRATCH/ed.key"
check "provenance written next to the record" test -s "$PROV"
check "SBOM written next to the record" test -s "$SBOM"
check "the envelope is one line" test "$(wc -l <"$PROV")" = 1

# independent check: rebuild PAE from the envelope, verify with openssl
split_envelope() { # envelope-file outdir
	python3 - "$1" "$2" <<'PY'
import base64, json, sys
e = json.loads(open(sys.argv[1]).readline())
body = base64.b64decode(e["payload"])
t = e["payloadType"].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)
open(sys.argv[2] + "/pae", "wb").write(pae)
open(sys.argv[2] + "/sig", "wb").write(base64.b64decode(e["signatures"][0]["sig"]))
open(sys.argv[2] + "/statement.json", "wb").write(body)
PY
}
mkdir -p "$SCRATCH/x"
split_envelope "$PROV" "$SCRATCH/x"
check "openssl pkeyutl verifies the Ed25519 DSSE signature over PAE" \
	sh -c "openssl pkeyutl -verify -pubin -inkey '$SCRATCH/ed.pub' -rawin -in '$SCRATCH/x/pae' -sigfile '$SCRATCH/x/sig' | grep -q 'Verified Successfully'"
check "the statement is in-toto v1 with SLSA v1" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["_type"] == "https://in-toto.io/Statement/v1"
assert s["predicateType"] == "https://slsa.dev/provenance/v1"
names = sorted(x["name"] for x in s["subject"])
assert names == ["hello-t-doc_1.0-1_all.deb", "hello-t_1.0-1_amd64.buildinfo", "hello-t_1.0-1_amd64.deb"], names
bd = s["predicate"]["buildDefinition"]
assert bd["externalParameters"]["patches"][0]["name"] == "CVE-2024-0001.patch"
uris = [d["uri"] for d in bd["resolvedDependencies"]]
assert "pkg:deb/debian/g%2B%2B-12@12.2.0-14?arch=amd64&distro=debian-12" in uris, uris
assert s["predicate"]["runDetails"]["metadata"]["finishedOn"] == "2023-11-14T22:15:00Z"
' "$SCRATCH/x/statement.json"

expect_exit 0 "render with an ECDSA P-256 key into -o DIR" "$KILN" attest render "$REC" --key "$SCRATCH/ec.key" -o "$SCRATCH/ec-out"
split_envelope "$SCRATCH/ec-out/hello-t_1.0-1_amd64.intoto.jsonl" "$SCRATCH/x"
check "openssl dgst verifies the ECDSA DSSE signature (DER over SHA-256)" \
	sh -c "openssl dgst -sha256 -verify '$SCRATCH/ec.pub' -signature '$SCRATCH/x/sig' '$SCRATCH/x/pae' | grep -q 'Verified OK'"
check "same record, same statement, whatever the key" cmp -s "$SCRATCH/x/statement.json" <(split_envelope "$PROV" "$SCRATCH" && cat "$SCRATCH/statement.json")

# ---- the SBOM's file list agrees with the .deb ----
mkdir -p "$SCRATCH/unpacked"
dpkg-deb -x "$B/hello-t_1.0-1_amd64.deb" "$SCRATCH/unpacked"
check "SPDX lists each file of the .deb with its SHA1 and the verification code" python3 - "$SBOM" "$SCRATCH/unpacked" <<'PY'
import hashlib, json, os, sys
doc = json.load(open(sys.argv[1])); root = sys.argv[2]
pkg = [p for p in doc["packages"] if p["name"] == "hello-t" and p["SPDXID"].startswith("SPDXRef-Package-")][0]
ids = {r["relatedSpdxElement"] for r in doc["relationships"]
       if r["spdxElementId"] == pkg["SPDXID"] and r["relationshipType"] == "CONTAINS"}
files = {f["fileName"]: f for f in doc["files"] if f["SPDXID"] in ids}
want = {}
for d, _, fs in os.walk(root):
    for f in fs:
        p = os.path.join(d, f)
        if os.path.islink(p): continue
        want["." + p[len(root):]] = hashlib.sha1(open(p, "rb").read()).hexdigest()
assert set(files) == set(want), (sorted(files), sorted(want))
for n, h in want.items():
    got = {c["algorithm"]: c["checksumValue"] for c in files[n]["checksums"]}
    assert got["SHA1"] == h, n
code = hashlib.sha1("".join(sorted(want.values())).encode()).hexdigest()
assert pkg["packageVerificationCode"]["packageVerificationCodeValue"] == code
rels = [r["relationshipType"] for r in doc["relationships"]]
assert rels.count("BUILD_DEPENDENCY_OF") == 6 and rels.count("DESCRIBES") == 2
PY

# ---- verify ----
expect_exit 0 "verify a good attestation" "$KILN" attest verify "$PROV" --key "$SCRATCH/ed.pub"
check "every subject reported ok" test "$(grep -c '^ok ' "$SCRATCH/out")" = 3
expect_exit 3 "the wrong key fails" "$KILN" attest verify "$PROV" --key "$SCRATCH/ec.pub"
check "with a message naming the file and the key" grep -q "intoto.jsonl.*signature does not verify with key" "$SCRATCH/err"
python3 - "$PROV" "$SCRATCH/tampered.intoto.jsonl" <<'PY'
import base64, json, sys
e = json.loads(open(sys.argv[1]).readline())
s = json.loads(base64.b64decode(e["payload"]))
s["subject"][0]["digest"]["sha256"] = "0" * 64
e["payload"] = base64.b64encode(json.dumps(s).encode()).decode()
open(sys.argv[2], "w").write(json.dumps(e) + "\n")
PY
expect_exit 3 "a tampered statement fails" "$KILN" attest verify "$SCRATCH/tampered.intoto.jsonl" --key "$SCRATCH/ed.pub" --dir "$B"
check "because the signature no longer verifies" grep -q "signature does not verify" "$SCRATCH/err"
expect_exit 3 "the ECDSA attestation verifies only with its own key" "$KILN" attest verify "$SCRATCH/ec-out/hello-t_1.0-1_amd64.intoto.jsonl" --key "$SCRATCH/ed.pub" --dir "$B"
expect_exit 0 "ECDSA attestation with --dir" "$KILN" attest verify "$SCRATCH/ec-out/hello-t_1.0-1_amd64.intoto.jsonl" --key "$SCRATCH/ec.pub" --dir "$B"
expect_exit 5 "subjects looked for next to the attestation by default" "$KILN" attest verify "$SCRATCH/ec-out/hello-t_1.0-1_amd64.intoto.jsonl" --key "$SCRATCH/ec.pub"
check "missing subject named" grep -q "subject .* not found" "$SCRATCH/err"
cp -a "$B" "$SCRATCH/changed"
printf 'x' | dd of="$SCRATCH/changed/hello-t_1.0-1_amd64.deb" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_exit 3 "one changed byte in an output fails" "$KILN" attest verify "$SCRATCH/changed/hello-t_1.0-1_amd64.intoto.jsonl" --key "$SCRATCH/ed.pub"
check "naming the file" grep -q "hello-t_1.0-1_amd64.deb has sha256" "$SCRATCH/err"
check "and listing it as differing" grep -q "^differs .*hello-t_1.0-1_amd64.deb" "$SCRATCH/out"
expect_exit 3 "--json reports the failure too" "$KILN" attest verify --json "$SCRATCH/changed/hello-t_1.0-1_amd64.intoto.jsonl" --key "$SCRATCH/ed.pub"
check "--json has verified=false and per-subject status" python3 -c '
import json, sys
j = json.load(open(sys.argv[1])); assert j["verified"] is False
st = {s["name"]: s["status"] for s in j["subjects"]}
assert st["hello-t_1.0-1_amd64.deb"] == "differs" and st["hello-t-doc_1.0-1_all.deb"] == "ok", st
' "$SCRATCH/out"
expect_exit 3 "render refuses an output whose bytes differ from the record" "$KILN" attest render "$SCRATCH/changed/hello-t_1.0-1_amd64.kiln.json" --key "$SCRATCH/ed.key" -o "$SCRATCH/nope"
check "and writes nothing" test ! -e "$SCRATCH/nope/hello-t_1.0-1_amd64.intoto.jsonl"
expect_exit 7 "a record that is not JSON is a parse error" "$KILN" attest render "$SCRATCH/x/sig"
expect_exit 7 "verifying a non-envelope is a parse error" "$KILN" attest verify "$SBOM" --key "$SCRATCH/ed.pub"

# several envelopes, one per line: each must verify; a pretty-printed one is read whole
cat "$PROV" "$PROV" >"$B/two.intoto.jsonl"
expect_exit 0 "two envelopes in one .jsonl verify" "$KILN" attest verify "$B/two.intoto.jsonl" --key "$SCRATCH/ed.pub"
cat "$PROV" "$SCRATCH/ec-out/hello-t_1.0-1_amd64.intoto.jsonl" >"$B/mixed.intoto.jsonl"
expect_exit 3 "a second envelope by another key fails" "$KILN" attest verify "$B/mixed.intoto.jsonl" --key "$SCRATCH/ed.pub"
check "naming its line" grep -q "mixed.intoto.jsonl:2: signature does not verify" "$SCRATCH/err"
python3 -c 'import json, sys; print(json.dumps(json.loads(open(sys.argv[1]).readline()), indent=2))' "$PROV" >"$B/pretty.json"
expect_exit 0 "a pretty-printed envelope verifies" "$KILN" attest verify "$B/pretty.json" --key "$SCRATCH/ed.pub"

# ---- kiln's own key ----
expect_exit 2 "verify without --key and no own key is a usage error" "$KILN" attest verify "$PROV"
expect_exit 0 "render without --key uses kiln's own key" "$KILN" attest render "$REC" -o "$SCRATCH/own"
check "and says where its public half is" grep -q "public half is $KILN_HOME/keys/kiln.pub" "$SCRATCH/err"
check "own key is mode 0600" test "$(stat -c %a "$KILN_HOME/keys/kiln.key")" = 600
expect_exit 0 "verify without --key uses kiln's own public key" "$KILN" attest verify "$SCRATCH/own/hello-t_1.0-1_amd64.intoto.jsonl" --dir "$B"
expect_exit 0 "rendering again reuses the key" "$KILN" attest render "$REC" -o "$SCRATCH/own"
check "without making a new one" sh -c "! grep -q 'made now' '$SCRATCH/err'"
expect_exit 2 "attest without a subcommand is a usage error" "$KILN" attest
expect_exit 2 "an unknown subcommand is a usage error" "$KILN" attest frob x
expect_exit 0 "attest --help" "$KILN" attest --help
done_testing
