/* test_apkwrite.c - writing signed .apk v2 packages: read back by kiln, exact .PKGINFO,
 * reproducible bytes, abuild's scanners on real ELF files, refusals of hostile trees, and the
 * ELF reader on hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "builders/alpine.h"
#include "distros/alpine/apk-private.h" /* tar_each_file */

static char dir[64];
static char key[128], keys_dir[128];
#define KEY_NAME "test@kiln-1.rsa.pub"
#define SDE 1700000000

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	int r = system(cmd);
	if (r != 0)
		fail_msg("command failed: %s", cmd);
	free(cmd);
}

static int group_setup(void **s)
{
	strcpy(dir, "/tmp/kiln-apkwrite.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(key, sizeof(key), "%s/test@kiln-1.rsa", dir);
	snprintf(keys_dir, sizeof(keys_dir), "%s/keys", dir);
	char *cmd = xasprintf("mkdir -p %s && openssl genrsa -out %s 2048 2>/dev/null && "
			      "openssl rsa -in %s -pubout -out %s/" KEY_NAME " 2>/dev/null",
			      keys_dir, key, key, keys_dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static int group_teardown(void **s)
{
	rm_rf(dir);
	return 0;
}

/* metadata of the test package */
struct meta {
	struct apk_pkg p;
	struct apk_write_opts o;
};

static void meta_init(struct meta *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->p.name = xstrdup(name);
	m->p.version = xstrdup("1.0-r0");
	m->p.arch = xstrdup("x86_64");
	m->p.description = xstrdup("a test package");
	m->p.url = xstrdup("https://example.org/");
	m->p.license = xstrdup("MIT");
	m->p.maintainer = xstrdup("Kiln Tests <tests@example.org>");
	m->o.meta = &m->p;
	m->o.source_date_epoch = SDE;
	m->o.key_path = key;
	m->o.key_name = KEY_NAME;
	m->o.packager = "Kiln Tests <tests@example.org>";
}

static char *path(const char *rel)
{
	return xasprintf("%s/%s", dir, rel);
}

/* the members of a .apk: 0 signature, 1 control, 2 data (all inflated) */
static void members(const char *apk, struct kbuf *raw, struct gz_members *g)
{
	struct kerr e = {0};
	kbuf_init(raw);
	assert_int_equal(read_file(apk, raw, 0, &e), 0);
	assert_int_equal(gz_split_members(raw->data, raw->len, 3, 3, 1 << 28, apk, g, &e), 0);
	assert_int_equal(g->n, 3);
}

struct find_ctx {
	const char *name;
	char *text;
};

static int find_entry(void *vctx, const char *name, const void *data, size_t len, struct kerr *e)
{
	struct find_ctx *c = vctx;
	if (strcmp(name, c->name))
		return 0;
	c->text = xstrndup(data, len);
	return 1;
}

static char *pkginfo_of(const char *apk)
{
	struct kbuf raw;
	struct gz_members g;
	struct find_ctx c = {".PKGINFO", NULL};
	struct kerr e = {0};
	members(apk, &raw, &g);
	assert_int_equal(
	    tar_each_file(g.m[1].data.data, g.m[1].data.len, 1 << 20, apk, find_entry, &c, &e), 0);
	assert_non_null(c.text);
	gz_members_free(&g);
	kbuf_free(&raw);
	return c.text;
}

static char *datahash_of(const char *apk)
{
	struct kbuf raw;
	struct gz_members g;
	char hex[SHA256_HEX_LEN + 1];
	members(apk, &raw, &g);
	sha256_mem(g.m[2].raw, g.m[2].raw_len, hex);
	gz_members_free(&g);
	kbuf_free(&raw);
	return xstrdup(hex);
}

static void make_simple_tree(const char *root)
{
	sh("rm -rf %s && mkdir -p %s/usr/bin %s/usr/share/doc/t && printf 'echo hi\\n' "
	   ">%s/usr/bin/hi "
	   "&& chmod 755 %s/usr/bin/hi && printf 'readme\\n' >%s/usr/share/doc/t/README && "
	   "ln -s hi %s/usr/bin/hello && chmod 644 %s/usr/share/doc/t/README",
	   root, root, root, root, root, root, root, root);
}

static void test_written_package_verifies_and_reads_back(void **s)
{
	struct meta m;
	struct apk_pkg got;
	struct kerr e = {0};
	char *tree = path("simple"), *out = path("simple.apk");

	make_simple_tree(tree);
	meta_init(&m, "hello");
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), 0);
	assert_int_equal(apk_package_read(out, keys_dir, &got, &e), 0);
	assert_string_equal(got.name, "hello");
	assert_string_equal(got.version, "1.0-r0");
	assert_string_equal(got.arch, "x86_64");
	assert_int_equal(got.installed_size, 15); /* 8 + 7 bytes: usr/bin/hi + README */
	assert_int_equal(got.build_time, SDE);
	char *dh = datahash_of(out);
	assert_string_equal(got.datahash, dh);
	assert_int_equal(strlen(got.checksum), 30);
	free(dh);
	apk_pkg_free(&got);
	apk_pkg_free(&m.p);
	free(tree);
	free(out);
}

static void test_pkginfo_has_abuild_fields_in_abuild_order(void **s)
{
	struct meta m;
	struct kerr e = {0};
	char *tree = path("simple"), *out = path("fields.apk"), *script = path("post-install");
	struct apk_script sc = {".post-install", script};
	struct strv trig = {0};

	make_simple_tree(tree);
	sh("printf '#!/bin/sh\\necho installed\\n' >%s", script);
	meta_init(&m, "hello");
	m.p.origin = xstrdup("hello-src");
	m.p.commit = xstrdup("0123456789abcdef0123456789abcdef01234567");
	m.p.provider_priority = 10;
	m.p.has_provider_priority = 1;
	m.p.replaces_priority = 5;
	strv_add(&m.p.depends, "musl>=1.2");
	strv_add(&m.p.provides, "hello-any=1.0-r0");
	strv_add(&m.p.replaces, "hello-old");
	strv_add(&m.p.install_if, "hello-base");
	strv_add(&m.p.install_if, "docs");
	strv_add(&trig, "/usr/share/hello");
	strv_add(&trig, "/etc/hello");
	m.o.scripts = &sc;
	m.o.nscripts = 1;
	m.o.triggers = &trig;
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), 0);
	char *info = pkginfo_of(out), *dh = datahash_of(out);
	char *want = xasprintf("# Generated by kiln " KILN_VERSION "\n"
			       "pkgname = hello\n"
			       "pkgver = 1.0-r0\n"
			       "pkgdesc = a test package\n"
			       "url = https://example.org/\n"
			       "builddate = 1700000000\n"
			       "packager = Kiln Tests <tests@example.org>\n"
			       "size = 15\n"
			       "arch = x86_64\n"
			       "origin = hello-src\n"
			       "commit = 0123456789abcdef0123456789abcdef01234567\n"
			       "maintainer = Kiln Tests <tests@example.org>\n"
			       "replaces_priority = 5\n"
			       "provider_priority = 10\n"
			       "license = MIT\n"
			       "replaces = hello-old\n"
			       "depend = musl>=1.2\n"
			       "depend = /bin/sh\n"
			       "provides = hello-any=1.0-r0\n"
			       "triggers = /usr/share/hello /etc/hello\n"
			       "install_if = hello-base docs\n"
			       "# automatically detected:\n"
			       "provides = cmd:hello=1.0-r0\n"
			       "provides = cmd:hi=1.0-r0\n"
			       "datahash = %s\n",
			       dh);
	assert_string_equal(info, want);
	free(want);
	free(info);
	free(dh);
	strv_free(&trig);
	apk_pkg_free(&m.p);
	free(tree);
	free(out);
	free(script);
}

