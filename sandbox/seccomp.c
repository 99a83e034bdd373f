/* seccomp.c - the seccomp policy as one table a reviewer can read (syscall,
 * action, profiles, why), and the code that turns it into two filters.
 *
 * Shape: an allowlist. A syscall not in the table gets ENOSYS, so a syscall
 * added to the kernel tomorrow is refused until someone reads it (Nix and
 * flatpak used denylists and were bypassed by fchmodat2 and clone3/the new
 * mount API). ENOSYS, not EPERM, because libc falls back only on ENOSYS
 * (glibc's clone3 -> clone). Dangerous calls get an explicit EPERM so that a
 * build fails legibly; nothing is killed except a foreign ABI.
 *
 * One filter, a binary tree over syscall numbers. Argument checks are
 * written as a denial plus its exact complement as allow rules ("allow
 * chmod when mode & 06000 == 0"), because libseccomp lets an unconditional
 * allow swallow any conditional rule of the same syscall. The kernel's
 * per-syscall allow cache answers argument-free syscalls without running
 * the filter at all; bench/sandbox_startup.sh measures what remains. */
#include "sandbox/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>

#define P_BUILD 1u
#define P_PREP 2u
#define P_ALL (P_BUILD | P_PREP)

#define ALLOW 0 /* "action" value meaning allow; anything else is an errno */

#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif

/* Argument checks. Each adds, for one syscall number, the rules that deny
 * (with `deny`) and the rules that allow everything else; the two sets never
 * overlap, and together they cover every argument value. */
typedef int (*arg_rules_fn)(scmp_filter_ctx f, uint32_t deny, int nr);

/* -EACCES means "that is the default action already" (--seccomp-log) */
static int add_ok(int r)
{
	return r == -EACCES ? 0 : r;
}
#define rule_add(...) add_ok(seccomp_rule_add(__VA_ARGS__))
#define ALLOW_IF(f, nr, ...) rule_add(f, SCMP_ACT_ALLOW, nr, __VA_ARGS__)

/* deny: mode has S_ISUID, or S_ISGID (and, for open, O_CREAT or O_TMPFILE
 * is set); allow: mode has neither, or (open) neither flag is set */
static int setid_mode_rules(scmp_filter_ctx f, uint32_t deny, int nr, unsigned mode_arg,
			    int flags_arg)
{
	static const unsigned bits[] = {S_ISUID, S_ISGID};
	static const unsigned creat_flags[] = {O_CREAT, __O_TMPFILE};
	int r = ALLOW_IF(f, nr, 1, SCMP_CMP(mode_arg, SCMP_CMP_MASKED_EQ, S_ISUID | S_ISGID, 0));

	if (r == 0 && flags_arg >= 0)
		r = ALLOW_IF(
		    f, nr, 1,
		    SCMP_CMP((unsigned)flags_arg, SCMP_CMP_MASKED_EQ, O_CREAT | __O_TMPFILE, 0));
	for (size_t b = 0; b < 2 && r == 0; b++) {
		struct scmp_arg_cmp mode = SCMP_CMP(mode_arg, SCMP_CMP_MASKED_EQ, bits[b], bits[b]);
		if (flags_arg < 0) {
			r = rule_add(f, deny, nr, 1, mode);
			continue;
		}
		for (size_t k = 0; k < 2 && r == 0; k++) {
			struct scmp_arg_cmp fl = SCMP_CMP((unsigned)flags_arg, SCMP_CMP_MASKED_EQ,
							  creat_flags[k], creat_flags[k]);
			r = rule_add(f, deny, nr, 2, fl, mode);
		}
	}
	return r;
}
static int mode_a1(scmp_filter_ctx f, uint32_t a, int nr)
{
	return setid_mode_rules(f, a, nr, 1, -1);
}
static int mode_a2(scmp_filter_ctx f, uint32_t a, int nr)
{
	return setid_mode_rules(f, a, nr, 2, -1);
}
static int open_a1_a2(scmp_filter_ctx f, uint32_t a, int nr)
{
	return setid_mode_rules(f, a, nr, 2, 1);
}
static int open_a2_a3(scmp_filter_ctx f, uint32_t a, int nr)
{
	return setid_mode_rules(f, a, nr, 3, 2);
}

static int clone_newns_flags(scmp_filter_ctx f, uint32_t deny, int nr)
{
	static const unsigned long fl[] = {CLONE_NEWNS,	 CLONE_NEWCGROUP, CLONE_NEWUTS,
					   CLONE_NEWIPC, CLONE_NEWUSER,	  CLONE_NEWPID,
					   CLONE_NEWNET};
	unsigned long all = 0;
	int r = 0;
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]) && r == 0; i++) {
		all |= fl[i];
		r = rule_add(f, deny, nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, fl[i], fl[i]));
	}
	return r ? r : ALLOW_IF(f, nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, all, 0));
}

/* Compared on the low 32 bits: the kernel truncates cmd to unsigned int, so
 * TIOCSTI | 1<<32 must not slip through (CVE-2019-10063). The complement of
 * {a, b} in masked equalities: x differs from both on a bit where a and b
 * agree (one rule per such bit), or x's bits where they differ form a third
 * pattern (one rule per pattern). */
