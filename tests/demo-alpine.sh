#!/bin/bash
# demo-alpine.sh - `make demo-alpine`: a signed Alpine-format repository made from Debian's
# packages, the demo APKBUILD built twice through the whole pipeline (bit-identical), and the
# result published as a signed repository in build/alpine-demo/<arch>/ with its public key.
set -u
cd "$(dirname "$0")/.."
KILN=${KILN_BIN:-$PWD/kiln}
DISTRO=alpine:v3.20
ARCH=x86_64
demo=$PWD/tests/fixtures/alpine-demo
upstream=$PWD/tests/fixtures/alpine-demo-upstream/kiln-hello-1.0.1
top=$PWD/build/alpine-demo
# the demo's own cache; the Debian packages come from the usual one (make-alpine-repo.sh)
export KILN_HOME=$top/home
export KILN_DISTROS_DIR=$PWD/distros/defs
say() { printf '\n== %s\n' "$*"; }
die() { echo "demo-alpine: $*" >&2; exit 1; }

rm -rf "$top/repo" "$top/$ARCH" "$top/build1" "$top/build2" "$top"/*.rsa.pub
mkdir -p "$top"
say "tests/fixtures/make-alpine-repo.sh $top/repo   (busybox, glibc, tcc, make, build-base from Debian)"
KILN_BIN=$KILN tests/fixtures/make-alpine-repo.sh "$top/repo" || die "the fixture repository could not be made"
keys=$top/repo/keys
key=$keys/kiln-fixture@kiln-00000001.rsa
common=(--mirror "file://$top/repo" --keyring "$keys")

say "kiln update $DISTRO --mirror file://$top/repo --keyring $keys"
"$KILN" update "${common[@]}" "$DISTRO" || die "kiln update failed"
say "kiln source --add $upstream   (the remote source, served from the sha512 source cache)"
"$KILN" source --add "$upstream" || die "kiln source --add failed"
say "kiln info $demo"
"$KILN" info "$demo" || die "kiln info failed"
say "kiln resolve $DISTRO $demo"
"$KILN" resolve "${common[@]}" "$DISTRO" "$demo" || die "kiln resolve failed"
for n in 1 2; do
	say "kiln build $DISTRO $demo -o $top/build$n   (build $n of 2)"
	"$KILN" -q build "${common[@]}" --key "$key" "$DISTRO" "$demo" -o "$top/build$n" ||
		die "build $n failed; log in $top/build$n"
done

say "results"
rc=0
for f in "$top"/build1/*.apk; do
	b=$(basename "$f")
	s1=$(sha256sum <"$f" | cut -d' ' -f1)
	s2=$(sha256sum <"$top/build2/$b" 2>/dev/null | cut -d' ' -f1)
	if [ "$s1" = "$s2" ]; then same=identical; else same=DIFFERENT; rc=1; fi
	printf '%s\n  build 1: %s\n  build 2: %s\n  %s\n' "$b" "$s1" "$s2" "$same"
done

say "kiln index $top/$ARCH   (the repository with the built packages, re-signed)"
mkdir -p "$top/$ARCH"
cp "$top/repo/v3.20/main/$ARCH/"*.apk "$top/build1/"*.apk "$top/$ARCH/"
cp "$key.pub" "$top/"
SOURCE_DATE_EPOCH=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["build"]["source_date_epoch"])' "$top"/build1/*.kiln.json) \
	"$KILN" index "$top/$ARCH" --key "$key" --rewrite-arch "$ARCH" || die "kiln index failed"
"$KILN" index --verify "$top/$ARCH/APKINDEX.tar.gz" --keys-dir "$top" || die "the new index does not verify"
echo
ls -l "$top/$ARCH" "$top"/*.rsa.pub
if [ "$rc" -eq 0 ]; then
	echo "demo-alpine: both builds are bit-identical; repository in $top/$ARCH, key $(basename "$key").pub"
else
	echo "demo-alpine: the builds differ"
fi
exit "$rc"
