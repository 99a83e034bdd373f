/* cmd_vercmp.c - `kiln vercmp DISTRO A B`: print <, = or > by the distro's version rules. */
#include "cli/cli.h"
#include "distros/distros.h"

#include <string.h>

static const char usage[] =
    "usage: kiln vercmp DISTRO A B\n\n"
    "Compare versions A and B by DISTRO's rules (Debian: dpkg's; Alpine: the\n"
    "apk-tools generation the release ships) and print <, = or >.\n";

int cmd_vercmp(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS, {0, 0, 0, 0}};
	struct distro *d = NULL;
	struct kerr e = {0};
	int opt, r, cmp;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			return 0;
		if (r == 0)
			return cli_usage_error("vercmp", "unknown option");
	}
	if (argc - optind != 3)
		return cli_usage_error("vercmp", "expected DISTRO A B");
	if (distro_load(argv[optind], NULL, &d, &e) < 0)
		return cli_fail(&e);
	const char *a = argv[optind + 1], *b = argv[optind + 2];
	if (!strcmp(d->family, "alpine")) {
		int gen = alpine_apk_gen(d);
		for (int i = 0; i < 2; i++) {
			const char *v = i ? b : a;
			if (!apk_version_valid(gen, v)) {
				kerr_set(&e, KILN_EPARSE,
					 "'%s' is not a valid apk version (apk-tools %d)", v, gen);
				distro_free(d);
				return cli_fail(&e);
			}
		}
		cmp = apk_version_cmp(gen, a, b);
	} else {
		if (deb_version_check(a, &e) < 0 || deb_version_check(b, &e) < 0) {
			distro_free(d);
			return cli_fail(&e);
		}
		cmp = deb_version_cmp(a, b);
	}
	distro_free(d);
	puts(cmp < 0 ? "<" : cmp > 0 ? ">" : "=");
	return 0;
}
