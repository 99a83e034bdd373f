/* test_verify_plan.c - kiln verify's translation of a .buildinfo or a build record into what is
 * rebuilt: build kind, Build-Path, Environment, the lock from Packages indices; and the inputs it
 * refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "attest/attest.h"

static char tmpdir[64];

#define SHA(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define SHA_A SHA("aa")
#define SHA_B SHA("bb")
#define SHA_C SHA("cc")
#define SHA_D SHA("dd")
#define SHA_E SHA("ee")
#define SHA_F SHA("ff")
#define SHA_X SHA("12")

/* sbuild's shape: a random Build-Path, parallel=N, no LC_ALL */
static const char sbuild_like[] = "Format: 1.0\n"
				  "Source: hello\n"
				  "Binary: hello hello-dbgsym\n"
				  "Architecture: amd64\n"
				  "Version: 2.10-3\n"
				  "Checksums-Sha256:\n"
				  " " SHA_A " 52980 hello_2.10-3_amd64.deb\n"
				  "Build-Origin: Debian\n"
				  "Build-Architecture: amd64\n"
				  "Build-Date: Fri, 27 Nov 2026 10:14:36 +0000\n"
				  "Build-Path: /build/hello-Xq3dPa/hello-2.10\n"
				  "Build-Tainted-By:\n"
				  " merged-usr-via-aliased-dirs\n"
				  "Installed-Build-Depends:\n"
				  " base-files (= 12.4+deb12u11),\n"
				  " bash (= 5.2.15-2+b8),\n"
				  " libgcc-s1:amd64 (= 12.2.0-14),\n"
				  " zlib1g (= 1:1.2.13.dfsg-1)\n"
				  "Environment:\n"
				  " DEB_BUILD_OPTIONS=\"parallel=4\"\n"
				  " LANG=\"en_US.UTF-8\"\n"
				  " SOURCE_DATE_EPOCH=\"1672068600\"\n";

static char *with_field(const char *text, const char *field, const char *value)
{
	/* replace the line "field: ..." (single line fields only) */
	const char *p = strstr(text, field);
	assert_non_null(p);
	const char *eol = strchr(p, '\n');
	while (eol[1] == ' ') /* and its continuation lines */
		eol = strchr(eol + 1, '\n');
	return xasprintf("%.*s%s: %s%s", (int)(p - text), text, field, value, eol);
}

static int plan_of(const char *text, const char *distro, struct rebuild_plan *p,
		   struct buildinfo *b, struct kerr *e)
{
	int r = buildinfo_parse(text, strlen(text), "t.buildinfo", b, e);
	if (r < 0)
		return r;
	return rebuild_plan_from_buildinfo(b, "t.buildinfo", distro, p, e);
}

/* ---- the fixture of the .buildinfo tests: the plan, the parsed file and
 * the lock's additions, freed by teardown ---- */

struct fx {
	struct rebuild_plan p;
	struct buildinfo b;
	struct strv added; /* rebuild_lock_for_buildinfo's additions */
	struct kerr e;
	char *text; /* the test's edited .buildinfo (fx_edit) */
	int have_plan;
};

static void write_indices(void);

static int fx_setup(void **s)
{
	write_indices();
	*s = xcalloc(1, sizeof(struct fx));
	return 0;
}

static int fx_teardown(void **s)
{
	struct fx *f = *s;
	if (f->have_plan)
		rebuild_plan_free(&f->p);
	buildinfo_free(&f->b);
	strv_free(&f->added);
	free(f->text);
	free(f);
	return 0;
}

/* sbuild_like with one field replaced, kept until teardown */
static const char *fx_edit(struct fx *f, const char *field, const char *value)
{
	free(f->text);
	f->text = with_field(sbuild_like, field, value);
	return f->text;
}

/* f->p, the plan of text for distro; an error fails the test */
static struct rebuild_plan *fx_plan(struct fx *f, const char *text, const char *distro)
{
	if (plan_of(text, distro, &f->p, &f->b, &f->e) < 0)
		fail_msg("%s", f->e.msg);
	f->have_plan = 1;
	return &f->p;
}

