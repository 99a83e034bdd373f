/* seccomp.c - the seccomp policy as one table a reviewer can read (action,
 * profiles, why, syscalls), and the code that turns it into a filter.
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
 * the filter at all; only the argument-checked ones run it, and what that
 * costs is measured in bench/sandbox_startup.sh (sandbox/README.md). */
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

/* The kernel's bit, which makes open read its mode like O_CREAT does. glibc's
 * __O_TMPFILE also holds O_DIRECTORY: checking that would let a plain
 * O_DIRECTORY open with stray mode bits fall to ENOSYS. */
#define O_TMPFILE_BIT 020000000

/* An argument check: `rules` adds, for one syscall number, the rules that
 * deny (with `deny`) and the rules that allow everything else; the two sets
 * never overlap, and (but for personality) together cover every value. */
struct arg_check {
	int (*rules)(scmp_filter_ctx f, uint32_t deny, int nr, const struct arg_check *c);
	unsigned arg;	  /* any_bit_set: the argument looked at ... */
	uint64_t bits;	  /* ... denied when any of these bits is set in it */
	int arg2;	  /* any_bit_set: when >= 0, the denial also needs ... */
	uint64_t bits2;	  /* ... any of these bits set in arg2 */
	const char *text; /* the condition, for --print-policy */
};

/* -EACCES means "that is the default action already" (--seccomp-log) */
static int add_ok(int r)
{
	return r == -EACCES ? 0 : r;
}
#define rule_add(...) add_ok(seccomp_rule_add(__VA_ARGS__))
#define ALLOW_IF(f, nr, ...) rule_add(f, SCMP_ACT_ALLOW, nr, __VA_ARGS__)
#define MASKED(arg, mask, value) SCMP_CMP((arg), SCMP_CMP_MASKED_EQ, (mask), (value))

/* Denied: any bit of c->bits set in c->arg (and, with arg2, any bit of
 * c->bits2 set in c->arg2), one rule per bit (pair). Allowed: none of
 * c->bits set, or none of c->bits2. */
static int any_bit_set(scmp_filter_ctx f, uint32_t deny, int nr, const struct arg_check *c)
{
	int r = ALLOW_IF(f, nr, 1, MASKED(c->arg, c->bits, 0));

	if (r == 0 && c->arg2 >= 0)
		r = ALLOW_IF(f, nr, 1, MASKED((unsigned)c->arg2, c->bits2, 0));
	for (uint64_t m = c->bits, b; m && r == 0; m &= m - 1) {
		b = m & -m;
		if (c->arg2 < 0)
			r = rule_add(f, deny, nr, 1, MASKED(c->arg, b, b));
		for (uint64_t m2 = c->bits2, b2; c->arg2 >= 0 && m2 && r == 0; m2 &= m2 - 1) {
			b2 = m2 & -m2;
			r = rule_add(f, deny, nr, 2, MASKED((unsigned)c->arg2, b2, b2),
				     MASKED(c->arg, b, b));
		}
	}
	return r;
}

/* Compared on the low 32 bits: the kernel truncates cmd to unsigned int, so
 * TIOCSTI | 1<<32 must not slip through (CVE-2019-10063). The complement of
 * {a, b} in masked equalities: x differs from both on a bit where a and b
 * agree (one rule per such bit), or x's bits where they differ form a third
 * pattern (one rule per pattern). */
static int ioctl_tty_inject(scmp_filter_ctx f, uint32_t deny, int nr, const struct arg_check *c)
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

/* exact 64-bit values that are allowed */
static int allow_values(scmp_filter_ctx f, int nr, const unsigned *v, size_t n)
{
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		r = ALLOW_IF(f, nr, 1, SCMP_A0(SCMP_CMP_EQ, v[i], 0));
	return r;
}

/* Allowed: AF_UNIX(1), AF_INET(2), AF_INET6(10), AF_NETLINK(16), compared on
 * all 64 bits; denied: above 16 (high garbage included) and the others below. */
