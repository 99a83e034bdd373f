/* sandbox.h - run one command in namespaces + seccomp + limits, no network.
 * This is the contract builders/ relies on: fields may be added, never
 * changed in meaning. */
#ifndef KILN_SANDBOX_H
#define KILN_SANDBOX_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/kiln.h"

/* Two policies. BUILD is the strict one every package build runs under.
 * ROOT_PREP is for preparing a build root from Debian's signed packages: it
 * runs dpkg and maintainer scripts as root inside the user namespace with a
 * full 65536-id map, may chown to any mapped id and create setuid files (the
 * Essential set ships su, mount), but still has no network and no way out. */
enum sandbox_profile { SANDBOX_BUILD = 0, SANDBOX_ROOT_PREP = 1 };

enum sandbox_mount_kind { SB_BIND_RO = 0, SB_BIND_RW = 1, SB_TMPFS = 2 };

struct sandbox_mount {
	enum sandbox_mount_kind kind;
	const char *src; /* host path (NULL for tmpfs) */
	const char *dst; /* path inside the new root */
};

struct sandbox_opts {
	enum sandbox_profile profile;
	const char *root;  /* new root; NULL = read-only view of the host's / */
	int root_writable; /* bind the root read-write (root prep; a build's private copy) */
	const struct sandbox_mount *mounts;
	size_t nmounts;
	const char *chdir;    /* inside; default "/" */
	char *const *argv;    /* argv[0] is looked up in the fixed PATH */
	char *const *env;     /* extra "K=V" entries; the base environment is fixed */
	uid_t uid;            /* identity inside (default 0) */
	gid_t gid;
	const char *hostname; /* default "kiln" */
	int network;          /* 0: loopback only (default) */
	int no_seccomp;       /* diagnosis only; warned about loudly */
	int seccomp_log;      /* log instead of deny, to find what a build needs */
	double timeout_s;     /* wall clock; 0 = none; kills the whole tree */
	uint64_t memory_bytes; /* 0 = default/unlimited */
	uint64_t max_file_bytes;
	int max_pids;
	int stdin_fd, stdout_fd, stderr_fd; /* -1 = inherit */

	/* ---- added after the first contract; all default to 0 = "the default" ---- */
	int multiarch;        /* also admit the 32-bit ABI (i386 on amd64); else it is killed */
	uint64_t tmp_bytes;   /* size of /tmp and every SB_TMPFS; 0 = SANDBOX_DEFAULT_TMP_BYTES */
	uint64_t shm_bytes;   /* size of /dev/shm; 0 = SANDBOX_DEFAULT_SHM_BYTES */
	uint64_t cpu_seconds; /* RLIMIT_CPU per process; 0 = SANDBOX_DEFAULT_CPU_SECONDS */
	int no_sync; /* fsync, fdatasync, sync, syncfs, sync_file_range return 0 and do
		      * nothing (as eatmydata); the caller syncs what it keeps */
};

/* How ids are mapped when kiln runs as root: inside id N (0 <= N < 65536) is
 * host id SANDBOX_ID_BASE + N, for uids and gids alike. The base is far above
 * any real account (useradd stops at 60000, systemd's dynamic users at 61183,
 * subuid ranges conventionally start at 100000), so nothing in the sandbox
 * ever owns a host user's file. A root prepared under ROOT_PREP is therefore
 * owned on the host by SANDBOX_ID_BASE (its inside root); a directory a build
 * must write to must be owned by sandbox_host_uid(the build uid). */
#define SANDBOX_ID_BASE 1000000000u
#define SANDBOX_ID_COUNT 65536u
#define SANDBOX_DEFAULT_HOSTNAME "kiln"
#define SANDBOX_DEFAULT_TMP_BYTES (4ull << 30)
#define SANDBOX_DEFAULT_SHM_BYTES (256ull << 20)
#define SANDBOX_DEFAULT_PIDS 4096
#define SANDBOX_DEFAULT_FILE_BYTES (64ull << 30)
#define SANDBOX_DEFAULT_CPU_SECONDS (12ull * 3600)

/* The host uid/gid an inside id is stored as (kiln running as root). */
uid_t sandbox_host_uid(uid_t inside);
gid_t sandbox_host_gid(gid_t inside);

/* What this kernel and host let the sandbox do; cli/ prints it and tests use
 * it to skip with a reason. Never fails: unknown means 0. */
struct sandbox_support {
	int user_namespaces;  /* an unprivileged-style user namespace can be made */
	int cgroup_v2;        /* a cgroup v2 hierarchy is mounted */
	int cgroup_pids;      /* pids controller delegated to our cgroup's children */
	int cgroup_memory;    /* memory controller delegated */
	char cgroup_dir[512]; /* where sandbox cgroups would be created, or "" */
	char why_no_cgroup[256];
};
void sandbox_probe(struct sandbox_support *s);

/* The seccomp policy as rows, for `kiln sandbox --print-policy` and review. */
struct sandbox_rule_info {
	const char *syscall;
	const char *action;   /* "allow", "EPERM", "ENOSYS", "ENOTSUP", "EAFNOSUPPORT" */
	const char *when;     /* NULL: always; else the argument condition */
	const char *profiles; /* where the action applies: "build,root-prep" or "build" */
	const char *why;
};
/* Row i of the policy table (0-based); returns -1 past the end. */
int sandbox_policy_row(size_t i, struct sandbox_rule_info *out);
const char *sandbox_profile_name(enum sandbox_profile p);

void sandbox_opts_init(struct sandbox_opts *o);

/* Run o->argv in the sandbox and wait. *status gets the command's exit
 * status, or 128+N when killed by signal N. A timeout gives KILN_EFAIL with a
 * message saying so (and *status 128+SIGKILL). Setup failures name the step
 * that failed ("mount namespace: pivot_root: ..."). */
int sandbox_run(const struct sandbox_opts *o, int *status, struct kerr *e);

#endif
