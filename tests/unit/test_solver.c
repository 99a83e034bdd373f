/* test_solver.c - the pool, one source's resolution, the lock's text form and
 * the whole-archive check, on a small archive each test writes itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "solver/solver.h"

static char tmpdir[256];

/* one Packages stanza; deps may be NULL */
static void pkg(struct kbuf *b, const char *name, const char *ver, const char *arch,
		const char *extra)
{
	char sha[SHA256_HEX_LEN + 1];
	char *id = xasprintf("%s_%s_%s", name, ver, arch);
	sha256_mem(id, strlen(id), sha);
	kbuf_printf(
	    b,
	    "Package: %s\nVersion: %s\nArchitecture: %s\n%sFilename: pool/main/%c/%s/%s.deb\n"
	    "Size: %zu\nSHA256: %s\nDescription: test package %s\n long description\n\n",
	    name, ver, arch, extra ? extra : "", name[0], name, id, strlen(id) * 100, sha, name);
	free(id);
}

/* A tiny archive: an essential core, a build-essential, and packages that
 * exercise alternatives, virtual packages, Multi-Arch and conflicts. */
static char *write_archive(const char *name)
{
	struct kbuf b;
	struct kerr e = {0};
	kbuf_init(&b);
	pkg(&b, "libc6", "2.36-9", "amd64", "Multi-Arch: same\n");
	pkg(&b, "base-files", "12.4", "amd64", "Essential: yes\nPre-Depends: awk\n");
	pkg(&b, "dash", "0.5.12-2", "amd64", "Essential: yes\nPre-Depends: libc6 (>= 2.34)\n");
	pkg(&b, "mawk", "1.3.4-1", "amd64", "Provides: awk\nDepends: libc6\nMulti-Arch: foreign\n");
	pkg(&b, "gawk", "5.2.1-2", "amd64", "Provides: awk\nDepends: libc6\n");
	pkg(&b, "gcc", "12.2.0-3", "amd64", "Depends: libc6, binutils\n");
	pkg(&b, "binutils", "2.40-2", "amd64", "Depends: libc6\n");
	pkg(&b, "build-essential", "12.9", "amd64", "Depends: gcc, libc6-dev | libc-dev\n");
	pkg(&b, "libc6-dev", "2.36-9", "amd64", "Depends: libc6 (= 2.36-9)\nProvides: libc-dev\n");
	pkg(&b, "libfoo-dev", "1.8-2", "amd64", "Depends: libc6\n");
	pkg(&b, "python3", "3.11.2-1", "amd64", "Multi-Arch: allowed\n");
	pkg(&b, "perl", "5.36.0-7", "amd64", "");
	pkg(&b, "docs-tool", "1.0", "all", "Depends: python3\n");
	pkg(&b, "alt-first", "1.0", "all", "Depends: libc6\n");
	pkg(&b, "alt-second", "1.0", "all", "");
	pkg(&b, "needs-missing", "1.0", "all", "Depends: no-such-lib (>= 3)\n");
	pkg(&b, "breaks-dash", "1.0", "all", "Breaks: dash (<< 1)\n");
	pkg(&b, "virtual-provider", "2.0", "all", "Provides: virt (= 2.0)\n");
	/* apt installs the first alternative; libsolv alone takes the one that
	 * sorts first (aa-later) */
	pkg(&b, "helpers", "1.0", "all", "Depends: zz-first | aa-later\n");
	pkg(&b, "zz-first", "1.0", "all", "Depends: perl\n");
	pkg(&b, "aa-later", "1.0", "all", "");
	pkg(&b, "wants-later", "1.0", "all", "Depends: aa-later, helpers\n");
	char *path = xasprintf("%s/%s", tmpdir, name);
	assert_int_equal(write_file_atomic(path, b.data, b.len, 0644, &e), 0);
	kbuf_free(&b);
	return path;
}

