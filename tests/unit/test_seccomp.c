/* test_seccomp.c - the compiled seccomp program against the policy of issue 4
 * written out again here, independently of seccomp.c's rule code: a small
 * classic-BPF interpreter runs the exported program over many (arch, syscall,
 * arguments) and every verdict must be the one the policy gives. Also checks
 * that the kernel's action cache (Linux >= 5.11) can answer every allowed
 * syscall except the argument-checked ones, which is what keeps the filter's
 * cost low (bench/sandbox_startup.sh). x86_64 only: elsewhere it skips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sandbox/internal.h"

/* the kernel's bit (glibc's __O_TMPFILE adds O_DIRECTORY): with it or
 * O_CREAT, open reads its mode */
#define O_TMPFILE_BIT 020000000
#define X32_BIT 0x40000000u
#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | (uint32_t)(e))

#define NOT_CONSTANT 0xffffffffu /* not a seccomp action: bpf_run's "cannot tell" */

/* Classic BPF as seccomp allows it; *steps counts instructions run. With
 * nr_only, it is the kernel's seccomp_is_const_allow(): the arch is the
 * native one, and reading anything but nr and arch, or an instruction that
 * emulator does not know, gives NOT_CONSTANT. */
static uint32_t bpf_run(const struct sock_fprog *p, const struct seccomp_data *d, int nr_only,
			unsigned *steps)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	unsigned n = 0;

	for (unsigned pc = 0; pc < p->len; pc++, n++) {
		const struct sock_filter *f = &p->filter[pc];
		if (nr_only && BPF_CLASS(f->code) != BPF_JMP && BPF_CLASS(f->code) != BPF_RET &&
		    f->code != (BPF_LD | BPF_W | BPF_ABS) && f->code != (BPF_ALU | BPF_AND | BPF_K))
			return NOT_CONSTANT;
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(f->k % 4 == 0 && f->k < sizeof(*d));
			if (nr_only && f->k != offsetof(struct seccomp_data, nr) &&
			    f->k != offsetof(struct seccomp_data, arch))
				return NOT_CONSTANT;
			memcpy(&a, (const char *)d + f->k, 4);
			break;
		case BPF_LD | BPF_IMM:
			a = f->k;
			break;
		case BPF_LDX | BPF_IMM:
			x = f->k;
			break;
		case BPF_LD | BPF_MEM:
			a = mem[f->k % BPF_MEMWORDS];
			break;
		case BPF_LDX | BPF_MEM:
			x = mem[f->k % BPF_MEMWORDS];
			break;
		case BPF_ST:
			mem[f->k % BPF_MEMWORDS] = a;
			break;
		case BPF_STX:
			mem[f->k % BPF_MEMWORDS] = x;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			break;
		case BPF_ALU | BPF_OR | BPF_K:
			a |= f->k;
			break;
		case BPF_MISC | BPF_TAX:
			x = a;
			break;
		case BPF_MISC | BPF_TXA:
			a = x;
			break;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & f->k) ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			*steps = n + 1;
			return f->k;
		default:
			if (nr_only)
				return NOT_CONSTANT;
			fail_msg("instruction %u: opcode %#x the interpreter does not know", pc,
				 f->code);
		}
	}
	fail_msg("the program runs off its end");
	return 0;
}

/* The kernel's per-syscall allow cache answers nr on the native arch. */
static int cache_allows(const struct sock_fprog *p, uint32_t nr)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = AUDIT_ARCH_X86_64};
	unsigned steps;
	return bpf_run(p, &d, 1, &steps) == SECCOMP_RET_ALLOW;
}

static uint32_t errno_of(const char *action)
{
	static const struct {
		const char *name;
		int err;
	} t[] = {{"EPERM", EPERM},
		 {"ENOSYS", ENOSYS},
		 {"ENOTSUP", ENOTSUP},
		 {"EAFNOSUPPORT", EAFNOSUPPORT}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(action, t[i].name))
			return RET_ERRNO(t[i].err);
	fail_msg("unknown action %s", action);
	return 0;
}

enum verdict { ALLOWED, DENIED, NEITHER };

/* The argument conditions of issue 4, for the syscalls the policy checks by
 * argument: DENIED gets the row's errno, NEITHER the default ENOSYS. */