static void test_sbuild_buildinfo_gives_kind_path_environment_and_wants(void **s)
{
	const struct rebuild_plan *p = fx_plan(*s, sbuild_like, "debian:bookworm");
	assert_int_equal(p->kind, BUILD_ARCH);
	assert_string_equal(p->build_path, "/build/hello-Xq3dPa/hello-2.10");
	assert_string_equal(p->distro, "debian:bookworm");
	assert_string_equal(p->source, "hello");
	assert_string_equal(p->source_version, "2.10-3");
	assert_string_equal(p->arch, "amd64");
	assert_null(p->profiles);
	/* the file's variables in its order, then what kiln sets but dpkg did not record */
	assert_int_equal(p->env.n, 5);
	assert_string_equal(p->env.v[0], "DEB_BUILD_OPTIONS=parallel=4");
	assert_string_equal(p->env.v[1], "LANG=en_US.UTF-8");
	assert_string_equal(p->env.v[2], "SOURCE_DATE_EPOCH=1672068600");
	assert_string_equal(p->env.v[3], "LC_ALL");
	assert_string_equal(p->env.v[4], "DEB_BUILD_PROFILES");
	assert_int_equal(p->nwants, 4);
	assert_string_equal(p->wants[2].name, "libgcc-s1");
	assert_string_equal(p->wants[2].arch, "amd64");
	assert_null(p->wants[1].arch);
	assert_string_equal(p->wants[3].version, "1:1.2.13.dfsg-1");
	assert_string_equal(p->build_date, "Fri, 27 Nov 2026 10:14:36 +0000");
}

static void expect_kind(const char *archs, int want)
{
	char *t = with_field(sbuild_like, "Architecture", archs);
	struct rebuild_plan p;
	struct buildinfo b;
	struct kerr e = {0};
	int r = plan_of(t, "debian:bookworm", &p, &b, &e);
	if (want < 0) {
		assert_int_equal(r, -KILN_EPARSE);
		assert_non_null(strstr(e.msg, "t.buildinfo: Architecture"));
	} else {
		if (r < 0)
			fail_msg("%s: %s", archs, e.msg);
		assert_int_equal(p.kind, want);
		rebuild_plan_free(&p);
	}
	buildinfo_free(&b);
	free(t);
}

static void test_architecture_selects_the_build_kind_as_debrebuild_does(void **s)
{
	(void)s;
	expect_kind("amd64", BUILD_ARCH);
	expect_kind("all", BUILD_INDEP);
	expect_kind("all amd64", BUILD_BINARY);
	expect_kind("source all amd64", BUILD_BINARY);
	expect_kind("source amd64", BUILD_ARCH);
	expect_kind("source", -1);
	expect_kind("amd64 i386", -1);
}

static void expect_refused_on(const char *distro, const char *text, int code, const char *msg)
{
	struct rebuild_plan p;
	struct buildinfo b;
	struct kerr e = {0};
	int r = plan_of(text, distro, &p, &b, &e);
	buildinfo_free(&b); /* zeroed when the parse failed */
	if (r == 0) {
		rebuild_plan_free(&p);
		fail_msg("accepted, wanted '%s'", msg);
	}
	assert_int_equal(r, -code);
	if (!strstr(e.msg, msg))
		fail_msg("message '%s' lacks '%s'", e.msg, msg);
}

static void expect_refused(const char *text, int code, const char *msg)
{
	expect_refused_on("debian:bookworm", text, code, msg);
}

