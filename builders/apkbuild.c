/* apkbuild.c - one Alpine build: evaluate the APKBUILD, verify its sources,
 * resolve and prepare the root, run abuild's steps in the sandbox as the
 * build user, write signed .apk files, the log and the build record. The
 * pieces are in apkbuild_plan.c, apkbuild_setup.c and apkbuild_collect.c
 * (see apkbuild.h); this file holds the order of things and the steps. */
#include "builders/apkbuild.h"
#include "builders/buildenv.h"
#include "sandbox/sandbox.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BUILD_PATH "/home/buildozer/aports"

/* ---- steps ---- */

static int run_step(struct abuild_ctx *c, const char *step, const char *arg1, const char *arg2,
		    double timeout_s, struct kerr *e)
{
	struct sandbox_opts so;
	char *argv[] = {"/bin/sh",
			DRIVER_PATH,
			(char *)step,
			(char *)(arg1 ? arg1 : ""),
			(char *)(arg2 ? arg2 : ""),
			NULL};
	char *name = arg1 ? xasprintf("%s %s", step, arg1) : xstrdup(step);

	if (!(c->o->b.cancel && *c->o->b.cancel)) {
		logtee_say(&c->log, "kiln: step %s", name);
		log_verbose("step %s", name);
	}
	sandbox_opts_init(&so);
	so.profile = SANDBOX_BUILD;
	so.root = c->wr.merged;
	so.root_writable = 1; /* the build's private copy */
	so.chdir = c->startdir;
	so.argv = argv;
	so.env = c->env.v;
	so.uid = BUILD_UID;
	so.gid = BUILD_GID;
	so.hostname = c->o->b.hostname ? c->o->b.hostname : "kiln";
	so.network = c->network; /* options="net" */
	so.timeout_s = timeout_s;
	so.stdin_fd = -1;
	so.stdout_fd = so.stderr_fd = c->log.wfd;
	int ret = logged_step(&c->log, name, &so, c->o->b.cancel, e);
	free(name);
	return ret;
}

static void ctx_free(struct abuild_ctx *c)
{
	for (size_t i = 0; i < c->npkgs; i++) {
		free(c->pkgs[i].name);
		free(c->pkgs[i].func);
		free(c->pkgs[i].arch);
	}
	free(c->pkgs);
	apkbuild_free(&c->ab);
	lock_free(&c->lock);
	alpine_def_free(&c->def);
	apk_sources_free(&c->srcs);
	strv_free(&c->env);
	strv_free(&c->argv_all);
	free(c->keys_dir);
	free(c->rootpath);
	free(c->work);
	free(c->startdir);
	free(c->commit);
	free(c->key_path);
	free(c->key_name);
}

/* the steps after the root is ready, in abuild's order */
static int run_steps(struct abuild_ctx *c, struct kerr *e)
{
	struct build_result *r = c->r;
	double tb = now_monotonic(), t = c->o->b.timeout_s;
	int ret;
	const char *const steps[] = {"unpack", "prepare", "build", "check", "package"};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (!strcmp(steps[i], "check") && !c->want_check) {
			logtee_say(&c->log, "kiln: step check skipped (%s)",
				   c->o->b.nocheck ? "--nocheck" : "options=!check");
			continue;
		}
		r->failed_step = steps[i];
		strv_add(&c->argv_all, steps[i]);
		if ((ret = run_step(c, steps[i], NULL, NULL, t, e)) < 0)
			return ret;
	}
	for (size_t i = 1; i < c->npkgs; i++) {
		r->failed_step = "split";
		strv_add_owned(&c->argv_all,
			       xasprintf("split %s %s", c->pkgs[i].name, c->pkgs[i].func));
		if ((ret = run_step(c, "split", c->pkgs[i].name, c->pkgs[i].func, t, e)) < 0)
			return ret;
	}
	r->seconds_build = now_monotonic() - tb;
	return 0;
}

int alpine_build(const char *dir, const struct distro *d, const struct alpine_build_opts *o,
		 struct build_result *r, struct kerr *e)
{
	struct abuild_ctx c = {.d = d, .o = o, .r = r};
	char *file = NULL;
	int ret, cached = 0, log_started = 0, root_hold = -1;
	double t0 = now_monotonic();
	time_t now = build_begin(r, c.started);

	c.log.wfd = -1;
	r->outdir = xstrdup(o->b.outdir);

	r->failed_step = "evaluate the APKBUILD";
	if ((ret = apkbuild_evaluate(dir, &c.ab, e)) < 0)
		goto out;
	file = xasprintf("%s/APKBUILD", c.ab.dir);
	if ((ret = alpine_def_load(d, &c.def, e)) < 0)
		goto out;
	if (!apkbuild_arch_allowed(&c.ab.arch, c.def.arch)) {
		ret = kerr_set(e, KILN_EFAIL, "%s: %s is not built on %s (arch=\"%s\")", file,
			       c.ab.pkgname, c.def.arch, c.ab.arch.n ? c.ab.arch.v[0] : "");
		goto out;
	}
	if (!strv_contains(&c.ab.functions, "package")) {
		ret = kerr_set(e, KILN_EPARSE, "%s: no package() function", file);
		goto out;
	}
	c.want_check = !o->b.nocheck && !strv_contains(&c.ab.options, "!check");
	if (c.want_check && !strv_contains(&c.ab.functions, "check")) {
		ret = kerr_set(e, KILN_EPARSE,
			       "%s: no check() function (add \"!check\" to options if the "
			       "package cannot be tested)",
			       file);
		goto out;
	}
	c.network = strv_contains(&c.ab.options, "net");
	if ((ret = apkbuild_plan_packages(&c, file, e)) < 0)
		goto out;