struct fx {
	char *packages;
	char *cache;
	struct kiln_pool *kp;
	struct strv base;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct kerr e = {0};
	f->packages = write_archive("Packages");
	f->cache = xasprintf("%s/solv", tmpdir);
	struct pool_index ix = {f->packages, "http://mirror.test/debian", "testsuite", NULL};
	if (kiln_pool_load(&ix, 1, "amd64", f->cache, &f->kp, &e) < 0)
		fail_msg("%s", e.msg);
	strv_add(&f->base, "build-essential");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	kiln_pool_free(f->kp);
	strv_free(&f->base);
	free(f->packages);
	free(f->cache);
	free(f);
	return 0;
}

static void request(struct fx *f, struct resolve_request *rq, const char *bd)
{
	memset(rq, 0, sizeof(*rq));
	rq->distro = "debian:test";
	rq->source = "demo";
	rq->source_version = "1.0-1";
	rq->build_depends = bd;
	rq->base = &f->base;
}

static const struct lock_pkg *find(const struct lock *l, const char *name, size_t *pos)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->pkgs[i].name, name)) {
			if (pos)
				*pos = i;
			return &l->pkgs[i];
		}
	return NULL;
}

static void resolve_ok(struct fx *f, struct resolve_request *rq, struct lock *l)
{
	struct kerr e = {0};
	if (solver_resolve(f->kp, rq, l, &e) < 0)
		fail_msg("resolve failed: %s", e.msg);
}

static void test_pool_keeps_every_package(void **state)
{
	struct fx *f = *state;
	assert_int_equal(kiln_pool_size(f->kp), 22);
}

static void test_lock_has_base_set_and_build_depends_with_fields(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	request(f, &rq, "libfoo-dev (>= 1.0)");
	resolve_ok(f, &rq, &l);
	const struct lock_pkg *p = find(&l, "libfoo-dev", NULL);
	assert_non_null(p);
	assert_string_equal(p->version, "1.8-2");
	assert_string_equal(p->arch, "amd64");
	assert_string_equal(p->filename, "pool/main/l/libfoo-dev/libfoo-dev_1.8-2_amd64.deb");
	assert_string_equal(p->mirror, "http://mirror.test/debian");
	assert_true(is_sha256_hex(p->sha256));
	assert_int_equal(p->size, strlen("libfoo-dev_1.8-2_amd64") * 100);
	assert_false(p->essential);
	assert_true(find(&l, "dash", NULL)->essential);
	assert_non_null(find(&l, "base-files", NULL));
	assert_non_null(find(&l, "build-essential", NULL));
	assert_non_null(find(&l, "gcc", NULL));
	assert_non_null(find(&l, "libc6-dev", NULL));
	assert_null(find(&l, "python3", NULL));
	assert_string_equal(l.source, "demo");
	assert_string_equal(l.arch, "amd64");
	assert_true(is_sha256_hex(l.sha256));
	lock_free(&l);
}

static void test_essential_and_what_they_need_come_first(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	size_t libc = 0, dash = 0, base = 0, gcc = 0, awk = 0;
	request(f, &rq, "libfoo-dev");
	resolve_ok(f, &rq, &l);
	assert_non_null(find(&l, "libc6", &libc));
	assert_non_null(find(&l, "dash", &dash));
	assert_non_null(find(&l, "base-files", &base));
	assert_non_null(find(&l, "gcc", &gcc));
	assert_true(find(&l, "mawk", &awk) || find(&l, "gawk", &awk)); /* libsolv picks one */
	assert_true(libc < dash);				       /* Pre-Depends first */
	assert_true(awk < base);
	assert_true(dash < gcc && base < gcc); /* the essential part before the rest */
	lock_free(&l);
}

static void test_same_request_gives_byte_identical_lock(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock a, b;
	struct kiln_pool *fresh;
	struct kerr e = {0};
	request(f, &rq, "libfoo-dev, alt-first | alt-second");
	resolve_ok(f, &rq, &a);
	/* a pool parsed without any cache must give the same lock */
	struct pool_index ix = {f->packages, "http://mirror.test/debian", "testsuite", NULL};
	assert_int_equal(kiln_pool_load(&ix, 1, "amd64", NULL, &fresh, &e), 0);
	assert_int_equal(solver_resolve(fresh, &rq, &b, &e), 0);
	char *ta = lock_to_text(&a), *tb = lock_to_text(&b);
	assert_string_equal(ta, tb);
	assert_string_equal(a.sha256, b.sha256);
	free(ta);
	free(tb);
	lock_free(&a);
	lock_free(&b);
	kiln_pool_free(fresh);
}