static void test_same_tree_made_differently_gives_identical_bytes(void **s)
{
	struct meta m;
	struct kerr e = {0};
	char *a = path("ra"), *b = path("rb"), *oa = path("ra.apk"), *ob = path("rb.apk");
	struct kbuf ka, kb;

	/* the same content, created in another order, with other mtimes and umask */
	sh("rm -rf %s %s && mkdir -p %s/usr/lib %s/etc && echo one >%s/etc/one && echo two "
	   ">%s/usr/lib/two"
	   " && touch -d @1 %s/etc/one && ln -s ../etc/one %s/usr/lib/link && chmod 644 %s/etc/one "
	   "%s/usr/lib/two",
	   a, b, a, a, a, a, a, a, a, a);
	sh("mkdir -p %s/usr/lib && echo two >%s/usr/lib/two && ln -s ../etc/one %s/usr/lib/link && "
	   "mkdir %s/etc && echo one >%s/etc/one && touch -d @2000000000 %s/usr/lib/two %s/etc "
	   "&& chmod 644 %s/etc/one %s/usr/lib/two",
	   b, b, b, b, b, b, b, b, b);
	meta_init(&m, "same");
	assert_int_equal(apk_write_package(a, &m.o, oa, &e), 0);
	assert_int_equal(apk_write_package(b, &m.o, ob, &e), 0);
	kbuf_init(&ka);
	kbuf_init(&kb);
	assert_int_equal(read_file(oa, &ka, 0, &e), 0);
	assert_int_equal(read_file(ob, &kb, 0, &e), 0);
	assert_int_equal(ka.len, kb.len);
	assert_memory_equal(ka.data, kb.data, ka.len);
	kbuf_free(&ka);
	kbuf_free(&kb);
	apk_pkg_free(&m.p);
	free(a);
	free(b);
	free(oa);
	free(ob);
}

