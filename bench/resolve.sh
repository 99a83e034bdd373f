#!/bin/bash
# resolve.sh - one source's build environment: `kiln resolve` against
# `apt-get -s build-dep` (empty dpkg status, same mirror and suite), as time
# ratios (target <= 0.05x), and the two package sets side by side.
set -u
. "$(dirname "$0")/lib-solver.sh"
SRCS=${*:-hello zlib coreutils openssl}
RUNS=${RUNS:-3}
kiln_indices || { echo "kiln update $DISTRO failed"; exit 1; }
apt_root || { echo "apt-get update in $BENCH_APT failed"; exit 1; }
"$KILN" -q resolve "$DISTRO" hello >/dev/null # pool and source caches, built once per index
apt-get -qq -s build-dep hello >/dev/null 2>&1  # apt's own cache, likewise

# best of RUNS: "wall cpu"
best() {
	local b=""
	for _ in $(seq "$RUNS"); do
		measure "$@" >/dev/null 2>&1 3>"$SCRATCH_BENCH/t"
		b=$(awk -v b="$b" '{ if (b == "" || $1 < substr(b, 1, index(b, " ") - 1)) print $1, $2; else print b }' "$SCRATCH_BENCH/t")
	done
	echo "$b"
}
printf '%-10s %9s %9s %9s %9s %8s %8s  %s\n' source kiln_wall apt_wall kiln_cpu apt_cpu wall_x cpu_x "packages (kiln / apt-get; differences)"
for s in $SRCS; do
	read -r kw kc < <(best "$KILN" -q resolve "$DISTRO" "$s")
	read -r aw ac < <(best apt-get -s build-dep "$s")
	"$KILN" -q resolve "$DISTRO" "$s" | awk 'NR > 6 && $1 != "mirror" {print $1}' | sort >"$SCRATCH_BENCH/k"
	apt-get -s build-dep "$s" 2>/dev/null | awk '$1 == "Inst" {print $2}' | sort >"$SCRATCH_BENCH/a"
	only_k=$(comm -23 "$SCRATCH_BENCH/k" "$SCRATCH_BENCH/a" | wc -l)
	only_a=$(comm -13 "$SCRATCH_BENCH/k" "$SCRATCH_BENCH/a" | tr '\n' ' ')
	printf '%-10s %9s %9s %9s %9s %8s %8s  %d / %d; %d only in kiln, only in apt: %s\n' "$s" "$kw" "$aw" "$kc" "$ac" \
		"$(ratio "$kw" "$aw")" "$(ratio "$kc" "$ac")" "$(wc -l <"$SCRATCH_BENCH/k")" "$(wc -l <"$SCRATCH_BENCH/a")" \
		"$only_k" "${only_a:-none}"
done
echo "kiln's lock also holds every Essential: yes package and build-essential's closure; apt-get"
echo "build-dep on an empty status installs only what the build dependencies pull in."
