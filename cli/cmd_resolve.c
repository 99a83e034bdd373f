/* cmd_resolve.c - `kiln resolve DISTRO SRC[=VER]|FILE.dsc`: print the lock, the
 * exact build environment of one source, or why none exists. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "builders/alpine.h"
#include "cli/cli.h"
#include "solver/solver.h"

static const char usage[] =
    "usage: kiln resolve [options] DISTRO SRC[=VERSION] | FILE.dsc\n"
    "       kiln resolve [options] alpine:vX.YY DIR\n\n"
    "Print the lock of a source: every package of its build environment with\n"
    "version, architecture, sha256, size and pool path, in install order.\n"
    "Exit 1 with the reasons when no environment exists.\n\n"
    "Alternatives (a | b): by default, as sbuild does, only the first alternative\n"
    "whose name exists in the archive (as a package or a Provides) is used, with\n"
    "later alternatives on that same name; --resolve-alternatives lets the solver\n"
    "choose among all of them.\n\n"
    "Options:\n"
    "      --profiles LIST        active build profiles (nocheck,nodoc,...)\n"
    "      --arch-only            only Build-Depends(-Arch): arch-dependent build\n"
    "      --indep-only           only Build-Depends(-Indep): arch:all build\n"
    "      --resolve-alternatives let the solver choose among alternatives\n"
    "  -o, --output FILE          also write the lock to FILE\n"
    "      --packages FILE        use this Packages file instead of the distro's\n"
    "                             verified indices (repeatable)\n"
    "      --sources FILE         find SRC in this Sources file\n\n"
    "Alpine: DIR holds an APKBUILD, evaluated in the sandbox; its makedepends,\n"
    "depends and checkdepends (not with --nocheck) plus the base set are resolved\n"
    "against the verified APKINDEX files of the last kiln update.\n"
    "      --nocheck              leave checkdepends out\n"
    "      --keyring DIR          trusted keys (as for kiln update)\n";

enum { OPT_NOCHECK = OPT_SOLVE_NEXT, OPT_KEYRING };

static void print_lock(const struct lock *l, const struct cli *c)
{
	if (c->json) {
		cli_print_json(lock_to_json(l));
	} else {
		char *t = lock_to_text(l);
		fputs(t, stdout);
		free(t);
	}
	log_verbose("lock sha256 %s (%zu packages)", l->sha256, l->n);
}

/* kiln resolve alpine:vX.YY DIR */
static int resolve_alpine(const struct distro *d, const char *dir, int nocheck, const char *output,
			  struct cli *c)
{
	struct apkbuild ab = {0};
	struct lock lock = {0};
	struct kerr e = {0};
	struct apk_resolve_opts ro = {.offline = c->offline};
	int rc = 0;

	ro.nocheck = nocheck;
	if (apkbuild_evaluate(dir, &ab, &e) < 0 || apk_resolve(d, &ab, &ro, &lock, &e) < 0 ||
	    (output && lock_write(&lock, output, &e) < 0)) {
		rc = cli_fail(&e);
		goto out;
	}
	print_lock(&lock, c);
out:
	lock_free(&lock);
	apkbuild_free(&ab);
	return rc;
}

static int find_in_file(const char *path, const char *name, const char *version,
			struct source_pkg *out, struct kerr *e)
{
	struct source_pkg *v = NULL;
	size_t n = 0;
	int r = solver_sources_load(path, "", "", &v, &n, e);
	int found = r == 0 ? cli_find_source(v, n, name, version) : -1;
	if (r == 0 && found < 0)
		r = kerr_set(e, KILN_ENOTFOUND, "%s: no source package '%s'%s%s", path, name,
			     version ? " version " : "", version ? version : "");
	if (r == 0) {
		*out = v[found];
		memset(&v[found], 0, sizeof(v[found]));
	}
	solver_sources_free(v, n);
	return r;
}