static void test_malformed_buildinfo_inputs_are_refused_with_the_reason(void **s)
{
	char *t;
	(void)s;
	/* a cross build */
	t = xasprintf("%sHost-Architecture: arm64\n", sbuild_like);
	expect_refused(t, KILN_EPARSE, "t.buildinfo: a cross build (amd64 for arm64)");
	free(t);
	/* variables dpkg never records */
	t = with_field(sbuild_like, "Environment", "\n PATH=\"/tmp/evil\"");
	expect_refused(t, KILN_EPARSE, "t.buildinfo: Environment names PATH");
	free(t);
	t = with_field(sbuild_like, "Environment", "\n LD_PRELOAD=\"/x.so\"");
	expect_refused(t, KILN_EPARSE, "Environment names LD_PRELOAD");
	free(t);
	t = with_field(sbuild_like, "Environment", "\n SOURCE_DATE_EPOCH=\"yesterday\"");
	expect_refused(t, KILN_EPARSE, "SOURCE_DATE_EPOCH 'yesterday' is not a number");
	free(t);
	/* Build-Path outside /build, or not a plain path */
	t = with_field(sbuild_like, "Build-Path", "/home/user/hello-2.10");
	expect_refused(t, KILN_EPARSE, "Build-Path: build path '/home/user/hello-2.10' is not");
	free(t);
	t = with_field(sbuild_like, "Build-Path", "/build/a/../../etc");
	expect_refused(t, KILN_EPARSE, "Build-Path '/build/a/../../etc'");
	free(t);
	t = with_field(sbuild_like, "Build-Path", "/build/a$(id)/x");
	expect_refused(t, KILN_EPARSE, "Build-Path '/build/a$(id)/x'");
	free(t);
	t = with_field(sbuild_like, "Build-Path", "/build");
	expect_refused(t, KILN_EPARSE,
		       "Build-Path: build path '/build' is not a path under /build/");
	free(t);
	/* Installed-Build-Depends not exact, or no base-files (buildinfo_parse's rules) */
	t = with_field(sbuild_like, "Installed-Build-Depends", "\n base-files (>= 12)");
	expect_refused(t, KILN_EPARSE, "Installed-Build-Depends entry 'base-files (>= 12)'");
	free(t);
	t = with_field(sbuild_like, "Installed-Build-Depends", "\n bash (= 5.2.15-2+b8)");
	expect_refused(t, KILN_EPARSE, "lacks base-files");
	free(t);
}

static void test_allowed_environment_is_kept_and_profiles_follow_it(void **s)
{
	struct fx *f = *s;
	const struct rebuild_plan *p =
	    fx_plan(f,
		    fx_edit(f, "Environment",
			    "\n DEB_BUILD_OPTIONS=\"nocheck\"\n DEB_BUILD_PROFILES=\"nocheck "
			    "nodoc\"\n DEB_CFLAGS_SET=\"-O1\"\n LC_ALL=\"C.UTF-8\"\n LANG=\"C\""),
		    "debian:bookworm");
	assert_int_equal(p->env.n, 5);
	assert_string_equal(p->env.v[1], "DEB_BUILD_PROFILES=nocheck nodoc");
	assert_string_equal(p->env.v[2], "DEB_CFLAGS_SET=-O1");
	assert_string_equal(p->profiles, "nocheck nodoc");
}

static void test_release_comes_from_base_files(void **s)
{
	struct fx *f = *s;
	assert_string_equal(fx_plan(f, sbuild_like, NULL)->distro, "debian:bookworm");
	expect_refused_on(NULL, fx_edit(f, "Installed-Build-Depends", "\n base-files (= 99.1)"),
			  KILN_ENOTFOUND,
			  "t.buildinfo: built on Debian 99 (base-files 99.1), which kiln has no "
			  "definition for; name one with --distro");
}

static void test_build_path_check(void **s)
{
	struct kerr e = {0};
	(void)s;
	assert_int_equal(build_path_check("/build/reproducible-path/hello-2.10", &e), 0);
	assert_int_equal(build_path_check("/build/hello-Xq3dPa/hello-2.10", &e), 0);
	assert_int_equal(build_path_check("/build/hello-t-1.0", &e), 0);
	assert_int_equal(build_path_check("/build", &e), -KILN_EUSAGE);
	assert_int_equal(build_path_check("/build/", &e), -KILN_EUSAGE);
	assert_int_equal(build_path_check("/build//x", &e), -KILN_EUSAGE);
	assert_int_equal(build_path_check("/build/./x", &e), -KILN_EUSAGE);
	assert_int_equal(build_path_check("/build/x/..", &e), -KILN_EUSAGE);
	assert_int_equal(build_path_check("/build/a b/c", &e), -KILN_EUSAGE);
	assert_int_equal(build_path_check("/buildx/a/b", &e), -KILN_EUSAGE);
	assert_int_equal(build_path_check("build/a/b", &e), -KILN_EUSAGE);
	assert_int_equal(build_path_check(NULL, &e), -KILN_EUSAGE);
}

