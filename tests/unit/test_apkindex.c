/* test_apkindex.c - APKINDEX text, installed db, dependency atoms, checksums, gzip streams and RSA
 * signatures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "distros/alpine/apk-private.h"
#include "distros/distros.h"

static const char index_text[] = "C:Q1m6SUpZKDwTtj4k7PhxF8nq0HkoU=\n"
				 "P:zlib\n"
				 "V:1.3.1-r1\n"
				 "A:x86_64\n"
				 "S:53012\n"
				 "I:110592\n"
				 "T:A compression/decompression Library\n"
				 "U:https://zlib.net/\n"
				 "L:Zlib\n"
				 "o:zlib\n"
				 "m:Natanael Copa <ncopa@alpinelinux.org>\n"
				 "t:1717000000\n"
				 "c:0123456789abcdef0123456789abcdef01234567\n"
				 "k:100\n"
				 "D:so:libc.musl-x86_64.so.1 !zlib-ng\n"
				 "p:so:libz.so.1=1.3.1 pc:zlib=1.3.1\n"
				 "\n"
				 "C:Q1HzYMIgMKhfQXb16xd3qsbk3z0M4=\n"
				 "P:zlib-doc\n"
				 "V:1.3.1-r1\n"
				 "A:x86_64\n"
				 "S:10\n"
				 "I:20\n"
				 "T:docs\n"
				 "U:https://zlib.net/\n"
				 "L:Zlib\n"
				 "i:docs zlib=1.3.1-r1\n"
				 "\n";

static void test_index_text_parses_every_field(void **s)
{
	struct apk_index idx;
	struct kerr e = {0};
	assert_int_equal(apk_index_parse_text(index_text, strlen(index_text), "APKINDEX", &idx, &e),
			 0);
	assert_int_equal(idx.n, 2);
	struct apk_pkg *p = &idx.pkgs[0];
	assert_string_equal(p->checksum, "Q1m6SUpZKDwTtj4k7PhxF8nq0HkoU=");
	assert_int_equal(p->csum_len, 20);
	assert_int_equal(p->csum[0], 0x9b);
	assert_string_equal(p->name, "zlib");
	assert_string_equal(p->version, "1.3.1-r1");
	assert_string_equal(p->arch, "x86_64");
	assert_int_equal(p->size, 53012);
	assert_int_equal(p->installed_size, 110592);
	assert_string_equal(p->description, "A compression/decompression Library");
	assert_string_equal(p->url, "https://zlib.net/");
	assert_string_equal(p->license, "Zlib");
	assert_string_equal(p->origin, "zlib");
	assert_string_equal(p->maintainer, "Natanael Copa <ncopa@alpinelinux.org>");
	assert_int_equal(p->build_time, 1717000000);
	assert_string_equal(p->commit, "0123456789abcdef0123456789abcdef01234567");
	assert_int_equal(p->provider_priority, 100);
	assert_int_equal(p->depends.n, 2);
	assert_string_equal(p->depends.v[1], "!zlib-ng");
	assert_int_equal(p->provides.n, 2);
	assert_string_equal(p->provides.v[0], "so:libz.so.1=1.3.1");
	assert_string_equal(idx.pkgs[1].install_if.v[1], "zlib=1.3.1-r1");
	assert_false(p->uninstallable);
	apk_index_free(&idx);
}

static void test_index_format_writes_fields_in_apk_order(void **s)
{
	struct apk_index idx;
	struct kerr e = {0};
	struct kbuf b;
	kbuf_init(&b);
	assert_int_equal(apk_index_parse_text(index_text, strlen(index_text), "APKINDEX", &idx, &e),
			 0);
	apk_index_format(&idx, &b);
	assert_string_equal(b.data, index_text);
	kbuf_free(&b);
	apk_index_free(&idx);
}

static void test_unknown_fields_follow_apk_rules(void **s)
{
	const char *t = "P:a\nV:1\nz:whatever\n\nP:b\nV:2\nZ:future\n";
	struct apk_index idx;
	struct kerr e = {0};
	assert_int_equal(apk_index_parse_text(t, strlen(t), "APKINDEX", &idx, &e), 0);
	assert_int_equal(idx.n, 2);
	assert_false(idx.pkgs[0].uninstallable);
	assert_true(idx.pkgs[1].uninstallable);
	apk_index_free(&idx);
}

static void test_malformed_index_text_is_an_error_naming_the_line(void **s)
{
	struct apk_index idx;
	struct kerr e = {0};
	const char *t = "P:a\nV:1\nthis is not a field\n";
	assert_int_equal(apk_index_parse_text(t, strlen(t), "repo/APKINDEX", &idx, &e),
			 -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "repo/APKINDEX:3"));
	t = "P:a\nT:no version\n\nP:b\nV:1\n";
	assert_int_equal(apk_index_parse_text(t, strlen(t), "repo/APKINDEX", &idx, &e),
			 -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "repo/APKINDEX:1: package entry without P: or V:"));
	t = "P:a\nV:1\nS:12x\n";
	assert_int_equal(apk_index_parse_text(t, strlen(t), "repo/APKINDEX", &idx, &e),
			 -KILN_EPARSE);
	t = "P:a\nV:1\nC:Q1short\n";
	assert_int_equal(apk_index_parse_text(t, strlen(t), "repo/APKINDEX", &idx, &e),
			 -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "bad checksum"));
}

static void test_installed_db_reads_dirs_files_and_owners(void **s)
{
	const char *t = "C:Q1m6SUpZKDwTtj4k7PhxF8nq0HkoU=\nP:busybox\nV:1.36.1-r29\nA:x86_64\n"
			"S:500000\nI:900000\nT:Size optimized toolbox\nU:https://busybox.net/\n"
			"L:GPL-2.0-only\no:busybox\nr:busybox-initscripts\nq:1\ns:main\n"
			"F:bin\nR:busybox\na:0:0:755\nZ:Q1m6SUpZKDwTtj4k7PhxF8nq0HkoU=\nR:sh\n"
			"F:etc/secfixes.d\nM:0:0:700\nR:busybox\n\n"
			"C:Q1HzYMIgMKhfQXb16xd3qsbk3z0M4=\nP:musl\nV:1.2.5-r0\nA:x86_64\nS:1\nI:2\n"
			"T:libc\nU:u\nL:MIT\nF:lib\nR:ld-musl-x86_64.so.1\n\n";
	struct apk_index db;
	struct kerr e = {0};
	assert_int_equal(apk_installed_parse(t, strlen(t), "installed", &db, &e), 0);
	assert_int_equal(db.n, 2);
	struct apk_pkg *p = &db.pkgs[0];
	assert_string_equal(p->name, "busybox");
	assert_string_equal(p->replaces.v[0], "busybox-initscripts");
	assert_int_equal(p->replaces_priority, 1);
	assert_string_equal(p->repo_tag, "main");
	assert_int_equal(p->ndirs, 2);
	assert_string_equal(p->dirs[0].path, "bin");
	assert_int_equal(p->dirs[0].nfiles, 2);
	assert_int_equal(p->dirs[0].files[0].mode, 0755);
	assert_string_equal(p->dirs[0].files[0].checksum, "Q1m6SUpZKDwTtj4k7PhxF8nq0HkoU=");
	assert_null(p->dirs[0].files[1].checksum);
	assert_int_equal(p->dirs[1].mode, 0700);
	assert_string_equal(db.pkgs[1].dirs[0].files[0].name, "ld-musl-x86_64.so.1");
	/* written back in apk's order, it is the same text */
	struct kbuf b;
	kbuf_init(&b);
	apk_installed_format(&db, &b);
	assert_string_equal(b.data, t);
	kbuf_free(&b);
	apk_index_free(&db);
}

