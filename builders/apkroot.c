/* apkroot.c - Alpine build roots from a lock: every .apk checked (signature, datahash, the
 * index's checksum) before anything is installed, unpacked safely, its scripts run in the
 * root-preparation sandbox, and apk's database written so that apk-tools accepts the root. */
#include "builders/alpine.h"
#include "builders/rootcache.h"
#include "sandbox/sandbox.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Roots are named by what is installed: recipe version, arch, and each
 * package's name, version, arch and checksum (which the signature covers), in
 * install order. */
#define ROOT_RECIPE "kiln-apkroot 1"

void apkroot_id(const struct lock *l, char out[SHA256_HEX_LEN + 1])
{
	struct kbuf b = {0};
	kbuf_printf(&b, "%s\n%s\n", ROOT_RECIPE, l->arch ? l->arch : "");
	for (size_t i = 0; i < l->n; i++)
		kbuf_printf(&b, "%s %s %s %s\n", l->pkgs[i].name, l->pkgs[i].version,
			    l->pkgs[i].arch, l->pkgs[i].checksum ? l->pkgs[i].checksum : "-");
	sha256_mem(b.data, b.len, out);
	kbuf_free(&b);
}

/* one package on its way into the root */
struct apk_one {
	const struct lock_pkg *lp;
	char what[256];	    /* "name-version", for messages */
	struct apk_pkg pkg; /* .PKGINFO, checksum, and (filled here) its files */
	struct kbuf file;   /* the verified .apk bytes: what is installed is what was checked */
	const unsigned char *data;
	size_t data_len;	   /* its data stream (gzip'd tar) */
	struct strv script_names;  /* ".post-install" ... */
	struct kbuf *script_texts; /* parallel to script_names */
};

struct apkroot_make {
	const struct lock *l;
	const char *keys;
	const struct root_opts *o;
	const char *id;
	struct apk_one *pk;
};

static void one_free(struct apk_one *p)
{
	apk_pkg_free(&p->pkg);
	kbuf_free(&p->file);
	for (size_t i = 0; i < p->script_names.n; i++)
		kbuf_free(&p->script_texts[i]);
	free(p->script_texts);
	strv_free(&p->script_names);
}

/* ---------------- checking a package ---------------- */

/* signature (keys), datahash, and that it is the package the lock names */
static int check_apk(const char *path, const struct lock_pkg *lp, const char *keys,
		     struct apk_pkg *out, struct kerr *e)
{
	int r = apk_package_read(path, keys, out, e);
	if (r < 0)
		return r;
	if (!out->datahash)
		r = kerr_set(e, KILN_EVERIFY,
			     "no datahash in its .PKGINFO: nothing signed vouches for its files");
	else if (strcmp(out->name, lp->name) || strcmp(out->version, lp->version))
		r = kerr_set(e, KILN_EVERIFY, "the file is %s-%s, not what the lock names",
			     out->name, out->version);
	else if (!lp->checksum || strcmp(out->checksum, lp->checksum))
		r = kerr_set(e, KILN_EVERIFY,
			     "checksum mismatch: the index says %s, the package is %s",
			     lp->checksum ? lp->checksum : "(none)", out->checksum);
	if (r < 0)
		apk_pkg_free(out);
	return r;
}

struct fetch_check {
	const struct lock_pkg *lp;
	const char *url;
	const char *keys;
};

/* a fresh download enters the blob store only when it is the package the lock names */
static int fetch_check(const char *path, void *ud, struct kerr *e)
{
	const struct fetch_check *fc = ud;
	struct apk_pkg p = {0};
	int r = check_apk(path, fc->lp, fc->keys, &p, e);
	if (r < 0)
		return kerr_prefix(e, "%s-%s from %s: ", fc->lp->name, fc->lp->version, fc->url);
	apk_pkg_free(&p);
	return 0;
}

/* the blob that holds the package with this index checksum, recorded when it
 * was first fetched: $KILN_HOME/blobs/apk-checksum/<hex of the checksum> */
