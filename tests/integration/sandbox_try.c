/* sandbox_try.c - one escape attempt (or one thing that must keep working)
 * per invocation, for tests/integration/sandbox_escape.sh. Prints exactly one
 * word: "ok", or the errno name the attempt failed with. Dangerous calls are
 * made with bad pointers/fds, so EFAULT/EBADF would reveal a call that the
 * seccomp filter let through (bubblewrap's try-syscall.c does the same). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define BAD ((void *)1) /* an address nothing is mapped at */

static const char *ename(int e)
{
	switch (e) {
	case 0:
		return "ok";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case ESRCH:
		return "ESRCH";
	case EBADF:
		return "EBADF";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EACCES:
		return "EACCES";
	case EFAULT:
		return "EFAULT";
	case EBUSY:
		return "EBUSY";
	case EEXIST:
		return "EEXIST";
	case ENXIO:
		return "ENXIO";
	case EINVAL:
		return "EINVAL";
	case ENOSPC:
		return "ENOSPC";
	case EROFS:
		return "EROFS";
	case EFBIG:
		return "EFBIG";
	case ENOSYS:
		return "ENOSYS";
	case ENOTSUP:
		return "ENOTSUP";
	case EAFNOSUPPORT:
		return "EAFNOSUPPORT";
	case ENETUNREACH:
		return "ENETUNREACH";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case EOVERFLOW:
		return "EOVERFLOW";
	default: {
		static char b[32];
		snprintf(b, sizeof(b), "errno%d", e);
		return b;
	}
	}
}

/* r < 0: report errno; else ok */
static int res(long r)
{
	puts(r < 0 ? ename(errno) : "ok");
	return 0;
}

static int pty_fd(void)
{
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (m < 0)
		return -1;
	if (grantpt(m) < 0 || unlockpt(m) < 0)
		return -1;
	return m;
}

static void *thread_fn(void *p)
{
	return p;
}

static int mode_of(const char *p)
{
	struct stat st;
	return stat(p, &st) < 0 ? -1 : (int)(st.st_mode & 07777);
}

/* chmod-family attempts: the errno, then whether the mode changed */
static int setid_result(long r, const char *path)
{
	int e = r < 0 ? errno : 0;
	int m = mode_of(path);
	printf("%s%s\n", ename(e), m >= 0 && (m & 06000) ? "+SETID" : "");
	return 0;
}

static int connect_to(int family, const char *addr, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int s = socket(family, SOCK_STREAM, 0);
	if (s < 0)
		return res(-1);
	inet_pton(AF_INET, addr, &a.sin_addr);
	return res(connect(s, (struct sockaddr *)&a, sizeof(a)));
}