static enum verdict by_arguments(const char *sys, const __u64 *a)
{
	const uint64_t setid = S_ISUID | S_ISGID, creat = O_CREAT | O_TMPFILE_BIT;
	const uint64_t newns = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
			       CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;
	const uint32_t weakening = READ_IMPLIES_EXEC | MMAP_PAGE_ZERO | ADDR_LIMIT_32BIT |
				   ADDR_LIMIT_3GB | ADDR_COMPAT_LAYOUT | SHORT_INODE |
				   WHOLE_SECONDS | STICKY_TIMEOUTS | FDPIC_FUNCPTRS | UNAME26;
	int deny = 0;

	if (!strcmp(sys, "chmod") || !strcmp(sys, "fchmod") || !strcmp(sys, "creat") ||
	    !strcmp(sys, "mknod"))
		deny = (a[1] & setid) != 0;
	else if (!strcmp(sys, "fchmodat") || !strcmp(sys, "fchmodat2") || !strcmp(sys, "mknodat"))
		deny = (a[2] & setid) != 0;
	else if (!strcmp(sys, "open"))
		deny = (a[1] & creat) && (a[2] & setid);
	else if (!strcmp(sys, "openat"))
		deny = (a[2] & creat) && (a[3] & setid);
	else if (!strcmp(sys, "clone"))
		deny = (a[0] & newns) != 0;
	else if (!strcmp(sys, "ioctl")) /* on the low 32 bits: the kernel truncates cmd */
		deny = (uint32_t)a[1] == TIOCSTI || (uint32_t)a[1] == TIOCLINUX;
	else if (!strcmp(sys, "socket")) /* all 64 bits */
		deny =
		    !(a[0] == AF_UNIX || a[0] == AF_INET || a[0] == AF_INET6 || a[0] == AF_NETLINK);
	else if (!strcmp(sys, "personality")) {
		uint32_t lo = (uint32_t)a[0];
		if (a[0] == PER_LINUX || a[0] == PER_LINUX32 ||
		    a[0] == (PER_LINUX | ADDR_NO_RANDOMIZE) ||
		    a[0] == (PER_LINUX32 | ADDR_NO_RANDOMIZE) || a[0] == 0xffffffffu)
			return ALLOWED;
		/* bit 31 with anything but the query, or a weakening flag */
		if ((lo & 0x80000000u) ? lo != 0xffffffffu : (lo & weakening) != 0)
			return DENIED;
		return NEITHER; /* old personality types */
	} else
		fail_msg("the policy has a condition on %s the test does not know", sys);
	return deny ? DENIED : ALLOWED;
}

/* What the policy says for one call on x86_64. */
static uint32_t policy_verdict(const struct sandbox_opts *o, const struct seccomp_data *d)
{
	struct sandbox_rule_info r;
	char *name;
	uint32_t v = RET_ERRNO(ENOSYS);

	if (d->arch != AUDIT_ARCH_X86_64 || (d->nr & X32_BIT))
		return SECCOMP_RET_KILL_PROCESS;
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, d->nr);
	for (size_t i = 0; name && sandbox_policy_row(i, &r) == 0; i++) {
		if (strcmp(r.syscall, name))
			continue;
		if (!strstr(r.profiles, sandbox_profile_name(o->profile)) ||
		    !strcmp(r.action, "allow"))
			v = SECCOMP_RET_ALLOW;
		else if (!strcmp(name, "modify_ldt") && o->multiarch)
			v = SECCOMP_RET_ALLOW;
		else if (!r.when)
			v = errno_of(r.action);
		else {
			enum verdict b = by_arguments(name, d->args);
			v = b == ALLOWED ? SECCOMP_RET_ALLOW : b == DENIED ? errno_of(r.action) : v;
		}
		break;
	}
	free(name);
	if (o->seccomp_log && v != SECCOMP_RET_ALLOW)
		v = SECCOMP_RET_LOG;
	return v;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* arguments biased towards the values the conditions look at */
