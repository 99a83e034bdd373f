/* process.c - the child's setup after the file system: hostname, loopback,
 * rlimits, the identity inside, capabilities and file descriptors. */
#include "sandbox/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* What ROOT_PREP keeps: dpkg and maintainer scripts chown/chmod files of any
 * mapped owner, read and write files regardless of mode, run helpers as
 * other users (su, start-stop-daemon --chuid), signal them, and chroot
 * (mmdebstrap-style hooks). Deliberately not kept: CAP_MKNOD (no device
 * nodes in a user namespace anyway), CAP_SETFCAP (postinsts fall back to
 * setuid when setcap fails), CAP_SYS_ADMIN, CAP_NET_*, CAP_SYS_PTRACE. BUILD
 * keeps nothing, even as uid 0: fakeroot needs no capability. */
static const int root_prep_caps[] = {CAP_CHOWN,	 CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
				     CAP_FOWNER, CAP_FSETID,	   CAP_SETUID,
				     CAP_SETGID, CAP_KILL,	   CAP_SYS_CHROOT};

int uts_setup(const struct sandbox_opts *o, struct kerr *e)
{
	const char *h = o->hostname ? o->hostname : SANDBOX_DEFAULT_HOSTNAME;

	if (sethostname(h, strlen(h)) < 0)
		return kerr_errno(e, KILN_EFAIL, "uts namespace: sethostname %s", h);
	if (setdomainname("(none)", 6) < 0)
		return kerr_errno(e, KILN_EFAIL, "uts namespace: setdomainname");
	return 0;
}

/* A new net namespace has lo down; builds' test suites talk to themselves. */
int loopback_up(struct kerr *e)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return kerr_errno(e, KILN_EFAIL, "net namespace: socket");
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		kerr_errno(e, KILN_EFAIL, "net namespace: get flags of lo");
		close(s);
		return -KILN_EFAIL;
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		kerr_errno(e, KILN_EFAIL, "net namespace: bring lo up");
		close(s);
		return -KILN_EFAIL;
	}
	close(s);
	return 0;
}

static int set_limit(int res, const char *name, uint64_t v, struct kerr *e)
{
	struct rlimit rl = {.rlim_cur = (rlim_t)v, .rlim_max = (rlim_t)v};
	struct rlimit old;

	/* never raise above what the caller already had */
	if (getrlimit(res, &old) == 0 && old.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max > old.rlim_max)
		rl.rlim_cur = rl.rlim_max = old.rlim_max;
	if (setrlimit(res, &rl) < 0)
		return kerr_errno(e, KILN_EFAIL, "rlimits: %s=%llu", name, (unsigned long long)v);
	return 0;
}

/* The second line of defence, always there even without cgroups. NPROC
 * counts per host uid, so concurrent sandboxes of the same uid share it. */
int rlimits_apply(const struct sandbox_opts *o, uint64_t as_limit, struct kerr *e)
{
	uint64_t pids = o->max_pids > 0 ? (uint64_t)o->max_pids : SANDBOX_DEFAULT_PIDS;
	uint64_t fsize = o->max_file_bytes ? o->max_file_bytes : SANDBOX_DEFAULT_FILE_BYTES;
	uint64_t cpu = o->cpu_seconds ? o->cpu_seconds : SANDBOX_DEFAULT_CPU_SECONDS;

	if (set_limit(RLIMIT_NPROC, "nproc", pids, e) < 0 ||
	    set_limit(RLIMIT_FSIZE, "fsize", fsize, e) < 0 ||
	    set_limit(RLIMIT_CORE, "core", 0, e) < 0 || set_limit(RLIMIT_CPU, "cpu", cpu, e) < 0)
		return -KILN_EFAIL;
	(void)as_limit; /* set by rlimit_address_space() right before exec */
	return 0;
}

/* Without a cgroup the memory limit is on address space: coarse (it counts
 * reservations; sanitizers need far more) but a limit. It is set last, just
 * before exec, so that our own allocations (libseccomp's) are not hit. */
int rlimit_address_space(uint64_t as_limit, struct kerr *e)
{
	return as_limit ? set_limit(RLIMIT_AS, "as", as_limit, e) : 0;
}

/* The identity the command runs as. With a full map we are inside root
 * until here; with a single-id map we already are the only id there is. */
int identity_drop(const struct sb_ctx *c, struct kerr *e)
{
	const struct sandbox_opts *o = c->o;

	if (!c->full_map)
		return 0;
	/* raw syscalls: glibc's wrappers would try to signal the parent's
	 * other threads, which do not exist in this process */
	if (syscall(SYS_setgroups, 0, NULL) < 0)
		return kerr_errno(e, KILN_EFAIL, "identity: setgroups");
	if (syscall(SYS_setresgid, o->gid, o->gid, o->gid) < 0)
		return kerr_errno(e, KILN_EFAIL, "identity: setresgid %u", (unsigned)o->gid);
	if (syscall(SYS_setresuid, o->uid, o->uid, o->uid) < 0)
		return kerr_errno(e, KILN_EFAIL, "identity: setresuid %u", (unsigned)o->uid);
	return 0;
}

static int cap_kept(enum sandbox_profile p, int cap)
{
	if (p != SANDBOX_ROOT_PREP)
		return 0;
	for (size_t i = 0; i < sizeof(root_prep_caps) / sizeof(root_prep_caps[0]); i++)
		if (root_prep_caps[i] == cap)
			return 1;
	return 0;
}

/* The bounding set limits what any later exec can gain; dropping from it
 * needs CAP_SETPCAP, so this runs while we are still inside root. */
int capabilities_drop_bounding(enum sandbox_profile p, struct kerr *e)
{
	for (int cap = 0; cap <= 63; cap++) {
		if (cap_kept(p, cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* past the last capability this kernel knows */
			return kerr_errno(e, KILN_EFAIL,
					  "capabilities: drop %d from the bounding set", cap);
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return kerr_errno(e, KILN_EFAIL, "capabilities: clear the ambient set");
	return 0;
}

/* After the identity change: the current sets hold ROOT_PREP's list when
 * the command runs as inside root, nothing otherwise. */
int capabilities_drop_current(enum sandbox_profile p, uid_t uid, struct kerr *e)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	for (size_t i = 0; p == SANDBOX_ROOT_PREP && uid == 0 &&
			   i < sizeof(root_prep_caps) / sizeof(root_prep_caps[0]);
	     i++) {
		int c = root_prep_caps[i];
		d[c / 32].effective |= 1u << (c % 32);
		d[c / 32].permitted |= 1u << (c % 32);
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return kerr_errno(e, KILN_EFAIL, "capabilities: capset");
	return 0;
}

/* Every fd above 2 closes at exec (runc CVE-2024-21626 leaked one). They
 * are marked close-on-exec rather than closed so that a failing exec can
 * still report through the error pipe. */
int fds_close_on_exec(struct kerr *e)
{
	if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 1 << 20)
		max = 1 << 20;
	for (int fd = 3; fd < max; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
			return kerr_errno(e, KILN_EFAIL,
					  "file descriptors: set close-on-exec on %d", fd);
	}
	return 0;
}
