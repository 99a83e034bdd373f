/* test_apkdiff.c - `kiln diff` on .apk files written by apk_write_package: owners, contents,
 * .PKGINFO fields, and files that are not .apk packages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "attest/attest.h"
#include "builders/alpine.h"

static char dir[64];
static char key[128];

static int run(const char *cmd)
{
	int r = system(cmd);
	if (r != 0)
		fail_msg("command failed: %s", cmd);
	return r;
}

static int group_setup(void **s)
{
	strcpy(dir, "/tmp/kiln-apkdiff.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(key, sizeof(key), "%s/k.rsa", dir);
	char *cmd = xasprintf("openssl genrsa -out %s 2048 2>/dev/null && cd %s && mkdir -p "
			      "t/usr/bin t/etc && printf 'a=1\\nb=2\\n' >t/etc/conf && printf "
			      "'#!/bin/sh\\n' >t/usr/bin/run && chmod 755 t/usr/bin/run && chmod "
			      "644 t/etc/conf && printf 'etc/conf daemon daemon\\n' >owners",
			      key, dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static int group_teardown(void **s)
{
	rm_rf(dir);
	return 0;
}

static void write_pkg(const char *out, const char *desc, const char *owners)
{
	struct apk_pkg m = {0};
	struct apk_write_opts o = {0};
	struct kerr e = {0};
	char *tree = xasprintf("%s/t", dir), *op = xasprintf("%s/%s", dir, out);
	char *own = owners ? xasprintf("%s/%s", dir, owners) : NULL;
	m.name = "d";
	m.version = "1-r0";
	m.arch = "noarch";
	m.description = (char *)desc;
	m.license = "MIT";
	o.meta = &m;
	o.source_date_epoch = 1000;
	o.key_path = key;
	o.key_name = "k.rsa.pub";
	o.owners_path = own;
	assert_int_equal(apk_write_package(tree, &o, op, &e), 0);
	free(tree);
	free(op);
	free(own);
}

static json_t *diff(const char *a, const char *b)
{
	char *pa = xasprintf("%s/%s", dir, a), *pb = xasprintf("%s/%s", dir, b);
	struct kerr e = {0};
	json_t *r = NULL;
	assert_int_equal(apk_diff(pa, pb, NULL, &r, &e), 0);
	free(pa);
	free(pb);
	return r;
}

static void test_owner_names_and_contents_are_compared(void **s)
{
	write_pkg("a.apk", "one", NULL);
	char *cmd = xasprintf("printf 'a=1\\nb=3\\n' >%s/t/etc/conf", dir);
	run(cmd);
	free(cmd);
	write_pkg("b.apk", "two", "owners");
	json_t *r = diff("a.apk", "b.apk");
	assert_string_equal(json_string_value(json_object_get(r, "format")), "apk");
	json_t *f, *conf = NULL;
	size_t i;
	json_array_foreach(json_object_get(r, "files"), i, f)
	{
		if (!strcmp(json_string_value(json_object_get(f, "path")), "etc/conf"))
			conf = f;
	}
	assert_non_null(conf);
	char *d = json_dumps(json_object_get(conf, "differences"), JSON_COMPACT);
	assert_string_equal(d, "[\"owner\",\"content\"]");
	free(d);
	assert_string_equal(json_string_value(json_object_get(json_object_get(conf, "a"), "owner")),
			    "root");
	assert_string_equal(json_string_value(json_object_get(json_object_get(conf, "b"), "owner")),
			    "daemon");
	d = json_dumps(json_object_get(conf, "text_diff"), JSON_COMPACT);
	assert_string_equal(d, "[\"@@ -1,2 +1,2 @@\",\" a=1\",\"-b=2\",\"+b=3\"]");
	free(d);
	json_t *c0 = json_array_get(json_object_get(r, "control"), 0);
	assert_string_equal(json_string_value(json_object_get(c0, "field")), "pkgdesc");
	assert_string_equal(json_string_value(json_object_get(c0, "a")), "one");
	assert_string_equal(json_string_value(json_object_get(c0, "b")), "two");
	json_decref(r);
	r = diff("a.apk", "a.apk");
	assert_true(json_is_true(json_object_get(r, "identical")));
	json_decref(r);
}

static void test_files_that_are_not_apk_packages_are_refused(void **s)
{
	struct deb_walk_ops ops = {NULL, NULL};
	struct kerr e = {0};
	char *p = xasprintf("%s/one.gz", dir), *cmd = xasprintf("printf hello | gzip -n >%s", p);
	run(cmd);
	free(cmd);
	assert_int_equal(apk_walk(p, &ops, NULL, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "not an apk v2 package (1 gzip stream"));
	free(p);
	p = xasprintf("%s/t/etc/conf", dir);
	assert_int_equal(apk_walk(p, &ops, NULL, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "not gzip data at offset 0"));
	free(p);
	assert_int_equal(apk_walk("/nonexistent.apk", &ops, NULL, &e), -KILN_ENOTFOUND);
	assert_ptr_equal(pkg_format_of("/nonexistent.apk"), &apk_format);
	assert_ptr_equal(pkg_format_of("/nonexistent.deb"), &deb_format);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_owner_names_and_contents_are_compared),
	    cmocka_unit_test(test_files_that_are_not_apk_packages_are_refused),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
