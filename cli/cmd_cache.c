/* cmd_cache.c - `kiln cache list|gc`: show and prune prepared roots, blobs and work dirs. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "builders/builders.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: kiln cache list [--json]\n"
    "       kiln cache gc [--roots] [--blobs] [--all] [--older-than DAYS] [--dry-run]\n\n"
    "list: every prepared build root, blob and work directory in $KILN_HOME, with\n"
    "its size. gc: remove the work directories of builds that are no longer\n"
    "running, and with --roots the prepared roots, with --blobs the downloaded\n"
    "files no index names (--all: both). Nothing in use is removed.\n\n"
    "Options:\n"
    "      --older-than DAYS  only what was not used for DAYS days\n"
    "  -n, --dry-run          say what would go, remove nothing\n";

enum { OPT_ROOTS = OPT_FIRST_CMD, OPT_BLOBS, OPT_ALL, OPT_OLDER };

static json_t *items_json(const struct cache_list *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string(l->v[i].kind));
		json_object_set_new(o, "name", json_string(l->v[i].name));
		json_object_set_new(o, "path", json_string(l->v[i].path));
		json_object_set_new(o, "bytes", json_integer((json_int_t)l->v[i].bytes));
		json_object_set_new(o, "mtime", json_integer(l->v[i].mtime));
		json_object_set_new(o, "busy", json_boolean(l->v[i].busy));
		json_array_append_new(a, o);
	}
	return a;
}

static void print_summary(const struct cache_list *l, const char *verb)
{
	static const char *const kinds[] = {"root", "blob", "work"};
	for (int k = 0; k < 3; k++) {
		uint64_t bytes = 0;
		size_t n = 0;
		for (size_t i = 0; i < l->n; i++)
			if (!strcmp(l->v[i].kind, kinds[k])) {
				n++;
				bytes += l->v[i].bytes;
				if (strcmp(kinds[k], "blob") != 0)
					printf("%s %-5s %s  %.1f MB%s\n", verb, kinds[k],
					       l->v[i].name, (double)l->v[i].bytes / 1e6,
					       l->v[i].busy ? "  (in use)" : "");
			}
		printf("%s %zu %s%s, %.1f MB\n", verb, n, kinds[k], n == 1 ? "" : "s",
		       (double)bytes / 1e6);
	}
}

int cmd_cache(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     {"roots", no_argument, 0, OPT_ROOTS},
					     {"blobs", no_argument, 0, OPT_BLOBS},
					     {"all", no_argument, 0, OPT_ALL},
					     {"older-than", required_argument, 0, OPT_OLDER},
					     {"dry-run", no_argument, 0, 'n'},
					     {0, 0, 0, 0}};
	struct cache_gc_opts go = {0};
	struct cache_list l = {0};
	struct kerr e = {0};
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "n", opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			return 0;
		if (r > 0)
			continue;
		switch (opt) {
		case OPT_ROOTS:
			go.roots = 1;
			break;
		case OPT_BLOBS:
			go.blobs = 1;
			break;
		case OPT_ALL:
			go.roots = go.blobs = 1;
			break;
		case OPT_OLDER:
			go.older_than_s = (int64_t)(atof(optarg) * 86400);
			break;
		case 'n':
			go.dry_run = 1;
			break;
		default:
			return cli_usage_error("cache", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("cache", "expected list or gc");
	const char *sub = argv[optind];
	if (!strcmp(sub, "list")) {
		if (cache_list(&l, &e) < 0)
			return cli_fail(&e);
		if (c->json)
			cli_print_json(items_json(&l));
		else
			print_summary(&l, "");
	} else if (!strcmp(sub, "gc")) {
		if (cache_gc(&go, &l, &e) < 0)
			return cli_fail(&e);
		if (c->json)
			cli_print_json(items_json(&l));
		else
			print_summary(&l, go.dry_run ? "would remove" : "removed");
	} else {
		return cli_usage_error("cache", "unknown subcommand '%s'", sub);
	}
	cache_list_free(&l);
	return 0;
}
