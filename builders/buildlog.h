/* buildlog.h - builders-internal: a build's log (one file, optionally teed to
 * the terminal) and the staging of outputs, shared by the Debian and Alpine
 * builds. */
#ifndef KILN_BUILDERS_BUILDLOG_H
#define KILN_BUILDERS_BUILDLOG_H

#include <pthread.h>
#include <signal.h>

#include "builders/record.h"
#include "sandbox/sandbox.h"

struct logtee {
	int rfd, wfd; /* pipe the sandbox writes into */
	int filefd;
	int to_terminal;
	pthread_t th;
};

/* open path for the log and start the thread that copies the pipe into it */
int logtee_start(struct logtee *t, const char *path, int to_terminal, struct kerr *e);
/* one line of kiln's own into the log */
void logtee_say(struct logtee *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* close the pipe, wait for the thread, fsync the file; a no-op when stopped */
void logtee_stop(struct logtee *t);

/* Copy one regular file (never through a symlink) from the directory
 * srcdir_fd into dir, fsynced; with rf, record its name, sha256 and size. */
int stage_file(int srcdir_fd, const char *name, const char *dir, struct record_file *rf,
	       struct kerr *e);

/* Run one build step in the sandbox (so's output going to the log), saying
 * in the log what happened: an interruption (KILN_EINTR), a sandbox error
 * ("step NAME: ..."), a non-zero exit status (KILN_EFAIL, or KILN_EINTR when
 * killed by SIGINT/SIGTERM). */
int logged_step(struct logtee *log, const char *name, const struct sandbox_opts *so,
		volatile sig_atomic_t *cancel, struct kerr *e);

/* r cleared, started = the time in UTC (ISO 8601), umask 022; the time */
#define BUILD_STARTED_LEN 32
time_t build_begin(struct build_result *r, char started[BUILD_STARTED_LEN]);

/* mkdir -p outdir; staging made anew and empty */
int stage_begin(const char *outdir, const char *staging, struct kerr *e);

/* The log of a build (work/build.log) into staging as logname; its sha256
 * into log_sha ("" when it cannot be read). Stops the log first. */
int stage_log(struct logtee *log, const char *work, const char *staging, const char *logname,
	      char log_sha[SHA256_HEX_LEN + 1], struct kerr *e);

/* Rename every staged name, then logname and recname (NULL: a failed
 * build, no record) into outdir, adding each to r->outputs, and set
 * r->log_path and r->record_path. */
int stage_move(const char *staging, const char *outdir, struct strv *names, const char *logname,
	       const char *recname, struct build_result *r, struct kerr *e);

#endif
