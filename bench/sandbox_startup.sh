#!/bin/bash
# sandbox_startup.sh - what the sandbox costs: start-up of `kiln sandbox --
# /bin/true` next to a bare exec and to bwrap with comparable options, and the
# seccomp filter's overhead on syscall-heavy work (a tar extraction of many
# small files, a compile), with and without the filter. Prints ratios.
set -eu
cd "$(dirname "$0")/.."
KILN=${KILN_BIN:-$PWD/kiln}
N=${N:-200}        # start-ups per contender
REPS=${REPS:-20}   # pairs of runs of each workload, made even (order alternates within a pair)
((REPS % 2)) && REPS=$((REPS + 1))
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

# ab_overhead LABEL FUNCTION: FUNCTION runs one workload under kiln sandbox
# with the extra options it is given; REPS runs with the filter and REPS
# without, interleaved (which goes first alternates), so that the machine's
# drift hits both alike. Prints medians and quartiles of wall time and of CPU
# time (user+sys of kiln and everything below it: what the filter costs,
# less blurred than wall time by other work on a shared machine), and the
# median of the per-pair CPU ratios.
ab_overhead() {
	local label=$1 fn=$2 r t
	local -a ww=() wn=() cw=() cn=() pr=()
	for ((r = 0; r < REPS; r++)); do
		local first=on second=off
		((r % 2)) && first=off second=on
		for v in $first $second; do
			t=$( { TIMEFORMAT='%R %U %S'; time if [ $v = on ]; then $fn; else $fn --no-seccomp; fi; } 2>&1 >/dev/null | tail -1)
			set -- $t
			if [ $v = on ]; then ww+=("$1"); cw+=("$(awk -v u="$2" -v s="$3" 'BEGIN{print u+s}')")
			else wn+=("$1"); cn+=("$(awk -v u="$2" -v s="$3" 'BEGIN{print u+s}')"); fi
		done
		pr+=("$(awk -v a="${cw[r]}" -v b="${cn[r]}" 'BEGIN{printf "%.5f", a / b}')")
	done
	local qw qn qcw qcn
	qw=$(printf '%s\n' "${ww[@]}" | quartiles) qn=$(printf '%s\n' "${wn[@]}" | quartiles)
	qcw=$(printf '%s\n' "${cw[@]}" | quartiles) qcn=$(printf '%s\n' "${cn[@]}" | quartiles)
	printf "  %s\n" "$label"
	printf "    wall s  with %s  without %s: %s%%\n" "$qw" "$qn" "$(pct "$qw" "$qn")"
	printf "    cpu s   with %s  without %s: %s%%; paired ratio median %s%% (target <= 3%%)\n" \
		"$qcw" "$qcn" "$(pct "$qcw" "$qcn")" \
		"$(printf '%s\n' "${pr[@]}" | median | awk '{printf "%+.1f", ($1 - 1) * 100}')"
	# The estimate to judge by: the geometric mean of the paired ratios. Which
	# run of a pair goes first alternates, so an order effect (the second run
	# of a pair being faster or slower) cancels exactly in the mean over an
	# even number of pairs, where a median of the ratios can land on either
	# side of it. The two halves are shown to make that effect visible.
	printf '%s\n' "${pr[@]}" | awk -v reps="$REPS" '
		{ l = log($1); s += l; n++; if (n % 2) { a += l; na++ } else { b += l; nb++ } }
		END { printf "    cpu, geometric mean of the %d paired ratios: %+.1f%% (target <= 3%%); filter run first %+.1f%%, second %+.1f%%\n",
			n, (exp(s / n) - 1) * 100, (exp(a / na) - 1) * 100, (exp(b / nb) - 1) * 100 }'
}
# quartiles: "median (q1-q3)" of numbers on stdin
quartiles() {
	sort -g | awk '{ v[NR] = $1 } END { printf "%.3f (%.3f-%.3f)", v[int((NR + 1) / 2)], v[int((NR + 3) / 4)], v[int((3 * NR + 1) / 4)] }'
}
pct() { awk -v a="${1%% *}" -v b="${2%% *}" 'BEGIN { printf "%+.1f", (a - b) / b * 100 }'; }

