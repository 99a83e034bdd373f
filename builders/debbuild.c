/* debbuild.c - one Debian build: root, source unpacked with the root's
 * dpkg-source at the buildd path, dpkg-buildpackage as the build user in the
 * sandbox, outputs + log + build record moved into the output directory. */
#include "builders/builders.h"
#include "builders/buildenv.h"
#include "builders/buildlog.h"
#include "builders/record.h"
#include "builders/workroot.h"
#include "sandbox/sandbox.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- steps ---- */

struct build_ctx {
	const struct build_source *src;
	const struct lock *lock;
	const struct build_opts *o;
	struct build_result *r;
	char *work, *pkgdir, *build_path, *logp;
	char *host_arch;
	struct strv env;
	struct strv argv_build;
	struct workroot wr;
	struct logtee log;
	int64_t sde;
	char started[BUILD_STARTED_LEN];
};

static const char *const kind_names[] = {"binary", "arch", "indep", "full"};

static int run_step(struct build_ctx *c, const char *step, char *const argv[], const char *cwd,
		    double timeout_s, struct kerr *e)
{
	struct sandbox_opts so;
	struct kbuf cmd = {0};
	int ret;

	for (size_t i = 0; argv[i]; i++)
		kbuf_printf(&cmd, "%s%s", i ? " " : "", argv[i]);
	if (!(c->o->cancel && *c->o->cancel)) {
		logtee_say(&c->log, "kiln: step %s: %s (in %s)", step, cmd.data, cwd);
		log_verbose("step %s: %s", step, cmd.data);
	}
	kbuf_free(&cmd);
	sandbox_opts_init(&so);
	so.profile = SANDBOX_BUILD;
	so.root = c->wr.merged;
	so.root_writable = 1; /* the build's private copy */
	so.chdir = cwd;
	so.argv = argv;
	so.env = c->env.v;
	so.uid = BUILD_UID;
	so.gid = BUILD_GID;
	so.hostname = c->o->hostname ? c->o->hostname : "kiln";
	so.network = 0;
	so.timeout_s = timeout_s;
	so.stdin_fd = -1;
	so.stdout_fd = so.stderr_fd = c->log.wfd;
	c->r->failed_step = step;
	if ((ret = logged_step(&c->log, step, &so, c->o->cancel, e)) < 0)
		return ret;
	c->r->failed_step = NULL;
	return 0;
}

int build_path_check(const char *path, struct kerr *e)
{
	struct strv parts = {0};
	int ret = 0;

	if (!path || !str_has_prefix(path, "/build/") || strlen(path) > 1024)
		return kerr_set(e, KILN_EUSAGE, "build path '%s' is not a path under /build/",
				path ? path : "");
	strv_split(&parts, path, "/");
	for (size_t i = 0; i < parts.n && ret == 0; i++) {
		const char *c = parts.v[i];
		if (!strcmp(c, ".") || !strcmp(c, ".."))
			ret = kerr_set(e, KILN_EUSAGE, "build path '%s' has a '%s' component", path,
				       c);
		for (; *c && ret == 0; c++)
			if (!(isalnum((unsigned char)*c) || strchr("._+~-", *c)))
				ret = kerr_set(e, KILN_EUSAGE,
					       "build path '%s' has a character other than "
					       "[A-Za-z0-9._+~-] in a component",
					       path);
	}
	if (ret == 0 && (parts.n < 2 || strstr(path, "//") || str_has_suffix(path, "/")))
		ret = kerr_set(e, KILN_EUSAGE, "build path '%s' is not a plain /build/DIR path",
			       path);
	strv_free(&parts);
	return ret;
}

/* A build path other than the root's own /build/reproducible-path: make its
 * directories in the build's copy of the root, never through a symlink, and
 * give the one the source is unpacked in to the build user. */
