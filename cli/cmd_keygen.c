/* cmd_keygen.c - `kiln keygen [--type T] [-o PREFIX]`: make a signing key pair for attestations. */
#include <jansson.h>
#include <stdlib.h>

#include "attest/attest.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: kiln keygen [--type ed25519|ecdsa-p256] [-o PREFIX] [--force]\n\n"
    "Make a key pair for signing attestations: PREFIX.key (PKCS#8 PEM, mode 0600)\n"
    "and PREFIX.pub (SubjectPublicKeyInfo PEM). Without -o, the key is kiln's own,\n"
    "$KILN_HOME/keys/kiln, used when no --key is given. The key id printed is the\n"
    "sha256 of the public key's DER encoding.\n\n"
    "Options:\n"
    "  -t, --type TYPE      ed25519 (default) or ecdsa-p256 (cosign's default)\n"
    "  -o, --output PREFIX  where to write PREFIX.key and PREFIX.pub\n"
    "      --force          replace an existing PREFIX.key\n";

enum { OPT_FORCE = OPT_FIRST_CMD };

int cmd_keygen(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     {"type", required_argument, 0, 't'},
					     {"output", required_argument, 0, 'o'},
					     {"force", no_argument, 0, OPT_FORCE},
					     {0, 0, 0, 0}};
	enum key_type type = KEY_ED25519;
	struct attest_key *k = NULL;
	struct kerr e = {0};
	char *prefix = NULL;
	int opt, r, force = 0, rc = 0;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "t:o:", opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			goto out;
		if (r > 0)
			continue;
		if (opt == 't') {
			if (key_type_parse(optarg, &type, &e) < 0) {
				rc = cli_usage_error("keygen", "%s", e.msg);
				goto out;
			}
		} else if (opt == 'o') {
			free(prefix);
			prefix = xstrdup(optarg);
		} else if (opt == OPT_FORCE) {
			force = 1;
		} else {
			rc = cli_usage_error("keygen", "unknown option");
			goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("keygen", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!prefix) {
		char *dir = xasprintf("%s/keys", kiln_home());
		prefix = key_default_prefix();
		r = mkdir_p(dir, 0700, &e);
		free(dir);
		if (r < 0) {
			rc = cli_fail(&e);
			goto out;
		}
	}
	if (key_generate(type, prefix, force, &k, &e) < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	if (c->json) {
		char *priv = xasprintf("%s.key", prefix), *pub = xasprintf("%s.pub", prefix);
		cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "type", key_type_name(type),
					 "keyid", key_id(k), "private", priv, "public", pub));
		free(priv);
		free(pub);
	} else {
		printf("private key: %s.key (mode 0600; keep it out of builds)\n", prefix);
		printf("public key:  %s.pub\n", prefix);
		printf("key id:      %s (%s)\n", key_id(k), key_type_name(type));
	}
out:
	key_free(k);
	free(prefix);
	return rc;
}
