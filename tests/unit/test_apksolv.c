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

#include "distros/distros.h"

#define PKG(n, v, extra) "P:" n "\nV:" v "\nA:x86_64\nS:1\nI:1\nT:t\nU:u\nL:MIT\n" extra "\n"

static const char repo_text[] = PKG("foo", "1.0_rc1-r0", "") PKG("foo", "1.0-r0", "")
    PKG("foo", "1.0_p1-r0", "") PKG("foo", "1.0a-r0", "") PKG("foo", "1.1_rc2-r0", "")
	PKG("bar", "1-r0", "D:foo<1.0a\n") PKG("baz", "1-r0", "D:so:libfoo.so.1\n")
	    PKG("libfoo", "2.10-r0", "p:so:libfoo.so.1=2.10\n")
		PKG("libfoo", "2.9-r0", "p:so:libfoo.so.1=2.9\n") PKG("qux", "1-r0", "D:foo~1.0\n")
		    PKG("zed", "1-r0", "D:foo !libfoo\n")
			PKG("foo-doc", "1.0-r0", "A:noarch\ni:docs foo\n") PKG("docs", "1-r0", "")
			    PKG("broken", "9-r0", "X:from the future\n");

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_newest_by_apk_rules_is_chosen),
	    cmocka_unit_test(test_conflicts_and_install_if),
	    cmocka_unit_test(test_dependency_atoms_become_solv_relations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
