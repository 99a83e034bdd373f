/* mounts.c - the sandbox's file system: / made private, the new root bound on
 * a staging tmpfs, /proc /dev /tmp and the caller's binds mounted into it,
 * then pivot_root and the old root detached. Runs in the child, in its new
 * user and mount namespaces, before anything of the command runs. */
#include "sandbox/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Host files bound into /dev: a tmpfs made in a user namespace cannot hold
 * device nodes that work, a bind of the host's node can. */
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

/* Under the fresh /proc: what stays read-only and what is hidden (as bwrap
 * and Docker do; kcore/keys/timer_list leak host state). */
static const char *const proc_read_only[] = {"sys", "sysrq-trigger", "irq", "bus", "fs"};
static const char *const proc_masked[] = {"kcore",	 "keys",     "timer_list", "latency_stats",
					  "sched_debug", "kallsyms", "acpi",	   "scsi"};

static char *fd_path(int fd, char buf[64])
{
	snprintf(buf, 64, "/proc/self/fd/%d", fd);
	return buf;
}

static int set_attr(const char *path, unsigned set, int recursive, struct kerr *e)
{
	struct mount_attr a = {.attr_set = set};

	if (mount_setattr(AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &a, sizeof(a)) < 0)
		return kerr_errno(e, KILN_EFAIL, "mount_setattr %s", path);
	return 0;
}

/* Open path inside the new root, resolving every symlink and ".." as if the
 * root were "/": a hostile root cannot send a mount outside itself. */
static int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* Make path (a directory, or an empty file when is_file) exist inside the
 * new root; returns an O_PATH fd to it. Parents are made as directories.
 * No malloc here or anywhere in the child (see sandbox.c). */
static int make_in_root(int rootfd, const char *path, int is_file, struct kerr *e)
{
	int fd = open_in_root(rootfd, path, O_PATH);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : kerr_errno(e, KILN_EFAIL, "open %s in the new root", path);

	char dup[4096], *slash;
	const char *base = dup;
	int parent;

	if (snprintf(dup, sizeof(dup), "%s", path) >= (int)sizeof(dup))
		return kerr_set(e, KILN_EFAIL, "path too long: %.100s...", path);
	slash = strrchr(dup, '/');
	if (slash) {
		*slash = '\0';
		base = slash + 1;
		parent = make_in_root(rootfd, dup, 0, e);
	} else {
		parent = open_in_root(rootfd, "/", O_PATH);
	}
	if (parent < 0) {
		return parent < -1 ? parent : kerr_errno(e, KILN_EFAIL, "open / of the new root");
	}
	int pfd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = -1;
	if (pfd >= 0) {
		if (is_file) {
			int f = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			r = f;
			if (f >= 0)
				close(f);
		} else {
			r = mkdirat(pfd, base, 0755);
		}
		if (r < 0 && errno == EEXIST)
			r = 0;
		close(pfd);
	}
	close(parent);
	if (r < 0)
		return kerr_errno(e, KILN_EFAIL, "create %s in the new root", path);
	fd = open_in_root(rootfd, path, O_PATH);
	if (fd < 0)
		return kerr_errno(e, KILN_EFAIL, "open %s in the new root", path);
	return fd;
}

/* Step 1: nothing we mount may propagate back to the host (systemd makes /
 * shared). */
static int make_root_private(struct kerr *e)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return kerr_errno(e, KILN_EFAIL, "make / private");
	return 0;
}

