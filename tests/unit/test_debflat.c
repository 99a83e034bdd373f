/* test_debflat.c - flat .debs: data.tar decompressed once into an uncompressed
 * member, the rest byte for byte, and every failure cleaned up and named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builders/debflat.h"

static char scratch[256];

struct blob {
	char *p;
	size_t n;
};

static void blob_free(struct blob *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

/* an uncompressed tar with the given files (name, content pairs) */
static struct blob make_tar(const char *const *files, size_t nfiles)
{
	struct blob b = {malloc(1 << 20), 0};
	struct archive *a = archive_write_new();
	archive_write_set_format_gnutar(a);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open_memory(a, b.p, 1 << 20, &b.n), ARCHIVE_OK);
	for (size_t i = 0; i < nfiles; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, files[2 * i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, 1700000000, 0);
		archive_entry_set_size(e, (la_int64_t)strlen(files[2 * i + 1]));
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		archive_write_data(a, files[2 * i + 1], strlen(files[2 * i + 1]));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return b;
}

/* in compressed with filter ("xz", "gz", "zstd") as a raw stream */
static struct blob compress(const struct blob *in, const char *filter)
{
	struct blob b = {malloc(in->n + 65536), 0};
	struct archive *a = archive_write_new();
	archive_write_set_format_raw(a);
	assert_int_equal(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open_memory(a, b.p, in->n + 65536, &b.n), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_filetype(e, AE_IFREG);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, in->p, in->n), (la_ssize_t)in->n);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	return b;
}

static void ar_add(struct archive *a, const char *name, const void *p, size_t n)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_mtime(e, 1700000000, 0);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	archive_write_data(a, p, n);
	archive_entry_free(e);
}

static char *write_deb(const char *name, const struct blob *ctl, const char *ctl_name,
		       const struct blob *data, const char *data_name)
{
	char *path = xasprintf("%s/%s", scratch, name);
	struct archive *a = archive_write_new();
	archive_write_set_format_ar_svr4(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	ar_add(a, "debian-binary", "2.0\n", 4);
	ar_add(a, ctl_name, ctl->p, ctl->n);
	ar_add(a, data_name, data->p, data->n);
	archive_write_close(a);
	archive_write_free(a);
	return path;
}

/* the control.tar.gz of package `pkg`, padded until its size is odd (so the
 * flat .deb needs ar padding after it) */
static struct blob make_control(const char *pkg)
{
	for (int pad = 0;; pad++) {
		char *text = xasprintf("Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: "
				       "kiln <kiln@example.org>\n"
				       "Description: %*s\n",
				       pkg, pad + 1, "x");
		const char *files[] = {"./control", text};
		struct blob t = make_tar(files, 1);
		struct blob c = compress(&t, "gzip");
		blob_free(&t);
		free(text);
		if (c.n % 2)
			return c;
		blob_free(&c);
	}
}

/* the decompressed data.tar the fixtures hold */
static struct blob fixture_data(void)
{
	static const char *const files[] = {"./usr/share/doc/t/README",
					    "a flat .deb keeps every byte of data.tar\n",
					    "./usr/bin/t",
					    "#!/bin/sh\necho t\n",
					    "./etc/t.conf",
					    "x=1\n"};
	return make_tar(files, 3);
}

/* a .deb with an xz data.tar; *data gets the uncompressed data.tar */
static char *make_deb(const char *name, struct blob *ctl, struct blob *data)
{
	*ctl = make_control("t");
	*data = fixture_data();
	struct blob xz = compress(data, "xz");
	char *p = write_deb(name, ctl, "control.tar.gz", &xz, "data.tar.xz");
	blob_free(&xz);
	return p;
}

/* every member of an ar archive, in order */
struct member {
	char name[32];
	struct blob body;
};

static size_t read_ar(const char *path, struct member *m, size_t max)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t n = 0;
	archive_read_support_format_ar(a);
	assert_int_equal(archive_read_open_filename(a, path, 65536), ARCHIVE_OK);
	while (n < max && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		snprintf(m[n].name, sizeof(m[n].name), "%s", archive_entry_pathname(e));
		size_t sz = (size_t)archive_entry_size(e);
		m[n].body.p = malloc(sz + 1);
		m[n].body.n = sz;
		assert_int_equal(archive_read_data(a, m[n].body.p, sz + 1), (la_ssize_t)sz);
		n++;
	}
	archive_read_free(a);
	return n;
}

