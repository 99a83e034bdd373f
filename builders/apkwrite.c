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
 * Refused: device nodes, fifos, sockets, names with control characters, a
 * tree deeper than 128 or larger than 2 GiB; nothing is written then. */
#include "builders/alpine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TREE_MAX_DEPTH 128
#define TREE_MAX_ENTRIES 1000000
#define TREE_MAX_BYTES ((uint64_t)2 << 30) /* data held in memory at once (zlib counts in uInt) */
#define PATH_MAX_LEN 4095
#define SCRIPT_MAX_BYTES (1u << 20)
#define OWNERS_MAX_BYTES (4u << 20)

/* the control scripts apk knows, in the order kiln writes them */
static const char *const script_names[] = {".pre-install",  ".post-install",  ".pre-upgrade",
					   ".post-upgrade", ".pre-deinstall", ".post-deinstall",
					   ".trigger"};
#define NSCRIPT_NAMES (sizeof(script_names) / sizeof(script_names[0]))

struct tent {
	char *path; /* relative, no "./", no trailing '/' */
	char type;  /* '0' file, '1' hard link, '2' symlink, '5' directory */
	unsigned mode;
	uint64_t size;
	dev_t dev;
	ino_t ino;
	nlink_t nlink;
	char *link; /* symlink target, or the path a hard link points at */
	const char *uname, *gname;
	char *owner_buf; /* "user\0group" from the owners file */
};

struct tree {
	struct tent *v;
	size_t n, cap;
	uint64_t bytes;
	const char *root;
};

/* what the scanners found while the data stream was written */
struct scan {
	struct strv needed;   /* DT_NEEDED of every ELF file */
	struct strv rpath;    /* absolute rpath dirs, without the leading '/' */
	struct strv so_cands; /* ET_DYN files: "dir\0base\0soname" as three strv entries */
	struct strv cmds, pcs;
};

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].link);
		free(t->v[i].owner_buf);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static void scan_free(struct scan *s)
{
	strv_free(&s->needed);
	strv_free(&s->rpath);
	strv_free(&s->so_cands);
	strv_free(&s->cmds);
	strv_free(&s->pcs);
}

/* a path component kiln will put in a package: no '/', not "." or "..", no
 * control characters (they would break apk's line-based installed db) */
static int valid_component(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..") || strlen(s) > 255)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '/')
			return 0;
	return 1;
}

static int no_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static const char *kind_of(mode_t m)
{
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a fifo";
	if (S_ISSOCK(m))
		return "a socket";
	return "of an unknown type";
}

/* ---------------- reading the tree, never following a symlink ---------------- */

