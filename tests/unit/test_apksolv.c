/* test_apksolv.c - apk packages in a libsolv pool: libsolv picks what apk would pick. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/solver.h>
#include <solv/transaction.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include "distros/alpine/apk-private.h"
#include "distros/distros.h"

#define PKG(n, v, extra) "P:" n "\nV:" v "\nA:x86_64\nS:1\nI:1\nT:t\nU:u\nL:MIT\n" extra "\n"

/* clang-format off */
static const char repo_text[] =
	PKG("foo", "1.0_rc1-r0", "")
	PKG("foo", "1.0-r0", "")
	PKG("foo", "1.0_p1-r0", "")
	PKG("foo", "1.0a-r0", "")
	PKG("foo", "1.1_rc2-r0", "")
	PKG("bar", "1-r0", "D:foo<1.0a\n")
	PKG("baz", "1-r0", "D:so:libfoo.so.1\n")
	PKG("libfoo", "2.10-r0", "p:so:libfoo.so.1=2.10\n")
	PKG("libfoo", "2.9-r0", "p:so:libfoo.so.1=2.9\n")
	PKG("qux", "1-r0", "D:foo~1.0\n")
	PKG("zed", "1-r0", "D:foo !libfoo\n")
	PKG("foo-doc", "1.0-r0", "A:noarch\ni:docs foo\n")
	PKG("docs", "1-r0", "")
	PKG("sh-a", "1-r0", "p:/bin/sh cmd:sh=1-r0\n")
	PKG("sh-b", "1-r0", "p:/bin/sh cmd:sh=1-r0\n")
	PKG("virt-a", "1-r0", "p:virt\n")
	PKG("virt-b", "1-r0", "p:virt\n")
	PKG("wants-sh", "1-r0", "D:/bin/sh\n")
	PKG("ash", "1-r0", "p:/bin/sh\nk:10\n")
	PKG("zsh", "1-r0", "p:/bin/sh\nk:100\n")
	PKG("broken", "9-r0", "X:from the future\n");
/* clang-format on */

struct world {
	Pool *pool;
	Repo *repo;
};

static void load(struct world *w, int gen)
{
	struct apk_index idx;
	struct kerr e = {0};
	size_t skipped = 99;
	w->pool = pool_create();
	pool_setdisttype(w->pool, DISTTYPE_DEB);
	pool_setarch(w->pool, "x86_64");
	w->repo = repo_create(w->pool, "test");
	assert_int_equal(apk_index_parse_text(repo_text, strlen(repo_text), "APKINDEX", &idx, &e),
			 0);
	assert_int_equal(apk_repo_add_index(w->repo, &idx, gen, &skipped, &e), 0);
	assert_int_equal(skipped, 1); /* "broken": unknown upper-case field */
	apk_index_free(&idx);
	pool_addfileprovides(w->pool);
	pool_createwhatprovides(w->pool);
}

/* install names, return "name-version" of every package chosen, sorted, space separated */
static char *solve(struct world *w, const char *const *names)
{
	Queue job;
	Solver *solv;
	Transaction *t;
	struct strv out = {0};
	struct kbuf b;

	queue_init(&job);
	apk_pool_add_provider_favors(w->pool, &job);
	for (; *names; names++)
		queue_push2(&job, SOLVER_INSTALL | SOLVER_SOLVABLE_NAME,
			    pool_str2id(w->pool, *names, 1));
	solv = solver_create(w->pool);
	if (solver_solve(solv, &job) != 0) {
		solver_free(solv);
		queue_free(&job);
		return xstrdup("UNSOLVABLE");
	}
	t = solver_create_transaction(solv);
	for (int i = 0; i < t->steps.count; i++) {
		Solvable *s = pool_id2solvable(w->pool, t->steps.elements[i]);
		strv_add_owned(&out,
			       xasprintf("%s-%s", pool_id2str(w->pool, s->name),
					 apk_solvable_version(w->pool, t->steps.elements[i])));
	}
	strv_sort(&out);
	kbuf_init(&b);
	for (size_t i = 0; i < out.n; i++)
		kbuf_printf(&b, "%s%s", i ? " " : "", out.v[i]);
	strv_free(&out);
	transaction_free(t);
	solver_free(solv);
	queue_free(&job);
	return b.data ? b.data : xstrdup("");
}

