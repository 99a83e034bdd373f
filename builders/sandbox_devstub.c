/* sandbox_devstub.c - TEMPORARY stand-in for sandbox_run (chroot + namespaces,
 * no seccomp) so builders/ can be tested before branch `sandbox` lands.
 * Deleted when that branch is merged. */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void sandbox_opts_init(struct sandbox_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->stdin_fd = o->stdout_fd = o->stderr_fd = -1;
}

static void die(const char *what)
{
	dprintf(2, "sandbox-stub: %s: %s\n", what, strerror(errno));
	_exit(127);
}

static void bind(const char *src, const char *root, const char *dst, int ro)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s%s", root, dst);
	struct stat st;
	if (stat(src, &st) == 0 && !S_ISDIR(st.st_mode) && !path_exists(p))
		close(open(p, O_CREAT | O_WRONLY, 0644));
	else
		mkdir(p, 0755);
	if (mount(src, p, NULL, MS_BIND | MS_REC, NULL) < 0)
		die(p);
	if (ro && mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		die(p);
}

static void child(const struct sandbox_opts *o)
{
	const char *root = o->root ? o->root : "/";
	char p[4096];
	static const char *const devs[] = {"null", "zero", "full", "random", "urandom", "tty", NULL};

	if (o->stdin_fd >= 0)
		dup2(o->stdin_fd, 0);
	else {
		int n = open("/dev/null", O_RDONLY);
		dup2(n, 0);
	}
	if (o->stdout_fd >= 0)
		dup2(o->stdout_fd, 1);
	if (o->stderr_fd >= 0)
		dup2(o->stderr_fd, 2);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make-rprivate");
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind root");
	snprintf(p, sizeof(p), "%s/proc", root);
	mkdir(p, 0755);
	if (mount("proc", p, "proc", 0, NULL) < 0)
		die("proc");
	snprintf(p, sizeof(p), "%s/dev", root);
	mkdir(p, 0755);
	if (mount("tmpfs", p, "tmpfs", 0, "mode=0755") < 0)
		die("dev");
	for (int i = 0; devs[i]; i++) {
		char d[64];
		snprintf(d, sizeof(d), "/dev/%s", devs[i]);
		bind(d, root, d, 0);
	}
	snprintf(p, sizeof(p), "%s/dev/pts", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/dev/shm", root);
	mkdir(p, 01777);
	for (size_t i = 0; i < o->nmounts; i++) {
		if (o->mounts[i].kind == SB_TMPFS) {
			snprintf(p, sizeof(p), "%s%s", root, o->mounts[i].dst);
			mkdir(p, 0755);
			if (mount("tmpfs", p, "tmpfs", 0, NULL) < 0)
				die(p);
		} else
			bind(o->mounts[i].src, root, o->mounts[i].dst, o->mounts[i].kind == SB_BIND_RO);
	}
	if (!o->root_writable && mount(NULL, root, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		die("ro root");
	const char *hn = o->hostname ? o->hostname : "kiln";
	sethostname(hn, strlen(hn));
	if (chroot(root) < 0 || chdir(o->chdir ? o->chdir : "/") < 0)
		die("chroot");
	if (setgroups(0, NULL) < 0 || setgid(o->gid) < 0 || setuid(o->uid) < 0)
		die("drop ids");
	char *env[64];
	size_t n = 0;
	env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (size_t i = 0; o->env && o->env[i] && n < 62; i++)
		env[n++] = o->env[i];
	env[n] = NULL;
	execvpe(o->argv[0], o->argv, env);
	die(o->argv[0]);
}

int sandbox_run(const struct sandbox_opts *o, int *status, struct kerr *e)
{
	pid_t pid = fork();
	int st = 0;
	if (pid < 0)
		return kerr_errno(e, KILN_EIO, "fork");
	if (pid == 0) {
		if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
			    (o->network ? 0 : CLONE_NEWNET)) < 0)
			die("unshare");
		pid_t c = fork();
		if (c < 0)
			die("fork");
		if (c == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			child(o);
		}
		int s;
		while (waitpid(c, &s, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s));
	}
	double t0 = now_monotonic();
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return kerr_errno(e, KILN_EIO, "waitpid");
		if (o->timeout_s > 0 && now_monotonic() - t0 > o->timeout_s) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			*status = 128 + SIGKILL;
			return kerr_set(e, KILN_EFAIL, "%s: timed out after %.0f s", o->argv[0],
					o->timeout_s);
		}
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}