static void test_scanners_find_so_cmd_and_pc_names_in_real_elf_files(void **s)
{
	struct meta m;
	struct kerr e = {0};
	char *tree = path("elf"), *out = path("elf.apk");

	sh("rm -rf %s && mkdir -p %s/src %s/usr/lib/pkgconfig %s/usr/bin %s/usr/libexec", tree,
	   tree, tree, tree, tree);
	sh("cd %s/src && printf 'int kt(void){return 42;}\\n' >kt.c && printf 'int kt(void);\\n"
	   "int main(void){return kt();}\\n' >main.c && gcc -shared -fPIC -Wl,-soname,libkt.so.1 "
	   "-o "
	   "../usr/lib/libkt.so.1.2.3 kt.c && gcc -o ../usr/bin/ktprog main.c "
	   "../usr/lib/libkt.so.1.2.3 "
	   "&& gcc -shared -fPIC -o ../usr/lib/libnoname.so kt.c && gcc -shared -fPIC "
	   "-Wl,-soname,libhidden.so.2 -o ../usr/libexec/libhidden.so.2 kt.c && cd .. && rm -r src",
	   tree);
	sh("printf 'prefix=/usr\\nName: kt\\nVersion: 1.2.3\\nDescription: kt\\n' "
	   ">%s/usr/lib/pkgconfig/kt.pc && ln -s libkt.so.1.2.3 %s/usr/lib/libkt.so.1",
	   tree, tree);
	meta_init(&m, "kt");
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), 0);
	char *info = pkginfo_of(out);
	const char *auto_part = strstr(info, "# automatically detected:\n");
	assert_non_null(auto_part);
	char *dh = datahash_of(out);
	/* libkt: its soname with the file's version; libnoname.so: no soname, its
	 * file name, version 0; libexec/ is not a library dir; ktprog needs libkt
	 * (provided here: no depend) and libc */
	char *want = xasprintf("# automatically detected:\n"
			       "provides = so:libkt.so.1=1.2.3\n"
			       "provides = so:libnoname.so=0\n"
			       "provides = cmd:ktprog=1.0-r0\n"
			       "provides = pc:kt=1.2.3\n"
			       "depend = so:libc.so.6\n"
			       "datahash = %s\n",
			       dh);
	assert_string_equal(auto_part, want);
	free(want);
	free(dh);
	free(info);
	apk_pkg_free(&m.p);
	free(tree);
	free(out);
}