static uint64_t some_argument(void)
{
	static const uint64_t interesting[] = {0,
					       1,
					       2,
					       3,
					       8,
					       10,
					       15,
					       16,
					       17,
					       38,
					       40,
					       0x40000,
					       0x40008,
					       0x400000,
					       0x80000000u,
					       0x80400000u,
					       0xffffffffu,
					       ~0ull,
					       1ull << 32,
					       S_ISUID,
					       S_ISGID,
					       S_ISUID | S_ISGID,
					       S_ISUID | 0755,
					       S_ISGID | 0755,
					       0644,
					       O_CREAT,
					       O_TMPFILE_BIT,
					       O_TMPFILE,
					       O_DIRECTORY,
					       O_CREAT | O_WRONLY | O_TRUNC,
					       TIOCSTI,
					       TIOCLINUX,
					       TIOCSTI | (1ull << 32),
					       TCGETS,
					       FIONREAD,
					       CLONE_NEWUSER,
					       CLONE_NEWNS,
					       CLONE_NEWNET,
					       CLONE_THREAD | CLONE_VM | CLONE_SETTLS,
					       0x1200011};
	const size_t n = sizeof(interesting) / sizeof(interesting[0]);
	switch (rnd() % 6) {
	case 0:
		return interesting[rnd() % n];
	case 1:
		return interesting[rnd() % n] | interesting[rnd() % n];
	case 2:
		return interesting[rnd() % n] ^ (1ull << (rnd() % 64));
	case 3:
		return rnd();
	case 4:
		return rnd() & rnd() & rnd();
	default:
		return rnd() % 64;
	}
}

static int x86_64_only(void)
{
	if (seccomp_arch_native() != SCMP_ARCH_X86_64) {
		print_message("skipped: the expectations are written for x86_64\n");
		return 0;
	}
	return 1;
}

static void check_profile(const struct sandbox_opts *o)
{
	struct sock_fprog prog;
	struct kerr e = {0};
	unsigned steps, worst = 0, worst_nr = 0;

	if (seccomp_build(o, &prog, &e) < 0)
		fail_msg("seccomp_build: %s", e.msg);
	for (uint32_t nr = 0; nr < 600; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);
		const char *w = NULL;
		struct sandbox_rule_info r;
		for (size_t i = 0; name && sandbox_policy_row(i, &r) == 0; i++)
			if (!strcmp(r.syscall, name))
				w = r.when;
		int rounds = w ? 40000 : 40;
		for (int k = 0; k < rounds; k++) {
			struct seccomp_data d = {.nr = (int)nr, .arch = AUDIT_ARCH_X86_64};
			for (int i = 0; k > 0 && i < 6; i++)
				d.args[i] = k == 1 ? ~0ull : some_argument();
			uint32_t got = bpf_run(&prog, &d, 0, &steps), want = policy_verdict(o, &d);
			if (got != want)
				fail_msg("%s: syscall %u (%s) args %#llx %#llx %#llx %#llx: filter "
					 "%#x, policy %#x",
					 sandbox_profile_name(o->profile), nr, name ? name : "?",
					 (unsigned long long)d.args[0],
					 (unsigned long long)d.args[1],
					 (unsigned long long)d.args[2],
					 (unsigned long long)d.args[3], got, want);
			if (got == SECCOMP_RET_ALLOW && steps > worst)
				worst = steps, worst_nr = nr;
		}
		free(name);
	}
	/* foreign ABIs: x32 numbers, i386, anything else */
	static const uint32_t other_arch[] = {AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, 0};
	for (uint32_t nr = 0; nr < 600; nr++) {
		struct seccomp_data d = {.nr = (int)(nr | X32_BIT), .arch = AUDIT_ARCH_X86_64};
		assert_int_equal(bpf_run(&prog, &d, 0, &steps), SECCOMP_RET_KILL_PROCESS);
		for (size_t i = 0; !o->multiarch && i < 3; i++) {
			d.nr = (int)nr, d.arch = other_arch[i];
			assert_int_equal(bpf_run(&prog, &d, 0, &steps), SECCOMP_RET_KILL_PROCESS);
		}
	}
	print_message("%s%s: %u instructions; the longest allowed path is %u (syscall %u)\n",
		      sandbox_profile_name(o->profile), o->seccomp_log ? " --seccomp-log" : "",
		      prog.len, worst, worst_nr);
	seccomp_prog_free(&prog);
}

static void check_with(enum sandbox_profile profile, int seccomp_log, int multiarch)
{
	struct sandbox_opts o;
	if (!x86_64_only())
		return;
	sandbox_opts_init(&o);
	o.profile = profile;
	o.seccomp_log = seccomp_log;
	o.multiarch = multiarch;
	check_profile(&o);
}

static void test_filter_gives_the_policy_verdict_for_build(void **s)
{
	check_with(SANDBOX_BUILD, 0, 0);
}