static int make_build_dir(struct build_ctx *c, struct kerr *e)
{
	struct strv parts = {0};
	int fd = open(c->wr.merged, O_PATH | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return kerr_errno(e, KILN_EIO, "opening %s", c->wr.merged);
	strv_split(&parts, c->build_path, "/");
	for (size_t i = 0; i < parts.n; i++) {
		if (mkdirat(fd, parts.v[i], 0755) < 0 && errno != EEXIST) {
			ret =
			    kerr_errno(e, KILN_EIO, "creating %s in the build root", c->build_path);
			break;
		}
		int nfd = openat(fd, parts.v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = nfd;
		if (fd < 0) {
			ret = kerr_errno(e, KILN_EIO,
					 "%s in the build root is not a directory (or a symlink)",
					 c->build_path);
			break;
		}
	}
	if (ret == 0 && geteuid() == 0 &&
	    fchown(fd, sandbox_host_uid(BUILD_UID), sandbox_host_gid(BUILD_GID)) < 0)
		ret = kerr_errno(e, KILN_EIO, "chown %s in the build root", c->build_path);
	if (fd >= 0)
		close(fd);
	strv_free(&parts);
	return ret;
}

/* place the verified source files at the build path, owned by the build user */
static int place_source(struct build_ctx *c, struct kerr *e)
{
	char *dst = xasprintf("%s%s", c->wr.merged, c->build_path);
	int ret = 0;
	for (size_t i = 0; i < c->src->pkg->nfiles && ret == 0; i++) {
		const char *n = c->src->pkg->files[i].name;
		char *from = xasprintf("%s/%s", c->src->srcdir, n);
		char *to = xasprintf("%s/%s", dst, n);
		ret = copy_file_atomic(from, to, 0644, e);
		if (ret == 0 && geteuid() == 0 &&
		    chown(to, sandbox_host_uid(BUILD_UID), sandbox_host_gid(BUILD_GID)) < 0)
			ret = kerr_errno(e, KILN_EIO, "chown %s", to);
		free(from);
		free(to);
	}
	free(dst);
	return ret;
}

/* SOURCE_DATE_EPOCH from the unpacked debian/changelog, read through the
 * build root without following its symlinks out of it */
static int read_sde(struct build_ctx *c, struct kerr *e)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	char *rel = xasprintf("%s/debian/changelog", c->pkgdir);
	int rootfd = open(c->wr.merged, O_PATH | O_DIRECTORY | O_CLOEXEC), fd, ret = 0;
	struct kbuf b = {0};
	char buf[65536];
	ssize_t n;

	fd = rootfd < 0 ? -1 : (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd < 0) {
		ret = kerr_errno(e, KILN_EPARSE, "%s: cannot read debian/changelog", c->pkgdir);
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0 && b.len < (64u << 20))
		kbuf_add(&b, buf, (size_t)n);
	close(fd);
	c->sde = changelog_timestamp(b.data ? b.data : "", b.len, "debian/changelog", e);
	if (c->sde < 0)
		ret = -e->code;
out:
	if (rootfd >= 0)
		close(rootfd);
	kbuf_free(&b);
	free(rel);
	return ret;
}

static void make_env(struct build_ctx *c)
{
	const struct build_opts *o = c->o;
	struct kbuf dbo = {0};
	if (o->nocheck)
		kbuf_adds(&dbo, "nocheck");
	kbuf_printf(&dbo, "%sparallel=%d", dbo.len ? " " : "", o->parallel > 0 ? o->parallel : 1);
	strv_add_owned(&c->env, xasprintf("DEB_BUILD_OPTIONS=%s", dbo.data));
	if (o->profiles && *o->profiles) {
		char *p = xstrdup(o->profiles);
		for (char *s = p; *s; s++)
			if (*s == ',')
				*s = ' ';
		strv_add_owned(&c->env, xasprintf("DEB_BUILD_PROFILES=%s", p));
		free(p);
	}
	build_env_fixed(&c->env, "/nonexistent", c->sde);
	kbuf_free(&dbo);
	/* variables a rebuild must reproduce replace kiln's own */
	for (size_t i = 0; o->environment && i < o->environment->n; i++) {
		const char *kv = o->environment->v[i], *eq = strchr(kv, '=');
		size_t k = 0, klen = eq ? (size_t)(eq - kv) : strlen(kv);
		if (klen == 0)
			continue;
		while (k < c->env.n && (strncmp(c->env.v[k], kv, klen) || c->env.v[k][klen] != '='))
			k++;
		if (k < c->env.n && !eq) { /* a bare NAME: unset it */
			free(c->env.v[k]);
			memmove(&c->env.v[k], &c->env.v[k + 1],
				(c->env.n - k) * sizeof(*c->env.v)); /* with the NULL */
			c->env.n--;
		} else if (k < c->env.n) {
			free(c->env.v[k]);
			c->env.v[k] = xstrdup(kv);
		} else if (eq) {
			strv_add(&c->env, kv);
		}
		if (eq && !strncmp(kv, "SOURCE_DATE_EPOCH=", 18))
			c->sde = strtoll(eq + 1, NULL, 10);
	}
}

/* ---- outputs ---- */

static int is_output_name(const struct build_ctx *c, const char *n)
{
	static const char *const sfx[] = {".deb", ".udeb", ".ddeb", ".buildinfo", ".changes", NULL};
	if (!is_safe_filename(n) || n[0] == '.')
		return 0;
	int is_input = 0;
	for (size_t i = 0; i < c->src->pkg->nfiles; i++)
		if (!strcmp(c->src->pkg->files[i].name, n))
			is_input = 1;
	if (is_input)
		return c->o->kind == BUILD_FULL;
	for (int i = 0; sfx[i]; i++)
		if (str_has_suffix(n, sfx[i]))
			return 1;
	if (c->o->kind == BUILD_FULL &&
	    (str_has_suffix(n, ".dsc") || strstr(n, ".tar.") || str_has_suffix(n, ".diff.gz")))
		return 1;
	return 0;
}

static int open_build_dir(struct build_ctx *c)
{
	struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	int rootfd = open(c->wr.merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	int fd = (int)syscall(SYS_openat2, rootfd, c->build_path, &how, sizeof(how));
	close(rootfd);
	return fd;
}

static char *output_stem(const struct build_ctx *c)
{
	const char *v = strchr(c->src->pkg->version, ':');
	return xasprintf("%s_%s_%s", c->src->pkg->package, v ? v + 1 : c->src->pkg->version,
			 c->host_arch);
}

/* Stage everything in outdir/.kiln-staging-PID, then rename into outdir:
 * a full disk or an interruption leaves no partial output behind. */
static int collect(struct build_ctx *c, int success, volatile sig_atomic_t *cancel, struct kerr *e)
{
	const char *outdir = c->o->outdir;
	char *staging = xasprintf("%s/.kiln-staging-%ld", outdir, (long)getpid());
	char *stem = output_stem(c);
	char *logname = xasprintf("%s.build", stem);
	char *recname = xasprintf("%s.kiln.json", stem);
	char log_sha[SHA256_HEX_LEN + 1] = "";
	struct record_file *outs = NULL;
	size_t nout = 0;
	struct strv names = {0};
	int ret = 0, bfd = -1;
	DIR *d = NULL;

	if ((ret = stage_begin(outdir, staging, e)) < 0)
		goto out;
	if (success) {
		struct dirent *de;
		if ((bfd = open_build_dir(c)) < 0 || !(d = fdopendir(dup(bfd)))) {
			ret = kerr_errno(e, KILN_EIO, "opening the build directory %s",
					 c->build_path);
			goto out;
		}
		while ((de = readdir(d)))
			if (is_output_name(c, de->d_name))
				strv_add(&names, de->d_name);
		strv_sort(&names);
		outs = xcalloc(names.n + 1, sizeof(*outs));
		for (size_t i = 0; i < names.n; i++) {
			if (cancel && *cancel) {
				ret =
				    kerr_set(e, KILN_EINTR, "interrupted while collecting outputs");
				goto out;
			}
			if ((ret = stage_file(bfd, names.v[i], staging, &outs[nout], e)) < 0) {
				kerr_prefix(e, "collecting outputs: ");
				goto out;
			}
			nout++;
		}
		if (nout == 0) {
			ret = kerr_set(e, KILN_EFAIL, "the build produced no output files");
			goto out;
		}
	}
	if ((ret = stage_log(&c->log, c->work, staging, logname, log_sha, e)) < 0)
		goto out;
	if (success) {
		struct record_info ri = {
		    .distro = c->o->distro_name ? c->o->distro_name : c->lock->distro,
		    .src = c->src->pkg,
		    .lock = c->lock,
		    .build_path = c->pkgdir,
		    .kind = kind_names[c->o->kind],
		    .env = &c->env,
		    .argv = &c->argv_build,
		    .sde = c->sde,
		    .hostname = c->o->hostname ? c->o->hostname : "kiln",
		    .outputs = outs,
		    .noutputs = nout,
		    .log_name = logname,
		    .log_sha256 = log_sha[0] ? log_sha : NULL,
		    .started = c->started,
		};
		char *recp = xasprintf("%s/%s", staging, recname);
		ret = record_write(&ri, recp, e);
		free(recp);
		if (ret < 0)
			goto out;
	}
	/* all staged and synced: move into place (a failed build: only its log) */
	if (!success)
		strv_free(&names);
	ret = stage_move(staging, outdir, &names, logname, success ? recname : NULL, c->r, e);
out:
	if (d)
		closedir(d);
	if (bfd >= 0)
		close(bfd);
	rm_rf(staging);
	for (size_t i = 0; outs && i < nout; i++)
		free(outs[i].name);
	free(outs);
	strv_free(&names);
	free(staging);
	free(stem);
	free(logname);
	free(recname);
	return ret;
}

void build_result_free(struct build_result *r)
{
	free(r->outdir);
	strv_free(&r->outputs);
	free(r->log_path);
	free(r->record_path);
	memset(r, 0, sizeof(*r));
}

int debian_build(const struct build_source *src, const struct lock *l, const struct build_opts *o,
		 struct build_result *r, struct kerr *e)
{
	struct build_ctx c = {.src = src, .lock = l, .o = o, .r = r};
	char *rootpath = NULL, *upstream = NULL;
	int ret, cached = 0, log_started = 0, root_hold = -1;
	double t0 = now_monotonic();
	time_t now = build_begin(r, c.started);

	c.log.wfd = -1;
	c.host_arch = xstrdup(l->arch ? l->arch : "amd64");
	upstream = deb_upstream_version(src->pkg->version);
	if (o->build_path) {
		if ((ret = build_path_check(o->build_path, e)) < 0)
			goto out;
		c.pkgdir = xstrdup(o->build_path);
		c.build_path =
		    xstrndup(o->build_path, (size_t)(strrchr(o->build_path, '/') - o->build_path));
	} else {
		c.build_path = xstrdup("/build/reproducible-path");
		c.pkgdir = xasprintf("%s/%s-%s", c.build_path, src->pkg->package, upstream);
	}
	r->outdir = xstrdup(o->outdir);

	r->failed_step = "prepare the build root";
	struct root_opts ro = o->root;
	ro.cancel = o->cancel; /* Ctrl-C also stops a root being prepared */
	if ((ret = debroot_prepare(l, &ro, &rootpath, &cached, &root_hold, e)) < 0)
		goto out;
	r->root_cached = cached;
	r->seconds_root = now_monotonic() - t0;

	r->failed_step = "make the build's copy of the root";
	c.work = xasprintf("%s/work/build-%s-%ld-%lld", kiln_home(), src->pkg->package,
			   (long)getpid(), (long long)now);
	rm_rf(c.work);
	if ((ret = mkdir_p(c.work, 0755, e)) < 0)
		goto out;
	if ((ret = workroot_make(&c.wr, rootpath, c.work, geteuid() == 0, e)) < 0)
		goto out;
	c.logp = xasprintf("%s/build.log", c.work);
	if ((ret = logtee_start(&c.log, c.logp, o->log_to_terminal, e)) < 0)
		goto out;
	log_started = 1;
	logtee_say(&c.log, "kiln %s: building %s %s with lock %s (%s root, %s)", KILN_VERSION,
		   src->pkg->package, src->pkg->version, l->sha256, cached ? "cached" : "new",
		   c.wr.overlay ? "overlayfs" : "copied");
	r->failed_step = "place the source";
	if (strcmp(c.build_path, "/build/reproducible-path") && (ret = make_build_dir(&c, e)) < 0)
		goto out;
	if ((ret = place_source(&c, e)) < 0)
		goto out;
	log_info("build: root %s in %.2f s; unpacking %s %s at %s", cached ? "reused" : "prepared",
		 now_monotonic() - t0, src->pkg->package, src->pkg->version, c.pkgdir);

	/* unpack with the root's own dpkg-source */
	{
		char *dsc = xasprintf("%s/%s", c.build_path, src->dsc_name);
		char *argv[] = {"dpkg-source", "-x", dsc, c.pkgdir, NULL};
		build_env_locale(&c.env, "/nonexistent");
		ret = run_step(&c, "unpack (dpkg-source -x)", argv, c.build_path, 600, e);
		free(dsc);
		strv_free(&c.env);
		if (ret < 0)
			goto out;
	}
	r->failed_step = "read SOURCE_DATE_EPOCH from debian/changelog";
	if ((ret = read_sde(&c, e)) < 0)
		goto out;
	make_env(&c);
	r->source_date_epoch = c.sde;

	/* build */
	{
		static const char *const kflag[] = {"-b", "-B", "-A", NULL};
		double tb = now_monotonic();
		strv_add(&c.argv_build, "dpkg-buildpackage");
		strv_add(&c.argv_build, "-us");
		strv_add(&c.argv_build, "-uc");
		if (kflag[o->kind])
			strv_add(&c.argv_build, kflag[o->kind]);
		if (o->profiles && *o->profiles)
			strv_add_owned(&c.argv_build,
				       xasprintf("--build-profiles=%s", o->profiles));
		ret = run_step(&c, "build (dpkg-buildpackage)", c.argv_build.v, c.pkgdir,
			       o->timeout_s, e);
		r->seconds_build = now_monotonic() - tb;
		if (ret < 0)
			goto out;
	}
	r->failed_step = "collect the outputs";
	if ((ret = collect(&c, 1, o->cancel, e)) < 0)
		goto out;
	r->failed_step = NULL;
out:
	if (ret < 0 && log_started && c.log.wfd >= 0) {
		/* keep the log of a failed build with the outputs */
		struct kerr le = {0};
		const char *step = r->failed_step;
		logtee_say(&c.log, "kiln: FAILED at step '%s': %s", step ? step : "?", e->msg);
		if (collect(&c, 0, NULL, &le) < 0)
			log_warn("could not keep the log: %s", le.msg);
		r->failed_step = step;
	}
	logtee_stop(&c.log);
	if (c.wr.merged)
		workroot_release(&c.wr);
	if (c.work && !getenv("KILN_KEEP_WORK"))
		rm_rf(c.work);
	r->seconds_total = now_monotonic() - t0;
	strv_free(&c.env);
	strv_free(&c.argv_build);
	free(c.work);
	free(c.pkgdir);
	free(c.build_path);
	free(c.logp);
	free(c.host_arch);
	if (root_hold >= 0)
		unlock_fd(root_hold); /* after the overlay is gone */
	free(rootpath);
	free(upstream);
	return ret;
}

/* Async-signal-safe: SIGKILL kiln's own child processes (the sandbox's init
 * takes its whole pid namespace with it). The build's processes run in their
 * own session, so a terminal's Ctrl-C reaches only kiln; cli/ calls this from
 * its SIGINT handler. */
void builders_interrupt(void)
{
	char path[64] = "/proc/", num[24], buf[4096];
	long pid = (long)getpid();
	int i = 0, fd;
	ssize_t n;

	do {
		num[i++] = (char)('0' + pid % 10);
		pid /= 10;
	} while (pid && i < 20);
	size_t p = strlen(path);
	for (int k = 0; k < 2; k++) {
		for (int j = i - 1; j >= 0; j--)
			path[p++] = num[j];
		const char *mid = k == 0 ? "/task/" : "/children";
		for (const char *m = mid; *m; m++)
			path[p++] = *m;
	}
	path[p] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *s = buf; *s;) {
		long c = 0;
		while (*s >= '0' && *s <= '9')
			c = c * 10 + (*s++ - '0');
		if (c > 1)
			kill((pid_t)c, SIGKILL);
		while (*s && (*s < '0' || *s > '9'))
			s++;
	}
}
