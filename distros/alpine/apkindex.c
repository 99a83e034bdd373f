/* apkindex.c - APKINDEX: parse and format its text, read and verify APKINDEX.tar.gz, write a signed
 * one for a directory (kiln index). */
#include "distros/alpine/apk-private.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_MAX_BYTES ((size_t)1 << 30)

void apk_index_free(struct apk_index *idx)
{
	if (!idx)
		return;
	for (size_t i = 0; i < idx->n; i++)
		apk_pkg_free(&idx->pkgs[i]);
	free(idx->pkgs);
	free(idx->description);
	free(idx->signer);
	memset(idx, 0, sizeof(*idx));
}

struct apk_pkg *apk_index_new_pkg(struct apk_index *idx)
{
	if (idx->n == idx->cap) {
		idx->cap = idx->cap ? 2 * idx->cap : 64;
		idx->pkgs = xrealloc(idx->pkgs, idx->cap * sizeof(*idx->pkgs));
	}
	memset(&idx->pkgs[idx->n], 0, sizeof(idx->pkgs[0]));
	return &idx->pkgs[idx->n++];
}

/* a finished stanza must name a package and a valid-looking version */
static int check_stanza(struct apk_index *idx, const char *file, size_t line, struct kerr *e)
{
	struct apk_pkg *p = &idx->pkgs[idx->n - 1];
	if (!p->name || !*p->name || !p->version || !*p->version)
		return kerr_set(e, KILN_EPARSE, "%s:%zu: package entry without P: or V:", file,
				line);
	return 0;
}

int apk_index_parse_text(const char *text, size_t len, const char *file, struct apk_index *idx,
			 struct kerr *e)
{
	const char *s = text, *end = text + len;
	size_t lineno = 0, start_line = 0;
	int in_stanza = 0, r = 0;
	memset(idx, 0, sizeof(*idx));
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		if (n == 0) {
			if (in_stanza && (r = check_stanza(idx, file, start_line, e)) < 0)
				goto fail;
			in_stanza = 0;
		} else {
			if (n < 2 || s[1] != ':') {
				r = kerr_set(e, KILN_EPARSE, "%s:%zu: expected 'X:value'", file,
					     lineno);
				goto fail;
			}
			if (!in_stanza) {
				apk_index_new_pkg(idx);
				in_stanza = 1;
				start_line = lineno;
			}
			char *v = xstrndup(s + 2, n - 2);
			r = apk_pkg_set_field(&idx->pkgs[idx->n - 1], s[0], v, file, lineno, e);
			free(v);
			if (r < 0)
				goto fail;
		}
		s = nl ? nl + 1 : end;
	}
	if (in_stanza && (r = check_stanza(idx, file, start_line, e)) < 0)
		goto fail;
	return 0;
fail:
	apk_index_free(idx);
	return r;
}

static void line_str(struct kbuf *o, const char *k, const char *v)
{
	kbuf_printf(o, "%s:%s\n", k, v ? v : "");
}

static void line_list(struct kbuf *o, const char *k, const struct strv *l)
{
	if (!l->n)
		return;
	kbuf_adds(o, k);
	kbuf_adds(o, ":");
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			kbuf_adds(o, " ");
		kbuf_adds(o, l->v[i]);
	}
	kbuf_adds(o, "\n");
}

/* the field order of apk-tools' index writer, without the blank line */
void apk_pkg_format_header(const struct apk_pkg *p, struct kbuf *o)
{
	{
		line_str(o, "C", p->checksum);
		line_str(o, "P", p->name);
		line_str(o, "V", p->version);
		if (p->arch)
			line_str(o, "A", p->arch);
		kbuf_printf(o, "S:%llu\nI:%llu\n", (unsigned long long)p->size,
			    (unsigned long long)p->installed_size);
		line_str(o, "T", p->description);
		line_str(o, "U", p->url);
		line_str(o, "L", p->license);
		if (p->origin)
			line_str(o, "o", p->origin);
		if (p->maintainer)
			line_str(o, "m", p->maintainer);
		if (p->build_time)
			kbuf_printf(o, "t:%lld\n", (long long)p->build_time);
		if (p->commit)
			line_str(o, "c", p->commit);
		if (p->provider_priority)
			kbuf_printf(o, "k:%lld\n", (long long)p->provider_priority);
		line_list(o, "D", &p->depends);
		line_list(o, "p", &p->provides);
		line_list(o, "i", &p->install_if);
	}
}

void apk_index_format(const struct apk_index *idx, struct kbuf *o)
{
	for (size_t i = 0; i < idx->n; i++) {
		apk_pkg_format_header(&idx->pkgs[i], o);
		kbuf_adds(o, "\n");
	}
}

/* ---- APKINDEX.tar.gz ---- */

struct inner_ctx {
	struct apk_index *idx;
	const char *file;
	int found;
};

static int on_index_entry(void *vctx, const char *name, const void *data, size_t len,
			  struct kerr *e)
{
	struct inner_ctx *c = vctx;
	if (!strcmp(name, "DESCRIPTION")) {
		free(c->idx->description);
		c->idx->description = xstrndup(data, len);
		while (len && (c->idx->description[len - 1] == '\n'))
			c->idx->description[--len] = '\0';
		return 0;
	}
	if (!strcmp(name, "APKINDEX")) {
		if (c->found)
			return kerr_set(e, KILN_EPARSE, "%s: two APKINDEX members", c->file);
		char *desc = c->idx->description;
		char *where = xasprintf("%s: APKINDEX", c->file);
		int r;
		c->idx->description = NULL;
		r = apk_index_parse_text(data, len, where, c->idx, e);
		free(where);
		c->idx->description = desc;
		if (r < 0)
			return r;
		c->found = 1;
	}
	return 0;
}

