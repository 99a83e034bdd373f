/* buildlog.h - builders-internal: a build's log (one file, optionally teed to
 * the terminal) and the staging of outputs, shared by the Debian and Alpine
 * builds. */
#ifndef KILN_BUILDERS_BUILDLOG_H
#define KILN_BUILDERS_BUILDLOG_H

#include <pthread.h>

#include "builders/record.h"

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

#endif
