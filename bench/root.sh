#!/bin/bash
# root.sh - a build root from cached .debs: kiln (fresh, then reused) next to
# `mmdebstrap --variant=buildd` given the very same .debs; prints the ratios.
set -u
cd "$(dirname "$0")/.."
KILN=${KILN_BIN:-$PWD/kiln}
CACHE=${KILN_CACHE:-/var/cache/kiln}
DISTRO=debian:bookworm
MIRROR=http://deb.debian.org/debian
work=$(mktemp -d /tmp/kiln-bench-root.XXXXXX)
trap 'rm -rf "$work"' EXIT
export KILN_HOME=$work/home
echo "uptime:$(uptime)"
mkdir -p "$KILN_HOME"
[ -d "$CACHE/blobs" ] && ln -s "$CACHE/blobs" "$KILN_HOME/blobs" # cached .debs
"$KILN" -q update "$DISTRO" || exit 1
dsc=$(bash tests/fixtures/make-tiny-source.sh "$work/src" ok)

# kiln: the first build prepares the root, the second reuses it
"$KILN" -q build --json "$dsc" -o "$work/o1" >"$work/k1.json" || exit 1
"$KILN" -q build --json "$dsc" -o "$work/o2" >"$work/k2.json" || exit 1
k_fresh=$(python3 -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["seconds_root"])' "$work/k1.json")
k_reuse=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["seconds_root"])' "$work/k2.json")
rec=$(ls "$work"/o1/*.kiln.json)
# where the fresh root's time went: the kiln: [epoch] lines of its log
python3 - "$KILN_HOME"/roots/*.log <<'PY'
import re, sys
ts = [(float(m.group(1)), m.group(2)) for m in
      (re.match(r"kiln: \[([0-9.]+)\] (.*)", l) for l in open(sys.argv[1])) if m]
print("kiln phases: " + "; ".join("%s %.1f s" % (a, t1 - t0) for (t0, a), (t1, _) in zip(ts, ts[1:])))
PY
echo "kiln: root of $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["lock"]["packages"]))' "$rec") packages from cached .debs: ${k_fresh} s; reused: ${k_reuse} s"

if ! command -v mmdebstrap >/dev/null; then
	echo "mmdebstrap not installed (apt-get install mmdebstrap): no comparison"
	exit 0
fi
# mmdebstrap with the same packages, fed from the same cache (no download)
mkdir -p "$work/debs"
python3 - "$rec" "$KILN_HOME/blobs/sha256" "$work/debs" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1]))
for p in r["lock"]["packages"]:
    src = os.path.join(sys.argv[2], p["sha256"][:2], p["sha256"])
    os.link(src, os.path.join(sys.argv[3], os.path.basename(p["filename"])))
PY
t0=$(date +%s.%N)
mmdebstrap --quiet --variant=buildd --include=fakeroot \
	--setup-hook="mkdir -p \"\$1/var/cache/apt/archives\"; cp -al $work/debs/. \"\$1/var/cache/apt/archives/\"" \
	bookworm "$work/mm-root" "$MIRROR" >/dev/null 2>"$work/mm.err" || { tail -5 "$work/mm.err"; exit 1; }
t1=$(date +%s.%N)
mm=$(python3 -c "print('%.2f' % ($t1 - $t0))")
echo "mmdebstrap --variant=buildd, same .debs: ${mm} s"
python3 -c "print('ratio kiln/mmdebstrap: %.2fx (target <= 0.5x); reuse: %.3f s (target <= 1 s)' % ($k_fresh / $mm, $k_reuse))"