static void test_installed_db_file_before_dir_is_an_error(void **s)
{
	const char *t = "P:a\nV:1\nR:orphan\n";
	struct apk_index db;
	struct kerr e = {0};
	assert_int_equal(apk_installed_parse(t, strlen(t), "db/installed", &db, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "db/installed:3: R: before any F:"));
	t = "P:a\nV:1\nF:x\nR:../etc/passwd\n";
	assert_int_equal(apk_installed_parse(t, strlen(t), "db/installed", &db, &e), -KILN_EPARSE);
}

static void test_dependency_atoms(void **s)
{
	static const struct {
		const char *atom, *name, *tag, *ver;
		enum apk_dep_op op;
		int conflict;
	} ok[] = {
	    {"zlib", "zlib", NULL, NULL, APK_DEP_ANY, 0},
	    {"so:libc.musl-x86_64.so.1", "so:libc.musl-x86_64.so.1", NULL, NULL, APK_DEP_ANY, 0},
	    {"cmd:curl=8.9.1-r0", "cmd:curl", NULL, "8.9.1-r0", APK_DEP_EQ, 0},
	    {"pc:zlib>=1.2", "pc:zlib", NULL, "1.2", APK_DEP_GE, 0},
	    {"foo<2", "foo", NULL, "2", APK_DEP_LT, 0},
	    {"foo<=2", "foo", NULL, "2", APK_DEP_LE, 0},
	    {"foo>2", "foo", NULL, "2", APK_DEP_GT, 0},
	    {"foo~3.6", "foo", NULL, "3.6", APK_DEP_FUZZY, 0},
	    {"foo=~3.6", "foo", NULL, "3.6", APK_DEP_FUZZY, 0},
	    {"foo><Q1m6SUpZKDwTtj4k7PhxF8nq0HkoU=", "foo", NULL,
	     "Q1m6SUpZKDwTtj4k7PhxF8nq0HkoU=", APK_DEP_CHECKSUM, 0},
	    {"!foo", "foo", NULL, NULL, APK_DEP_ANY, 1},
	    {"foo@edge>=1.0~ab", "foo", "edge", "1.0~ab", APK_DEP_GE, 0},
	    {"foo<~2", "foo", NULL, "2", APK_DEP_LT_FUZZY, 0},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct apk_dep d;
		struct kerr e = {0};
		assert_int_equal(apk_dep_parse(ok[i].atom, &d, &e), 0);
		assert_string_equal(d.name, ok[i].name);
		if (ok[i].tag)
			assert_string_equal(d.tag, ok[i].tag);
		else
			assert_null(d.tag);
		if (ok[i].ver)
			assert_string_equal(d.version, ok[i].ver);
		else
			assert_null(d.version);
		assert_int_equal(d.op, ok[i].op);
		assert_int_equal(d.conflict, ok[i].conflict);
		apk_dep_free(&d);
	}
	static const char *const bad[] = {"", "!", "=1.0", "foo=", "foo=>1", "foo@", "foo<1 2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct apk_dep d;
		struct kerr e = {0};
		if (apk_dep_parse(bad[i], &d, &e) != -KILN_EPARSE)
			fail_msg("accepted '%s'", bad[i]);
	}
}

