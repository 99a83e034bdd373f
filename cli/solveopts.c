/* solveopts.c - the options kiln check and kiln resolve share (what to solve
 * against and how), and finding SRC[=VERSION] among source stanzas. */
#include <string.h>

#include "cli/cli.h"
#include "solver/solver.h"

int cli_solve_option(struct cli_solve_opts *so, int opt, const char *arg)
{
	switch (opt) {
	case OPT_SOLVE_PROFILES:
		strv_split(&so->profiles, arg, ", ");
		return 1;
	case OPT_SOLVE_ARCH_ONLY:
		so->arch_only = 1;
		return 1;
	case OPT_SOLVE_INDEP_ONLY:
		so->indep_only = 1;
		return 1;
	case OPT_SOLVE_RESOLVE_ALTS:
		so->resolve_alts = 1;
		return 1;
	case OPT_SOLVE_PACKAGES:
		strv_add(&so->packages, arg);
		return 1;
	case OPT_SOLVE_SOURCES:
		so->sources = arg;
		return 1;
	}
	return 0;
}

int cli_solve_check(const struct cli_solve_opts *so, const char *cmd)
{
	if (so->arch_only && so->indep_only)
		return cli_usage_error(cmd, "--arch-only and --indep-only exclude each other");
	return 0;
}

void cli_solve_opts_free(struct cli_solve_opts *so)
{
	strv_free(&so->profiles);
	strv_free(&so->packages);
}

int cli_find_source(const struct source_pkg *v, size_t n, const char *name, const char *version)
{
	int found = -1;
	for (size_t i = 0; i < n; i++)
		if (v[i].package && !strcmp(v[i].package, name) &&
		    (version ? !strcmp(v[i].version, version)
			     : found < 0 || deb_version_cmp(v[i].version, v[found].version) > 0))
			found = (int)i;
	return found;
}
