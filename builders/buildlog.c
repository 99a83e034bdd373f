/* buildlog.c - a build's log and the staging of its outputs (Debian and Alpine builds). */
#include "builders/buildlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

int logged_step(struct logtee *log, const char *name, const struct sandbox_opts *so,
		volatile sig_atomic_t *cancel, struct kerr *e)
{
	int status = 0, ret;

	if (cancel && *cancel)
		return kerr_set(e, KILN_EINTR, "interrupted before step %s", name);
	ret = sandbox_run(so, &status, e);
	if (cancel && *cancel) {
		logtee_say(log, "kiln: step %s interrupted", name);
		return kerr_set(e, KILN_EINTR, "interrupted during step %s", name);
	}
	if (ret < 0) {
		logtee_say(log, "kiln: step %s failed: %s", name, e->msg);
		return kerr_prefix(e, "step %s: ", name);
	}
	if (status != 0) {
		logtee_say(log, "kiln: step %s failed (exit status %d)", name, status);
		return kerr_set(
		    e, status == 128 + SIGINT || status == 128 + SIGTERM ? KILN_EINTR : KILN_EFAIL,
		    "step %s failed (exit status %d)", name, status);
	}
	return 0;
}

/* The start of a build, the same for every builder: r cleared, the time
 * (returned, and in UTC ISO 8601 in started), and umask 022, which is part of
 * the reproducibility contract: the build inherits it. */
time_t build_begin(struct build_result *r, char started[BUILD_STARTED_LEN])
{
	time_t now = time(NULL);
	struct tm tm;

	memset(r, 0, sizeof(*r));
	gmtime_r(&now, &tm);
	strftime(started, BUILD_STARTED_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
	umask(022);
	return now;
}

/* an empty staging directory (what a failed earlier attempt left goes) in an
 * output directory that exists */
int stage_begin(const char *outdir, const char *staging, struct kerr *e)
{
	int ret = mkdir_p(outdir, 0755, e);
	if (ret < 0)
		return ret;
	rm_rf(staging);
	if (mkdir(staging, 0755) < 0)
		return kerr_errno(e, KILN_EIO, "creating %s", staging);
	return 0;
}

int stage_log(struct logtee *log, const char *work, const char *staging, const char *logname,
	      char log_sha[SHA256_HEX_LEN + 1], struct kerr *e)
{
	int ret, wfd;

	logtee_stop(log);
	log_sha[0] = '\0';
	wfd = open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = wfd < 0 ? kerr_errno(e, KILN_EIO, "%s", work)
		      : stage_file(wfd, "build.log", staging, NULL, e);
	if (wfd >= 0)
		close(wfd);
	if (ret < 0)
		return ret;
	char *a = xasprintf("%s/build.log", staging), *b = xasprintf("%s/%s", staging, logname);
	struct kerr ignored = {0};
	if (rename(a, b) < 0 || sha256_file(b, log_sha, NULL, &ignored) < 0)
		log_sha[0] = '\0';
	free(a);
	free(b);
	return 0;
}

int stage_move(const char *staging, const char *outdir, struct strv *names, const char *logname,
	       const char *recname, struct build_result *r, struct kerr *e)
{
	int ret = 0;
	strv_add(names, logname);
	if (recname)
		strv_add(names, recname);
	for (size_t i = 0; i < names->n && ret == 0; i++) {
		char *a = xasprintf("%s/%s", staging, names->v[i]);
		char *b = xasprintf("%s/%s", outdir, names->v[i]);
		if (rename(a, b) < 0)
			ret = kerr_errno(e, KILN_EIO, "moving %s into %s", names->v[i], outdir);
		else
			strv_add(&r->outputs, names->v[i]);
		free(a);
		free(b);
	}
	if (ret < 0)
		return ret;
	fsync_dir_of(staging);
	r->log_path = xasprintf("%s/%s", outdir, logname);
	if (recname)
		r->record_path = xasprintf("%s/%s", outdir, recname);
	return 0;
}