static void test_second_load_comes_from_the_solv_cache(void **state)
{
	struct fx *f = *state;
	struct kiln_pool *again;
	struct kerr e = {0};
	struct pool_index ix = {f->packages, "http://mirror.test/debian", "testsuite", NULL};
	assert_int_equal(kiln_pool_load(&ix, 1, "amd64", f->cache, &again, &e), 0);
	assert_true(kiln_pool_from_cache(again));
	assert_int_equal(kiln_pool_size(again), 22);
	kiln_pool_free(again);
}

static void test_first_existing_alternative_is_used_by_default(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	/* "nonexistent" is skipped: the first alternative that exists is alt-second */
	request(f, &rq, "nonexistent | alt-second | alt-first");
	resolve_ok(f, &rq, &l);
	assert_non_null(find(&l, "alt-second", NULL));
	assert_null(find(&l, "alt-first", NULL));
	lock_free(&l);
}

static void test_first_alternative_is_not_replaced_when_it_fails(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	struct kerr e = {0};
	/* sbuild keeps only libfoo-dev (>= 2): unsatisfiable though alt-first exists */
	request(f, &rq, "libfoo-dev (>= 2.0) | alt-first");
	assert_int_equal(solver_resolve(f->kp, &rq, &l, &e), -KILN_EFAIL);
	assert_non_null(strstr(e.msg, "libfoo-dev (>= 2.0) is needed by the Build-Depends, but "
				      "debian:test has libfoo-dev 1.8-2"));
	rq.alternatives = ALT_ALL;
	resolve_ok(f, &rq, &l);
	assert_non_null(find(&l, "alt-first", NULL));
	lock_free(&l);
}

static void test_package_alternatives_as_apt_chooses_them(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	/* neither alternative there yet: the first one and what it needs */
	request(f, &rq, "helpers");
	resolve_ok(f, &rq, &l);
	assert_non_null(find(&l, "zz-first", NULL));
	assert_non_null(find(&l, "perl", NULL));
	assert_null(find(&l, "aa-later", NULL));
	lock_free(&l);
	/* a later alternative needed anyway satisfies it: nothing more */
	request(f, &rq, "wants-later");
	resolve_ok(f, &rq, &l);
	assert_non_null(find(&l, "aa-later", NULL));
	assert_null(find(&l, "zz-first", NULL));
	lock_free(&l);
}

static void test_alternatives_on_the_same_name_are_kept(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	request(f, &rq, "libfoo-dev (>= 2.0) | libfoo-dev (<< 1.9)");
	resolve_ok(f, &rq, &l);
	assert_non_null(find(&l, "libfoo-dev", NULL));
	lock_free(&l);
}

static void test_any_qualifier_needs_multi_arch_allowed(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	struct kerr e = {0};
	request(f, &rq, "python3:any");
	resolve_ok(f, &rq, &l);
	assert_non_null(find(&l, "python3", NULL));
	lock_free(&l);
	request(f, &rq, "perl:any");
	assert_int_equal(solver_resolve(f->kp, &rq, &l, &e), -KILN_EFAIL);
	assert_non_null(strstr(e.msg, "perl 5.36.0-7 (not Multi-Arch: allowed)"));
	request(f, &rq, "perl:native, libfoo-dev:amd64");
	resolve_ok(f, &rq, &l);
	assert_non_null(find(&l, "perl", NULL));
	lock_free(&l);
}

