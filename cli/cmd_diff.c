/* cmd_diff.c - `kiln diff A B`: why two packages differ, as text or --json. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: kiln diff [--json] [--max-seconds N] A.deb B.deb\n"
    "       kiln diff [--json] [--max-seconds N] A.apk B.apk\n\n"
    "Say why two .deb (or two .apk) files differ: ar members (apk: gzip streams),\n"
    "control fields (apk: .PKGINFO), each file's type,\n"
    "mode, owner, size, mtime, link target and content; for files whose content\n"
    "differs, a unified diff of text, or the ELF sections and byte ranges that\n"
    "differ. Stops at the time limit and says so. Exit status 0 when identical,\n"
    "1 when they differ.\n\n"
    "Options:\n"
    "      --max-seconds N  time limit (default 60)\n"
    "      --max-files N    files compared in detail (default 200)\n";

enum { OPT_MAX_SECONDS = OPT_FIRST_CMD, OPT_MAX_FILES };

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static long long jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void print_attr_change(json_t *f, const char *what)
{
	json_t *a = json_object_get(f, "a"), *b = json_object_get(f, "b");
	if (!strcmp(what, "mode") || !strcmp(what, "type") || !strcmp(what, "link"))
		printf("    %s: %s -> %s\n", what, jstr(a, !strcmp(what, "mode") ? "mode" : what),
		       jstr(b, !strcmp(what, "mode") ? "mode" : what));
	else if (!strcmp(what, "owner"))
		printf("    owner: %lld/%lld (%s/%s) -> %lld/%lld (%s/%s)\n", jint(a, "uid"),
		       jint(a, "gid"), jstr(a, "owner"), jstr(a, "group"), jint(b, "uid"),
		       jint(b, "gid"), jstr(b, "owner"), jstr(b, "group"));
	else if (!strcmp(what, "size") || !strcmp(what, "mtime"))
		printf("    %s: %lld -> %lld\n", what, jint(a, what), jint(b, what));
	else if (!strcmp(what, "content"))
		printf("    sha256: %s -> %s\n", jstr(a, "sha256"), jstr(b, "sha256"));
}

static void print_file(json_t *f)
{
	const char *change = jstr(f, "change"), *member = jstr(f, "member");
	/* data entries bare, others (control, apk's signature) named by their member */
	char *prefix = strcmp(member, "data") ? xasprintf("%s:", member) : xstrdup("");
	json_t *x;
	size_t i;

	if (strcmp(change, "modified")) {
		json_t *s = json_object_get(f, strcmp(change, "added") ? "a" : "b");
		printf("  %-8s %s%s (%s, %s, %lld bytes)\n", change, prefix, jstr(f, "path"),
		       jstr(s, "type"), jstr(s, "mode"), jint(s, "size"));
		free(prefix);
		return;
	}
	printf("  modified %s%s [", prefix, jstr(f, "path"));
	free(prefix);
	for (i = 0; (x = json_array_get(json_object_get(f, "differences"), i)); i++)
		printf("%s%s", i ? ", " : "", json_string_value(x));
	printf("]\n");
	for (i = 0; (x = json_array_get(json_object_get(f, "differences"), i)); i++)
		print_attr_change(f, json_string_value(x));
	if (json_object_get(f, "detail"))
		printf("    (%s)\n", jstr(f, "detail"));
	for (i = 0; (x = json_array_get(json_object_get(f, "elf_sections"), i)); i++)
		printf("    ELF section %s %s (%lld -> %lld bytes)\n", jstr(x, "name"),
		       jstr(x, "change"), jint(x, "a_size"), jint(x, "b_size"));
	for (i = 0; (x = json_array_get(json_object_get(f, "byte_ranges"), i)); i++) {
		printf("    bytes at 0x%llx, %lld long", jint(x, "offset"), jint(x, "length"));
		if (json_object_get(x, "a"))
			printf(": %s -> %s", *jstr(x, "a") ? jstr(x, "a") : "(none)",
			       *jstr(x, "b") ? jstr(x, "b") : "(none)");
		printf("\n");
	}
	if (json_is_true(json_object_get(f, "byte_ranges_truncated")))
		printf("    (more byte ranges differ)\n");
	if (json_object_get(f, "text_diff")) {
		printf("    --- a/%s\n    +++ b/%s\n", jstr(f, "path"), jstr(f, "path"));
		for (i = 0; (x = json_array_get(json_object_get(f, "text_diff"), i)); i++)
			printf("    %s\n", json_string_value(x));
		if (json_is_true(json_object_get(f, "text_diff_truncated")))
			printf("    (diff truncated)\n");
	}
}