static int ioctl_tty_inject(scmp_filter_ctx f, uint32_t deny, int nr)
{
	const uint32_t a = TIOCSTI, b = TIOCLINUX, diff = a ^ b;
	int r = rule_add(f, deny, nr, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, a));
	if (r == 0)
		r = rule_add(f, deny, nr, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, b));
	for (unsigned bit = 0; bit < 32 && r == 0; bit++) {
		uint32_t m = 1u << bit;
		if (!(diff & m))
			r = ALLOW_IF(f, nr, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, m, ~a & m));
	}
	/* every subset of diff's bits, except a's and b's */
	for (uint32_t sub = diff;; sub = (sub - 1) & diff) {
		if (r == 0 && sub != (a & diff) && sub != (b & diff))
			r = ALLOW_IF(f, nr, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, diff, sub));
		if (sub == 0)
			break;
	}
	return r;
}

/* Allowed: AF_UNIX(1), AF_INET(2), AF_INET6(10), AF_NETLINK(16), compared on
 * all 64 bits; denied: above 16 (high garbage included) and the others below. */
static int socket_families(scmp_filter_ctx f, uint32_t deny, int nr)
{
	static const unsigned ok[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
	int r = rule_add(f, deny, nr, 1, SCMP_A0(SCMP_CMP_GT, AF_NETLINK, 0));
	for (unsigned fam = 0; fam < AF_NETLINK && r == 0; fam++)
		if (fam != AF_UNIX && fam != AF_INET && fam != AF_INET6)
			r = rule_add(f, deny, nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, fam));
	for (size_t i = 0; i < 4 && r == 0; i++)
		r = ALLOW_IF(f, nr, 1, SCMP_A0(SCMP_CMP_EQ, ok[i], 0));
	return r;
}

/* Allowed: PER_LINUX, PER_LINUX32, either with ADDR_NO_RANDOMIZE (gdb,
 * setarch -R), and the query 0xffffffff. Denied: the flags that weaken the
 * address space, and any other value with bit 31 set (the kernel stores it).
 * Anything else (old personality types) falls to ENOSYS. */
static int personality_flags(scmp_filter_ctx f, uint32_t deny, int nr)
{
	static const unsigned bad[] = {
	    READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, ADDR_LIMIT_32BIT, ADDR_LIMIT_3GB, ADDR_COMPAT_LAYOUT,
	    SHORT_INODE,       WHOLE_SECONDS,  STICKY_TIMEOUTS,	 FDPIC_FUNCPTRS, UNAME26};
	static const unsigned ok[] = {PER_LINUX, PER_LINUX32, PER_LINUX | ADDR_NO_RANDOMIZE,
				      PER_LINUX32 | ADDR_NO_RANDOMIZE, 0xffffffffu};
	int r = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) && r == 0; i++)
		r = rule_add(f, deny, nr, 1,
			     SCMP_A0(SCMP_CMP_MASKED_EQ, 0x80000000u | bad[i], bad[i]));
	for (unsigned bit = 0; bit < 31 && r == 0; bit++)
		r = rule_add(f, deny, nr, 1,
			     SCMP_A0(SCMP_CMP_MASKED_EQ, 0x80000000u | (1u << bit), 0x80000000u));
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]) && r == 0; i++)
		r = ALLOW_IF(f, nr, 1, SCMP_A0(SCMP_CMP_EQ, ok[i], 0));
	return r;
}

struct policy_row {
	const char *syscall;
	unsigned profiles; /* where this row applies; elsewhere the syscall is allowed */
	int action;	   /* ALLOW, or the errno returned */
	arg_rules_fn when; /* NULL: always; else the action applies only when it matches */
	const char *when_text;
	const char *why;
};

#define ALLOWED(name, why)                                                                         \
	{                                                                                          \
		name, P_ALL, ALLOW, NULL, NULL, why                                                \
	}
#define DENIED(name, err, why)                                                                     \
	{                                                                                          \
		name, P_ALL, err, NULL, NULL, why                                                  \
	}

