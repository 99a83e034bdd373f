/* apkwrite_tree.c - the tree a .apk is written from: every path below it
 * read without following a symlink (device nodes, fifos, sockets, control
 * characters, too deep or too large refused), sorted, hard links marked,
 * and owners taken from the kiln owners file. */
#include "builders/apkwrite.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TREE_MAX_DEPTH 128
#define TREE_MAX_ENTRIES 1000000
#define TREE_MAX_BYTES ((uint64_t)2 << 30) /* data held in memory at once (zlib counts in uInt) */
#define PATH_MAX_LEN 4095
#define OWNERS_MAX_BYTES (4u << 20)

void apk_tree_free(struct apk_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].link);
		free(t->v[i].owner_buf);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
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

static int walk(int dirfd, const char *prefix, int depth, struct apk_tree *t, struct kerr *e)
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
		struct apk_tent *en = &t->v[t->n++];
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
	return strcmp(((const struct apk_tent *)a)->path, ((const struct apk_tent *)b)->path);
}

/* hard links: the first path (in archive order) of an inode is stored, the
 * others point at it, as GNU tar does */
static int cmp_inode(const void *pa, const void *pb, void *ctx)
{
	const struct apk_tent *v = ctx, *a = &v[*(const size_t *)pa], *b = &v[*(const size_t *)pb];
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

static void mark_hard_links(struct apk_tree *t)
{
	size_t *ix = xmalloc((t->n + 1) * sizeof(*ix)), m = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].type == '0' && t->v[i].nlink > 1)
			ix[m++] = i;
	qsort_r(ix, m, sizeof(*ix), cmp_inode, t->v);
	for (size_t k = 1; k < m; k++) {
		/* the one before is the stored file, or a link to it */
		const struct apk_tent *first = &t->v[ix[k - 1]];
		struct apk_tent *en = &t->v[ix[k]];
		if (en->dev != first->dev || en->ino != first->ino)
			continue;
		en->type = '1';
		en->link = xstrdup(first->type == '1' ? first->link : first->path);
	}
	free(ix);
}

static struct apk_tent *tree_find(struct apk_tree *t, const char *path)
{
	struct apk_tent key = {.path = (char *)path};
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
static int apply_owners(struct apk_tree *t, const char *file, struct kerr *e)
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
		struct apk_tent *en = tree_find(t, s);
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

int apk_tree_read(int rootfd, const char *owners_path, struct apk_tree *t, struct kerr *e)
{
	int ret = walk(rootfd, "", 0, t, e);
	if (ret < 0)
		return ret;
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), cmp_tent);
	mark_hard_links(t);
	if (owners_path && (ret = apply_owners(t, owners_path, e)) < 0)
		return ret;
	return 0;
}
