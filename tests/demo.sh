#!/bin/bash
# demo.sh - `make demo`: rebuild hello from Debian bookworm twice with kiln and
# show that both builds give the same bytes.
set -u
cd "$(dirname "$0")/.."
KILN=${KILN_BIN:-$PWD/kiln}
SRC=${DEMO_SOURCE:-hello}
DISTRO=${DEMO_DISTRO:-debian:bookworm}
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
done
echo
echo "outputs, logs and build records: $out/build1 $out/build2"
exit $rc
