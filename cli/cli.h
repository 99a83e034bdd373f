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

#define KILN_CMD(name, fn, summary) int fn(int argc, char **argv, struct cli *c);
#include "cli/commands.def"
#undef KILN_CMD

#endif
