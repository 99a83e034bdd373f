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
};

void sandbox_opts_init(struct sandbox_opts *o);

/* Run o->argv in the sandbox and wait. *status gets the command's exit
 * status, or 128+N when killed by signal N. A timeout gives KILN_EFAIL with a
 * message saying so (and *status 128+SIGKILL). Setup failures name the step
 * that failed ("mount namespace: pivot_root: ..."). */
int sandbox_run(const struct sandbox_opts *o, int *status, struct kerr *e);

#endif