static int blob_eq(const struct blob *a, const struct blob *b)
{
	return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

static void read_all(const char *path, struct blob *b)
{
	struct kbuf k = {0};
	struct kerr e = {0};
	assert_int_equal(read_file(path, &k, 0, &e), 0);
	b->p = k.data;
	b->n = k.len;
}

static void test_flat_deb_holds_the_decompressed_data_tar_and_the_control_member_unchanged(void **s)
{
	struct blob ctl, data, flatbytes;
	char *deb = make_deb("t.deb", &ctl, &data);
	char *out = xasprintf("%s/t.flat.deb", scratch);
	struct kerr e = {0};
	struct member m[4];

	assert_int_equal(deb_flatten(deb, out, 0, NULL, &e), 0);
	assert_int_equal(read_ar(out, m, 4), 3);
	assert_string_equal(m[0].name, "debian-binary");
	assert_int_equal(m[0].body.n, 4);
	assert_memory_equal(m[0].body.p, "2.0\n", 4);
	assert_string_equal(m[1].name, "control.tar.gz");
	assert_true(blob_eq(&m[1].body, &ctl));
	assert_string_equal(m[2].name, "data.tar");
	assert_true(blob_eq(&m[2].body, &data));
	/* the bytes of the whole file: magic, 3 headers, bodies, one pad byte */
	read_all(out, &flatbytes);
	assert_int_equal(flatbytes.n, 8 + 3 * 60 + 4 + ctl.n + 1 + data.n);
	assert_memory_equal(flatbytes.p + 8,
			    "debian-binary   1700000000  0     0     100644  4         `\n", 60);
	assert_memory_equal(flatbytes.p + 8 + 60 + 4 + 60 + ctl.n, "\n", 1);
	for (int i = 0; i < 3; i++)
		blob_free(&m[i].body);
	blob_free(&flatbytes);
	blob_free(&ctl);
	blob_free(&data);
	free(deb);
	free(out);
}

/* dpkg-deb (what the root's dpkg runs) reads the flat .deb as the original */
static void test_dpkg_deb_reads_the_flat_deb_as_the_original(void **s)
{
	if (access("/usr/bin/dpkg-deb", X_OK) != 0)
		skip();
	struct blob ctl, data, fsys;
	char *deb = make_deb("d.deb", &ctl, &data);
	char *out = xasprintf("%s/d.flat.deb", scratch);
	char *tarp = xasprintf("%s/d.fsys", scratch);
	struct kerr e = {0};

	assert_int_equal(deb_flatten(deb, out, 0, NULL, &e), 0);
	char *cmd = xasprintf("dpkg-deb --fsys-tarfile %s > %s", out, tarp);
	assert_int_equal(system(cmd), 0);
	read_all(tarp, &fsys);
	assert_true(blob_eq(&fsys, &data));
	free(cmd);
	/* control, fields and the file list as dpkg-deb shows them */
	char *sh = xasprintf("%s/d.sh", scratch);
	char *text = xasprintf("set -e\n"
			       "[ \"$(dpkg-deb --field %s Package)\" = t ]\n"
			       "a=$(dpkg-deb --contents %s); b=$(dpkg-deb --contents %s)\n"
			       "[ -n \"$a\" ] && [ \"$a\" = \"$b\" ]\n"
			       "cmp <(dpkg-deb --ctrl-tarfile %s) <(dpkg-deb --ctrl-tarfile %s)\n"
			       "dpkg-deb --info %s >/dev/null\n",
			       out, deb, out, deb, out, out);
	assert_int_equal(write_file_atomic(sh, text, strlen(text), 0644, &e), 0);
	cmd = xasprintf("bash %s", sh);
	assert_int_equal(system(cmd), 0);
	free(sh);
	free(text);
	free(cmd);
	blob_free(&fsys);
	blob_free(&ctl);
	blob_free(&data);
	free(deb);
	free(out);
	free(tarp);
}

/* each way a data member can be broken: an error naming the .deb, no file */
static void check_fails(const char *name, const struct blob *data, const char *data_name,
			uint64_t max, int code)
{
	struct blob ctl = make_control("t");
	char *deb = write_deb(name, &ctl, "control.tar.gz", data, data_name);
	char *out = xasprintf("%s.flat", deb);
	struct kerr e = {0};
	struct stat st;

	assert_int_equal(deb_flatten(deb, out, max, NULL, &e), -code);
	assert_non_null(strstr(e.msg, name));
	assert_int_equal(lstat(out, &st), -1);
	blob_free(&ctl);
	free(deb);
	free(out);
}

static void test_corrupt_data_tar_xz_fails_naming_the_deb_and_leaves_nothing(void **s)
{
	struct blob data = fixture_data();
	struct blob xz = compress(&data, "xz");
	for (size_t i = xz.n / 3; i < xz.n / 3 + 16; i++)
		xz.p[i] ^= 0x5a;
	check_fails("corrupt.deb", &xz, "data.tar.xz", 0, KILN_EPARSE);
	blob_free(&xz);
	blob_free(&data);
}

static void test_truncated_data_tar_xz_fails_naming_the_deb_and_leaves_nothing(void **s)
{
	struct blob data = fixture_data();
	struct blob xz = compress(&data, "xz");
	xz.n /= 2;
	check_fails("truncated.deb", &xz, "data.tar.xz", 0, KILN_EPARSE);
	blob_free(&xz);
	blob_free(&data);
}

static void test_data_beyond_the_size_limit_is_refused_and_leaves_nothing(void **s)
{
	struct blob data = fixture_data();
	struct blob zst = compress(&data, "zstd");
	check_fails("huge.deb", &zst, "data.tar.zst", data.n - 1, KILN_EVERIFY);
	blob_free(&zst);
	blob_free(&data);
}

static void test_a_deb_without_data_tar_fails_naming_the_deb(void **s)
{
	struct blob data = fixture_data();
	check_fails("nodata.deb", &data, "data.tgz", 0, KILN_EPARSE);
	blob_free(&data);
}

/* a write error (here the file size limit; a full disk alike) */
static void test_a_failed_write_fails_naming_the_deb_and_leaves_nothing(void **s)
{
	struct blob ctl, data;
	char *deb = make_deb("efbig.deb", &ctl, &data);
	char *out = xasprintf("%s/efbig.flat.deb", scratch);
	struct kerr e = {0};
	struct rlimit old, lim;
	struct stat st;

	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 1024;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int r = deb_flatten(deb, out, 0, NULL, &e);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(r, -KILN_EIO);
	assert_non_null(strstr(e.msg, "efbig.deb"));
	assert_non_null(strstr(e.msg, "File too large"));
	assert_int_equal(lstat(out, &st), -1);
	blob_free(&ctl);
	blob_free(&data);
	free(deb);
	free(out);
}

/* an uncompressed data.tar (dpkg-deb -Znone) is copied as it is */
static void test_an_uncompressed_data_tar_is_copied(void **s)
{
	struct blob ctl = make_control("u"), data = fixture_data();
	char *deb = write_deb("u.deb", &ctl, "control.tar.gz", &data, "data.tar");
	char *out = xasprintf("%s.flat", deb);
	struct blob orig, flat;
	struct kerr e = {0};

	assert_int_equal(deb_flatten(deb, out, 0, NULL, &e), 0);
	/* libarchive's writer made the same layout dpkg-deb would */
	read_all(deb, &orig);
	read_all(out, &flat);
	assert_int_equal(flat.n, orig.n);
	struct member mo[4], mf[4];
	assert_int_equal(read_ar(deb, mo, 4), 3);
	assert_int_equal(read_ar(out, mf, 4), 3);
	for (int i = 0; i < 3; i++) {
		assert_true(blob_eq(&mo[i].body, &mf[i].body));
		blob_free(&mo[i].body);
		blob_free(&mf[i].body);
	}
	blob_free(&orig);
	blob_free(&flat);
	blob_free(&ctl);
	blob_free(&data);
	free(deb);
	free(out);
}

/* the pool converts every job; a failure is reported, naming the package,
 * to whoever waits for it or for a job that then never ran */
static void test_the_pool_converts_every_package_and_names_the_one_that_failed(void **s)
{
	enum { N = 6 };
	struct deb_flat_job jobs[N];
	size_t order[N];
	char *debs[N], *outs[N];
	struct blob ctl, data;
	struct kerr e = {0};
	struct deb_flat_pool *p;

	for (size_t i = 0; i < N; i++) {
		char name[32];
		snprintf(name, sizeof(name), "pool%zu.deb", i);
		debs[i] = make_deb(name, &ctl, &data);
		blob_free(&ctl);
		blob_free(&data);
		outs[i] = xasprintf("%s.flat", debs[i]);
		jobs[i] = (struct deb_flat_job){debs[i], outs[i], "pkg 1.0"};
		order[i] = N - 1 - i;
	}
	struct deb_flat_pool_opts po = {.threads = 2, .urgent = 2};
	assert_int_equal(deb_flat_pool_start(&p, jobs, order, N, &po, &e), 0);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(deb_flat_pool_wait(p, i, &e), 0);
		assert_int_equal(access(outs[i], F_OK), 0);
	}
	deb_flat_pool_free(p);

	/* the first job in order is broken: nothing after it is converted */
	for (size_t i = 0; i < N; i++)
		unlink(outs[i]);
	assert_int_equal(truncate(debs[N - 1], 100), 0);
	jobs[N - 1].what = "broken 2.0";
	po.threads = 1;
	assert_int_equal(deb_flat_pool_start(&p, jobs, order, N, &po, &e), 0);
	assert_int_equal(deb_flat_pool_wait(p, 0, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "converting broken 2.0: "));
	assert_non_null(strstr(e.msg, "pool5.deb"));
	memset(&e, 0, sizeof(e));
	assert_int_equal(deb_flat_pool_wait(p, N - 1, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "converting broken 2.0: "));
	deb_flat_pool_free(p);
	assert_int_equal(access(outs[N - 1], F_OK), -1);
	assert_int_equal(access(outs[0], F_OK), -1);
	for (size_t i = 0; i < N; i++) {
		free(debs[i]);
		free(outs[i]);
	}
}

