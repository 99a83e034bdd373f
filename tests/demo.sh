#!/bin/bash
# demo.sh - `make demo`: rebuild hello from Debian bookworm twice with kiln and
# show that both builds give the same bytes (and the bytes sbuild gave).
set -u
cd "$(dirname "$0")/.."
KILN=${KILN_BIN:-$PWD/kiln}
SRC=${DEMO_SOURCE:-hello}
DISTRO=${DEMO_DISTRO:-debian:bookworm}
# reference: bookworm's hello 2.10-3 built by sbuild in unshare mode on 2026-11-27
SBUILD_SHA=3833e140df6c4c6d1503a79981792d0525a7a510d42d5cd0bf71384f5e994164
out=$(mktemp -d /tmp/kiln-demo.XXXXXX)
say() { printf '\n== %s\n' "$*"; }

say "kiln update $DISTRO"
"$KILN" update "$DISTRO" || exit $?
for n in 1 2; do
	say "kiln build $DISTRO $SRC -o $out/build$n   (build $n of 2)"
	t0=$(date +%s.%N)
	"$KILN" build -q "$DISTRO" "$SRC" -o "$out/build$n" -j "$(nproc)" || {
		rc=$?
		echo "demo: build $n failed (exit $rc); log in $out/build$n"
		exit "$rc"
	}
	t1=$(date +%s.%N)
	printf 'build %d took %.1f s\n' "$n" "$(echo "$t1 - $t0" | bc 2>/dev/null || python3 -c "print($t1-$t0)")"
done
say "results"
rc=0
for f in "$out"/build1/*.deb; do
	b=$(basename "$f")
	s1=$(sha256sum <"$f" | cut -d' ' -f1)
	s2=$(sha256sum <"$out/build2/$b" 2>/dev/null | cut -d' ' -f1)
	printf '%s\n  build 1: %s\n  build 2: %s\n' "$b" "$s1" "${s2:-missing}"
	if [ "$s1" = "$s2" ]; then echo "  identical"; else echo "  DIFFERENT"; rc=1; fi
	if [ "$b" = hello_2.10-3_amd64.deb ]; then
		if [ "$s1" = "$SBUILD_SHA" ]; then echo "  same bytes as sbuild's rebuild ($SBUILD_SHA)"
		else echo "  differs from sbuild's rebuild ($SBUILD_SHA)"; fi
	fi
done
echo
echo "outputs, logs and build records: $out/build1 $out/build2"
exit $rc
