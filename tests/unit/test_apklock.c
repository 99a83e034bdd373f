/* test_apklock.c - apk_resolve: an APKBUILD's dependencies against a verified local Alpine
 * repository (tests/fixtures/mkrepo.sh plus a few packages of its own) -> the lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "builders/alpine.h"

static char tmp[256], top[512];
static struct distro *dist;
static struct apk_index idx; /* what the repository's index says, for checksums */

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	va_list ap;
	char cmd[4096];
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "command failed: %s\n", cmd);
		abort();
	}
}

/* one more package in the fixture repository (ARGS: .PKGINFO key=value words) */
static void mk(const char *name, const char *ver, const char *args)
{
	sh("%s/tests/fixtures/mkapk.sh %s/repo/x86_64/%s-%s.apk "
	   "%s/repo/keys/test@kiln-00000001.rsa "
	   "%s %s x86_64 %s",
	   top, tmp, name, ver, tmp, name, ver, args);
}

static int setup(void **state)
{
	struct kerr e = {0};
	struct update_report rep;
	struct update_opts uo = {0};
	(void)state;
	if (!getcwd(top, sizeof(top)))
		return -1;
	snprintf(tmp, sizeof(tmp), "/tmp/kiln-apklock.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	sh("%s/tests/fixtures/mkrepo.sh %s/repo", top, tmp);
	mk("busybox-binsh", "1.36.1-r0",
	   "provides=/bin/sh provides=cmd:sh=1.36.1-r0 "
	   "provider_priority=100");
	mk("dash-binsh", "0.5.12-r0",
	   "provides=/bin/sh provides=cmd:sh=0.5.12-r0 "
	   "provider_priority=10");
	mk("build-base", "0.5-r0", "'depend=musl zlib'");
	mk("oldlib", "1.0-r0", "");
	mk("oldlib", "1.5-r0", "");
	mk("oldlib", "2.0-r0", "");
	mk("virt-a", "1-r0", "provides=virt");
	mk("virt-b", "1-r0", "provides=virt");
	mk("needs-gone", "1-r0", "'depend=gone>=1'");
	/* the index, written by kiln index's code, at the mirror's place */
	char *dir = xasprintf("%s/repo/x86_64", tmp),
	     *key = xasprintf("%s/repo/keys/test@kiln-00000001.rsa", tmp);
	char *out = xasprintf("%s/mirror/v3.20/main/x86_64/APKINDEX.tar.gz", tmp);
	sh("mkdir -p %s/mirror/v3.20/main/x86_64 %s/defs %s/home", tmp, tmp, tmp);
	struct apk_index_opts io = {
	    .private_key = key, .rewrite_arch = "x86_64", .mtime = 1700000000};
	size_t n = 0;
	if (apk_index_write_dir(dir, &io, out, &n, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(n, 15);
	char path[512];
	snprintf(path, sizeof(path), "%s/repo/keys", tmp);
	if (apk_index_read(out, path, &idx, &e) < 0)
		fail_msg("%s", e.msg);
	snprintf(path, sizeof(path), "%s/defs/alpine-test.conf", tmp);
	FILE *f = fopen(path, "w");
	fprintf(f,
		"Distro: alpine:test\nFamily: alpine\nCodename: test\nVersion: 3.20\n"
		"Architectures: x86_64\nApk-Tools: 2\nKeys-Dir: %s/repo/keys\n"
		"Build-Essential: build-base\nBuild-Path: /home/buildozer/aports\n\n"
		"Suite: v3.20\nMirror: file://%s/mirror\nMirror-Name: alpine\nComponents: main\n",
		tmp, tmp);
	fclose(f);
	snprintf(path, sizeof(path), "%s/defs", tmp);
	setenv("KILN_DISTROS_DIR", path, 1);
	static char home[512];
	snprintf(home, sizeof(home), "%s/home", tmp);
	kiln_home_set(home);
	assert_int_equal(distro_load("alpine:test", NULL, &dist, &e), 0);
	fetch_opts_default(&uo.fetch);
	if (alpine_update(dist, &uo, &rep, &e) < 0)
		fail_msg("%s", e.msg);
	free(dir);
	free(key);
	free(out);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	distro_free(dist);
	apk_index_free(&idx);
	sh("rm -rf %s", tmp);
	return 0;
}

/* an APKBUILD with these lists */
static void ab_init(struct apkbuild *ab, const char *depends, const char *makedepends,
		    const char *checkdepends)
{
	memset(ab, 0, sizeof(*ab));
	ab->dir = "/src/hello";
	ab->pkgname = "hello";
	ab->pkgver = "2.12";
	ab->pkgrel = "1";
	strv_split(&ab->depends, depends, " ");
	strv_split(&ab->makedepends, makedepends, " ");
	strv_split(&ab->checkdepends, checkdepends, " ");
}

static void ab_done(struct apkbuild *ab)
{
	strv_free(&ab->depends);
	strv_free(&ab->makedepends);
	strv_free(&ab->checkdepends);
	strv_free(&ab->subpackages);
}

/* "name-version" of every package, in lock order, space separated */
static char *names(const struct lock *l)
{
	struct kbuf b;
	kbuf_init(&b);
	kbuf_adds(&b, "");
	for (size_t i = 0; i < l->n; i++)
		kbuf_printf(&b, "%s%s-%s", i ? " " : "", l->pkgs[i].name, l->pkgs[i].version);
	return b.data;
}

static size_t pos(const struct lock *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->pkgs[i].name, name))
			return i;
	fail_msg("%s is not in the lock", name);
	return 0;
}

static const struct apk_pkg *indexed(const char *name, const char *version)
{
	for (size_t i = 0; i < idx.n; i++)
		if (!strcmp(idx.pkgs[i].name, name) && !strcmp(idx.pkgs[i].version, version))
			return &idx.pkgs[i];
	fail_msg("%s-%s is not in the index", name, version);
	return NULL;
}

/* resolve and return the sorted "name-version" list, or "FAIL <code>: <message>" */
static char *resolve(const char *depends, const char *makedepends, const char *checkdepends,
		     int nocheck)
{
	struct apkbuild ab;
	struct apk_resolve_opts o = {.nocheck = nocheck};
	struct lock l;
	struct kerr e = {0};
	char *r;
	ab_init(&ab, depends, makedepends, checkdepends);
	if (apk_resolve(dist, &ab, &o, &l, &e) < 0) {
		r = xasprintf("FAIL %d: %s", e.code, e.msg);
	} else {
		struct strv v = {0};
		struct kbuf b;
		for (size_t i = 0; i < l.n; i++)
			strv_add_owned(&v, xasprintf("%s-%s", l.pkgs[i].name, l.pkgs[i].version));
		strv_sort(&v);
		kbuf_init(&b);
		kbuf_adds(&b, "");
		for (size_t i = 0; i < v.n; i++)
			kbuf_printf(&b, "%s%s", i ? " " : "", v.v[i]);
		strv_free(&v);
		r = b.data;
		lock_free(&l);
	}
	ab_done(&ab);
	return r;
}

#define EXPECT(got_expr, want)                                                                     \
	do {                                                                                       \
		char *got_ = (got_expr);                                                           \
		if (strcmp(got_, want))                                                            \
			fail_msg("got '%s'\nwanted '%s'", got_, want);                             \
		free(got_);                                                                        \
	} while (0)

static void test_makedepends_and_base_set_give_a_lock_in_install_order(void **state)
{
	struct apkbuild ab;
	struct lock l;
	struct kerr e = {0};
	(void)state;
	ab_init(&ab, "", "curl", "");
	if (apk_resolve(dist, &ab, NULL, &l, &e) < 0)
		fail_msg("%s", e.msg);
	char *got = names(&l);
	assert_int_equal(l.n, 5);
	/* dependencies before what depends on them (libsolv's transaction order) */
	assert_true(pos(&l, "musl") < pos(&l, "zlib"));
	assert_true(pos(&l, "zlib") < pos(&l, "curl"));
	assert_true(pos(&l, "ca-certificates-bundle") < pos(&l, "curl"));
	assert_true(pos(&l, "zlib") < pos(&l, "build-base"));
	assert_non_null(strstr(got, "zlib-1.3.1-r1")); /* the newest of two */
	assert_non_null(strstr(got, "build-base-0.5-r0"));
	free(got);
	assert_string_equal(l.distro, "alpine:test");
	assert_string_equal(l.source, "hello");
	assert_string_equal(l.source_version, "2.12-r1");
	assert_string_equal(l.arch, "x86_64");
	char *mirror = xasprintf("file://%s/mirror", tmp);
	for (size_t i = 0; i < l.n; i++) {
		const struct lock_pkg *p = &l.pkgs[i];
		const struct apk_pkg *x = indexed(p->name, p->version);
		char *fn = xasprintf("v3.20/main/x86_64/%s-%s.apk", p->name, p->version);
		assert_string_equal(p->checksum, x->checksum);
		assert_int_equal(p->size, x->size);
		assert_string_equal(p->arch, "x86_64");
		assert_string_equal(p->filename, fn);
		assert_string_equal(p->mirror, mirror);
		assert_null(p->sha256);
		free(fn);
	}
	free(mirror);
	lock_free(&l);
	ab_done(&ab);
}

static void test_lock_text_is_deterministic_and_round_trips_checksums(void **state)
{
	struct apkbuild ab;
	struct lock a, b, c;
	struct kerr e = {0};
	(void)state;
	ab_init(&ab, "so:libz.so.1", "curl oldlib<2", "");
	assert_int_equal(apk_resolve(dist, &ab, NULL, &a, &e), 0);
	assert_int_equal(apk_resolve(dist, &ab, NULL, &b, &e), 0);
	char *ta = lock_to_text(&a), *tb = lock_to_text(&b);
	assert_string_equal(ta, tb);
	assert_string_equal(a.sha256, b.sha256);
	/* the checksum is part of each package line */
	const struct apk_pkg *z = indexed("zlib", "1.3.1-r1");
	char *line =
	    xasprintf("zlib 1.3.1-r1 x86_64 - %llu v3.20/main/x86_64/zlib-1.3.1-r1.apk C:%s\n",
		      (unsigned long long)z->size, z->checksum);
	assert_non_null(strstr(ta, line));
	assert_non_null(
	    strstr(ta, "kiln-lock 1\nDistro: alpine:test\nSource: hello 2.12-r1\nArch: x86_64\n"));
	assert_int_equal(lock_parse(ta, strlen(ta), "test.lock", &c, &e), 0);
	assert_string_equal(c.sha256, a.sha256);
	assert_string_equal(c.pkgs[pos(&c, "zlib")].checksum, z->checksum);
	char *tc = lock_to_text(&c);
	assert_string_equal(tc, ta);
	/* a changed checksum is a different lock */
	free(c.pkgs[0].checksum);
	c.pkgs[0].checksum = xstrdup("Q1AAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	lock_seal(&c);
	assert_string_not_equal(c.sha256, a.sha256);
	/* a line with two checksums is not a lock */
	char *bad = xasprintf("%s", ta);
	char *nl = strstr(bad, " C:");
	assert_non_null(nl);
	struct kbuf bb;
	kbuf_init(&bb);
	kbuf_add(&bb, bad, (size_t)(nl - bad));
	kbuf_adds(&bb, " C:x C:y");
	kbuf_adds(&bb, nl);
	struct lock d;
	assert_int_equal(lock_parse(bb.data, bb.len, "bad.lock", &d, &e), -KILN_EPARSE);
	kbuf_free(&bb);
	free(bad);
	free(tc);
	free(line);
	free(ta);
	free(tb);
	lock_free(&a);
	lock_free(&b);
	lock_free(&c);
	ab_done(&ab);
}

static void test_version_constraints_choose_as_apk_does(void **state)
{
	(void)state;
#define WITH(x) "build-base-0.5-r0 musl-1.2.5-r0 " x " zlib-1.3.1-r1"
	EXPECT(resolve("", "oldlib", "", 0), WITH("oldlib-2.0-r0"));
	EXPECT(resolve("", "oldlib>=1.5", "", 0), WITH("oldlib-2.0-r0"));
	EXPECT(resolve("", "oldlib<2", "", 0), WITH("oldlib-1.5-r0"));
	EXPECT(resolve("", "oldlib<=1.5-r0", "", 0), WITH("oldlib-1.5-r0"));
	EXPECT(resolve("", "oldlib~1.0", "", 0), WITH("oldlib-1.0-r0"));
	EXPECT(resolve("", "oldlib=1.0-r0", "", 0), WITH("oldlib-1.0-r0"));
	EXPECT(resolve("", "oldlib>1.0 oldlib<2.0", "", 0), WITH("oldlib-1.5-r0"));
#undef WITH
}

static void test_names_provides_and_provider_priority(void **state)
{
	(void)state;
	/* so: names */
	EXPECT(resolve("", "so:libz.so.1", "", 0), "build-base-0.5-r0 musl-1.2.5-r0 zlib-1.3.1-r1");
	/* /bin/sh and cmd:sh: two providers, the higher provider_priority wins */
	EXPECT(resolve("", "/bin/sh", "", 0),
	       "build-base-0.5-r0 busybox-binsh-1.36.1-r0 musl-1.2.5-r0 zlib-1.3.1-r1");
	EXPECT(resolve("cmd:sh", "", "", 0),
	       "build-base-0.5-r0 busybox-binsh-1.36.1-r0 musl-1.2.5-r0 zlib-1.3.1-r1");
	/* a versioned provide picks the other provider */
	EXPECT(resolve("", "cmd:sh<1", "", 0),
	       "build-base-0.5-r0 dash-binsh-0.5.12-r0 musl-1.2.5-r0 zlib-1.3.1-r1");
	/* pc: names */
	EXPECT(resolve("", "pc:certs", "", 0),
	       "build-base-0.5-r0 ca-certificates-bundle-20240705-r0 musl-1.2.5-r0 zlib-1.3.1-r1");
}

static void test_checkdepends_unless_nocheck_and_own_subpackages_left_out(void **state)
{
	struct apkbuild ab;
	struct lock l;
	struct kerr e = {0};
	(void)state;
	EXPECT(resolve("", "", "oldlib", 0),
	       "build-base-0.5-r0 musl-1.2.5-r0 oldlib-2.0-r0 zlib-1.3.1-r1");
	EXPECT(resolve("", "", "oldlib", 1), "build-base-0.5-r0 musl-1.2.5-r0 zlib-1.3.1-r1");
	/* depends on its own subpackage (and itself): abuild leaves those out */
	ab_init(&ab, "hello-libs hello=2.12-r1", "", "");
	strv_add(&ab.subpackages, "hello-libs:libs");
	strv_add(&ab.subpackages, "hello-doc");
	if (apk_resolve(dist, &ab, NULL, &l, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(l.n, 3);
	lock_free(&l);
	ab_done(&ab);
}

static void test_unresolvable_requests_are_explained(void **state)
{
	(void)state;
	EXPECT(resolve("", "nosuch", "", 0),
	       "FAIL 1: hello 2.12-r1 cannot be built on alpine:test x86_64:\n"
	       "nosuch is needed by the APKBUILD (makedepends), but alpine:test has no package "
	       "named or providing nosuch\n");
	EXPECT(resolve("", "oldlib>3", "", 0),
	       "FAIL 1: hello 2.12-r1 cannot be built on alpine:test x86_64:\n"
	       "oldlib>3 is needed by the APKBUILD (makedepends), but alpine:test has only "
	       "oldlib-1.0-r0, oldlib-1.5-r0, oldlib-2.0-r0\n");
	EXPECT(resolve("virt", "", "", 0),
	       "FAIL 1: hello 2.12-r1 cannot be built on alpine:test x86_64:\n"
	       "virt is needed by the APKBUILD (depends), but virt is a virtual name that virt-a "
	       "and virt-b provide, none with a provider_priority: name one of them\n");
	char *got = resolve("", "curl !ca-certificates-bundle", "", 0);
	assert_non_null(strstr(got, "FAIL 1: hello 2.12-r1 cannot be built on alpine:test x86_64:\n"
				    "problem 1: "));
	assert_non_null(strstr(got, "!ca-certificates-bundle (APKBUILD (makedepends))"));
	assert_non_null(strstr(got, "curl-8.9.1_p1-r0 depends on ca-certificates-bundle"));
	free(got);
	got = resolve("", "needs-gone", "", 0);
	assert_non_null(strstr(got, "needs-gone-1-r0 depends on gone, but alpine:test has nothing "
				    "that provides it"));
	free(got);
	/* a malformed atom names the APKBUILD */
	got = resolve("", "foo>>", "", 0);
	assert_non_null(strstr(got, "FAIL 7: /src/hello/APKBUILD: APKBUILD (makedepends): "
				    "dependency 'foo>>' is malformed"));
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_makedepends_and_base_set_give_a_lock_in_install_order),
	    cmocka_unit_test(test_lock_text_is_deterministic_and_round_trips_checksums),
	    cmocka_unit_test(test_version_constraints_choose_as_apk_does),
	    cmocka_unit_test(test_names_provides_and_provider_priority),
	    cmocka_unit_test(test_checkdepends_unless_nocheck_and_own_subpackages_left_out),
	    cmocka_unit_test(test_unresolvable_requests_are_explained),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
