/* test_sandbox.c - sandbox_run()'s contract (status, errors, environment,
 * timeout) and the seccomp policy table's consistency. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

static int can_sandbox(void)
{
	return geteuid() == 0 && access("/proc/self/ns/user", F_OK) == 0;
}

/* run argv in the host view, capturing stdout */
static int run_capture(struct sandbox_opts *o, char *out, size_t n, int *status, struct kerr *e)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	o->stdout_fd = p[1];
	int r = sandbox_run(o, status, e);
	close(p[1]);
	ssize_t k = read(p[0], out, n - 1);
	out[k > 0 ? k : 0] = '\0';
	close(p[0]);
	return r;
}

static void test_defaults_are_build_profile_uid0_inherited_streams(void **s)
{
	struct sandbox_opts o;
	sandbox_opts_init(&o);
	assert_int_equal(o.profile, SANDBOX_BUILD);
	assert_int_equal(o.uid, 0);
	assert_int_equal(o.stdin_fd, -1);
	assert_int_equal(o.stdout_fd, -1);
	assert_int_equal(o.stderr_fd, -1);
	assert_null(o.root);
	assert_int_equal(o.network, 0);
}

static void test_inside_ids_map_to_the_documented_host_range(void **s)
{
	assert_int_equal(sandbox_host_uid(0), 1000000000u);
	assert_int_equal(sandbox_host_uid(1000), 1000001000u);
	assert_int_equal(sandbox_host_gid(65535), 1000065535u);
}

static void test_relative_chdir_is_a_usage_error(void **s)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *argv[] = {"true", NULL};
	int st;
	sandbox_opts_init(&o);
	o.argv = argv;
	o.chdir = "build";
	assert_int_equal(sandbox_run(&o, &st, &e), -KILN_EUSAGE);
	assert_non_null(strstr(e.msg, "--chdir build is not absolute"));
	assert_int_equal(st, -1);
}

static void test_uid_outside_the_mapped_range_is_rejected(void **s)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *argv[] = {"true", NULL};
	int st;
	sandbox_opts_init(&o);
	o.argv = argv;
	o.uid = 70000;
	assert_int_equal(sandbox_run(&o, &st, &e), -KILN_EUSAGE);
	assert_non_null(strstr(e.msg, "outside the mapped range"));
}

static void test_missing_root_and_bind_source_are_not_found(void **s)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *argv[] = {"true", NULL};
	struct sandbox_mount m = {SB_BIND_RO, "/nonexistent/kiln-src", "/src"};
	int st;
	sandbox_opts_init(&o);
	o.argv = argv;
	o.root = "/nonexistent/kiln-root";
	assert_int_equal(sandbox_run(&o, &st, &e), -KILN_ENOTFOUND);
	assert_non_null(strstr(e.msg, "--root /nonexistent/kiln-root: No such file"));
	o.root = NULL;
	o.mounts = &m;
	o.nmounts = 1;
	assert_int_equal(sandbox_run(&o, &st, &e), -KILN_ENOTFOUND);
	assert_non_null(strstr(e.msg, "bind source /nonexistent/kiln-src"));
}

static void test_exit_status_and_signal_are_reported(void **s)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *exit7[] = {"sh", "-c", "exit 7", NULL};
	char *killed[] = {"sh", "-c", "kill -KILL $$", NULL};
	int st;
	if (!can_sandbox())
		skip();
	sandbox_opts_init(&o);
	o.argv = exit7;
	assert_int_equal(sandbox_run(&o, &st, &e), 0);
	assert_int_equal(st, 7);
	o.argv = killed;
	assert_int_equal(sandbox_run(&o, &st, &e), 0);
	assert_int_equal(st, 128 + 9);
}

static void test_environment_is_fixed_plus_setenv(void **s)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *argv[] = {"env", NULL};
	char *env[] = {"FOO=bar", "LANG=C", NULL};
	char out[1024];
	int st;
	if (!can_sandbox())
		skip();
	sandbox_opts_init(&o);
	o.argv = argv;
	o.env = env;
	assert_int_equal(run_capture(&o, out, sizeof(out), &st, &e), 0);
	assert_int_equal(st, 0);
	/* LANG replaced where it stood, FOO appended */
	assert_string_equal(out,
			    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
			    "LANG=C\nTZ=UTC\nHOME=/root\nFOO=bar\n");
}

