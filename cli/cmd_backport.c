/* cmd_backport.c - `kiln backport DISTRO[,DISTRO...] SRC --patch FILE... --cve ID...`:
 * carry a security fix into old releases and report per suite. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backports/backports.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: kiln backport [options] DISTRO[,DISTRO...] SRC --patch FILE... --cve ID...\n"
    "       kiln backport [options] alpine:vX.Y[,...] DIR --patch FILE... --cve ID...\n"
    "       kiln backport [options] --queue FILE [DISTRO[,DISTRO...]]\n\n"
    "For each distro (debian:bookworm-security, ...): fetch SRC's current version, unpack\n"
    "it, and classify the fix before changing anything: already applied, applies\n"
    "cleanly, with an offset, only ignoring line endings, only with fuzz, only ignoring\n"
    "whitespace, not applicable, or needs a manual backport (which hunk, and why).\n"
    "When it applies: debian/patches/CVE-....patch (refreshed to apply with fuzz 0,\n"
    "DEP-3 header), the series, a changelog entry for the security suite, the version\n"
    "+debNuM (checked against the next release), and the new source package, in\n"
    "DIR/<suite>/. An OpenVEX document states what is fixed. A suite that fails does\n"
    "not stop the others; the exit status is 0 only when every suite succeeded.\n\n"
    "Alpine (alpine:v3.20, ...): SRC is a directory holding the package's aports\n"
    "directory per release, DIR/v3.20/ (APKBUILD and its files; a symlink to main/<pkg>\n"
    "in that release's aports worktree will do), or DIR itself. The APKBUILD is\n"
    "evaluated in the sandbox, its source= archives come from the sha512 source cache\n"
    "(kiln source --add), its own patches are applied in order, then the fix is\n"
    "classified. When it applies: CVE-....patch (refreshed), source=, sha512sums,\n"
    "pkgrel + 1 and the secfixes entry, in DIR/<release>/<pkgname>/ (or in place with\n"
    "--in-place), then built with the Alpine builder unless --no-build.\n\n"
    "Options:\n"
    "      --patch FILE       a unified diff or git format-patch file (repeat; applied in\n"
    "                         the order given, stored as one patch)\n"
    "      --cve ID           the CVE the fix is for (repeat; default: those named in the\n"
    "                         patches)\n"
    "      --bug URL          the upstream bug\n"
    "      --bug-debian URL   the Debian bug (https://bugs.debian.org/N)\n"
    "      --summary TEXT     the changelog line (default: the first patch's subject)\n"
    "      --maintainer ADDR  \"Name <mail>\" for the changelog (default: DEBFULLNAME and\n"
    "                         DEBEMAIL)\n"
    "      --next-version V   check the new version against V instead of the next\n"
    "                         release's version in the cache\n"
    "      --vex FILE         where to write the OpenVEX document (default:\n"
    "                         DIR/backport.openvex.json)\n"
    "      --queue FILE       replay the fixes a queue file keeps (backports/QUEUE.md):\n"
    "                         its Source and Targets, one patch and changelog line per\n"
    "                         fix, one new version; DISTRO,... narrows the targets\n"
    "  -P, --profiles LIST    build profiles for the binaries (nocheck: no tests)\n"
    "      --nocheck          do not run the package's tests\n"
    "      --no-binaries      build only the source package (Alpine: edit only)\n"
    "      --no-build         the same as --no-binaries\n"
    "      --in-place         (Alpine) edit the aports directory itself\n"
    "      --aports DIR       (Alpine) the aports directory when SRC is a package name\n"
    "      --key FILE         (Alpine) the package signing key (default: kiln's own)\n"
    "      --keys-dir DIR     (Alpine) trusted repository keys (default: the distro's;\n"
    "                         --keyring DIR is the same)\n"
    "                         (Debian and Alpine targets in one command)\n"
    "      --keep-work        keep DIR/<suite>/work (the unpacked source) after success\n"
    "  -o, --output DIR       where results go (default: .)\n";

enum {
	OPT_PATCH = OPT_FIRST_CMD,
	OPT_CVE,
	OPT_BUG,
	OPT_BUG_DEBIAN,
	OPT_SUMMARY,
	OPT_MAINT,
	OPT_NEXT,
	OPT_VEX,
	OPT_QUEUE,
	OPT_NOCHECK,
	OPT_NO_BINARIES,
	OPT_KEEP_WORK,
	OPT_IN_PLACE,
	OPT_APORTS,
	OPT_KEY,
	OPT_KEYS_DIR
};

static void print_patch(const struct patch_result *pr, const char *indent)
{
	printf("%s%s: %s", indent, pr->name, bp_class_text(pr->cls));
	if (pr->same_as)
		printf(" (the same change as %s)", pr->same_as);
	else if (bp_class_applies(pr->cls) || pr->cls == BP_ALREADY_APPLIED)
		printf(" (-p%d%s%s)", pr->strip, pr->prefix ? ", under " : "",
		       pr->prefix ? pr->prefix : "");
	printf("\n");
	for (size_t h = 0; h < pr->nhunks; h++) {
		const struct hunk_result *hr = &pr->hunks[h];
		if (hr->applied)
			printf("%s  hunk %zu %s: %s", indent, hr->index, hr->file,
			       bp_class_text(hr->cls));
		else
			printf("%s  hunk %zu %s: FAILS: %s", indent, hr->index, hr->file,
			       hr->why ? hr->why : "");
		if (hr->applied && hr->offset)
			printf(" (offset %+ld lines)", hr->offset);
		if (hr->applied && hr->fuzz)
			printf(" (fuzz %d)", hr->fuzz);
		printf("\n");
	}
	if (pr->why && !bp_class_applies(pr->cls) && !pr->nhunks)
		printf("%s  %s\n", indent, pr->why);
}

static void print_target(const struct bp_target *r, const char *source)
{
	printf("%s: %s", r->distro, r->package ? r->package : source);
	if (r->old_version)
		printf(" %s", r->old_version);
	if (r->suite)
		printf(" (%s)", r->suite);
	if (r->dsc || r->apkbuild)
		printf(" -> %s", r->new_version);
	printf("\n");
	if (r->classified) {
		printf("  classification: %s\n", r->summary);
		for (size_t f = 0; f < r->nfixes; f++) {
			const struct bp_fix_result *fr = &r->fixes[f];
			const char *indent = "  ";
			if (r->nfixes > 1) {
				printf("  fix %zu (%s): %s\n", f + 1,
				       fr->fix->cves && fr->fix->cves->n ? fr->fix->cves->v[0]
									 : "?",
				       fr->cls.summary);
				indent = "    ";
			}
			for (size_t p = 0; p < fr->cls.n; p++)
				print_patch(&fr->cls.patches[p], indent);
		}
	}
	if (r->version_check)
		printf("  version: %s\n", r->version_check);
	for (size_t i = 0; i < r->notes.n; i++)
		printf("  %s\n", r->notes.v[i]);
	if (r->source_build)
		printf("  %s: %s\n", r->apkbuild ? "APKBUILD" : "source package", r->source_build);
	if (r->binary_build)
		printf("  binaries: %s\n", r->binary_build);
	if (r->tests)
		printf("  tests: %s\n", r->tests);
	for (size_t i = 0; i < r->written.n; i++)
		printf("  wrote %s\n", r->written.v[i]);
	if (r->status != 0)
		printf("  FAILED: %s\n", r->err.msg);
}

int cmd_backport(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     {"output", required_argument, 0, 'o'},
					     {"patch", required_argument, 0, OPT_PATCH},
					     {"cve", required_argument, 0, OPT_CVE},
					     {"bug", required_argument, 0, OPT_BUG},
					     {"bug-debian", required_argument, 0, OPT_BUG_DEBIAN},
					     {"summary", required_argument, 0, OPT_SUMMARY},
					     {"maintainer", required_argument, 0, OPT_MAINT},
					     {"next-version", required_argument, 0, OPT_NEXT},
					     {"vex", required_argument, 0, OPT_VEX},
					     {"queue", required_argument, 0, OPT_QUEUE},
					     {"profiles", required_argument, 0, 'P'},
					     {"nocheck", no_argument, 0, OPT_NOCHECK},
					     {"no-binaries", no_argument, 0, OPT_NO_BINARIES},
					     {"keep-work", no_argument, 0, OPT_KEEP_WORK},
					     {"no-build", no_argument, 0, OPT_NO_BINARIES},
					     {"in-place", no_argument, 0, OPT_IN_PLACE},
					     {"aports", required_argument, 0, OPT_APORTS},
					     {"key", required_argument, 0, OPT_KEY},
					     {"keys-dir", required_argument, 0, OPT_KEYS_DIR},
					     {"keyring", required_argument, 0, OPT_KEYS_DIR},
					     {0, 0, 0, 0}};
	struct bp_request rq = {0};
	struct bp_fix fix = {0};
	struct bp_queue q = {0};
	struct distro_overrides ov = {0};
	struct strv patch_files = {0}, cves = {0}, distros = {0};
	struct patch **patches = NULL;
	struct bp_target *targets = NULL;
	struct kerr e = {0};
	const char *outdir = ".", *vex_path = NULL, *queue = NULL, *source = NULL;
	const char *profiles = NULL;
	int nocheck = 0, binaries = 1, keep_work = 0;
	char *vex_default = NULL;
	int opt, r, rc = 0;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "o:P:", opts, NULL)) != -1) {
		if ((r = cli_common_option(c, opt, optarg, usage)) < 0)
			return 0;
		if (r > 0)
			continue;
		switch (opt) {
		case 'o':
			outdir = optarg;
			break;
		case OPT_PATCH:
			strv_add(&patch_files, optarg);
			break;
		case OPT_CVE: {
			struct strv found = {0};
			find_cve_ids(optarg, &found);
			if (found.n != 1 || strlen(found.v[0]) != strlen(optarg)) {
				strv_free(&found);
				rc = cli_usage_error(
				    "backport", "'%s' is not a CVE id (CVE-YYYY-NNNN)", optarg);
				goto out;
			}
			if (!strv_contains(&cves, found.v[0]))
				strv_add(&cves, found.v[0]);
			strv_free(&found);
			break;
		}
		case OPT_BUG:
			fix.bug = optarg;
			break;
		case OPT_BUG_DEBIAN:
			fix.bug_debian = optarg;
			break;
		case OPT_SUMMARY:
			fix.summary = optarg;
			break;
		case OPT_MAINT:
			rq.maintainer = optarg;
			break;
		case OPT_NEXT:
			rq.next_version = optarg;
			break;
		case OPT_VEX:
			vex_path = optarg;
			break;
		case OPT_QUEUE:
			queue = optarg;
			break;
		case 'P':
			profiles = optarg;
			break;
		case OPT_NOCHECK:
			nocheck = 1;
			break;
		case OPT_NO_BINARIES:
			binaries = 0;
			break;
		case OPT_KEEP_WORK:
			keep_work = 1;
			break;
		case OPT_IN_PLACE:
			rq.in_place = 1;
			break;
		case OPT_APORTS:
			rq.aports = optarg;
			break;
		case OPT_KEY:
			rq.apk_key = optarg;
			break;
		case OPT_KEYS_DIR:
			rq.apk_keys_dir = optarg;
			break;
		default:
			rc = cli_usage_error("backport", "unknown option");
			goto out;
		}
	}
	if (queue) {
		/* the queue names the source and its suites; DISTRO,... may narrow them */
		if (patch_files.n || cves.n) {
			rc = cli_usage_error("backport", "--queue replaces --patch and --cve");
			goto out;
		}
		if (argc - optind > 1) {
			rc = cli_usage_error("backport",
					     "with --queue, give at most DISTRO[,DISTRO...]");
			goto out;
		}
		if (bp_queue_load(queue, &q, &e) < 0) {
			rc = cli_fail(&e);
			goto out;
		}
		if (argc - optind == 1)
			strv_split(&distros, argv[optind], ",");
		else
			for (size_t i = 0; i < q.targets.n; i++)
				strv_add(&distros, q.targets.v[i]);
		source = q.source;
		rq.fixes = q.fixes;
		rq.nfixes = q.nfixes;
		if (!rq.maintainer)
			rq.maintainer = q.maintainer;
		if (!rq.aports)
			rq.aports = q.aports;
		if (!distros.n) {
			rc = cli_usage_error("backport",
					     "%s names no Targets: and no DISTRO was given", queue);
			goto out;
		}
	} else {
		if (argc - optind != 2) {
			rc = cli_usage_error("backport", "expected DISTRO[,DISTRO...] and SRC");
			goto out;
		}
		if (!patch_files.n) {
			rc = cli_usage_error("backport", "give the fix with --patch FILE");
			goto out;
		}
		strv_split(&distros, argv[optind], ",");
		source = argv[optind + 1];
		patches = xcalloc(patch_files.n + 1, sizeof(struct patch *));
		for (size_t i = 0; i < patch_files.n; i++) {
			patches[i] = xcalloc(1, sizeof(**patches));
			if (patch_load(patch_files.v[i], patches[i], &e) < 0) {
				free(patches[i]);
				patches[i] = NULL;
				rc = cli_fail(&e);
				goto out;
			}
		}
		if (!cves.n)
			for (size_t i = 0; i < patch_files.n; i++)
				for (size_t k = 0; k < patches[i]->cves.n; k++)
					if (!strv_contains(&cves, patches[i]->cves.v[k]))
						strv_add(&cves, patches[i]->cves.v[k]);
		if (!cves.n) {
			rc = cli_usage_error("backport",
					     "name the vulnerability with --cve ID (none "
					     "is named in the patches)");
			goto out;
		}
		fix.patches = patches;
		fix.npatches = patch_files.n;
		fix.cves = &cves;
		rq.fixes = &fix;
		rq.nfixes = 1;
	}
	if (!distros.n) {
		rc = cli_usage_error("backport", "no distro given");
		goto out;
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	ov.mirror = c->mirror;
	ov.config = c->config;
	ov.keyring = rq.apk_keys_dir;
	rq.source = source;
	rq.outdir = outdir;
	rq.targets = &distros;
	rq.ov = &ov;
	rq.fetch = c->fetch;
	rq.date = sde && *sde ? strtoll(sde, NULL, 10) : (int64_t)time(NULL);

	/* the nocheck profile means "do not run the tests" too (as on Debian's buildds) */
	if (profiles && strstr(profiles, "nocheck"))
		nocheck = 1;
	targets = xcalloc(distros.n, sizeof(*targets));
	size_t ok = 0;
	int first_code = 0;
	for (size_t i = 0; i < distros.n; i++) {
		log_info("%s: backporting %zu fix%s into %s", distros.v[i], rq.nfixes,
			 rq.nfixes == 1 ? "" : "es", rq.source);
		bp_backport_target(distros.v[i], &rq, &targets[i]);
		struct bp_target *t = &targets[i];
		if (t->status == 0 && t->apkbuild) {
			if (!binaries)
				t->binary_build = xstrdup("not built (--no-build)");
			else {
				log_info("%s: building %s in the sandbox", distros.v[i],
					 t->apkbuild);
				if ((t->status = bp_build_alpine(distros.v[i], &rq, nocheck, t,
								 &t->err)) < 0)
					t->binary_build = xasprintf("failed: %s", t->err.msg);
			}
		} else if (t->status == 0 && t->dsc && !binaries)
			t->binary_build = xstrdup("not built (--no-binaries)");
		else if (t->status == 0 && t->dsc && !bp_can_build_binaries())
			t->binary_build = xstrdup("not built: this kiln has no Debian builder yet");
		else if (t->status == 0 && t->dsc) {
			log_info("%s: building %s in the sandbox", distros.v[i], t->dsc);
			if ((t->status = bp_build_binaries(distros.v[i], &rq, profiles, nocheck, t,
							   &t->err)) < 0)
				t->binary_build = xasprintf("failed: %s", t->err.msg);
		}
		int good = bp_target_ok(&targets[i]);
		/* the unpacked tree stays for whoever does the manual backport */
		if (t->dir) {
			char *work = xasprintf("%s/work", t->dir);
			if (good && !keep_work)
				rm_rf(work);
			else if (path_exists(work) && t->source_tree)
				strv_add_owned(&t->notes, xasprintf("the unpacked source is in %s",
								    t->source_tree));
			else if (path_exists(work))
				strv_add_owned(
				    &t->notes,
				    xasprintf("the unpacked source is in %s/tree", work));
			free(work);
		}
		ok += good;
		if (!good && !first_code)
			first_code = targets[i].status ? -targets[i].status : KILN_EFAIL;
		if (!c->json)
			print_target(&targets[i], rq.source);
	}
	/* the OpenVEX document */
	if (mkdir_p(outdir, 0755, &e) == 0) {
		vex_default = xasprintf("%s/backport.openvex.json", outdir);
		if (!vex_path)
			vex_path = vex_default;
		json_t *vex = NULL;
		if (bp_openvex(targets, distros.n, rq.date, rq.maintainer, &vex, &e) == 0) {
			char *text = json_dumps(vex, JSON_INDENT(2) | JSON_SORT_KEYS);
			char *withnl = xasprintf("%s\n", text);
			free(text);
			if (write_file_atomic(vex_path, withnl, strlen(withnl), 0644, &e) < 0)
				vex_path = NULL;
			free(withnl);
			json_decref(vex);
		} else
			vex_path = NULL;
		if (!vex_path)
			cli_fail(&e);
	} else
		cli_fail(&e);
	if (c->json) {
		json_t *rep = bp_report_json(targets, distros.n);
		json_object_set_new(rep, "openvex", vex_path ? json_string(vex_path) : json_null());
		cli_print_json(rep);
	} else {
		printf("%zu of %zu suites succeeded", ok, distros.n);
		if (vex_path)
			printf("; OpenVEX: %s", vex_path);
		printf("\n");
	}
	if (ok != distros.n)
		rc = distros.n == 1 ? first_code : KILN_EFAIL;
out:
	for (size_t i = 0; targets && i < distros.n; i++)
		bp_target_free(&targets[i]);
	free(targets);
	for (size_t i = 0; patches && i < patch_files.n; i++) {
		patch_free(patches[i]);
		free(patches[i]);
	}
	free(patches);
	free(vex_default);
	bp_queue_free(&q);
	strv_free(&patch_files);
	strv_free(&cves);
	strv_free(&distros);
	return rc;
}