/* ---- the lock from Packages indices ---- */

static const char packages_main[] =
    "Package: base-files\n"
    "Essential: yes\n"
    "Version: 12.4+deb12u10\n"
    "Architecture: amd64\n"
    "Filename: pool/main/b/base-files/base-files_12.4+deb12u10_amd64.deb\n"
    "Size: 70000\n"
    "SHA256: " SHA_X "\n"
    "\n"
    "Package: base-files\n"
    "Essential: yes\n"
    "Version: 12.4+deb12u11\n"
    "Architecture: amd64\n"
    "Filename: pool/main/b/base-files/base-files_12.4+deb12u11_amd64.deb\n"
    "Size: 70760\n"
    "SHA256: " SHA_A "\n"
    "\n"
    "Package: libgcc-s1\n"
    "Version: 12.2.0-14\n"
    "Architecture: amd64\n"
    "Depends: base-files\n"
    "Filename: pool/main/g/gcc-12/libgcc-s1_12.2.0-14_amd64.deb\n"
    "Size: 49000\n"
    "SHA256: " SHA_C "\n"
    "\n"
    "Package: zlib1g\n"
    "Version: 1:1.2.13.dfsg-1\n"
    "Architecture: amd64\n"
    "Depends: libgcc-s1\n"
    "Filename: pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_amd64.deb\n"
    "Size: 87000\n"
    "SHA256: " SHA_D "\n"
    "\n"
    "Package: fakeroot\n"
    "Version: 1.31-1.2\n"
    "Architecture: amd64\n"
    "Depends: libfakeroot (= 1.31-1.2)\n"
    "Filename: pool/main/f/fakeroot/fakeroot_1.31-1.2_amd64.deb\n"
    "Size: 66000\n"
    "SHA256: " SHA_E "\n"
    "\n"
    "Package: libfakeroot\n"
    "Version: 1.31-1.2\n"
    "Architecture: amd64\n"
    "Filename: pool/main/f/fakeroot/libfakeroot_1.31-1.2_amd64.deb\n"
    "Size: 28000\n"
    "SHA256: " SHA_F "\n";

static const char packages_security[] =
    "Package: bash\n"
    "Essential: yes\n"
    "Version: 5.2.15-2+b8\n"
    "Architecture: amd64\n"
    "Depends: base-files (>= 2.1.12)\n"
    "Filename: pool/updates/main/b/bash/bash_5.2.15-2+b8_amd64.deb\n"
    "Size: 1500000\n"
    "SHA256: " SHA_B "\n"
    "\n"
    "Package: zlib1g\n"
    "Version: 1:1.2.13.dfsg-1\n"
    "Architecture: amd64\n"
    "Filename: pool/updates/main/z/zlib/zlib1g_1.2.13.dfsg-1_amd64.deb\n"
    "Size: 5\n"
    "SHA256: " SHA_X "\n";

/* a foreign architecture's index (kiln never configures one; packages_find must still
 * not take it for the host's) */
static const char packages_foreign[] = "Package: libgcc-s1\n"
				       "Version: 12.2.0-14\n"
				       "Architecture: i386\n"
				       "Filename: pool/main/g/gcc-12/libgcc-s1_12.2.0-14_i386.deb\n"
				       "Size: 1\n"
				       "SHA256: " SHA_X "\n";

static struct pool_index idx[3];

