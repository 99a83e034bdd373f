/* tree.c - an unpacked source tree held in memory: file list, files as
 * lines (loaded on demand), writing back, and safe paths into it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backports/backports.h"

#define TREE_MAX_FILE (64u << 20)
#define TREE_MAX_FILES 200000

static int walk(const char *root, const char *rel, struct strv *out, int depth, struct kerr *e)
{
	char *dir = rel[0] ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		ret = kerr_errno(e, KILN_EIO, "reading directory %s", dir);
		free(dir);
		return ret;
	}
	while ((de = readdir(d)) && ret == 0) {
		const char *n = de->d_name;
		struct stat st;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		/* quilt's and git's bookkeeping are not part of the source */
		if (!rel[0] && (!strcmp(n, ".pc") || !strcmp(n, ".git")))
			continue;
		char *r = rel[0] ? xasprintf("%s/%s", rel, n) : xstrdup(n);
		char *full = xasprintf("%s/%s", root, r);
		if (lstat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < 64)
				ret = walk(root, r, out, depth + 1, e);
			else if (S_ISREG(st.st_mode)) {
				if (out->n >= TREE_MAX_FILES)
					ret = kerr_set(e, KILN_EIO, "%s: more than %d files", root,
						       TREE_MAX_FILES);
				else {
					strv_add_owned(out, r);
					r = NULL;
				}
			}
		}
		free(r);
		free(full);
	}
	closedir(d);
	free(dir);
	return ret;
}

int tree_open(const char *root, struct tree *t, struct kerr *e)
{
	memset(t, 0, sizeof(*t));
	t->root = xstrdup(root);
	int ret = walk(root, "", &t->paths, 0, e);
	if (ret < 0) {
		tree_free(t);
		return ret;
	}
	strv_sort(&t->paths);
	return 0;
}

static void free_lines(struct tree_line *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i].s);
	free(l);
}

void tree_free(struct tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nfiles; i++) {
		free(t->files[i].path);
		free_lines(t->files[i].orig, t->files[i].norig);
		free_lines(t->files[i].cur, t->files[i].ncur);
	}
	free(t->files);
	strv_free(&t->paths);
	free(t->root);
	memset(t, 0, sizeof(*t));
}

int tree_safe_path(const char *root, const char *rel, struct kerr *e)
{
	if (!rel[0] || rel[0] == '/')
		return kerr_set(e, KILN_EVERIFY, "unsafe path '%s' (absolute or empty)", rel);
	char *copy = xstrdup(rel);
	int ret = 0;
	for (char *c = copy, *next; c; c = next) {
		next = strchr(c, '/');
		if (next)
			*next++ = '\0';
		if (!strcmp(c, "..") || !strcmp(c, ".") || !c[0]) {
			ret = kerr_set(e, KILN_EVERIFY, "unsafe path '%s' (has '%s')", rel, c);
			break;
		}
	}
	/* every existing component below root must be a real directory or file */
	for (const char *sl = strchr(rel, '/'); ret == 0 && sl; sl = strchr(sl + 1, '/')) {
		char *full = xasprintf("%s/%.*s", root, (int)(sl - rel), rel);
		struct stat st;
		if (lstat(full, &st) == 0 && S_ISLNK(st.st_mode))
			ret =
			    kerr_set(e, KILN_EVERIFY, "%s: refusing to go through a symlink", full);
		free(full);
	}
	/* and the whole path */
	if (ret == 0) {
		char *full = xasprintf("%s/%s", root, rel);
		struct stat st;
		if (lstat(full, &st) == 0 && S_ISLNK(st.st_mode))
			ret =
			    kerr_set(e, KILN_EVERIFY, "%s: refusing to go through a symlink", full);
		free(full);
	}
	free(copy);
	return ret;
}

char *bp_memdup(const void *p, size_t n)
{
	char *c = xmalloc(n + 1);
	memcpy(c, p, n);
	c[n] = '\0';
	return c;
}

static void split_lines(const char *p, size_t n, struct tree_line **out, size_t *count)
{
	size_t cap = 0;
	*out = NULL;
	*count = 0;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
		if (*count == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[*count].s = bp_memdup(p + i, len);
		(*out)[*count].len = len;
		(*out)[*count].nl = nl != NULL;
		(*count)++;
		i += len + (nl ? 1 : 0);
	}
}

