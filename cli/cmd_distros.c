/* cmd_distros.c - `kiln distros`: the distro definitions kiln knows. */
#include <jansson.h>

#include "cli/cli.h"
#include "distros/distros.h"

static const char usage[] =
    "usage: kiln distros [--json]\n\nList the distros kiln has definitions for.\n";

int cmd_distros(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS, {0, 0, 0, 0}};
	struct strv names = {0};
	struct kerr e = {0};
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			return 0;
		if (r == 0)
			return cli_usage_error("distros", "unknown option");
	}
	if (optind < argc)
		return cli_usage_error("distros", "unexpected argument '%s'", argv[optind]);
	if (distro_list(&names, &e) < 0)
		return cli_fail(&e);
	if (c->json) {
		json_t *a = json_array();
		for (size_t i = 0; i < names.n; i++)
			json_array_append_new(a, json_string(names.v[i]));
		cli_print_json(a);
	} else {
		for (size_t i = 0; i < names.n; i++)
			printf("%s\n", names.v[i]);
	}
	strv_free(&names);
	return 0;
}
