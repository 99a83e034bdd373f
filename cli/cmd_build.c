/* cmd_build.c - `kiln build DISTRO SRC[=VER] | FILE.dsc`: build in the sandbox, write outputs +
 * record. */
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builders/alpine.h"
#include "builders/builders.h"
#include "cli/cli.h"
#include "distros/distros.h"

static const char usage[] =
    "usage: kiln build [options] DISTRO SRC[=VERSION]\n"
    "       kiln build [options] [--distro DISTRO] FILE.dsc\n"
    "       kiln build [options] alpine:vX.YY DIR\n\n"
    "Fetch and verify the source (or check a local .dsc and its files), resolve the\n"
    "build environment, prepare (or reuse) its build root, unpack the source with the\n"
    "root's dpkg-source at /build/reproducible-path/SRC-UPSTREAMVERSION and run\n"
    "dpkg-buildpackage as the build user in the sandbox, network off. The outputs,\n"
    "the log (SRC_VER_ARCH.build) and kiln's build record (SRC_VER_ARCH.kiln.json)\n"
    "are moved into DIR together; a failed build keeps only its log there.\n\n"
    "Options:\n"
    "  -o, --output DIR     where outputs go (default: current directory)\n"
    "  -A, -B, --full       arch:all only, arch-specific only, or source+binary\n"
    "                       (default: binary-only, dpkg-buildpackage -b)\n"
    "  -P, --profiles LIST  build profiles (DEB_BUILD_PROFILES)\n"
    "      --nocheck        DEB_BUILD_OPTIONS=nocheck\n"
    "  -j, --parallel N     DEB_BUILD_OPTIONS=parallel=N (default: 1)\n"
    "      --timeout SECS   stop the build after SECS seconds of wall clock\n"
    "      --distro DISTRO  the distro a .dsc is built for (default debian:bookworm)\n"
    "      --lock FILE      use this lock (kiln resolve -o FILE) instead of resolving\n"
    "      --rebuild-root   prepare the root again even when cached\n"
	"      --cached-root    fail (exit 5) rather than prepare a root\n"
    "      --vary           build twice, the second time with another hostname,\n"
    "                       parallel level and output directory; compare\n\n"
    "Alpine (DIR holds an APKBUILD): the APKBUILD is evaluated in the sandbox, its\n"
    "sources verified against sha512sums (local files next to it, remote ones from\n"
    "the source cache: kiln source --add), the build environment resolved from the\n"
    "verified APKINDEX files (kiln update), and abuild's steps run as the build\n"
    "user at the definition's Build-Path, network off unless options=\"net\".\n"
    "Signed .apk files, the log and the record go into DIR (-o).\n"
    "      --source-date-epoch N  instead of the recipe's date (the last git commit\n"
    "                       touching DIR when clean, else the APKBUILD's mtime)\n"
    "      --key FILE       sign the packages with this PEM RSA key (NAME.rsa);\n"
    "                       default: kiln's own, $KILN_HOME/keys/kiln-apk.rsa\n"
    "      --keys-dir DIR   trusted repository keys (default: the definition's;\n"
    "                       --keyring DIR is the same, as for kiln update)\n";

enum {
	OPT_NOCHECK = OPT_FIRST_CMD,
	OPT_TIMEOUT,
	OPT_DISTRO,
	OPT_LOCK,
	OPT_REBUILD,
	OPT_FULL, OPT_CACHED_ROOT,
	OPT_VARY,
	OPT_SDE,
	OPT_KEY,
	OPT_KEYS_DIR
};

static volatile sig_atomic_t g_cancel;

static void on_signal(int sig)
{
	(void)sig;
	g_cancel = 1;
	builders_interrupt();
}

/* the lock for this source: the solver's, or one given with --lock */
static int get_lock(const char *lock_file, const struct distro *d, const struct source_pkg *s,
		    const struct build_opts *bo, struct lock *l, struct kerr *e)
{
	if (lock_file)
		return lock_read(lock_file, l, e);
	return debian_build_lock(d, s, bo, l, e);
}