static void expect(struct world *w, const char *const *names, const char *want)
{
	char *got = solve(w, names);
	if (strcmp(got, want))
		fail_msg("installing %s: got '%s', wanted '%s'", names[0], got, want);
	free(got);
}

static void test_newest_by_apk_rules_is_chosen(void **s)
{
	for (int gen = APK_GEN2; gen <= APK_GEN3; gen++) {
		struct world w;
		load(&w, gen);
		expect(&w, (const char *[]){"foo", NULL}, "foo-1.1_rc2-r0");
		/* bar needs foo < 1.0a: 1.0_p1 is the newest below it */
		expect(&w, (const char *[]){"bar", NULL}, "bar-1-r0 foo-1.0_p1-r0");
		/* baz needs so:libfoo.so.1: 2.10 beats 2.9 */
		expect(&w, (const char *[]){"baz", NULL}, "baz-1-r0 libfoo-2.10-r0");
		/* qux needs foo~1.0: 1.0a is the newest whose version starts with 1.0 */
		expect(&w, (const char *[]){"qux", NULL}, "foo-1.0a-r0 qux-1-r0");
		pool_free(w.pool);
	}
}

static void test_conflicts_and_install_if(void **s)
{
	struct world w;
	load(&w, APK_GEN3);
	expect(&w, (const char *[]){"zed", "baz", NULL}, "UNSOLVABLE");
	/* install_if docs + foo pulls in foo-doc */
	expect(&w, (const char *[]){"foo", "docs", NULL},
	       "docs-1-r0 foo-1.1_rc2-r0 foo-doc-1.0-r0");
	expect(&w, (const char *[]){"docs", NULL}, "docs-1-r0");
	/* versioned provides are exclusive, unversioned ones are not */
	expect(&w, (const char *[]){"sh-a", NULL}, "sh-a-1-r0");
	expect(&w, (const char *[]){"sh-a", "sh-b", NULL}, "UNSOLVABLE");
	expect(&w, (const char *[]){"virt-a", "virt-b", NULL}, "virt-a-1-r0 virt-b-1-r0");
	/* the provider with the highest provider_priority is chosen */
	expect(&w, (const char *[]){"wants-sh", NULL}, "wants-sh-1-r0 zsh-1-r0");
	pool_free(w.pool);
}

static void test_dependency_atoms_become_solv_relations(void **s)
{
	struct world w;
	struct apk_dep d;
	struct kerr e = {0};
	int id;
	load(&w, APK_GEN3);
	assert_int_equal(apk_dep_parse("foo>=1.0_p1", &d, &e), 0);
	assert_int_equal(apk_dep_to_solv_id(w.repo, &d, APK_GEN3, &id, &e), 0);
	assert_string_equal(pool_dep2str(w.pool, id), "foo >= 1.0PepN1");
	apk_dep_free(&d);
	assert_int_equal(apk_dep_parse("foo<2", &d, &e), 0);
	assert_int_equal(apk_dep_to_solv_id(w.repo, &d, APK_GEN2, &id, &e), 0);
	assert_string_equal(pool_dep2str(w.pool, id), "foo << 2"); /* strict, as apk's < */
	apk_dep_free(&d);
	assert_int_equal(apk_dep_parse("foo=1.0~zz", &d, &e), 0);
	assert_int_equal(apk_dep_to_solv_id(w.repo, &d, APK_GEN2, &id, &e), -KILN_EPARSE);
	apk_dep_free(&d);
	pool_free(w.pool);
}

