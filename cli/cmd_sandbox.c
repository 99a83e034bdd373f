/* cmd_sandbox.c - `kiln sandbox [options] -- CMD [ARG...]`: run one command in
 * the build sandbox (the same code path builds use) and exit with its status. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sandbox/sandbox.h"

static const char usage[] =
    "usage: kiln sandbox [options] -- CMD [ARG...]\n\n"
    "Run CMD in the build sandbox: its own user, mount, pid, ipc, uts and net\n"
    "namespaces, no network but loopback, no capabilities, no_new_privs, a seccomp\n"
    "filter and resource limits. Exits with CMD's status, or 128+N if it was killed\n"
    "by signal N (a timeout gives 137).\n\n"
    "Options:\n"
    "      --root DIR          the new root (default: a read-only view of the host's /)\n"
    "      --writable          bind the root read-write (preparing a root)\n"
    "      --bind SRC:DST      bind host SRC on DST, read-write\n"
    "      --ro-bind SRC:DST   bind host SRC on DST, read-only\n"
    "      --tmpfs DST         an empty tmpfs on DST\n"
    "      --chdir DIR         working directory inside (default /)\n"
    "      --setenv K=V        add to the environment (otherwise only PATH, LANG=C.UTF-8,\n"
    "                          TZ=UTC and HOME)\n"
    "      --uid N, --gid N    identity inside (default 0; ids 0-65535 exist)\n"
    "      --hostname NAME     hostname inside (default kiln)\n"
    "      --network           share the host's network (default: loopback only)\n"
    "      --timeout SEC       kill the whole process tree after SEC seconds\n"
    "      --memory BYTES      memory limit (K/M/G suffixes; cgroup v2 if delegated,\n"
    "                          else an address-space rlimit)\n"
    "      --pids N            process limit (default 4096)\n"
    "      --file-size BYTES   largest file a process may write (default 64G)\n"
    "      --tmp-size BYTES    size of /tmp and each --tmpfs (default 4G)\n"
    "      --profile P         build (default) or root-prep (dpkg as root over a root)\n"
    "      --multiarch         also admit the 32-bit ABI (i386 on amd64)\n"
    "      --seccomp-log       log what the filter would deny instead of denying it\n"
    "                          (see dmesg / the audit log)\n"
    "      --no-seccomp        no seccomp filter at all: for diagnosis only\n"
    "      --print-policy      print the seccomp policy table and exit\n"
    "      --probe             print what this host supports (cgroups) and exit\n";

enum {
	O_ROOT = OPT_FIRST_CMD,
	O_WRITABLE,
	O_BIND,
	O_RO_BIND,
	O_TMPFS,
	O_CHDIR,
	O_SETENV,
	O_UID,
	O_GID,
	O_HOSTNAME,
	O_NETWORK,
	O_TIMEOUT,
	O_MEMORY,
	O_PIDS,
	O_FSIZE,
	O_TMPSIZE,
	O_PROFILE,
	O_MULTIARCH,
	O_SECLOG,
	O_NOSEC,
	O_PRINT_POLICY,
	O_PROBE
};

/* "64M" -> 67108864; -1 on junk */
static int parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || (shift && v > (~0ULL >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_id(const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int add_bind(struct sandbox_mount **m, size_t *n, enum sandbox_mount_kind kind,
		    const char *arg)
{
	const char *colon = kind == SB_TMPFS ? NULL : strchr(arg, ':');
	struct sandbox_mount x = {.kind = kind};

	if (kind == SB_TMPFS) {
		x.dst = arg;
	} else if (colon) {
		x.src = xstrndup(arg, (size_t)(colon - arg));
		x.dst = colon + 1;
	} else {
		x.src = xstrdup(arg); /* SRC alone: same path inside */
		x.dst = arg;
	}
	*m = xrealloc(*m, (*n + 1) * sizeof(**m));
	(*m)[(*n)++] = x;
	return 0;
}

static int print_policy(const struct cli *c)
{
	struct sandbox_rule_info r;
	json_t *a = c->json ? json_array() : NULL;

	if (!c->json)
		printf("%-24s %-13s %-16s %s\n", "SYSCALL", "ACTION", "PROFILES", "WHEN / WHY");
	for (size_t i = 0; sandbox_policy_row(i, &r) == 0; i++) {
		if (c->json) {
			json_t *o =
			    json_pack("{s:s, s:s, s:s, s:s}", "syscall", r.syscall, "action",
				      r.action, "profiles", r.profiles, "why", r.why);
			if (r.when)
				json_object_set_new(o, "when", json_string(r.when));
			json_array_append_new(a, o);
			continue;
		}
		printf("%-24s %-13s %-16s %s%s\n", r.syscall, r.action, r.profiles,
		       r.when ? "if " : "", r.when ? r.when : "");
		printf("%-24s %-13s %-16s   %s\n", "", "", "", r.why);
	}
	if (c->json)
		cli_print_json(a);
	else
		printf("anything else: ENOSYS; a foreign ABI (x32, i386 without --multiarch): "
		       "killed\n");
	return 0;
}

static int print_probe(const struct cli *c)
{
	struct sandbox_support s;
	sandbox_probe(&s);
	if (c->json) {
		cli_print_json(json_pack(
		    "{s:b, s:b, s:b, s:b, s:s, s:s}", "user_namespaces", s.user_namespaces,
		    "cgroup_v2", s.cgroup_v2, "cgroup_pids", s.cgroup_pids, "cgroup_memory",
		    s.cgroup_memory, "cgroup_dir", s.cgroup_dir, "why_no_cgroup", s.why_no_cgroup));
		return 0;
	}
	printf("user namespaces: %s\n", s.user_namespaces ? "yes" : "no");
	printf("cgroup v2: %s%s%s\n", s.cgroup_v2 ? "yes, " : "no", s.cgroup_dir,
	       s.cgroup_v2 ? "" : "");
	printf("cgroup pids controller: %s\n", s.cgroup_pids ? "delegated" : "no");
	printf("cgroup memory controller: %s\n", s.cgroup_memory ? "delegated" : "no");
	if (s.why_no_cgroup[0])
		printf("limits are rlimits only: %s\n", s.why_no_cgroup);
	return 0;
}

int cmd_sandbox(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS,
					     {"root", required_argument, 0, O_ROOT},
					     {"writable", no_argument, 0, O_WRITABLE},
					     {"bind", required_argument, 0, O_BIND},
					     {"ro-bind", required_argument, 0, O_RO_BIND},
					     {"tmpfs", required_argument, 0, O_TMPFS},
					     {"chdir", required_argument, 0, O_CHDIR},
					     {"setenv", required_argument, 0, O_SETENV},
					     {"uid", required_argument, 0, O_UID},
					     {"gid", required_argument, 0, O_GID},
					     {"hostname", required_argument, 0, O_HOSTNAME},
					     {"network", no_argument, 0, O_NETWORK},
					     {"timeout", required_argument, 0, O_TIMEOUT},
					     {"memory", required_argument, 0, O_MEMORY},
					     {"pids", required_argument, 0, O_PIDS},
					     {"file-size", required_argument, 0, O_FSIZE},
					     {"tmp-size", required_argument, 0, O_TMPSIZE},
					     {"profile", required_argument, 0, O_PROFILE},
					     {"multiarch", no_argument, 0, O_MULTIARCH},
					     {"seccomp-log", no_argument, 0, O_SECLOG},
					     {"no-seccomp", no_argument, 0, O_NOSEC},
					     {"print-policy", no_argument, 0, O_PRINT_POLICY},
					     {"probe", no_argument, 0, O_PROBE},
					     {0, 0, 0, 0}};
	struct sandbox_opts o;
	struct sandbox_mount *mounts = NULL;
	size_t nmounts = 0;
	struct strv env = {0};
	struct kerr e = {0};
	int opt, r, status = 0, ret = KILN_EUSAGE, want_policy = 0, want_probe = 0;
	unsigned id;
	char *end;

	sandbox_opts_init(&o);
	/* '+': stop at the command, its options are its own */
	while ((opt = getopt_long(argc, argv, "+" CLI_COMMON_SHORT, opts, NULL)) != -1) {
		switch (opt) {
		case O_ROOT:
			o.root = optarg;
			break;
		case O_WRITABLE:
			o.root_writable = 1;
			break;
		case O_BIND:
			add_bind(&mounts, &nmounts, SB_BIND_RW, optarg);
			break;
		case O_RO_BIND:
			add_bind(&mounts, &nmounts, SB_BIND_RO, optarg);
			break;
		case O_TMPFS:
			add_bind(&mounts, &nmounts, SB_TMPFS, optarg);
			break;
		case O_CHDIR:
			o.chdir = optarg;
			break;
		case O_SETENV:
			if (!strchr(optarg, '=')) {
				cli_usage_error("sandbox", "--setenv wants K=V, got '%s'", optarg);
				goto out;
			}
			strv_add(&env, optarg);
			break;
		case O_UID:
		case O_GID:
			if (parse_id(optarg, &id) < 0) {
				cli_usage_error("sandbox", "--%s wants a number 0-65535, got '%s'",
						opt == O_UID ? "uid" : "gid", optarg);
				goto out;
			}
			if (opt == O_UID)
				o.uid = id;
			else
				o.gid = id;
			break;
		case O_HOSTNAME:
			o.hostname = optarg;
			break;
		case O_NETWORK:
			o.network = 1;
			break;
		case O_TIMEOUT:
			o.timeout_s = strtod(optarg, &end);
			if (*end || end == optarg || o.timeout_s <= 0) {
				cli_usage_error("sandbox", "--timeout wants seconds > 0, got '%s'",
						optarg);
				goto out;
			}
			break;
		case O_MEMORY:
		case O_FSIZE:
		case O_TMPSIZE: {
			uint64_t v;
			if (parse_bytes(optarg, &v) < 0 || v == 0) {
				cli_usage_error("sandbox",
						"a size like 512M was expected, got '%s'", optarg);
				goto out;
			}
			*(opt == O_MEMORY  ? &o.memory_bytes
			  : opt == O_FSIZE ? &o.max_file_bytes
					   : &o.tmp_bytes) = v;
			break;
		}
		case O_PIDS:
			o.max_pids = (int)strtol(optarg, &end, 10);
			if (*end || o.max_pids <= 0) {
				cli_usage_error("sandbox", "--pids wants a number > 0, got '%s'",
						optarg);
				goto out;
			}
			break;
		case O_PROFILE:
			if (!strcmp(optarg, "build")) {
				o.profile = SANDBOX_BUILD;
			} else if (!strcmp(optarg, "root-prep")) {
				o.profile = SANDBOX_ROOT_PREP;
			} else {
				cli_usage_error(
				    "sandbox", "--profile is build or root-prep, not '%s'", optarg);
				goto out;
			}
			break;
		case O_MULTIARCH:
			o.multiarch = 1;
			break;
		case O_SECLOG:
			o.seccomp_log = 1;
			break;
		case O_NOSEC:
			o.no_seccomp = 1;
			break;
		case O_PRINT_POLICY:
			want_policy = 1;
			break;
		case O_PROBE:
			want_probe = 1;
			break;
		default:
			if ((r = cli_common_option(c, opt, optarg, usage)) < 0) {
				ret = 0;
				goto out;
			}
			if (r == 0) {
				cli_usage_error("sandbox", "unknown option");
				goto out;
			}
		}
	}
	if (want_policy || want_probe) { /* after the loop: --json may come later */
		ret = want_policy ? print_policy(c) : print_probe(c);
		goto out;
	}
	if (optind >= argc) {
		cli_usage_error("sandbox", "no command given (kiln sandbox [options] -- CMD...)");
		goto out;
	}
	o.argv = argv + optind;
	o.env = env.v;
	o.mounts = mounts;
	o.nmounts = nmounts;
	if (o.no_seccomp)
		log_warn("*** --no-seccomp: the command runs WITHOUT the seccomp filter. This is "
			 "for diagnosis only; never build untrusted code like this. ***");
	if (o.seccomp_log)
		log_warn(
		    "--seccomp-log: nothing is denied, what would be is logged to the kernel log");
	if (o.memory_bytes) {
		struct sandbox_support s;
		sandbox_probe(&s);
		if (!s.cgroup_memory)
			log_warn("--memory: no delegated cgroup memory controller (%s); using an "
				 "address-space rlimit instead",
				 s.why_no_cgroup);
	}
	if (sandbox_run(&o, &status, &e) < 0) {
		ret = cli_fail(&e);
		/* a command that could not be exec'd exits 126/127, as a shell's would */
		if (status > 0)
			ret = status;
		goto out;
	}
	ret = status;
out:
	for (size_t i = 0; i < nmounts; i++)
		free((char *)mounts[i].src);
	free(mounts);
	strv_free(&env);
	return ret;
}