/* clang-format off */
static const struct policy_row policy[] = {
	/* ---- argument checks: denied when the condition holds, allowed otherwise ---- */
	{"chmod",     P_BUILD, EPERM, mode_a1, "mode has S_ISUID or S_ISGID", "no setuid/setgid files from a build; fakeroot catches EPERM and records the mode (Nix)"},
	{"fchmod",    P_BUILD, EPERM, mode_a1, "mode has S_ISUID or S_ISGID", "as chmod"},
	{"fchmodat",  P_BUILD, EPERM, mode_a2, "mode has S_ISUID or S_ISGID", "as chmod"},
	{"fchmodat2", P_BUILD, EPERM, mode_a2, "mode has S_ISUID or S_ISGID", "as chmod; this one bypassed Nix's filter (NixOS/nix ba68045)"},
	{"creat",     P_BUILD, EPERM, mode_a1, "mode has S_ISUID or S_ISGID", "creating a file with the bits set (systemd restrict_sxid)"},
	{"open",      P_BUILD, EPERM, open_a1_a2, "O_CREAT or O_TMPFILE, mode has S_ISUID or S_ISGID", "as creat"},
	{"openat",    P_BUILD, EPERM, open_a2_a3, "O_CREAT or O_TMPFILE, mode has S_ISUID or S_ISGID", "as creat"},
	{"mknod",     P_BUILD, EPERM, mode_a1, "mode has S_ISUID or S_ISGID", "as creat (regular files can be made with mknod)"},
	{"mknodat",   P_BUILD, EPERM, mode_a2, "mode has S_ISUID or S_ISGID", "as creat"},
	{"clone",     P_ALL, EPERM, clone_newns_flags, "flags have any CLONE_NEW*", "no new namespaces: each is new kernel attack surface (Docker)"},
	{"ioctl",     P_ALL, EPERM, ioctl_tty_inject, "cmd (low 32 bits) is TIOCSTI or TIOCLINUX", "typing into a terminal outside (CVE-2017-5226, CVE-2019-10063, CVE-2023-28100)"},
	{"socket",    P_ALL, EAFNOSUPPORT, socket_families, "family not AF_UNIX, AF_INET, AF_INET6, AF_NETLINK", "AF_PACKET, AF_ALG, AF_VSOCK... are rarely needed and often buggy (flatpak)"},
	{"personality", P_ALL, EPERM, personality_flags, "READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, ADDR_LIMIT_*, ... or bit 31 set (except the query 0xffffffff)", "weakening the address space layout; ADDR_NO_RANDOMIZE stays for gdb (moby#43011)"},

	/* ---- refused outright ---- */
	DENIED("mount",        EPERM, "no changes to the file system layout"),
	DENIED("umount2",      EPERM, "as mount"),
	DENIED("umount",       EPERM, "as mount"),
	DENIED("pivot_root",   EPERM, "as mount"),
	{"chroot", P_BUILD, EPERM, NULL, NULL, "as mount; allowed in root-prep for mmdebstrap-style hooks (the old root is gone anyway)"},
	DENIED("unshare",      EPERM, "no new namespaces"),
	DENIED("setns",        EPERM, "no joining other namespaces"),
	DENIED("keyctl",       EPERM, "the kernel keyring is not namespaced"),
	DENIED("add_key",      EPERM, "as keyctl"),
	DENIED("request_key",  EPERM, "as keyctl"),
	DENIED("bpf",          EPERM, "kernel attack surface"),
	DENIED("perf_event_open", EPERM, "host-wide observation, kernel attack surface"),
	DENIED("userfaultfd",  EPERM, "widens kernel race windows in exploits"),
	DENIED("kexec_load",   EPERM, "replaces the kernel"),
	DENIED("kexec_file_load", EPERM, "as kexec_load"),
	DENIED("reboot",       EPERM, "host control"),
	DENIED("init_module",  EPERM, "kernel modules"),
	DENIED("finit_module", EPERM, "kernel modules"),
	DENIED("delete_module", EPERM, "kernel modules"),
	DENIED("swapon",       EPERM, "host control"),
	DENIED("swapoff",      EPERM, "host control"),
	DENIED("acct",         EPERM, "host control"),
	DENIED("quotactl",     EPERM, "host control"),
	DENIED("quotactl_fd",  EPERM, "host control"),
	DENIED("syslog",       EPERM, "the kernel log is the host's"),
	DENIED("iopl",         EPERM, "raw I/O ports"),
	DENIED("ioperm",       EPERM, "raw I/O ports"),
	DENIED("settimeofday", EPERM, "the clock is the host's"),
	DENIED("clock_settime", EPERM, "the clock is the host's"),
	DENIED("clock_adjtime", EPERM, "the clock is the host's"),
	DENIED("open_by_handle_at", EPERM, "opens files by handle, past any mount boundary (the shocker escape)"),
	DENIED("name_to_handle_at", EPERM, "the other half of open_by_handle_at"),
	DENIED("lookup_dcookie", EPERM, "kernel profiling"),
	DENIED("kcmp",         EPERM, "compares kernel objects of other processes"),
	DENIED("pidfd_getfd",  EPERM, "steals file descriptors from other processes"),
	DENIED("mbind",        EPERM, "NUMA placement is the host's business"),
	DENIED("set_mempolicy", EPERM, "as mbind"),
	DENIED("set_mempolicy_home_node", EPERM, "as mbind"),
	DENIED("move_pages",   EPERM, "as mbind"),
	DENIED("migrate_pages", EPERM, "as mbind"),
	DENIED("fanotify_init", EPERM, "file system wide monitoring"),
	DENIED("sethostname",  EPERM, "the hostname is fixed for reproducibility"),
	DENIED("setdomainname", EPERM, "as sethostname"),
	DENIED("vhangup",      EPERM, "terminal control"),
	DENIED("uselib",       EPERM, "obsolete"),
	DENIED("nfsservctl",   EPERM, "obsolete"),
	DENIED("_sysctl",      EPERM, "obsolete"),
	DENIED("vm86",         EPERM, "obsolete"),
	DENIED("vm86old",      EPERM, "obsolete"),
	DENIED("modify_ldt",   EPERM, "16-bit segments; only with --multiarch (wine)"),
	{"setxattr",     P_BUILD, ENOTSUP, NULL, NULL, "extended attributes are not packaged; ENOTSUP, not EPERM, as libacl copes with it (Nix 1b47748)"},
	{"lsetxattr",    P_BUILD, ENOTSUP, NULL, NULL, "as setxattr"},
	{"fsetxattr",    P_BUILD, ENOTSUP, NULL, NULL, "as setxattr"},
	{"removexattr",  P_BUILD, ENOTSUP, NULL, NULL, "as setxattr"},
	{"lremovexattr", P_BUILD, ENOTSUP, NULL, NULL, "as setxattr"},
	{"fremovexattr", P_BUILD, ENOTSUP, NULL, NULL, "as setxattr"},

	/* ---- ENOSYS on purpose: libc falls back to an older call we can filter ---- */
	DENIED("clone3",       ENOSYS, "flags sit in a struct seccomp cannot read; glibc falls back to clone on ENOSYS (moby 9f6b562)"),
	DENIED("openat2",      ENOSYS, "mode sits in struct open_how; callers fall back to openat"),
	DENIED("fsopen",       ENOSYS, "new mount API (CVE-2021-41133)"),
	DENIED("fsconfig",     ENOSYS, "new mount API"),
	DENIED("fsmount",      ENOSYS, "new mount API"),
	DENIED("fspick",       ENOSYS, "new mount API"),
	DENIED("move_mount",   ENOSYS, "new mount API"),
	DENIED("open_tree",    ENOSYS, "new mount API"),
	DENIED("mount_setattr", ENOSYS, "new mount API"),
	DENIED("io_uring_setup", ENOSYS, "io_uring operations bypass seccomp (moby 891241e)"),
	DENIED("io_uring_enter", ENOSYS, "as io_uring_setup"),
	DENIED("io_uring_register", ENOSYS, "as io_uring_setup"),

	/* ---- allowed: files ---- */
	ALLOWED("read", "file I/O"), ALLOWED("write", "file I/O"), ALLOWED("readv", "file I/O"),
	ALLOWED("writev", "file I/O"), ALLOWED("pread64", "file I/O"), ALLOWED("pwrite64", "file I/O"),
	ALLOWED("preadv", "file I/O"), ALLOWED("pwritev", "file I/O"), ALLOWED("preadv2", "file I/O"),
	ALLOWED("pwritev2", "file I/O"), ALLOWED("lseek", "file I/O"), ALLOWED("_llseek", "file I/O"),
	ALLOWED("close", "file I/O"), ALLOWED("close_range", "file I/O"), ALLOWED("dup", "file I/O"),
	ALLOWED("dup2", "file I/O"), ALLOWED("dup3", "file I/O"), ALLOWED("fcntl", "file I/O"),
	ALLOWED("fcntl64", "file I/O"), ALLOWED("flock", "file I/O"), ALLOWED("fsync", "file I/O"),
	ALLOWED("fdatasync", "file I/O"), ALLOWED("sync", "file I/O"), ALLOWED("syncfs", "file I/O"),
	ALLOWED("sync_file_range", "file I/O"), ALLOWED("fadvise64", "file I/O"),
	ALLOWED("fadvise64_64", "file I/O"), ALLOWED("readahead", "file I/O"),
	ALLOWED("fallocate", "file I/O"), ALLOWED("truncate", "file I/O"),
	ALLOWED("truncate64", "file I/O"), ALLOWED("ftruncate", "file I/O"),
	ALLOWED("ftruncate64", "file I/O"), ALLOWED("sendfile", "file I/O"),
	ALLOWED("sendfile64", "file I/O"), ALLOWED("copy_file_range", "file I/O"),
	ALLOWED("splice", "file I/O"), ALLOWED("tee", "file I/O"), ALLOWED("vmsplice", "file I/O"),
	ALLOWED("access", "paths"), ALLOWED("faccessat", "paths"), ALLOWED("faccessat2", "paths"),
	ALLOWED("stat", "paths"), ALLOWED("stat64", "paths"), ALLOWED("lstat", "paths"),
	ALLOWED("lstat64", "paths"), ALLOWED("fstat", "paths"), ALLOWED("fstat64", "paths"),
	ALLOWED("newfstatat", "paths"), ALLOWED("fstatat64", "paths"), ALLOWED("statx", "paths"),
	ALLOWED("statfs", "paths"), ALLOWED("statfs64", "paths"), ALLOWED("fstatfs", "paths"),
	ALLOWED("fstatfs64", "paths"), ALLOWED("getcwd", "paths"), ALLOWED("chdir", "paths"),
	ALLOWED("fchdir", "paths"), ALLOWED("getdents", "paths"), ALLOWED("getdents64", "paths"),
	ALLOWED("mkdir", "paths"), ALLOWED("mkdirat", "paths"), ALLOWED("rmdir", "paths"),
	ALLOWED("rename", "paths"), ALLOWED("renameat", "paths"), ALLOWED("renameat2", "paths"),
	ALLOWED("link", "paths"), ALLOWED("linkat", "paths"), ALLOWED("unlink", "paths"),
	ALLOWED("unlinkat", "paths"), ALLOWED("symlink", "paths"), ALLOWED("symlinkat", "paths"),
	ALLOWED("readlink", "paths"), ALLOWED("readlinkat", "paths"), ALLOWED("umask", "paths"),
	ALLOWED("chown", "ownership (fakeroot intercepts; the kernel checks)"),
	ALLOWED("chown32", "ownership"), ALLOWED("fchown", "ownership"), ALLOWED("fchown32", "ownership"),
	ALLOWED("fchownat", "ownership"), ALLOWED("lchown", "ownership"), ALLOWED("lchown32", "ownership"),
	ALLOWED("utime", "timestamps"), ALLOWED("utimes", "timestamps"), ALLOWED("futimesat", "timestamps"),
	ALLOWED("utimensat", "timestamps"), ALLOWED("utimensat_time64", "timestamps"),
	ALLOWED("getxattr", "reading extended attributes"), ALLOWED("lgetxattr", "reading extended attributes"),
	ALLOWED("fgetxattr", "reading extended attributes"), ALLOWED("listxattr", "reading extended attributes"),
	ALLOWED("llistxattr", "reading extended attributes"), ALLOWED("flistxattr", "reading extended attributes"),
	ALLOWED("inotify_init", "must keep working: inotify"), ALLOWED("inotify_init1", "inotify"),
	ALLOWED("inotify_add_watch", "inotify"), ALLOWED("inotify_rm_watch", "inotify"),
	ALLOWED("fanotify_mark", "useless without fanotify_init"),
	ALLOWED("memfd_create", "must keep working: memfd"), ALLOWED("memfd_secret", "memfd"),
	/* ---- allowed: memory ---- */
	ALLOWED("brk", "memory"), ALLOWED("mmap", "memory"), ALLOWED("mmap2", "memory"),
	ALLOWED("munmap", "memory"), ALLOWED("mremap", "memory"), ALLOWED("mprotect", "memory"),
	ALLOWED("madvise", "memory"), ALLOWED("mincore", "memory"), ALLOWED("msync", "memory"),
	ALLOWED("mlock", "memory"), ALLOWED("mlock2", "memory"), ALLOWED("munlock", "memory"),
	ALLOWED("mlockall", "memory"), ALLOWED("munlockall", "memory"), ALLOWED("remap_file_pages", "memory"),
	ALLOWED("pkey_alloc", "memory"), ALLOWED("pkey_free", "memory"), ALLOWED("pkey_mprotect", "memory"),
	ALLOWED("membarrier", "memory"), ALLOWED("get_mempolicy", "memory (reading only)"),
	ALLOWED("map_shadow_stack", "memory (CET shadow stacks)"), ALLOWED("process_madvise", "memory"),
	ALLOWED("cachestat", "memory"),
	/* ---- allowed: processes, threads, signals ---- */
	ALLOWED("fork", "processes"), ALLOWED("vfork", "processes"), ALLOWED("execve", "processes"),
	ALLOWED("execveat", "processes"), ALLOWED("exit", "processes"), ALLOWED("exit_group", "processes"),
	ALLOWED("wait4", "processes"), ALLOWED("waitid", "processes"), ALLOWED("waitpid", "processes"),
	ALLOWED("kill", "processes (only sandbox pids are visible)"), ALLOWED("tkill", "processes"),
	ALLOWED("tgkill", "processes"), ALLOWED("pidfd_open", "processes"),
	ALLOWED("pidfd_send_signal", "processes"), ALLOWED("process_mrelease", "processes"),
	ALLOWED("getpid", "processes"), ALLOWED("getppid", "processes"), ALLOWED("gettid", "processes"),
	ALLOWED("getpgid", "processes"), ALLOWED("setpgid", "processes"), ALLOWED("getpgrp", "processes"),
	ALLOWED("getsid", "processes"), ALLOWED("setsid", "processes"),
	ALLOWED("getpriority", "processes"), ALLOWED("setpriority", "processes"),
	ALLOWED("ioprio_get", "processes"), ALLOWED("ioprio_set", "processes"),
	ALLOWED("sched_yield", "scheduling"), ALLOWED("sched_getaffinity", "scheduling"),
	ALLOWED("sched_setaffinity", "scheduling"), ALLOWED("sched_getparam", "scheduling"),
	ALLOWED("sched_setparam", "scheduling"), ALLOWED("sched_getscheduler", "scheduling"),
	ALLOWED("sched_setscheduler", "scheduling"), ALLOWED("sched_get_priority_max", "scheduling"),
	ALLOWED("sched_get_priority_min", "scheduling"), ALLOWED("sched_rr_get_interval", "scheduling"),
	ALLOWED("sched_rr_get_interval_time64", "scheduling"), ALLOWED("sched_getattr", "scheduling"),
	ALLOWED("sched_setattr", "scheduling"), ALLOWED("getcpu", "scheduling"),
	ALLOWED("futex", "threads"), ALLOWED("futex_time64", "threads"), ALLOWED("futex_waitv", "threads"),
	ALLOWED("set_robust_list", "threads"), ALLOWED("get_robust_list", "threads"),
	ALLOWED("set_tid_address", "threads"), ALLOWED("rseq", "threads"),
	ALLOWED("arch_prctl", "threads (TLS)"), ALLOWED("set_thread_area", "threads (TLS)"),
	ALLOWED("get_thread_area", "threads (TLS)"),
	ALLOWED("rt_sigaction", "signals"), ALLOWED("rt_sigprocmask", "signals"),
	ALLOWED("rt_sigreturn", "signals"), ALLOWED("rt_sigpending", "signals"),
	ALLOWED("rt_sigsuspend", "signals"), ALLOWED("rt_sigtimedwait", "signals"),
	ALLOWED("rt_sigtimedwait_time64", "signals"), ALLOWED("rt_sigqueueinfo", "signals"),
	ALLOWED("rt_tgsigqueueinfo", "signals"), ALLOWED("sigaltstack", "signals"),
	ALLOWED("sigreturn", "signals"), ALLOWED("sigprocmask", "signals"),
	ALLOWED("signalfd", "signals"), ALLOWED("signalfd4", "signals"), ALLOWED("pause", "signals"),
	ALLOWED("restart_syscall", "signals"),
	ALLOWED("ptrace", "must keep working: ptrace of one's own children (LSan, gdb); only sandbox pids exist"),
	ALLOWED("process_vm_readv", "as ptrace"), ALLOWED("process_vm_writev", "as ptrace"),
	ALLOWED("prctl", "must keep working (PR_SET_NAME, PDEATHSIG, no_new_privs)"),
	ALLOWED("seccomp", "must keep working: a program may add its own filter (stacked, stricter only)"),
	ALLOWED("landlock_create_ruleset", "self-restriction"), ALLOWED("landlock_add_rule", "self-restriction"),
	ALLOWED("landlock_restrict_self", "self-restriction"),
	/* ---- allowed: identity (the kernel checks; no capabilities in build) ---- */
	ALLOWED("getuid", "identity"), ALLOWED("getuid32", "identity"), ALLOWED("geteuid", "identity"),
	ALLOWED("geteuid32", "identity"), ALLOWED("getgid", "identity"), ALLOWED("getgid32", "identity"),
	ALLOWED("getegid", "identity"), ALLOWED("getegid32", "identity"), ALLOWED("getresuid", "identity"),
	ALLOWED("getresuid32", "identity"), ALLOWED("getresgid", "identity"),
	ALLOWED("getresgid32", "identity"), ALLOWED("getgroups", "identity"),
	ALLOWED("getgroups32", "identity"), ALLOWED("setuid", "identity"), ALLOWED("setuid32", "identity"),
	ALLOWED("setgid", "identity"), ALLOWED("setgid32", "identity"), ALLOWED("setreuid", "identity"),
	ALLOWED("setreuid32", "identity"), ALLOWED("setregid", "identity"),
	ALLOWED("setregid32", "identity"), ALLOWED("setresuid", "identity"),
	ALLOWED("setresuid32", "identity"), ALLOWED("setresgid", "identity"),
	ALLOWED("setresgid32", "identity"), ALLOWED("setfsuid", "identity"),
	ALLOWED("setfsuid32", "identity"), ALLOWED("setfsgid", "identity"),
	ALLOWED("setfsgid32", "identity"), ALLOWED("setgroups", "identity"),
	ALLOWED("setgroups32", "identity"), ALLOWED("capget", "identity"), ALLOWED("capset", "identity (can only drop)"),
	/* ---- allowed: time, limits, system information ---- */
	ALLOWED("clock_gettime", "time"), ALLOWED("clock_gettime64", "time"), ALLOWED("clock_getres", "time"),
	ALLOWED("clock_getres_time64", "time"), ALLOWED("clock_nanosleep", "time"),
	ALLOWED("clock_nanosleep_time64", "time"), ALLOWED("gettimeofday", "time"), ALLOWED("time", "time"),
	ALLOWED("nanosleep", "time"), ALLOWED("times", "time"), ALLOWED("adjtimex", "time (reading; setting needs CAP_SYS_TIME)"),
	ALLOWED("alarm", "timers"), ALLOWED("getitimer", "timers"), ALLOWED("setitimer", "timers"),
	ALLOWED("timer_create", "timers"), ALLOWED("timer_delete", "timers"),
	ALLOWED("timer_getoverrun", "timers"), ALLOWED("timer_gettime", "timers"),
	ALLOWED("timer_gettime64", "timers"), ALLOWED("timer_settime", "timers"),
	ALLOWED("timer_settime64", "timers"), ALLOWED("timerfd_create", "timers"),
	ALLOWED("timerfd_gettime", "timers"), ALLOWED("timerfd_gettime64", "timers"),
	ALLOWED("timerfd_settime", "timers"), ALLOWED("timerfd_settime64", "timers"),
	ALLOWED("getrlimit", "limits"), ALLOWED("ugetrlimit", "limits"), ALLOWED("setrlimit", "limits (can only lower without capabilities)"),
	ALLOWED("prlimit64", "limits"), ALLOWED("getrusage", "limits"),
	ALLOWED("uname", "system information"), ALLOWED("sysinfo", "system information"),
	ALLOWED("getrandom", "system information"),
	/* ---- allowed: polling and events ---- */
	ALLOWED("poll", "events"), ALLOWED("ppoll", "events"), ALLOWED("ppoll_time64", "events"),
	ALLOWED("select", "events"), ALLOWED("_newselect", "events"), ALLOWED("pselect6", "events"),
	ALLOWED("pselect6_time64", "events"), ALLOWED("epoll_create", "events"),
	ALLOWED("epoll_create1", "events"), ALLOWED("epoll_ctl", "events"), ALLOWED("epoll_wait", "events"),
	ALLOWED("epoll_pwait", "events"), ALLOWED("epoll_pwait2", "events"), ALLOWED("eventfd", "events"),
	ALLOWED("eventfd2", "events"), ALLOWED("pipe", "events"), ALLOWED("pipe2", "events"),
	ALLOWED("io_setup", "async I/O (the old AIO, filtered normally)"), ALLOWED("io_destroy", "async I/O"),
	ALLOWED("io_submit", "async I/O"), ALLOWED("io_cancel", "async I/O"),
	ALLOWED("io_getevents", "async I/O"), ALLOWED("io_pgetevents", "async I/O"),
	ALLOWED("io_pgetevents_time64", "async I/O"),
	/* ---- allowed: IPC (fakeroot uses SysV IPC) and sockets ---- */
	ALLOWED("msgget", "must keep working: SysV IPC for fakeroot"), ALLOWED("msgsnd", "SysV IPC"),
	ALLOWED("msgrcv", "SysV IPC"), ALLOWED("msgctl", "SysV IPC"), ALLOWED("semget", "SysV IPC"),
	ALLOWED("semop", "SysV IPC"), ALLOWED("semtimedop", "SysV IPC"),
	ALLOWED("semtimedop_time64", "SysV IPC"), ALLOWED("semctl", "SysV IPC"),
	ALLOWED("shmget", "SysV IPC"), ALLOWED("shmat", "SysV IPC"), ALLOWED("shmdt", "SysV IPC"),
	ALLOWED("shmctl", "SysV IPC"), ALLOWED("ipc", "SysV IPC (i386 multiplexer)"),
	ALLOWED("mq_open", "POSIX message queues"), ALLOWED("mq_unlink", "POSIX message queues"),
	ALLOWED("mq_timedsend", "POSIX message queues"), ALLOWED("mq_timedsend_time64", "POSIX message queues"),
	ALLOWED("mq_timedreceive", "POSIX message queues"),
	ALLOWED("mq_timedreceive_time64", "POSIX message queues"),
	ALLOWED("mq_notify", "POSIX message queues"), ALLOWED("mq_getsetattr", "POSIX message queues"),
	ALLOWED("socketpair", "sockets"), ALLOWED("bind", "sockets (the net namespace has only lo)"),
	ALLOWED("listen", "sockets"), ALLOWED("accept", "sockets"), ALLOWED("accept4", "sockets"),
	ALLOWED("connect", "sockets"), ALLOWED("shutdown", "sockets"), ALLOWED("getsockname", "sockets"),
	ALLOWED("getpeername", "sockets"), ALLOWED("getsockopt", "sockets"), ALLOWED("setsockopt", "sockets"),
	ALLOWED("send", "sockets"), ALLOWED("sendto", "sockets"), ALLOWED("sendmsg", "sockets"),
	ALLOWED("sendmmsg", "sockets"), ALLOWED("recv", "sockets"), ALLOWED("recvfrom", "sockets"),
	ALLOWED("recvmsg", "sockets"), ALLOWED("recvmmsg", "sockets"), ALLOWED("recvmmsg_time64", "sockets"),
	ALLOWED("socketcall", "sockets (i386 multiplexer; only with --multiarch)"),
};
/* clang-format on */