static void test_filter_gives_the_policy_verdict_for_root_prep(void **s)
{
	check_with(SANDBOX_ROOT_PREP, 0, 0);
}

static void test_seccomp_log_logs_every_denial_and_allows_the_rest(void **s)
{
	check_with(SANDBOX_BUILD, 1, 0);
}

/* i386's own verdicts are not checked here: the escape suite's int $0x80
 * attempts do where the kernel can run them */
static void test_multiarch_builds_and_keeps_the_native_verdicts(void **s)
{
	check_with(SANDBOX_BUILD, 0, 1);
}

/* Only the argument-checked syscalls may miss the kernel's allow cache:
 * everything else the policy allows must be answerable from the syscall
 * number alone, or every such call would run the whole filter. */
static void test_cache_answers_every_allowed_syscall_but_the_argument_checked(void **s)
{
	static const enum sandbox_profile profiles[] = {SANDBOX_BUILD, SANDBOX_ROOT_PREP};
	if (!x86_64_only())
		return;
	for (size_t p = 0; p < 2; p++) {
		struct sandbox_opts o;
		struct sock_fprog prog;
		struct kerr e = {0};
		struct sandbox_rule_info r;
		size_t cached = 0;

		sandbox_opts_init(&o);
		o.profile = profiles[p];
		assert_int_equal(seccomp_build(&o, &prog, &e), 0);
		for (size_t i = 0; sandbox_policy_row(i, &r) == 0; i++) {
			int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, r.syscall);
			int applies = strstr(r.profiles, sandbox_profile_name(o.profile)) != NULL;
			int allowed = !applies || !strcmp(r.action, "allow");
			if (nr < 0)
				continue;
			if (applies && r.when) {
				if (cache_allows(&prog, (uint32_t)nr))
					fail_msg(
					    "%s: %s is checked by argument but cached as allowed",
					    sandbox_profile_name(o.profile), r.syscall);
			} else if (allowed != cache_allows(&prog, (uint32_t)nr)) {
				fail_msg("%s: %s is %s but the cache %s it",
					 sandbox_profile_name(o.profile), r.syscall,
					 allowed ? "allowed" : "denied",
					 allowed ? "does not answer" : "allows");
			}
			cached += allowed && !(applies && r.when);
		}
		assert_true(cached > 250);
		seccomp_prog_free(&prog);
	}
}

/* kiln loads the programs the build exported (build/gen/seccomp_prebuilt.c):
 * each must be there, and be exactly what libseccomp makes from the table
 * now, so every test above (which goes through seccomp_build) also checks
 * what kiln really loads */
static void test_prebuilt_programs_are_what_the_table_compiles_to(void **s)
{
	(void)s;
	for (unsigned k = 0; k < SECCOMP_KEYS; k++) {
		struct sandbox_opts o;
		struct sock_fprog prog, loaded;
		struct kerr e = {0};
		const struct sock_fprog *pre = seccomp_prebuilt(k);

		seccomp_key_opts(k, &o);
		assert_int_equal(seccomp_key(&o), k);
		if (!pre)
			fail_msg("key %u: no build-time program linked in", k);
		assert_int_equal(seccomp_compile(&o, &prog, &e), 0);
		assert_int_equal(pre->len, prog.len);
		assert_memory_equal(pre->filter, prog.filter, prog.len * sizeof(*prog.filter));
		assert_int_equal(seccomp_build(&o, &loaded, &e), 0);
		assert_int_equal(loaded.len, prog.len);
		assert_memory_equal(loaded.filter, prog.filter, prog.len * sizeof(*prog.filter));
		seccomp_prog_free(&prog);
		seccomp_prog_free(&loaded);
	}
	assert_null(seccomp_prebuilt(SECCOMP_KEYS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_filter_gives_the_policy_verdict_for_build),
	    cmocka_unit_test(test_filter_gives_the_policy_verdict_for_root_prep),
	    cmocka_unit_test(test_seccomp_log_logs_every_denial_and_allows_the_rest),
	    cmocka_unit_test(test_multiarch_builds_and_keeps_the_native_verdicts),
	    cmocka_unit_test(test_cache_answers_every_allowed_syscall_but_the_argument_checked),
	    cmocka_unit_test(test_prebuilt_programs_are_what_the_table_compiles_to),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