static void print_report(json_t *r)
{
	json_t *a = json_object_get(r, "a"), *b = json_object_get(r, "b"), *x, *sum;
	size_t i;

	printf("A: %s (%lld bytes, sha256 %s)\n", jstr(a, "path"), jint(a, "size"),
	       jstr(a, "sha256"));
	printf("B: %s (%lld bytes, sha256 %s)\n", jstr(b, "path"), jint(b, "size"),
	       jstr(b, "sha256"));
	if (json_is_true(json_object_get(r, "identical"))) {
		printf("identical\n");
		return;
	}
	if (json_object_get(r, "unreadable")) {
		printf("not comparable as packages: %s\n", jstr(r, "unreadable"));
		for (i = 0; (x = json_array_get(json_object_get(r, "byte_ranges"), i)); i++) {
			printf("  bytes at 0x%llx, %lld long", jint(x, "offset"),
			       jint(x, "length"));
			if (json_object_get(x, "a"))
				printf(": %s -> %s", jstr(x, "a"), jstr(x, "b"));
			printf("\n");
		}
		return;
	}
	int apk = !strcmp(jstr(r, "format"), "apk");
	if (json_array_size(json_object_get(r, "members")))
		printf("%s:\n", apk ? "gzip streams" : "ar members");
	for (i = 0; (x = json_array_get(json_object_get(r, "members"), i)); i++) {
		json_t *ma = json_object_get(x, "a"), *mb = json_object_get(x, "b");
		printf("  %-8s %s", jstr(x, "change"), jstr(x, "name"));
		if (ma && mb)
			printf(" (%lld -> %lld bytes)", jint(ma, "size"), jint(mb, "size"));
		printf("\n");
	}
	if (json_array_size(json_object_get(r, "control")))
		printf("%s:\n", apk ? ".PKGINFO fields" : "control fields");
	for (i = 0; (x = json_array_get(json_object_get(r, "control"), i)); i++) {
		const char *va = json_string_value(json_object_get(x, "a"));
		const char *vb = json_string_value(json_object_get(x, "b"));
		int multi = (va && strchr(va, '\n')) || (vb && strchr(vb, '\n'));
		if (multi)
			printf("  %s:\n    - %s\n    + %s\n", jstr(x, "field"),
			       va ? va : "(absent)", vb ? vb : "(absent)");
		else
			printf("  %s: %s -> %s\n", jstr(x, "field"), va ? va : "(absent)",
			       vb ? vb : "(absent)");
	}
	sum = json_object_get(r, "summary");
	printf("files: %lld added, %lld removed, %lld modified\n", jint(sum, "added"),
	       jint(sum, "removed"), jint(sum, "modified"));
	for (i = 0; (x = json_array_get(json_object_get(r, "files"), i)); i++)
		print_file(x);
	if (json_object_get(r, "truncated"))
		printf("incomplete: %s\n", jstr(r, "truncated"));
}

int cmd_diff(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     {"max-seconds", required_argument, 0, OPT_MAX_SECONDS},
					     {"max-files", required_argument, 0, OPT_MAX_FILES},
					     {0, 0, 0, 0}};
	struct diff_opts o;
	struct kerr e = {0};
	json_t *rep = NULL;
	char *end;
	int opt, r;

	diff_opts_default(&o);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			return 0;
		if (r > 0)
			continue;
		if (opt == OPT_MAX_SECONDS) {
			o.max_seconds = strtod(optarg, &end);
			if (*end || o.max_seconds <= 0)
				return cli_usage_error("diff",
						       "--max-seconds wants a positive number");
		} else if (opt == OPT_MAX_FILES) {
			o.max_detailed = (size_t)strtoul(optarg, &end, 10);
			if (*end)
				return cli_usage_error("diff", "--max-files wants a number");
		} else {
			return cli_usage_error("diff", "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("diff", "expected two packages");
	const struct pkg_format *fa = pkg_format_of(argv[optind]);
	if (fa != pkg_format_of(argv[optind + 1]))
		return cli_usage_error("diff",
				       "A and B must both be .deb or both be .apk packages");
	if (pkg_diff(argv[optind], argv[optind + 1], fa, &o, &rep, &e) < 0)
		return cli_fail(&e);
	int identical = json_is_true(json_object_get(rep, "identical"));
	if (c->json)
		cli_print_json(rep);
	else {
		print_report(rep);
		json_decref(rep);
	}
	return identical ? 0 : KILN_EFAIL;
}
