#!/bin/bash
# solver-check.sh - `kiln check --all` against dose-builddebcheck on the same
# Packages and Sources (bookworm main amd64): wall time, CPU time and peak
# memory as ratios (targets: <= 0.5x), and the unbuildable sets (must be equal).
set -u
. "$(dirname "$0")/lib-solver.sh"
command -v dose-builddebcheck >/dev/null || { echo "needs dose-builddebcheck (apt-get install dose-builddebcheck)"; exit 1; }
kiln_indices || { echo "kiln update $DISTRO failed"; exit 1; }
echo "Packages: $PACKAGES"
echo "Sources:  $SOURCES"
"$KILN" -q resolve "$DISTRO" hello >/dev/null # builds the pool cache, as any earlier command would

measure "$KILN" check --all --json "$DISTRO" >"$SCRATCH_BENCH/kiln.json" 2>"$SCRATCH_BENCH/kiln.err" 3>"$SCRATCH_BENCH/kiln.t"
measure dose-builddebcheck --deb-native-arch=amd64 -f -e "$PACKAGES" "$SOURCES" >"$SCRATCH_BENCH/dose.yaml" 2>"$SCRATCH_BENCH/dose.err" 3>"$SCRATCH_BENCH/dose.t"
read -r kw kc km <"$SCRATCH_BENCH/kiln.t"
read -r dw dc dm <"$SCRATCH_BENCH/dose.t"

python3 - "$SCRATCH_BENCH/kiln.json" "$SCRATCH_BENCH/dose.yaml" >"$SCRATCH_BENCH/cmp" <<'PY'
import json, re, sys
k = json.load(open(sys.argv[1]))
kb = {(s["name"], s["version"]) for s in k["sources"] if s["status"] == "unbuildable"}
# dose's report: top-level items "-\n  package: X\n  version: Y" with status: broken
text = open(sys.argv[2]).read()
db = set(re.findall(r"\n -\n  package: (\S+)\n  version: (\S+)\n(?:  \S.*\n)*?  status: broken", text))
print(len(kb), len(db), k["buildable"], k["skipped"])
for s in sorted(kb - db): print("only kiln: %s %s" % s)
for s in sorted(db - kb): print("only dose: %s %s" % s)
PY
read -r nk nd nok nskip <"$SCRATCH_BENCH/cmp"
printf '%-22s %8s %8s %10s %s\n' tool wall_s cpu_s peak_MB unbuildable
printf '%-22s %8s %8s %10d %s\n' "kiln check --all" "$kw" "$kc" $((km / 1024)) "$nk ($nok buildable, $nskip not for amd64)"
printf '%-22s %8s %8s %10d %s\n' "dose-builddebcheck" "$dw" "$dc" $((dm / 1024)) "$nd"
echo "ratio kiln/dose: wall $(ratio "$kw" "$dw")x, cpu $(ratio "$kc" "$dc")x, memory $(ratio "$km" "$dm")x (targets <= 0.5x)"
if [ "$(wc -l <"$SCRATCH_BENCH/cmp")" -gt 1 ]; then
	echo "unbuildable sets DIFFER:"; tail -n +2 "$SCRATCH_BENCH/cmp"; exit 1
fi
echo "unbuildable sets are equal ($nk sources):"
python3 -c 'import json,sys; [print("  %s %s: %s" % (s["name"], s["version"], s["reason"].splitlines()[0])) for s in json.load(open(sys.argv[1]))["sources"] if s["status"]=="unbuildable"]' "$SCRATCH_BENCH/kiln.json"