static void test_checksum_forms(void **s)
{
	unsigned char b[32], sha1[20];
	size_t n;
	char q[32];
	for (int i = 0; i < 20; i++)
		sha1[i] = (unsigned char)(i * 13);
	apk_checksum_encode_q1(sha1, q);
	assert_int_equal(strlen(q), 30);
	assert_int_equal(apk_checksum_decode(q, b, &n), 0);
	assert_int_equal(n, 20);
	assert_memory_equal(b, sha1, 20);
	assert_int_equal(apk_checksum_decode("X1000d1a2734414e5b6875828f9ca9b6c3d0ddeaf7", b, &n),
			 0);
	assert_memory_equal(b, sha1, 20);
	assert_int_equal(apk_checksum_decode("d41d8cd98f00b204e9800998ecf8427e", b, &n), 0);
	assert_int_equal(n, 16);
	assert_int_equal(apk_checksum_decode("Q2m6SUpZKDwTtj4k7PhxF8nq0HkoU=", b, &n),
			 -KILN_EPARSE);
	assert_int_equal(apk_checksum_decode("X1zz0d1a2734414e5b68758290a3b0bdcad7e4f1fe", b, &n),
			 -KILN_EPARSE);
}

static void test_gzip_streams_split_at_their_boundaries(void **s)
{
	struct kbuf all, one;
	struct gz_members g;
	struct kerr e = {0};
	kbuf_init(&all);
	kbuf_init(&one);
	assert_int_equal(gz_compress("first", 5, &all, &e), 0);
	size_t first_len = all.len;
	assert_int_equal(gz_compress("second stream", 13, &all, &e), 0);
	assert_int_equal(gz_split_members(all.data, all.len, 4, 4, 1 << 20, "x.gz", &g, &e), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.m[0].raw_len, first_len);
	assert_ptr_equal(g.m[1].raw, (unsigned char *)all.data + first_len);
	assert_string_equal(g.m[0].data.data, "first");
	assert_string_equal(g.m[1].data.data, "second stream");
	gz_members_free(&g);
	/* truncated and trailing garbage */
	assert_int_equal(gz_split_members(all.data, all.len - 3, 4, 4, 1 << 20, "x.gz", &g, &e),
			 -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "x.gz: gzip stream 2 is truncated"));
	kbuf_add(&all, "junk", 4);
	assert_int_equal(gz_split_members(all.data, all.len, 4, 4, 1 << 20, "x.gz", &g, &e),
			 -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "not gzip data"));
	/* a bomb is stopped */
	char *zeros = calloc(1, 1 << 20);
	assert_int_equal(gz_compress(zeros, 1 << 20, &one, &e), 0);
	assert_int_equal(gz_split_members(one.data, one.len, 4, 4, 1000, "bomb.gz", &g, &e),
			 -KILN_EPARSE);
	free(zeros);
	kbuf_free(&all);
	kbuf_free(&one);
}

