/* fileops.c - file operations that never leave a half-written file behind. */
#include "kiln.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdir_p(const char *path, mode_t mode, struct kerr *e)
{
	char *p = xstrdup(path);
	int ret = 0;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			ret = kerr_errno(e, KILN_EIO, "creating directory %s", p);
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		ret = kerr_errno(e, KILN_EIO, "creating directory %s", p);
out:
	free(p);
	return ret;
}

int read_file(const char *path, struct kbuf *out, size_t max, struct kerr *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t r;

	if (fd < 0)
		return kerr_errno(e, errno == ENOENT ? KILN_ENOTFOUND : KILN_EIO, "%s", path);
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return kerr_errno(e, KILN_EIO, "reading %s", path);
		}
		if (r == 0)
			break;
		if (max && out->len + (size_t)r > max) {
			close(fd);
			return kerr_set(e, KILN_EPARSE, "%s: larger than %zu bytes", path, max);
		}
		kbuf_add(out, buf, (size_t)r);
	}
	close(fd);
	if (!out->data)
		kbuf_add(out, "", 0);
	return 0;
}

int fsync_dir_of(const char *path)
{
	char *p = xstrdup(path);
	int fd = open(dirname(p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return -1;
	fsync(fd);
	close(fd);
	return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *p, size_t n, mode_t mode, struct kerr *e)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int ret = 0;

	if (fd < 0) {
		ret = kerr_errno(e, KILN_EIO, "creating %s", tmp);
		goto out;
	}
	if (write_all(fd, p, n) < 0 || fsync(fd) < 0) {
		ret = kerr_errno(e, KILN_EIO, "writing %s", path);
		close(fd);
		unlink(tmp);
		goto out;
	}
	fchmod(fd, mode);
	close(fd);
	if (rename(tmp, path) < 0) {
		ret = kerr_errno(e, KILN_EIO, "renaming %s to %s", tmp, path);
		unlink(tmp);
		goto out;
	}
	fsync_dir_of(path);
out:
	free(tmp);
	return ret;
}

int copy_file_atomic(const char *src, const char *dst, mode_t mode, struct kerr *e)
{
	char *tmp = xasprintf("%s.tmp.%ld", dst, (long)getpid());
	int in = -1, out = -1, ret = 0;
	char buf[1 << 16];
	ssize_t r;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		ret = kerr_errno(e, KILN_EIO, "%s", src);
		goto out;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		ret = kerr_errno(e, KILN_EIO, "creating %s", tmp);
		goto out;
	}
	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || write_all(out, buf, (size_t)r) < 0) {
			ret = kerr_errno(e, KILN_EIO, "copying %s to %s", src, dst);
			goto out;
		}
	}
	if (fsync(out) < 0) {
		ret = kerr_errno(e, KILN_EIO, "writing %s", dst);
		goto out;
	}
	fchmod(out, mode);
	close(out);
	out = -1;
	if (rename(tmp, dst) < 0) {
		ret = kerr_errno(e, KILN_EIO, "renaming %s to %s", tmp, dst);
		goto out;
	}
	fsync_dir_of(dst);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (ret < 0)
		unlink(tmp);
	free(tmp);
	return ret;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(p) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(p) < 0 && errno != ENOENT ? -1 : 0;
}

int rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	/* a read-only tree (prepared roots) must be made writable first */
	return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int lock_path(const char *path, int exclusive, struct kerr *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return kerr_errno(e, KILN_EIO, "opening lock %s", path), -1;
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno == EINTR)
			continue;
		kerr_errno(e, KILN_EIO, "locking %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

void unlock_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

int is_safe_filename(const char *name)
{
	if (!name || !*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	if (strlen(name) > 255)
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p < 0x21 || *p == 0x7f)
			return 0;
	return 1;
}
