/* cli.h - shared pieces of the command-line front end: options every command
 * takes, usage printing, and the error-to-exit-code rule. */
#ifndef KILN_CLI_H
#define KILN_CLI_H

#include <getopt.h>

#include "lib/kiln.h"

struct cli {
	int json;
	int offline;
	const char *mirror; /* --mirror URL (overrides the definition) */
	const char *config; /* --config FILE */
	struct fetch_opts fetch;
};

/* Options every command accepts; commands append these to their own table. */
enum {
	OPT_JSON = 1000,
	OPT_OFFLINE,
	OPT_MIRROR,
	OPT_HOME,
	OPT_NO_COLOR,
	OPT_CONFIG,
	OPT_FIRST_CMD
};
#define CLI_COMMON_OPTIONS                                                                         \
	{"help", no_argument, 0, 'h'}, {"quiet", no_argument, 0, 'q'},                             \
	    {"verbose", no_argument, 0, 'v'}, {"json", no_argument, 0, OPT_JSON},                  \
	    {"offline", no_argument, 0, OPT_OFFLINE},                                              \
	    {"mirror", required_argument, 0, OPT_MIRROR},                                          \
	    {"home", required_argument, 0, OPT_HOME}, {"no-color", no_argument, 0, OPT_NO_COLOR},  \
	{                                                                                          \
		"config", required_argument, 0, OPT_CONFIG                                         \
	}
#define CLI_COMMON_SHORT "hqv"
#define CLI_COMMON_HELP                                                                            \
	"Common options:\n"                                                                        \
	"  -q, --quiet          only errors and warnings\n"                                        \
	"  -v, --verbose        more detail (twice: debug)\n"                                      \
	"      --json           machine-readable output on stdout\n"                               \
	"      --offline        use only the cache, never the network\n"                           \
	"      --mirror URL     use this mirror instead of the distro's default\n"                 \
	"      --config FILE    read mirror settings from FILE\n"                                  \
	"      --home DIR       cache directory (default: $KILN_HOME or /var/cache/kiln)\n"        \
	"      --no-color       no colors (NO_COLOR is respected too)\n"                           \
	"  -h, --help           this help\n"

/* Handle a common option. Returns 1 if handled, -1 for --help (usage printed,
 * caller returns 0), 0 if not a common option. */
int cli_common_option(struct cli *c, int opt, const char *arg, const char *usage);
/* Print "kiln: <message>" for e and return its exit code. */
int cli_fail(const struct kerr *e);
/* usage error: message plus a pointer to --help; returns 2 */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_print_json(void *json_t_root); /* json_t*, dumped sorted + newline, then freed */
/* kiln diff's text report of a deb_diff() result (json_t*, not freed) */
void cli_print_diff_report(void *report);

/* Options kiln check and kiln resolve share (cli/solveopts.c): add
 * CLI_SOLVE_OPTIONS to the table, number the command's own options from
 * OPT_SOLVE_NEXT, and offer each option to cli_solve_option first. */
struct cli_solve_opts {
	struct strv profiles; /* --profiles LIST, split on ", " */
	struct strv packages; /* --packages FILE, repeatable */
	const char *sources;  /* --sources FILE */
	int arch_only, indep_only, resolve_alts;
};
enum {
	OPT_SOLVE_PROFILES = OPT_FIRST_CMD,
	OPT_SOLVE_ARCH_ONLY,
	OPT_SOLVE_INDEP_ONLY,
	OPT_SOLVE_RESOLVE_ALTS,
	OPT_SOLVE_PACKAGES,
	OPT_SOLVE_SOURCES,
	OPT_SOLVE_NEXT
};
#define CLI_SOLVE_OPTIONS                                                                          \
	{"profiles", required_argument, 0, OPT_SOLVE_PROFILES},                                    \
	    {"arch-only", no_argument, 0, OPT_SOLVE_ARCH_ONLY},                                    \
	    {"indep-only", no_argument, 0, OPT_SOLVE_INDEP_ONLY},                                  \
	    {"resolve-alternatives", no_argument, 0, OPT_SOLVE_RESOLVE_ALTS},                      \
	    {"packages", required_argument, 0, OPT_SOLVE_PACKAGES},                                \
	{                                                                                          \
		"sources", required_argument, 0, OPT_SOLVE_SOURCES                                 \
	}
/* 1: opt was one of them (recorded in so), 0: not */
int cli_solve_option(struct cli_solve_opts *so, int opt, const char *arg);
/* after parsing: 0, or the usage error's exit code (2) for cmd */
int cli_solve_check(const struct cli_solve_opts *so, const char *cmd);
void cli_solve_opts_free(struct cli_solve_opts *so);
/* the index in v of source name at version (NULL: its newest), or -1 */
struct source_pkg;
int cli_find_source(const struct source_pkg *v, size_t n, const char *name, const char *version);

#define KILN_CMD(name, fn, summary) int fn(int argc, char **argv, struct cli *c);
#include "cli/commands.def"
#undef KILN_CMD

#endif