#define NPOLICY (sizeof(policy) / sizeof(policy[0]))

const char *sandbox_profile_name(enum sandbox_profile p)
{
	return p == SANDBOX_ROOT_PREP ? "root-prep" : "build";
}

int sandbox_policy_row(size_t i, struct sandbox_rule_info *out)
{
	static const char *const profiles[] = {"", "build", "root-prep", "build,root-prep"};
	const struct policy_row *r;

	if (i >= NPOLICY)
		return -1;
	r = &policy[i];
	out->syscall = r->syscall;
	out->profiles = profiles[r->profiles & 3];
	out->why = r->why;
	out->when = r->when_text;
	out->action = r->action == ALLOW     ? "allow"
		      : r->action == EPERM   ? "EPERM"
		      : r->action == ENOSYS  ? "ENOSYS"
		      : r->action == ENOTSUP ? "ENOTSUP"
					     : "EAFNOSUPPORT";
	return 0;
}

static uint32_t deny_action(const struct sandbox_opts *o, int err)
{
	return o->seccomp_log ? SCMP_ACT_LOG : SCMP_ACT_ERRNO((uint32_t)err);
}

static int new_filter(const struct sandbox_opts *o, uint32_t def, scmp_filter_ctx *out,
		      struct kerr *e)
{
	scmp_filter_ctx f = seccomp_init(def);
	int r;