static void test_hostname_and_identity_are_the_ones_asked_for(void **s)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *argv[] = {"sh", "-c",
			"echo $(hostname) $(id -u) $(id -g) $(cat /proc/sys/kernel/domainname)",
			NULL};
	char out[256];
	int st;
	if (!can_sandbox())
		skip();
	sandbox_opts_init(&o);
	o.argv = argv;
	o.hostname = "builder";
	o.uid = 1234;
	o.gid = 4321;
	assert_int_equal(run_capture(&o, out, sizeof(out), &st, &e), 0);
	assert_string_equal(out, "builder 1234 4321 (none)\n");
}

static void test_timeout_kills_the_tree_and_says_so(void **s)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *argv[] = {"sh", "-c", "sleep 30 & sleep 30", NULL};
	int st;
	if (!can_sandbox())
		skip();
	sandbox_opts_init(&o);
	o.argv = argv;
	o.timeout_s = 0.3;
	double t0 = now_monotonic();
	assert_int_equal(sandbox_run(&o, &st, &e), -KILN_EFAIL);
	assert_true(now_monotonic() - t0 < 5);
	assert_int_equal(st, 128 + 9);
	assert_non_null(strstr(e.msg, "timed out after 0.3 s"));
}

static void test_setup_failure_names_the_step(void **s)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *argv[] = {"true", NULL};
	struct sandbox_mount m = {SB_TMPFS, NULL, "/no/such/dir/in/the/host"};
	int st;
	if (!can_sandbox())
		skip();
	sandbox_opts_init(&o);
	o.argv = argv;
	o.mounts = &m;
	o.nmounts = 1;
	assert_int_equal(sandbox_run(&o, &st, &e), -KILN_EFAIL);
	assert_non_null(strstr(e.msg, "mount namespace: new root:"));
	assert_int_equal(st, -1);
}

static void test_exec_failure_is_127_with_the_path(void **s)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *argv[] = {"kiln-no-such-command", NULL};
	int st;
	if (!can_sandbox())
		skip();
	sandbox_opts_init(&o);
	o.argv = argv;
	assert_int_equal(sandbox_run(&o, &st, &e), -KILN_EFAIL);
	assert_int_equal(st, 127);
	assert_non_null(strstr(e.msg, "exec kiln-no-such-command"));
}

static volatile int churn_stop;
static void *churn_malloc(void *arg)
{
	while (!churn_stop) {
		void *p = malloc(4096 + (rand() & 4095));
		free(p);
	}
	return arg;
}

/* a caller with a thread busy in malloc: the child, made by a raw clone, must
 * never wait on a lock that thread held (it would hang forever) */
static void test_runs_from_a_threaded_caller_without_deadlock(void **s)
{
	struct sandbox_opts o;
	struct kerr e = {0};
	char *argv[] = {"true", NULL};
	pthread_t th[2];
	int st;
	if (!can_sandbox())
		skip();
	churn_stop = 0;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, churn_malloc, NULL), 0);
	alarm(120); /* a deadlock ends the test run with SIGALRM */
	sandbox_opts_init(&o);
	o.argv = argv;
	for (int i = 0; i < 15; i++) {
		assert_int_equal(sandbox_run(&o, &st, &e), 0);
		assert_int_equal(st, 0);
	}
	alarm(0);
	churn_stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
}

static void test_policy_rows_name_real_syscalls_once(void **s)
{
	struct sandbox_rule_info r, q;
	size_t n = 0;
	for (size_t i = 0; sandbox_policy_row(i, &r) == 0; i++, n++) {
		/* a typo would resolve on no architecture at all */
		if (seccomp_syscall_resolve_name(r.syscall) == __NR_SCMP_ERROR)
			fail_msg("policy row %zu: unknown syscall '%s'", i, r.syscall);
		assert_non_null(r.why);
		assert_true(strlen(r.why) > 0);
		for (size_t j = 0; j < i; j++) {
			sandbox_policy_row(j, &q);
			if (!strcmp(q.syscall, r.syscall))
				fail_msg("syscall '%s' appears twice in the policy", r.syscall);
		}
	}
	assert_true(n > 250);
	assert_int_equal(sandbox_policy_row(n, &r), -1);
}