echo "== seccomp overhead on syscall-heavy work: $REPS runs each, interleaved ($(uptime | sed 's/.*load/load/'))"
# many small files: the extraction is dominated by openat/write/close/utimensat/fchown/fchmod
mkdir -p "$W/src"
for d in /usr/share/doc /usr/share/man /usr/include; do [ -d "$d" ] && cp -r "$d" "$W/src/" 2>/dev/null || true; done
tar -cf "$W/big.tar" -C "$W/src" . 2>/dev/null
files=$(tar -tf "$W/big.tar" | wc -l)
size=$(du -m "$W/big.tar" | cut -f1)
run_tar() { # extra kiln options...
	"$KILN" -q sandbox "$@" --tmp-size 4G --ro-bind "$W/big.tar:/tmp/big.tar" -- \
		/bin/sh -c 'mkdir /tmp/x && tar -xf /tmp/big.tar -C /tmp/x' >/dev/null 2>&1
}
ab_overhead "tar -x of $files files ($size MiB) into the sandbox's tmpfs" run_tar
if command -v gcc >/dev/null; then
	run_cc() {
		"$KILN" -q sandbox "$@" --ro-bind "$PWD:/tmp/src" -- /bin/sh -c \
			'for i in 1 2 3 4 5; do gcc -O1 -c -I/tmp/src -D_GNU_SOURCE -o /tmp/o.o /tmp/src/sandbox/seccomp.c || exit 1; done' \
			>/dev/null 2>&1
	}
	ab_overhead "5 x gcc -O1 -c sandbox/seccomp.c" run_cc
fi

# Where the cost is, without kiln's start-up: the same syscalls, and the same
# tar extraction, under no filter, a filter that allows everything (every
# syscall answered by the kernel's allow cache: the cost of having a filter at
# all), a minimal filter that reads an argument of exactly the syscalls kiln
# checks by argument (the least any such policy costs), and kiln's filter.
if command -v gcc >/dev/null && [ -f build/libkiln.a ] && [ -f build/gen/seccomp_prebuilt.o ]; then
	cat >"$W/ab.c" <<'C'
