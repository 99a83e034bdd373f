/* apkwrite.c - write a signed .apk v2 (signature, control and data gzip streams) for a package
 * tree, reproducibly, with abuild's .PKGINFO and its so:/cmd:/pc: scanners.
 *
 * What kiln fixes so that one tree always gives one file (and where it
 * follows abuild, or cannot):
 * - entries: every path below the tree (top-level dotfiles left out, as
 *   abuild's `find *`), sorted bytewise on the full path; directories end in
 *   '/'; a second path of an inode is a hard link ('1') to the first.
 * - mtimes: every one is SOURCE_DATE_EPOCH (abuild touches every file to it),
 *   so mtimes in the tree never matter.
 * - owners: uid/gid 0 and names root/root, unless the kiln owners file names
 *   others (apk maps names to ids at install, as for abuild's pkgusers).
 *   The build runs unprivileged, so the tree's own ids mean nothing.
 * - modes: the tree's permission bits, setuid/setgid/sticky included;
 *   symlinks 0777.
 * - pax: an 'x' header "DIR/PaxHeaders/NAME" (0644, mtime as the entry)
 *   before each entry that needs one, holding "path"/"linkpath" for names
 *   over 100 bytes and APK-TOOLS.checksum.SHA1 for files and symlinks (sha1
 *   of the target string), as abuild-tar --hash adds it; hard links get none.
 * - gzip: zlib level 9, no name, mtime 0 (like gzip -n -9; zlib's bytes can
 *   differ from GNU gzip's, so byte identity with abuild is not a goal).
 * - control: .PKGINFO, then the scripts (0755) in the fixed order of
 *   script_names; POSIX ustar, numeric owners, cut (no end blocks).
 * - signature: .SIGN.RSA.<key name> (RSA PKCS#1 v1.5 over SHA-1 of the
 *   compressed control stream), cut.
 * The pieces: apkwrite_tree.c, apkwrite_data.c, apkwrite_pkginfo.c (see
 * apkwrite.h); this file holds the control stream and the assembly.
 * Refused: device nodes, fifos, sockets, names with control characters, a
 * tree deeper than 128 or larger than 2 GiB; nothing is written then. */
#include "builders/apkwrite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCRIPT_MAX_BYTES (1u << 20)

/* the control scripts apk knows, in the order kiln writes them */
static const char *const script_names[] = {".pre-install",  ".post-install",  ".pre-upgrade",
					   ".post-upgrade", ".pre-deinstall", ".post-deinstall",
					   ".trigger"};
#define NSCRIPT_NAMES (sizeof(script_names) / sizeof(script_names[0]))

/* ---------------- the package ---------------- */

static int script_rank(const char *name)
{
	for (size_t i = 0; i < NSCRIPT_NAMES; i++)
		if (!strcmp(name, script_names[i]))
			return (int)i;
	return -1;
}

/* the control stream's scripts, in kiln's fixed order; *needs_sh when one is a /bin/sh script */
static int read_scripts(const struct apk_write_opts *o, struct kbuf *texts, int *needs_sh,
			struct kerr *e)
{
	for (size_t i = 0; i < o->nscripts; i++) {
		int rank = script_rank(o->scripts[i].name);
		if (rank < 0)
			return kerr_set(e, KILN_EPARSE, "'%s' is not an apk install script name",
					o->scripts[i].name);
		if (texts[rank].data)
			return kerr_set(e, KILN_EPARSE, "install script %s given twice",
					o->scripts[i].name);
		int r = read_file(o->scripts[i].path, &texts[rank], SCRIPT_MAX_BYTES, e);
		if (r < 0)
			return r;
		if (!texts[rank].data)
			kbuf_add(&texts[rank], "", 0);
		/* abuild: the first line starts with "#!", blanks, "/bin/sh" */
		const char *p = texts[rank].data;
		if (!strncmp(p, "#!", 2)) {
			p += 2;
			while (*p == ' ' || *p == '\t')
				p++;
			if (!strncmp(p, "/bin/sh", 7))
				*needs_sh = 1;
		}
	}
	return 0;
}

int apk_write_package(const char *datadir, const struct apk_write_opts *o, const char *out_path,
		      struct kerr *e)
{
	struct apk_tree t = {0};
	struct apk_scan s = {0};
	struct kbuf data_tar, data_gz, ctl_tar, ctl_gz, sig_gz, info, content, out;
	struct kbuf scripts[NSCRIPT_NAMES];
	char datahash[SHA256_HEX_LEN + 1];
	int rootfd = -1, needs_sh = 0, ret;
	uint64_t size = 0;