static void test_arch_and_profile_restrictions_apply(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	struct strv prof = {0};
	request(f, &rq, "perl [i386], python3 [linux-any], docs-tool <!nodoc>, alt-first <stage1>");
	resolve_ok(f, &rq, &l);
	assert_null(find(&l, "perl", NULL));
	assert_non_null(find(&l, "python3", NULL));
	assert_non_null(find(&l, "docs-tool", NULL));
	assert_null(find(&l, "alt-first", NULL));
	lock_free(&l);
	strv_add(&prof, "nodoc");
	strv_add(&prof, "stage1");
	rq.profiles = &prof;
	resolve_ok(f, &rq, &l);
	assert_null(find(&l, "docs-tool", NULL));
	assert_non_null(find(&l, "alt-first", NULL));
	lock_free(&l);
	strv_free(&prof);
}

static void test_arch_only_and_indep_only_pick_fields(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	request(f, &rq, "libfoo-dev");
	rq.build_depends_arch = "perl";
	rq.build_depends_indep = "docs-tool";
	rq.arch_only = 1;
	resolve_ok(f, &rq, &l);
	assert_non_null(find(&l, "perl", NULL));
	assert_null(find(&l, "docs-tool", NULL));
	lock_free(&l);
	rq.arch_only = 0;
	rq.indep_only = 1;
	resolve_ok(f, &rq, &l);
	assert_null(find(&l, "perl", NULL));
	assert_non_null(find(&l, "docs-tool", NULL));
	lock_free(&l);
}

static void test_virtual_packages_and_versioned_provides(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	struct kerr e = {0};
	request(f, &rq, "virt (>= 1.5), awk");
	resolve_ok(f, &rq, &l);
	assert_non_null(find(&l, "virtual-provider", NULL));
	lock_free(&l);
	request(f, &rq, "virt (>= 3)");
	assert_int_equal(solver_resolve(f->kp, &rq, &l, &e), -KILN_EFAIL);
	assert_non_null(strstr(e.msg, "debian:test has virt only as a virtual package: "
				      "virtual-provider 2.0 provides virt = 2.0"));
}

static void test_unknown_package_is_explained(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	struct kerr e = {0};
	request(f, &rq, "libfoo-dev, libnothere-dev (>= 1)");
	assert_int_equal(solver_resolve(f->kp, &rq, &l, &e), -KILN_EFAIL);
	assert_int_equal(e.code, KILN_EFAIL);
	assert_non_null(strstr(e.msg, "demo 1.0-1 cannot be built on debian:test amd64"));
	assert_non_null(strstr(e.msg, "libnothere-dev (>= 1) is needed by the Build-Depends, but "
				      "debian:test has no package named libnothere-dev"));
	assert_int_equal(l.n, 0);
}

static void test_deep_problem_names_the_chain(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	struct kerr e = {0};
	request(f, &rq, "needs-missing");
	assert_int_equal(solver_resolve(f->kp, &rq, &l, &e), -KILN_EFAIL);
	assert_non_null(strstr(e.msg,
			       "needs-missing-1.0.all needs no-such-lib >= 3, but debian:test "
			       "has nothing that provides it"));
	assert_non_null(
	    strstr(e.msg, "solution 1: drop the requirement needs-missing (Build-Depends)"));
}

static void test_build_conflicts_keep_packages_out(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	struct kerr e = {0};
	request(f, &rq, "awk");
	rq.build_conflicts = "mawk";
	resolve_ok(f, &rq, &l);
	assert_null(find(&l, "mawk", NULL));
	assert_non_null(find(&l, "gawk", NULL));
	lock_free(&l);
	request(f, &rq, "libfoo-dev");
	rq.build_conflicts = "dash";
	assert_int_equal(solver_resolve(f->kp, &rq, &l, &e), -KILN_EFAIL);
	assert_non_null(strstr(e.msg, "dash (Build-Conflicts)"));
}

static void test_package_conflict_with_the_base_set_is_unsolvable(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	struct kerr e = {0};
	request(f, &rq, "breaks-dash");
	/* breaks-dash breaks dash (<< 1): dash 0.5 is Essential, so no environment */
	assert_int_equal(solver_resolve(f->kp, &rq, &l, &e), -KILN_EFAIL);
	assert_non_null(strstr(e.msg, "problem 1:"));
	assert_non_null(strstr(e.msg, "dash"));
}