static void test_hard_links_are_stored_once(void **s)
{
	struct meta m;
	struct kerr e = {0};
	struct apk_pkg got;
	char *tree = path("hl"), *out = path("hl.apk");

	sh("rm -rf %s && mkdir -p %s/usr/bin && printf '12345' >%s/usr/bin/b && ln %s/usr/bin/b "
	   "%s/usr/bin/a && chmod 755 %s/usr/bin/a",
	   tree, tree, tree, tree, tree, tree);
	meta_init(&m, "hl");
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), 0);
	assert_int_equal(apk_package_read(out, keys_dir, &got, &e), 0);
	assert_int_equal(got.installed_size, 5);
	apk_pkg_free(&got);
	/* the data stream: usr/bin/a stored, usr/bin/b a hard link to it */
	struct kbuf raw;
	struct gz_members g;
	members(out, &raw, &g);
	const char *d = g.m[2].data.data;
	size_t n = g.m[2].data.len, off = 0;
	int seen = 0;
	while (off + 512 <= n && d[off]) {
		struct kbuf sz = {0};
		kbuf_add(&sz, d + off + 124, 12);
		size_t len = strtoul(sz.data, NULL, 8);
		kbuf_free(&sz);
		if (!strcmp(d + off, "usr/bin/b")) {
			assert_int_equal(d[off + 156], '1');
			assert_string_equal(d + off + 157, "usr/bin/a");
			seen = 1;
		}
		off += 512 + (len + 511) / 512 * 512;
	}
	assert_true(seen);
	gz_members_free(&g);
	kbuf_free(&raw);
	apk_pkg_free(&m.p);
	free(tree);
	free(out);
}

static void test_owners_file_names_owners_and_refuses_unknown_paths(void **s)
{
	struct meta m;
	struct kerr e = {0};
	char *tree = path("simple"), *out = path("own.apk"), *own = path("owners");

	make_simple_tree(tree);
	sh("printf 'usr/share/doc/t/README nobody adm\\n' >%s", own);
	meta_init(&m, "own");
	m.o.owners_path = own;
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), 0);
	sh("python3 -c 'import tarfile,zlib,sys; b=open(sys.argv[1],\"rb\").read()\n"
	   "for i in range(2):\n d=zlib.decompressobj(31); d.decompress(b); b=d.unused_data\n"
	   "t=tarfile.open(fileobj=__import__(\"io\").BytesIO(zlib.decompress(b,31)))\n"
	   "m={x.name:x for x in t}\n"
	   "r=m[\"usr/share/doc/t/README\"]; assert "
	   "(r.uname,r.gname,r.uid,r.gid)==(\"nobody\",\"adm\",0,0)\n"
	   "h=m[\"usr/bin/hi\"]; assert (h.uname,h.gname)==(\"root\",\"root\")' %s",
	   out);
	sh("printf 'usr/share/doc/t/NOPE nobody adm\\n' >%s", own);
	unlink(out);
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "usr/share/doc/t/NOPE is not in the package tree"));
	assert_false(path_exists(out));
	apk_pkg_free(&m.p);
	free(tree);
	free(out);
	free(own);
}

/* the tree made by fn is refused with a message holding want, and nothing is written */
static void expect_refused(const char *what, const char *want, int code)
{
	struct meta m;
	struct kerr e = {0};
	char *tree = path("bad"), *out = path("bad.apk");
	meta_init(&m, "bad");
	unlink(out);
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), -code);
	if (!strstr(e.msg, want))
		fail_msg("%s: message '%s' lacks '%s'", what, e.msg, want);
	assert_false(path_exists(out));
	apk_pkg_free(&m.p);
	free(tree);
	free(out);
}

