/* cgroup.c - cgroup v2 limits (pids.max, memory.max) where the host delegates
 * the controllers to our cgroup, and killing a whole cgroup at the end. Where
 * it does not, the sandbox runs on rlimits alone and sandbox_probe says why. */
#include "sandbox/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	buf[0] = '\0';
	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return 0;
}

static int write_small(const char *dir, const char *file, const char *text)
{
	char path[700];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		r = -1;
	close(fd);
	return r;
}

static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return 1;
	return 0;
}

/* The cgroup2 mount point and our cgroup in it. */
static int own_cgroup_dir(char *out, size_t n)
{
	char line[1024], mnt[512] = "", rel[512] = "";
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - cgroup2 ");
		if (!sep)
			continue;
		/* fields: id parent maj:min root mountpoint ... */
		char root[512], mp[512];
		if (sscanf(line, "%*s %*s %*s %511s %511s", root, mp) == 2 && !strcmp(root, "/")) {
			snprintf(mnt, sizeof(mnt), "%s", mp);
			break;
		}
	}
	fclose(f);
	if (!mnt[0] || !(f = fopen("/proc/self/cgroup", "re")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			snprintf(rel, sizeof(rel), "%.500s", line + 3);
			rel[strcspn(rel, "\n")] = '\0';
		}
	fclose(f);
	if (!rel[0])
		return -1;
	if (snprintf(out, n, "%s%s", mnt, strcmp(rel, "/") ? rel : "") >= (int)n)
		return -1;
	return 0;
}

void sandbox_probe(struct sandbox_support *s)
{
	char buf[512];

	memset(s, 0, sizeof(*s));
	s->user_namespaces = access("/proc/self/ns/user", F_OK) == 0;
	if (own_cgroup_dir(s->cgroup_dir, sizeof(s->cgroup_dir)) < 0) {
		s->cgroup_dir[0] = '\0';
		snprintf(s->why_no_cgroup, sizeof(s->why_no_cgroup),
			 "no cgroup v2 hierarchy holds this process");
		return;
	}
	s->cgroup_v2 = 1;
	char path[700];
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", s->cgroup_dir);
	if (read_small(path, buf, sizeof(buf)) < 0 || access(s->cgroup_dir, W_OK) < 0) {
		snprintf(s->why_no_cgroup, sizeof(s->why_no_cgroup), "%.200s is not writable by us",
			 s->cgroup_dir);
		return;
	}
	s->cgroup_pids = has_word(buf, "pids");
	s->cgroup_memory = has_word(buf, "memory");
	if (!s->cgroup_pids && !s->cgroup_memory)
		snprintf(s->why_no_cgroup, sizeof(s->why_no_cgroup),
			 "neither pids nor memory is enabled in %.150s/cgroup.subtree_control",
			 s->cgroup_dir);
}

int cgroup_create(const struct sandbox_opts *o, struct sb_cgroup *cg, struct kerr *e)
{
	struct sandbox_support s;
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[6];
	char name[13], v[32];

	memset(cg, 0, sizeof(*cg));
	sandbox_probe(&s);
	if (!s.cgroup_pids && !s.cgroup_memory)
		return 0; /* rlimits only */
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	for (int i = 0; i < 6; i++) {
		name[2 * i] = hex[rnd[i] >> 4];
		name[2 * i + 1] = hex[rnd[i] & 15];
	}
	name[12] = '\0';
	snprintf(cg->dir, sizeof(cg->dir), "%s/kiln-sandbox-%s", s.cgroup_dir, name);
	if (mkdir(cg->dir, 0755) < 0)
		return 0; /* delegated on paper, not in practice: rlimits only */
	cg->active = 1;
	if (s.cgroup_pids) {
		snprintf(v, sizeof(v), "%d", o->max_pids > 0 ? o->max_pids : SANDBOX_DEFAULT_PIDS);
		if (write_small(cg->dir, "pids.max", v) < 0)
			goto fail;
	}
	if (s.cgroup_memory && o->memory_bytes) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)o->memory_bytes);
		if (write_small(cg->dir, "memory.max", v) < 0)
			goto fail;
		write_small(cg->dir, "memory.swap.max", "0"); /* absent without swap accounting */
		cg->memory = 1;
	}
	return 0;
fail:
	kerr_errno(e, KILN_EFAIL, "cgroup: set limits in %s", cg->dir);
	cgroup_kill_and_remove(cg);
	return -KILN_EFAIL;
}

int cgroup_attach(struct sb_cgroup *cg, pid_t pid, struct kerr *e)
{
	char v[32];

	if (!cg->active)
		return 0;
	snprintf(v, sizeof(v), "%d", (int)pid);
	if (write_small(cg->dir, "cgroup.procs", v) < 0)
		return kerr_errno(e, KILN_EFAIL, "cgroup: move the sandbox into %s", cg->dir);
	return 0;
}

void cgroup_kill_and_remove(struct sb_cgroup *cg)
{
	char path[700], buf[4096];

	if (!cg || !cg->active)
		return;
	/* cgroup.kill (5.14+) takes every process at once; else one by one */
	if (write_small(cg->dir, "cgroup.kill", "1") < 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir);
		if (read_small(path, buf, sizeof(buf)) == 0)
			for (char *p = buf; *p;) {
				long pid = strtol(p, &p, 10);
				if (pid > 0)
					kill((pid_t)pid, SIGKILL);
				while (*p == '\n')
					p++;
				if (pid <= 0)
					break;
			}
	}
	for (int i = 0; i < 200 && rmdir(cg->dir) < 0 && errno == EBUSY; i++)
		usleep(5000);
	cg->active = 0;
}
