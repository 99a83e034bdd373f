/* test_debextract.c - .deb reading and safe data.tar extraction, including hostile archives the
 * tests build themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "builders/builders.h"

/* one tar entry of a test archive */
struct ent {
	const char *name;
	char type;	  /* f file, d dir, l symlink, h hardlink, c char device, p fifo */
	const char *data; /* file content, or link target */
	int mode;
};

static char scratch[256];

static void build_tar(const struct ent *ents, size_t n, const char *filter, void **out, size_t *len)
{
	struct archive *a = archive_write_new();
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	size_t used = 0;
	archive_write_set_format_gnutar(a);
	if (filter && !strcmp(filter, "xz"))
		archive_write_add_filter_xz(a);
	else if (filter && !strcmp(filter, "gz"))
		archive_write_add_filter_gzip(a);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_mtime(e, 1700000000, 0);
		archive_entry_set_perm(e, ents[i].mode ? ents[i].mode : 0644);
		switch (ents[i].type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, ents[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, ents[i].data);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_rdev(e, makedev(1, 3));
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, ents[i].data ? strlen(ents[i].data) : 0);
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (ents[i].type == 'f' && ents[i].data)
			archive_write_data(a, ents[i].data, strlen(ents[i].data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	*out = buf;
	*len = used;
}

static void ar_add(struct archive *a, const char *name, const void *p, size_t n)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, n);
	archive_entry_set_mtime(e, 1700000000, 0);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	archive_write_data(a, p, n);
	archive_entry_free(e);
}

