/* home.c - where kiln keeps its cache, and the content-addressed blob store. */
#include "kiln.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *g_home; /* set once at start-up (logging-like setting) */

void kiln_home_set(const char *path)
{
	free(g_home);
	g_home = path ? xstrdup(path) : NULL;
}

const char *kiln_home(void)
{
	const char *env, *home;

	if (g_home)
		return g_home;
	env = getenv("KILN_HOME");
	if (env && *env)
		g_home = xstrdup(env);
	else if (geteuid() == 0)
		g_home = xstrdup("/var/cache/kiln");
	else if ((env = getenv("XDG_CACHE_HOME")) && *env)
		g_home = xasprintf("%s/kiln", env);
	else if ((home = getenv("HOME")) && *home)
		g_home = xasprintf("%s/.cache/kiln", home);
	else
		g_home = xstrdup("/tmp/kiln-cache");
	return g_home;
}

char *blob_path(const char *hex)
{
	return xasprintf("%s/blobs/sha256/%.2s/%s", kiln_home(), hex, hex);
}

int blob_exists(const char *hex, uint64_t size)
{
	char *p = blob_path(hex);
	struct stat st;
	int ok = stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		 (size == UINT64_MAX || (uint64_t)st.st_size == size);
	free(p);
	return ok;
}

int blob_adopt(const char *tmp_path, const char *hex, struct kerr *e)
{
	char *p = blob_path(hex);
	char *dir = xasprintf("%s/blobs/sha256/%.2s", kiln_home(), hex);
	int ret = mkdir_p(dir, 0755, e);

	if (ret == 0) {
		chmod(tmp_path, 0644);
		if (rename(tmp_path, p) < 0)
			ret = kerr_errno(e, KILN_EIO, "storing %s as %s", tmp_path, p);
		else
			fsync_dir_of(p);
	}
	free(dir);
	free(p);
	return ret;
}

int blob_put(const void *data, size_t n, char hex[SHA256_HEX_LEN + 1], struct kerr *e)
{
	char *dir, *p;
	int ret;

	sha256_mem(data, n, hex);
	if (blob_exists(hex, n))
		return 0;
	dir = xasprintf("%s/blobs/sha256/%.2s", kiln_home(), hex);
	p = blob_path(hex);
	ret = mkdir_p(dir, 0755, e);
	if (ret == 0)
		ret = write_file_atomic(p, data, n, 0644, e);
	free(dir);
	free(p);
	return ret;
}