static int walk(int dirfd, const char *prefix, int depth, struct tree *t, struct kerr *e)
{
	int fd = dup(dirfd), ret = 0;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return kerr_errno(e, KILN_EIO, "%s/%s", t->root, prefix);
	}
	while ((errno = 0, de = readdir(d))) {
		const char *name = de->d_name;
		struct stat st;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (!*prefix && name[0] == '.')
			continue; /* top-level dotfiles are not packaged (abuild: find *) */
		char *path = *prefix ? xasprintf("%s/%s", prefix, name) : xstrdup(name);
		if (!valid_component(name) || strlen(path) > PATH_MAX_LEN) {
			ret = kerr_set(e, KILN_EPARSE,
				       "%s: '%s' cannot be a file name in a package (control "
				       "characters or too long)",
				       t->root, path);
			free(path);
			break;
		}
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = kerr_errno(e, KILN_EIO, "%s/%s", t->root, path);
			free(path);
			break;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
			ret = kerr_set(e, KILN_EPARSE,
				       "%s/%s is %s: packages hold only files, directories and "
				       "symlinks",
				       t->root, path, kind_of(st.st_mode));
			free(path);
			break;
		}
		if (t->n >= TREE_MAX_ENTRIES) {
			ret = kerr_set(e, KILN_EFAIL, "%s: more than %d entries", t->root,
				       TREE_MAX_ENTRIES);
			free(path);
			break;
		}
		if (t->n == t->cap)
			t->v = xrealloc(t->v, (t->cap = t->cap ? 2 * t->cap : 256) * sizeof(*t->v));
		struct tent *en = &t->v[t->n++];
		memset(en, 0, sizeof(*en));
		en->path = path;
		en->mode = (unsigned)(st.st_mode & 07777);
		en->dev = st.st_dev;
		en->ino = st.st_ino;
		en->nlink = st.st_nlink;
		en->uname = en->gname = "root";
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX_LEN + 2];
			ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
			en->type = '2';
			en->mode = 0777;
			if (n < 0) {
				ret = kerr_errno(e, KILN_EIO, "%s/%s", t->root, path);
				break;
			}
			target[n] = '\0';
			if (n == 0 || (size_t)n > PATH_MAX_LEN || !no_control_chars(target)) {
				ret = kerr_set(e, KILN_EPARSE,
					       "%s/%s: symlink target is empty, too long or has "
					       "control characters",
					       t->root, path);
				break;
			}
			en->link = xstrdup(target);
		} else if (S_ISREG(st.st_mode)) {
			en->type = '0';
			en->size = (uint64_t)st.st_size;
			t->bytes += en->size;
			if (t->bytes > TREE_MAX_BYTES) {
				ret = kerr_set(e, KILN_EFAIL, "%s: more than %llu bytes of files",
					       t->root, (unsigned long long)TREE_MAX_BYTES);
				break;
			}
		} else {
			en->type = '5';
			if (depth >= TREE_MAX_DEPTH) {
				ret = kerr_set(e, KILN_EPARSE, "%s/%s: directories nested too deep",
					       t->root, path);
				break;
			}
			int sub =
			    openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				ret = kerr_errno(e, KILN_EIO, "%s/%s", t->root, path);
				break;
			}
			char *sub_prefix = xstrdup(path); /* t->v may move while walking */
			ret = walk(sub, sub_prefix, depth + 1, t, e);
			free(sub_prefix);
			close(sub);
			if (ret < 0)
				break;
		}
	}
	if (!ret && errno)
		ret = kerr_errno(e, KILN_EIO, "%s/%s", t->root, prefix);
	closedir(d);
	return ret;
}

static int cmp_tent(const void *a, const void *b)
{
	return strcmp(((const struct tent *)a)->path, ((const struct tent *)b)->path);
}

/* hard links: the first path (in archive order) of an inode is stored, the
 * others point at it, as GNU tar does */
static int cmp_inode(const void *pa, const void *pb, void *ctx)
{
	const struct tent *v = ctx, *a = &v[*(const size_t *)pa], *b = &v[*(const size_t *)pb];
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

static void mark_hard_links(struct tree *t)
{
	size_t *ix = xmalloc((t->n + 1) * sizeof(*ix)), m = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].type == '0' && t->v[i].nlink > 1)
			ix[m++] = i;
	qsort_r(ix, m, sizeof(*ix), cmp_inode, t->v);
	for (size_t k = 1; k < m; k++) {
		/* the one before is the stored file, or a link to it */
		const struct tent *first = &t->v[ix[k - 1]];
		struct tent *en = &t->v[ix[k]];
		if (en->dev != first->dev || en->ino != first->ino)
			continue;
		en->type = '1';
		en->link = xstrdup(first->type == '1' ? first->link : first->path);
	}
	free(ix);
}

static struct tent *tree_find(struct tree *t, const char *path)
{
	struct tent key = {.path = (char *)path};
	if (!t->n)
		return NULL;
	return bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_tent);
}

static int valid_user_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 31 || *s == '-')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* the kiln owners file: "PATH OWNER GROUP" per line (PATH may hold spaces:
 * owner and group are the last two fields) */