static void test_malformed_build_depends_is_a_parse_error(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l;
	struct kerr e = {0};
	request(f, &rq, "libfoo-dev (>= ");
	assert_int_equal(solver_resolve(f->kp, &rq, &l, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "demo 1.0-1: Build-Depends: column 16: expected a version"));
}

static void test_lock_text_round_trips_and_is_hashed(void **state)
{
	struct fx *f = *state;
	struct resolve_request rq;
	struct lock l, back;
	struct kerr e = {0};
	request(f, &rq, "libfoo-dev");
	resolve_ok(f, &rq, &l);
	char *path = xasprintf("%s/demo.lock", tmpdir);
	assert_int_equal(lock_write(&l, path, &e), 0);
	assert_int_equal(lock_read(path, &back, &e), 0);
	assert_string_equal(back.sha256, l.sha256);
	assert_int_equal(back.n, l.n);
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(back.pkgs[i].name, l.pkgs[i].name);
		assert_string_equal(back.pkgs[i].version, l.pkgs[i].version);
		assert_string_equal(back.pkgs[i].sha256, l.pkgs[i].sha256);
		assert_string_equal(back.pkgs[i].filename, l.pkgs[i].filename);
		assert_string_equal(back.pkgs[i].mirror, l.pkgs[i].mirror);
		assert_int_equal(back.pkgs[i].size, l.pkgs[i].size);
		assert_int_equal(back.pkgs[i].essential, l.pkgs[i].essential);
	}
	char hex[SHA256_HEX_LEN + 1];
	assert_int_equal(sha256_file(path, hex, NULL, &e), 0);
	assert_string_equal(hex, l.sha256); /* the lock's sha256 is its file's */
	char *t = lock_to_text(&l);
	assert_true(str_has_prefix(t, "kiln-lock 1\nDistro: debian:test\nSource: demo 1.0-1\n"
				      "Arch: amd64\n"));
	assert_non_null(strstr(t, "\n\nmirror http://mirror.test/debian\n"));
	assert_non_null(strstr(t, " essential\n"));
	free(t);
	lock_free(&back);
	lock_free(&l);
	free(path);
}

static void assert_lock_rejected(const char *text, const char *want)
{
	struct lock l;
	struct kerr e = {0};
	assert_int_equal(lock_parse(text, strlen(text), "x.lock", &l, &e), -KILN_EPARSE);
	if (!strstr(e.msg, want))
		fail_msg("message '%s' lacks '%s'", e.msg, want);
	assert_int_equal(l.n, 0);
}

static void test_malformed_locks_are_rejected(void **state)
{
	const char *h = "kiln-lock 1\nDistro: d\nSource: s 1\nArch: amd64\nPackages: 1\n\n";
	const char *sha = "0000000000000000000000000000000000000000000000000000000000000000";
	char *t;
	assert_lock_rejected("", "not a kiln lock");
	assert_lock_rejected("kiln-lock 2\n", "not a kiln lock");
	assert_lock_rejected("kiln-lock 1\nDistro: d\n", "expected 'Source: NAME VERSION'");
	t = xasprintf("%sa 1 amd64 %s 10 pool/a.deb\n", h, sha);
	assert_lock_rejected(t, "before any 'mirror URL' line");
	free(t);
	t = xasprintf("%smirror http://m\na 1 amd64 xyz 10 pool/a.deb\n", h);
	assert_lock_rejected(t, "'xyz' is not a sha256");
	free(t);
	t = xasprintf("%smirror http://m\na 1 amd64 %s 1x pool/a.deb\n", h, sha);
	assert_lock_rejected(t, "'1x' is not a size");
	free(t);
	t = xasprintf("%smirror http://m\na 1 amd64 %s 10 pool/a.deb maybe\n", h, sha);
	assert_lock_rejected(t, "expected 'NAME VERSION ARCH SHA256 SIZE FILENAME [essential]'");
	free(t);
	t = xasprintf("%smirror http://m\na 1 amd64 %s 10 pool/a.deb\nb 1 all %s 1 pool/b.deb\n", h,
		      sha, sha);
	assert_lock_rejected(t, "not in canonical form"); /* says 1 package, has 2 */
	free(t);
	t = xasprintf("%smirror http://m\na 1 amd64 %s 10 pool/a.deb", h, sha);
	assert_lock_rejected(t, "not in canonical form"); /* no final newline */
	free(t);
	t = xasprintf("%smirror http://m\na 1 amd64 %s 10 pool/a.deb\n", h, sha);
	struct lock l;
	struct kerr e = {0};
	assert_int_equal(lock_parse(t, strlen(t), "x.lock", &l, &e), 0);
	assert_int_equal(l.n, 1);
	lock_free(&l);
	free(t);
}