/* write a .deb holding the given data.tar entries; returns its path */
static char *make_deb(const char *name, const struct ent *ents, size_t n)
{
	static const struct ent ctl[] = {
	    {"./", 'd', NULL, 0},
	    {"./control", 'f',
	     "Package: t\nVersion: 1.0\nArchitecture: all\nPre-Depends: libc6 (>= 2.36)\n", 0},
	};
	char *path = xasprintf("%s/%s", scratch, name);
	void *c, *d;
	size_t cl, dl;
	build_tar(ctl, 2, "gz", &c, &cl);
	build_tar(ents, n, "xz", &d, &dl);
	struct archive *a = archive_write_new();
	archive_write_set_format_ar_svr4(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	ar_add(a, "debian-binary", "2.0\n", 4);
	ar_add(a, "control.tar.gz", c, cl);
	ar_add(a, "data.tar.xz", d, dl);
	archive_write_close(a);
	archive_write_free(a);
	free(c);
	free(d);
	return path;
}

/* a fresh root directory with the merged-/usr aliases, as debroot makes it */
static int fresh_root(const char *name, char **path)
{
	*path = xasprintf("%s/%s", scratch, name);
	char *ub = xasprintf("%s/usr/bin", *path);
	struct kerr e = {0};
	assert_int_equal(mkdir_p(ub, 0755, &e), 0);
	char *l = xasprintf("%s/bin", *path);
	assert_int_equal(symlink("usr/bin", l), 0);
	free(l);
	free(ub);
	int fd = open(*path, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

static const struct deb_extract_opts xopts = {.aliases = debroot_aliases, .set_owner = 0};

static int extract(const char *debname, const struct ent *ents, size_t n, char **root,
		   struct kerr *e)
{
	char *deb = make_deb(debname, ents, n);
	char *rname = xasprintf("%s.root", debname);
	int fd = fresh_root(rname, root);
	free(rname);
	int r = deb_extract_data(deb, fd, &xopts, e);
	close(fd);
	free(deb);
	return r;
}

static int setup(void **s)
{
	snprintf(scratch, sizeof(scratch), "/tmp/kiln-test-debextract.XXXXXX");
	assert_non_null(mkdtemp(scratch));
	return 0;
}

static int teardown(void **s)
{
	rm_rf(scratch);
	return 0;
}

static int file_is(const char *root, const char *rel, const char *content)
{
	struct kbuf b = {0};
	struct kerr e = {0};
	char *p = xasprintf("%s/%s", root, rel);
	int ok = read_file(p, &b, 0, &e) == 0 && !strcmp(b.data, content);
	kbuf_free(&b);
	free(p);
	return ok;
}

static void test_control_file_is_read(void **s)
{
	static const struct ent d[] = {{"./", 'd', NULL, 0}};
	char *deb = make_deb("ctl.deb", d, 1);
	struct kbuf b = {0};
	struct kerr e = {0};
	assert_int_equal(deb_read_control(deb, &b, &e), 0);
	assert_non_null(strstr(b.data, "Package: t\n"));
	kbuf_free(&b);
	free(deb);
}

static void test_normal_package_extracts_files_links_and_modes(void **s)
{
	static const struct ent d[] = {
	    {"./", 'd', NULL, 0},
	    {"./usr/", 'd', NULL, 0},
	    {"./usr/share/", 'd', NULL, 0},
	    {"./usr/share/t/", 'd', NULL, 0},
	    {"./usr/share/t/a", 'f', "hello\n", 0644},
	    {"./usr/share/t/run", 'f', "#!/bin/sh\n", 04755},
	    {"./usr/share/t/b", 'h', "./usr/share/t/a", 0},
	    {"./usr/share/t/abs", 'l', "/etc/passwd", 0777},
	    {"./usr/share/t/rel", 'l', "../../..", 0777},
	};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("ok.deb", d, sizeof(d) / sizeof(d[0]), &root, &e), 0);
	assert_true(file_is(root, "usr/share/t/a", "hello\n"));
	struct stat a, b;
	char *pa = xasprintf("%s/usr/share/t/a", root), *pb = xasprintf("%s/usr/share/t/b", root);
	assert_int_equal(stat(pa, &a), 0);
	assert_int_equal(stat(pb, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_mtime, 1700000000);
	free(pa);
	free(pb);
	char *pr = xasprintf("%s/usr/share/t/run", root);
	assert_int_equal(stat(pr, &a), 0);
	assert_int_equal(a.st_mode & 07777, 04755);
	free(pr);
	char t[64] = {0};
	char *pl = xasprintf("%s/usr/share/t/abs", root);
	assert_int_equal(readlink(pl, t, sizeof(t) - 1), 11);
	assert_string_equal(t, "/etc/passwd");
	free(pl);
	free(root);
}

static void test_entries_pass_through_the_merged_usr_alias(void **s)
{
	static const struct ent d[] = {
	    {"./", 'd', NULL, 0}, {"./bin/", 'd', NULL, 0}, {"./bin/sh", 'f', "shell", 0755}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("alias.deb", d, 3, &root, &e), 0);
	assert_true(file_is(root, "usr/bin/sh", "shell"));
	struct stat st;
	char *p = xasprintf("%s/bin", root);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	free(p);
	free(root);
}

static void test_absolute_member_path_is_rejected(void **s)
{
	static const struct ent d[] = {{"/tmp/kiln-evil-abs", 'f', "x", 0}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("abs.deb", d, 1, &root, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "leaves the root"));
	assert_false(path_exists("/tmp/kiln-evil-abs"));
	free(root);
}

static void test_dotdot_member_path_is_rejected(void **s)
{
	static const struct ent d[] = {{"./a/../../kiln-evil-dotdot", 'f', "x", 0}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("dotdot.deb", d, 1, &root, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "dotdot.deb"));
	char *p = xasprintf("%s/kiln-evil-dotdot", scratch);
	assert_false(path_exists(p));
	free(p);
	free(root);
}

static void test_write_through_symlink_to_outside_is_rejected(void **s)
{
	char *outside = xasprintf("%s/outside", scratch);
	mkdir(outside, 0755);
	char *member = xasprintf("./link/evil");
	const struct ent d[] = {{"./link", 'l', outside, 0777}, {member, 'f', "pwned", 0}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("symdir.deb", d, 2, &root, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "through the symlink 'link'"));
	char *p = xasprintf("%s/evil", outside);
	assert_false(path_exists(p));
	free(p);
	free(member);
	free(outside);
	free(root);
}

static void test_write_through_relative_dotdot_symlink_is_rejected(void **s)
{
	static const struct ent d[] = {{"./up", 'l', "..", 0777},
				       {"./up/kiln-evil-up", 'f', "x", 0}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("symup.deb", d, 2, &root, &e), -KILN_EVERIFY);
	char *p = xasprintf("%s/kiln-evil-up", scratch);
	assert_false(path_exists(p));
	free(p);
	free(root);
}

static void test_file_over_symlink_replaces_the_link_not_its_target(void **s)
{
	char *target = xasprintf("%s/target-file", scratch);
	struct kerr e = {0};
	assert_int_equal(write_file_atomic(target, "orig", 4, 0644, &e), 0);
	const struct ent d[] = {{"./x", 'l', target, 0777}, {"./x", 'f', "new", 0644}};
	char *root;
	assert_int_equal(extract("overlink.deb", d, 2, &root, &e), 0);
	assert_true(file_is(scratch, "target-file", "orig"));
	assert_true(file_is(root, "x", "new"));
	free(target);
	free(root);
}

static void test_device_node_is_rejected(void **s)
{
	static const struct ent d[] = {{"./dev/", 'd', NULL, 0}, {"./dev/null", 'c', NULL, 0666}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("dev.deb", d, 2, &root, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "device node"));
	free(root);
}

static void test_fifo_is_rejected(void **s)
{
	static const struct ent d[] = {{"./fifo", 'p', NULL, 0644}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("fifo.deb", d, 1, &root, &e), -KILN_EVERIFY);
	free(root);
}

static void test_hardlink_outside_the_root_is_rejected(void **s)
{
	static const struct ent d[] = {{"./passwd", 'h', "../../../../etc/passwd", 0}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("hlout.deb", d, 1, &root, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "hard link"));
	free(root);
}

static void test_hardlink_through_symlink_is_rejected(void **s)
{
	static const struct ent d[] = {{"./etc", 'l', "/etc", 0777},
				       {"./passwd", 'h', "./etc/passwd", 0}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("hlsym.deb", d, 2, &root, &e), -KILN_EVERIFY);
	free(root);
}

static void test_hardlink_to_a_symlink_is_rejected(void **s)
{
	static const struct ent d[] = {{"./l", 'l', "/etc/shadow", 0777}, {"./h", 'h', "./l", 0}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("hltolink.deb", d, 2, &root, &e), -KILN_EVERIFY);
	free(root);
}

static void test_directory_over_a_file_is_rejected(void **s)
{
	static const struct ent d[] = {{"./a", 'f', "x", 0644}, {"./a/", 'd', NULL, 0}};
	char *root;
	struct kerr e = {0};
	assert_int_equal(extract("dirfile.deb", d, 2, &root, &e), -KILN_EVERIFY);
	free(root);
}

static void test_garbage_is_not_a_deb(void **s)
{
	char *p = xasprintf("%s/garbage.deb", scratch);
	struct kerr e = {0};
	struct kbuf b = {0};
	assert_int_equal(write_file_atomic(p, "not an archive at all", 21, 0644, &e), 0);
	assert_int_equal(deb_read_control(p, &b, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "garbage.deb"));
	kbuf_free(&b);
	free(p);
}

static void test_wrong_first_member_is_rejected(void **s)
{
	char *p = xasprintf("%s/wrongfirst.deb", scratch);
	struct archive *a = archive_write_new();
	archive_write_set_format_ar_svr4(a);
	assert_int_equal(archive_write_open_filename(a, p), ARCHIVE_OK);
	ar_add(a, "data.tar", "x", 1);
	archive_write_close(a);
	archive_write_free(a);
	struct kerr e = {0};
	struct kbuf b = {0};
	assert_int_equal(deb_read_control(p, &b, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "not debian-binary"));
	kbuf_free(&b);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_control_file_is_read),
	    cmocka_unit_test(test_normal_package_extracts_files_links_and_modes),
	    cmocka_unit_test(test_entries_pass_through_the_merged_usr_alias),
	    cmocka_unit_test(test_absolute_member_path_is_rejected),
	    cmocka_unit_test(test_dotdot_member_path_is_rejected),
	    cmocka_unit_test(test_write_through_symlink_to_outside_is_rejected),
	    cmocka_unit_test(test_write_through_relative_dotdot_symlink_is_rejected),
	    cmocka_unit_test(test_file_over_symlink_replaces_the_link_not_its_target),
	    cmocka_unit_test(test_device_node_is_rejected),
	    cmocka_unit_test(test_fifo_is_rejected),
	    cmocka_unit_test(test_hardlink_outside_the_root_is_rejected),
	    cmocka_unit_test(test_hardlink_through_symlink_is_rejected),
	    cmocka_unit_test(test_hardlink_to_a_symlink_is_rejected),
	    cmocka_unit_test(test_directory_over_a_file_is_rejected),
	    cmocka_unit_test(test_garbage_is_not_a_deb),
	    cmocka_unit_test(test_wrong_first_member_is_rejected),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