static const char *policy_action(const char *sys, const char **when)
{
	struct sandbox_rule_info r;
	for (size_t i = 0; sandbox_policy_row(i, &r) == 0; i++)
		if (!strcmp(r.syscall, sys)) {
			if (when)
				*when = r.when;
			return r.action;
		}
	return "absent";
}

static void test_policy_denies_what_the_issue_lists(void **s)
{
	static const char *const eperm[] = {"mount",
					    "umount2",
					    "pivot_root",
					    "chroot",
					    "unshare",
					    "setns",
					    "keyctl",
					    "add_key",
					    "request_key",
					    "bpf",
					    "perf_event_open",
					    "userfaultfd",
					    "kexec_load",
					    "kexec_file_load",
					    "init_module",
					    "finit_module",
					    "delete_module",
					    "reboot",
					    "swapon",
					    "swapoff",
					    "acct",
					    "quotactl",
					    "syslog",
					    "iopl",
					    "ioperm",
					    "clock_settime",
					    "settimeofday",
					    "open_by_handle_at",
					    "kcmp",
					    "pidfd_getfd"};
	static const char *const enosys[] = {
	    "clone3",	  "fsopen",    "fsconfig",	 "fsmount",	   "fspick",
	    "move_mount", "open_tree", "io_uring_setup", "io_uring_enter", "io_uring_register"};
	static const char *const by_args[] = {"clone", "ioctl",	 "socket",   "personality",
					      "chmod", "fchmod", "fchmodat", "fchmodat2",
					      "creat", "open",	 "openat",   "mknod"};
	const char *when = NULL;
	for (size_t i = 0; i < sizeof(eperm) / sizeof(eperm[0]); i++) {
		if (strcmp(policy_action(eperm[i], &when), "EPERM") || when)
			fail_msg("%s should be EPERM always, is %s", eperm[i],
				 policy_action(eperm[i], NULL));
	}
	for (size_t i = 0; i < sizeof(enosys) / sizeof(enosys[0]); i++)
		assert_string_equal(policy_action(enosys[i], NULL), "ENOSYS");
	for (size_t i = 0; i < sizeof(by_args) / sizeof(by_args[0]); i++) {
		when = NULL;
		policy_action(by_args[i], &when);
		if (!when)
			fail_msg("%s should have an argument condition", by_args[i]);
	}
	/* what must keep working */
	assert_string_equal(policy_action("ptrace", NULL), "allow");
	assert_string_equal(policy_action("memfd_create", NULL), "allow");
	assert_string_equal(policy_action("inotify_init1", NULL), "allow");
	assert_string_equal(policy_action("semget", NULL), "allow");
	assert_string_equal(policy_action("seccomp", NULL), "allow");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_are_build_profile_uid0_inherited_streams),
	    cmocka_unit_test(test_inside_ids_map_to_the_documented_host_range),
	    cmocka_unit_test(test_relative_chdir_is_a_usage_error),
	    cmocka_unit_test(test_uid_outside_the_mapped_range_is_rejected),
	    cmocka_unit_test(test_missing_root_and_bind_source_are_not_found),
	    cmocka_unit_test(test_exit_status_and_signal_are_reported),
	    cmocka_unit_test(test_environment_is_fixed_plus_setenv),
	    cmocka_unit_test(test_hostname_and_identity_are_the_ones_asked_for),
	    cmocka_unit_test(test_timeout_kills_the_tree_and_says_so),
	    cmocka_unit_test(test_setup_failure_names_the_step),
	    cmocka_unit_test(test_exec_failure_is_127_with_the_path),
	    cmocka_unit_test(test_runs_from_a_threaded_caller_without_deadlock),
	    cmocka_unit_test(test_policy_rows_name_real_syscalls_once),
	    cmocka_unit_test(test_policy_denies_what_the_issue_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
