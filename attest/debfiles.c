/* debfiles.c - what a built .deb holds: its control identity and every file's SHA1/SHA256. */
#include "attest/attest.h"

#include <stdlib.h>
#include <string.h>

#include "distros/distros.h"

struct contents_ctx {
	const char *deb;
	struct deb_contents *c;
	size_t cap;
	int got_control, got_data;
};

static int read_control(struct contents_ctx *x, void *reader, struct kerr *e)
{
	struct kbuf b = {0};
	struct deb822_parser ps;
	struct deb822_para p = {0};
	int ret = 0;

	if (deb_read_data(reader, &b, 1 << 20) < 0) {
		kbuf_free(&b);
		return kerr_set(e, KILN_EPARSE, "%s: reading its control file", x->deb);
	}
	deb822_init(&ps, b.data, b.len, x->deb);
	if (deb822_next(&ps, &p, e) > 0) {
		x->c->package = deb822_get(&p, "Package");
		x->c->version = deb822_get(&p, "Version");
		x->c->arch = deb822_get(&p, "Architecture");
	}
	if (!x->c->package || !x->c->version || !x->c->arch)
		ret = kerr_set(e, KILN_EPARSE, "%s: control lacks Package, Version or Architecture",
			       x->deb);
	deb822_para_free(&p);
	kbuf_free(&b);
	return ret;
}

static int on_entry(void *ctx, const struct deb_entry *de, void *reader, struct kerr *e)
{
	struct contents_ctx *x = ctx;
	struct deb_contents *c = x->c;

	if (str_has_prefix(de->member, "control.tar")) {
		x->got_control = 1;
		if (de->type == 'f' && !strcmp(de->path, "./control"))
			return read_control(x, reader, e);
		return 0;
	}
	x->got_data = 1;
	if (de->type != 'f' && de->type != 'h')
		return 0;
	if (c->n == x->cap)
		c->files =
		    xrealloc(c->files, (x->cap = x->cap ? 2 * x->cap : 64) * sizeof(*c->files));
	struct deb_file *f = &c->files[c->n++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(de->path);
	if (de->type == 'h') {
		/* a hard link has the content of the file it names, seen before it */
		for (size_t i = 0; i + 1 < c->n; i++)
			if (!strcmp(c->files[i].path, de->link)) {
				memcpy(f->sha1, c->files[i].sha1, sizeof(f->sha1));
				memcpy(f->sha256, c->files[i].sha256, sizeof(f->sha256));
				f->size = c->files[i].size;
				return 0;
			}
		return kerr_set(e, KILN_EPARSE, "%s: %s links to a file not seen before", x->deb,
				de->path);
	}
	if (deb_hash_data(reader, f->sha256, f->sha1, &f->size) < 0)
		return kerr_set(e, KILN_EPARSE, "%s: reading %s", x->deb, de->path);
	return 0;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct deb_file *)a)->path, ((const struct deb_file *)b)->path);
}

int deb_contents_read(const char *deb, struct deb_contents *c, struct kerr *e)
{
	const struct deb_walk_ops ops = {NULL, on_entry};
	struct contents_ctx x = {.deb = deb, .c = c};
	int ret;

	memset(c, 0, sizeof(*c));
	ret = deb_walk(deb, &ops, &x, e);
	if (ret == 0 && (!x.got_control || !c->package))
		ret = kerr_set(e, KILN_EPARSE, "%s: not a .deb (no control file)", deb);
	if (ret < 0) {
		deb_contents_free(c);
		return ret;
	}
	if (c->n)
		qsort(c->files, c->n, sizeof(*c->files), cmp_file);
	return 0;
}

void deb_contents_free(struct deb_contents *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->files[i].path);
	free(c->files);
	free(c->package);
	free(c->version);
	free(c->arch);
	memset(c, 0, sizeof(*c));
}