static void write_indices(void)
{
	if (idx[0].path)
		return;
	char *a = xasprintf("%s/main_Packages", tmpdir), *b = xasprintf("%s/sec_Packages", tmpdir);
	struct kerr e = {0};
	assert_int_equal(write_file_atomic(a, packages_main, strlen(packages_main), 0644, &e), 0);
	assert_int_equal(
	    write_file_atomic(b, packages_security, strlen(packages_security), 0644, &e), 0);
	idx[0] = (struct pool_index){.path = a, .mirror = "http://m/debian", .name = "bookworm"};
	idx[1] = (struct pool_index){
	    .path = b, .mirror = "http://m/debian-security", .name = "bookworm-security"};
	char *c = xasprintf("%s/i386_Packages", tmpdir);
	assert_int_equal(write_file_atomic(c, packages_foreign, strlen(packages_foreign), 0644, &e),
			 0);
	idx[2] = (struct pool_index){.path = c, .mirror = "http://m/debian", .name = "i386"};
}

/* f->p's lock over the main and security indices, for sbuild_like (ibd NULL) or for
 * sbuild_like with Installed-Build-Depends ibd: rebuild_lock_for_buildinfo's result */
static int fx_lock(struct fx *f, const char *ibd)
{
	struct rebuild_plan *p = fx_plan(
	    f, ibd ? fx_edit(f, "Installed-Build-Depends", ibd) : sbuild_like, "debian:bookworm");
	return rebuild_lock_for_buildinfo(p, idx, 2, NULL, &f->added, &f->e);
}

static void test_wants_are_found_by_exact_name_arch_and_version(void **s)
{
	struct fx *f = *s;
	struct rebuild_plan *p = fx_plan(f, sbuild_like, "debian:bookworm");
	/* the foreign index first: its libgcc-s1 is not the host's */
	struct pool_index order[3] = {idx[2], idx[0], idx[1]};
	assert_int_equal(packages_find(order, 3, "amd64", p->wants, p->nwants, &f->e), 0);
	/* base-files: the exact version, not the other one */
	assert_string_equal(p->wants[0].found.sha256, SHA_A);
	assert_int_equal(p->wants[0].found.size, 70760);
	assert_string_equal(p->wants[0].found.filename,
			    "pool/main/b/base-files/base-files_12.4+deb12u11_amd64.deb");
	assert_string_equal(p->wants[0].found.mirror, "http://m/debian");
	assert_true(p->wants[0].found.essential);
	assert_ptr_equal(p->wants[0].index, &order[1]);
	/* bash only in the security index */
	assert_string_equal(p->wants[1].found.sha256, SHA_B);
	assert_string_equal(p->wants[1].found.mirror, "http://m/debian-security");
	assert_ptr_equal(p->wants[1].index, &order[2]);
	/* libgcc-s1:amd64, not the i386 one */
	assert_string_equal(p->wants[2].found.sha256, SHA_C);
	assert_string_equal(p->wants[2].found.arch, "amd64");
	assert_false(p->wants[2].found.essential);
	/* zlib1g: the first index that has it wins */
	assert_string_equal(p->wants[3].found.sha256, SHA_D);
	assert_string_equal(p->wants[3].found.version, "1:1.2.13.dfsg-1");
}

static void test_lock_is_ordered_and_adds_only_fakeroot(void **s)
{
	struct fx *f = *s;
	const struct rebuild_plan *p = &f->p;
	if (fx_lock(f, NULL) < 0)
		fail_msg("%s", f->e.msg);
	assert_int_equal(p->lock.n, 6);
	assert_string_equal(p->lock.distro, "debian:bookworm");
	assert_string_equal(p->lock.arch, "amd64");
	/* the essential set first (base-files, bash), each package with the index's bytes */
	assert_true(p->lock.pkgs[0].essential && p->lock.pkgs[1].essential);
	for (size_t i = 0; i < p->lock.n; i++) {
		const struct lock_pkg *l = &p->lock.pkgs[i];
		if (!strcmp(l->name, "bash")) {
			assert_string_equal(l->sha256, SHA_B);
			assert_string_equal(l->mirror, "http://m/debian-security");
		}
		if (!strcmp(l->name, "zlib1g"))
			assert_string_equal(l->sha256, SHA_D);
	}
	assert_int_equal(f->added.n, 2);
	assert_true(strv_contains(&f->added, "fakeroot 1.31-1.2"));
	assert_true(strv_contains(&f->added, "libfakeroot 1.31-1.2"));
	assert_int_equal(strlen(p->lock.sha256), SHA256_HEX_LEN);
}