static int apply_owners(struct tree *t, const char *file, struct kerr *e)
{
	struct kbuf b;
	size_t lineno = 0;
	int ret = 0;

	kbuf_init(&b);
	if ((ret = read_file(file, &b, OWNERS_MAX_BYTES, e)) < 0)
		goto out;
	for (char *s = b.data, *nl; s && *s; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		if (!*s || *s == '#')
			continue;
		char *g = strrchr(s, ' '), *u;
		if (g) {
			*g++ = '\0';
			u = strrchr(s, ' ');
		} else {
			u = NULL;
		}
		if (!u) {
			ret = kerr_set(e, KILN_EPARSE, "%s:%zu: expected 'PATH OWNER GROUP'", file,
				       lineno);
			goto out;
		}
		*u++ = '\0';
		if (!valid_user_name(u) || !valid_user_name(g)) {
			ret = kerr_set(e, KILN_EPARSE, "%s:%zu: '%s:%s' is not a valid owner", file,
				       lineno, u, g);
			goto out;
		}
		struct tent *en = tree_find(t, s);
		if (!en) {
			ret = kerr_set(e, KILN_EPARSE, "%s:%zu: %s is not in the package tree",
				       file, lineno, s);
			goto out;
		}
		free(en->owner_buf);
		size_t ul = strlen(u), gl = strlen(g);
		en->owner_buf = xmalloc(ul + gl + 2);
		memcpy(en->owner_buf, u, ul + 1);
		memcpy(en->owner_buf + ul + 1, g, gl + 1);
		en->uname = en->owner_buf;
		en->gname = en->owner_buf + ul + 1;
	}
out:
	kbuf_free(&b);
	return ret;
}

/* ---------------- the data stream ---------------- */

static void pax_record(struct kbuf *b, const char *key, const char *val)
{
	size_t body = strlen(key) + strlen(val) + 3, len = body + 1, digits;
	/* the length counts its own digits */
	for (;;) {
		digits = (size_t)snprintf(NULL, 0, "%zu", len);
		if (body + digits == len)
			break;
		len = body + digits;
	}
	kbuf_printf(b, "%zu %s=%s\n", len, key, val);
}

static void sha1_hex(const void *p, size_t n, char hex[41])
{
	static const char hx[] = "0123456789abcdef";
	unsigned char d[20];
	EVP_Digest(p, n, d, NULL, EVP_sha1(), NULL);
	for (int i = 0; i < 20; i++) {
		hex[2 * i] = hx[d[i] >> 4];
		hex[2 * i + 1] = hx[d[i] & 15];
	}
	hex[40] = '\0';
}

/* a regular file's bytes, opened beneath the tree without following any symlink, and checked
 * to be the inode the walk saw */
static int read_entry(int rootfd, const struct tree *t, const struct tent *en, struct kbuf *out,
		      struct kerr *e)
{
	struct open_how how = {.flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
			       .resolve =
				   RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	int fd = (int)syscall(SYS_openat2, rootfd, en->path, &how, sizeof(how)), ret = 0;
	struct stat st;

