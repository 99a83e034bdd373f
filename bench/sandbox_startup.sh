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
	echo "  kiln / bwrap: $(ratio "$kiln" "$bw")x; minus each binary's own start-up" \
		"(kiln --version, bare exec): $(ratio "$(awk -v a="$kiln" -v b="$kv" 'BEGIN{print a-b}')" \
		"$(awk -v a="$bw" -v b="$bare" 'BEGIN{print a-b}')")x"
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
for ((r = 0; r < REPS; r++)); do # interleaved, and which goes first alternates
	if ((r % 2)); then
		without+=("$(per_run_ms 1 run_tar --no-seccomp)")
		with+=("$(per_run_ms 1 run_tar)")
	else
		with+=("$(per_run_ms 1 run_tar)")
		without+=("$(per_run_ms 1 run_tar --no-seccomp)")
	fi
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
		if ((r % 2)); then
			without+=("$(per_run_ms 1 run_cc --no-seccomp)")
			with+=("$(per_run_ms 1 run_cc)")
		else
			with+=("$(per_run_ms 1 run_cc)")
			without+=("$(per_run_ms 1 run_cc --no-seccomp)")
		fi
	done
	cw=$(printf '%s\n' "${with[@]}" | median)
	cn=$(printf '%s\n' "${without[@]}" | median)
	pct=$(awk -v a="$cw" -v b="$cn" 'BEGIN { printf "%+.1f", (a - b) / b * 100 }')
	printf "  5 x gcc -O1 -c seccomp.c          with filter %8s ms, without %8s ms: %s%% (target <= 3%%)\n" \
		"$cw" "$cn" "$pct"
fi

# The same syscalls in one process, before and after loading kiln's filter:
# free of start-up and of most of the noise of a shared machine.
if command -v gcc >/dev/null && [ -f build/libkiln.a ]; then
	cat >"$W/ab.c" <<'C'
#include "sandbox/internal.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
/* one round: ns per getppid, fchmod, openat+close */
static void round_ns(const char *path, double out[3])
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	double t0 = now();
	for (int i = 0; i < 50000; i++) syscall(SYS_getppid);
	double t1 = now();
	for (int i = 0; i < 50000; i++) fchmod(fd, 0644);
	double t2 = now();
	for (int i = 0; i < 25000; i++) close(openat(AT_FDCWD, path, O_CREAT | O_WRONLY, 0644));
	double t3 = now();
	close(fd);
	out[0] = (t1 - t0) * 2e4, out[1] = (t2 - t1) * 2e4, out[2] = (t3 - t2) * 4e4;
}
int main(int argc, char **argv)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	struct sock_fprog prog;
	double best[2][3] = {{1e9, 1e9, 1e9}, {1e9, 1e9, 1e9}}, r[3];
	sandbox_opts_init(&o);
	double t = now();
	if (seccomp_build(&o, &prog, &e) < 0) { puts(e.msg); return 1; }
	printf("  building the filter: %.1f ms (%u instructions)\n", (now() - t) * 1e3, prog.len);
	/* rounds alternate between this process (no filter) and a child that
	 * loads the filter, so the machine's drift hits both alike */
	for (int k = 0; k < 15; k++) {
		int p[2];
		if (pipe(p) < 0) return 1;
		pid_t c = fork();
		if (c == 0) {
			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
			if (seccomp_load_prog(&prog, &e) < 0) _exit(1);
			round_ns(argv[1], r);
			if (write(p[1], r, sizeof(r)) != sizeof(r)) _exit(1);
			_exit(0);
		}
		waitpid(c, NULL, 0);
		if (read(p[0], r, sizeof(r)) != sizeof(r)) return 1;
		close(p[0]), close(p[1]);
		for (int i = 0; i < 3; i++) if (r[i] < best[1][i]) best[1][i] = r[i];
		round_ns(argv[1], r);
		for (int i = 0; i < 3; i++) if (r[i] < best[0][i]) best[0][i] = r[i];
	}
	const char *names[3] = {"getppid", "fchmod", "openat+close"};
	for (int i = 0; i < 3; i++)
		printf("  %-13s without %6.0f ns, with %6.0f ns: %+.1f%%\n", names[i], best[0][i], best[1][i],
		       (best[1][i] - best[0][i]) / best[0][i] * 100);
	seccomp_prog_free(&prog);
	return argc < 2;
}
C
	if gcc -O2 -I. -D_GNU_SOURCE -o "$W/ab" "$W/ab.c" build/libkiln.a $(pkg-config --libs libseccomp) 2>"$W/ab.err"; then
		echo "== per-syscall cost, best of 15 interleaved rounds (getppid: the kernel's allow cache answers; fchmod, openat: the filter runs)"
		"$W/ab" "$W/abfile"
	else
		echo "== per-syscall A/B: could not compile ($(head -1 "$W/ab.err"))"
	fi
fi
