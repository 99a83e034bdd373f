/* cmd_source.c - `kiln source DISTRO SRC[=VERSION] [-o DIR]`: fetch a verified source package. */
#include <jansson.h>
#include <string.h>

#include "builders/alpine.h"
#include "cli/cli.h"
#include "distros/distros.h"

static const char usage[] =
    "usage: kiln source [options] DISTRO SRC[=VERSION] [-o DIR]\n"
    "       kiln source --add FILE...\n\n"
    "Find SRC in the distro's verified Sources (the newest version unless one is\n"
    "given), download the .dsc and every file it lists, check each file's size and\n"
    "sha256 against the Sources index and the .dsc, and write them into DIR\n"
    "(default: the current directory). The .dsc's maintainer signature is checked\n"
    "when Debian's maintainer keyrings (package debian-keyring) are installed.\n\n"
    "Options:\n"
    "  -o, --output DIR     where to write the files\n"
    "      --keyring FILE   check the .dsc signature against this keyring\n"
    "      --add            store each FILE in the sha512 source cache\n"
    "                       ($KILN_HOME/sources), where Alpine builds find the\n"
    "                       remote source= files by their sha512sums entry;\n"
    "                       prints SHA512  FILE per file\n";

/* kiln source --add FILE...: the sha512 source cache for APKBUILD sources */
static int add_files(int n, char **files, struct cli *c)
{
	struct kerr e = {0};
	json_t *arr = c->json ? json_array() : NULL;
	for (int i = 0; i < n; i++) {
		char hex[129];
		if (apk_source_cache_add(files[i], hex, &e) < 0) {
			json_decref(arr);
			return cli_fail(&e);
		}
		if (arr)
			json_array_append_new(
			    arr, json_pack("{s:s, s:s}", "file", files[i], "sha512", hex));
		else
			printf("%s  %s\n", hex, files[i]);
	}
	if (arr)
		cli_print_json(arr);
	return 0;
}

int cmd_source(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     {"output", required_argument, 0, 'o'},
					     {"keyring", required_argument, 0, OPT_FIRST_CMD},
					     {"add", no_argument, 0, OPT_FIRST_CMD + 1},
					     {0, 0, 0, 0}};
	struct distro_overrides ov = {0};
	struct distro *d = NULL;
	struct source_pkg s = {0};
	struct kerr e = {0};
	const char *outdir = ".", *keyring = NULL;
	char *name = NULL, *version;
	int opt, r, rc = 0, signed_state = -1, add = 0;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			return 0;
		if (r > 0)
			continue;
		if (opt == 'o')
			outdir = optarg;
		else if (opt == OPT_FIRST_CMD)
			keyring = optarg;
		else if (opt == OPT_FIRST_CMD + 1)
			add = 1;
		else
			return cli_usage_error("source", "unknown option");
	}
	if (add) {
		if (argc - optind < 1)
			return cli_usage_error("source", "--add wants at least one FILE");
		return add_files(argc - optind, argv + optind, c);
	}
	if (argc - optind != 2)
		return cli_usage_error("source", "expected DISTRO and SRC[=VERSION]");
	ov.mirror = c->mirror;
	ov.config = c->config;
	name = xstrdup(argv[optind + 1]);
	version = strchr(name, '=');
	if (version)
		*version++ = '\0';
	if (distro_load(argv[optind], &ov, &d, &e) < 0 ||
	    debian_find_source(d, name, version, &s, &e) < 0 ||
	    debian_fetch_source(&s, outdir, &c->fetch, keyring, &signed_state, &e) < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	const char *sig = signed_state == 1   ? "good maintainer signature"
			  : signed_state == 0 ? "maintainer signature not checked (no maintainer "
						"keyring; apt-get install debian-keyring)"
					      : "the .dsc is not signed";
	if (c->json) {
		json_t *o = json_object(), *files = json_array();
		json_object_set_new(o, "package", json_string(s.package));
		json_object_set_new(o, "version", json_string(s.version));
		json_object_set_new(o, "suite", json_string(s.suite));
		json_object_set_new(o, "dsc_signature",
				    json_string(signed_state == 1   ? "good"
						: signed_state == 0 ? "unchecked"
								    : "unsigned"));
		for (size_t i = 0; i < s.nfiles; i++) {
			json_t *f = json_object();
			json_object_set_new(f, "name", json_string(s.files[i].name));
			json_object_set_new(f, "sha256", json_string(s.files[i].sha256));
			json_object_set_new(f, "size", json_integer((json_int_t)s.files[i].size));
			json_array_append_new(files, f);
		}
		json_object_set_new(o, "files", files);
		json_object_set_new(o, "directory", json_string(outdir));
		cli_print_json(o);
	} else {
		log_info("%s %s (%s): %zu files verified into %s%s%s", s.package, s.version,
			 s.suite, s.nfiles, outdir, signed_state ? "; " : "",
			 signed_state ? sig : "");
		for (size_t i = 0; i < s.nfiles; i++)
			printf("%s  %s\n", s.files[i].sha256, s.files[i].name);
	}
	if (signed_state == 0)
		log_warn("%s: %s", s.package, sig);
out:
	source_pkg_free(&s);
	distro_free(d);
	free(name);
	return rc;
}
