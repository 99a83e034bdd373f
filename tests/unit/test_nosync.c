/* test_nosync.c - sandbox_opts.no_sync (root preparation): fsync and its kin
 * return 0 without reaching the kernel; without it they do reach it. Seen
 * through a bad descriptor: the kernel answers EBADF, the filter answers 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <unistd.h>

#include "sandbox/sandbox.h"

static int can_sandbox(void)
{
	return geteuid() == 0 && access("/proc/self/ns/user", F_OK) == 0 &&
	       access("/usr/bin/python3", X_OK) == 0;
}

/* each call on descriptor 987 (not open), printed as name=errno */
static char script[] =
    "import ctypes\n"
    "c = ctypes.CDLL(None, use_errno=True)\n"
    "calls = [('fsync', (987,)), ('fdatasync', (987,)), ('syncfs', (987,)),\n"
    "         ('sync_file_range', (987, ctypes.c_int64(0), ctypes.c_int64(0), 0))]\n"
    "out = []\n"
    "for n, a in calls:\n"
    "    ctypes.set_errno(0)\n"
    "    r = getattr(c, n)(*a)\n"
    "    out.append('%s=%d' % (n, ctypes.get_errno() if r else 0))\n"
    "c.sync()\n"
    "print(' '.join(out))\n";

static void run(enum sandbox_profile p, int no_sync, char *out, size_t n)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *argv[] = {"python3", "-c", script, NULL};
	int fds[2], st = -1;

	sandbox_opts_init(&o);
	o.profile = p;
	o.no_sync = no_sync;
	o.argv = argv;
	assert_int_equal(pipe(fds), 0);
	o.stdout_fd = fds[1];
	assert_int_equal(sandbox_run(&o, &st, &e), 0);
	close(fds[1]);
	ssize_t k = read(fds[0], out, n - 1);
	close(fds[0]);
	out[k > 0 ? k : 0] = '\0';
	assert_int_equal(st, 0);
}

static void test_no_sync_answers_zero_without_the_kernel(void **s)
{
	char out[256];
	if (!can_sandbox())
		skip();
	run(SANDBOX_ROOT_PREP, 1, out, sizeof(out));
	assert_string_equal(out, "fsync=0 fdatasync=0 syncfs=0 sync_file_range=0\n");
}

static void test_without_no_sync_the_kernel_answers(void **s)
{
	char out[256];
	if (!can_sandbox())
		skip();
	run(SANDBOX_ROOT_PREP, 0, out, sizeof(out));
	assert_string_equal(out, "fsync=9 fdatasync=9 syncfs=9 sync_file_range=9\n"); /* EBADF */
	run(SANDBOX_BUILD, 0, out, sizeof(out));
	assert_string_equal(out, "fsync=9 fdatasync=9 syncfs=9 sync_file_range=9\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_sync_answers_zero_without_the_kernel),
	    cmocka_unit_test(test_without_no_sync_the_kernel_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