	out->len = 0;
	if (fd < 0)
		return kerr_errno(e, KILN_EIO, "%s/%s", t->root, en->path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_ino != en->ino ||
	    st.st_dev != en->dev || (uint64_t)st.st_size != en->size) {
		close(fd);
		return kerr_set(e, KILN_EIO, "%s/%s changed while the package was written", t->root,
				en->path);
	}
	kbuf_reserve(out, (size_t)en->size + 1);
	while (out->len < en->size) {
		ssize_t r = read(fd, out->data + out->len, (size_t)en->size - out->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? kerr_errno(e, KILN_EIO, "%s/%s", t->root, en->path)
				    : kerr_set(e, KILN_EIO, "%s/%s shrank while it was read",
					       t->root, en->path);
			break;
		}
		out->len += (size_t)r;
	}
	out->data[out->len] = '\0';
	close(fd);
	return ret;
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* dir of path ("" at the top) compared with d */
static int in_dir(const char *path, const char *d)
{
	size_t n = strlen(d);
	const char *s = strrchr(path, '/');
	return s ? (size_t)(s - path) == n && !strncmp(path, d, n) : n == 0;
}

static int is_cmd_dir_entry(const char *path)
{
	return in_dir(path, "bin") || in_dir(path, "sbin") || in_dir(path, "usr/bin") ||
	       in_dir(path, "usr/sbin");
}

/* pc: the Version: of a pkg-config file, "0" when it has none */
static void scan_pc(const struct tent *en, const struct kbuf *c, struct scan *s)
{
	const char *base = base_of(en->path);
	char *ver = NULL;
	for (const char *l = c->data; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (n > 8 && !strncmp(l, "Version:", 8)) {
			const char *v = l + 8, *end = l + n;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
				end--;
			free(ver);
			ver = xstrndup(v, (size_t)(end - v));
		}
		l = nl ? nl + 1 : NULL;
	}
	/* only versions apk can compare: others would make the index unusable */
	if (!ver || !*ver || !apk_version_valid(APK_GEN2, ver)) {
		free(ver);
		ver = xstrdup("0");
	}
	strv_add_owned(&s->pcs, xasprintf("pc:%.*s=%s", (int)(strlen(base) - 3), base, ver));
	free(ver);
}

static int scan_file(const struct tent *en, const struct kbuf *c, struct scan *s, const char *root,
		     struct kerr *e)
{
	if (is_cmd_dir_entry(en->path) && (en->mode & 0111))
		strv_add(&s->cmds, base_of(en->path));
	if ((in_dir(en->path, "usr/lib/pkgconfig") || in_dir(en->path, "usr/share/pkgconfig")) &&
	    str_has_suffix(en->path, ".pc") && strlen(base_of(en->path)) > 3)
		scan_pc(en, c, s);

	struct elf_dyninfo d;
	char *what = xasprintf("%s/%s", root, en->path);
	int r = elf_dyninfo_read(c->data, c->len, what, &d, e);
	free(what);
	if (r != 0)
		return r < 0 ? r : 0;
	for (size_t i = 0; i < d.needed.n; i++)
		if (!strv_contains(&s->needed, d.needed.v[i]))
			strv_add(&s->needed, d.needed.v[i]);
	for (size_t i = 0; i < d.rpath.n; i++) {
		const char *p = d.rpath.v[i];
		if (p[0] != '/' || strstr(p, "$") || strstr(p, ".."))
			continue; /* $ORIGIN and relative paths name no directory of the package */
		char *rel = xstrdup(p + 1);
		size_t n = strlen(rel);
		while (n && rel[n - 1] == '/')
			rel[--n] = '\0';
		if (!strv_contains(&s->rpath, rel))
			strv_add(&s->rpath, rel);
		free(rel);
	}
	if (d.type == 3 /* ET_DYN */) {
		const char *slash = strrchr(en->path, '/');
		strv_add_owned(&s->so_cands, slash ? xstrndup(en->path, (size_t)(slash - en->path))
						   : xstrdup(""));
		strv_add(&s->so_cands, base_of(en->path));
		strv_add(&s->so_cands, d.soname ? d.soname : "");
	}
	elf_dyninfo_free(&d);
	return 0;
}

/* one entry: an optional pax header (long names, the apk checksum), the ustar header, the bytes */
static int write_entry(int rootfd, const struct tree *t, const struct tent *en, int64_t mtime,
		       struct kbuf *tar, struct kbuf *content, struct scan *s, struct kerr *e)
{
	struct kbuf pax;
	char *name = en->type == '5' ? xasprintf("%s/", en->path) : xstrdup(en->path);
	char hex[41] = "";
	int ret = 0;