static void test_check_reports_each_source(void **state)
{
	struct fx *f = *state;
	struct source_pkg s[4] = {0};
	struct check_result r[4];
	struct check_opts o = {0};
	struct kerr e = {0};
	const char *names[4] = {"good", "bad", "elsewhere", "deep"};
	const char *bd[4] = {"libfoo-dev, awk", "libnothere", "perl", "needs-missing"};
	const char *archs[4] = {"any", "all", "i386 armhf", "linux-any"};
	for (int i = 0; i < 4; i++) {
		s[i].package = (char *)names[i];
		s[i].version = "1.0";
		s[i].architecture = (char *)archs[i];
		s[i].build_depends = (char *)bd[i];
	}
	o.distro = "debian:test";
	o.threads = 2;
	o.base = &f->base;
	assert_int_equal(solver_check(f->kp, s, 4, &o, r, &e), 0);
	assert_int_equal(r[0].buildable, 1);
	assert_true(r[0].npkgs > 5);
	assert_int_equal(r[1].buildable, 0);
	assert_non_null(strstr(r[1].reason, "no package named libnothere"));
	assert_int_equal(r[2].buildable, -1);
	assert_int_equal(r[3].buildable, 0);
	assert_non_null(strstr(r[3].reason, "no-such-lib"));
	assert_string_equal(r[3].source, "deep");
	for (int i = 0; i < 4; i++)
		check_result_free(&r[i]);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kiln-test-solver.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pool_keeps_every_package),
	    cmocka_unit_test(test_lock_has_base_set_and_build_depends_with_fields),
	    cmocka_unit_test(test_essential_and_what_they_need_come_first),
	    cmocka_unit_test(test_same_request_gives_byte_identical_lock),
	    cmocka_unit_test(test_second_load_comes_from_the_solv_cache),
	    cmocka_unit_test(test_first_existing_alternative_is_used_by_default),
	    cmocka_unit_test(test_first_alternative_is_not_replaced_when_it_fails),
	    cmocka_unit_test(test_package_alternatives_as_apt_chooses_them),
	    cmocka_unit_test(test_alternatives_on_the_same_name_are_kept),
	    cmocka_unit_test(test_any_qualifier_needs_multi_arch_allowed),
	    cmocka_unit_test(test_arch_and_profile_restrictions_apply),
	    cmocka_unit_test(test_arch_only_and_indep_only_pick_fields),
	    cmocka_unit_test(test_virtual_packages_and_versioned_provides),
	    cmocka_unit_test(test_unknown_package_is_explained),
	    cmocka_unit_test(test_deep_problem_names_the_chain),
	    cmocka_unit_test(test_build_conflicts_keep_packages_out),
	    cmocka_unit_test(test_package_conflict_with_the_base_set_is_unsolvable),
	    cmocka_unit_test(test_malformed_build_depends_is_a_parse_error),
	    cmocka_unit_test(test_lock_text_round_trips_and_is_hashed),
	    cmocka_unit_test(test_malformed_locks_are_rejected),
	    cmocka_unit_test(test_check_reports_each_source),
	};
	int r = cmocka_run_group_tests(tests, setup, teardown);
	rm_rf(tmpdir);
	return r;
}