static char *checksum_map_path(const char *checksum)
{
	unsigned char raw[32];
	size_t n = 0;
	char hex[65];
	if (!checksum || apk_checksum_decode(checksum, raw, &n) < 0 || n == 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	return xasprintf("%s/blobs/apk-checksum/%s", kiln_home(), hex);
}

static int checksum_map_get(const char *checksum, uint64_t size, char sha[SHA256_HEX_LEN + 1])
{
	char *p = checksum_map_path(checksum);
	struct kbuf b = {0};
	struct kerr e;
	int ok = 0;
	if (p && read_file(p, &b, 256, &e) == 0 && b.len >= SHA256_HEX_LEN) {
		memcpy(sha, b.data, SHA256_HEX_LEN);
		sha[SHA256_HEX_LEN] = '\0';
		ok = is_sha256_hex(sha) && blob_exists(sha, size);
	}
	kbuf_free(&b);
	free(p);
	return ok;
}

static void checksum_map_put(const char *checksum, const char *sha)
{
	char *p = checksum_map_path(checksum);
	struct kerr e;
	if (p) {
		char *dir = xasprintf("%s/blobs/apk-checksum", kiln_home());
		char *line = xasprintf("%s\n", sha);
		if (mkdir_p(dir, 0755, &e) == 0)
			write_file_atomic(p, line, strlen(line), 0644, &e);
		free(line);
		free(dir);
	}
	free(p);
}

/* ---------------- reading an .apk's parts from memory ---------------- */

static struct archive *tar_reader(const void *p, size_t n, int gzip)
{
	struct archive *a = archive_read_new();
	if (gzip)
		archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_memory(a, p, n) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static int read_entry_data(struct archive *a, struct kbuf *out, EVP_MD_CTX *md, size_t max)
{
	char buf[65536];
	la_ssize_t n;
	size_t total = 0;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		total += (size_t)n;
		if (total > max)
			return -1;
		if (out)
			kbuf_add(out, buf, (size_t)n);
		if (md)
			EVP_DigestUpdate(md, buf, (size_t)n);
	}
	return n < 0 ? -1 : 0;
}

/* the install scripts of the control stream (.pre-install, .post-install, ...) */
static int read_scripts(struct apk_one *p, const struct gz_member *ctl, struct kerr *e)
{
	struct kbuf t = {0};
	struct archive_entry *ae;
	int rc, ret = 0;
	/* the control tar is cut (no end blocks): end it */
	kbuf_add(&t, ctl->data.data, ctl->data.len);
	kbuf_reserve(&t, 1024);
	memset(t.data + t.len, 0, 1024);
	t.len += 1024;
	struct archive *a = tar_reader(t.data, t.len, 0);
	if (!a) {
		kbuf_free(&t);
		return kerr_set(e, KILN_EPARSE, "control stream is not a tar");
	}
	while ((rc = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ae);
		if (!name || name[0] != '.' || !strcmp(name, ".PKGINFO") ||
		    str_has_prefix(name, ".SIGN."))
			continue;
		if (!is_safe_filename(name) || archive_entry_filetype(ae) != AE_IFREG) {
			ret = kerr_set(e, KILN_EVERIFY, "control member '%s' refused", name);
			break;
		}
		p->script_texts =
		    xrealloc(p->script_texts, (p->script_names.n + 1) * sizeof(*p->script_texts));
		struct kbuf *s = &p->script_texts[p->script_names.n];
		kbuf_init(s);
		strv_add(&p->script_names, name);
		if (read_entry_data(a, s, NULL, 1 << 20) < 0) {
			ret = kerr_set(e, KILN_EPARSE, "control member '%s' unreadable or too big",
				       name);
			break;
		}
	}
	if (ret == 0 && rc != ARCHIVE_EOF)
		ret = kerr_set(e, KILN_EPARSE, "control stream: %s", archive_error_string(a));
	archive_read_free(a);
	kbuf_free(&t);
	return ret;
}

static struct apk_dir_entry *dir_entry(struct apk_pkg *pkg, const char *path)
{
	for (size_t i = pkg->ndirs; i > 0; i--)
		if (!strcmp(pkg->dirs[i - 1].path, path))
			return &pkg->dirs[i - 1];
	pkg->dirs = xrealloc(pkg->dirs, (pkg->ndirs + 1) * sizeof(*pkg->dirs));
	struct apk_dir_entry *d = &pkg->dirs[pkg->ndirs++];
	memset(d, 0, sizeof(*d));
	d->path = xstrdup(path);
	return d;
}

static char *q1_of(EVP_MD_CTX *md)
{
	unsigned char sha1[20];
	char q1[32];
	EVP_DigestFinal_ex(md, sha1, NULL);
	apk_checksum_encode_q1(sha1, q1);
	return xstrdup(q1);
}

/* Read the data stream once without writing anything: the installed
 * database's F:/M: (directories) and R:/a:/Z: (files, with their sha1) lines,
 * as apk-tools records them (owner and mode only where not the default). */
static int scan_data(struct apk_one *p, struct kerr *e)
{
	struct archive *a = tar_reader(p->data, p->data_len, 1);
	struct archive_entry *ae;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc, ret = 0;
	if (!a) {
		EVP_MD_CTX_free(md);
		return kerr_set(e, KILN_EPARSE, "data stream is not a gzip'd tar");
	}
	while ((rc = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *n0 = archive_entry_pathname(ae);
		if (!n0)
			continue; /* refused with a clear message when unpacking */
		char *name = xstrdup(str_has_prefix(n0, "./") ? n0 + 2 : n0);
		size_t l = strlen(name);
		while (l && name[l - 1] == '/')
			name[--l] = '\0';
		mode_t type = archive_entry_filetype(ae);
		unsigned uid = (unsigned)archive_entry_uid(ae),
			 gid = (unsigned)archive_entry_gid(ae);
		unsigned mode = (unsigned)archive_entry_perm(ae) & 07777;
		if (!*name) {
			free(name);
			continue;
		}
		/* refused here, before anything is installed (and again when unpacking) */
		if (name[0] == '/' || !strcmp(name, "..") || str_has_prefix(name, "../") ||
		    strstr(name, "/../") || str_has_suffix(name, "/..")) {
			ret = kerr_set(e, KILN_EVERIFY,
				       "data member '%s' leaves the root (absolute path or '..')",
				       n0);
			free(name);
			break;
		}
		if (type == AE_IFDIR && !archive_entry_hardlink(ae)) {
			struct apk_dir_entry *d = dir_entry(&p->pkg, name);
			if (uid || gid || mode != 0755) {
				d->uid = uid;
				d->gid = gid;
				d->mode = mode;
			}
			free(name);
			continue;
		}
		char *slash = strrchr(name, '/');
		struct apk_dir_entry *d = dir_entry(&p->pkg, slash ? (*slash = '\0', name) : "");
		d->files = xrealloc(d->files, (d->nfiles + 1) * sizeof(*d->files));
		struct apk_file_entry *f = &d->files[d->nfiles++];
		memset(f, 0, sizeof(*f));
		f->name = xstrdup(slash ? slash + 1 : name);
		if (uid || gid || (type == AE_IFREG && mode != 0644)) {
			f->uid = uid;
			f->gid = gid;
			f->mode = mode;
		}
		EVP_DigestInit_ex(md, EVP_sha1(), NULL);
		if (archive_entry_hardlink(ae)) {
			EVP_MD_CTX_reset(md);
		} else if (type == AE_IFLNK) {
			const char *t = archive_entry_symlink(ae);
			EVP_DigestUpdate(md, t ? t : "", t ? strlen(t) : 0);
			f->checksum = q1_of(md);
		} else if (type == AE_IFREG) {
			if (read_entry_data(a, NULL, md, SIZE_MAX) < 0) {
				free(name);
				ret = kerr_set(e, KILN_EPARSE, "data stream: %s",
					       archive_error_string(a));
				break;
			}
			f->checksum = q1_of(md);
		}
		free(name);
	}
	if (ret == 0 && rc != ARCHIVE_EOF)
		ret = kerr_set(e, KILN_EPARSE, "data stream: %s", archive_error_string(a));
	archive_read_free(a);
	EVP_MD_CTX_free(md);
	return ret;
}

/* load, check and take apart one downloaded package; nothing is written */
static int load_one(struct apk_one *p, const char *blob, const char *sha, const char *keys,
		    struct kerr *e)
{
	struct gz_members g = {0};
	int r;
	snprintf(p->what, sizeof(p->what), "%s-%s", p->lp->name, p->lp->version);
	if ((r = check_apk(blob, p->lp, keys, &p->pkg, e)) < 0)
		return r;
	if ((r = read_file(blob, &p->file, (size_t)1 << 32, e)) < 0)
		return r;
	/* what is unpacked must be exactly what check_apk verified: the blob's bytes */
	char hex[SHA256_HEX_LEN + 1];
	sha256_mem(p->file.data, p->file.len, hex);
	if (strcmp(hex, sha))
		return kerr_set(e, KILN_EVERIFY, "%s: changed while being read", blob);
	if ((r = gz_split_members(p->file.data, p->file.len, 3, 2, (size_t)1 << 34, blob, &g, e)) <
	    0)
		return r;
	if (g.n != 3) {
		r = kerr_set(e, KILN_EPARSE, "%s: expected signature, control and data streams",
			     blob);
		goto out;
	}
	sha256_mem(g.m[2].raw, g.m[2].raw_len, hex);
	if (strcmp(hex, p->pkg.datahash)) {
		r = kerr_set(e, KILN_EVERIFY, "%s: datahash mismatch (the file changed)", blob);
		goto out;
	}
	p->data = g.m[2].raw;
	p->data_len = g.m[2].raw_len;
	if ((r = read_scripts(p, &g.m[1], e)) < 0 || (r = scan_data(p, e)) < 0)
		goto out;
out:
	gz_members_free(&g);
	return r;
}

/* ---------------- making the root ---------------- */

static int make_skeleton(const char *root, struct kerr *e)
{
	static const char *const dirs[] = {
	    "proc", "sys",  "dev",	    "tmp", "etc/apk/keys", "lib/apk/db", "var/cache/apk",
	    "root", "home", "kiln-scripts", NULL};
	int ret = 0;
	for (size_t i = 0; dirs[i] && ret == 0; i++) {
		char *d = xasprintf("%s/%s", root, dirs[i]);
		ret = mkdir_p(d, 0755, e);
		free(d);
	}
	if (ret == 0) {
		char *t = xasprintf("%s/tmp", root);
		chmod(t, 01777);
		free(t);
	}
	return ret;
}

/* Run the queued scripts (a shell script calling each in turn) with the
 * root's own /bin/sh in the ROOT_PREP sandbox. */
static int run_scripts(const char *root, const char *work, struct kbuf *queue, int *nqueued,
		       struct kerr *e)
{
	char *dir = xasprintf("%s/scripts", work), *runp = xasprintf("%s/scripts/run.sh", work);
	char *logp = xasprintf("%s/root-prep.log", work), *shp = xasprintf("%s/bin/sh", root);
	int ret = 0, status = 0, logfd = -1;
	struct stat st;

	if (*nqueued == 0)
		goto out;
	if (lstat(shp, &st) < 0) {
		ret = kerr_set(e, KILN_EFAIL,
			       "the packages have install scripts, but the root has no /bin/sh to "
			       "run them");
		goto out;
	}
	kbuf_adds(queue, "echo \"kiln: scripts done\"\n");
	if ((ret = write_file_atomic(runp, queue->data, queue->len, 0644, e)) < 0)
		goto out;
	if ((ret = root_shift_owner(root, e)) < 0)
		goto out;
	if ((logfd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
		ret = kerr_errno(e, KILN_EIO, "creating %s", logp);
		goto out;
	}
	if ((ret = root_prep_run(root, dir, "/kiln-scripts", "run.sh", logfd, 600, &status, e)) <
	    0) {
		kerr_prefix(e, "running install scripts (log: %s): ", logp);
		goto out;
	}
	if (status != 0)
		ret = kerr_set(e, KILN_EFAIL, "an install script failed (exit %d); log: %s", status,
			       logp);
out:
	kbuf_free(queue);
	kbuf_init(queue);
	kbuf_adds(queue, "set -e\ncd /\n");
	*nqueued = 0;
	if (logfd >= 0)
		close(logfd);
	free(dir);
	free(runp);
	free(logp);
	free(shp);
	return ret;
}

/* put one script where the sandbox sees it and queue its call (apk passes the version) */
static int queue_script(struct apk_one *p, size_t i, size_t k, const char *work, struct kbuf *q,
			int *nq, struct kerr *e)
{
	char *name = xasprintf("%03zu%s", i, p->script_names.v[k]);
	char *path = xasprintf("%s/scripts/%s", work, name);
	int r = write_file_atomic(path, p->script_texts[k].data ? p->script_texts[k].data : "",
				  p->script_texts[k].len, 0755, e);
	if (r == 0) {
		kbuf_printf(q, "echo \"kiln: %s%s\"\n/bin/sh /kiln-scripts/%s '%s'\n", p->what,
			    p->script_names.v[k], name, p->lp->version);
		(*nq)++;
	}
	free(name);
	free(path);
	return r;
}

static int find_script(const struct apk_one *p, const char *name)
{
	for (size_t k = 0; k < p->script_names.n; k++)
		if (!strcmp(p->script_names.v[k], name))
			return (int)k;
	return -1;
}

static int unpack(struct apk_one *p, int rootfd, struct kerr *e)
{
	struct deb_extract_opts xo = {.set_owner = geteuid() == 0, .id_base = root_id_base()};
	struct archive *a = tar_reader(p->data, p->data_len, 1);
	int r;
	if (!a)
		return kerr_set(e, KILN_EPARSE, "%s: data stream is not a gzip'd tar", p->what);
	r = tar_extract_safe(a, p->what, "data stream", rootfd, &xo, e);
	archive_read_free(a);
	return r;
}

/* lib/apk/db/scripts.tar: each script as apk-tools keeps it, "NAME-VER.Q1SUM.TYPE" */
static int write_scripts_tar(const struct apk_one *pk, size_t n, const char *path, struct kerr *e)
{
	struct archive *a = archive_write_new();
	int ret = 0;
	archive_write_set_format_ustar(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
		ret = kerr_set(e, KILN_EIO, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	for (size_t i = 0; i < n && ret == 0; i++)
		for (size_t k = 0; k < pk[i].script_names.n; k++) {
			struct archive_entry *ae = archive_entry_new();
			char *name = xasprintf("%s.%s%s", pk[i].what, pk[i].pkg.checksum,
					       pk[i].script_names.v[k]);
			archive_entry_set_pathname(ae, name);
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, 0755);
			archive_entry_set_size(ae, (la_int64_t)pk[i].script_texts[k].len);
			if (archive_write_header(a, ae) != ARCHIVE_OK ||
			    (pk[i].script_texts[k].len &&
			     archive_write_data(a, pk[i].script_texts[k].data,
						pk[i].script_texts[k].len) < 0))
				ret =
				    kerr_set(e, KILN_EIO, "%s: %s", path, archive_error_string(a));
			archive_entry_free(ae);
			free(name);
			if (ret < 0)
				break;
		}
	if (archive_write_close(a) != ARCHIVE_OK && ret == 0)
		ret = kerr_set(e, KILN_EIO, "%s: %s", path, archive_error_string(a));
out:
	archive_write_free(a);
	return ret;
}

static int write_text(const char *root, const char *rel, const char *text, struct kerr *e)
{
	char *p = xasprintf("%s/%s", root, rel);
	int r = write_file_atomic(p, text, strlen(text), 0644, e);
	free(p);
	return r;
}

/* copy the trusted *.rsa.pub keys into etc/apk/keys */
static int copy_keys(const char *keys, const char *root, struct kerr *e)
{
	DIR *d = opendir(keys);
	struct dirent *de;
	int ret = 0;
	if (!d)
		return kerr_errno(e, KILN_EIO, "opening the keys directory %s", keys);
	while (ret == 0 && (de = readdir(d))) {
		if (!is_safe_filename(de->d_name) || !str_has_suffix(de->d_name, ".pub"))
			continue;
		char *src = xasprintf("%s/%s", keys, de->d_name);
		char *dst = xasprintf("%s/etc/apk/keys/%s", root, de->d_name);
		ret = copy_file_atomic(src, dst, 0644, e);
		free(src);
		free(dst);
	}
	closedir(d);
	return ret;
}

/* the apk database and configuration, as apk-tools would leave them */
static int write_apk_state(const struct apkroot_make *m, const char *root, struct kerr *e)
{
	const struct lock *l = m->l;
	struct apk_index db = {0};
	struct kbuf b = {0};
	struct strv names = {0}, repos = {0};
	int ret;

	db.pkgs = xcalloc(l->n, sizeof(*db.pkgs));
	db.n = l->n;
	for (size_t i = 0; i < l->n; i++)
		db.pkgs[i] = m->pk[i].pkg; /* borrowed: not freed through db */
	apk_installed_format(&db, &b);
	free(db.pkgs);
	if ((ret = write_text(root, "lib/apk/db/installed", b.data ? b.data : "", e)) < 0)
		goto out;
	char *st = xasprintf("%s/lib/apk/db/scripts.tar", root);
	ret = write_scripts_tar(m->pk, l->n, st, e);
	free(st);
	if (ret < 0 || (ret = write_text(root, "lib/apk/db/triggers", "", e)) < 0)
		goto out;
	kbuf_free(&b);
	kbuf_init(&b);
	for (size_t i = 0; i < l->n; i++)
		strv_add(&names, l->pkgs[i].name);
	strv_sort(&names);
	for (size_t i = 0; i < names.n; i++)
		if (!i || strcmp(names.v[i], names.v[i - 1]))
			kbuf_printf(&b, "%s\n", names.v[i]);
	if ((ret = write_text(root, "etc/apk/world", b.data ? b.data : "", e)) < 0)
		goto out;
	kbuf_free(&b);
	kbuf_init(&b);
	/* "<mirror>/<suite>/<repo>" of each package's "<suite>/<repo>/<arch>/<file>" */
	for (size_t i = 0; i < l->n; i++) {
		const char *f = l->pkgs[i].filename, *s1 = strchr(f, '/'),
			   *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
		if (!s2)
			continue;
		char *r = xasprintf("%s/%.*s", l->pkgs[i].mirror, (int)(s2 - f), f);
		if (!strv_contains(&repos, r)) {
			kbuf_printf(&b, "%s\n", r);
			strv_add(&repos, r);
		}
		free(r);
	}
	if ((ret = write_text(root, "etc/apk/repositories", b.data ? b.data : "", e)) < 0)
		goto out;
	char *arch = xasprintf("%s\n", l->arch ? l->arch : "x86_64");
	ret = write_text(root, "etc/apk/arch", arch, e);
	free(arch);
	if (ret == 0)
		ret = copy_keys(m->keys, root, e);
out:
	kbuf_free(&b);
	strv_free(&names);
	strv_free(&repos);
	return ret;
}

/* the build user (BUILD_USER, BUILD_UID) and its home /home/build */
static int add_build_user(const char *root, struct kerr *e)
{
	char *p = xasprintf("%s/etc/passwd", root), *g = xasprintf("%s/etc/group", root);
	char *h = xasprintf("%s/home/build", root);
	char line[256];
	int ret = 0;

	if (!path_exists(p))
		ret = write_file_atomic(p, "root:x:0:0:root:/root:/bin/sh\n", 30, 0644, e);
	if (ret == 0 && !path_exists(g))
		ret = write_file_atomic(g, "root:x:0:root\n", 14, 0644, e);
	snprintf(line, sizeof(line), "%s:x:%d:%d:kiln build user:/home/build:/bin/sh\n", BUILD_USER,
		 BUILD_UID, BUILD_GID);
	if (ret == 0)
		ret = root_append_line(p, line, e);
	snprintf(line, sizeof(line), "%s:x:%d:\n", BUILD_USER, BUILD_GID);
	if (ret == 0)
		ret = root_append_line(g, line, e);
	if (ret == 0 && mkdir(h, 0755) < 0 && errno != EEXIST)
		ret = kerr_errno(e, KILN_EIO, "creating %s", h);
	if (ret == 0 && geteuid() == 0 &&
	    chown(h, sandbox_host_uid(BUILD_UID), sandbox_host_gid(BUILD_GID)) < 0)
		ret = kerr_errno(e, KILN_EIO, "chown %s", h);
	free(p);
	free(g);
	free(h);
	return ret;
}

/* install every checked package into tmp, in lock order */
static int install_all(struct apkroot_make *m, const char *tmp, const char *work, struct kerr *e)
{
	const struct lock *l = m->l;
	struct kbuf q = {0};
	int nq = 0, ret, rootfd = -1;
	char *sd = xasprintf("%s/scripts", work), *ks = xasprintf("%s/kiln-scripts", tmp);

	kbuf_adds(&q, "set -e\ncd /\n");
	if ((ret = make_skeleton(tmp, e)) < 0 || (ret = mkdir_p(sd, 0755, e)) < 0 ||
	    (ret = root_shift_owner(tmp, e)) < 0)
		goto out;
	if ((rootfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ret = kerr_errno(e, KILN_EIO, "opening %s", tmp);
		goto out;
	}
	/* apk's order per package: pre-install, files, post-install. Scripts
	 * wait in a queue and run in one sandbox until a pre-install needs
	 * everything before it done. */
	for (size_t i = 0; i < l->n; i++) {
		struct apk_one *p = &m->pk[i];
		int k = find_script(p, ".pre-install");
		if (k >= 0 && ((ret = queue_script(p, i, (size_t)k, work, &q, &nq, e)) < 0 ||
			       (ret = run_scripts(tmp, work, &q, &nq, e)) < 0))
			goto out;
		if ((ret = unpack(p, rootfd, e)) < 0)
			goto out;
		k = find_script(p, ".post-install");
		if (k >= 0 && (ret = queue_script(p, i, (size_t)k, work, &q, &nq, e)) < 0)
			goto out;
	}
	if ((ret = run_scripts(tmp, work, &q, &nq, e)) < 0)
		goto out;
	if ((ret = write_apk_state(m, tmp, e)) < 0 || (ret = add_build_user(tmp, e)) < 0)
		goto out;
	rmdir(ks);
	ret = root_shift_owner(tmp, e);
out:
	if (rootfd >= 0)
		close(rootfd);
	kbuf_free(&q);
	free(sd);
	free(ks);
	return ret;
}

/* download, check every package, then install them all */
static int apkroot_make(void *ud, const char *tmp, const char *work, struct kerr *e)
{
	struct apkroot_make *m = ud;
	const struct lock *l = m->l;
	struct fetch_item *items = xcalloc(l->n, sizeof(*items));
	struct fetch_check *fc = xcalloc(l->n, sizeof(*fc));
	char(*sha)[SHA256_HEX_LEN + 1] = xcalloc(l->n, sizeof(*sha));
	int ret = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct lock_pkg *p = &l->pkgs[i];
		items[i].url = xasprintf("%s/%s", p->mirror, p->filename);
		items[i].size = p->size ? p->size : UINT64_MAX;
		items[i].what = xasprintf("%s-%s", p->name, p->version);
		if (p->sha256 && is_sha256_hex(p->sha256)) {
			items[i].sha256 = p->sha256;
		} else if (checksum_map_get(p->checksum, items[i].size, sha[i])) {
			items[i].sha256 = sha[i];
		} else {
			fc[i].lp = p;
			fc[i].url = items[i].url;
			fc[i].keys = m->keys;
			items[i].check = fetch_check;
			items[i].check_ud = &fc[i];
		}
	}
	if ((ret = fetch_many(items, l->n, &m->o->fetch, e)) < 0)
		goto out;
	/* every package checked before anything is installed */
	m->pk = xcalloc(l->n, sizeof(*m->pk));
	for (size_t i = 0; i < l->n; i++) {
		const char *h = items[i].sha256 ? items[i].sha256 : items[i].got_sha256;
		char *blob = blob_path(h);
		m->pk[i].lp = &l->pkgs[i];
		ret = load_one(&m->pk[i], blob, h, m->keys, e);
		if (ret < 0)
			kerr_prefix(e, "%s-%s: ", l->pkgs[i].name, l->pkgs[i].version);
		else if (!items[i].sha256)
			checksum_map_put(l->pkgs[i].checksum, h);
		free(blob);
		if (ret < 0)
			goto out;
	}
	log_info("root: installing %zu checked packages into %s", l->n, m->id);
	ret = install_all(m, tmp, work, e);
out:
	for (size_t i = 0; i < l->n; i++) {
		free((char *)items[i].url);
		free((char *)items[i].what);
	}
	free(items);
	free(fc);
	free(sha);
	return ret;
}

int apkroot_prepare(const struct lock *l, const char *keys_dir, const struct root_opts *o,
		    char **path, int *cached, int *hold_fd, struct kerr *e)
{
	char id[SHA256_HEX_LEN + 1];
	struct apkroot_make m = {l, keys_dir, o, id, NULL};
	struct root_recipe rc = {id, l, apkroot_make, &m};
	int r;

	*path = NULL;
	*cached = 0;
	*hold_fd = -1;
	if (l->n == 0)
		return kerr_set(e, KILN_EPARSE, "the lock lists no packages");
	if (!keys_dir)
		return kerr_set(e, KILN_EUSAGE, "no trusted keys directory for the packages");
	for (size_t i = 0; i < l->n; i++) {
		const struct lock_pkg *p = &l->pkgs[i];
		if (!p->checksum || !p->filename || !*p->filename || !p->mirror || !*p->mirror ||
		    strstr(p->filename, ".."))
			return kerr_set(e, KILN_EPARSE,
					"the lock's entry for %s has no checksum, file name or "
					"mirror, or a bad file name",
					p->name);
	}
	apkroot_id(l, id);
	r = root_cache_prepare(&rc, o, path, cached, hold_fd, e);
	if (m.pk) {
		for (size_t i = 0; i < l->n; i++)
			one_free(&m.pk[i]);
		free(m.pk);
	}
	return r;
}