/* a fresh key pair: private key file, and the public key as KEYS/NAME */
static char tmpdir[64];

static int setup_keys(void **s)
{
	strcpy(tmpdir, "/tmp/kiln-apkidx.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	char *keys = xasprintf("%s/keys", tmpdir), *priv = xasprintf("%s/k.rsa", tmpdir),
	     *pub = xasprintf("%s/keys/k.rsa.pub", tmpdir);
	struct kerr e;
	mkdir_p(keys, 0755, &e);
	EVP_PKEY *k = EVP_RSA_gen(2048);
	FILE *f = fopen(priv, "w");
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	f = fopen(pub, "w");
	PEM_write_PUBKEY(f, k);
	fclose(f);
	EVP_PKEY_free(k);
	free(keys);
	free(priv);
	free(pub);
	return 0;
}

static int teardown_keys(void **s)
{
	rm_rf(tmpdir);
	return 0;
}

/* an APKINDEX.tar.gz built in memory from text */
static void make_index(const char *text, int sha256, struct kbuf *out)
{
	struct kbuf tar, inner;
	struct kerr e = {0};
	char *priv = xasprintf("%s/k.rsa", tmpdir);
	kbuf_init(&tar);
	kbuf_init(&inner);
	tar_add_file(&tar, "DESCRIPTION", "v3.20-test", 10, 0644, 0, 1);
	tar_add_file(&tar, "APKINDEX", text, strlen(text), 0644, 0, 1);
	tar_add_end(&tar);
	assert_int_equal(gz_compress(tar.data, tar.len, &inner, &e), 0);
	assert_int_equal(
	    apk_sign_member(inner.data, inner.len, priv, "k.rsa.pub", sha256, 0, out, &e), 0);
	kbuf_add(out, inner.data, inner.len);
	kbuf_free(&tar);
	kbuf_free(&inner);
	free(priv);
}

static void test_signed_index_round_trip(void **s)
{
	for (int sha256 = 0; sha256 <= 1; sha256++) {
		struct kbuf b;
		struct apk_index idx;
		struct kerr e = {0};
		char *keys = xasprintf("%s/keys", tmpdir);
		kbuf_init(&b);
		make_index(index_text, sha256, &b);
		assert_int_equal(
		    apk_index_read_mem(b.data, b.len, "APKINDEX.tar.gz", keys, &idx, &e), 0);
		assert_int_equal(idx.n, 2);
		assert_string_equal(idx.signer, "k.rsa.pub");
		assert_string_equal(idx.description, "v3.20-test");
		assert_string_equal(idx.pkgs[1].name, "zlib-doc");
		apk_index_free(&idx);
		kbuf_free(&b);
		free(keys);
	}
}

static void test_tampered_index_is_rejected(void **s)
{
	struct kbuf good, bad;
	struct apk_index idx;
	struct kerr e = {0};
	struct gz_members g;
	char *keys = xasprintf("%s/keys", tmpdir);
	kbuf_init(&good);
	kbuf_init(&bad);
	make_index(index_text, 0, &good);
	/* keep the signature stream, swap in another index stream */
	make_index("P:evil\nV:1\n", 0, &bad);
	assert_int_equal(gz_split_members(good.data, good.len, 2, 0, 1 << 20, "g", &g, &e), 0);
	struct kbuf mixed;
	kbuf_init(&mixed);
	kbuf_add(&mixed, g.m[0].raw, g.m[0].raw_len);
	gz_members_free(&g);
	assert_int_equal(gz_split_members(bad.data, bad.len, 2, 0, 1 << 20, "b", &g, &e), 0);
	kbuf_add(&mixed, g.m[1].raw, g.m[1].raw_len);
	gz_members_free(&g);
	assert_int_equal(
	    apk_index_read_mem(mixed.data, mixed.len, "mirror/APKINDEX.tar.gz", keys, &idx, &e),
	    -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "mirror/APKINDEX.tar.gz: BAD signature"));
	assert_int_equal(idx.n, 0);
	/* unknown key */
	char *empty = xasprintf("%s/none", tmpdir);
	assert_int_equal(apk_index_read_mem(good.data, good.len, "x.tar.gz", empty, &idx, &e),
			 -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "signed by unknown key k.rsa.pub"));
	free(empty);
	free(keys);
	kbuf_free(&good);
	kbuf_free(&bad);
	kbuf_free(&mixed);
}

