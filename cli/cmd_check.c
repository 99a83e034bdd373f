/* cmd_check.c - `kiln check DISTRO [--all|SRC...]`: buildability of many sources. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "solver/solver.h"

static const char usage[] =
    "usage: kiln check [options] DISTRO --all | SRC[=VERSION]...\n\n"
    "For each source: buildable (a full build environment exists) or not, with the\n"
    "reason; then the counts. Sources not built on the host architecture are\n"
    "skipped. Exit 1 when any source is unbuildable.\n\n"
    "Options:\n"
    "      --all                  every source stanza of the distro (every version, as\n"
    "                             dose-builddebcheck checks them)\n"
    "      --profiles LIST        active build profiles (nocheck,nodoc,...)\n"
    "      --arch-only            only Build-Depends(-Arch)\n"
    "      --indep-only           only Build-Depends(-Indep)\n"
    "      --resolve-alternatives let the solver choose among alternatives (as dose\n"
    "                             does); default: sbuild's first-alternative rule\n"
    "  -j, --jobs N               solver threads (default 2)\n"
    "      --packages FILE        use this Packages file instead of the distro's\n"
    "                             verified indices (repeatable)\n"
    "      --sources FILE         take the sources from this Sources file\n"
    "With -v, buildable sources are listed too.\n";

enum { OPT_ALL = OPT_SOLVE_NEXT };

/* keep the sources the command line names (SRC or SRC=VERSION) */
static int select_sources(struct source_pkg *v, size_t *n, char **want, int nwant, struct kerr *e)
{
	struct source_pkg *keep = xcalloc((size_t)nwant, sizeof(*keep));
	int r = 0;
	for (int k = 0; k < nwant && r == 0; k++) {
		char *name = xstrdup(want[k]), *ver = strchr(name, '=');
		if (ver)
			*ver++ = 0;
		int found = cli_find_source(v, *n, name, ver);
		if (found < 0)
			r = kerr_set(e, KILN_ENOTFOUND, "no source package '%s'%s%s", name,
				     ver ? " version " : "", ver ? ver : "");
		else
			keep[k] = v[found], memset(&v[found], 0, sizeof(v[found]));
		free(name);
	}
	for (size_t i = 0; i < *n; i++)
		source_pkg_free(&v[i]);
	if (r < 0) {
		solver_sources_free(keep, (size_t)nwant);
		*n = 0;
		return r;
	}
	memcpy(v, keep, (size_t)nwant * sizeof(*keep));
	free(keep);
	*n = (size_t)nwant;
	return 0;
}

int cmd_check(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     CLI_SOLVE_OPTIONS,
					     {"all", no_argument, 0, OPT_ALL},
					     {"jobs", required_argument, 0, 'j'},
					     {0, 0, 0, 0}};
	struct cli_solve_opts so = {0};
	struct check_opts co = {0};
	int all = 0, opt, r, rc = 0;
	struct distro *d = NULL;
	struct kiln_pool *kp = NULL;
	struct source_pkg *srcs = NULL;
	struct check_result *res = NULL;
	size_t n = 0;
	struct kerr e = {0};

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "j:", opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			goto out;
		if (r || cli_solve_option(&so, opt, optarg))
			continue;
		switch (opt) {
		case OPT_ALL:
			all = 1;
			break;
		case 'j':
			co.threads = atoi(optarg);
			if (co.threads < 1 || co.threads > 64) {
				rc = cli_usage_error("check", "--jobs takes 1 to 64");
				goto out;
			}
			break;
		default:
			rc = cli_usage_error("check", "unknown option");
			goto out;
		}
	}
	if (optind >= argc || (all && argc - optind > 1) || (!all && argc - optind < 2)) {
		rc = cli_usage_error("check", "expected DISTRO and --all or SRC...");
		goto out;
	}
	if ((rc = cli_solve_check(&so, "check")) != 0)
		goto out;
	double t0 = now_monotonic();
	struct distro_overrides ov = {.mirror = c->mirror, .config = c->config};
	if (distro_load(argv[optind], &ov, &d, &e) < 0)
		goto fail;
	if (so.sources) {
		if (solver_sources_load(so.sources, "", "", &srcs, &n, &e) < 0)
			goto fail;
	} else if (solver_sources_for_distro(d, &srcs, &n, &e) < 0) {
		goto fail;
	}
	if (!all && select_sources(srcs, &n, argv + optind + 1, argc - optind - 1, &e) < 0)
		goto fail;
	const char *arch = d->architectures.n ? d->architectures.v[0] : "amd64";
	if (solver_pool_for_files(d, arch, &so.packages, &kp, &e) < 0)
		goto fail;
	co.distro = d->name;
	co.base = &d->build_essential;
	co.profiles = &so.profiles;
	co.arch_only = so.arch_only;
	co.indep_only = so.indep_only;
	co.alternatives = so.resolve_alts ? ALT_ALL : ALT_FIRST;
	res = xcalloc(n ? n : 1, sizeof(*res));
	if (solver_check(kp, srcs, n, &co, res, &e) < 0)
		goto fail;
	size_t nok = 0, nbad = 0, nskip = 0;
	for (size_t i = 0; i < n; i++)
		res[i].buildable > 0 ? nok++ : res[i].buildable < 0 ? nskip++ : nbad++;
	double secs = now_monotonic() - t0;
	if (c->json) {
		json_t *o = json_object(), *a = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *j = json_object();
			json_object_set_new(j, "name", json_string(res[i].source));
			json_object_set_new(j, "version", json_string(res[i].version));
			json_object_set_new(j, "status",
					    json_string(res[i].buildable > 0   ? "buildable"
							: res[i].buildable < 0 ? "skipped"
									       : "unbuildable"));
			if (res[i].reason)
				json_object_set_new(j, "reason", json_string(res[i].reason));
			if (res[i].buildable > 0)
				json_object_set_new(j, "packages",
						    json_integer((json_int_t)res[i].npkgs));
			json_array_append_new(a, j);
		}
		json_object_set_new(o, "sources", a);
		json_object_set_new(o, "distro", json_string(d->name));
		json_object_set_new(o, "arch", json_string(arch));
		json_object_set_new(o, "buildable", json_integer((json_int_t)nok));
		json_object_set_new(o, "unbuildable", json_integer((json_int_t)nbad));
		json_object_set_new(o, "skipped", json_integer((json_int_t)nskip));
		cli_print_json(o);
	} else {
		for (size_t i = 0; i < n; i++) {
			if (res[i].buildable > 0 && (all && log_level() < LOG_VERBOSE))
				continue;
			if (res[i].buildable < 0 && log_level() < LOG_VERBOSE)
				continue;
			if (res[i].buildable > 0)
				printf("%s %s: buildable (%zu packages)\n", res[i].source,
				       res[i].version, res[i].npkgs);
			else if (res[i].buildable < 0)
				printf("%s %s: skipped (not built on %s)\n", res[i].source,
				       res[i].version, arch);
			else
				printf("%s %s: unbuildable\n  %s\n", res[i].source, res[i].version,
				       res[i].reason ? res[i].reason : "");
		}
		printf(
		    "%zu sources: %zu buildable, %zu unbuildable, %zu not built on %s (%.1f s)\n",
		    n, nok, nbad, nskip, arch, secs);
	}
	rc = nbad ? KILN_EFAIL : 0;
	goto out;
fail:
	rc = cli_fail(&e);
out:
	for (size_t i = 0; res && i < n; i++)
		check_result_free(&res[i]);
	free(res);
	solver_sources_free(srcs, n);
	kiln_pool_free(kp);
	distro_free(d);
	cli_solve_opts_free(&so);
	return rc;
}