	kbuf_init(&pax);
	content->len = 0;
	if (en->type == '0' && (ret = read_entry(rootfd, t, en, content, e)) < 0)
		goto out;
	if (strlen(name) > 100)
		pax_record(&pax, "path", name);
	if (en->link && strlen(en->link) > 100)
		pax_record(&pax, "linkpath", en->link);
	if (en->type == '0' || en->type == '2') {
		/* abuild-tar --hash: sha1 of the content, of the target for a symlink */
		if (en->type == '0')
			sha1_hex(content->data, content->len, hex);
		else if (en->link)
			sha1_hex(en->link, strlen(en->link), hex);
		pax_record(&pax, "APK-TOOLS.checksum.SHA1", hex);
	}
	if (pax.len) {
		const char *slash = strrchr(en->path, '/');
		char *pname = slash ? xasprintf("%.*s/PaxHeaders/%s", (int)(slash - en->path),
						en->path, slash + 1)
				    : xasprintf("PaxHeaders/%s", en->path);
		struct apk_tar_hdr ph = {
		    .name = pname, .mode = 0644, .type = 'x', .size = pax.len, .mtime = mtime};
		apk_tar_header(tar, &ph);
		kbuf_add(tar, pax.data, pax.len);
		apk_tar_pad(tar, pax.len);
		free(pname);
	}
	struct apk_tar_hdr h = {.name = name,
				.linkname = en->link,
				.mode = en->mode,
				.type = en->type,
				.size = en->type == '0' ? content->len : 0,
				.mtime = mtime,
				.uname = en->uname,
				.gname = en->gname};
	apk_tar_header(tar, &h);
	if (en->type == '0') {
		kbuf_add(tar, content->data, content->len);
		apk_tar_pad(tar, content->len);
		ret = scan_file(en, content, s, t->root, e);
	} else if (is_cmd_dir_entry(en->path) && (en->type == '2' || (en->mode & 0111))) {
		strv_add(&s->cmds, base_of(en->path)); /* symlinks and hard links to commands */
	}
out:
	kbuf_free(&pax);
	free(name);
	return ret;
}

/* ---------------- .PKGINFO ---------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sort -u */
static void sort_unique(struct strv *l)
{
	size_t k = 0;
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++) {
		if (k && !strcmp(l->v[k - 1], l->v[i])) {
			free(l->v[i]);
			continue;
		}
		l->v[k++] = l->v[i];
	}
	l->n = k;
}

/* so: provides as abuild's scan_shared_objects: ET_DYN files directly in lib/,
 * usr/lib/ and the package's own rpath dirs, named *.so or *.so.N*; the
 * soname (else the file name) with the version from the file name (else 0);
 * a later non-zero version replaces a 0 */
static void so_provides(const struct scan *s, struct strv *names, struct strv *vers)
{
	for (size_t i = 0; i + 2 < s->so_cands.n; i += 3) {
		const char *dir = s->so_cands.v[i], *file = s->so_cands.v[i + 1];
		const char *soname = *s->so_cands.v[i + 2] ? s->so_cands.v[i + 2] : file;
		if (strcmp(dir, "lib") && strcmp(dir, "usr/lib") && !strv_contains(&s->rpath, dir))
			continue;
		const char *so = strstr(soname, ".so");
		int shaped = str_has_suffix(soname, ".so") || str_has_suffix(soname, ".c32");
		for (; so && !shaped; so = strstr(so + 1, ".so"))
			shaped = so[3] == '.' && so[4] >= '0' && so[4] <= '9';
		if (!shaped)
			continue;
		const char *sover = "0", *p = NULL;
		for (const char *q = strstr(file, ".so."); q; q = strstr(q + 1, ".so."))
			p = q;
		if (p && p[4] >= '0' && p[4] <= '9')
			sover = p + 4;
		size_t k;
		for (k = 0; k < names->n && strcmp(names->v[k], soname); k++)
			;
		if (k == names->n) {
			strv_add(names, soname);
			strv_add(vers, sover);
		} else if (!strcmp(vers->v[k], "0")) {
			free(vers->v[k]);
			vers->v[k] = xstrdup(sover);
		}
	}
}

static int valid_value(const char *what, const char *v, struct kerr *e)
{
	if (v && strpbrk(v, "\n\r"))
		return kerr_set(e, KILN_EPARSE, "%s '%s...' holds a line break", what, v);
	return 0;
}

static int valid_list(const char *what, const struct strv *l, struct kerr *e)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (!*l->v[i] || strpbrk(l->v[i], " \t\n\r"))
			return kerr_set(e, KILN_EPARSE, "%s '%s' is not one word", what, l->v[i]);
	return 0;
}