static void test_hostile_trees_are_refused(void **s)
{
	char *tree = path("bad");
	sh("rm -rf %s && mkdir -p %s/dev && mkfifo %s/dev/fifo", tree, tree, tree);
	expect_refused("fifo", "bad/dev/fifo is a fifo", KILN_EPARSE);

	sh("rm -rf %s && mkdir -p %s/dev", tree, tree);
	char *node = xasprintf("%s/dev/null", tree);
	assert_int_equal(mknod(node, S_IFCHR | 0666, makedev(1, 3)), 0);
	expect_refused("device", "bad/dev/null is a character device", KILN_EPARSE);
	free(node);

	sh("rm -rf %s && mkdir -p %s/run", tree, tree);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/run/sock", tree);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	expect_refused("socket", "bad/run/sock is a socket", KILN_EPARSE);

	sh("rm -rf %s && mkdir -p %s/usr && touch %s/usr/\"$(printf 'a\\nb')\"", tree, tree, tree);
	expect_refused("newline", "cannot be a file name in a package", KILN_EPARSE);
	sh("rm -rf %s", tree);
	expect_refused("missing tree", "bad", KILN_ENOTFOUND);
	free(tree);
}

static void test_symlinks_are_stored_not_followed(void **s)
{
	struct meta m;
	struct kerr e = {0};
	char *tree = path("sl"), *out = path("sl.apk");

	/* a link out of the tree and a link to a directory outside it */
	sh("rm -rf %s && mkdir -p %s/etc && ln -s /etc/shadow %s/etc/passwd && ln -s / %s/rootlink",
	   tree, tree, tree, tree);
	meta_init(&m, "sl");
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), 0);
	char *info = pkginfo_of(out);
	assert_non_null(strstr(info, "size = 1\n")); /* no file bytes, but not empty */
	free(info);
	sh("python3 -c 'import tarfile,zlib,sys,hashlib; b=open(sys.argv[1],\"rb\").read()\n"
	   "for i in range(2):\n d=zlib.decompressobj(31); d.decompress(b); b=d.unused_data\n"
	   "t=tarfile.open(fileobj=__import__(\"io\").BytesIO(zlib.decompress(b,31)))\n"
	   "m={x.name:x for x in t}\n"
	   "assert sorted(m)==[\"etc\",\"etc/passwd\",\"rootlink\"], sorted(m)\n"
	   "p=m[\"etc/passwd\"]; assert p.issym() and p.linkname==\"/etc/shadow\"\n"
	   "assert "
	   "p.pax_headers[\"APK-TOOLS.checksum.SHA1\"]==hashlib.sha1(b\"/etc/"
	   "shadow\").hexdigest()' %s",
	   out);
	apk_pkg_free(&m.p);
	free(tree);
	free(out);
}

static void test_bad_metadata_is_refused(void **s)
{
	struct meta m;
	struct kerr e = {0};
	char *tree = path("simple"), *out = path("meta.apk");

	make_simple_tree(tree);
	meta_init(&m, "meta");
	free(m.p.version);
	m.p.version = xstrdup("1.0");
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "'1.0' is not a valid apk package version"));
	free(m.p.version);
	m.p.version = xstrdup("1.0-r0");
	free(m.p.description);
	m.p.description = xstrdup("two\nlines = injected");
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "pkgdesc"));
	free(m.p.description);
	m.p.description = xstrdup("ok");
	strv_add(&m.p.depends, "a b");
	assert_int_equal(apk_write_package(tree, &m.o, out, &e), -KILN_EPARSE);
	assert_false(path_exists(out));
	apk_pkg_free(&m.p);
	free(tree);
	free(out);
}

/* ---- the ELF reader on made-up images ---- */

static void put(unsigned char *p, size_t off, uint64_t v, int w)
{
	for (int i = 0; i < w; i++)
		p[off + (size_t)i] = (unsigned char)(v >> (8 * i));
}

/* a 64-bit little-endian ET_DYN image: one PT_LOAD over the whole file, a
 * PT_DYNAMIC at 0x200 with DT_STRTAB at 0x300, DT_SONAME "libx.so.1" and
 * DT_NEEDED "libc.so" */