/* Ctrl-C (the cancel flag a signal handler sets): no job starts after it
 * is seen, and waiting for one that did not run says it was interrupted */
static void test_a_cancelled_pool_converts_nothing_more_and_says_so(void **s)
{
	enum { N = 3 };
	struct deb_flat_job jobs[N];
	size_t order[N] = {0, 1, 2};
	char *debs[N], *outs[N];
	struct blob ctl, data;
	struct kerr e = {0};
	struct deb_flat_pool *p;
	static volatile sig_atomic_t cancel = 1;

	for (size_t i = 0; i < N; i++) {
		char name[32];
		snprintf(name, sizeof(name), "cancel%zu.deb", i);
		debs[i] = make_deb(name, &ctl, &data);
		blob_free(&ctl);
		blob_free(&data);
		outs[i] = xasprintf("%s.flat", debs[i]);
		jobs[i] = (struct deb_flat_job){debs[i], outs[i], "pkg 1.0"};
	}
	struct deb_flat_pool_opts po = {.threads = 2, .cancel = &cancel};
	assert_int_equal(deb_flat_pool_start(&p, jobs, order, N, &po, &e), 0);
	for (size_t i = 0; i < N; i++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(deb_flat_pool_wait(p, i, &e), -KILN_EINTR);
		assert_non_null(strstr(e.msg, "interrupted"));
	}
	deb_flat_pool_free(p);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(access(outs[i], F_OK), -1);
		free(debs[i]);
		free(outs[i]);
	}
}

