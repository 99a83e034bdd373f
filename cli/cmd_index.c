/* cmd_index.c - `kiln index DIR --key KEY.rsa`: a signed APKINDEX.tar.gz for a directory of .apk
 * files; `--verify` reads one back. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "distros/distros.h"

static const char usage[] =
    "usage: kiln index DIR --key KEY.rsa [-o FILE] [--key-name NAME] [--sha256]\n"
    "                  [--rewrite-arch ARCH] [--description TEXT]\n"
    "       kiln index --verify APKINDEX.tar.gz [--keys-dir DIR] [--json]\n\n"
    "Write a signed APKINDEX.tar.gz (default DIR/APKINDEX.tar.gz) listing every .apk\n"
    "in DIR, as `apk index` followed by `abuild-sign` would. The signature entry is\n"
    ".SIGN.RSA.<key name> (sha1; --sha256: .SIGN.RSA256.), the key name being\n"
    "KEY.rsa's file name plus .pub unless --key-name is given. Tar mtimes are\n"
    "$SOURCE_DATE_EPOCH (else 0).\n\n"
    "With --verify, check an index's signature against the public keys in DIR\n"
    "(default /etc/apk/keys) and list its packages.\n\n"
    "Options:\n"
    "      --key FILE          PEM RSA private key\n"
    "  -o, --output FILE       where to write the index\n"
    "      --key-name NAME     public key file name verifiers will look up\n"
    "      --sha256            sign with RSA/SHA-256 instead of RSA/SHA-1\n"
    "      --rewrite-arch ARCH list noarch packages under ARCH (apk index --rewrite-arch)\n"
    "      --description TEXT  add a DESCRIPTION member\n"
    "      --verify FILE       verify and list an APKINDEX.tar.gz\n"
    "      --keys-dir DIR      trusted *.rsa.pub keys for --verify\n";

enum {
	OPT_KEY = OPT_FIRST_CMD,
	OPT_KEY_NAME,
	OPT_SHA256,
	OPT_REWRITE_ARCH,
	OPT_DESCRIPTION,
	OPT_VERIFY,
	OPT_KEYS_DIR
};

static json_t *strv_json(const struct strv *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static void set_opt_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

static int print_index(const struct apk_index *idx, const char *file, int json)
{
	if (!json) {
		printf("%s: %zu packages, signed by %s\n", file, idx->n, idx->signer);
		for (size_t i = 0; i < idx->n; i++)
			printf("%s %s %s\n", idx->pkgs[i].name, idx->pkgs[i].version,
			       idx->pkgs[i].checksum ? idx->pkgs[i].checksum : "-");
		return 0;
	}
	json_t *root = json_object(), *pkgs = json_array();
	set_opt_str(root, "signer", idx->signer);
	set_opt_str(root, "description", idx->description);
	for (size_t i = 0; i < idx->n; i++) {
		const struct apk_pkg *p = &idx->pkgs[i];
		json_t *o = json_object();
		set_opt_str(o, "checksum", p->checksum);
		set_opt_str(o, "name", p->name);
		set_opt_str(o, "version", p->version);
		set_opt_str(o, "arch", p->arch);
		json_object_set_new(o, "size", json_integer((json_int_t)p->size));
		json_object_set_new(o, "installed_size",
				    json_integer((json_int_t)p->installed_size));
		set_opt_str(o, "description", p->description);
		set_opt_str(o, "url", p->url);
		set_opt_str(o, "license", p->license);
		set_opt_str(o, "origin", p->origin);
		set_opt_str(o, "maintainer", p->maintainer);
		set_opt_str(o, "commit", p->commit);
		json_object_set_new(o, "build_time", json_integer(p->build_time));
		if (p->has_provider_priority)
			json_object_set_new(o, "provider_priority",
					    json_integer(p->provider_priority));
		json_object_set_new(o, "depends", strv_json(&p->depends));
		json_object_set_new(o, "provides", strv_json(&p->provides));
		json_object_set_new(o, "install_if", strv_json(&p->install_if));
		if (p->uninstallable)
			json_object_set_new(o, "uninstallable", json_true());
		json_array_append_new(pkgs, o);
	}
	json_object_set_new(root, "packages", pkgs);
	cli_print_json(root);
	return 0;
}

int cmd_index(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTIONS,
	    {"key", required_argument, 0, OPT_KEY},
	    {"output", required_argument, 0, 'o'},
	    {"key-name", required_argument, 0, OPT_KEY_NAME},
	    {"sha256", no_argument, 0, OPT_SHA256},
	    {"rewrite-arch", required_argument, 0, OPT_REWRITE_ARCH},
	    {"description", required_argument, 0, OPT_DESCRIPTION},
	    {"verify", required_argument, 0, OPT_VERIFY},
	    {"keys-dir", required_argument, 0, OPT_KEYS_DIR},
	    {0, 0, 0, 0}};
	struct apk_index_opts o = {0};
	const char *output = NULL, *verify = NULL, *keys_dir = "/etc/apk/keys";
	struct kerr e = {0};
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_KEY:
			o.private_key = optarg;
			continue;
		case 'o':
			output = optarg;
			continue;
		case OPT_KEY_NAME:
			o.key_name = optarg;
			continue;
		case OPT_SHA256:
			o.sha256 = 1;
			continue;
		case OPT_REWRITE_ARCH:
			o.rewrite_arch = optarg;
			continue;
		case OPT_DESCRIPTION:
			o.description = optarg;
			continue;
		case OPT_VERIFY:
			verify = optarg;
			continue;
		case OPT_KEYS_DIR:
			keys_dir = optarg;
			continue;
		}
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			return 0;
		if (r == 0)
			return cli_usage_error("index", "unknown option");
	}
	if (verify) {
		struct apk_index idx;
		if (optind < argc)
			return cli_usage_error("index", "--verify takes no DIR");
		if (apk_index_read(verify, keys_dir, &idx, &e) < 0)
			return cli_fail(&e);
		print_index(&idx, verify, c->json);
		apk_index_free(&idx);
		return 0;
	}
	if (argc - optind != 1)
		return cli_usage_error("index", "expected one DIR");
	if (!o.private_key)
		return cli_usage_error("index", "--key KEY.rsa is required");
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	o.mtime = sde && *sde ? strtoll(sde, NULL, 10) : 0;
	char *out = output ? xstrdup(output) : xasprintf("%s/APKINDEX.tar.gz", argv[optind]);
	size_t n = 0;
	r = apk_index_write_dir(argv[optind], &o, out, &n, &e);
	if (r == 0)
		log_info("%s: %zu packages", out, n);
	free(out);
	return r < 0 ? cli_fail(&e) : 0;
}