/* several .SIGN entries: unknown and unsafe key names are skipped, the first
 * trusted good one wins */
static void test_first_trusted_signature_wins(void **s)
{
	struct kbuf good, tar, sigs, all;
	struct gz_members g;
	struct apk_index idx;
	struct kerr e = {0};
	char *keys = xasprintf("%s/keys", tmpdir);
	kbuf_init(&good);
	kbuf_init(&tar);
	kbuf_init(&sigs);
	kbuf_init(&all);
	make_index(index_text, 0, &good);
	assert_int_equal(gz_split_members(good.data, good.len, 2, 2, 1 << 20, "g", &g, &e), 0);
	/* the real signature bytes, under three names */
	const char *sig_names[] = {".SIGN.RSA.nobody.rsa.pub", ".SIGN.RSA.../../k.rsa.pub",
				   ".SIGN.RSA.k.rsa.pub"};
	/* the signature entry's data starts after its 512-byte header */
	const char *sig = g.m[0].data.data + 512;
	size_t siglen = 256;
	for (int i = 0; i < 3; i++)
		tar_add_file(&tar, sig_names[i], sig, siglen, 0644, 0, 0);
	assert_int_equal(gz_compress(tar.data, tar.len, &sigs, &e), 0);
	kbuf_add(&all, sigs.data, sigs.len);
	kbuf_add(&all, g.m[1].raw, g.m[1].raw_len);
	assert_int_equal(apk_index_read_mem(all.data, all.len, "multi.tar.gz", keys, &idx, &e), 0);
	assert_string_equal(idx.signer, "k.rsa.pub");
	apk_index_free(&idx);
	gz_members_free(&g);
	kbuf_free(&good);
	kbuf_free(&tar);
	kbuf_free(&sigs);
	kbuf_free(&all);
	free(keys);
}

