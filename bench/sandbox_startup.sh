#!/bin/bash
# sandbox_startup.sh - what the sandbox costs: start-up of `kiln sandbox --
# /bin/true` next to a bare exec and to bwrap with comparable options, and the
# seccomp filter's overhead on syscall-heavy work (a tar extraction of many
# small files, a compile), with and without the filter. Prints ratios.
set -eu
cd "$(dirname "$0")/.."
KILN=${KILN_BIN:-$PWD/kiln}
N=${N:-200}        # start-ups per contender
REPS=${REPS:-7}    # repetitions of each workload (the median is used)
[ -x "$KILN" ] || { echo "build kiln first (make)"; exit 1; }
W=$(mktemp -d /tmp/kiln-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"

now() { date +%s%N; }
# per_run_ms N command... : mean wall time of one run, in ms
per_run_ms() {
	local n=$1; shift
	local t0 t1
	t0=$(now)
	for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1; done
	t1=$(now)
	awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.3f", (b - a) / n / 1e6 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== start-up: $N runs each (host $(uname -r), $(nproc) cpus)"
bare=$(per_run_ms "$N" /bin/true)
kv=$(per_run_ms "$N" "$KILN" --version)
kiln=$(per_run_ms "$N" "$KILN" sandbox -- /bin/true)
kiln_nosec=$(per_run_ms "$N" "$KILN" -q sandbox --no-seccomp -- /bin/true)
printf "  %-44s %8s ms\n" "bare exec of /bin/true" "$bare"
printf "  %-44s %8s ms  (%sx bare; the binary's own start-up)\n" "kiln --version" "$kv" "$(ratio "$kv" "$bare")"
printf "  %-44s %8s ms  (%sx bare)\n" "kiln sandbox -- /bin/true" "$kiln" "$(ratio "$kiln" "$bare")"
printf "  %-44s %8s ms  (%sx bare)\n" "kiln sandbox --no-seccomp -- /bin/true" "$kiln_nosec" "$(ratio "$kiln_nosec" "$bare")"
if command -v bwrap >/dev/null; then
	# the same namespaces, a read-only host /, fresh /proc /dev /tmp, new
	# session, no capabilities; bwrap loads no seccomp filter by itself
	bw=$(per_run_ms "$N" bwrap --unshare-user --unshare-pid --unshare-ipc --unshare-uts --unshare-net \
		--die-with-parent --new-session --cap-drop ALL --hostname kiln \
		--ro-bind / / --proc /proc --dev /dev --tmpfs /tmp -- /bin/true)
	printf "  %-44s %8s ms  (%sx bare)\n" "bwrap (comparable options) -- /bin/true" "$bw" "$(ratio "$bw" "$bare")"
	echo "  kiln / bwrap: $(ratio "$kiln" "$bw")x"
else
	echo "  bwrap not installed (apt-get install bubblewrap): comparison skipped"
fi

echo "== seccomp overhead on syscall-heavy work (median of $REPS)"
# many small files: the extraction is dominated by openat/write/close/utimensat/fchown
mkdir -p "$W/src"
for d in /usr/share/doc /usr/share/man /usr/include; do [ -d "$d" ] && cp -r "$d" "$W/src/" 2>/dev/null || true; done
tar -cf "$W/big.tar" -C "$W/src" . 2>/dev/null
files=$(tar -tf "$W/big.tar" | wc -l)
size=$(du -m "$W/big.tar" | cut -f1)
run_tar() { # extra kiln options...
	"$KILN" -q sandbox "$@" --tmp-size 4G --ro-bind "$W/big.tar:/tmp/big.tar" -- \
		/bin/sh -c 'mkdir /tmp/x && tar -xf /tmp/big.tar -C /tmp/x' >/dev/null 2>&1
}
with=() without=()
for ((r = 0; r < REPS; r++)); do # alternate, so drift hits both alike
	with+=("$(per_run_ms 1 run_tar)")
	without+=("$(per_run_ms 1 run_tar --no-seccomp)")
done
tw=$(printf '%s\n' "${with[@]}" | median)
tn=$(printf '%s\n' "${without[@]}" | median)
pct=$(awk -v a="$tw" -v b="$tn" 'BEGIN { printf "%+.1f", (a - b) / b * 100 }')
printf "  tar -x of %s files (%s MiB)  with filter %8s ms, without %8s ms: %s%% (target <= 3%%)\n" \
	"$files" "$size" "$tw" "$tn" "$pct"

if command -v gcc >/dev/null; then
	run_cc() {
		"$KILN" -q sandbox "$@" --ro-bind "$PWD:/tmp/src" -- /bin/sh -c \
			'for i in 1 2 3 4 5; do gcc -O1 -c -I/tmp/src -D_GNU_SOURCE -o /tmp/o.o /tmp/src/sandbox/seccomp.c || exit 1; done' \
			>/dev/null 2>&1
	}
	with=() without=()
	for ((r = 0; r < REPS; r++)); do
		with+=("$(per_run_ms 1 run_cc)")
		without+=("$(per_run_ms 1 run_cc --no-seccomp)")
	done
	cw=$(printf '%s\n' "${with[@]}" | median)
	cn=$(printf '%s\n' "${without[@]}" | median)
	pct=$(awk -v a="$cw" -v b="$cn" 'BEGIN { printf "%+.1f", (a - b) / b * 100 }')
	printf "  5 x gcc -O1 -c seccomp.c          with filter %8s ms, without %8s ms: %s%% (target <= 3%%)\n" \
		"$cw" "$cn" "$pct"
fi