#include "sandbox/internal.h"
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#define NV 4
#define NS 4
static const char *const vname[NV] = {"no filter", "allow-all", "minimal arg", "kiln"};
static struct sock_fprog prog[NV];
static double cpu_ns(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double med(double *v, int n) { qsort(v, n, sizeof(*v), cmp); return v[n / 2]; }
static void load(int v) {
	struct kerr e = {0};
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (v > 0 && seccomp_load_prog(&prog[v], &e) < 0) { fprintf(stderr, "%s\n", e.msg); _exit(1); }
}
/* per syscall: the best of 10 chunks of 2000 calls, thread CPU time */
static void syscalls(const char *path, double out[NS]) {
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	for (int t = 0; t < NS; t++) {
		double best = 1e18;
		for (int c = 0; c < 10; c++) {
			double t0 = cpu_ns();
			for (int i = 0; i < 2000; i++)
				switch (t) {
				case 0: syscall(SYS_getppid); break;
				case 1: fchown(fd, -1, -1); break;
				case 2: fchmod(fd, 0644); break;
				default: close(openat(AT_FDCWD, path, O_CREAT | O_WRONLY, 0644));
				}
			double d = (cpu_ns() - t0) / 2000;
			if (d < best) best = d;
		}
		out[t] = best;
	}
	close(fd);
}
int main(int argc, char **argv) {
	/* argv: file-for-syscalls tarball scratch-dir rounds */
	static const int argchecked[] = {SYS_open, SYS_ioctl, SYS_clone, SYS_creat, SYS_chmod, SYS_fchmod, SYS_mknod,
					 SYS_personality, SYS_openat, SYS_mknodat, SYS_fchmodat, 452 /* fchmodat2 */, SYS_socket};
	enum { NA = sizeof(argchecked) / sizeof(argchecked[0]) };
	static struct sock_filter all[1] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)}, min[NA + 4];
	struct sandbox_opts o;
	struct kerr e = {0};
	int n = 0, K = argc > 4 ? atoi(argv[4]) : 11;
	sandbox_opts_init(&o);
	prog[1] = (struct sock_fprog){1, all};
	min[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (int i = 0; i < NA; i++)
		min[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, argchecked[i], NA - i, 0);
	min[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	min[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
	min[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[2] = (struct sock_fprog){(unsigned short)n, min};
	double t = cpu_ns();
	struct sock_fprog compiled;
	if (seccomp_compile(&o, &compiled, &e) < 0) { puts(e.msg); return 1; }
	double tc = cpu_ns() - t;
	t = cpu_ns();
	if (seccomp_build(&o, &prog[3], &e) < 0) { puts(e.msg); return 1; }
	printf("  kiln's filter (%u instructions): compiling it with libseccomp %.2f ms CPU; what kiln does, taking the build-time program, %.3f ms\n",
	       prog[3].len, tc / 1e6, (cpu_ns() - t) / 1e6);
	seccomp_prog_free(&compiled);
	double sc[NV][64][NS], tar[NV][64];
	char cmd[4200];
	for (int k = 0; k < K && k < 64; k++)
		for (int i = 0; i < NV; i++) {
			int v = (i + k) % NV, p[2], st;
			struct rusage ru;
			if (pipe(p) < 0) return 1;
			pid_t c = fork();
			if (c == 0) {
				double r[NS];
				load(v);
				syscalls(argv[1], r);
				_exit(write(p[1], r, sizeof(r)) != sizeof(r));
			}
			waitpid(c, NULL, 0);
			if (read(p[0], sc[v][k], sizeof(sc[v][k])) != sizeof(sc[v][k])) return 1;
			close(p[0]), close(p[1]);
			snprintf(cmd, sizeof(cmd), "rm -rf '%s/x' && mkdir '%s/x'", argv[3], argv[3]);
			if (system(cmd) != 0) return 1;
			if ((c = fork()) == 0) {
				if (chdir(argv[3]) || chdir("x")) _exit(1);
				load(v);
				execlp("tar", "tar", "-xf", argv[2], (char *)NULL);
				_exit(127);
			}
			if (wait4(c, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) { puts("tar failed"); return 1; }
			tar[v][k] = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		}
	static const char *const sname[NS] = {"getppid (cached)", "fchown (cached)", "fchmod (runs the filter)", "openat+close (runs it)"};
	printf("  per syscall, ns of CPU (median of %d rounds of best-of-10 chunks):\n  %-26s", K, "");
	for (int v = 0; v < NV; v++) printf(" %12s", vname[v]);
	printf("\n");
	for (int s = 0; s < NS; s++) {
		double m[NV];
		printf("  %-26s", sname[s]);
		for (int v = 0; v < NV; v++) {
			double a[64];
			for (int k = 0; k < K; k++) a[k] = sc[v][k][s];
			m[v] = med(a, K);
			printf(" %12.0f", m[v]);
		}
		printf("   kiln - minimal arg: %+.0f ns\n", m[3] - m[2]);
	}
	printf("  tar -x, s of CPU (median of %d):", K);
	double base = 0;
	for (int v = 0; v < NV; v++) {
		double m = med(tar[v], K);
		if (v == 0) base = m;
		printf("  %s %.3f (%+.1f%%)", vname[v], m, (m - base) / base * 100);
	}
	printf("\n");
	seccomp_prog_free(&prog[3]);
	return 0;
}
C
	if gcc -O2 -I. -D_GNU_SOURCE -o "$W/ab" "$W/ab.c" build/gen/seccomp_prebuilt.o build/libkiln.a $(pkg-config --libs libseccomp) 2>"$W/ab.err"; then
		x=$W; [ -d /dev/shm ] && x=$(mktemp -d /dev/shm/kiln-bench.XXXXXX)
		echo "== where the cost is: no filter / allow-all / minimal argument filter / kiln, in one process, interleaved"
		"$W/ab" "$W/abfile" "$W/big.tar" "$x" "$REPS"
		[ "$x" != "$W" ] && rm -rf "$x"
	else
		echo "== in-process A/B: could not compile ($(head -1 "$W/ab.err"))"
	fi
fi