static void test_pkginfo_fields(void **s)
{
	const char *t =
	    "# Generated by abuild 3.14.1-r0\n# using fakeroot version 1.32.1\n"
	    "pkgname = curl\npkgver = 8.9.1-r0\npkgdesc = URL retrival utility and library\n"
	    "url = https://curl.se/\nbuilddate = 1722000000\npackager = Buildozer <b@a.org>\n"
	    "size = 257768\narch = x86_64\norigin = curl\ncommit = abc-dirty\n"
	    "maintainer = N C <n@a.org>\nprovider_priority = 5\nlicense = curl\n"
	    "depend = ca-certificates-bundle\n# automatically detected:\n"
	    "provides = cmd:curl=8.9.1-r0\ndepend = so:libc.musl-x86_64.so.1\n"
	    "depend = so:libcurl.so.4\ninstall_if = a b\ndatahash = 4f1c\n";
	struct apk_pkg p = {0};
	struct kerr e = {0};
	assert_int_equal(apk_pkginfo_parse(t, strlen(t), ".PKGINFO", &p, &e), 0);
	assert_string_equal(p.name, "curl");
	assert_string_equal(p.version, "8.9.1-r0");
	assert_int_equal(p.installed_size, 257768);
	assert_int_equal(p.build_time, 1722000000);
	assert_string_equal(p.commit, "abc-dirty");
	assert_int_equal(p.provider_priority, 5);
	assert_int_equal(p.depends.n, 3);
	assert_string_equal(p.depends.v[2], "so:libcurl.so.4");
	assert_string_equal(p.provides.v[0], "cmd:curl=8.9.1-r0");
	assert_int_equal(p.install_if.n, 2);
	assert_string_equal(p.datahash, "4f1c");
	apk_pkg_free(&p);
	assert_int_equal(apk_pkginfo_parse("pkgname=x\n", 10, "x/.PKGINFO", &p, &e), -KILN_EPARSE);
	assert_non_null(strstr(e.msg, "x/.PKGINFO:1"));
	apk_pkg_free(&p);
}

/* a .apk made in memory: signature (optional), control (cut tar), data */
static char *make_apk_full(int sign, int tamper, const char *datahash)
{
	struct kbuf ctl_tar, ctl, data_tar, data, sig, all;
	struct kerr e = {0};
	const char *pkginfo = "pkgname = hello\npkgver = 2.12-r0\npkgdesc = hi\nurl = u\n"
			      "builddate = 1\nsize = 5\narch = noarch\nlicense = MIT\n"
			      "depend = so:libc.musl-x86_64.so.1\n";
	char *priv = xasprintf("%s/k.rsa", tmpdir),
	     *path = xasprintf("%s/hello-2.12-r0.apk", tmpdir);
	kbuf_init(&ctl_tar);
	kbuf_init(&ctl);
	kbuf_init(&data_tar);
	kbuf_init(&data);
	kbuf_init(&sig);
	kbuf_init(&all);
	tar_add_file(&data_tar, "usr/bin/hello", "hello", 5, 0755, 1, 0);
	tar_add_end(&data_tar);
	assert_int_equal(gz_compress(data_tar.data, data_tar.len, &data, &e), 0);
	char hex[SHA256_HEX_LEN + 1];
	sha256_mem(data.data, data.len, hex);
	char *info = datahash ? xasprintf("%sdatahash = %s\n", pkginfo,
					  strcmp(datahash, "good") ? datahash : hex)
			      : xstrdup(pkginfo);
	tar_add_file(&ctl_tar, ".PKGINFO", info, strlen(info), 0644, 1, 0);
	free(info);
	assert_int_equal(gz_compress(ctl_tar.data, ctl_tar.len, &ctl, &e), 0);
	if (sign) {
		assert_int_equal(
		    apk_sign_member(ctl.data, ctl.len, priv, "k.rsa.pub", 0, 1, &sig, &e), 0);
		kbuf_add(&all, sig.data, sig.len);
	}
	if (tamper) { /* a different control stream under the same signature */
		ctl.len = 0;
		tar_add_file(&ctl_tar, ".pre-install", "x", 1, 0755, 1, 0);
		assert_int_equal(gz_compress(ctl_tar.data, ctl_tar.len, &ctl, &e), 0);
	}
	kbuf_add(&all, ctl.data, ctl.len);
	kbuf_add(&all, data.data, data.len);
	assert_int_equal(write_file_atomic(path, all.data, all.len, 0644, &e), 0);
	kbuf_free(&ctl_tar);
	kbuf_free(&ctl);
	kbuf_free(&data_tar);
	kbuf_free(&data);
	kbuf_free(&sig);
	kbuf_free(&all);
	free(priv);
	return path;
}

