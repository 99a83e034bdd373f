/* sandbox.c - sandbox_run(), top to bottom in the order things happen: the
 * parent opens what will be bound, clones a child into new namespaces, maps
 * its ids and waits; the child builds the file system, fixes hostname,
 * network and limits, then forks the command, which drops everything it can
 * and execs under seccomp while the child reaps as the namespace's init. */
#include "sandbox/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SANDBOX_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* exit statuses the init uses to say "the command never ran" */
#define EXIT_SETUP_FAILED 125
#define EXIT_EXEC_FAILED 127

void sandbox_opts_init(struct sandbox_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->profile = SANDBOX_BUILD;
	o->stdin_fd = o->stdout_fd = o->stderr_fd = -1;
}

/* ---------------------------------------------------------------- child
 *
 * The child is made with a raw clone(2), not fork(3): if the caller has other
 * threads, a lock one of them held (malloc's) stays locked in the child
 * forever. So the child never allocates, never calls fork(3), and changes ids
 * with raw syscalls; everything it needs is prepared by the parent. */

/* a fork(2) without glibc's fork handlers (which take malloc's locks) */
static pid_t raw_fork(void)
{
	return (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
}

static int open_sources(const struct sandbox_opts *o, struct sb_ctx *c, struct kerr *e);

static void __attribute__((noreturn)) report_and_exit(int err_fd, const struct kerr *e, int code)
{
	size_t n = strlen(e->msg);
	if (write(err_fd, e->msg, n) < 0) {
		/* nothing more we can do: the exit status still says it failed */
	}
	_exit(code);
}

/* Signal dispositions and the mask are inherited through clone and exec;
 * kiln ignores SIGPIPE, a build must not. */
static void signals_reset(void)
{
	sigset_t none;
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static const char *env_get(char *const *envp, const char *key)
{
	size_t n = strlen(key);
	for (; envp && *envp; envp++)
		if (!strncmp(*envp, key, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* argv[0] is looked up in the sandbox's PATH, not kiln's. */
static int exec_in_path(char *const *argv, char *const *envp, struct kerr *e)
{
	const char *path = env_get(envp, "PATH");
	int saved = ENOENT;

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, envp);
		return kerr_errno(e, KILN_EFAIL, "exec %s", argv[0]);
	}
	for (const char *p = path ? path : SANDBOX_PATH; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char full[4096];
		snprintf(full, sizeof(full), "%.*s/%s", (int)n, n ? p : ".", argv[0]);
		execve(full, argv, envp);
		if (errno != ENOENT && errno != ENOTDIR)
			saved = errno; /* EACCES etc. beat "not found", as in execvp */
		p = colon ? colon + 1 : NULL;
	}
	errno = saved;
	return kerr_errno(e, KILN_EFAIL, "exec %s (PATH=%s)", argv[0], path ? path : SANDBOX_PATH);
}

/* The command's process: new session, identity, capabilities, no_new_privs,
 * seccomp, exec. Each step that fails is reported and nothing runs. */
static void __attribute__((noreturn)) payload_exec(const struct sb_ctx *c)
{
	const struct sandbox_opts *o = c->o;
	struct kerr e = {0};
	int code = EXIT_SETUP_FAILED;

	/* a new session: no controlling terminal to push input into (CVE-2017-5226) */
	if (setsid() < 0) {
		kerr_errno(&e, KILN_EFAIL, "setsid");
		goto fail;
	}
	if ((o->stdin_fd >= 0 && dup2(o->stdin_fd, 0) < 0) ||
	    (o->stdout_fd >= 0 && dup2(o->stdout_fd, 1) < 0) ||
	    (o->stderr_fd >= 0 && dup2(o->stderr_fd, 2) < 0)) {
		kerr_errno(&e, KILN_EFAIL, "redirect standard streams");
		goto fail;
	}
	if (chdir(o->chdir ? o->chdir : "/") < 0) {
		kerr_errno(&e, KILN_EFAIL, "chdir %s", o->chdir ? o->chdir : "/");
		goto fail;
	}
	umask(022);
	if (fds_close_on_exec(&e) < 0 || capabilities_drop_bounding(o->profile, &e) < 0 ||
	    identity_drop(c, &e) < 0)
		goto fail;
	/* after the identity change: a credential change clears PDEATHSIG */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		kerr_errno(&e, KILN_EFAIL, "PR_SET_PDEATHSIG");
		goto fail;
	}
	if (capabilities_drop_current(o->profile, o->uid, &e) < 0)
		goto fail;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		kerr_errno(&e, KILN_EFAIL, "no_new_privs");
		goto fail;
	}
	if (c->filter && seccomp_load_prog(c->filter, &e) < 0)
		goto fail;
	if (rlimit_address_space(c->as_limit, &e) < 0)
		goto fail;
	exec_in_path(o->argv, c->envp, &e);
	code = errno == ENOENT ? EXIT_EXEC_FAILED : 126;
fail:
	report_and_exit(c->err_fd, &e, code);
}

/* The init of the new pid namespace waits for the command; when it exits
 * the init exits too and the kernel kills whatever is left (double-forked
 * daemons included). */
static int init_reap(pid_t cmd)
{
	int st;

	for (;;) {
		pid_t p = waitpid(-1, &st, 0);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			return EXIT_SETUP_FAILED;
		if (p == cmd)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
}

static int become_inside_root(const struct sb_ctx *c, struct kerr *e)
{
	/* with a full map, inside root (host SANDBOX_ID_BASE) does the setup,
	 * so whatever it creates belongs to the sandbox's range */
	if (c->full_map &&
	    (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0))
		return kerr_errno(e, KILN_EFAIL, "user namespace: become inside root");
	return 0;
}

/* the parent holds the write end of the sync pipe until it is done */
static int parent_alive(int sync_fd)
{
	struct pollfd p = {.fd = sync_fd, .events = POLLIN};
	return !(poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)));
}

