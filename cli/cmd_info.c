/* cmd_info.c - `kiln info [--json] DIR`: what an APKBUILD sets, evaluated in the sandbox. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "builders/alpine.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: kiln info [options] DIR\n\n"
    "Evaluate DIR/APKBUILD with a shell inside the sandbox (the host's / read-only,\n"
    "DIR read-only at /tmp/startdir, no network, seccomp, a timeout and a cap on\n"
    "what it prints) and print its variables, the functions it defines and its\n"
    "\"# secfixes:\" block. With --json: one object, each variable under its own\n"
    "name, lists split on white space, secfixes as {version: [ids]}.\n\n"
    "Options:\n"
    "      --timeout SECS   stop the evaluation after SECS seconds (default 30)\n";

static void print_list(const char *name, const struct strv *l)
{
	if (!l->n)
		return;
	printf("%-17s", name);
	for (size_t i = 0; i < l->n; i++)
		printf("%s%s", i ? " " : "", l->v[i]);
	printf("\n");
}

static void print_text(const struct apkbuild *ab)
{
	const char *names[] = {
	    "pkgname", "pkgver",     "pkgrel",	 "pkgdesc",	      "url",
	    "license", "maintainer", "builddir", "provider_priority", "replaces_priority"};
	const char *vals[] = {ab->pkgname,	    ab->pkgver,	  ab->pkgrel,
			      ab->pkgdesc,	    ab->url,	  ab->license,
			      ab->maintainer,	    ab->builddir, ab->provider_priority,
			      ab->replaces_priority};
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		if (vals[i])
			printf("%-17s%s\n", names[i], vals[i]);
	print_list("arch", &ab->arch);
	print_list("depends", &ab->depends);
	print_list("makedepends", &ab->makedepends);
	print_list("checkdepends", &ab->checkdepends);
	print_list("subpackages", &ab->subpackages);
	print_list("options", &ab->options);
	print_list("install", &ab->install);
	print_list("triggers", &ab->triggers);
	print_list("provides", &ab->provides);
	print_list("replaces", &ab->replaces);
	print_list("install_if", &ab->install_if);
	print_list("pkgusers", &ab->pkgusers);
	print_list("pkggroups", &ab->pkggroups);
	print_list("functions", &ab->functions);
	for (size_t i = 0; i < ab->source.n; i++)
		printf("%-17s%s\n", i ? "" : "source", ab->source.v[i]);
	for (size_t i = 0; i + 1 < ab->sha512sums.n; i += 2)
		printf("%-17s%.16s...  %s\n", i ? "" : "sha512sums", ab->sha512sums.v[i],
		       ab->sha512sums.v[i + 1]);
	for (size_t i = 0; i < ab->secfixes.n; i++) {
		printf("%-17s%s:", i ? "" : "secfixes", ab->secfixes.v[i].version);
		for (size_t k = 0; k < ab->secfixes.v[i].ids.n; k++)
			printf(" %s", ab->secfixes.v[i].ids.v[k]);
		printf("\n");
	}
}

int cmd_info(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTIONS, {"timeout", required_argument, 0, OPT_FIRST_CMD}, {0, 0, 0, 0}};
	struct apkbuild ab = {0};
	struct kerr e = {0};
	double timeout_s = 0;
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			return 0;
		if (r > 0)
			continue;
		if (opt == OPT_FIRST_CMD) {
			char *end;
			timeout_s = strtod(optarg, &end);
			if (*end || timeout_s <= 0)
				return cli_usage_error("info", "--timeout wants a positive number");
		} else {
			return cli_usage_error("info", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("info", "expected one directory holding an APKBUILD");
	if (apkbuild_evaluate_timeout(argv[optind], timeout_s, &ab, &e) < 0)
		return cli_fail(&e);
	if (c->json) {
		char *s = apkbuild_to_json(&ab);
		printf("%s\n", s);
		free(s);
	} else {
		print_text(&ab);
	}
	apkbuild_free(&ab);
	return 0;
}
