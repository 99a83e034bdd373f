/* debdiff.c - why two packages differ (.deb here; other formats through struct pkg_format):
 * members, control fields, file metadata and contents, bounded in time and memory. */
#include "attest/attest.h"

#include <stdlib.h>
#include <string.h>

#include "distros/distros.h"

#define DETAIL_TOTAL_BYTES (256u << 20) /* contents held at once for detailed diffs */

void diff_opts_default(struct diff_opts *o)
{
	o->max_seconds = 60;
	o->max_detailed = 200;
	o->max_file_bytes = 64u << 20;
	o->max_text_lines = 400;
	o->max_ranges = 32;
}

struct dentry {
	char *key; /* "data:./usr/bin/hello", "control:./postinst" */
	char type;
	unsigned mode;
	int64_t uid, gid, mtime;
	char *uname, *gname, *link;
	uint64_t size;
	char sha256[SHA256_HEX_LEN + 1];
};

struct deb_side {
	const char *path;
	const struct pkg_format *fmt;
	char sha256[SHA256_HEX_LEN + 1];
	uint64_t size;
	json_t *members; /* [{name, size, sha256}] in archive order */
	struct dentry *ents;
	size_t n, cap;
	struct kbuf control; /* the control file */
	/* second pass: contents wanted, by key */
	struct strv want;
	struct kbuf *got;
	uint64_t max_file_bytes;
	double deadline;
	int timed_out;
};

/* an entry's key: the member's name up to ".tar" ("control", "data", "signature"), ':', the path */
static char *entry_key(const struct deb_entry *de)
{
	const char *t = strstr(de->member, ".tar");
	int n = t ? (int)(t - de->member) : (int)strlen(de->member);
	return xasprintf("%.*s:%s", n, de->member, de->path);
}

static int side_member(void *ctx, const char *name, uint64_t size, const char *sha256,
		       struct kerr *e)
{
	struct deb_side *s = ctx;
	json_array_append_new(s->members, json_pack("{s:s, s:I, s:s}", "name", name, "size",
						    (json_int_t)size, "sha256", sha256));
	return 0;
}

static int side_entry(void *ctx, const struct deb_entry *de, void *reader, struct kerr *e)
{
	struct deb_side *s = ctx;
	struct dentry *d;

	if (now_monotonic() > s->deadline) {
		s->timed_out = 1;
		return kerr_set(e, KILN_EINTR, "time limit");
	}
	if (s->n == s->cap)
		s->ents =
		    xrealloc(s->ents, (s->cap = s->cap ? 2 * s->cap : 256) * sizeof(*s->ents));
	d = &s->ents[s->n++];
	memset(d, 0, sizeof(*d));
	d->key = entry_key(de);
	d->type = de->type;
	d->mode = de->mode;
	d->uid = de->uid;
	d->gid = de->gid;
	d->mtime = de->mtime;
	d->uname = de->uname ? xstrdup(de->uname) : NULL;
	d->gname = de->gname ? xstrdup(de->gname) : NULL;
	d->link = de->link ? xstrdup(de->link) : NULL;
	d->size = de->size;
	if (de->type != 'f')
		return 0;
	if (!strcmp(d->key, s->fmt->control_key)) {
		if (deb_read_data(reader, &s->control, 1 << 20) < 0)
			return kerr_set(e, KILN_EPARSE, "%s: reading its control file", s->path);
		sha256_mem(s->control.data, s->control.len, d->sha256);
		return 0;
	}
	uint64_t size;
	if (deb_hash_data(reader, d->sha256, NULL, &size) < 0)
		return kerr_set(e, KILN_EPARSE, "%s: reading %s", s->path, de->path);
	return 0;
}

