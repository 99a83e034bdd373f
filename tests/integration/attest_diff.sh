# attest_diff.sh - `kiln diff`: members, control fields, metadata, text diffs, ELF sections, byte ranges, limits.
. "$(dirname "$0")/../tap.sh"
D=$SCRATCH/d
bash "$TOP/tests/fixtures/make-diff-debs.sh" "$D"
off=$(cat "$D/offset")
hexoff=$(printf '0x%x' "$off")

expect_exit 0 "a package is identical to itself" "$KILN" diff "$D/a.deb" "$D/a.deb"
check "and says so" grep -qx identical "$SCRATCH/out"
expect_exit 1 "two versions differ (exit 1)" "$KILN" diff "$D/a.deb" "$D/b.deb"
O=$SCRATCH/out
check "the control field that changed" grep -q '^  Version: 1.0-1 -> 1.0-2$' "$O"
check "the ar members that changed" grep -q '^  modified data.tar ' "$O"
check "the ELF program: its section" grep -q 'ELF section .text modified' "$O"
check "the ELF program: the byte, with both values" grep -q "bytes at $hexoff, 1 long: [0-9a-f][0-9a-f] -> [0-9a-f][0-9a-f]$" "$O"
check "the text file: a unified diff" grep -q '^    -line 20 of the readme$' "$O"
check "the text file: the new line" grep -q '^    +line twenty, changed$' "$O"
check "the text file: a hunk header" grep -q '^    @@ -17,7 +17,7 @@$' "$O"
check "the text file: its mtime" grep -q 'mtime: 1700000000 -> 1700000999' "$O"
check "a mode change" grep -q 'mode: 0644 -> 0755' "$O"
check "a symlink target change" grep -q 'link: target-a -> target-b' "$O"
check "a file only in A" grep -q 'removed  ./usr/share/doc/difft/only-a (file, 0644, 10 bytes)' "$O"
check "a file only in B" grep -q 'added    ./usr/share/doc/difft/only-b' "$O"

expect_exit 1 "--json" "$KILN" diff --json "$D/a.deb" "$D/b.deb"
check "--json names the file and the byte" python3 -c '
import json, sys
r = json.load(open(sys.argv[1])); off = int(sys.argv[2])
assert r["identical"] is False
f = {x["path"]: x for x in r["files"]}
p = f["./usr/bin/prog"]
assert p["differences"] == ["content"], p["differences"]
assert p["byte_ranges"] == [{"offset": off, "length": 1, "a": p["byte_ranges"][0]["a"], "b": p["byte_ranges"][0]["b"]}]
assert int(p["byte_ranges"][0]["a"], 16) ^ int(p["byte_ranges"][0]["b"], 16) == 0xff
assert [s["name"] for s in p["elf_sections"]] == [".text"]
assert f["./usr/share/doc/difft/mode-file"]["a"]["mode"] == "0644"
assert r["summary"] == {"added": 1, "removed": 1, "modified": 5}, r["summary"]
assert {"field": "Version", "a": "1.0-1", "b": "1.0-2"} in r["control"]
' "$SCRATCH/out" "$off"

# one changed byte in an uncompressed .deb: found in the file that holds it
cp "$D/a.deb" "$SCRATCH/c.deb"
python3 - "$SCRATCH/c.deb" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
i = b.index(b"line 33 of the readme") + 5
b[i:i + 2] = b"XX"
open(p, "wb").write(b)
PY
expect_exit 1 "one changed byte in a package" "$KILN" diff "$D/a.deb" "$SCRATCH/c.deb"
check "is found in its file, as a text change" grep -q '^    +line XX of the readme$' "$SCRATCH/out"
check "and the member holding it" grep -q '^  modified data.tar' "$SCRATCH/out"

# a changed byte inside a compressed member: not readable, but the bytes are named
bash -c 'cd "$1" && mkdir -p r/DEBIAN r/usr && printf "Package: z\nVersion: 1\nArchitecture: all\nMaintainer: t <t@t>\nDescription: z\n" >r/DEBIAN/control && head -c 20000 /bin/true >r/usr/blob && dpkg-deb --root-owner-group -Zxz --build r z.deb >/dev/null' _ "$SCRATCH"
cp "$SCRATCH/z.deb" "$SCRATCH/z2.deb"
printf '\x00' | dd of="$SCRATCH/z2.deb" bs=1 seek=$(( $(stat -c %s "$SCRATCH/z.deb") - 200 )) conv=notrunc 2>/dev/null
expect_exit 1 "a corrupt compressed member still gives an answer" "$KILN" diff "$SCRATCH/z.deb" "$SCRATCH/z2.deb"
check "saying why the packages cannot be compared" grep -q 'not comparable as packages: .*z2.deb' "$SCRATCH/out"
check "and where the bytes differ" grep -q '^  bytes at 0x' "$SCRATCH/out"

expect_exit 1 "a time limit stops the comparison" "$KILN" diff --max-seconds 0.000001 "$D/a.deb" "$D/b.deb"
check "and says the answer is incomplete" grep -q '^incomplete: time limit' "$SCRATCH/out"
expect_exit 1 "--max-files bounds the detailed comparisons" "$KILN" diff --max-files 1 "$D/a.deb" "$D/b.deb"
check "and says so" grep -q 'skipped: too many differing files' "$SCRATCH/out"
expect_exit 6 "a missing package is an error" "$KILN" diff "$D/a.deb" "$D/nope.deb"
expect_exit 2 "one package is a usage error" "$KILN" diff "$D/a.deb"
done_testing