static void __attribute__((noreturn)) child_main(struct sb_ctx *c, int parent_sync, int parent_err)
{
	const struct sandbox_opts *o = c->o;
	struct kerr e = {0};
	char go;

	close(parent_sync);
	close(parent_err);
	signals_reset();
	/* 'F': a full 65536-id map, 'S': a single id (the parent decides) */
	if (read(c->sync_fd, &go, 1) != 1 || (go != 'F' && go != 'S'))
		_exit(EXIT_SETUP_FAILED); /* the parent failed to map our ids, it says why */
	c->full_map = go == 'F';
	/* Sources are opened again here: a bind needs a mount of our own
	 * namespace, not the parent's. This is still the caller's host
	 * identity, so the caller's paths are walked with the caller's rights. */
	if (open_sources(o, c, &e) < 0 || become_inside_root(c, &e) < 0)
		report_and_exit(c->err_fd, &e, EXIT_SETUP_FAILED);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || !parent_alive(c->sync_fd))
		_exit(EXIT_SETUP_FAILED);
	if (mounts_setup(c, &e) < 0 || uts_setup(o, &e) < 0 ||
	    (!o->network && loopback_up(&e) < 0) || rlimits_apply(o, c->as_limit, &e) < 0)
		report_and_exit(c->err_fd, &e, EXIT_SETUP_FAILED);
	for (size_t i = 0; i < o->nmounts; i++)
		if (c->src_fds[i] >= 0)
			close(c->src_fds[i]);
	if (c->root_fd >= 0)
		close(c->root_fd);

	/* nothing inside may ptrace the init (the command's exec makes itself
	 * dumpable again) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	pid_t cmd = raw_fork();
	if (cmd < 0) {
		kerr_errno(&e, KILN_EFAIL, "fork the command");
		report_and_exit(c->err_fd, &e, EXIT_SETUP_FAILED);
	}
	if (cmd == 0)
		payload_exec(c);
	/* the init needs no file at all: drop the caller's copies too */
	syscall(SYS_close_range, 0u, ~0u, 0u);
	_exit(init_reap(cmd));
}

/* --------------------------------------------------------------- parent */

static int check_opts(const struct sandbox_opts *o, struct kerr *e)
{
	if (!o->argv || !o->argv[0] || !o->argv[0][0])
		return kerr_set(e, KILN_EUSAGE, "sandbox: no command to run");
	if (o->uid >= SANDBOX_ID_COUNT || o->gid >= SANDBOX_ID_COUNT)
		return kerr_set(e, KILN_EUSAGE,
				"sandbox: uid/gid %u/%u outside the mapped range 0-%u",
				(unsigned)o->uid, (unsigned)o->gid, SANDBOX_ID_COUNT - 1);
	if (o->chdir && o->chdir[0] != '/')
		return kerr_set(e, KILN_EUSAGE, "sandbox: --chdir %s is not absolute", o->chdir);
	for (size_t i = 0; i < o->nmounts; i++) {
		const struct sandbox_mount *m = &o->mounts[i];
		if (!m->dst || m->dst[0] != '/')
			return kerr_set(e, KILN_EUSAGE,
					"sandbox: mount destination %s is not absolute",
					m->dst ? m->dst : "(none)");
		if (m->kind != SB_TMPFS && (!m->src || !m->src[0]))
			return kerr_set(e, KILN_EUSAGE, "sandbox: bind on %s has no source",
					m->dst);
		if (strstr(m->dst, "/../") || str_has_suffix(m->dst, "/.."))
			return kerr_set(e, KILN_EUSAGE, "sandbox: mount destination %s has '..'",
					m->dst);
	}
	if (o->hostname && (strlen(o->hostname) > 64 || !o->hostname[0]))
		return kerr_set(e, KILN_EUSAGE, "sandbox: hostname must be 1-64 characters");
	return 0;
}