/* second pass: keep the contents of the wanted entries */
static int side_collect(void *ctx, const struct deb_entry *de, void *reader, struct kerr *e)
{
	struct deb_side *s = ctx;
	if (de->type != 'f')
		return 0;
	if (now_monotonic() > s->deadline) {
		s->timed_out = 1;
		return kerr_set(e, KILN_EINTR, "time limit");
	}
	char *key = entry_key(de);
	for (size_t i = 0; i < s->want.n; i++)
		if (!strcmp(s->want.v[i], key) && !s->got[i].data) {
			if (deb_read_data(reader, &s->got[i], (size_t)s->max_file_bytes) < 0) {
				free(key);
				return kerr_set(e, KILN_EPARSE, "%s: reading %s", s->path,
						de->path);
			}
			break;
		}
	free(key);
	return 0;
}

static int cmp_dentry(const void *a, const void *b)
{
	return strcmp(((const struct dentry *)a)->key, ((const struct dentry *)b)->key);
}

static void side_free(struct deb_side *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->ents[i].key);
		free(s->ents[i].uname);
		free(s->ents[i].gname);
		free(s->ents[i].link);
	}
	free(s->ents);
	json_decref(s->members);
	kbuf_free(&s->control);
	for (size_t i = 0; s->got && i < s->want.n; i++)
		kbuf_free(&s->got[i]);
	free(s->got);
	strv_free(&s->want);
}

static const char *type_name(char t)
{
	switch (t) {
	case 'f':
		return "file";
	case 'd':
		return "directory";
	case 'l':
		return "symlink";
	case 'h':
		return "hardlink";
	case 'c':
		return "char-device";
	case 'b':
		return "block-device";
	case 'p':
		return "fifo";
	case 's':
		return "socket";
	}
	return "unknown";
}

static json_t *dentry_json(const struct dentry *d)
{
	char mode[8];
	snprintf(mode, sizeof(mode), "%04o", d->mode);
	json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "type", type_name(d->type), "mode",
			      mode, "uid", (json_int_t)d->uid, "gid", (json_int_t)d->gid, "size",
			      (json_int_t)d->size, "mtime", (json_int_t)d->mtime);
	if (d->uname && *d->uname)
		json_object_set_new(j, "owner", json_string(d->uname));
	if (d->gname && *d->gname)
		json_object_set_new(j, "group", json_string(d->gname));
	if (d->link)
		json_object_set_new(j, "link", json_string(d->link));
	if (d->sha256[0])
		json_object_set_new(j, "sha256", json_string(d->sha256));
	return j;
}