	r->failed_step = "verify the sources";
	if ((ret = apk_sources_verify(&c.ab, NULL, &c.srcs, e)) < 0)
		goto out;
	r->failed_step = "find SOURCE_DATE_EPOCH";
	if (o->source_date_epoch >= 0)
		c.sde = o->source_date_epoch;
	else if ((ret = apkbuild_recipe_date(&c, e)) < 0)
		goto out;
	r->source_date_epoch = c.sde;

	r->failed_step = "find the signing key";
	if (o->key_path) {
		c.key_path = xstrdup(o->key_path);
	} else if ((ret = apkbuild_signing_key(&c.key_path, e)) < 0) {
		goto out;
	}
	{
		const char *slash = strrchr(c.key_path, '/');
		c.key_name = xasprintf("%s.pub", slash ? slash + 1 : c.key_path);
	}
	if (o->keys_dir) {
		c.keys_dir = xstrdup(o->keys_dir);
	} else if (!(c.keys_dir = alpine_keys_dir(d, e))) {
		ret = -e->code;
		goto out;
	}

	r->failed_step = "resolve the build dependencies";
	struct apk_resolve_opts ro = {.nocheck = !c.want_check, .offline = o->b.root.fetch.offline};
	if ((ret = apk_resolve(d, &c.ab, &ro, &c.lock, e)) < 0) {
		kerr_prefix(e, "resolving the build dependencies of %s: ", file);
		goto out;
	}

	r->failed_step = "prepare the build root";
	if ((ret = apkroot_prepare(&c.lock, c.keys_dir, &o->b.root, &c.rootpath, &cached,
				   &root_hold, e)) < 0)
		goto out;
	r->root_cached = cached;
	r->seconds_root = now_monotonic() - t0;

	r->failed_step = "make the build's copy of the root";
	c.work = xasprintf("%s/work/build-%s-%ld-%lld", kiln_home(), c.ab.pkgname, (long)getpid(),
			   (long long)now);
	rm_rf(c.work);
	if ((ret = mkdir_p(c.work, 0755, e)) < 0)
		goto out;
	if ((ret = workroot_make(&c.wr, c.rootpath, c.work, geteuid() == 0, e)) < 0)
		goto out;
	char *logp = xasprintf("%s/build.log", c.work);
	ret = logtee_start(&c.log, logp, o->b.log_to_terminal, e);
	free(logp);
	if (ret < 0)
		goto out;
	log_started = 1;
	logtee_say(&c.log, "kiln %s: building %s %s-r%s with lock %s (%s root, %s)", KILN_VERSION,
		   c.ab.pkgname, c.ab.pkgver, c.ab.pkgrel, c.lock.sha256, cached ? "cached" : "new",
		   c.wr.overlay ? "overlayfs" : "copied");
	logtee_say(&c.log, "kiln: SOURCE_DATE_EPOCH=%lld%s%s", (long long)c.sde,
		   c.commit ? " from git commit " : "", c.commit ? c.commit : "");

	r->failed_step = "place the recipe and sources";
	c.startdir =
	    xasprintf("%s/%s", d->build_path ? d->build_path : DEFAULT_BUILD_PATH, c.ab.pkgname);
	if ((ret = apkbuild_place_recipe(&c, e)) < 0 || (ret = apkbuild_write_driver(&c, e)) < 0)
		goto out;
	build_env_fixed(&c.env, "/home/build", c.sde);
	log_info("build: root %s in %.2f s; building %s %s-r%s at %s",
		 cached ? "reused" : "prepared", now_monotonic() - t0, c.ab.pkgname, c.ab.pkgver,
		 c.ab.pkgrel, c.startdir);
	if ((ret = run_steps(&c, e)) < 0)
		goto out;
	r->failed_step = "collect the outputs";
	if ((ret = apkbuild_collect(&c, 1, e)) < 0)
		goto out;
	r->failed_step = NULL;
out:
	if (ret < 0 && log_started && c.log.wfd >= 0) {
		struct kerr le = {0};
		const char *step = r->failed_step;
		logtee_say(&c.log, "kiln: FAILED at step '%s': %s", step ? step : "?", e->msg);
		if (apkbuild_collect(&c, 0, &le) < 0)
			log_warn("could not keep the log: %s", le.msg);
		r->failed_step = step;
	}
	if (log_started)
		logtee_stop(&c.log);
	if (c.wr.merged)
		workroot_release(&c.wr);
	if (c.work && !getenv("KILN_KEEP_WORK"))
		rm_rf(c.work);
	if (root_hold >= 0)
		unlock_fd(root_hold);
	r->seconds_total = now_monotonic() - t0;
	free(file);
	ctx_free(&c);
	return ret;
}
