/* run.c - run a host tool (dpkg-source) with its output in a log file. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backports/backports.h"

/* the last few lines of the log, for the error message */
static char *log_tail(const char *path, int lines)
{
	struct kbuf b;
	struct kerr e = {0};
	kbuf_init(&b);
	if (read_file(path, &b, 0, &e) < 0 || !b.len) {
		kbuf_free(&b);
		return xstrdup("");
	}
	size_t end = b.len;
	while (end && b.data[end - 1] == '\n')
		end--;
	size_t start = end;
	for (int n = 0; start > 0; start--)
		if (b.data[start - 1] == '\n' && ++n == lines)
			break;
	char *t = xstrndup(b.data + start, end - start);
	for (char *c = t; *c; c++)
		if (*c == '\n')
			*c = ' ';
	kbuf_free(&b);
	return t;
}

int bp_run(const char *const *argv, const char *dir, const char *const *env, const char *log_path,
	   struct kerr *e)
{
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return kerr_errno(e, KILN_EIO, "opening %s", log_path);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		return kerr_errno(e, KILN_EIO, "starting %s", argv[0]);
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		signal(SIGPIPE, SIG_DFL);
		if (dir && chdir(dir) < 0)
			_exit(126);
		for (size_t i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		setenv("LC_ALL", "C.UTF-8", 1);
		setenv("TZ", "UTC", 1);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "kiln: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return kerr_errno(e, KILN_EIO, "waiting for %s", argv[0]);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	char *tail = log_tail(log_path, 3);
	int ret = kerr_set(e, KILN_EFAIL, "%s failed (%s %d): %s (log: %s)", argv[0],
			   WIFEXITED(st) ? "exit" : "signal",
			   WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), tail, log_path);
	free(tail);
	return ret;
}