	kbuf_init(&data_tar);
	kbuf_init(&data_gz);
	kbuf_init(&ctl_tar);
	kbuf_init(&ctl_gz);
	kbuf_init(&sig_gz);
	kbuf_init(&info);
	kbuf_init(&content);
	kbuf_init(&out);
	memset(scripts, 0, sizeof(scripts));
	t.root = datadir;
	if (!o || !o->meta || !o->key_path || !o->key_name) {
		ret = kerr_set(e, KILN_EUSAGE, "apk_write_package: metadata and a key are needed");
		goto out;
	}
	if (o->source_date_epoch < 0) {
		ret = kerr_set(e, KILN_EUSAGE, "apk_write_package: no SOURCE_DATE_EPOCH");
		goto out;
	}
	if ((ret = apk_pkginfo_check(o, e)) < 0 ||
	    (ret = read_scripts(o, scripts, &needs_sh, e)) < 0)
		goto out;
	if (!strcmp(o->meta->name, "busybox") || apk_depends_on(&o->meta->depends, "busybox") ||
	    apk_depends_on(&o->meta->depends, "/bin/sh"))
		needs_sh = 0;
	rootfd = open(datadir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0) {
		ret = kerr_errno(e, errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO, "%s", datadir);
		goto out;
	}
	if ((ret = apk_tree_read(rootfd, o->owners_path, &t, e)) < 0)
		goto out;

	/* data: every entry, sorted bytewise, every mtime SOURCE_DATE_EPOCH */
	for (size_t i = 0; i < t.n; i++) {
		if ((ret = apk_data_entry(rootfd, &t, &t.v[i], o->source_date_epoch, &data_tar,
					  &content, &s, e)) < 0)
			goto out;
		if (t.v[i].type == '0')
			size += t.v[i].size; /* hard links ('1') count once */
	}
	tar_add_end(&data_tar);
	kbuf_free(&content);
	if ((ret = gz_compress(data_tar.data, data_tar.len, &data_gz, e)) < 0)
		goto out;
	kbuf_free(&data_tar);
	sha256_mem(data_gz.data, data_gz.len, datahash);

	/* abuild: an installed size of 0 becomes 1 when there is anything to install */
	int anything = o->nscripts > 0;
	for (size_t i = 0; i < t.n && !anything; i++)
		anything = t.v[i].type != '5';
	if (size == 0 && anything)
		size = 1;
	apk_pkginfo_text(o, size, needs_sh, &s, datahash, &info);

	/* control: .PKGINFO then the scripts (0755), cut: no end-of-archive blocks */
	tar_add_file(&ctl_tar, ".PKGINFO", info.data, info.len, 0644, o->source_date_epoch, 0);
	for (size_t i = 0; i < NSCRIPT_NAMES; i++)
		if (scripts[i].data)
			tar_add_file(&ctl_tar, script_names[i], scripts[i].data, scripts[i].len,
				     0755, o->source_date_epoch, 0);
	if ((ret = gz_compress(ctl_tar.data, ctl_tar.len, &ctl_gz, e)) < 0)
		goto out;
	if ((ret = apk_sign_member(ctl_gz.data, ctl_gz.len, o->key_path, o->key_name, 0,
				   o->source_date_epoch, &sig_gz, e)) < 0)
		goto out;
	kbuf_add(&out, sig_gz.data, sig_gz.len);
	kbuf_add(&out, ctl_gz.data, ctl_gz.len);
	kbuf_add(&out, data_gz.data, data_gz.len);
	ret = write_file_atomic(out_path, out.data, out.len, 0644, e);
out:
	if (rootfd >= 0)
		close(rootfd);
	apk_tree_free(&t);
	apk_scan_free(&s);
	for (size_t i = 0; i < NSCRIPT_NAMES; i++)
		kbuf_free(&scripts[i]);
	kbuf_free(&data_tar);
	kbuf_free(&data_gz);
	kbuf_free(&ctl_tar);
	kbuf_free(&ctl_gz);
	kbuf_free(&sig_gz);
	kbuf_free(&info);
	kbuf_free(&content);
	kbuf_free(&out);
	return ret;
}