int main(int argc, char **argv)
{
	const char *t = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : "";
	char c = 'x';

	/* ---- terminals ---- */
	if (!strcmp(t, "tiocsti")) {
		int m = pty_fd();
		if (m < 0)
			return res(-1);
		return res(ioctl(m, TIOCSTI, &c));
	}
	if (!strcmp(t, "tiocsti-high-bits")) {
		int m = pty_fd();
		if (m < 0)
			return res(-1);
		return res(syscall(SYS_ioctl, m, (unsigned long)TIOCSTI | (1UL << 32), &c));
	}
	if (!strcmp(t, "tioclinux")) {
		int m = pty_fd();
		return res(syscall(SYS_ioctl, m, TIOCLINUX, &c));
	}
	if (!strcmp(t, "ioctl-other")) {
		/* every other ioctl passes the filter, high bits or not */
		int pfd[2], n, m = pty_fd();
		struct termios tio;
		struct winsize ws;
		if (pipe(pfd) < 0 || m < 0)
			return res(-1);
		/* TIOCGWINSZ is TIOCSTI with one bit flipped */
		if (syscall(SYS_ioctl, pfd[0], (unsigned long)FIONREAD | (1UL << 32), &n) < 0 ||
		    syscall(SYS_ioctl, pfd[0], FIONREAD, &n) < 0 || tcgetattr(m, &tio) < 0 ||
		    syscall(SYS_ioctl, m, TIOCGWINSZ, &ws) < 0)
			return res(-1);
		return res(0);
	}
	if (!strcmp(t, "open-dev-tty"))
		return res(open("/dev/tty", O_RDWR));
	if (!strcmp(t, "pty"))
		return res(pty_fd() >= 0 && open(ptsname(pty_fd()), O_RDWR | O_NOCTTY) >= 0 ? 0
											    : -1);

	/* ---- mounts ---- */
	if (!strcmp(t, "mount"))
		return res(mount("none", "/tmp", "tmpfs", 0, NULL));
	if (!strcmp(t, "remount-rw"))
		return res(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
	if (!strcmp(t, "umount"))
		return res(umount2("/proc", MNT_DETACH));
	if (!strcmp(t, "pivot_root"))
		return res(syscall(SYS_pivot_root, BAD, BAD));
	if (!strcmp(t, "chroot"))
		return res(chroot("/tmp"));
	if (!strcmp(t, "fsopen"))
		return res(syscall(SYS_fsopen, BAD, 0));
	if (!strcmp(t, "open_tree"))
		return res(syscall(SYS_open_tree, -1, BAD, 0));
	if (!strcmp(t, "move_mount"))
		return res(syscall(SYS_move_mount, -1, BAD, -1, BAD, 0));

	/* ---- namespaces ---- */
	if (!strcmp(t, "unshare-user"))
		return res(unshare(CLONE_NEWUSER));
	if (!strcmp(t, "clone-newuser") || !strcmp(t, "clone-newnet")) {
		long fl = (!strcmp(t, "clone-newuser") ? CLONE_NEWUSER : CLONE_NEWNET) | SIGCHLD;
		long p = syscall(SYS_clone, fl, NULL, NULL, NULL, 0);
		if (p == 0)
			_exit(0);
		return res(p);
	}
	if (!strcmp(t, "clone3"))
		return res(syscall(SYS_clone3, BAD, 88));
	if (!strcmp(t, "setns"))
		return res(setns(-1, 0));
	if (!strcmp(t, "threads")) {
		pthread_t th;
		int r = pthread_create(&th, NULL, thread_fn, NULL);
		if (r == 0)
			r = pthread_join(th, NULL);
		errno = r;
		return res(r ? -1 : 0);
	}

	/* ---- calls with bad pointers: EFAULT would mean "let through" ---- */
	if (!strcmp(t, "keyctl"))
		return res(syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, BAD));
	if (!strcmp(t, "add_key"))
		return res(syscall(SYS_add_key, BAD, BAD, BAD, 8, 0));
	if (!strcmp(t, "request_key"))
		return res(syscall(SYS_request_key, BAD, BAD, BAD, 0));
	if (!strcmp(t, "bpf"))
		return res(syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, BAD, 64));
	if (!strcmp(t, "perf_event_open"))
		return res(syscall(SYS_perf_event_open, BAD, 0, -1, -1, 0));
	if (!strcmp(t, "userfaultfd"))
		return res(syscall(SYS_userfaultfd, 0));
	if (!strcmp(t, "kexec_load"))
		return res(syscall(SYS_kexec_load, 0, 1, BAD, 0));
	if (!strcmp(t, "init_module"))
		return res(syscall(SYS_init_module, BAD, 64, BAD));
	if (!strcmp(t, "finit_module"))
		return res(syscall(SYS_finit_module, -1, BAD, 0));
	if (!strcmp(t, "open_by_handle_at"))
		return res(syscall(SYS_open_by_handle_at, -1, BAD, 0));
	if (!strcmp(t, "io_uring_setup"))
		return res(syscall(SYS_io_uring_setup, 1, BAD));
	if (!strcmp(t, "ptrace-outside"))
		return res(ptrace(PTRACE_ATTACH, atoi(arg), 0, 0));
	if (!strcmp(t, "kill-outside"))
		return res(kill(atoi(arg), 0));
	if (!strcmp(t, "ptrace-own-child")) {
		pid_t p = fork();
		if (p == 0) {
			pause();
			_exit(0);
		}
		long r = ptrace(PTRACE_ATTACH, p, 0, 0);
		int e = errno, st;
		if (r == 0)
			waitpid(p, &st, 0);
		kill(p, SIGKILL);
		waitpid(p, &st, 0);
		errno = e;
		return res(r);
	}
	if (!strcmp(t, "personality"))
		return res(personality(strtoul(arg, NULL, 0)));
	if (!strcmp(t, "mknod-device"))
		return res(mknod("/tmp/null2", S_IFCHR | 0666, makedev(1, 3)));

	/* ---- setuid/setgid files, by every route ---- */
	if (!strcmp(t, "chmod-setuid")) {
		close(open(arg, O_CREAT | O_WRONLY, 0755));
		return setid_result(chmod(arg, 04755), arg);
	}
	if (!strcmp(t, "fchmod-setgid")) {
		int fd = open(arg, O_CREAT | O_WRONLY, 0755);
		return setid_result(fchmod(fd, 02755), arg);
	}
	if (!strcmp(t, "fchmodat-setuid")) {
		close(open(arg, O_CREAT | O_WRONLY, 0755));
		return setid_result(fchmodat(AT_FDCWD, arg, 04755, 0), arg);
	}
	if (!strcmp(t, "fchmodat2-setuid")) {
		close(open(arg, O_CREAT | O_WRONLY, 0755));
		return setid_result(syscall(452 /* fchmodat2 */, AT_FDCWD, arg, 04755, 0), arg);
	}
	if (!strcmp(t, "creat-setuid"))
		return setid_result(creat(arg, 04755), arg);
	if (!strcmp(t, "open-creat-setuid"))
		return setid_result(syscall(SYS_open, arg, O_CREAT | O_WRONLY, 04755), arg);
	if (!strcmp(t, "openat-creat-setgid"))
		return setid_result(openat(AT_FDCWD, arg, O_CREAT | O_WRONLY, 02755), arg);
	if (!strcmp(t, "o-tmpfile-setuid"))
		return res(open(arg, O_TMPFILE | O_WRONLY, 04755));
	if (!strcmp(t, "mknod-setuid"))
		return setid_result(mknod(arg, S_IFREG | 04755, 0), arg);
	if (!strcmp(t, "chmod-plain")) {
		close(open(arg, O_CREAT | O_WRONLY, 0644));
		return setid_result(chmod(arg, 0755), arg);
	}
	if (!strcmp(t, "int80-chmod")) {
		/* i386 chmod (15) through the 32-bit entry: a foreign ABI */
		long r;
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(15), "b"(0), "c"(04755) : "memory");
		printf("returned %ld\n", r);
		return 0;
	}
	if (!strcmp(t, "x32-chmod")) {
		long r = syscall(0x40000000L | SYS_chmod, arg, 04755);
		printf("returned %ld\n", r);
		return 0;
	}
	if (!strcmp(t, "fds")) {
		/* every open descriptor but the one reading the directory */
		DIR *d = opendir("/proc/self/fd");
		struct dirent *de;
		int first = 1;
		if (!d)
			return res(-1);
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d)) {
				printf("%s%s", first ? "" : " ", de->d_name);
				first = 0;
			}
		putchar('\n');
		return 0;
	}
	if (!strcmp(t, "euid")) {
		printf("%u\n", (unsigned)geteuid());
		return 0;
	}

	/* ---- network ---- */
	if (!strcmp(t, "connect-outside"))
		return connect_to(AF_INET, "1.1.1.1", 80);
	if (!strcmp(t, "connect-loopback-port"))
		return connect_to(AF_INET, "127.0.0.1", atoi(arg));
	if (!strcmp(t, "connect-abstract")) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "%s", arg);
		return res(
		    connect(s, (struct sockaddr *)&a,
			    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(arg))));
	}
	if (!strcmp(t, "socket"))
		return res(socket(atoi(arg), SOCK_RAW, 0));
	if (!strcmp(t, "loopback-inside")) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t n = sizeof(a);
		int l = socket(AF_INET, SOCK_STREAM, 0), s = socket(AF_INET, SOCK_STREAM, 0);
		if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
		    getsockname(l, (struct sockaddr *)&a, &n) < 0)
			return res(-1);
		return res(connect(s, (struct sockaddr *)&a, sizeof(a)));
	}

	/* ---- limits ---- */
	if (!strcmp(t, "fork-bomb")) {
		for (int i = 0; i < 100000; i++) {
			pid_t p = fork();
			if (p < 0)
				return res(-1);
			if (p == 0) {
				pause();
				_exit(0);
			}
		}
		return res(0);
	}
	if (!strcmp(t, "fill")) {
		signal(SIGXFSZ, SIG_IGN);
		int fd = open(arg, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		static char buf[1 << 16];
		if (fd < 0)
			return res(-1);
		for (long i = 0; i < (1L << 16); i++) /* up to 4 GiB */
			if (write(fd, buf, sizeof(buf)) < 0)
				return res(-1);
		return res(0);
	}
	if (!strcmp(t, "memory-hog")) {
		for (long i = 0; i < 1 << 16; i++) { /* 64 MiB steps, up to 4 TiB */
			char *p = malloc(64 << 20);
			if (!p)
				return res(-1);
			memset(p, 1, 64 << 20);
		}
		return res(0);
	}

	/* ---- must keep working ---- */
	if (!strcmp(t, "sysv-ipc")) {
		int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
		int msg = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		void *p = shm >= 0 ? shmat(shm, NULL, 0) : (void *)-1;
		return res(shm >= 0 && sem >= 0 && msg >= 0 && p != (void *)-1 ? 0 : -1);
	}
	if (!strcmp(t, "shm_open")) {
		int fd = open("/dev/shm/kiln-test", O_CREAT | O_RDWR, 0600);
		return res(fd >= 0 ? ftruncate(fd, 4096) : -1);
	}
	if (!strcmp(t, "memfd"))
		return res(memfd_create("kiln", MFD_CLOEXEC));
	if (!strcmp(t, "inotify")) {
		int fd = inotify_init1(IN_CLOEXEC);
		return res(fd >= 0 ? inotify_add_watch(fd, "/tmp", IN_CREATE) : -1);
	}
	if (!strcmp(t, "write"))
		return res(open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	if (!strcmp(t, "read"))
		return res(open(arg, O_RDONLY));
	if (!strcmp(t, "all-roots")) {
		/* every /proc/PID/root we may look at leads to our own / */
		struct stat r, p;
		struct dirent *de;
		DIR *d = opendir("/proc");
		int seen = 0, diff = 0;
		stat("/", &r);
		while (d && (de = readdir(d))) {
			char path[300];
			if (de->d_name[0] < '1' || de->d_name[0] > '9' || !strcmp(de->d_name, "1"))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/root/", de->d_name);
			if (stat(path, &p) < 0)
				continue;
			seen++;
			diff += p.st_dev != r.st_dev || p.st_ino != r.st_ino;
		}
		puts(seen < 2 ? "too-few" : diff ? "different" : "same");
		return 0;
	}
	if (!strcmp(t, "same-as-root")) {
		/* /proc/PID/root of every visible process is our own / */
		struct stat r, p;
		char path[64];
		stat("/", &r);
		snprintf(path, sizeof(path), "/proc/%s/root/", arg);
		if (stat(path, &p) < 0)
			return res(-1);
		puts(p.st_dev == r.st_dev && p.st_ino == r.st_ino ? "same" : "different");
		return 0;
	}
	fprintf(stderr, "sandbox_try: unknown attempt '%s'\n", t);
	return 2;
}
