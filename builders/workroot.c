/* workroot.c - a build's private writable copy of a prepared root: overlayfs
 * in kiln's own private mount namespace where the kernel allows it (instant,
 * and gone with the process), else a full copy. */
#include "builders/workroot.h"

#include <errno.h>
#include <sched.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int try_overlay(struct workroot *w, const char *lower, struct kerr *e)
{
	/* private mount namespace: the overlay is invisible to the host and
	 * disappears when kiln exits, however it exits */
	if (unshare(CLONE_NEWNS) < 0)
		return kerr_errno(e, KILN_EIO, "unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return kerr_errno(e, KILN_EIO, "making mounts private");
	char *opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, w->upper, w->ovwork);
	int r = mount("overlay", w->merged, "overlay", 0, opts);
	free(opts);
	if (r < 0)
		return kerr_errno(e, KILN_EIO, "mounting overlay on %s", w->merged);
	w->overlay = 1;
	return 0;
}

static int copy_tree(const char *src, const char *dst, struct kerr *e)
{
	char *s = xasprintf("%s/.", src);
	char *argv[] = {"cp", "-a", "--reflink=auto", s, (char *)dst, NULL};
	pid_t pid;
	int st = 0, ret = 0;
	if (posix_spawnp(&pid, "cp", NULL, NULL, argv, environ) != 0)
		ret = kerr_errno(e, KILN_EIO, "running cp");
	else if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		ret = kerr_set(e, KILN_EIO, "copying the root %s to %s failed", src, dst);
	free(s);
	return ret;
}

int workroot_make(struct workroot *w, const char *lower, const char *workdir, int allow_overlay,
		  struct kerr *e)
{
	int ret;
	memset(w, 0, sizeof(*w));
	w->upper = xasprintf("%s/upper", workdir);
	w->ovwork = xasprintf("%s/ovwork", workdir);
	w->merged = xasprintf("%s/root", workdir);
	if ((ret = mkdir_p(w->upper, 0755, e)) < 0 || (ret = mkdir_p(w->ovwork, 0755, e)) < 0 ||
	    (ret = mkdir_p(w->merged, 0755, e)) < 0)
		return ret;
	/* the merged root directory takes its owner and mode from upper */
	struct stat st;
	if (stat(lower, &st) < 0)
		return kerr_errno(e, KILN_EIO, "%s", lower);
	if (chown(w->upper, st.st_uid, st.st_gid) < 0 && geteuid() == 0)
		return kerr_errno(e, KILN_EIO, "chown %s", w->upper);
	chmod(w->upper, st.st_mode & 07777);
	if (allow_overlay && getenv("KILN_NO_OVERLAY") == NULL) {
		struct kerr oe = {0};
		if (try_overlay(w, lower, &oe) == 0)
			return 0;
		log_verbose("overlayfs unavailable (%s); copying the root", oe.msg);
	}
	/* without overlay, the copy is the writable tree and upper is unused */
	return copy_tree(lower, w->merged, e);
}

const char *workroot_changes(const struct workroot *w)
{
	return w->overlay ? w->upper : w->merged;
}

void workroot_release(struct workroot *w)
{
	if (w->overlay)
		umount2(w->merged, MNT_DETACH);
	w->overlay = 0;
	free(w->upper);
	free(w->ovwork);
	free(w->merged);
	w->upper = w->ovwork = w->merged = NULL;
}
