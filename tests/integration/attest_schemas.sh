# attest_schemas.sh - rendered provenance, DSSE envelope and SBOM validated against in-toto, SLSA, DSSE and SPDX 2.3 JSON schemas (ajv).
. "$(dirname "$0")/../tap.sh"
S=$TOP/tests/schemas
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "ok 1 # SKIP node/npm not installed (nodejs from the npm-bundling distribution is needed)"
	echo "1..1"
	exit 0
fi
if ! ajv_dir=$(bash "$S/setup.sh" 2>"$SCRATCH/setup.err"); then
	not_ok "install ajv from the npm registry"
	sed 's/^/# /' "$SCRATCH/setup.err" | tail -5
	done_testing
	exit 1
fi
export NODE_PATH=$ajv_dir/node_modules
validate() { node "$S/validate.js" "$@"; }
INTOTO=https://kiln.invalid/schemas/in-toto-statement-v1.json
SLSA=https://kiln.invalid/schemas/slsa-provenance-v1.json
DSSE=https://kiln.invalid/schemas/dsse-envelope.json
SPDX=http://spdx.org/rdf/terms/2.3

B=$SCRATCH/build
bash "$TOP/tests/fixtures/make-attest-build.sh" "$B"
"$KILN" keygen -o "$SCRATCH/k" >/dev/null
check "render the fixture build" "$KILN" -q attest render "$B/hello-t_1.0-1_amd64.kiln.json" --key "$SCRATCH/k.key"
mkdir -p "$SCRATCH/hello"
cp "$TOP/tests/fixtures/record-hello.json" "$SCRATCH/hello/"
check "render the sample hello record (no .debs on disk)" "$KILN" -q attest render "$SCRATCH/hello/record-hello.json" --key "$SCRATCH/k.key"

payload() { python3 -c 'import base64, json, sys; sys.stdout.buffer.write(base64.b64decode(json.loads(open(sys.argv[1]).readline())["payload"]))' "$1"; }
payload "$B/hello-t_1.0-1_amd64.intoto.jsonl" >"$SCRATCH/st1.json"
payload "$SCRATCH/hello/hello_2.10-3_amd64.intoto.jsonl" >"$SCRATCH/st2.json"

check "DSSE envelopes match the envelope schema" validate "$DSSE" "$B/hello-t_1.0-1_amd64.intoto.jsonl" "$SCRATCH/hello/hello_2.10-3_amd64.intoto.jsonl"
check "statements are valid in-toto Statement v1" validate "$INTOTO" "$SCRATCH/st1.json" "$SCRATCH/st2.json"
check "predicates are valid SLSA Provenance v1" validate "$SLSA" "$SCRATCH/st1.json" "$SCRATCH/st2.json"
check "SBOM with files is valid SPDX 2.3" validate "$SPDX" "$B/hello-t_1.0-1_amd64.spdx.json"
check "SBOM without files is valid SPDX 2.3" validate "$SPDX" "$SCRATCH/hello/hello_2.10-3_amd64.spdx.json"

# the schemas do catch mistakes (so the passes above mean something)
python3 - "$SCRATCH" <<'PY'
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/st1.json"))
s["subject"][0]["digest"]["sha256"] = "ABC"
json.dump(s, open(d + "/bad-digest.json", "w"))
s = json.load(open(d + "/st1.json"))
del s["predicate"]["buildDefinition"]["buildType"]
json.dump(s, open(d + "/bad-buildtype.json", "w"))
s = json.load(open(d + "/st1.json"))
s["predicate"]["runDetails"]["metadata"]["startedOn"] = "2023-11-14 22:13:20"
json.dump(s, open(d + "/bad-time.json", "w"))
x = json.load(open(d + "/build/hello-t_1.0-1_amd64.spdx.json"))
x["files"][0]["checksums"] = []
json.dump(x, open(d + "/bad-file.spdx.json", "w"))
x = json.load(open(d + "/build/hello-t_1.0-1_amd64.spdx.json"))
x["relationships"][0]["relationshipType"] = "BUILT_BY_MAGIC"
json.dump(x, open(d + "/bad-rel.spdx.json", "w"))
PY
check "a non-hex digest is refused by the in-toto schema" sh -c "! node '$S/validate.js' '$INTOTO' '$SCRATCH/bad-digest.json' 2>/dev/null"
check "a missing buildType is refused by the SLSA schema" sh -c "! node '$S/validate.js' '$SLSA' '$SCRATCH/bad-buildtype.json' 2>/dev/null"
check "a non-RFC 3339 time is refused by the SLSA schema" sh -c "! node '$S/validate.js' '$SLSA' '$SCRATCH/bad-time.json' 2>/dev/null"
check "a file without checksums is refused by the SPDX schema" sh -c "! node '$S/validate.js' '$SPDX' '$SCRATCH/bad-file.spdx.json' 2>/dev/null"
check "an unknown relationship is refused by the SPDX schema" sh -c "! node '$S/validate.js' '$SPDX' '$SCRATCH/bad-rel.spdx.json' 2>/dev/null"
check "SPDX ids use only [A-Za-z0-9.-] and are unique" python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
ids = [p["SPDXID"] for p in d["packages"]] + [f["SPDXID"] for f in d["files"]]
assert all(re.fullmatch(r"SPDXRef-[A-Za-z0-9.-]+", i) for i in ids), ids
assert len(ids) == len(set(ids))
known = set(ids) | {"SPDXRef-DOCUMENT"}
assert all(r["spdxElementId"] in known and r["relatedSpdxElement"] in known for r in d["relationships"])
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d["creationInfo"]["created"])
' "$B/hello-t_1.0-1_amd64.spdx.json"
done_testing
