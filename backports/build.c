/* build.c - the new source package's binaries, built by builders/ in the
 * sandbox exactly as `kiln build FILE.dsc` would (same root, same rules). */
#include <stdlib.h>
#include <string.h>

#include "backports/backports.h"

#if __has_include("builders/builders.h")
#include "builders/builders.h"
#include "solver/solver.h"

int bp_build_binaries(const char *distro, const struct bp_request *rq, const char *profiles,
		      int nocheck, struct bp_target *r, struct kerr *e)
{
	struct distro *d = NULL;
	struct source_pkg s = {0};
	struct lock l = {0};
	struct build_opts bo = {0};
	struct build_result res = {0};
	char *outdir = NULL, *srcdir = NULL;
	int ret;

	if (!r->dsc)
		return kerr_set(e, KILN_EFAIL, "no source package to build");
	outdir = xasprintf("%s/binaries", r->dir);
	srcdir = xstrdup(r->dsc);
	*strrchr(srcdir, '/') = '\0';
	bo.outdir = outdir;
	bo.kind = BUILD_BINARY;
	bo.profiles = profiles;
	bo.nocheck = nocheck;
	bo.distro_name = distro;
	bo.root.fetch = rq->fetch;
	if ((ret = distro_load(distro, rq->ov, &d, e)) < 0 || (ret = dsc_load(r->dsc, &s, e)) < 0 ||
	    (ret = debian_build_lock(d, &s, &bo, &l, e)) < 0)
		goto out;
	struct build_source bs = {
	    .pkg = &s, .srcdir = srcdir, .dsc_name = strrchr(r->dsc, '/') + 1};
	if ((ret = debian_build(&bs, &l, &bo, &res, e)) < 0) {
		r->tests = nocheck ? "not run (nocheck)" : "failed or not reached (see the log)";
		kerr_prefix(e, "step '%s'%s%s: ", res.failed_step ? res.failed_step : "?",
			    res.log_path ? ", log " : "", res.log_path ? res.log_path : "");
		goto out;
	}
	for (size_t i = 0; i < res.outputs.n; i++) {
		char *p = xasprintf("%s/%s", outdir, res.outputs.v[i]);
		size_t n = strlen(rq->outdir);
		strv_add(&r->written, !strncmp(p, rq->outdir, n) && p[n] == '/' ? p + n + 1 : p);
		free(p);
	}
	r->tests = nocheck ? "not run (nocheck)" : "passed";
	r->binary_build = xasprintf(
	    "ok: %zu files in %s (%.0f s)%s", res.outputs.n, outdir, res.seconds_total,
	    nocheck ? "; tests not run (nocheck)" : "; the package's tests ran and passed");
out:
	build_result_free(&res);
	lock_free(&l);
	source_pkg_free(&s);
	distro_free(d);
	free(outdir);
	free(srcdir);
	return ret;
}

int bp_can_build_binaries(void)
{
	return 1;
}
#else
int bp_build_binaries(const char *distro, const struct bp_request *rq, const char *profiles,
		      int nocheck, struct bp_target *r, struct kerr *e)
{
	(void)distro, (void)rq, (void)profiles, (void)nocheck, (void)r;
	return kerr_set(e, KILN_EFAIL, "this kiln has no Debian builder yet");
}

int bp_can_build_binaries(void)
{
	return 0;
}
#endif