static int socket_families(scmp_filter_ctx f, uint32_t deny, int nr, const struct arg_check *c)
{
	static const unsigned ok[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
	int r = rule_add(f, deny, nr, 1, SCMP_A0(SCMP_CMP_GT, AF_NETLINK, 0));
	for (unsigned fam = 0; fam < AF_NETLINK && r == 0; fam++)
		if (fam != AF_UNIX && fam != AF_INET && fam != AF_INET6)
			r = rule_add(f, deny, nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, fam));
	return r ? r : allow_values(f, nr, ok, sizeof(ok) / sizeof(ok[0]));
}

/* Allowed: PER_LINUX, PER_LINUX32, either with ADDR_NO_RANDOMIZE (gdb,
 * setarch -R), and the query 0xffffffff. Denied: the flags that weaken the
 * address space, and any other value with bit 31 set (the kernel stores it).
 * Anything else (old personality types) falls to ENOSYS. */
static int personality_flags(scmp_filter_ctx f, uint32_t deny, int nr, const struct arg_check *c)
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
	return r ? r : allow_values(f, nr, ok, sizeof(ok) / sizeof(ok[0]));
}

#define SETID (S_ISUID | S_ISGID)
#define CREATES (O_CREAT | O_TMPFILE_BIT)
#define CLONE_NEW_ANY                                                                              \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
	 CLONE_NEWPID | CLONE_NEWNET)
static const struct arg_check SETID_MODE_A1 = {any_bit_set, 1, SETID,
					       -1,	    0, "mode has S_ISUID or S_ISGID"};
static const struct arg_check SETID_MODE_A2 = {any_bit_set, 2, SETID,
					       -1,	    0, "mode has S_ISUID or S_ISGID"};
static const struct arg_check OPEN_SETID_A1_A2 = {
    any_bit_set, 2, SETID, 1, CREATES, "O_CREAT or O_TMPFILE, mode has S_ISUID or S_ISGID"};
static const struct arg_check OPEN_SETID_A2_A3 = {
    any_bit_set, 3, SETID, 2, CREATES, "O_CREAT or O_TMPFILE, mode has S_ISUID or S_ISGID"};
static const struct arg_check CLONE_NEW_FLAGS = {any_bit_set, 0, CLONE_NEW_ANY,
						 -1,	      0, "flags have any CLONE_NEW*"};
static const struct arg_check TTY_INJECT = {.rules = ioctl_tty_inject,
					    .text = "cmd (low 32 bits) is TIOCSTI or TIOCLINUX"};
static const struct arg_check SOCKET_FAMILY = {
    .rules = socket_families, .text = "family not AF_UNIX, AF_INET, AF_INET6, AF_NETLINK"};
static const struct arg_check PERSONALITY_WEAKENING = {
    .rules = personality_flags,
    .text = "READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, ADDR_LIMIT_*, ... or bit 31 set (except the "
	    "query 0xffffffff)"};

/* One row per reason: --print-policy shows one line per syscall. */
struct policy_row {
	unsigned profiles; /* where this row applies; elsewhere the syscalls are allowed */
	int action;	   /* ALLOW, or the errno returned */
	const struct arg_check *when; /* NULL: always; else only when the check matches */
	const char *why;
	const char *const *syscalls; /* NULL-terminated */
};

#define SYSCALLS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ALLOWED(why, ...)                                                                          \
	{                                                                                          \
		P_ALL, ALLOW, NULL, why, SYSCALLS(__VA_ARGS__)                                     \
	}
#define DENIED(err, why, ...)                                                                      \
	{                                                                                          \
		P_ALL, err, NULL, why, SYSCALLS(__VA_ARGS__)                                       \
	}
#define DENIED_IN(prof, err, why, ...)                                                             \
	{                                                                                          \
		prof, err, NULL, why, SYSCALLS(__VA_ARGS__)                                        \
	}
#define DENIED_IF(prof, err, check, why, ...)                                                      \
	{                                                                                          \
		prof, err, &check, why, SYSCALLS(__VA_ARGS__)                                      \
	}

