/* rootcache.c - the read-only root cache under $KILN_HOME/roots/<id> that
 * Debian and Alpine roots share, and the ids of the files kiln makes in them. */
#include "builders/rootcache.h"
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Host ids as the sandbox maps them: inside id N is host id base + N (kiln
 * as root), so what kiln itself creates in a root must be owned that way. */
uid_t root_id_base(void)
{
	return geteuid() == 0 ? sandbox_host_uid(0) : 0;
}

static __thread uid_t shift_base;
static int shift_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)flag;
	(void)f;
	if (st->st_uid < SANDBOX_ID_COUNT && st->st_gid < SANDBOX_ID_COUNT &&
	    lchown(p, st->st_uid + shift_base, st->st_gid + shift_base) < 0)
		return -1;
	return 0;
}

/* only kiln-made files are shifted: no setuid bits to lose */
int root_shift_owner(const char *path, struct kerr *e)
{
	shift_base = root_id_base();
	if (shift_base == 0)
		return 0;
	if (nftw(path, shift_one, 32, FTW_PHYS | FTW_MOUNT) != 0)
		return kerr_errno(e, KILN_EIO, "chown %s to the sandbox's ids", path);
	return 0;
}

int root_append_line(const char *path, const char *line, struct kerr *e)
{
	struct kbuf b = {0};
	int ret = read_file(path, &b, 0, e);
	if (ret == 0) {
		if (b.len && b.data[b.len - 1] != '\n')
			kbuf_adds(&b, "\n");
		kbuf_adds(&b, line);
		ret = write_file_atomic(path, b.data, b.len, 0644, e);
	}
	kbuf_free(&b);
	return ret;
}

int root_prep_run(const char *root, const char *dir, const char *dst, const char *script, int logfd,
		  double timeout_s, int *status, struct kerr *e)
{
	struct sandbox_mount mnt = {SB_BIND_RO, dir, dst};
	char *path = xasprintf("%s/%s", dst, script);
	char *argv[] = {"/bin/sh", path, NULL};
	struct sandbox_opts so;
	sandbox_opts_init(&so);
	so.profile = SANDBOX_ROOT_PREP;
	so.root = root;
	so.root_writable = 1;
	so.mounts = &mnt;
	so.nmounts = 1;
	so.argv = argv;
	so.stdout_fd = so.stderr_fd = log_level() >= LOG_VERBOSE ? -1 : logfd;
	so.stdin_fd = -1;
	so.timeout_s = timeout_s;
	/* package managers sync every file they unpack and every status change:
	 * thousands of fsyncs that cost most of a preparation. Here they return
	 * at once; root_cache_prepare syncs the finished root once, before it is
	 * renamed into place. */
	so.no_sync = 1;
	int r = sandbox_run(&so, status, e);
	free(path);
	return r;
}

/* one syncfs of the filesystem holding dir (the writes of root_prep_run's
 * sandbox were not synced one by one) */
static int sync_tree(const char *dir, struct kerr *e)
{
	double ts = now_monotonic();
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(e, KILN_EIO, "opening %s", dir);
	int r = syncfs(fd) < 0 ? kerr_errno(e, KILN_EIO, "syncing %s", dir) : 0;
	close(fd);
	log_verbose("root: synced in %.1f s", now_monotonic() - ts);
	return r;
}

static int write_root_meta(const struct root_recipe *rc, const char *path, double secs,
			   struct kerr *e)
{
	const struct lock *l = rc->lock;
	struct kbuf b = {0};
	kbuf_printf(&b,
		    "{\n  \"root_id\": \"%s\",\n  \"lock_sha256\": \"%s\",\n  \"distro\": \"%s\",\n"
		    "  \"source\": \"%s\",\n  \"packages\": %zu,\n"
		    "  \"seconds\": %.1f,\n  \"created\": %lld\n}\n",
		    rc->id, l->sha256, l->distro ? l->distro : "", l->source ? l->source : "", l->n,
		    secs, (long long)time(NULL));
	int ret = write_file_atomic(path, b.data, b.len, 0644, e);
	kbuf_free(&b);
	return ret;
}