static int setup(void **s)
{
	snprintf(scratch, sizeof(scratch), "/tmp/kiln-test-debflat.XXXXXX");
	assert_non_null(mkdtemp(scratch));
	return 0;
}

static int teardown(void **s)
{
	rm_rf(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
		test_flat_deb_holds_the_decompressed_data_tar_and_the_control_member_unchanged),
	    cmocka_unit_test(test_dpkg_deb_reads_the_flat_deb_as_the_original),
	    cmocka_unit_test(test_corrupt_data_tar_xz_fails_naming_the_deb_and_leaves_nothing),
	    cmocka_unit_test(test_truncated_data_tar_xz_fails_naming_the_deb_and_leaves_nothing),
	    cmocka_unit_test(test_data_beyond_the_size_limit_is_refused_and_leaves_nothing),
	    cmocka_unit_test(test_a_deb_without_data_tar_fails_naming_the_deb),
	    cmocka_unit_test(test_a_failed_write_fails_naming_the_deb_and_leaves_nothing),
	    cmocka_unit_test(test_an_uncompressed_data_tar_is_copied),
	    cmocka_unit_test(test_the_pool_converts_every_package_and_names_the_one_that_failed),
	    cmocka_unit_test(test_a_cancelled_pool_converts_nothing_more_and_says_so),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
