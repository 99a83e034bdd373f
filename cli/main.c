/* main.c - `kiln COMMAND ...`: global options, dispatch through the command table. */
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

struct command {
	const char *name;
	int (*fn)(int, char **, struct cli *);
	const char *summary;
};

static const struct command commands[] = {
#define KILN_CMD(name, fn, summary) {#name, fn, summary},
#include "cli/commands.def"
#undef KILN_CMD
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kiln [-q|-v] [--json] [--home DIR] COMMAND [ARGS...]\n\n"
		   "kiln rebuilds Debian and Alpine packages from source, reproducibly, in a\n"
		   "sandbox, and proves what it built.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun `kiln COMMAND --help` for a command's options.\n\n"
		   "Exit status: 0 success; 1 the work failed; 2 usage error; 3 a signature, hash\n"
		   "or date check failed; 4 network/mirror unreachable; 5 not found; 6 local I/O\n"
		   "error; 7 malformed input; 130 interrupted.\n");
}

int cli_common_option(struct cli *c, int opt, const char *arg, const char *use)
{
	switch (opt) {
	case 'h':
		fputs(use, stdout);
		fputs("\n" CLI_COMMON_HELP, stdout);
		return -1;
	case 'q':
		log_setup(LOG_QUIET, log_color());
		return 1;
	case 'v':
		log_setup(log_level() < LOG_VERBOSE ? LOG_VERBOSE : LOG_DEBUG, log_color());
		return 1;
	case OPT_JSON:
		c->json = 1;
		return 1;
	case OPT_OFFLINE:
		c->offline = 1;
		c->fetch.offline = 1;
		return 1;
	case OPT_MIRROR:
		c->mirror = arg;
		return 1;
	case OPT_CONFIG:
		c->config = arg;
		return 1;
	case OPT_HOME:
		kiln_home_set(arg);
		return 1;
	case OPT_NO_COLOR:
		log_setup(log_level(), 0);
		return 1;
	}
	return 0;
}

int cli_fail(const struct kerr *e)
{
	int code = e->code ? e->code : KILN_EFAIL;
	fprintf(stderr, "%skiln: %s%s\n", log_color() ? "\033[31m" : "",
		e->msg[0] ? e->msg : "failed", log_color() ? "\033[0m" : "");
	return code;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "kiln %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry `kiln %s --help`.\n", cmd);
	return KILN_EUSAGE;
}

void cli_print_json(void *root)
{
	json_dumpf((json_t *)root, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref((json_t *)root);
}

int main(int argc, char **argv)
{
	struct cli c = {0};
	int i = 1;

	log_setup(LOG_NORMAL, 1);
	fetch_opts_default(&c.fetch);
	signal(SIGPIPE, SIG_IGN);
	/* global options before the command name */
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--version")) {
			printf("kiln %s\n", KILN_VERSION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			log_setup(LOG_QUIET, log_color());
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			log_setup(log_level() < LOG_VERBOSE ? LOG_VERBOSE : LOG_DEBUG, log_color());
		} else if (!strcmp(a, "--json")) {
			c.json = 1;
		} else if (!strcmp(a, "--offline")) {
			c.offline = c.fetch.offline = 1;
		} else if (!strcmp(a, "--no-color")) {
			log_setup(log_level(), 0);
		} else if (!strcmp(a, "--home") && i + 1 < argc) {
			kiln_home_set(argv[++i]);
		} else if (!strcmp(a, "--mirror") && i + 1 < argc) {
			c.mirror = argv[++i];
		} else {
			fprintf(stderr, "kiln: unknown option %s\n", a);
			usage(stderr);
			return KILN_EUSAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return KILN_EUSAGE;
	}
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (!strcmp(argv[i], commands[k].name)) {
			optind = 1;
			return commands[k].fn(argc - i, argv + i, &c);
		}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "kiln: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return KILN_EUSAGE;
}