	if (!f)
		return kerr_set(e, KILN_EFAIL, "seccomp: seccomp_init failed");
	/* a foreign ABI (x32, or i386 without --multiarch) is killed: its
	 * syscall numbers mean other things and would dodge every rule */
	if ((r = seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
	    (r = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0)) < 0)
		goto fail;
	/* a binary tree over syscall numbers instead of a linear chain: a
	 * syscall the kernel's allow cache cannot answer (those with argument
	 * checks) then costs ~10 comparisons, not ~350 (bench measured +30%
	 * on a tar extraction before this) */
	if ((r = seccomp_attr_set(f, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		goto fail;
	if (o->multiarch) {
		uint32_t arch = seccomp_arch_native() == SCMP_ARCH_X86_64    ? SCMP_ARCH_X86
				: seccomp_arch_native() == SCMP_ARCH_AARCH64 ? SCMP_ARCH_ARM
									     : 0;
		if (arch && (r = seccomp_arch_add(f, arch)) < 0 && r != -EEXIST)
			goto fail;
	}
	*out = f;
	return 0;
fail:
	seccomp_release(f);
	errno = -r;
	return kerr_errno(e, KILN_EFAIL, "seccomp: filter attributes");
}

/* A name this architecture lacks (chown32 on x86_64) is skipped. */
static int add_rule(scmp_filter_ctx f, uint32_t act, const struct policy_row *row, int conditional,
		    struct kerr *e)
{
	int nr = seccomp_syscall_resolve_name(row->syscall), r;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	r = conditional ? row->when(f, act, nr) : seccomp_rule_add(f, act, nr, 0);
	/* -EACCES: the action is the filter's default already (clone3's ENOSYS) */
	if (r < 0 && r != -EACCES && nr >= 0) {
		errno = -r;
		return kerr_errno(e, KILN_EFAIL, "seccomp: rule for %s", row->syscall);
	}
	return 0;
}

/* what sandbox_opts.no_sync turns into no-ops returning 0 */
static int is_sync_call(const char *name)
{
	static const char *const calls[] = {"fsync", "fdatasync", "sync", "syncfs",
					    "sync_file_range", NULL};
	for (size_t i = 0; calls[i]; i++)
		if (!strcmp(name, calls[i]))
			return 1;
	return 0;
}

/* Built in the parent, where allocating is safe and errors are ordinary;
 * the child only hands the finished program to the kernel. */
int seccomp_build(const struct sandbox_opts *o, struct sock_fprog *prog, struct kerr *e)
{
	unsigned prof = o->profile == SANDBOX_ROOT_PREP ? P_PREP : P_BUILD;
	scmp_filter_ctx f = NULL;
	int r = -KILN_EFAIL, err, fd = -1;
	off_t len;

	memset(prog, 0, sizeof(*prog));
	if (new_filter(o, o->seccomp_log ? SCMP_ACT_LOG : SCMP_ACT_ERRNO(ENOSYS), &f, e) < 0)
		goto out;
	for (size_t i = 0; i < NPOLICY; i++) {
		const struct policy_row *row = &policy[i];
		int applies = (row->profiles & prof) != 0;
		int allow = row->action == ALLOW || !applies;

		if (!strcmp(row->syscall, "modify_ldt") && o->multiarch)
			allow = 1;
		if (!strcmp(row->syscall, "socketcall") && !o->multiarch)
			continue;
		if (o->no_sync && applies && row->action == ALLOW && is_sync_call(row->syscall)) {
			if (add_rule(f, SCMP_ACT_ERRNO(0), row, 0, e) < 0) /* "done", undone */
				goto out;
			continue;
		}
		if (applies && row->when) {
			if (add_rule(f, deny_action(o, row->action), row, 1, e) < 0)
				goto out;
		} else if (add_rule(f, allow ? SCMP_ACT_ALLOW : deny_action(o, row->action), row, 0,
				    e) < 0) {
			goto out;
		}
	}
	if ((fd = memfd_create("kiln-seccomp", MFD_CLOEXEC)) < 0) {
		kerr_errno(e, KILN_EFAIL, "seccomp: memfd for the program");
		goto out;
	}
	if ((err = seccomp_export_bpf(f, fd)) < 0) {
		errno = -err;
		kerr_errno(e, KILN_EFAIL, "seccomp: export the program");
		goto out;
	}
	if ((len = lseek(fd, 0, SEEK_CUR)) <= 0 || len % (off_t)sizeof(struct sock_filter) != 0) {
		kerr_set(e, KILN_EFAIL, "seccomp: the exported program has a bad size (%lld)",
			 (long long)len);
		goto out;
	}
	prog->filter = xmalloc((size_t)len);
	prog->len = (unsigned short)(len / (off_t)sizeof(struct sock_filter));
	if (pread(fd, prog->filter, (size_t)len, 0) != (ssize_t)len) {
		kerr_errno(e, KILN_EFAIL, "seccomp: read the program back");
		seccomp_prog_free(prog);
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(f);
	return r;
}

void seccomp_prog_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}

int seccomp_load_prog(const struct sock_fprog *prog, struct kerr *e)
{
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
		return kerr_errno(e, KILN_EFAIL, "seccomp: load the filter");
	return 0;
}

int seccomp_apply(const struct sandbox_opts *o, struct kerr *e)
{
	struct sock_fprog prog;
	int r = seccomp_build(o, &prog, e);
	if (r == 0)
		r = seccomp_load_prog(&prog, e);
	seccomp_prog_free(&prog);
	return r;
}