/* The fixed base, then the caller's K=V entries (a later one wins). */
static char **build_env(const struct sandbox_opts *o)
{
	struct strv env = {0};

	strv_add(&env, "PATH=" SANDBOX_PATH);
	strv_add(&env, "LANG=C.UTF-8");
	strv_add(&env, "TZ=UTC");
	strv_add(&env, o->uid == 0 ? "HOME=/root" : "HOME=/nonexistent");
	for (char *const *p = o->env; p && *p; p++) {
		const char *eq = strchr(*p, '=');
		size_t k = eq ? (size_t)(eq - *p) : strlen(*p), i;
		for (i = 0; i < env.n; i++)
			if (!strncmp(env.v[i], *p, k) && env.v[i][k] == '=')
				break;
		if (i < env.n && eq) { /* replace in place: the order stays fixed */
			free(env.v[i]);
			env.v[i] = xstrdup(*p);
		} else if (i < env.n) { /* "K" alone unsets K */
			free(env.v[i]);
			memmove(&env.v[i], &env.v[i + 1], (env.n - i) * sizeof(char *));
			env.n--;
		} else if (eq) {
			strv_add(&env, *p);
		}
	}
	return env.v;
}

static void free_env(char **envp)
{
	for (char **p = envp; p && *p; p++)
		free(*p);
	free(envp);
}

/* Bind sources are opened by path by the parent (to report a missing one
 * early) and again by the child before it changes identity: the child, an
 * unprivileged id on the host once set up, never has to walk them later. */