int cmd_resolve(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     CLI_SOLVE_OPTIONS,
					     {"output", required_argument, 0, 'o'},
					     {"nocheck", no_argument, 0, OPT_NOCHECK},
					     {"keyring", required_argument, 0, OPT_KEYRING},
					     {0, 0, 0, 0}};
	int nocheck = 0;
	const char *keyring = NULL;
	struct cli_solve_opts so = {0};
	const char *output = NULL;
	struct distro *d = NULL;
	struct kiln_pool *kp = NULL;
	struct source_pkg src = {0};
	struct lock lock = {0};
	struct kerr e = {0};
	int opt, r, rc = 0;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			goto out;
		if (r || cli_solve_option(&so, opt, optarg))
			continue;
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case OPT_NOCHECK:
			nocheck = 1;
			break;
		case OPT_KEYRING:
			keyring = optarg;
			break;
		default:
			rc = cli_usage_error("resolve", "unknown option");
			goto out;
		}
	}
	if (argc - optind != 2) {
		rc = cli_usage_error("resolve", "expected DISTRO and SRC[=VERSION] or FILE.dsc");
		goto out;
	}
	if ((rc = cli_solve_check(&so, "resolve")) != 0)
		goto out;
	struct distro_overrides ov = {.mirror = c->mirror, .config = c->config, .keyring = keyring};
	if (distro_load(argv[optind], &ov, &d, &e) < 0)
		goto fail;
	if (!strcmp(d->family, "alpine")) {
		rc = resolve_alpine(d, argv[optind + 1], nocheck, output, c);
		goto out;
	}
	double t0 = now_monotonic(), t1, t2, t3;
	const char *what = argv[optind + 1];
	if (str_has_suffix(what, ".dsc") && path_exists(what)) {
		if (solver_source_from_dsc(what, &src, &e) < 0)
			goto fail;
	} else {
		char *name = xstrdup(what), *eq = strchr(name, '=');
		if (eq)
			*eq++ = 0;
		r = so.sources ? find_in_file(so.sources, name, eq, &src, &e)
			       : solver_find_source(d, name, eq, &src, &e);
		free(name);
		if (r < 0)
			goto fail;
	}
	const char *arch = d->architectures.n ? d->architectures.v[0] : "amd64";
	t1 = now_monotonic();
	if (src.architecture && !arch_list_matches(src.architecture, arch) &&
	    !arch_list_matches(src.architecture, "all")) {
		kerr_set(&e, KILN_EFAIL, "%s %s is not built on %s (Architecture: %s)", src.package,
			 src.version, arch, src.architecture);
		goto fail;
	}
	if (solver_pool_for_files(d, arch, &so.packages, &kp, &e) < 0)
		goto fail;
	t2 = now_monotonic();
	struct resolve_request rq = {0};
	resolve_request_from_source(&rq, &src);
	rq.distro = d->name;
	rq.base = &d->build_essential;
	rq.profiles = &so.profiles;
	rq.arch_only = so.arch_only;
	rq.indep_only = so.indep_only;
	rq.alternatives = so.resolve_alts ? ALT_ALL : ALT_FIRST;
	if (solver_resolve(kp, &rq, &lock, &e) < 0)
		goto fail;
	t3 = now_monotonic();
	log_verbose("source found in %.0f ms, pool of %zu packages loaded in %.0f ms%s, solved in "
		    "%.0f ms",
		    (t1 - t0) * 1e3, kiln_pool_size(kp), (t2 - t1) * 1e3,
		    kiln_pool_from_cache(kp) ? " (cached)" : "", (t3 - t2) * 1e3);
	if (output && lock_write(&lock, output, &e) < 0)
		goto fail;
	print_lock(&lock, c);
	goto out;
fail:
	rc = cli_fail(&e);
out:
	lock_free(&lock);
	source_pkg_free(&src);
	kiln_pool_free(kp);
	distro_free(d);
	cli_solve_opts_free(&so);
	return rc;
}
