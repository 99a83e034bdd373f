/* cache.c - what $KILN_HOME holds for builds (prepared roots, blobs, work
 * dirs), and pruning it without touching anything a running kiln uses. */
#include "builders/builders.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static __thread uint64_t du_total;

static int du_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)p;
	(void)flag;
	(void)f;
	if (!S_ISDIR(st->st_mode))
		du_total += (uint64_t)st->st_blocks * 512;
	return 0;
}

static uint64_t disk_usage(const char *path)
{
	du_total = 0;
	nftw(path, du_one, 32, FTW_PHYS | FTW_MOUNT);
	return du_total;
}

static void add_item(struct cache_list *l, const char *kind, const char *name, const char *path,
		     uint64_t bytes, int64_t mtime, int busy)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	struct cache_item *it = &l->v[l->n++];
	it->kind = xstrdup(kind);
	it->name = xstrdup(name);
	it->path = xstrdup(path);
	it->bytes = bytes;
	it->mtime = mtime;
	it->busy = busy;
}

/* a root is busy while some kiln holds its lock (preparing or using it) */
static int root_busy(const char *roots, const char *name)
{
	char *lp = xasprintf("%s/%s.lock", roots, name);
	int fd = open(lp, O_RDONLY | O_CLOEXEC), busy = 0;
	if (fd >= 0) {
		busy = flock(fd, LOCK_EX | LOCK_NB) < 0;
		close(fd);
	}
	free(lp);
	return busy;
}

/* work dirs are named ...-PID-...: busy while that process lives */
static int work_busy(const char *name)
{
	const char *p = name;
	while ((p = strchr(p, '-'))) {
		p++;
		char *end;
		long pid = strtol(p, &end, 10);
		if (end != p && (*end == '-' || *end == '\0') && pid > 1 && pid == (long)(pid_t)pid)
			if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
				return 1;
	}
	return 0;
}

int cache_list(struct cache_list *out, struct kerr *e)
{
	const char *home = kiln_home();
	char *roots = xasprintf("%s/roots", home), *work = xasprintf("%s/work", home);
	char *blobs = xasprintf("%s/blobs/sha256", home);
	DIR *d;
	struct dirent *de;
	struct stat st;

	memset(out, 0, sizeof(*out));
	if ((d = opendir(roots))) {
		while ((de = readdir(d))) {
			char *p = xasprintf("%s/%s", roots, de->d_name);
			/* a root whose preparer died before renaming it */
			if (!strncmp(de->d_name, ".tmp-", 5)) {
				add_item(out, "work", de->d_name, p, disk_usage(p), 0,
					 work_busy(de->d_name));
				free(p);
				continue;
			}
			if (!is_sha256_hex(de->d_name)) {
				free(p);
				continue;
			}
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				add_item(out, "root", de->d_name, p, disk_usage(p), st.st_mtime,
					 root_busy(roots, de->d_name));
			free(p);
		}
		closedir(d);
	}
	if ((d = opendir(work))) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char *p = xasprintf("%s/%s", work, de->d_name);
			if (lstat(p, &st) == 0)
				add_item(out, "work", de->d_name, p, disk_usage(p), st.st_mtime,
					 work_busy(de->d_name));
			free(p);
		}
		closedir(d);
	}
	if ((d = opendir(blobs))) {
		while ((de = readdir(d))) {
			if (strlen(de->d_name) != 2)
				continue;
			char *sub = xasprintf("%s/%s", blobs, de->d_name);
			DIR *d2 = opendir(sub);
			struct dirent *b;
			while (d2 && (b = readdir(d2))) {
				if (!is_sha256_hex(b->d_name))
					continue;
				char *p = xasprintf("%s/%s", sub, b->d_name);
				if (lstat(p, &st) == 0)
					add_item(out, "blob", b->d_name, p,
						 (uint64_t)st.st_blocks * 512, st.st_atime, 0);
				free(p);
			}
			if (d2)
				closedir(d2);
			free(sub);
		}
		closedir(d);
	}
	free(roots);
	free(work);
	free(blobs);
	(void)e;
	return 0;
}

void cache_list_free(struct cache_list *l)
{
	for (size_t i = 0; l && i < l->n; i++) {
		free(l->v[i].kind);
		free(l->v[i].name);
		free(l->v[i].path);
	}
	if (l) {
		free(l->v);
		l->v = NULL;
		l->n = 0;
	}
}

/* blobs named by a verified index snapshot (indices/<distro>/<suite>/indices
 * lines "Kind comp arch sha256 size") are kept: they are the indices */
static void index_blobs(struct strv *keep)
{
	char *dir = xasprintf("%s/indices", kiln_home());
	DIR *d = opendir(dir);
	struct dirent *de, *de2;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *sd = xasprintf("%s/%s", dir, de->d_name);
		DIR *d2 = opendir(sd);
		while (d2 && (de2 = readdir(d2))) {
			if (de2->d_name[0] == '.')
				continue;
			char *f = xasprintf("%s/%s/indices", sd, de2->d_name);
			struct kbuf b = {0};
			struct kerr e = {0};
			if (read_file(f, &b, 16 << 20, &e) == 0) {
				struct strv w = {0};
				strv_split(&w, b.data, " \t\n");
				for (size_t i = 0; i < w.n; i++)
					if (is_sha256_hex(w.v[i]))
						strv_add(keep, w.v[i]);
				strv_free(&w);
			}
			kbuf_free(&b);
			free(f);
		}
		if (d2)
			closedir(d2);
		free(sd);
	}
	if (d)
		closedir(d);
	free(dir);
}

int cache_gc(const struct cache_gc_opts *o, struct cache_list *removed, struct kerr *e)
{
	struct cache_list all;
	struct strv keep = {0};
	int64_t now = (int64_t)time(NULL);
	int ret = cache_list(&all, e);

	memset(removed, 0, sizeof(*removed));
	if (ret < 0)
		return ret;
	if (o->blobs)
		index_blobs(&keep);
	for (size_t i = 0; i < all.n; i++) {
		struct cache_item *it = &all.v[i];
		int old = o->older_than_s <= 0 || now - it->mtime >= o->older_than_s;
		int pick = 0;
		if (it->busy)
			continue;
		if (!strcmp(it->kind, "work"))
			pick = 1; /* a dead build's leftovers */
		else if (!strcmp(it->kind, "root"))
			pick = o->roots && old;
		else if (!strcmp(it->kind, "blob"))
			pick = o->blobs && old && !strv_contains(&keep, it->name);
		if (!pick)
			continue;
		if (!o->dry_run) {
			if (!strcmp(it->kind, "root")) {
				/* take the root's lock so no kiln starts preparing it meanwhile */
				char *lp = xasprintf("%s/roots/%s.lock", kiln_home(), it->name);
				char *mp = xasprintf("%s/roots/%s.json", kiln_home(), it->name);
				int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
				/* the lock file stays: a kiln that opens it now
				 * must lock the same inode as we do */
				if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
					rm_rf(it->path);
					unlink(mp);
					char *lg = xasprintf("%s.log", it->path);
					unlink(lg);
					free(lg);
				}
				if (fd >= 0)
					close(fd);
				free(lp);
				free(mp);
			} else {
				rm_rf(it->path);
			}
			if (path_exists(it->path))
				continue;
		}
		add_item(removed, it->kind, it->name, it->path, it->bytes, it->mtime, 0);
	}
	strv_free(&keep);
	cache_list_free(&all);
	return 0;
}
