/* cmd_attest.c - `kiln attest render|verify`: sign a build record's provenance and SBOM, check
 * attestations. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: kiln attest render RECORD.json [--key KEY] [-o DIR] [--outputs DIR]\n"
    "       kiln attest verify FILE [--key PUB] [--dir DIR]\n\n"
    "render: from kiln's build record, write BASE.intoto.jsonl (an in-toto Statement\n"
    "  v1 with a SLSA Provenance v1 predicate, in a DSSE envelope signed with KEY)\n"
    "  and BASE.spdx.json (an SPDX 2.3 SBOM: the built packages with their files,\n"
    "  the build environment's packages). Without --key, kiln's own key in\n"
    "  $KILN_HOME/keys/ is used (made on first use).\n"
    "verify: check FILE's DSSE signature with PUB (default: kiln's own public key)\n"
    "  and that every subject's sha256 matches the file of that name in DIR\n"
    "  (default: FILE's directory).\n\n"
    "Options:\n"
    "  -k, --key FILE       private key (render) or public key (verify), PEM\n"
    "  -o, --output DIR     render: where to write (default: the record's directory)\n"
    "      --outputs DIR    render: where the built packages are (default: the\n"
    "                       record's directory)\n"
    "      --builder-id URI render: runDetails.builder.id\n"
    "  -d, --dir DIR        verify: where the subjects are\n";

enum { OPT_OUTPUTS = OPT_FIRST_CMD, OPT_BUILDER_ID };

struct attest_args {
	const char *key, *outdir, *outputs, *builder_id, *dir;
};

static int parse(int argc, char **argv, struct cli *c, struct attest_args *a)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     {"key", required_argument, 0, 'k'},
					     {"output", required_argument, 0, 'o'},
					     {"outputs", required_argument, 0, OPT_OUTPUTS},
					     {"builder-id", required_argument, 0, OPT_BUILDER_ID},
					     {"dir", required_argument, 0, 'd'},
					     {0, 0, 0, 0}};
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "k:o:d:", opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			return 1;
		if (r > 0)
			continue;
		switch (opt) {
		case 'k':
			a->key = optarg;
			break;
		case 'o':
			a->outdir = optarg;
			break;
		case OPT_OUTPUTS:
			a->outputs = optarg;
			break;
		case OPT_BUILDER_ID:
			a->builder_id = optarg;
			break;
		case 'd':
			a->dir = optarg;
			break;
		default:
			return -cli_usage_error("attest", "unknown option");
		}
	}
	return 0;
}

static int attest_render_cmd(const char *record, const struct attest_args *a, struct cli *c)
{
	struct attest_render_opts o = {
	    .outdir = a->outdir, .outputs_dir = a->outputs, .builder_id = a->builder_id};
	struct attest_rendered res = {0};
	struct attest_key *k = NULL;
	struct kerr e = {0};
	json_t *rec = NULL;
	int rc = 0;

	if (record_load(record, &rec, &e) < 0 || (a->key && key_load_private(a->key, &k, &e) < 0)) {
		rc = cli_fail(&e);
		goto out;
	}
	o.key = k;
	if (attest_render(rec, record, &o, &res, &e) < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	if (res.pub_path)
		log_info("signed with kiln's own key (%s); its public half is %s%s", res.key_id,
			 res.pub_path, res.key_created ? " (made now)" : "");
	if (c->json) {
		json_t *j = json_pack("{s:s, s:s, s:s}", "provenance", res.provenance_path, "sbom",
				      res.spdx_path, "keyid", res.key_id);
		if (res.pub_path)
			json_object_set_new(j, "public_key", json_string(res.pub_path));
		cli_print_json(j);
	} else {
		printf("%s\n%s\n", res.provenance_path, res.spdx_path);
	}
out:
	attest_rendered_free(&res);
	json_decref(rec);
	key_free(k);
	return rc;
}

static const char *status_word(int st)
{
	return st == 0		       ? "ok"
	       : st == -KILN_ENOTFOUND ? "missing"
	       : st == -KILN_EVERIFY   ? "differs"
				       : "unreadable";
}

static int attest_verify_cmd(const char *file, const struct attest_args *a, struct cli *c)
{
	struct attest_verified v = {0};
	struct attest_key *k = NULL;
	struct kerr e = {0};
	char *defpub = NULL;
	const char *pub = a->key;
	int rc = 0, r;

	if (!pub) {
		char *prefix = key_default_prefix();
		defpub = xasprintf("%s.pub", prefix);
		free(prefix);
		if (!path_exists(defpub)) {
			rc = cli_usage_error(
			    "attest", "no --key given and kiln has no key of its own (%s)", defpub);
			goto out;
		}
		pub = defpub;
	}
	if (key_load_public(pub, &k, &e) < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	r = attest_verify_file(file, k, a->dir, &v, &e);
	if (c->json) {
		json_t *subj = json_array();
		for (size_t i = 0; i < v.n; i++)
			json_array_append_new(subj, json_pack("{s:s, s:s, s:s}", "name",
							      v.subjects[i].name, "sha256",
							      v.subjects[i].sha256, "status",
							      status_word(v.subjects[i].status)));
		json_t *j = json_pack("{s:b, s:s, s:o}", "verified", r == 0, "keyid",
				      k ? key_id(k) : "", "subjects", subj);
		if (v.predicate_type)
			json_object_set_new(j, "predicateType", json_string(v.predicate_type));
		if (r < 0)
			json_object_set_new(j, "error", json_string(e.msg));
		cli_print_json(j);
	} else {
		for (size_t i = 0; i < v.n; i++)
			printf("%-10s %s  %s\n", status_word(v.subjects[i].status),
			       v.subjects[i].sha256, v.subjects[i].name);
	}
	if (r < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	log_info("%s: signature good (key %s), %zu subject%s match", file, key_id(k), v.n,
		 v.n == 1 ? "" : "s");
out:
	attest_verified_free(&v);
	key_free(k);
	free(defpub);
	return rc;
}

int cmd_attest(int argc, char **argv, struct cli *c)
{
	struct attest_args a = {0};
	const char *sub;
	int r;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		fputs("\n" CLI_COMMON_HELP, stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-')
		return cli_usage_error("attest", "expected a subcommand: render or verify");
	sub = argv[1];
	if ((r = parse(argc - 1, argv + 1, c, &a)) != 0)
		return r < 0 ? -r : 0;
	if (argc - 1 - optind != 1)
		return cli_usage_error("attest", "%s takes one file", sub);
	const char *file = argv[1 + optind];
	if (!strcmp(sub, "render"))
		return attest_render_cmd(file, &a, c);
	if (!strcmp(sub, "verify"))
		return attest_verify_cmd(file, &a, c);
	return cli_usage_error("attest", "unknown subcommand '%s' (render or verify)", sub);
}
