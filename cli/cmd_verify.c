/* cmd_verify.c - `kiln verify RECORD.json | FILE.buildinfo | --against-archive DISTRO SRC`:
 * rebuild, compare, diff what differs, sign what was reproduced. */
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: kiln verify [options] RECORD.json | FILE.buildinfo\n"
    "       kiln verify [options] --against-archive DISTRO SRC\n\n"
    "Rebuild exactly what a kiln build record or a .buildinfo (dpkg, sbuild, Debian's\n"
    "buildds) describes: its lock (a .buildinfo's Installed-Build-Depends, found in\n"
    "the release, its -security and -updates suites), Build-Path, Environment and\n"
    "build kind; then compare every output's sha256. On a match, write a signed\n"
    "rebuild attestation (SRC_VER_ARCH.rebuild.intoto.jsonl, check it with kiln\n"
    "attest verify) next to the rebuilt files and exit 0; when an output differs,\n"
    "name it, show kiln diff's summary against the file the input describes, and\n"
    "exit 1. A package version the mirrors no longer carry exits 5: use --mirror\n"
    "with a snapshot of the archive.\n"
    "--against-archive rebuilds SRC's current source and compares each binary\n"
    "package with the one DISTRO's archive ships.\n\n"
    "Options:\n"
    "  -o, --output DIR     where the rebuilt files go (default: ./kiln-rebuild)\n"
    "      --originals DIR  where the files the input names are, for the diff\n"
    "                       (default: the input's directory)\n"
    "      --distro DISTRO  the release a .buildinfo was built on (default: from its\n"
    "                       base-files version)\n"
    "  -k, --key FILE       sign with this private key (default: kiln's own)\n"
    "      --builder-id URI the verifier's id in the attestation\n"
    "      --against-archive  compare with the archive's binaries\n"
    "      --dry-run        print what would be rebuilt (lock, build path,\n"
    "                       environment) and stop\n"
    "      --rebuilt DIR    compare with an earlier rebuild in DIR (its build record\n"
    "                       must show the same source, kind, build path, environment\n"
    "                       and lock) instead of building again; the attestation\n"
    "                       goes into DIR\n";

enum {
	OPT_ORIGINALS = OPT_FIRST_CMD,
	OPT_DISTRO,
	OPT_BUILDER_ID,
	OPT_ARCHIVE,
	OPT_DRY_RUN,
	OPT_REBUILT
};

static volatile sig_atomic_t g_cancel;

static void on_signal(int sig)
{
	(void)sig;
	g_cancel = 1;
	builders_interrupt();
}

static const char *status_word(int st)
{
	return st == 0 ? "reproduced" : st == -KILN_ENOTFOUND ? "missing" : "DIFFERS";
}

static void print_text(const struct verify_result *r, int against)
{
	for (size_t i = 0; i < r->checks.n; i++) {
		const struct output_check *c = &r->checks.v[i];
		printf("%-10s %s\n", status_word(c->status), c->name);
		if (c->status == -KILN_EVERIFY)
			printf("           expected sha256 %s\n           rebuilt  sha256 %s\n",
			       c->want_sha256, c->got_sha256);
	}
	for (size_t i = 0; i < r->not_compared.n; i++)
		printf("%-10s %s\n", "skipped", r->not_compared.v[i]);
	for (void *it = json_object_iter(r->diffs); it; it = json_object_iter_next(r->diffs, it)) {
		json_t *d = json_object_iter_value(it);
		printf("\nkiln diff %s (%s -> rebuilt):\n", json_object_iter_key(it),
		       against ? "the archive's" : "as described");
		if (json_object_get(d, "archive_url"))
			printf("  archive: %s\n",
			       json_string_value(json_object_get(d, "archive_url")));
		if (json_object_get(d, "unavailable"))
			printf("  no diff: %s\n",
			       json_string_value(json_object_get(d, "unavailable")));
		else
			cli_print_diff_report(d);
	}
	if (r->attestation_path)
		printf("attestation %s\n", r->attestation_path);
}

