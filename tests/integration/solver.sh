# solver.sh - kiln resolve / kiln check on a small archive written here: locks,
# JSON, reproducibility, unbuildable sources, .dsc input, usage errors.
. "$(dirname "$0")/../tap.sh"
A=$SCRATCH/archive
mkdir -p "$A"

# pkg NAME VERSION ARCH [EXTRA-FIELDS...]: one Packages stanza
pkg() {
	local n=$1 v=$2 a=$3; shift 3
	local f="pool/main/${n:0:1}/$n/${n}_${v}_$a.deb"
	printf 'Package: %s\nVersion: %s\nArchitecture: %s\n' "$n" "$v" "$a"
	for x in "$@"; do printf '%s\n' "$x"; done
	printf 'Filename: %s\nSize: %d\nSHA256: %s\nDescription: %s\n\n' "$f" "${#f}" \
		"$(printf %s "$f" | sha256sum | cut -d' ' -f1)" "$n"
}
# src NAME VERSION ARCH BUILD-DEPENDS [EXTRA-FIELDS...]: one Sources stanza
src() {
	local n=$1 v=$2 a=$3 bd=$4; shift 4
	printf 'Package: %s\nVersion: %s\nArchitecture: %s\nBuild-Depends: %s\n' "$n" "$v" "$a" "$bd"
	for x in "$@"; do printf '%s\n' "$x"; done
	printf 'Directory: pool/main/%s/%s\nChecksums-Sha256:\n %s 10 %s_%s.dsc\n\n' "${n:0:1}" "$n" \
		"$(printf %s "$n$v" | sha256sum | cut -d' ' -f1)" "$n" "$v"
}
{
	pkg libc6 2.36-9 amd64 'Multi-Arch: same'
	pkg dash 0.5.12-2 amd64 'Essential: yes' 'Priority: required' 'Pre-Depends: libc6 (>= 2.34)'
	pkg mawk 1.3.4-1 amd64 'Priority: required' 'Provides: awk' 'Depends: libc6'
	pkg gawk 5.2.1-2 amd64 'Provides: awk' 'Depends: libc6'
	pkg base-files 12.4 amd64 'Essential: yes' 'Pre-Depends: awk'
	pkg gcc 12.2.0-3 amd64 'Depends: libc6'
	pkg build-essential 12.9 amd64 'Depends: gcc, libc6-dev | libc-dev'
	pkg libc6-dev 2.36-9 amd64 'Depends: libc6 (= 2.36-9)' 'Provides: libc-dev'
	pkg debhelper 13.11 all 'Provides: debhelper-compat (= 13)' 'Depends: dash'
	pkg libfoo-dev 1.8-2 amd64 'Depends: libc6'
	pkg python3 3.11.2-1 amd64 'Multi-Arch: allowed'
} >"$A/Packages"
{
	src hello 2.10-3 any 'debhelper-compat (= 13), libfoo-dev [linux-any], python3:any <!nocheck>'
	src hello 2.9-1 any 'debhelper (>= 13)'
	src newfoo 1.0 any 'debhelper-compat (= 13), libfoo-dev (>= 2.0)'
	src docs 1.0 all 'debhelper-compat (= 13)' 'Build-Depends-Indep: python3'
	src i386only 1.0 i386 'nothere'
} >"$A/Sources"
R=("$KILN" resolve --packages "$A/Packages" --sources "$A/Sources" debian:bookworm)
C=("$KILN" check --packages "$A/Packages" --sources "$A/Sources" debian:bookworm)

expect_exit 0 "resolve prints a lock" "${R[@]}" hello
check "the lock starts with its format line" grep -qx 'kiln-lock 1' "$SCRATCH/out"
check "the lock names the source and version" grep -qx 'Source: hello 2.10-3' "$SCRATCH/out"
check "the lock holds the build dependencies" grep -q '^libfoo-dev 1.8-2 amd64 [0-9a-f]\{64\} [0-9]* pool/main/l/libfoo-dev/libfoo-dev_1.8-2_amd64.deb$' "$SCRATCH/out"
check "the lock holds Essential packages, marked" grep -q '^dash 0.5.12-2 amd64 .* essential$' "$SCRATCH/out"
check "the lock holds build-essential" grep -q '^build-essential ' "$SCRATCH/out"
check "a Priority: required provider is preferred (mawk, not gawk)" bash -c "grep -q '^mawk ' '$SCRATCH/out' && ! grep -q '^gawk ' '$SCRATCH/out'"
check "Essential packages come before the rest" bash -c "[ \$(grep -n '^dash ' '$SCRATCH/out' | cut -d: -f1) -lt \$(grep -n '^libfoo-dev ' '$SCRATCH/out' | cut -d: -f1) ]"
cp "$SCRATCH/out" "$SCRATCH/first.lock"
expect_exit 0 "resolve again, writing the lock to a file" "${R[@]}" -o "$SCRATCH/again.lock" hello
check "the same request gives a byte-identical lock" cmp -s "$SCRATCH/first.lock" "$SCRATCH/again.lock"
check "the printed lock is the written one" cmp -s "$SCRATCH/out" "$SCRATCH/again.lock"
rm -rf "$KILN_HOME/indices"
expect_exit 0 "resolve without a pool cache" "${R[@]}" hello
check "a cold cache gives the same lock" cmp -s "$SCRATCH/first.lock" "$SCRATCH/out"
expect_exit 0 "resolve --json" "${R[@]}" --json hello
check "the JSON lock has the packages and the text's sha256" python3 -c '
import json,sys,hashlib
j=json.load(open(sys.argv[1])); t=open(sys.argv[2],"rb").read()
assert j["sha256"]==hashlib.sha256(t).hexdigest(), j["sha256"]
assert j["source"]=="hello" and j["version"]=="2.10-3"
names=[p["name"] for p in j["packages"]]
assert "libfoo-dev" in names and "python3" in names, names
assert all(len(p["sha256"])==64 and p["filename"].startswith("pool/") for p in j["packages"])
' "$SCRATCH/out" "$SCRATCH/first.lock"
expect_exit 0 "resolve an older version by SRC=VERSION" "${R[@]}" hello=2.9-1
check "the older version's lock names it" grep -qx 'Source: hello 2.9-1' "$SCRATCH/out"
expect_exit 0 "resolve with the nocheck profile" "${R[@]}" --profiles nocheck hello
check "nocheck drops python3:any <!nocheck>" bash -c "! grep -q '^python3 ' '$SCRATCH/out'"
expect_exit 0 "resolve --arch-only" "${R[@]}" --arch-only docs
check "--arch-only drops Build-Depends-Indep" bash -c "! grep -q '^python3 ' '$SCRATCH/out'"
expect_exit 0 "resolve --indep-only" "${R[@]}" --indep-only docs
check "--indep-only keeps Build-Depends-Indep" grep -q '^python3 ' "$SCRATCH/out"