int tree_get(struct tree *t, const char *path, struct tree_file **out, struct kerr *e)
{
	int ret;
	for (size_t i = 0; i < t->nfiles; i++)
		if (!strcmp(t->files[i].path, path)) {
			*out = &t->files[i];
			return 0;
		}
	if ((ret = tree_safe_path(t->root, path, e)) < 0)
		return ret;
	struct tree_file f = {0};
	struct kbuf b;
	kbuf_init(&b);
	char *full = xasprintf("%s/%s", t->root, path);
	struct stat st;
	f.path = xstrdup(path);
	f.mode = 0644;
	if (lstat(full, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((ret = read_file(full, &b, TREE_MAX_FILE, e)) < 0) {
			free(full);
			free(f.path);
			kbuf_free(&b);
			return ret;
		}
		f.existed = f.exists = 1;
		f.mode = st.st_mode & 07777;
		split_lines(b.data ? b.data : "", b.len, &f.orig, &f.norig);
		split_lines(b.data ? b.data : "", b.len, &f.cur, &f.ncur);
	}
	free(full);
	kbuf_free(&b);
	t->files = xrealloc(t->files, (t->nfiles + 1) * sizeof(*t->files));
	t->files[t->nfiles] = f;
	*out = &t->files[t->nfiles++];
	return 0;
}

static void lines_to_buf(const struct tree_line *l, size_t n, struct kbuf *b)
{
	for (size_t i = 0; i < n; i++) {
		kbuf_add(b, l[i].s, l[i].len);
		if (l[i].nl)
			kbuf_adds(b, "\n");
	}
	kbuf_add(b, "", 0);
}

int tree_write(const struct tree *t, struct kerr *e)
{
	int ret = 0;
	for (size_t i = 0; i < t->nfiles && ret == 0; i++) {
		const struct tree_file *f = &t->files[i];
		if (!f->touched && !f->changed)
			continue;
		if ((ret = tree_safe_path(t->root, f->path, e)) < 0)
			break;
		char *full = xasprintf("%s/%s", t->root, f->path);
		if (!f->exists) {
			if (unlink(full) < 0 && errno != ENOENT)
				ret = kerr_errno(e, KILN_EIO, "removing %s", full);
		} else {
			struct kbuf b;
			kbuf_init(&b);
			lines_to_buf(f->cur, f->ncur, &b);
			char *dir = xstrdup(full);
			*strrchr(dir, '/') = '\0';
			ret = mkdir_p(dir, 0755, e);
			if (ret == 0)
				ret = write_file_atomic(full, b.data, b.len, f->mode, e);
			free(dir);
			kbuf_free(&b);
		}
		free(full);
	}
	return ret;
}

void tree_commit(struct tree *t)
{
	for (size_t i = 0; i < t->nfiles; i++) {
		struct tree_file *f = &t->files[i];
		if (!f->touched)
			continue;
		free_lines(f->orig, f->norig);
		f->orig = xmalloc((f->ncur + 1) * sizeof(*f->orig));
		for (size_t k = 0; k < f->ncur; k++)
			f->orig[k] = (struct tree_line){bp_memdup(f->cur[k].s, f->cur[k].len),
							f->cur[k].len, f->cur[k].nl};
		f->norig = f->ncur;
		f->existed = f->exists;
		f->changed = 1;
		f->touched = 0;
	}
}

int tree_diff(const struct tree *t, struct kbuf *out, struct kerr *e)
{
	int ret = 0;
	for (size_t i = 0; i < t->nfiles && ret == 0; i++) {
		const struct tree_file *f = &t->files[i];
		if (!f->touched || (!f->existed && !f->exists))
			continue;
		char *a = f->existed ? xasprintf("a/%s", f->path) : xstrdup("/dev/null");
		char *b = f->exists ? xasprintf("b/%s", f->path) : xstrdup("/dev/null");
		ret = unified_diff(f->orig, f->existed ? f->norig : 0, f->cur,
				   f->exists ? f->ncur : 0, a, b, 3, out, e);
		free(a);
		free(b);
	}
	return ret;
}