static int valid_pkgname(const char *s)
{
	if (!s || !*s ||
	    !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("+_.-", *s)))
			return 0;
	return 1;
}

static int check_meta(const struct apk_write_opts *o, struct kerr *e)
{
	const struct apk_pkg *m = o->meta;
	int ret;

	if (!valid_pkgname(m->name))
		return kerr_set(e, KILN_EPARSE, "'%s' is not a valid apk package name",
				m->name ? m->name : "");
	if (!m->version || !strstr(m->version, "-r") || !apk_version_valid(APK_GEN2, m->version))
		return kerr_set(e, KILN_EPARSE,
				"%s: '%s' is not a valid apk package version (pkgver-rN)", m->name,
				m->version ? m->version : "");
	if (!m->arch || !valid_pkgname(m->arch))
		return kerr_set(e, KILN_EPARSE, "%s: '%s' is not a valid architecture", m->name,
				m->arch ? m->arch : "");
	if ((ret = valid_value("pkgdesc", m->description, e)) < 0 ||
	    (ret = valid_value("url", m->url, e)) < 0 ||
	    (ret = valid_value("license", m->license, e)) < 0 ||
	    (ret = valid_value("maintainer", m->maintainer, e)) < 0 ||
	    (ret = valid_value("commit", m->commit, e)) < 0 ||
	    (ret = valid_value("packager", o->packager, e)) < 0 ||
	    (ret = valid_list("depend", &m->depends, e)) < 0 ||
	    (ret = valid_list("provides", &m->provides, e)) < 0 ||
	    (ret = valid_list("replaces", &m->replaces, e)) < 0 ||
	    (ret = valid_list("install_if", &m->install_if, e)) < 0 ||
	    (ret = valid_list("triggers", o->triggers, e)) < 0)
		return ret;
	if (m->origin && !valid_pkgname(m->origin))
		return kerr_set(e, KILN_EPARSE, "%s: '%s' is not a valid origin", m->name,
				m->origin);
	return 0;
}

/* depends_has: a dependency on name, whatever its version constraint */
static int depends_on(const struct strv *deps, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < deps->n; i++)
		if (!strncmp(deps->v[i], name, n) && strchr("<>=~", deps->v[i][n]))
			return 1;
	return 0;
}

static void add_list(struct kbuf *b, const char *key, const struct strv *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		kbuf_printf(b, "%s = %s\n", key, l->v[i]);
}

static void add_joined(struct kbuf *b, const char *key, const struct strv *l)
{
	if (!l || !l->n)
		return;
	kbuf_printf(b, "%s =", key);
	for (size_t i = 0; i < l->n; i++)
		kbuf_printf(b, " %s", l->v[i]);
	kbuf_adds(b, "\n");
}