/* Step 2: a small tmpfs to assemble the new root on. */
static int mount_stage(const char *stage, struct kerr *e)
{
	if (mount("kiln-stage", stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
		return kerr_errno(e, KILN_EFAIL, "mount the staging tmpfs on %s", stage);
	return 0;
}

/* Is mount i's destination inside a tmpfs the sandbox mounts before it
 * (/tmp, or an earlier --tmpfs)? Then it is made there, just before its
 * mount, and the root itself needs no such directory. */
static int on_our_tmpfs(const struct sandbox_opts *o, size_t i)
{
	const char *d = o->mounts[i].dst;
	if (str_has_prefix(d, "/tmp/"))
		return 1;
	for (size_t j = 0; j < i; j++) {
		size_t n = strlen(o->mounts[j].dst);
		if (o->mounts[j].kind == SB_TMPFS && !strncmp(d, o->mounts[j].dst, n) &&
		    d[n] == '/')
			return 1;
	}
	return 0;
}

static int is_file_source(const struct sb_ctx *c, size_t i)
{
	struct stat st;
	return c->src_fds[i] >= 0 && fstat(c->src_fds[i], &st) == 0 && !S_ISDIR(st.st_mode);
}

/* Does every mount point the sandbox needs already exist in the root? If
 * not, a read-only root gets a tmpfs overlay to create them on. */
static int mount_points_exist(const struct sb_ctx *c, const char *newroot)
{
	static const char *const fixed[] = {"proc", "dev", "tmp"};
	const struct sandbox_opts *o = c->o;
	int rootfd = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC), ok = 1;

	if (rootfd < 0)
		return 0;
	for (size_t i = 0; ok && i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		int fd = open_in_root(rootfd, fixed[i], O_PATH);
		ok = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	for (size_t i = 0; ok && i < o->nmounts; i++) {
		if (on_our_tmpfs(o, i))
			continue;
		int fd = open_in_root(rootfd, o->mounts[i].dst, O_PATH);
		ok = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	if (ok && o->chdir) {
		int fd = open_in_root(rootfd, o->chdir, O_PATH);
		ok = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	close(rootfd);
	return ok;
}

/* Step 3: the new root. The caller's root (or the host's / for the
 * diagnosis view) is bound recursively, nosuid and nodev. A read-only root
 * that lacks a mount point is overlaid with a tmpfs so that it can be made
 * without touching the host. */
static int bind_new_root(const struct sb_ctx *c, const char *stage, char *newroot, size_t n,
			 int *overlaid, struct kerr *e)
{
	char src[64];
	const char *from = c->root_fd >= 0 ? fd_path(c->root_fd, src) : "/";

	*overlaid = 0;
	snprintf(newroot, n, "%.100s/root", stage);
	if (mkdir(newroot, 0755) < 0)
		return kerr_errno(e, KILN_EFAIL, "new root: mkdir %s", newroot);
	if (mount(from, newroot, NULL, MS_BIND | MS_REC, NULL) < 0)
		return kerr_errno(e, KILN_EFAIL, "new root: bind %s",
				  c->o->root ? c->o->root : "/");
	if (set_attr(newroot, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 1, e) < 0)
		return kerr_prefix(e, "new root: ");
	if (c->o->root_writable || mount_points_exist(c, newroot))
		return 0;
	if (c->root_fd < 0)
		return kerr_set(e, KILN_EFAIL,
				"new root: a --bind/--tmpfs/--chdir destination does "
				"not exist in the host's / (use --root)");

	/* overlay: lower = the bound root, upper = a tmpfs on the stage */
	char lower[128], upper[128], work[160], opts[600];
	snprintf(lower, sizeof(lower), "%.100s/lower", stage);
	snprintf(upper, sizeof(upper), "%.100s/rw", stage);
	if (mkdir(lower, 0755) < 0 || mkdir(upper, 0755) < 0)
		return kerr_errno(e, KILN_EFAIL, "new root: mkdir on the stage");
	if (mount(newroot, lower, NULL, MS_MOVE, NULL) < 0)
		return kerr_errno(e, KILN_EFAIL, "new root: move the root to %s", lower);
	if (mount("kiln-overlay-rw", upper, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m") <
	    0)
		return kerr_errno(e, KILN_EFAIL, "new root: tmpfs for the overlay");
	snprintf(work, sizeof(work), "%.127s/work", upper);
	snprintf(opts, sizeof(opts), "%s/up", upper);
	if (mkdir(work, 0755) < 0 || mkdir(opts, 0755) < 0)
		return kerr_errno(e, KILN_EFAIL, "new root: mkdir for the overlay");
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/up,workdir=%s", lower, upper, work);
	if (mount("kiln-overlay", newroot, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
		return kerr_errno(e, KILN_EFAIL,
				  "new root: overlay a tmpfs on the read-only root "
				  "to create mount points");
	*overlaid = 1;
	return 0;
}

/* Step 4: every mount point made before the root turns read-only. */
static int create_mount_points(const struct sb_ctx *c, int rootfd, struct kerr *e)
{
	static const char *const fixed[] = {"proc", "dev", "tmp"};
	const struct sandbox_opts *o = c->o;
	int fd;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if ((fd = make_in_root(rootfd, fixed[i], 0, e)) < 0)
			return kerr_prefix(e, "mount points: ");
		close(fd);
	}
	for (size_t i = 0; i < o->nmounts; i++) {
		if (on_our_tmpfs(o, i))
			continue;
		if ((fd = make_in_root(rootfd, o->mounts[i].dst, is_file_source(c, i), e)) < 0)
			return kerr_prefix(e, "mount points: ");
		close(fd);
	}
	if (o->chdir) {
		if ((fd = make_in_root(rootfd, o->chdir, 0, e)) < 0)
			return kerr_prefix(e, "--chdir: ");
		close(fd);
	}
	return 0;
}

/* Step 5: a fresh /proc for the new pid namespace, with the parts that
 * reach the host kernel read-only or hidden. */
static int mount_proc(int rootfd, struct kerr *e)
{
	char p[64];
	int fd = open_in_root(rootfd, "proc", O_PATH | O_DIRECTORY);

	if (fd < 0)
		return kerr_errno(e, KILN_EFAIL, "/proc: open mount point");
	if (mount("proc", fd_path(fd, p), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		close(fd);
		return kerr_errno(e, KILN_EFAIL, "/proc: mount proc");
	}
	close(fd);
	for (size_t i = 0; i < sizeof(proc_read_only) / sizeof(proc_read_only[0]); i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "proc/%s", proc_read_only[i]);
		if ((fd = open_in_root(rootfd, rel, O_PATH)) < 0)
			continue; /* not in this kernel */
		fd_path(fd, p);
		int r = mount(p, p, NULL, MS_BIND | MS_REC, NULL);
		close(fd);
		/* reopen: the fd above is the covered file, not the new mount */
		if (r == 0 && (fd = open_in_root(rootfd, rel, O_PATH)) < 0)
			r = -1;
		if (r == 0) {
			r = set_attr(fd_path(fd, p),
				     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					 MOUNT_ATTR_NOEXEC,
				     1, e);
			close(fd);
		}
		if (r < 0)
			return kerr_errno(e, KILN_EFAIL, "/proc: make /%s read-only", rel);
	}
	for (size_t i = 0; i < sizeof(proc_masked) / sizeof(proc_masked[0]); i++) {
		char rel[64];
		struct stat st;
		snprintf(rel, sizeof(rel), "proc/%s", proc_masked[i]);
		if ((fd = open_in_root(rootfd, rel, O_PATH)) < 0)
			continue;
		int r;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			r = mount("kiln-mask", fd_path(fd, p), "tmpfs",
				  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555");
		else
			r = mount("/dev/null", fd_path(fd, p), NULL, MS_BIND, NULL);
		close(fd);
		if (r < 0)
			return kerr_errno(e, KILN_EFAIL, "/proc: mask /%s", rel);
	}
	return 0;
}

/* Step 5b: /sys, where the root has one, is a fresh sysfs (it shows the
 * sandbox's own network namespace: only lo), read-only; never the host's. */
static int mount_sys(int rootfd, struct kerr *e)
{
	char p[64];
	int fd = open_in_root(rootfd, "sys", O_PATH | O_DIRECTORY);

	if (fd < 0)
		return 0; /* no /sys in this root: none inside */
	int r = mount("sysfs", fd_path(fd, p), "sysfs",
		      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (r < 0) /* not allowed here (shared net namespace): hide the host's */
		r = mount("kiln-nosys", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0,mode=0555");
	close(fd);
	if (r < 0)
		return kerr_errno(e, KILN_EFAIL, "/sys: mount");
	return 0;
}

/* Step 6: a minimal /dev on a tmpfs: the six harmless nodes bound from the
 * host, a private devpts instance, a size-limited /dev/shm, the usual links. */
static int mount_dev(const struct sandbox_opts *o, int rootfd, struct kerr *e)
{
	char p[64], opts[64];
	int dev = open_in_root(rootfd, "dev", O_PATH | O_DIRECTORY), fd, dfd = -1;

	if (dev < 0)
		return kerr_errno(e, KILN_EFAIL, "/dev: open mount point");
	if (mount("kiln-dev", fd_path(dev, p), "tmpfs", MS_NOSUID | MS_NOEXEC,
		  "mode=0755,size=64k") < 0) {
		close(dev);
		return kerr_errno(e, KILN_EFAIL, "/dev: mount tmpfs");
	}
	close(dev);
	if ((dfd = open_in_root(rootfd, "dev", O_RDONLY | O_DIRECTORY)) < 0)
		return kerr_errno(e, KILN_EFAIL, "/dev: open");
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		char host[64];
		snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i]);
		if ((fd = openat(dfd, dev_nodes[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				 0666)) < 0)
			goto fail_node;
		close(fd);
		if ((fd = openat(dfd, dev_nodes[i], O_PATH | O_CLOEXEC)) < 0)
			goto fail_node;
		int r = mount(host, fd_path(fd, p), NULL, MS_BIND, NULL);
		close(fd);
		if (r < 0)
			goto fail_node;
		continue;
	fail_node:
		kerr_errno(e, KILN_EFAIL, "/dev: bind %s", host);
		close(dfd);
		return -KILN_EFAIL;
	}
	if (mkdirat(dfd, "pts", 0755) < 0 || mkdirat(dfd, "shm", 01777) < 0)
		goto fail;
	if ((fd = openat(dfd, "pts", O_PATH | O_CLOEXEC)) < 0)
		goto fail;
	int r = mount("devpts", fd_path(fd, p), "devpts", MS_NOSUID | MS_NOEXEC,
		      "newinstance,ptmxmode=0666,mode=620");
	close(fd);
	if (r < 0) {
		kerr_errno(e, KILN_EFAIL, "/dev: mount devpts");
		close(dfd);
		return -KILN_EFAIL;
	}
	if ((fd = openat(dfd, "shm", O_PATH | O_CLOEXEC)) < 0)
		goto fail;
	snprintf(opts, sizeof(opts), "mode=1777,size=%llu",
		 (unsigned long long)(o->shm_bytes ? o->shm_bytes : SANDBOX_DEFAULT_SHM_BYTES));
	r = mount("kiln-shm", fd_path(fd, p), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts);
	close(fd);
	if (r < 0) {
		kerr_errno(e, KILN_EFAIL, "/dev: mount /dev/shm");
		close(dfd);
		return -KILN_EFAIL;
	}
	if (symlinkat("pts/ptmx", dfd, "ptmx") < 0 || symlinkat("/proc/self/fd", dfd, "fd") < 0 ||
	    symlinkat("/proc/self/fd/0", dfd, "stdin") < 0 ||
	    symlinkat("/proc/self/fd/1", dfd, "stdout") < 0 ||
	    symlinkat("/proc/self/fd/2", dfd, "stderr") < 0)
		goto fail;
	close(dfd);
	return 0;
fail:
	kerr_errno(e, KILN_EFAIL, "/dev: populate");
	close(dfd);
	return -KILN_EFAIL;
}

static int mount_tmpfs_at(const struct sandbox_opts *o, int rootfd, const char *dst, struct kerr *e)
{
	char p[64], opts[64];
	int fd = open_in_root(rootfd, dst, O_PATH | O_DIRECTORY);

	if (fd < 0)
		return kerr_errno(e, KILN_EFAIL, "tmpfs on %s: open mount point", dst);
	snprintf(opts, sizeof(opts), "mode=1777,size=%llu",
		 (unsigned long long)(o->tmp_bytes ? o->tmp_bytes : SANDBOX_DEFAULT_TMP_BYTES));
	int r = mount("kiln-tmp", fd_path(fd, p), "tmpfs", MS_NOSUID | MS_NODEV, opts);
	close(fd);
	if (r < 0)
		return kerr_errno(e, KILN_EFAIL, "tmpfs on %s", dst);
	return 0;
}

/* Step 7: the caller's binds and tmpfs mounts, in the order given. */
static int mount_user_mounts(const struct sb_ctx *c, int rootfd, struct kerr *e)
{
	const struct sandbox_opts *o = c->o;
	char src[64], dst[64];

	for (size_t i = 0; i < o->nmounts; i++) {
		const struct sandbox_mount *m = &o->mounts[i];
		int fd;
		if (on_our_tmpfs(o, i)) {
			if ((fd = make_in_root(rootfd, m->dst, is_file_source(c, i), e)) < 0)
				return kerr_prefix(e, "mount point on a tmpfs: ");
			close(fd);
		}
		if (m->kind == SB_TMPFS) {
			if (mount_tmpfs_at(o, rootfd, m->dst, e) < 0)
				return -KILN_EFAIL;
			continue;
		}
		fd = open_in_root(rootfd, m->dst, O_PATH);
		if (fd < 0)
			return kerr_errno(e, KILN_EFAIL, "bind %s: open %s", m->src, m->dst);
		fd_path(fd, dst);
		int r = mount(fd_path(c->src_fds[i], src), dst, NULL, MS_BIND | MS_REC, NULL);
		if (r < 0) {
			kerr_errno(e, KILN_EFAIL, "bind %s on %s", m->src, m->dst);
			close(fd);
			return -KILN_EFAIL;
		}
		close(fd);
		/* reopen: the fd above is the covered directory, not the new mount */
		if ((fd = open_in_root(rootfd, m->dst, O_PATH)) < 0)
			return kerr_errno(e, KILN_EFAIL, "bind %s: reopen %s", m->src, m->dst);
		r = set_attr(fd_path(fd, dst),
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				 (m->kind == SB_BIND_RO ? MOUNT_ATTR_RDONLY : 0),
			     1, e);
		close(fd);
		if (r < 0)
			return kerr_prefix(e, "bind %s on %s: ", m->src, m->dst);
	}
	return 0;
}

/* Step 8: the new root becomes "/", the old one is detached: nothing of the
 * host stays reachable. pivot_root(".", ".") needs no put_old directory. */
static int pivot_into(const char *newroot, struct kerr *e)
{
	if (chdir(newroot) < 0)
		return kerr_errno(e, KILN_EFAIL, "pivot_root: chdir %s", newroot);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return kerr_errno(e, KILN_EFAIL, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return kerr_errno(e, KILN_EFAIL, "pivot_root: detach the old root");
	if (chdir("/") < 0)
		return kerr_errno(e, KILN_EFAIL, "pivot_root: chdir /");
	return 0;
}

int mounts_setup(const struct sb_ctx *c, struct kerr *e)
{
	char newroot[600];
	int overlaid, rootfd, r;

	if (make_root_private(e) < 0 || mount_stage(c->stage, e) < 0 ||
	    bind_new_root(c, c->stage, newroot, sizeof(newroot), &overlaid, e) < 0)
		return kerr_prefix(e, "mount namespace: ");
	if ((rootfd = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return kerr_errno(e, KILN_EFAIL, "mount namespace: open %s", newroot);
	r = -1;
	if (create_mount_points(c, rootfd, e) < 0)
		goto out;
	if (!c->o->root_writable &&
	    set_attr(newroot, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 1, e) < 0) {
		kerr_prefix(e, "make the root read-only: ");
		goto out;
	}
	if (mount_proc(rootfd, e) < 0 || mount_sys(rootfd, e) < 0 ||
	    mount_dev(c->o, rootfd, e) < 0 || mount_tmpfs_at(c->o, rootfd, "tmp", e) < 0 ||
	    mount_user_mounts(c, rootfd, e) < 0)
		goto out;
	close(rootfd);
	rootfd = -1;
	r = pivot_into(newroot, e);
out:
	if (rootfd >= 0)
		close(rootfd);
	return r < 0 ? kerr_prefix(e, "mount namespace: ") : 0;
}