static int str_differs(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

static json_t *entry_differences(const struct dentry *a, const struct dentry *b)
{
	json_t *d = json_array();
	if (a->type != b->type)
		json_array_append_new(d, json_string("type"));
	if (a->mode != b->mode)
		json_array_append_new(d, json_string("mode"));
	if (a->uid != b->uid || a->gid != b->gid || str_differs(a->uname, b->uname) ||
	    str_differs(a->gname, b->gname))
		json_array_append_new(d, json_string("owner"));
	if (a->size != b->size)
		json_array_append_new(d, json_string("size"));
	if (a->mtime != b->mtime)
		json_array_append_new(d, json_string("mtime"));
	if (str_differs(a->link, b->link))
		json_array_append_new(d, json_string("link"));
	if (a->type == 'f' && b->type == 'f' && strcmp(a->sha256, b->sha256))
		json_array_append_new(d, json_string("content"));
	return d;
}

static json_t *member_diff(const struct deb_side *a, const struct deb_side *b)
{
	json_t *out = json_array(), *ma, *mb;
	size_t i, j;

	for (i = 0; (ma = json_array_get(a->members, i)); i++) {
		const char *n = json_string_value(json_object_get(ma, "name"));
		json_t *found = NULL;
		for (j = 0; (mb = json_array_get(b->members, j)); j++)
			if (!strcmp(n, json_string_value(json_object_get(mb, "name"))))
				found = mb;
		if (!found)
			json_array_append_new(out, json_pack("{s:s, s:s, s:O}", "name", n, "change",
							     "removed", "a", ma));
		else if (!json_equal(ma, found))
			json_array_append_new(out,
					      json_pack("{s:s, s:s, s:O, s:O}", "name", n, "change",
							"modified", "a", ma, "b", found));
	}
	for (j = 0; (mb = json_array_get(b->members, j)); j++) {
		const char *n = json_string_value(json_object_get(mb, "name"));
		int found = 0;
		for (i = 0; (ma = json_array_get(a->members, i)); i++)
			found |= !strcmp(n, json_string_value(json_object_get(ma, "name")));
		if (!found)
			json_array_append_new(out, json_pack("{s:s, s:s, s:O}", "name", n, "change",
							     "added", "b", mb));
	}
	return out;
}

/* a .deb's control file as names and values, in order */
static void deb_control_fields(const struct kbuf *text, const char *what, struct strv *names,
			       struct strv *values)
{
	struct deb822_parser ps;
	struct deb822_para p;
	struct kerr e;
	if (!text->data)
		return;
	memset(&p, 0, sizeof(p));
	deb822_init(&ps, text->data, text->len, what);
	if (deb822_next(&ps, &p, &e) <= 0) {
		deb822_para_free(&p);
		return;
	}
	for (size_t i = 0; i < p.n; i++) {
		char *n = xstrndup(p.f[i].name, p.f[i].name_len);
		strv_add_owned(values, deb822_get(&p, n));
		strv_add_owned(names, n);
	}
	deb822_para_free(&p);
}

static const char *field_value(const struct strv *names, const struct strv *values,
			       const char *name)
{
	for (size_t i = 0; i < names->n; i++)
		if (!strcmp(names->v[i], name))
			return values->v[i];
	return NULL;
}

static json_t *control_diff(const struct deb_side *a, const struct deb_side *b)
{
	struct strv na = {0}, va = {0}, nb = {0}, vb = {0}, names = {0};
	json_t *out = json_array();

	a->fmt->control_fields(&a->control, a->path, &na, &va);
	b->fmt->control_fields(&b->control, b->path, &nb, &vb);
	for (size_t i = 0; i < na.n; i++)
		strv_add(&names, na.v[i]);
	for (size_t i = 0; i < nb.n; i++)
		if (!strv_contains(&na, nb.v[i]))
			strv_add(&names, nb.v[i]);
	for (size_t i = 0; i < names.n; i++) {
		const char *x = field_value(&na, &va, names.v[i]);
		const char *y = field_value(&nb, &vb, names.v[i]);
		if (str_differs(x, y) || !x != !y) {
			json_t *d = json_pack("{s:s}", "field", names.v[i]);
			json_object_set_new(d, "a", x ? json_string(x) : json_null());
			json_object_set_new(d, "b", y ? json_string(y) : json_null());
			json_array_append_new(out, d);
		}
	}
	strv_free(&names);
	strv_free(&na);
	strv_free(&va);
	strv_free(&nb);
	strv_free(&vb);
	return out;
}

/* the content details of one modified file, from the second pass */
static void add_details(json_t *f, const struct kbuf *ca, const struct kbuf *cb,
			const struct diff_opts *o)
{
	int trunc = 0;
	json_t *t = text_unified_diff(ca, cb, o->max_text_lines, &trunc);
	if (t) {
		json_object_set_new(f, "text_diff", t);
		if (trunc)
			json_object_set_new(f, "text_diff_truncated", json_true());
		return;
	}
	json_t *elf = elf_section_diff(ca, cb);
	if (elf)
		json_object_set_new(f, "elf_sections", elf);
	json_object_set_new(f, "byte_ranges", byte_ranges_diff(ca, cb, o->max_ranges, &trunc));
	if (trunc)
		json_object_set_new(f, "byte_ranges_truncated", json_true());
}

/* byte ranges of the two files themselves, when they cannot be read as .debs */
static int raw_diff(json_t *rep, const char *pa, const char *pb, const struct diff_opts *o,
		    struct kerr *e)
{
	struct kbuf ca = {0}, cb = {0};
	int trunc = 0, ret;

	json_object_set_new(rep, "unreadable", json_string(e->msg));
	kerr_clear(e);
	if ((ret = read_file(pa, &ca, 0, e)) == 0 && (ret = read_file(pb, &cb, 0, e)) == 0) {
		if (ca.len > o->max_file_bytes)
			ca.len = (size_t)o->max_file_bytes;
		if (cb.len > o->max_file_bytes)
			cb.len = (size_t)o->max_file_bytes;
		json_object_set_new(rep, "byte_ranges",
				    byte_ranges_diff(&ca, &cb, o->max_ranges, &trunc));
		if (trunc)
			json_object_set_new(rep, "byte_ranges_truncated", json_true());
	}
	kbuf_free(&ca);
	kbuf_free(&cb);
	return ret;
}

const struct pkg_format deb_format = {"deb", deb_walk, "control:./control", deb_control_fields,
				      NULL,  NULL};

int deb_diff(const char *pa, const char *pb, const struct diff_opts *opts, json_t **report,
	     struct kerr *e)
{
	return pkg_diff(pa, pb, &deb_format, opts, report, e);
}

int pkg_diff(const char *pa, const char *pb, const struct pkg_format *fmt,
	     const struct diff_opts *opts, json_t **report, struct kerr *e)
{
	struct diff_opts o;
	struct deb_side a = {.path = pa, .fmt = fmt}, b = {.path = pb, .fmt = fmt};
	const struct deb_walk_ops scan = {side_member, side_entry};
	const struct deb_walk_ops collect = {NULL, side_collect};
	json_t *rep = NULL, *files, *detailed_objs = json_array();
	const char *truncated = NULL;
	size_t added = 0, removed = 0, modified = 0;
	uint64_t detail_bytes = 0;
	int ret;

	if (opts)
		o = *opts;
	else
		diff_opts_default(&o);
	a.members = json_array();
	b.members = json_array();
	a.max_file_bytes = b.max_file_bytes = o.max_file_bytes;
	a.deadline = b.deadline = now_monotonic() + o.max_seconds;
	if ((ret = sha256_file(pa, a.sha256, &a.size, e)) < 0 ||
	    (ret = sha256_file(pb, b.sha256, &b.size, e)) < 0)
		goto out;
	rep = json_pack("{s:{s:s, s:s, s:I}, s:{s:s, s:s, s:I}}", "a", "path", pa, "sha256",
			a.sha256, "size", (json_int_t)a.size, "b", "path", pb, "sha256", b.sha256,
			"size", (json_int_t)b.size);
	if (!strcmp(a.sha256, b.sha256) && a.size == b.size) {
		json_object_set_new(rep, "identical", json_true());
		goto done;
	}
	json_object_set_new(rep, "identical", json_false());
	json_object_set_new(rep, "format", json_string(fmt->name));
	if ((ret = fmt->walk(pa, &scan, &a, e)) < 0 || (ret = fmt->walk(pb, &scan, &b, e)) < 0) {
		if (ret == -KILN_EPARSE) {
			/* one of them is not a readable .deb (a changed byte in a
			 * compressed member, say): say why, and which bytes differ */
			if ((ret = raw_diff(rep, pa, pb, &o, e)) < 0)
				goto out;
			goto done;
		}
		if (!a.timed_out && !b.timed_out)
			goto out;
		truncated = "time limit reached while reading the packages";
		ret = 0;
	}
	json_object_set_new(rep, "members", member_diff(&a, &b));
	json_object_set_new(rep, "control", control_diff(&a, &b));
	if (a.n)
		qsort(a.ents, a.n, sizeof(*a.ents), cmp_dentry);
	if (b.n)
		qsort(b.ents, b.n, sizeof(*b.ents), cmp_dentry);

	/* merge the sorted entry lists */
	files = json_array();
	for (size_t i = 0, j = 0; i < a.n || j < b.n;) {
		int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.ents[i].key, b.ents[j].key);
		const char *key = c <= 0 ? a.ents[i].key : b.ents[j].key;
		const char *colon = strchr(key, ':');
		char *member = xstrndup(key, (size_t)(colon - key));
		json_t *f = json_pack("{s:s, s:s}", "path", colon + 1, "member", member);
		free(member);
		if (c < 0) {
			json_object_set_new(f, "change", json_string("removed"));
			json_object_set_new(f, "a", dentry_json(&a.ents[i++]));
			removed++;
		} else if (c > 0) {
			json_object_set_new(f, "change", json_string("added"));
			json_object_set_new(f, "b", dentry_json(&b.ents[j++]));
			added++;
		} else {
			json_t *d = entry_differences(&a.ents[i], &b.ents[j]);
			if (!json_array_size(d)) {
				json_decref(d);
				json_decref(f);
				i++;
				j++;
				continue;
			}
			json_object_set_new(f, "change", json_string("modified"));
			json_object_set_new(f, "differences", d);
			json_object_set_new(f, "a", dentry_json(&a.ents[i]));
			json_object_set_new(f, "b", dentry_json(&b.ents[j]));
			modified++;
			int content = a.ents[i].type == 'f' && b.ents[j].type == 'f' &&
				      strcmp(a.ents[i].sha256, b.ents[j].sha256);
			uint64_t bigger =
			    a.ents[i].size > b.ents[j].size ? a.ents[i].size : b.ents[j].size;
			const char *opaque = fmt->opaque_member;
			size_t ol = opaque ? strlen(opaque) : 0;
			if (content && opaque && !strncmp(a.ents[i].key, opaque, ol) &&
			    a.ents[i].key[ol] == ':') {
				json_object_set_new(f, "detail", json_string(fmt->opaque_note));
			} else if (content && bigger > o.max_file_bytes) {
				json_object_set_new(
				    f, "detail",
				    json_string("skipped: larger than the per-file limit"));
			} else if (content && (a.want.n >= o.max_detailed ||
					       detail_bytes + a.ents[i].size + b.ents[j].size >
						   DETAIL_TOTAL_BYTES)) {
				json_object_set_new(
				    f, "detail", json_string("skipped: too many differing files"));
				if (!truncated)
					truncated =
					    "only the first differing files are compared in detail";
			} else if (content) {
				strv_add(&a.want, a.ents[i].key);
				strv_add(&b.want, b.ents[j].key);
				json_array_append(detailed_objs, f);
				detail_bytes += a.ents[i].size + b.ents[j].size;
			}
			i++;
			j++;
		}
		json_array_append_new(files, f);
	}
	json_object_set_new(rep, "files", files);
	json_object_set_new(rep, "summary",
			    json_pack("{s:I, s:I, s:I}", "added", (json_int_t)added, "removed",
				      (json_int_t)removed, "modified", (json_int_t)modified));

	/* second pass: the contents of the files compared in detail */
	if (a.want.n && !a.timed_out && !b.timed_out) {
		a.got = xcalloc(a.want.n, sizeof(*a.got));
		b.got = xcalloc(b.want.n, sizeof(*b.got));
		int r = fmt->walk(pa, &collect, &a, e);
		if (r == 0)
			r = fmt->walk(pb, &collect, &b, e);
		if (r < 0 && !a.timed_out && !b.timed_out) {
			ret = r;
			goto out;
		}
		for (size_t k = 0; k < a.want.n; k++) {
			json_t *f = json_array_get(detailed_objs, k);
			if (!a.got[k].data || !b.got[k].data || now_monotonic() > a.deadline) {
				json_object_set_new(f, "detail",
						    json_string("skipped: time limit"));
				truncated = "time limit reached while comparing contents";
				continue;
			}
			add_details(f, &a.got[k], &b.got[k], &o);
		}
	}
	if (truncated)
		json_object_set_new(rep, "truncated", json_string(truncated));
done:
	*report = rep;
	rep = NULL;
out:
	json_decref(rep);
	json_decref(detailed_objs);
	side_free(&a);
	side_free(&b);
	return ret;
}