int root_cache_prepare(const struct root_recipe *rc, const struct root_opts *o, char **path,
		       int *cached, int *hold_fd, struct kerr *e)
{
	const char *id = rc->id;
	char *roots = xasprintf("%s/roots", kiln_home());
	char *final = xasprintf("%s/%s", roots, id);
	char *lockp = xasprintf("%s/%s.lock", roots, id);
	char *meta = xasprintf("%s/%s.json", roots, id);
	char *tmp = xasprintf("%s/.tmp-%s-%ld", roots, id, (long)getpid());
	char *work = xasprintf("%s/work/rootprep-%.16s-%ld", kiln_home(), id, (long)getpid());
	int ret, lfd = -1;
	double t0 = now_monotonic();

	*path = NULL;
	*cached = 0;
	*hold_fd = -1;
	if ((ret = mkdir_p(roots, 0755, e)) < 0)
		goto out;
	/* Users of a root hold its lock shared, the one preparing it (or
	 * kiln cache gc removing it) exclusive: a second kiln waits for the
	 * first and reuses its result, and no root goes while in use. */
	if ((lfd = lock_path(lockp, 0, e)) < 0) {
		ret = -e->code;
		goto out;
	}
	if (!o->rebuild && path_exists(final)) {
		utimensat(AT_FDCWD, final, NULL, 0); /* last use, for kiln cache gc */
		*cached = 1;
		goto done;
	}
	unlock_fd(lfd);
	lfd = -1;
	if (o->cached_only) {
		ret = kerr_set(e, KILN_ENOTFOUND,
			       "no prepared root %s for this lock (--cached-root)", id);
		goto out;
	}
	if ((lfd = lock_path(lockp, 1, e)) < 0) {
		ret = -e->code;
		goto out;
	}
	if (!o->rebuild && path_exists(final)) {
		*cached = 1;
		goto done;
	}
	rm_rf(tmp);
	rm_rf(work);
	if ((ret = mkdir_p(tmp, 0755, e)) < 0 || (ret = mkdir_p(work, 0755, e)) < 0)
		goto out;
	if ((ret = rc->make(rc->ud, tmp, work, e)) < 0)
		goto out;
	if ((ret = write_root_meta(rc, meta, now_monotonic() - t0, e)) < 0)
		goto out;
	if ((ret = sync_tree(tmp, e)) < 0) /* durable before it is renamed into place */
		goto out;
	if (o->rebuild && path_exists(final))
		rm_rf(final);
	if (rename(tmp, final) < 0) {
		ret = kerr_errno(e, KILN_EIO, "renaming %s to %s", tmp, final);
		goto out;
	}
	fsync_dir_of(final);
	log_info("root: ready in %.1f s", now_monotonic() - t0);
done:
	if (flock(lfd, LOCK_SH) < 0) {
		ret = kerr_errno(e, KILN_EIO, "locking %s", lockp);
		goto out;
	}
	*hold_fd = lfd;
	lfd = -1;
	*path = final;
	final = NULL;
	ret = 0;
out:
	if (ret < 0) {
		rm_rf(tmp); /* the preparation log stays in work for diagnosis ... */
		if (ret == -KILN_EINTR)
			rm_rf(work); /* ... unless the user stopped it */
	} else {
		/* the preparation log stays next to the root */
		char *lg = xasprintf("%s/root-prep.log", work),
		     *dst = xasprintf("%s/%s.log", roots, id);
		rename(lg, dst);
		free(lg);
		free(dst);
		rm_rf(work);
	}
	if (lfd >= 0)
		unlock_fd(lfd);
	free(roots);
	free(final);
	free(lockp);
	free(meta);
	free(tmp);
	free(work);
	return ret;
}