expect_exit 1 "an unsatisfiable source exits 1" "${R[@]}" newfoo
check "the reason names the relation and what the archive has" grep -q 'libfoo-dev (>= 2.0) is needed by the Build-Depends, but debian:bookworm has libfoo-dev 1.8-2' "$SCRATCH/err"
check "nothing is printed on stdout" test ! -s "$SCRATCH/out"
expect_exit 5 "an unknown source is not found" "${R[@]}" nosuch
expect_exit 5 "an absent version is not found" "${R[@]}" hello=9.9
expect_exit 1 "a source not built on amd64 is refused" "${R[@]}" i386only
check "the refusal names the architecture" grep -q 'is not built on amd64 (Architecture: i386)' "$SCRATCH/err"

cat >"$SCRATCH/hello_2.10-3.dsc" <<'EOF'
Format: 3.0 (quilt)
Source: hello
Version: 2.10-3
Architecture: any
Build-Depends: debhelper-compat (= 13), libfoo-dev
Checksums-Sha256:
 0000000000000000000000000000000000000000000000000000000000000000 10 hello_2.10.orig.tar.gz
EOF
expect_exit 0 "resolve a .dsc file" "${R[@]}" "$SCRATCH/hello_2.10-3.dsc"
check "the .dsc's build dependencies are in the lock" grep -q '^libfoo-dev ' "$SCRATCH/out"
printf 'Source: bad\nVersion: 1\nBuild-Depends: a (>= \nChecksums-Sha256:\n %s 1 x\n' \
	0000000000000000000000000000000000000000000000000000000000000000 >"$SCRATCH/bad_1.dsc"
expect_exit 7 "a malformed Build-Depends is a parse error" "${R[@]}" "$SCRATCH/bad_1.dsc"
check "the error names the field and column" grep -q 'bad 1: Build-Depends: column 6: expected a version' "$SCRATCH/err"

expect_exit 2 "resolve without a source is a usage error" "$KILN" resolve debian:bookworm
expect_exit 2 "--arch-only with --indep-only is a usage error" "${R[@]}" --arch-only --indep-only hello
expect_exit 0 "resolve --help" "$KILN" resolve --help
check "--help documents the alternatives rule" grep -q 'first alternative' "$SCRATCH/out"

expect_exit 1 "check --all exits 1 when a source is unbuildable" "${C[@]}" --all
check "check names the unbuildable source and why" grep -q '^newfoo 1.0: unbuildable' "$SCRATCH/out"
check "check prints the counts (every version, like dose)" grep -q '^5 sources: 3 buildable, 1 unbuildable, 1 not built on amd64' "$SCRATCH/out"
expect_exit 0 "check of buildable sources exits 0" "${C[@]}" -v hello docs
check "-v lists buildable sources" grep -q '^hello 2.10-3: buildable' "$SCRATCH/out"
expect_exit 1 "check --json" "${C[@]}" --json --all -j 1
check "check --json has one object per source with a status" python3 -c '
import json,sys
j=json.load(open(sys.argv[1]))
st={(s["name"],s["version"]):s["status"] for s in j["sources"]}
assert st==({("hello","2.10-3"):"buildable",("hello","2.9-1"):"buildable",("newfoo","1.0"):"unbuildable",
            ("docs","1.0"):"buildable",("i386only","1.0"):"skipped"}), st
assert j["unbuildable"]==1 and j["buildable"]==3 and j["skipped"]==1
assert "libfoo-dev (>= 2.0)" in [s for s in j["sources"] if s["name"]=="newfoo"][0]["reason"]
' "$SCRATCH/out"
expect_exit 5 "check of an unknown source is not found" "${C[@]}" nosuch
expect_exit 2 "check without sources is a usage error" "$KILN" check debian:bookworm
done_testing