static void test_version_no_mirror_carries_is_named_with_a_mirror_hint(void **s)
{
	struct fx *f = *s;
	assert_int_equal(
	    fx_lock(f, "\n base-files (= 12.4+deb12u11),\n bash (= 5.2.15-2+b1),\n zlib1g (= "
		       "1:1.2.13.dfsg-1)"),
	    -KILN_ENOTFOUND);
	assert_string_equal(
	    f->e.msg,
	    "1 package version the rebuild needs is not in bookworm, bookworm-security (the "
	    "configured mirrors no longer carry it): bash 5.2.15-2+b1; use --mirror "
	    "http://snapshot.debian.org/archive/debian/20261127T101436Z/ (a snapshot from "
	    "the day it was built), then kiln update with it");
	assert_false(f->p.have_lock);
}

static void test_a_dependency_the_file_does_not_name_is_refused(void **s)
{
	struct fx *f = *s;
	/* zlib1g depends on libgcc-s1, which this file leaves out */
	assert_int_equal(
	    fx_lock(f, "\n base-files (= 12.4+deb12u11),\n bash (= 5.2.15-2+b8),\n zlib1g (= "
		       "1:1.2.13.dfsg-1)"),
	    -KILN_EFAIL);
	assert_string_equal(f->e.msg, "the packages the .buildinfo names need libgcc-s1 12.2.0-14, "
				      "which it does not name: not the environment it records");
}

/* ---- a build record ---- */

/* the sample record without its lock.sha256, which is not that of its
 * packages (rebuild_plan_from_record computes it then) */
static json_t *record(void)
{
	json_error_t je;
	json_t *r = json_load_file("tests/fixtures/record-hello.json", 0, &je);
	if (!r)
		fail_msg("record-hello.json: %s", je.text);
	json_object_del(json_object_get(r, "lock"), "sha256");
	return r;
}