/* the path the solver takes: verified snapshot -> index files -> pool */
static void test_verified_snapshot_loads_into_a_pool(void **s)
{
	char tmp[] = "/tmp/kiln-apksolv.XXXXXX";
	struct kerr e = {0};
	struct kbuf tar, inner, all;
	struct distro *d = NULL;
	struct index_list files;
	char hex[SHA256_HEX_LEN + 1];

	assert_non_null(mkdtemp(tmp));
	setenv("KILN_DISTROS_DIR", "distros/defs", 1);
	setenv("KILN_CONFIG", "/nonexistent", 1); /* the default mirror, whatever the host says */
	unsetenv("KILN_MIRROR");
	kiln_home_set(tmp);
	char *keys = xasprintf("%s/keys", tmp), *priv = xasprintf("%s/k.rsa", tmp);
	char *pub = xasprintf("%s/k.rsa.pub", keys);
	assert_int_equal(mkdir_p(keys, 0755, &e), 0);
	EVP_PKEY *k = EVP_RSA_gen(2048);
	FILE *f = fopen(priv, "w");
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	f = fopen(pub, "w");
	PEM_write_PUBKEY(f, k);
	fclose(f);
	EVP_PKEY_free(k);
	/* a signed index in the blob store, listed by the suite's manifest */
	kbuf_init(&tar);
	kbuf_init(&inner);
	kbuf_init(&all);
	tar_add_file(&tar, "APKINDEX", repo_text, strlen(repo_text), 0644, 0, 1);
	tar_add_end(&tar);
	assert_int_equal(gz_compress(tar.data, tar.len, &inner, &e), 0);
	assert_int_equal(apk_sign_member(inner.data, inner.len, priv, "k.rsa.pub", 1, 0, &all, &e),
			 0);
	kbuf_add(&all, inner.data, inner.len);
	assert_int_equal(blob_put(all.data, all.len, hex, &e), 0);
	assert_int_equal(distro_load("alpine:v3.23", NULL, &d, &e), 0);
	assert_int_equal(alpine_apk_gen(d), APK_GEN3);
	assert_int_equal(alpine_index_files(d, "x86_64", &files, &e), -KILN_ENOTFOUND);
	assert_non_null(strstr(e.msg, "run: kiln update alpine:v3.23"));
	char *state = distro_state_dir(d), *dir = xasprintf("%s/v3.23", state);
	char *man = xasprintf("%s/indices", dir),
	     *line = xasprintf("APKINDEX main x86_64 %s %zu\n", hex, all.len);
	assert_int_equal(mkdir_p(dir, 0755, &e), 0);
	assert_int_equal(write_file_atomic(man, line, strlen(line), 0644, &e), 0);
	assert_int_equal(alpine_index_files(d, "x86_64", &files, &e), 0);
	assert_int_equal(files.n, 1);
	assert_string_equal(files.v[0].component, "main");
	assert_string_equal(files.v[0].mirror,
			    "http://dl-cdn.alpinelinux.org/alpine/v3.23/main/x86_64");
	/* into a pool, verified on the way */
	struct world w;
	size_t skipped = 0;
	w.pool = pool_create();
	pool_setdisttype(w.pool, DISTTYPE_DEB);
	pool_setarch(w.pool, "x86_64");
	w.repo = repo_create(w.pool, "v3.23/main");
	assert_int_equal(
	    apk_repo_add_index_file(w.repo, files.v[0].path, keys, alpine_apk_gen(d), &skipped, &e),
	    0);
	assert_int_equal(skipped, 1);
	pool_addfileprovides(w.pool);
	pool_createwhatprovides(w.pool);
	expect(&w, (const char *[]){"qux", NULL}, "foo-1.0a-r0 qux-1-r0");
	/* a key that did not sign it: refused */
	char *other = xasprintf("%s/other", tmp);
	assert_int_equal(mkdir_p(other, 0755, &e), 0);
	assert_int_equal(
	    apk_repo_add_index_file(w.repo, files.v[0].path, other, APK_GEN3, &skipped, &e),
	    -KILN_EVERIFY);
	pool_free(w.pool);
	index_list_free(&files);
	distro_free(d);
	rm_rf(tmp);
	free(other);
	free(state);
	free(dir);
	free(man);
	free(line);
	free(keys);
	free(priv);
	free(pub);
	kbuf_free(&tar);
	kbuf_free(&inner);
	kbuf_free(&all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_newest_by_apk_rules_is_chosen),
	    cmocka_unit_test(test_conflicts_and_install_if),
	    cmocka_unit_test(test_dependency_atoms_become_solv_relations),
	    cmocka_unit_test(test_verified_snapshot_loads_into_a_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