static int open_sources(const struct sandbox_opts *o, struct sb_ctx *c, struct kerr *e)
{
	c->root_fd = -1;
	if (!c->src_fds) /* the parent allocates; the child reuses its copy */
		c->src_fds = xcalloc(o->nmounts ? o->nmounts : 1, sizeof(int));
	for (size_t i = 0; i < o->nmounts; i++)
		c->src_fds[i] = -1;
	if (o->root && (c->root_fd = open(o->root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return kerr_errno(e, KILN_ENOTFOUND, "sandbox: --root %s", o->root);
	for (size_t i = 0; i < o->nmounts; i++) {
		if (o->mounts[i].kind == SB_TMPFS)
			continue;
		if ((c->src_fds[i] = open(o->mounts[i].src, O_PATH | O_CLOEXEC)) < 0)
			return kerr_errno(e, KILN_ENOTFOUND, "sandbox: bind source %s",
					  o->mounts[i].src);
	}
	return 0;
}

static void close_sources(const struct sandbox_opts *o, struct sb_ctx *c, int free_array)
{
	if (c->root_fd >= 0)
		close(c->root_fd);
	c->root_fd = -1;
	for (size_t i = 0; c->src_fds && i < o->nmounts; i++)
		if (c->src_fds[i] >= 0) {
			close(c->src_fds[i]);
			c->src_fds[i] = -1;
		}
	if (free_array) {
		free(c->src_fds);
		c->src_fds = NULL;
	}
}

static int exit_status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Wait for the init, collecting any setup error; on timeout kill the init,
 * which takes the whole pid namespace with it. */
static int wait_child(pid_t pid, int err_fd, const struct sandbox_opts *o, struct sb_cgroup *cg,
		      int *st, struct kbuf *errmsg, int *timed_out)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	double deadline = o->timeout_s > 0 ? now_monotonic() + o->timeout_s : 0;
	char buf[1024];

	*timed_out = 0;
	for (;;) {
		struct pollfd p[2] = {{.fd = err_fd, .events = POLLIN},
				      {.fd = pidfd, .events = POLLIN}};
		int ms = -1;
		if (deadline > 0) {
			double left = deadline - now_monotonic();
			ms = left <= 0 ? 0 : (int)(left * 1000) + 1;
		}
		if (pidfd < 0 && (ms < 0 || ms > 100))
			ms = 100; /* no pidfd: poll waitpid */
		int n = poll(p, 2, ms);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && err_fd >= 0 && (p[0].revents & (POLLIN | POLLHUP))) {
			ssize_t r = read(err_fd, buf, sizeof(buf));
			if (r > 0)
				kbuf_add(errmsg, buf, (size_t)r);
			else if (r == 0)
				err_fd = -1; /* command exec'd (or init gone): stop polling it */
		}
		if (waitpid(pid, st, WNOHANG) == pid)
			break;
		if (deadline > 0 && now_monotonic() >= deadline) {
			*timed_out = 1;
			kill(pid, SIGKILL);
			cgroup_kill_and_remove(cg);
			while (waitpid(pid, st, 0) < 0 && errno == EINTR)
				;
			break;
		}
	}
	/* drain what the command's process wrote before it died */
	while (err_fd >= 0) {
		ssize_t r = read(err_fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		kbuf_add(errmsg, buf, (size_t)r);
	}
	if (pidfd >= 0)
		close(pidfd);
	return 0;
}

int sandbox_run(const struct sandbox_opts *o, int *status, struct kerr *e)
{
	struct sb_ctx c = {.o = o, .stage = "/tmp", .root_fd = -1};
	struct sb_cgroup cg = {0};
	struct sock_fprog filter = {0};
	struct kbuf errmsg;
	int sync_p[2] = {-1, -1}, err_p[2] = {-1, -1}, st = 0, timed_out = 0, r = -KILN_EFAIL;
	pid_t pid = -1;

	*status = -1;
	kbuf_init(&errmsg);
	if ((r = check_opts(o, e)) < 0)
		return r;
	c.envp = build_env(o);
	if ((r = open_sources(o, &c, e)) < 0)
		goto out;
	close_sources(o, &c, 0);
	if (!o->no_seccomp && (r = seccomp_build(o, &filter, e)) < 0)
		goto out;
	c.filter = o->no_seccomp ? NULL : &filter;
	r = -KILN_EFAIL;
	if (cgroup_create(o, &cg, e) < 0)
		goto out;
	if (o->memory_bytes && !cg.memory)
		c.as_limit = o->memory_bytes;
	if (pipe2(sync_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0) {
		kerr_errno(e, KILN_EFAIL, "sandbox: pipe");
		goto out;
	}
	c.sync_fd = sync_p[0];
	c.err_fd = err_p[1];

	/* the namespaces: user first (the kernel orders it), then the rest
	 * owned by it; the child is pid 1 of the new pid namespace */
	unsigned long flags =
	    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
	if (!o->network)
		flags |= CLONE_NEWNET;
	pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0) {
		kerr_errno(e, KILN_EFAIL,
			   "sandbox: clone new namespaces (are unprivileged user "
			   "namespaces enabled?)");
		goto out;
	}
	if (pid == 0)
		child_main(&c, sync_p[1], err_p[0]);
	close(sync_p[0]);
	close(err_p[1]);
	sync_p[0] = err_p[1] = -1;

	if (idmap_write(pid, o, &c.full_map, e) < 0 || cgroup_attach(&cg, pid, e) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	if (write(sync_p[1], c.full_map ? "F" : "S", 1) != 1) {
		kerr_errno(e, KILN_EFAIL, "sandbox: release the child");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	wait_child(pid, err_p[0], o, &cg, &st, &errmsg, &timed_out);
	if (timed_out) {
		*status = 128 + SIGKILL;
		kerr_set(e, KILN_EFAIL,
			 "sandbox: timed out after %g s; the whole process tree was killed",
			 o->timeout_s);
		goto out;
	}
	if (errmsg.len > 0) {
		int code = exit_status_of(st);
		*status = code == EXIT_SETUP_FAILED ? -1 : code;
		kerr_set(e, KILN_EFAIL, "sandbox: %s", errmsg.data);
		goto out;
	}
	*status = exit_status_of(st);
	r = 0;
out:
	cgroup_kill_and_remove(&cg);
	for (int i = 0; i < 2; i++) {
		if (sync_p[i] >= 0)
			close(sync_p[i]);
		if (err_p[i] >= 0)
			close(err_p[i]);
	}
	close_sources(o, &c, 1);
	seccomp_prog_free(&filter);
	free_env(c.envp);
	kbuf_free(&errmsg);
	return r;
}