int apk_index_read_mem(const void *p, size_t n, const char *file, const char *keys_dir,
		       struct apk_index *idx, struct kerr *e)
{
	struct gz_members g = {0};
	struct inner_ctx c = {idx, file, 0};
	char *signer = NULL;
	int r;

	memset(idx, 0, sizeof(*idx));
	if ((r = gz_split_members(p, n, 4, 4, INDEX_MAX_BYTES, file, &g, e)) < 0)
		return r;
	if (g.n != 2) {
		r = kerr_set(
		    e, g.n == 1 ? KILN_EVERIFY : KILN_EPARSE,
		    g.n == 1
			? "%s: index is not signed (one gzip stream)"
			: "%s: expected a signature stream and an index stream, found %zu streams",
		    file, g.n);
		goto out;
	}
	if ((r = apk_verify_signature(&g.m[0], g.m[1].raw, g.m[1].raw_len, keys_dir, file, &signer,
				      e)) < 0)
		goto out;
	if ((r = tar_each_file(g.m[1].data.data, g.m[1].data.len, INDEX_MAX_BYTES, file,
			       on_index_entry, &c, e)) < 0)
		goto out;
	if (!c.found) {
		r = kerr_set(e, KILN_EPARSE, "%s: no APKINDEX member", file);
		goto out;
	}
	idx->signer = signer;
	signer = NULL;
out:
	free(signer);
	gz_members_free(&g);
	if (r < 0)
		apk_index_free(idx);
	return r;
}

int apk_index_read(const char *path, const char *keys_dir, struct apk_index *idx, struct kerr *e)
{
	struct kbuf b;
	int r;
	kbuf_init(&b);
	memset(idx, 0, sizeof(*idx));
	if ((r = read_file(path, &b, INDEX_MAX_BYTES, e)) == 0)
		r = apk_index_read_mem(b.data, b.len, path, keys_dir, idx, e);
	kbuf_free(&b);
	return r;
}

/* ---- kiln index ---- */

static int pkg_order(const void *va, const void *vb)
{
	const struct apk_pkg *a = va, *b = vb;
	int r = strcmp(a->name, b->name);
	if (!r)
		r = apk_version_cmp(APK_GEN2, a->version, b->version);
	if (!r)
		r = strcmp(a->checksum, b->checksum);
	return r;
}

int apk_index_write_dir(const char *dir, const struct apk_index_opts *o, const char *out_path,
			size_t *npkgs, struct kerr *e)
{
	struct apk_index idx = {0};
	struct strv names = {0};
	struct kbuf text, tar, inner, all;
	char *key_name = NULL;
	DIR *d;
	struct dirent *de;
	int r = 0;

	kbuf_init(&text);
	kbuf_init(&tar);
	kbuf_init(&inner);
	kbuf_init(&all);
	if (!(d = opendir(dir)))
		return kerr_errno(e, KILN_EIO, "%s", dir);
	while ((de = readdir(d)))
		if (str_has_suffix(de->d_name, ".apk") && de->d_name[0] != '.')
			strv_add(&names, de->d_name);
	closedir(d);
	strv_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		char *path = xasprintf("%s/%s", dir, names.v[i]);
		struct apk_pkg *p = apk_index_new_pkg(&idx);
		r = apk_package_read(path, NULL, p, e);
		free(path);
		if (r < 0) {
			idx.n--;
			goto out;
		}
		if (o->rewrite_arch && p->arch && !strcmp(p->arch, "noarch")) {
			free(p->arch);
			p->arch = xstrdup(o->rewrite_arch);
		}
	}
	if (idx.n)
		qsort(idx.pkgs, idx.n, sizeof(idx.pkgs[0]), pkg_order);
	apk_index_format(&idx, &text);
	if (o->description)
		tar_add_file(&tar, "DESCRIPTION", o->description, strlen(o->description), 0644,
			     o->mtime, 1);
	tar_add_file(&tar, "APKINDEX", text.data, text.len, 0644, o->mtime, 1);
	tar_add_end(&tar);
	if ((r = gz_compress(tar.data, tar.len, &inner, e)) < 0)
		goto out;
	if (o->key_name) {
		key_name = xstrdup(o->key_name);
	} else {
		const char *base = strrchr(o->private_key, '/');
		key_name = xasprintf("%s.pub", base ? base + 1 : o->private_key);
	}
	if ((r = apk_sign_member(inner.data, inner.len, o->private_key, key_name, o->sha256,
				 o->mtime, &all, e)) < 0)
		goto out;
	kbuf_add(&all, inner.data, inner.len);
	if ((r = write_file_atomic(out_path, all.data, all.len, 0644, e)) < 0)
		goto out;
	if (npkgs)
		*npkgs = idx.n;
out:
	free(key_name);
	apk_index_free(&idx);
	strv_free(&names);
	kbuf_free(&text);
	kbuf_free(&tar);
	kbuf_free(&inner);
	kbuf_free(&all);
	return r;
}