static int compare_outputs(const struct build_result *a, const struct build_result *b,
			   struct strv *differ)
{
	int same = 1;
	for (size_t i = 0; i < a->outputs.n; i++) {
		const char *n = a->outputs.v[i];
		if (!str_has_suffix(n, ".deb") && !str_has_suffix(n, ".udeb") &&
		    !str_has_suffix(n, ".ddeb"))
			continue;
		char ha[SHA256_HEX_LEN + 1] = "", hb[SHA256_HEX_LEN + 1] = "";
		char *pa = xasprintf("%s/%s", a->outdir, n), *pb = xasprintf("%s/%s", b->outdir, n);
		struct kerr e = {0};
		sha256_file(pa, ha, NULL, &e);
		if (sha256_file(pb, hb, NULL, &e) < 0 || strcmp(ha, hb) != 0) {
			same = 0;
			strv_add(differ, n);
		}
		free(pa);
		free(pb);
	}
	return same;
}

/* --json: what every build reports, added to o (which says what was built),
 * then printed */
static void print_result_json(json_t *o, const struct build_result *r)
{
	json_t *outs = json_array();
	json_object_set_new(o, "outdir", json_string(r->outdir));
	json_object_set_new(o, "record", json_string(r->record_path));
	json_object_set_new(o, "root_cached", json_boolean(r->root_cached));
	json_object_set_new(o, "source_date_epoch", json_integer(r->source_date_epoch));
	json_object_set_new(o, "seconds_root", json_real(r->seconds_root));
	json_object_set_new(o, "seconds_build", json_real(r->seconds_build));
	json_object_set_new(o, "seconds_total", json_real(r->seconds_total));
	for (size_t i = 0; i < r->outputs.n; i++)
		json_array_append_new(outs, json_string(r->outputs.v[i]));
	json_object_set_new(o, "outputs", outs);
	cli_print_json(o);
}

static void print_result(const struct build_result *r, struct cli *c)
{
	if (c->json)
		return;
	for (size_t i = 0; i < r->outputs.n; i++) {
		char *p = xasprintf("%s/%s", r->outdir, r->outputs.v[i]);
		char h[SHA256_HEX_LEN + 1];
		struct kerr e = {0};
		if (sha256_file(p, h, NULL, &e) == 0)
			printf("%s  %s\n", h, p);
		free(p);
	}
}

/* kiln build alpine:vX.YY DIR */
static int build_alpine(const char *dir, const struct distro *d, const struct alpine_build_opts *ao,
			struct cli *c)
{
	struct build_result r = {0};
	struct kerr e = {0};
	int rc = 0;

	if (alpine_build(dir, d, ao, &r, &e) < 0) {
		if (g_cancel)
			e.code = KILN_EINTR;
		log_warn("build of %s failed at step '%s'%s%s", dir,
			 r.failed_step ? r.failed_step : "?", r.log_path ? "; log: " : "",
			 r.log_path ? r.log_path : "");
		rc = cli_fail(&e);
		goto out;
	}
	log_info("built %s in %.1f s (root %s in %.2f s, build %.1f s)", dir, r.seconds_total,
		 r.root_cached ? "reused" : "prepared", r.seconds_root, r.seconds_build);
	print_result(&r, c);
	if (c->json) {
		json_t *o = json_object();
		json_object_set_new(o, "dir", json_string(dir));
		print_result_json(o, &r);
	}
out:
	build_result_free(&r);
	return rc;
}

