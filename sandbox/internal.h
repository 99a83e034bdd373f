/* internal.h - what the files of sandbox/ share with each other; nothing
 * outside sandbox/ includes this (they use sandbox.h). */
#ifndef KILN_SANDBOX_INTERNAL_H
#define KILN_SANDBOX_INTERNAL_H

#include <linux/filter.h>

#include "sandbox/sandbox.h"

/* Everything the sandboxed child needs, prepared by the parent before clone
 * so that the child allocates little and touches no host path by name. */
struct sb_ctx {
	const struct sandbox_opts *o;
	int full_map;	   /* inside ids 0..65535 are mapped; else only o->uid/o->gid */
	int root_fd;	   /* O_PATH of o->root, or -1 for the host view */
	int *src_fds;	   /* per o->mounts[i]: O_PATH of its source, or -1 (tmpfs) */
	int sync_fd;	   /* child end: the parent writes one byte when ids are mapped */
	int err_fd;	   /* child end (close-on-exec): setup failures are written here */
	char **envp;	   /* the command's complete environment */
	const char *stage; /* host directory the child mounts its staging tmpfs on */
	uint64_t as_limit; /* RLIMIT_AS when memory is limited without a cgroup; 0 = none */
	const struct sock_fprog *filter; /* NULL with no_seccomp */
};

/* idmap.c: give the child its uid/gid maps (parent side). */
int idmap_write(pid_t child, const struct sandbox_opts *o, int *full_map, struct kerr *e);

/* mounts.c: the mount namespace, from "/ made private" to pivot_root (child). */
int mounts_setup(const struct sb_ctx *c, struct kerr *e);

/* process.c: the rest of the child's setup (child). */
int uts_setup(const struct sandbox_opts *o, struct kerr *e);
int loopback_up(struct kerr *e);
int rlimits_apply(const struct sandbox_opts *o, uint64_t as_limit, struct kerr *e);
int rlimit_address_space(uint64_t as_limit, struct kerr *e);
int identity_drop(const struct sb_ctx *c, struct kerr *e);
int capabilities_drop_bounding(enum sandbox_profile p, struct kerr *e);
int capabilities_drop_current(enum sandbox_profile p, uid_t uid, struct kerr *e);
int fds_close_on_exec(struct kerr *e);

/* seccomp.c: build the filter (parent), load it (child, last step). */
int seccomp_build(const struct sandbox_opts *o, struct sock_fprog *prog, struct kerr *e);
/* seccomp_build without the build-time programs: always libseccomp */
int seccomp_compile(const struct sandbox_opts *o, struct sock_fprog *prog, struct kerr *e);
/* the options the filter depends on (profile, seccomp_log, multiarch, no_sync)
 * as a number below SECCOMP_KEYS, and back (other options at their defaults) */
#define SECCOMP_KEYS 16u
unsigned seccomp_key(const struct sandbox_opts *o);
void seccomp_key_opts(unsigned key, struct sandbox_opts *o);
/* the build-time program for a key, or NULL */
const struct sock_fprog *seccomp_prebuilt(unsigned key);
void seccomp_prog_free(struct sock_fprog *prog);
int seccomp_load_prog(const struct sock_fprog *prog, struct kerr *e);
int seccomp_apply(const struct sandbox_opts *o, struct kerr *e); /* build + load, for tests */

/* cgroup.c: optional cgroup v2 limits (parent side). */
struct sb_cgroup {
	int active;
	int memory; /* memory.max was set */
	char dir[600];
};
int cgroup_create(const struct sandbox_opts *o, struct sb_cgroup *cg, struct kerr *e);
int cgroup_attach(struct sb_cgroup *cg, pid_t pid, struct kerr *e);
void cgroup_kill_and_remove(struct sb_cgroup *cg);

#endif