/* .PKGINFO, in abuild's order (prepare_metafiles, then trace_apk_deps) */
static void pkginfo_text(const struct apk_write_opts *o, uint64_t size, int needs_sh,
			 const struct scan *s, const char *datahash, struct kbuf *b)
{
	const struct apk_pkg *m = o->meta;
	struct strv so_names = {0}, so_vers = {0}, prov = {0}, cmds = {0}, deps = {0};

	kbuf_printf(b, "# Generated by kiln %s\n", KILN_VERSION);
	kbuf_printf(b, "pkgname = %s\npkgver = %s\n", m->name, m->version);
	kbuf_printf(b, "pkgdesc = %s\nurl = %s\n", m->description ? m->description : "",
		    m->url ? m->url : "");
	kbuf_printf(b, "builddate = %lld\npackager = %s\nsize = %llu\narch = %s\norigin = %s\n",
		    (long long)o->source_date_epoch, o->packager ? o->packager : "Unknown",
		    (unsigned long long)size, m->arch, m->origin ? m->origin : m->name);
	if (m->commit && *m->commit)
		kbuf_printf(b, "commit = %s\n", m->commit);
	if (m->maintainer && *m->maintainer)
		kbuf_printf(b, "maintainer = %s\n", m->maintainer);
	if (m->replaces_priority)
		kbuf_printf(b, "replaces_priority = %lld\n", (long long)m->replaces_priority);
	if (m->has_provider_priority)
		kbuf_printf(b, "provider_priority = %lld\n", (long long)m->provider_priority);
	kbuf_printf(b, "license = %s\n", m->license ? m->license : "");
	add_list(b, "replaces", &m->replaces);
	add_list(b, "depend", &m->depends);
	if (needs_sh)
		kbuf_adds(b, "depend = /bin/sh\n");
	add_list(b, "provides", &m->provides);
	add_joined(b, "triggers", o->triggers);
	add_joined(b, "install_if", &m->install_if);

	kbuf_adds(b, "# automatically detected:\n");
	so_provides(s, &so_names, &so_vers);
	for (size_t i = 0; i < so_names.n; i++)
		strv_add_owned(&prov, xasprintf("so:%s=%s", so_names.v[i], so_vers.v[i]));
	sort_unique(&prov);
	add_list(b, "provides", &prov);
	for (size_t i = 0; i < s->cmds.n; i++)
		strv_add_owned(&cmds, xasprintf("cmd:%s=%s", s->cmds.v[i], m->version));
	sort_unique(&cmds);
	add_list(b, "provides", &cmds);
	struct strv pcs = {0};
	for (size_t i = 0; i < s->pcs.n; i++)
		strv_add(&pcs, s->pcs.v[i]);
	sort_unique(&pcs);
	add_list(b, "provides", &pcs);
	for (size_t i = 0; i < s->needed.n; i++)
		if (!strv_contains(&so_names, s->needed.v[i]))
			strv_add_owned(&deps, xasprintf("so:%s", s->needed.v[i]));
	sort_unique(&deps);
	add_list(b, "depend", &deps);
	kbuf_printf(b, "datahash = %s\n", datahash);
	strv_free(&so_names);
	strv_free(&so_vers);
	strv_free(&prov);
	strv_free(&cmds);
	strv_free(&pcs);
	strv_free(&deps);
}

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
	struct tree t = {0};
	struct scan s = {0};
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
	if ((ret = check_meta(o, e)) < 0 || (ret = read_scripts(o, scripts, &needs_sh, e)) < 0)
		goto out;
	if (!strcmp(o->meta->name, "busybox") || depends_on(&o->meta->depends, "busybox") ||
	    depends_on(&o->meta->depends, "/bin/sh"))
		needs_sh = 0;
	rootfd = open(datadir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0) {
		ret = kerr_errno(e, errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO, "%s", datadir);
		goto out;
	}
	if ((ret = walk(rootfd, "", 0, &t, e)) < 0)
		goto out;
	if (t.n)
		qsort(t.v, t.n, sizeof(*t.v), cmp_tent);
	mark_hard_links(&t);
	if (o->owners_path && (ret = apply_owners(&t, o->owners_path, e)) < 0)
		goto out;

	/* data: every entry, sorted bytewise, every mtime SOURCE_DATE_EPOCH */
	for (size_t i = 0; i < t.n; i++) {
		if ((ret = write_entry(rootfd, &t, &t.v[i], o->source_date_epoch, &data_tar,
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
	pkginfo_text(o, size, needs_sh, &s, datahash, &info);

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
	tree_free(&t);
	scan_free(&s);
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
