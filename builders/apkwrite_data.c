/* apkwrite_data.c - the data stream of a .apk: one tar entry per path (a pax
 * header with abuild-tar's APK-TOOLS.checksum.SHA1 and long names, the
 * ustar header, the bytes), and abuild's so:/cmd:/pc: scanners, fed each
 * file as it is written. */
#include "builders/apkwrite.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void apk_scan_free(struct apk_scan *s)
{
	strv_free(&s->needed);
	strv_free(&s->rpath);
	strv_free(&s->so_cands);
	strv_free(&s->cmds);
	strv_free(&s->pcs);
}

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
static int read_entry(int rootfd, const struct apk_tree *t, const struct apk_tent *en,
		      struct kbuf *out, struct kerr *e)
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
static void scan_pc(const struct apk_tent *en, const struct kbuf *c, struct apk_scan *s)
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

static int scan_file(const struct apk_tent *en, const struct kbuf *c, struct apk_scan *s,
		     const char *root, struct kerr *e)
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
int apk_data_entry(int rootfd, const struct apk_tree *t, const struct apk_tent *en, int64_t mtime,
		   struct kbuf *tar, struct kbuf *content, struct apk_scan *s, struct kerr *e)
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