/* clang-format off */
static const struct policy_row policy[] = {
	/* ---- argument checks: denied when the condition holds, allowed otherwise ---- */
	DENIED_IF(P_BUILD, EPERM, SETID_MODE_A1, "no setuid/setgid files from a build; fakeroot catches EPERM and records the mode (Nix)",
		"chmod"),
	DENIED_IF(P_BUILD, EPERM, SETID_MODE_A1, "as chmod", "fchmod"),
	DENIED_IF(P_BUILD, EPERM, SETID_MODE_A2, "as chmod", "fchmodat"),
	DENIED_IF(P_BUILD, EPERM, SETID_MODE_A2, "as chmod; this one bypassed Nix's filter (NixOS/nix ba68045)",
		"fchmodat2"),
	DENIED_IF(P_BUILD, EPERM, SETID_MODE_A1, "creating a file with the bits set (systemd restrict_sxid)",
		"creat"),
	DENIED_IF(P_BUILD, EPERM, OPEN_SETID_A1_A2, "as creat", "open"),
	DENIED_IF(P_BUILD, EPERM, OPEN_SETID_A2_A3, "as creat", "openat"),
	DENIED_IF(P_BUILD, EPERM, SETID_MODE_A1, "as creat (regular files can be made with mknod)",
		"mknod"),
	DENIED_IF(P_BUILD, EPERM, SETID_MODE_A2, "as creat", "mknodat"),
	DENIED_IF(P_ALL, EPERM, CLONE_NEW_FLAGS, "no new namespaces: each is new kernel attack surface (Docker)",
		"clone"),
	DENIED_IF(P_ALL, EPERM, TTY_INJECT, "typing into a terminal outside (CVE-2017-5226, CVE-2019-10063, CVE-2023-28100)",
		"ioctl"),
	DENIED_IF(P_ALL, EAFNOSUPPORT, SOCKET_FAMILY, "AF_PACKET, AF_ALG, AF_VSOCK... are rarely needed and often buggy (flatpak)",
		"socket"),
	DENIED_IF(P_ALL, EPERM, PERSONALITY_WEAKENING, "weakening the address space layout; ADDR_NO_RANDOMIZE stays for gdb (moby#43011)",
		"personality"),
	/* ---- refused outright ---- */
	DENIED(EPERM, "no changes to the file system layout", "mount"),
	DENIED(EPERM, "as mount", "umount2", "umount", "pivot_root"),
	DENIED_IN(P_BUILD, EPERM, "as mount; allowed in root-prep for mmdebstrap-style hooks (the old root is gone anyway)",
		"chroot"),
	DENIED(EPERM, "no new namespaces", "unshare"),
	DENIED(EPERM, "no joining other namespaces", "setns"),
	DENIED(EPERM, "the kernel keyring is not namespaced", "keyctl"),
	DENIED(EPERM, "as keyctl", "add_key", "request_key"),
	DENIED(EPERM, "kernel attack surface", "bpf"),
	DENIED(EPERM, "host-wide observation, kernel attack surface", "perf_event_open"),
	DENIED(EPERM, "widens kernel race windows in exploits", "userfaultfd"),
	DENIED(EPERM, "replaces the kernel", "kexec_load"),
	DENIED(EPERM, "as kexec_load", "kexec_file_load"),
	DENIED(EPERM, "host control", "reboot"),
	DENIED(EPERM, "kernel modules", "init_module", "finit_module", "delete_module"),
	DENIED(EPERM, "host control", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd"),
	DENIED(EPERM, "the kernel log is the host's", "syslog"),
	DENIED(EPERM, "raw I/O ports", "iopl", "ioperm"),
	DENIED(EPERM, "the clock is the host's", "settimeofday", "clock_settime", "clock_adjtime"),
	DENIED(EPERM, "opens files by handle, past any mount boundary (the shocker escape)",
		"open_by_handle_at"),
	DENIED(EPERM, "the other half of open_by_handle_at", "name_to_handle_at"),
	DENIED(EPERM, "kernel profiling", "lookup_dcookie"),
	DENIED(EPERM, "compares kernel objects of other processes", "kcmp"),
	DENIED(EPERM, "steals file descriptors from other processes", "pidfd_getfd"),
	DENIED(EPERM, "NUMA placement is the host's business", "mbind"),
	DENIED(EPERM, "as mbind", "set_mempolicy", "set_mempolicy_home_node", "move_pages",
		"migrate_pages"),
	DENIED(EPERM, "file system wide monitoring", "fanotify_init"),
	DENIED(EPERM, "the hostname is fixed for reproducibility", "sethostname"),
	DENIED(EPERM, "as sethostname", "setdomainname"),
	DENIED(EPERM, "terminal control", "vhangup"),
	DENIED(EPERM, "obsolete", "uselib", "nfsservctl", "_sysctl", "vm86", "vm86old"),
	DENIED(EPERM, "16-bit segments; only with --multiarch (wine)", "modify_ldt"),
	DENIED_IN(P_BUILD, ENOTSUP, "extended attributes are not packaged; ENOTSUP, not EPERM, as libacl copes with it (Nix 1b47748)",
		"setxattr"),
	DENIED_IN(P_BUILD, ENOTSUP, "as setxattr", "lsetxattr", "fsetxattr", "removexattr",
		"lremovexattr", "fremovexattr"),
	/* ---- ENOSYS on purpose: libc falls back to an older call we can filter ---- */
	DENIED(ENOSYS, "flags sit in a struct seccomp cannot read; glibc falls back to clone on ENOSYS (moby 9f6b562)",
		"clone3"),
	DENIED(ENOSYS, "mode sits in struct open_how; callers fall back to openat", "openat2"),
	DENIED(ENOSYS, "new mount API (CVE-2021-41133)", "fsopen"),
	DENIED(ENOSYS, "new mount API", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
		"mount_setattr"),
	DENIED(ENOSYS, "io_uring operations bypass seccomp (moby 891241e)", "io_uring_setup"),
	DENIED(ENOSYS, "as io_uring_setup", "io_uring_enter", "io_uring_register"),
	/* ---- allowed: files ---- */
	ALLOWED("file I/O", "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv",
		"pwritev", "preadv2", "pwritev2", "lseek", "_llseek", "close", "close_range",
		"dup", "dup2", "dup3", "fcntl", "fcntl64", "flock", "fsync", "fdatasync", "sync",
		"syncfs", "sync_file_range", "fadvise64", "fadvise64_64", "readahead", "fallocate",
		"truncate", "truncate64", "ftruncate", "ftruncate64", "sendfile", "sendfile64",
		"copy_file_range", "splice", "tee", "vmsplice"),
	ALLOWED("paths", "access", "faccessat", "faccessat2", "stat", "stat64", "lstat", "lstat64",
		"fstat", "fstat64", "newfstatat", "fstatat64", "statx", "statfs", "statfs64",
		"fstatfs", "fstatfs64", "getcwd", "chdir", "fchdir", "getdents", "getdents64",
		"mkdir", "mkdirat", "rmdir", "rename", "renameat", "renameat2", "link", "linkat",
		"unlink", "unlinkat", "symlink", "symlinkat", "readlink", "readlinkat", "umask"),
	ALLOWED("ownership (fakeroot intercepts; the kernel checks)", "chown"),
	ALLOWED("ownership", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32"),
	ALLOWED("timestamps", "utime", "utimes", "futimesat", "utimensat", "utimensat_time64"),
	ALLOWED("reading extended attributes", "getxattr", "lgetxattr", "fgetxattr", "listxattr",
		"llistxattr", "flistxattr"),
	ALLOWED("must keep working: inotify", "inotify_init"),
	ALLOWED("inotify", "inotify_init1", "inotify_add_watch", "inotify_rm_watch"),
	ALLOWED("useless without fanotify_init", "fanotify_mark"),
	ALLOWED("must keep working: memfd", "memfd_create"),
	ALLOWED("memfd", "memfd_secret"),
	/* ---- allowed: memory ---- */
	ALLOWED("memory", "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise",
		"mincore", "msync", "mlock", "mlock2", "munlock", "mlockall", "munlockall",
		"remap_file_pages", "pkey_alloc", "pkey_free", "pkey_mprotect", "membarrier"),
	ALLOWED("memory (reading only)", "get_mempolicy"),
	ALLOWED("memory (CET shadow stacks)", "map_shadow_stack"),
	ALLOWED("memory", "process_madvise", "cachestat"),
	/* ---- allowed: processes, threads, signals ---- */
	ALLOWED("processes", "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4",
		"waitid", "waitpid"),
	ALLOWED("processes (only sandbox pids are visible)", "kill"),
	ALLOWED("processes", "tkill", "tgkill", "pidfd_open", "pidfd_send_signal",
		"process_mrelease", "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp",
		"getsid", "setsid", "getpriority", "setpriority", "ioprio_get", "ioprio_set"),
	ALLOWED("scheduling", "sched_yield", "sched_getaffinity", "sched_setaffinity",
		"sched_getparam", "sched_setparam", "sched_getscheduler", "sched_setscheduler",
		"sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
		"sched_rr_get_interval_time64", "sched_getattr", "sched_setattr", "getcpu"),
	ALLOWED("threads", "futex", "futex_time64", "futex_waitv", "set_robust_list",
		"get_robust_list", "set_tid_address", "rseq"),
	ALLOWED("threads (TLS)", "arch_prctl", "set_thread_area", "get_thread_area"),
	ALLOWED("signals", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
		"rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_sigqueueinfo",
		"rt_tgsigqueueinfo", "sigaltstack", "sigreturn", "sigprocmask", "signalfd",
		"signalfd4", "pause", "restart_syscall"),
	ALLOWED("must keep working: ptrace of one's own children (LSan, gdb); only sandbox pids exist",
		"ptrace"),
	ALLOWED("as ptrace", "process_vm_readv", "process_vm_writev"),
	ALLOWED("must keep working (PR_SET_NAME, PDEATHSIG, no_new_privs)", "prctl"),
	ALLOWED("must keep working: a program may add its own filter (stacked, stricter only)",
		"seccomp"),
	ALLOWED("self-restriction", "landlock_create_ruleset", "landlock_add_rule",
		"landlock_restrict_self"),
	/* ---- allowed: identity (the kernel checks; no capabilities in build) ---- */
	ALLOWED("identity", "getuid", "getuid32", "geteuid", "geteuid32", "getgid", "getgid32",
		"getegid", "getegid32", "getresuid", "getresuid32", "getresgid", "getresgid32",
		"getgroups", "getgroups32", "setuid", "setuid32", "setgid", "setgid32", "setreuid",
		"setreuid32", "setregid", "setregid32", "setresuid", "setresuid32", "setresgid",
		"setresgid32", "setfsuid", "setfsuid32", "setfsgid", "setfsgid32", "setgroups",
		"setgroups32", "capget"),
	ALLOWED("identity (can only drop)", "capset"),
	/* ---- allowed: time, limits, system information ---- */
	ALLOWED("time", "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
		"clock_nanosleep", "clock_nanosleep_time64", "gettimeofday", "time", "nanosleep",
		"times"),
	ALLOWED("time (reading; setting needs CAP_SYS_TIME)", "adjtimex"),
	ALLOWED("timers", "alarm", "getitimer", "setitimer", "timer_create", "timer_delete",
		"timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
		"timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
		"timerfd_settime", "timerfd_settime64"),
	ALLOWED("limits", "getrlimit", "ugetrlimit"),
	ALLOWED("limits (can only lower without capabilities)", "setrlimit"),
	ALLOWED("limits", "prlimit64", "getrusage"),
	ALLOWED("system information", "uname", "sysinfo", "getrandom"),
	/* ---- allowed: polling and events ---- */
	ALLOWED("events", "poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6",
		"pselect6_time64", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
		"epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "pipe", "pipe2"),
	ALLOWED("async I/O (the old AIO, filtered normally)", "io_setup"),
	ALLOWED("async I/O", "io_destroy", "io_submit", "io_cancel", "io_getevents",
		"io_pgetevents", "io_pgetevents_time64"),
	/* ---- allowed: IPC (fakeroot uses SysV IPC) and sockets ---- */
	ALLOWED("must keep working: SysV IPC for fakeroot", "msgget"),
	ALLOWED("SysV IPC", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop",
		"semtimedop_time64", "semctl", "shmget", "shmat", "shmdt", "shmctl"),
	ALLOWED("SysV IPC (i386 multiplexer)", "ipc"),
	ALLOWED("POSIX message queues", "mq_open", "mq_unlink", "mq_timedsend",
		"mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64", "mq_notify",
		"mq_getsetattr"),
	ALLOWED("sockets", "socketpair"),
	ALLOWED("sockets (the net namespace has only lo)", "bind"),
	ALLOWED("sockets", "listen", "accept", "accept4", "connect", "shutdown", "getsockname",
		"getpeername", "getsockopt", "setsockopt", "send", "sendto", "sendmsg", "sendmmsg",
		"recv", "recvfrom", "recvmsg", "recvmmsg", "recvmmsg_time64"),
	ALLOWED("sockets (i386 multiplexer; only with --multiarch)", "socketcall"),
};
/* clang-format on */

#define NPOLICY (sizeof(policy) / sizeof(policy[0]))

const char *sandbox_profile_name(enum sandbox_profile p)
{
	return p == SANDBOX_ROOT_PREP ? "root-prep" : "build";
}

/* Row i of the flattened table: one per syscall, in table order. */
int sandbox_policy_row(size_t i, struct sandbox_rule_info *out)
{
	static const char *const profiles[] = {"", "build", "root-prep", "build,root-prep"};

	for (size_t g = 0; g < NPOLICY; g++) {
		const struct policy_row *r = &policy[g];
		size_t n = 0;
		while (r->syscalls[n])
			n++;
		if (i >= n) {
			i -= n;
			continue;
		}
		out->syscall = r->syscalls[i];
		out->profiles = profiles[r->profiles & 3];
		out->why = r->why;
		out->when = r->when ? r->when->text : NULL;
		out->action = r->action == ALLOW     ? "allow"
			      : r->action == EPERM   ? "EPERM"
			      : r->action == ENOSYS  ? "ENOSYS"
			      : r->action == ENOTSUP ? "ENOTSUP"
						     : "EAFNOSUPPORT";
		return 0;
	}
	return -1;
}

static uint32_t deny_action(const struct sandbox_opts *o, int err)
{
	return o->seccomp_log ? SCMP_ACT_LOG : SCMP_ACT_ERRNO((uint32_t)err);
}

/* One architecture's filter; with --multiarch, i386's is built apart (see
 * add_policy) and merged. */
static int new_filter(const struct sandbox_opts *o, uint32_t arch, scmp_filter_ctx *out,
		      struct kerr *e)
{
	scmp_filter_ctx f = seccomp_init(o->seccomp_log ? SCMP_ACT_LOG : SCMP_ACT_ERRNO(ENOSYS));
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
	if (arch != SCMP_ARCH_NATIVE && ((r = seccomp_arch_add(f, arch)) < 0 ||
					 (r = seccomp_arch_remove(f, SCMP_ARCH_NATIVE)) < 0))
		goto fail;
	*out = f;
	return 0;
fail:
	seccomp_release(f);
	errno = -r;
	return kerr_errno(e, KILN_EFAIL, "seccomp: filter attributes");
}

/* A name this architecture lacks (chown32 on x86_64) is skipped. */
static int add_rule(scmp_filter_ctx f, uint32_t act, const char *name, const struct arg_check *when,
		    struct kerr *e)
{
	int nr = seccomp_syscall_resolve_name(name), r;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	r = when ? when->rules(f, act, nr, when) : rule_add(f, act, nr, 0);
	/* -EACCES: the action is the filter's default already (clone3's ENOSYS) */
	if (r < 0 && r != -EACCES && nr >= 0) {
		errno = -r;
		return kerr_errno(e, KILN_EFAIL, "seccomp: rule for %s", name);
	}
	return 0;
}

/* The table's rules for one profile and architecture. On i386 (--multiarch)
 * the socket family is not checked: socketcall, which i386's glibc uses,
 * carries it in memory where seccomp cannot look, so a check on the direct
 * socket syscall would stop nothing (and libseccomp refuses to add it). */
/* what sandbox_opts.no_sync turns into no-ops returning 0 */
static int is_sync_call(const char *name)
{
	static const char *const calls[] = {"fsync",  "fdatasync",	 "sync",
					    "syncfs", "sync_file_range", NULL};
	for (size_t i = 0; calls[i]; i++)
		if (!strcmp(name, calls[i]))
			return 1;
	return 0;
}

static int add_policy(scmp_filter_ctx f, int native, const struct sandbox_opts *o, struct kerr *e)
{
	unsigned prof = o->profile == SANDBOX_ROOT_PREP ? P_PREP : P_BUILD;

	for (size_t i = 0; i < NPOLICY; i++) {
		const struct policy_row *row = &policy[i];
		int applies = (row->profiles & prof) != 0;

		for (const char *const *name = row->syscalls; *name; name++) {
			int allow = row->action == ALLOW || !applies;
			const struct arg_check *when = applies ? row->when : NULL;

			if (!native && when == &SOCKET_FAMILY)
				when = NULL, allow = 1;
			if (!strcmp(*name, "modify_ldt") && o->multiarch)
				allow = 1;
			if (!strcmp(*name, "socketcall") && !o->multiarch)
				continue;
			if (o->no_sync && applies && row->action == ALLOW && is_sync_call(*name)) {
				if (add_rule(f, SCMP_ACT_ERRNO(0), *name, NULL, e) <
				    0) /* "done", undone */
					return -KILN_EFAIL;
				continue;
			}
			if (add_rule(f,
				     allow && !when ? SCMP_ACT_ALLOW : deny_action(o, row->action),
				     *name, when, e) < 0)
				return -KILN_EFAIL;
		}
	}
	return 0;
}

/* The four options the program depends on, as one number (< SECCOMP_KEYS). */
unsigned seccomp_key(const struct sandbox_opts *o)
{
	return (o->profile == SANDBOX_ROOT_PREP ? 1u : 0u) | (o->seccomp_log ? 2u : 0u) |
	       (o->multiarch ? 4u : 0u) | (o->no_sync ? 8u : 0u);
}

void seccomp_key_opts(unsigned key, struct sandbox_opts *o)
{
	sandbox_opts_init(o);
	o->profile = key & 1u ? SANDBOX_ROOT_PREP : SANDBOX_BUILD;
	o->seccomp_log = (key & 2u) != 0;
	o->multiarch = (key & 4u) != 0;
	o->no_sync = (key & 8u) != 0;
}

/* The programs the build exported with seccomp_compile for every key
 * (sandbox/gen/seccomp_gen.c writes build/gen/seccomp_prebuilt.c, linked into
 * kiln and the tests). This stand-in is what links where they are absent:
 * the generator itself, fuzzers, benches. */
__attribute__((weak)) const struct sock_fprog *seccomp_prebuilt(unsigned key)
{
	(void)key;
	return NULL;
}

/* Built in the parent, where allocating is safe and errors are ordinary;
 * the child only hands the finished program to the kernel. The program is
 * the one the build exported for these options when there is one: compiling
 * it with libseccomp costs 3-5 ms of CPU on every sandbox start, which is
 * most of what the filter costs a short build (sandbox/README.md). */
int seccomp_build(const struct sandbox_opts *o, struct sock_fprog *prog, struct kerr *e)
{
	const struct sock_fprog *pre = seccomp_prebuilt(seccomp_key(o));

	if (pre && pre->len) {
		size_t n = (size_t)pre->len * sizeof(struct sock_filter);
		prog->filter = xmalloc(n);
		memcpy(prog->filter, pre->filter, n);
		prog->len = pre->len;
		return 0;
	}
	return seccomp_compile(o, prog, e);
}

/* The program for these options, made with libseccomp from the table. */
int seccomp_compile(const struct sandbox_opts *o, struct sock_fprog *prog, struct kerr *e)
{
	uint32_t second = !o->multiarch				       ? 0
			  : seccomp_arch_native() == SCMP_ARCH_X86_64  ? SCMP_ARCH_X86
			  : seccomp_arch_native() == SCMP_ARCH_AARCH64 ? SCMP_ARCH_ARM
								       : 0;
	scmp_filter_ctx f = NULL, f2 = NULL;
	int r = -KILN_EFAIL, err, fd = -1;
	off_t len;

	memset(prog, 0, sizeof(*prog));
	if (new_filter(o, SCMP_ARCH_NATIVE, &f, e) < 0 || add_policy(f, 1, o, e) < 0)
		goto out;
	if (second) {
		if (new_filter(o, second, &f2, e) < 0 || add_policy(f2, 0, o, e) < 0)
			goto out;
		if ((err = seccomp_merge(f, f2)) < 0) {
			errno = -err;
			kerr_errno(e, KILN_EFAIL, "seccomp: merge the %s filter",
				   second == SCMP_ARCH_X86 ? "i386" : "arm");
			goto out;
		}
		f2 = NULL; /* merged into f */
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
	seccomp_release(f2);
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