static void test_record_plan_takes_lock_path_environment_and_hostname(void **s)
{
	struct rebuild_plan p;
	struct kerr e = {0};
	json_t *r = record();
	(void)s;
	if (rebuild_plan_from_record(r, "rec.json", &p, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(p.kind, BUILD_BINARY);
	assert_string_equal(p.build_path, "/build/reproducible-path/hello-2.10");
	assert_string_equal(p.hostname, "kiln");
	assert_string_equal(p.profiles, "nocheck");
	assert_true(strv_contains(&p.env, "DEB_BUILD_OPTIONS=nocheck"));
	assert_true(strv_contains(&p.env, "SOURCE_DATE_EPOCH=1664534866"));
	assert_int_equal(p.lock.n,
			 json_array_size(json_object_get(json_object_get(r, "lock"), "packages")));
	assert_string_equal(p.lock.pkgs[0].name, "base-files");
	assert_true(p.lock.pkgs[0].essential);
	assert_int_equal(p.lock.pkgs[0].size, 70760);
	assert_true(p.nsrc_files > 0);
	/* the sha256 it gives, written back, is accepted */
	json_object_set_new(json_object_get(r, "lock"), "sha256", json_string(p.lock.sha256));
	rebuild_plan_free(&p);
	if (rebuild_plan_from_record(r, "rec.json", &p, &e) < 0)
		fail_msg("%s", e.msg);
	rebuild_plan_free(&p);
	json_decref(r);
}

static void expect_record_refused(void (*edit)(json_t *), int code, const char *msg)
{
	struct rebuild_plan p;
	struct kerr e = {0};
	json_t *r = record();
	edit(r);
	int ret = rebuild_plan_from_record(r, "rec.json", &p, &e);
	json_decref(r);
	if (ret == 0) {
		rebuild_plan_free(&p);
		fail_msg("accepted, wanted '%s'", msg);
	}
	assert_int_equal(ret, -code);
	if (!strstr(e.msg, msg))
		fail_msg("message '%s' lacks '%s'", e.msg, msg);
}

static void edit_lock_sha(json_t *r)
{
	json_object_set_new(json_object_get(r, "lock"), "sha256", json_string(SHA_A));
}
static void edit_path(json_t *r)
{
	json_object_set_new(json_object_get(r, "build"), "build_path", json_string("/etc/x/y"));
}
static void edit_env(json_t *r)
{
	json_object_set_new(json_object_get(json_object_get(r, "build"), "environment"), "PATH",
			    json_string("/evil"));
}
static void edit_env_newline(json_t *r)
{
	json_object_set_new(json_object_get(json_object_get(r, "build"), "environment"), "LANG",
			    json_string("C\nX=1"));
}
static void edit_host(json_t *r)
{
	json_object_set_new(json_object_get(r, "build"), "hostname", json_string("a;b"));
}
static void edit_kind(json_t *r)
{
	json_object_set_new(json_object_get(r, "build"), "kind", json_string("everything"));
}
static void edit_mirror(json_t *r)
{
	json_t *p0 = json_array_get(json_object_get(json_object_get(r, "lock"), "packages"), 0);
	json_object_set_new(p0, "mirror", json_string("ftp://x y"));
}
static void edit_filename(json_t *r)
{
	json_t *p0 = json_array_get(json_object_get(json_object_get(r, "lock"), "packages"), 0);
	json_object_set_new(p0, "filename", json_string("../../etc/passwd"));
}

static void test_malformed_records_are_refused_with_the_reason(void **s)
{
	(void)s;
	expect_record_refused(edit_lock_sha, KILN_EVERIFY,
			      "rec.json: lock.packages give a lock with sha256");
	expect_record_refused(edit_path, KILN_EPARSE, "rec.json: build.build_path: build path");
	expect_record_refused(edit_env, KILN_EPARSE, "rec.json: build.environment PATH");
	expect_record_refused(edit_env_newline, KILN_EPARSE, "rec.json: build.environment LANG");
	expect_record_refused(edit_host, KILN_EPARSE, "rec.json: build.hostname 'a;b'");
	expect_record_refused(edit_kind, KILN_EPARSE, "rec.json: build.kind 'everything'");
	expect_record_refused(edit_mirror, KILN_EPARSE, "lock.packages[0] (base-files) lacks");
	expect_record_refused(edit_filename, KILN_EPARSE, "lock.packages[0] (base-files) lacks");
}

static int setup(void **s)
{
	(void)s;
	strcpy(tmpdir, "/tmp/kiln-test-verify-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	setenv("KILN_DISTROS_DIR", "distros/defs", 1);
	kiln_home_set(tmpdir);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	free((char *)idx[0].path);
	free((char *)idx[1].path);
	free((char *)idx[2].path);
	rm_rf(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_sbuild_buildinfo_gives_kind_path_environment_and_wants, fx_setup, fx_teardown),
	    cmocka_unit_test(test_architecture_selects_the_build_kind_as_debrebuild_does),
	    cmocka_unit_test(test_malformed_buildinfo_inputs_are_refused_with_the_reason),
	    cmocka_unit_test_setup_teardown(test_allowed_environment_is_kept_and_profiles_follow_it,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_release_comes_from_base_files, fx_setup,
					    fx_teardown),
	    cmocka_unit_test(test_build_path_check),
	    cmocka_unit_test_setup_teardown(test_wants_are_found_by_exact_name_arch_and_version,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_lock_is_ordered_and_adds_only_fakeroot, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(
		test_version_no_mirror_carries_is_named_with_a_mirror_hint, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_a_dependency_the_file_does_not_name_is_refused,
					    fx_setup, fx_teardown),
	    cmocka_unit_test(test_record_plan_takes_lock_path_environment_and_hostname),
	    cmocka_unit_test(test_malformed_records_are_refused_with_the_reason),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