int cmd_build(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     {"output", required_argument, 0, 'o'},
					     {"profiles", required_argument, 0, 'P'},
					     {"parallel", required_argument, 0, 'j'},
					     {"nocheck", no_argument, 0, OPT_NOCHECK},
					     {"timeout", required_argument, 0, OPT_TIMEOUT},
					     {"distro", required_argument, 0, OPT_DISTRO},
					     {"lock", required_argument, 0, OPT_LOCK},
					     {"rebuild-root", no_argument, 0, OPT_REBUILD},
					     {"full", no_argument, 0, OPT_FULL},
					     {"cached-root", no_argument, 0, OPT_CACHED_ROOT},
					     {"vary", no_argument, 0, OPT_VARY},
					     {"source-date-epoch", required_argument, 0, OPT_SDE},
					     {"key", required_argument, 0, OPT_KEY},
					     {"keys-dir", required_argument, 0, OPT_KEYS_DIR},
					     {"keyring", required_argument, 0, OPT_KEYS_DIR},
					     {0, 0, 0, 0}};
	struct alpine_build_opts ao = {.source_date_epoch = -1};
	struct build_opts bo = {0};
	struct distro_overrides ov = {0};
	struct distro *d = NULL;
	struct source_pkg s = {0};
	struct lock l = {0};
	struct build_result r = {0}, r2 = {0};
	struct kerr e = {0};
	const char *distro_name = "debian:bookworm", *lock_file = NULL, *dsc = NULL;
	char *srcdir = NULL, *name = NULL, *version, *dsc_name = NULL, *tmpsrc = NULL;
	int opt, rc = 0, vary = 0, signed_state = -1;

	bo.outdir = ".";
	bo.log_to_terminal = log_level() > LOG_QUIET; /* kiln -q build ... */
	bo.parallel = 1;
	fetch_opts_default(&bo.root.fetch);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "o:ABP:j:", opts, NULL)) != -1) {
		int r0 = cli_common_option(c, opt, optarg, usage);
		if (r0 < 0)
			return 0;
		if (r0 > 0) {
			if (opt == 'q')
				bo.log_to_terminal = 0;
			continue;
		}
		switch (opt) {
		case 'o':
			bo.outdir = optarg;
			break;
		case 'A':
			bo.kind = BUILD_INDEP;
			break;
		case 'B':
			bo.kind = BUILD_ARCH;
			break;
		case OPT_FULL:
			bo.kind = BUILD_FULL;
			break;
		case 'P':
			bo.profiles = optarg;
			break;
		case 'j':
			bo.parallel = atoi(optarg);
			if (bo.parallel < 1 || bo.parallel > 1024)
				return cli_usage_error("build", "--parallel wants 1..1024");
			break;
		case OPT_NOCHECK:
			bo.nocheck = 1;
			break;
		case OPT_TIMEOUT:
			bo.timeout_s = atof(optarg);
			if (bo.timeout_s <= 0)
				return cli_usage_error("build",
						       "--timeout wants a positive number");
			break;
		case OPT_DISTRO:
			distro_name = optarg;
			break;
		case OPT_LOCK:
			lock_file = optarg;
			break;
		case OPT_REBUILD:
			bo.root.rebuild = 1;
			break;
		case OPT_CACHED_ROOT:
			bo.root.cached_only = 1;
			break;
		case OPT_VARY:
			vary = 1;
			break;
		case OPT_SDE: {
			char *end;
			ao.source_date_epoch = strtoll(optarg, &end, 10);
			if (*end || ao.source_date_epoch < 0)
				return cli_usage_error(
				    "build", "--source-date-epoch wants seconds since 1970");
			break;
		}
		case OPT_KEY:
			ao.key_path = optarg;
			break;
		case OPT_KEYS_DIR:
			ao.keys_dir = optarg;
			break;
		default:
			return cli_usage_error("build", "unknown option");
		}
	}
	bo.root.fetch = c->fetch;
	int nargs = argc - optind;
	if (nargs == 1 && str_has_suffix(argv[optind], ".dsc")) {
		dsc = argv[optind];
	} else if (nargs == 2 && str_has_suffix(argv[optind + 1], ".dsc")) {
		distro_name = argv[optind];
		dsc = argv[optind + 1];
	} else if (nargs == 2) {
		distro_name = argv[optind];
		name = xstrdup(argv[optind + 1]);
	} else {
		return cli_usage_error("build", "expected DISTRO SRC[=VERSION] or FILE.dsc");
	}
	ov.mirror = c->mirror;
	ov.config = c->config;
	ov.keyring = ao.keys_dir;
	bo.distro_name = distro_name;

	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	bo.cancel = &g_cancel;

	if (distro_load(distro_name, &ov, &d, &e) < 0)
		goto fail;
	if (!strcmp(d->family, "alpine")) {
		ao.b = bo;
		rc = build_alpine(name, d, &ao, c);
		goto out;
	}
	if (dsc) {
		if (dsc_load(dsc, &s, &e) < 0)
			goto fail;
		char *slash = strrchr(dsc, '/');
		srcdir = slash ? xstrndup(dsc, (size_t)(slash - dsc)) : xstrdup(".");
		dsc_name = xstrdup(slash ? slash + 1 : dsc);
	} else if (name) {
		version = strchr(name, '=');
		if (version)
			*version++ = '\0';
		tmpsrc = xasprintf("%s/work/source-%s-%ld", kiln_home(), name, (long)getpid());
		if (debian_find_source(d, name, version, &s, &e) < 0 ||
		    debian_fetch_source(&s, tmpsrc, &c->fetch, NULL, &signed_state, &e) < 0)
			goto fail;
		srcdir = xstrdup(tmpsrc);
		for (size_t i = 0; i < s.nfiles; i++)
			if (str_has_suffix(s.files[i].name, ".dsc"))
				dsc_name = xstrdup(s.files[i].name);
	}
	if (get_lock(lock_file, d, &s, &bo, &l, &e) < 0)
		goto fail;
	struct build_source bs = {.pkg = &s, .srcdir = srcdir, .dsc_name = dsc_name};
	if (debian_build(&bs, &l, &bo, &r, &e) < 0) {
		if (g_cancel)
			e.code = KILN_EINTR;
		log_warn("build of %s %s failed at step '%s'%s%s", s.package, s.version,
			 r.failed_step ? r.failed_step : "?", r.log_path ? "; log: " : "",
			 r.log_path ? r.log_path : "");
		goto fail;
	}
	log_info("built %s %s in %.1f s (root %s in %.2f s, dpkg-buildpackage %.1f s)", s.package,
		 s.version, r.seconds_total, r.root_cached ? "reused" : "prepared", r.seconds_root,
		 r.seconds_build);
	print_result(&r, c);
	if (vary) {
		struct build_opts vo = bo;
		struct strv differ = {0};
		char *vdir = xasprintf("%s/vary", bo.outdir);
		vo.outdir = vdir;
		vo.hostname = "kiln-vary";
		vo.parallel = bo.parallel == 1 ? 2 : 1;
		log_info("vary: second build with hostname %s, parallel=%d, output %s", vo.hostname,
			 vo.parallel, vdir);
		if (debian_build(&bs, &l, &vo, &r2, &e) < 0) {
			free(vdir);
			goto fail;
		}
		int same = compare_outputs(&r, &r2, &differ);
		if (same) {
			printf("vary: identical\n");
		} else {
			printf("vary: DIFFERENT:");
			for (size_t i = 0; i < differ.n; i++)
				printf(" %s", differ.v[i]);
			printf("\n");
			rc = KILN_EFAIL;
		}
		strv_free(&differ);
		free(vdir);
	}
	if (c->json) {
		json_t *o = json_object();
		json_object_set_new(o, "source", json_string(s.package));
		json_object_set_new(o, "version", json_string(s.version));
		char rid[SHA256_HEX_LEN + 1];
		debroot_id(&l, rid);
		json_object_set_new(o, "lock_sha256", json_string(l.sha256));
		json_object_set_new(o, "root_id", json_string(rid));
		print_result_json(o, &r);
	}
	goto out;
fail:
	rc = cli_fail(&e);
out:
	if (tmpsrc)
		rm_rf(tmpsrc);
	build_result_free(&r);
	build_result_free(&r2);
	lock_free(&l);
	source_pkg_free(&s);
	distro_free(d);
	free(srcdir);
	free(dsc_name);
	free(name);
	free(tmpsrc);
	return rc;
}
