/* cmd_update.c - `kiln update DISTRO`: fetch and verify a distro's indices. */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "distros/distros.h"

static const char usage[] =
    "usage: kiln update [options] DISTRO...\n\n"
    "Fetch each suite's Release and Release.gpg, verify the signature against the\n"
    "distro's keyring and its dates, then fetch Packages and Sources, check them\n"
    "against the Release and keep them in the cache. A second run when nothing\n"
    "changed downloads no index. Alpine: each repository's APKINDEX.tar.gz, its\n"
    "signature checked against the keys directory (--keyring DIR to replace it).\n\n"
    "Options:\n"
    "      --security-mirror URL  mirror for the -security suites\n"
    "      --keyring FILE         trust this keyring instead of the distro's\n"
    "      --no-sources           skip Sources indices\n"
    "      --no-check-valid-until accept an expired Release (snapshot mirrors), with a warning\n";

enum { OPT_SECMIRROR = OPT_FIRST_CMD, OPT_KEYRING, OPT_NO_SOURCES, OPT_NO_VALID_UNTIL };

int cmd_update(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTIONS,
	    {"security-mirror", required_argument, 0, OPT_SECMIRROR},
	    {"keyring", required_argument, 0, OPT_KEYRING},
	    {"no-sources", no_argument, 0, OPT_NO_SOURCES},
	    {"no-check-valid-until", no_argument, 0, OPT_NO_VALID_UNTIL},
	    {0, 0, 0, 0}};
	struct distro_overrides ov = {0};
	struct update_opts uo = {0};
	struct kerr e = {0};
	int opt, r, rc = 0;
	json_t *all = NULL;

	uo.with_sources = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			return 0;
		if (r > 0)
			continue;
		switch (opt) {
		case OPT_SECMIRROR:
			ov.security_mirror = optarg;
			break;
		case OPT_KEYRING:
			ov.keyring = optarg;
			break;
		case OPT_NO_SOURCES:
			uo.with_sources = 0;
			break;
		case OPT_NO_VALID_UNTIL:
			uo.no_check_valid_until = 1;
			break;
		default:
			return cli_usage_error("update", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("update", "which distro? (kiln distros lists them)");
	ov.mirror = c->mirror;
	ov.config = c->config;
	uo.fetch = c->fetch;
	if (c->json)
		all = json_array();
	for (int i = optind; i < argc; i++) {
		struct distro *d = NULL;
		struct update_report rep;
		if (distro_load(argv[i], &ov, &d, &e) < 0 ||
		    (!strcmp(d->family, "alpine") ? alpine_update(d, &uo, &rep, &e)
						 : debian_update(d, &uo, &rep, &e)) < 0) {
			rc = cli_fail(&e);
			distro_free(d);
			break;
		}
		if (all) {
			json_t *o = json_object();
			json_object_set_new(o, "distro", json_string(d->name));
			json_object_set_new(o, "suites", json_integer((json_int_t)rep.suites));
			json_object_set_new(o, "indices_downloaded",
					    json_integer((json_int_t)rep.indices_downloaded));
			json_object_set_new(o, "indices_cached",
					    json_integer((json_int_t)rep.indices_cached));
			json_object_set_new(o, "releases_unchanged",
					    json_integer(rep.releases_unchanged));
			json_object_set_new(o, "seconds", json_real(rep.seconds));
			json_array_append_new(all, o);
		} else {
			log_info("%s: %zu suite(s) verified, %zu index file(s) downloaded, %zu "
				 "already cached (%.2f s)",
				 d->name, rep.suites, rep.indices_downloaded, rep.indices_cached,
				 rep.seconds);
		}
		distro_free(d);
	}
	if (all) {
		if (rc == 0)
			cli_print_json(all);
		else
			json_decref(all);
	}
	return rc;
}