static json_t *result_json(const struct verify_result *r, int rc)
{
	json_t *outs = json_array(), *nc = json_array(), *added = json_array();
	for (size_t i = 0; i < r->checks.n; i++) {
		const struct output_check *c = &r->checks.v[i];
		json_array_append_new(outs, json_pack("{s:s, s:s, s:s, s:s}", "name", c->name,
						      "status", status_word(c->status), "expected",
						      c->want_sha256, "rebuilt", c->got_sha256));
	}
	for (size_t i = 0; i < r->not_compared.n; i++)
		json_array_append_new(nc, json_string(r->not_compared.v[i]));
	for (size_t i = 0; i < r->added.n; i++)
		json_array_append_new(added, json_string(r->added.v[i]));
	json_t *j = json_pack("{s:s, s:o, s:o, s:o, s:f}", "verdict",
			      rc == 0 ? "reproduced" : "differs", "outputs", outs, "not_compared",
			      nc, "added_packages", added, "seconds", r->seconds);
	if (r->diffs)
		json_object_set(j, "diffs", r->diffs);
	if (r->lock_sha256[0])
		json_object_set_new(j, "lock_sha256", json_string(r->lock_sha256));
	if (r->rebuilt_dir)
		json_object_set_new(j, "rebuilt_dir", json_string(r->rebuilt_dir));
	if (r->attestation_path)
		json_object_set_new(j, "attestation", json_string(r->attestation_path));
	if (r->key_id)
		json_object_set_new(j, "keyid", json_string(r->key_id));
	return j;
}

int cmd_verify(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     {"output", required_argument, 0, 'o'},
					     {"originals", required_argument, 0, OPT_ORIGINALS},
					     {"distro", required_argument, 0, OPT_DISTRO},
					     {"key", required_argument, 0, 'k'},
					     {"builder-id", required_argument, 0, OPT_BUILDER_ID},
					     {"against-archive", no_argument, 0, OPT_ARCHIVE},
					     {"dry-run", no_argument, 0, OPT_DRY_RUN},
					     {"rebuilt", required_argument, 0, OPT_REBUILT},
					     {0, 0, 0, 0}};
	struct verify_opts o = {0};
	struct verify_result r = {0};
	struct attest_key *k = NULL;
	struct kerr e = {0};
	const char *keyfile = NULL;
	int opt, rc, against = 0;

	o.outdir = "kiln-rebuild";
	o.log_to_terminal = log_level() > LOG_NORMAL;
	diff_opts_default(&o.diff);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "o:k:", opts, NULL)) != -1) {
		int r0 = cli_common_option(c, opt, optarg, usage);
		if (r0 < 0)
			return 0;
		if (r0 > 0)
			continue;
		switch (opt) {
		case 'o':
			o.outdir = optarg;
			break;
		case OPT_ORIGINALS:
			o.originals_dir = optarg;
			break;
		case OPT_DISTRO:
			o.distro = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case OPT_BUILDER_ID:
			o.builder_id = optarg;
			break;
		case OPT_ARCHIVE:
			against = 1;
			break;
		case OPT_DRY_RUN:
			o.dry_run = 1;
			break;
		case OPT_REBUILT:
			o.rebuilt_dir = optarg;
			break;
		default:
			return cli_usage_error("verify", "unknown option");
		}
	}
	if (against ? argc - optind != 2 : argc - optind != 1)
		return cli_usage_error("verify", against
						     ? "--against-archive wants DISTRO SRC"
						     : "expected RECORD.json or FILE.buildinfo");
	o.ov.mirror = c->mirror;
	o.ov.config = c->config;
	o.fetch = c->fetch;
	o.cancel = &g_cancel;
	if (keyfile && key_load_private(keyfile, &k, &e) < 0)
		return cli_fail(&e);
	o.key = k;

	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	rc = against ? verify_against_archive(argv[optind], argv[optind + 1], &o, &r, &e)
		     : verify_rebuild(argv[optind], &o, &r, &e);
	if (rc == 0 && o.dry_run) {
		if (c->json) {
			cli_print_json(json_incref(r.plan));
		} else {
			char *t = json_dumps(r.plan, JSON_INDENT(2) | JSON_SORT_KEYS);
			printf("%s\n", t);
			free(t);
		}
		goto out;
	}
	if (rc < 0 && rc != -KILN_EFAIL) {
		rc = cli_fail(&e);
		goto out;
	}
	if (rc == -KILN_EFAIL && !r.checks.n) { /* failed before anything was compared */
		rc = cli_fail(&e);
		goto out;
	}
	if (c->json)
		cli_print_json(result_json(&r, rc));
	else
		print_text(&r, against);
	if (rc < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	if (r.pub_path)
		log_info("signed with kiln's own key; its public half is %s", r.pub_path);
	log_info("verify: %zu of %zu outputs reproduced in %.1f s", r.checks.reproduced, r.checks.n,
		 r.seconds);
out:
	verify_result_free(&r);
	key_free(k);
	return rc;
}