static void make_elf(unsigned char *p, size_t n)
{
	memset(p, 0, n);
	memcpy(p, "\177ELF\2\1\1", 7);
	put(p, 16, 3, 2);
	put(p, 32, 64, 8); /* phoff */
	put(p, 54, 56, 2); /* phentsize */
	put(p, 56, 2, 2);  /* phnum */
	put(p, 64, 1, 4);  /* PT_LOAD */
	put(p, 64 + 8, 0, 8);
	put(p, 64 + 16, 0x10000, 8);
	put(p, 64 + 32, n, 8);
	put(p, 120, 2, 4); /* PT_DYNAMIC */
	put(p, 120 + 8, 0x200, 8);
	put(p, 120 + 16, 0x10200, 8);
	put(p, 120 + 32, 5 * 16, 8);
	uint64_t dyn[] = {5, 0x10300, 10, 32, 14, 1, 1, 11, 0, 0};
	for (int i = 0; i < 10; i++)
		put(p, 0x200 + (size_t)i * 8, dyn[i], 8);
	memcpy(p + 0x301, "libx.so.1\0libc.so", 18);
}

static void test_elf_reader_reads_dynamic_section(void **s)
{
	unsigned char img[0x400];
	struct elf_dyninfo d;
	struct kerr e = {0};
	make_elf(img, sizeof(img));
	assert_int_equal(elf_dyninfo_read(img, sizeof(img), "x", &d, &e), 0);
	assert_int_equal(d.type, 3);
	assert_string_equal(d.soname, "libx.so.1");
	assert_int_equal(d.needed.n, 1);
	assert_string_equal(d.needed.v[0], "libc.so");
	elf_dyninfo_free(&d);
	assert_int_equal(elf_dyninfo_read("#!/bin/sh\n", 10, "x", &d, &e), 1);
}

static void test_elf_reader_refuses_hostile_images(void **s)
{
	unsigned char img[0x400];
	struct elf_dyninfo d;
	struct kerr e = {0};

	make_elf(img, sizeof(img));
	assert_int_equal(elf_dyninfo_read(img, 40, "trunc", &d, &e), -KILN_EPARSE); /* cut header */
	make_elf(img, sizeof(img));
	put(img, 56, 4000, 2); /* program headers past the end */
	assert_int_equal(elf_dyninfo_read(img, sizeof(img), "ph", &d, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "ph: ELF program headers outside the file"));
	make_elf(img, sizeof(img));
	put(img, 120 + 8, 0x3f0, 8); /* PT_DYNAMIC past the end */
	assert_int_equal(elf_dyninfo_read(img, sizeof(img), "dyn", &d, &e), -KILN_EPARSE);
	make_elf(img, sizeof(img));
	put(img, 0x200 + 8, 0x90000, 8); /* DT_STRTAB in no segment */
	assert_int_equal(elf_dyninfo_read(img, sizeof(img), "str", &d, &e), -KILN_EPARSE);
	make_elf(img, sizeof(img));
	put(img, 0x200 + 40, 5000, 8); /* DT_SONAME past the string table */
	assert_int_equal(elf_dyninfo_read(img, sizeof(img), "so", &d, &e), -KILN_EPARSE);
	make_elf(img, sizeof(img));
	memcpy(img + 0x301, "lib\nx.so", 8); /* a soname that would inject a .PKGINFO line */
	assert_int_equal(elf_dyninfo_read(img, sizeof(img), "nl", &d, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "nl: bad ELF dynamic DT_SONAME string"));
	make_elf(img, sizeof(img));
	memset(img + 0x301, 'a', 0x400 - 0x301); /* an unterminated string */
	assert_int_equal(elf_dyninfo_read(img, sizeof(img), "unterminated", &d, &e), -KILN_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_written_package_verifies_and_reads_back),
	    cmocka_unit_test(test_pkginfo_has_abuild_fields_in_abuild_order),
	    cmocka_unit_test(test_same_tree_made_differently_gives_identical_bytes),
	    cmocka_unit_test(test_scanners_find_so_cmd_and_pc_names_in_real_elf_files),
	    cmocka_unit_test(test_hard_links_are_stored_once),
	    cmocka_unit_test(test_owners_file_names_owners_and_refuses_unknown_paths),
	    cmocka_unit_test(test_hostile_trees_are_refused),
	    cmocka_unit_test(test_symlinks_are_stored_not_followed),
	    cmocka_unit_test(test_bad_metadata_is_refused),
	    cmocka_unit_test(test_elf_reader_reads_dynamic_section),
	    cmocka_unit_test(test_elf_reader_refuses_hostile_images),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
