/* buildlog.c - a build's log and the staging of its outputs (Debian and Alpine builds). */
#include "builders/buildlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the log: every step's output into one file, optionally teed ---- */

static void *logtee_main(void *ud)
{
	struct logtee *t = ud;
	char buf[16384];
	ssize_t n;
	while ((n = read(t->rfd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (write(t->filefd, buf, (size_t)n) < 0) { /* full disk: keep draining */
		}
		if (t->to_terminal && write(STDERR_FILENO, buf, (size_t)n) < 0) {
		}
	}
	return NULL;
}

int logtee_start(struct logtee *t, const char *path, int to_terminal, struct kerr *e)
{
	int p[2];
	memset(t, 0, sizeof(*t));
	t->filefd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (t->filefd < 0)
		return kerr_errno(e, KILN_EIO, "creating %s", path);
	if (pipe2(p, O_CLOEXEC) < 0) {
		close(t->filefd);
		return kerr_errno(e, KILN_EIO, "pipe");
	}
	t->rfd = p[0];
	t->wfd = p[1];
	t->to_terminal = to_terminal;
	pthread_create(&t->th, NULL, logtee_main, t);
	return 0;
}

void logtee_say(struct logtee *t, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(t->wfd, buf, (size_t)n) < 0) {
	}
}

void logtee_stop(struct logtee *t)
{
	if (t->wfd < 0)
		return;
	close(t->wfd);
	t->wfd = -1;
	pthread_join(t->th, NULL);
	close(t->rfd);
	fsync(t->filefd);
	close(t->filefd);
}

/* copy one regular file (never through a symlink) into dir, fsynced */
int stage_file(int srcdir_fd, const char *name, const char *dir, struct record_file *rf,
	       struct kerr *e)
{
	int in = openat(srcdir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1, ret = 0;
	char *dst = xasprintf("%s/%s", dir, name);
	struct stat st;
	char buf[1 << 16];
	ssize_t n;

	if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = kerr_set(e, KILN_EFAIL, "output %s is not a regular file", name);
		goto out;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		ret = kerr_errno(e, KILN_EIO, "creating %s", dst);
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		const char *p = buf;
		while (n > 0) {
			ssize_t w = n < 0 ? -1 : write(out, p, (size_t)n);
			if (w < 0) {
				ret = kerr_errno(e, KILN_EIO, "writing %s", dst);
				goto out;
			}
			p += w;
			n -= w;
		}
		if (n < 0) {
			ret = kerr_errno(e, KILN_EIO, "reading output %s", name);
			goto out;
		}
	}
	if (fsync(out) < 0) {
		ret = kerr_errno(e, KILN_EIO, "writing %s", dst);
		goto out;
	}
	if (rf) {
		rf->name = xstrdup(name);
		if ((ret = sha256_file(dst, rf->sha256, &rf->size, e)) < 0)
			goto out;
	}
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(dst);
	return ret;
}
