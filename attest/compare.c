/* compare.c - did a rebuild reproduce what a record or .buildinfo says was built: per output,
 * reproduced, differs or missing. */
#include "attest/attest.h"

#include <stdlib.h>
#include <string.h>

void output_checks_free(struct output_checks *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static int check_one(struct output_checks *c, const char *name, const char *sha256, uint64_t size,
		     const char *dir, struct kerr *e)
{
	struct output_check *o;
	char *path;
	int ret = 0;

	if (!is_safe_filename(name) || !sha256 || !is_sha256_hex(sha256) ||
	    strlen(sha256) != SHA256_HEX_LEN)
		return kerr_set(e, KILN_EPARSE, "output '%s': not a plain file name with a sha256",
				name ? name : "(unnamed)");
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	o = &c->v[c->n++];
	memset(o, 0, sizeof(*o));
	o->name = xstrdup(name);
	memcpy(o->want_sha256, sha256, sizeof(o->want_sha256));
	o->want_size = size;
	path = xasprintf("%s/%s", dir, name);
	if (!path_exists(path)) {
		o->status = -KILN_ENOTFOUND;
	} else if ((ret = sha256_file(path, o->got_sha256, &o->got_size, e)) == 0) {
		int same = !strcmp(o->got_sha256, o->want_sha256) &&
			   (size == UINT64_MAX || size == o->got_size);
		o->status = same ? 0 : -KILN_EVERIFY;
		c->reproduced += same;
	}
	free(path);
	return ret;
}

static int verdict(const struct output_checks *c, struct kerr *e)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].status)
			return kerr_set(
			    e, KILN_EFAIL, "%s %s: %zu of %zu outputs reproduced", c->v[i].name,
			    c->v[i].status == -KILN_ENOTFOUND ? "was not rebuilt" : "differs",
			    c->reproduced, c->n);
	return 0;
}

int outputs_compare_record(const json_t *rec, const char *dir, struct output_checks *c,
			   struct kerr *e)
{
	json_t *o;
	int r;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; (o = json_array_get(json_object_get(rec, "outputs"), i)); i++) {
		json_t *sz = json_object_get(o, "size");
		if ((r = check_one(c, json_string_value(json_object_get(o, "name")),
				   json_string_value(json_object_get(o, "sha256")),
				   json_is_integer(sz) ? (uint64_t)json_integer_value(sz)
						       : UINT64_MAX,
				   dir, e)) < 0)
			return r;
	}
	if (!c->n)
		return kerr_set(e, KILN_EPARSE, "the build record lists no outputs");
	return verdict(c, e);
}

int outputs_compare_buildinfo(const struct buildinfo *b, const char *dir, struct output_checks *c,
			      struct kerr *e)
{
	int r;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < b->nfiles; i++) {
		/* the .dsc is the input, not an output (debrebuild skips it too) */
		if (str_has_suffix(b->files[i].name, ".dsc"))
			continue;
		if ((r = check_one(c, b->files[i].name, b->files[i].sha256, b->files[i].size, dir,
				   e)) < 0)
			return r;
	}
	if (!c->n)
		return kerr_set(e, KILN_EPARSE, "the .buildinfo lists no built files");
	return verdict(c, e);
}