static char *make_apk(int sign, int tamper)
{
	return make_apk_full(sign, tamper, NULL);
}

static void test_apk_datahash_must_match_the_data_stream(void **s)
{
	struct apk_pkg p;
	struct kerr e = {0};
	char *keys = xasprintf("%s/keys", tmpdir);
	char *path = make_apk_full(1, 0, "good");
	assert_int_equal(apk_package_read(path, keys, &p, &e), 0);
	assert_int_equal(strlen(p.datahash), 64);
	apk_pkg_free(&p);
	free(path);
	path =
	    make_apk_full(1, 0, "4f1c000000000000000000000000000000000000000000000000000000000000");
	assert_int_equal(apk_package_read(path, keys, &p, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "hello-2.12-r0.apk: datahash mismatch"));
	free(path);
	free(keys);
}

static void test_apk_file_is_read_and_verified(void **s)
{
	struct apk_pkg p;
	struct kerr e = {0};
	char *keys = xasprintf("%s/keys", tmpdir);
	char *path = make_apk(1, 0);
	assert_int_equal(apk_package_read(path, keys, &p, &e), 0);
	assert_string_equal(p.name, "hello");
	assert_string_equal(p.version, "2.12-r0");
	assert_string_equal(p.arch, "noarch");
	assert_int_equal(p.installed_size, 5);
	assert_int_equal(p.checksum[0], 'Q');
	assert_int_equal(strlen(p.checksum), 30);
	assert_true(p.size > 100);
	apk_pkg_free(&p);
	free(path);
	path = make_apk(1, 1);
	assert_int_equal(apk_package_read(path, keys, &p, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "hello-2.12-r0.apk: BAD signature"));
	assert_int_equal(apk_package_read(path, NULL, &p, &e), 0); /* no keys: not checked */
	apk_pkg_free(&p);
	free(path);
	path = make_apk(0, 0);
	assert_int_equal(apk_package_read(path, keys, &p, &e), -KILN_EVERIFY);
	assert_non_null(strstr(e.msg, "not signed"));
	assert_int_equal(apk_package_read(path, NULL, &p, &e), 0);
	assert_string_equal(p.name, "hello");
	apk_pkg_free(&p);
	free(path);
	free(keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_index_text_parses_every_field),
	    cmocka_unit_test(test_index_format_writes_fields_in_apk_order),
	    cmocka_unit_test(test_unknown_fields_follow_apk_rules),
	    cmocka_unit_test(test_malformed_index_text_is_an_error_naming_the_line),
	    cmocka_unit_test(test_installed_db_reads_dirs_files_and_owners),
	    cmocka_unit_test(test_installed_db_file_before_dir_is_an_error),
	    cmocka_unit_test(test_dependency_atoms),
	    cmocka_unit_test(test_checksum_forms),
	    cmocka_unit_test(test_gzip_streams_split_at_their_boundaries),
	    cmocka_unit_test(test_signed_index_round_trip),
	    cmocka_unit_test(test_tampered_index_is_rejected),
	    cmocka_unit_test(test_apk_datahash_must_match_the_data_stream),
	    cmocka_unit_test(test_pkginfo_fields),
	    cmocka_unit_test(test_first_trusted_signature_wins),
	    cmocka_unit_test(test_apk_file_is_read_and_verified),
	};
	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
