/* idmap.c - the user namespace's uid/gid maps, written by the parent: as
 * root a 65536-id range at SANDBOX_ID_BASE, as a user their /etc/subuid range
 * through newuidmap/newgidmap, else a single id with setgroups denied. */
#include "sandbox/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

uid_t sandbox_host_uid(uid_t inside)
{
	return (uid_t)(SANDBOX_ID_BASE + inside);
}

gid_t sandbox_host_gid(gid_t inside)
{
	return (gid_t)(SANDBOX_ID_BASE + inside);
}

static int write_proc(pid_t pid, const char *file, const char *text, struct kerr *e)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return kerr_errno(e, KILN_EFAIL, "user namespace: open %s", path);
	ssize_t n = write(fd, text, strlen(text));
	if (n != (ssize_t)strlen(text)) {
		kerr_errno(e, KILN_EFAIL, "user namespace: write \"%.*s\" to %s",
			   (int)strcspn(text, "\n"), text, path);
		close(fd);
		return -KILN_EFAIL;
	}
	close(fd);
	return 0;
}

/* The first range of /etc/sub[ug]id for this user (by name or number). */
static int subid_range(const char *file, uid_t uid, unsigned long *start, unsigned long *count)
{
	struct passwd *pw = getpwuid(uid);
	char line[512], num[32];
	FILE *f = fopen(file, "re");
	int found = 0;

	if (!f)
		return 0;
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	while (!found && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2;
		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c1 = '\0';
		if (strcmp(line, num) && !(pw && !strcmp(line, pw->pw_name)))
			continue;
		*start = strtoul(c1 + 1, NULL, 10);
		*count = strtoul(c2 + 1, NULL, 10);
		found = *count > 0;
	}
	fclose(f);
	return found;
}

/* newuidmap PID 0 OWN 1 1 SUBSTART COUNT: inside root is the caller, inside
 * 1.. are the caller's subordinate ids. */
static int run_newidmap(const char *tool, pid_t pid, unsigned long own, unsigned long start,
			unsigned long count, struct kerr *e)
{
	char a[6][32];
	pid_t p;
	int st;

	snprintf(a[0], 32, "%d", (int)pid);
	snprintf(a[1], 32, "%lu", own);
	snprintf(a[2], 32, "%lu", start);
	snprintf(a[3], 32, "%lu", count);
	if ((p = fork()) < 0)
		return kerr_errno(e, KILN_EFAIL, "user namespace: fork %s", tool);
	if (p == 0) {
		execlp(tool, tool, a[0], "0", a[1], "1", "1", a[2], a[3], (char *)NULL);
		_exit(127);
	}
	if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return kerr_set(e, KILN_EFAIL, "user namespace: %s %s failed (status %d)", tool,
				a[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

int idmap_write(pid_t child, const struct sandbox_opts *o, int *full_map, struct kerr *e)
{
	char map[128];
	unsigned long us = 0, uc = 0, gs = 0, gc = 0;

	if (geteuid() == 0) {
		/* Inside 0..65535 = host SANDBOX_ID_BASE..+65535: inside root owns
		 * nothing of the host's. */
		*full_map = 1;
		snprintf(map, sizeof(map), "0 %u %u\n", SANDBOX_ID_BASE, SANDBOX_ID_COUNT);
		if (write_proc(child, "uid_map", map, e) < 0 ||
		    write_proc(child, "gid_map", map, e) < 0)
			return -KILN_EFAIL;
		return 0;
	}
	if (subid_range("/etc/subuid", geteuid(), &us, &uc) &&
	    subid_range("/etc/subgid", geteuid(), &gs, &gc)) {
		unsigned long n = uc < gc ? uc : gc;
		if (n > SANDBOX_ID_COUNT - 1)
			n = SANDBOX_ID_COUNT - 1;
		if (run_newidmap("newuidmap", child, geteuid(), us, n, e) == 0 &&
		    run_newidmap("newgidmap", child, getegid(), gs, n, e) == 0) {
			*full_map = 1;
			return 0;
		}
		return -KILN_EFAIL;
	}
	/* no subordinate ids: only the requested identity exists inside */
	*full_map = 0;
	if (write_proc(child, "setgroups", "deny\n", e) < 0)
		return -KILN_EFAIL;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)o->uid, (unsigned)geteuid());
	if (write_proc(child, "uid_map", map, e) < 0)
		return -KILN_EFAIL;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)o->gid, (unsigned)getegid());
	return write_proc(child, "gid_map", map, e);
}
