# sandbox_cli.sh - `kiln sandbox` as a command: help, usage errors, the
# options that shape the environment, --print-policy, and running unprivileged.
. "$(dirname "$0")/../tap.sh"

skip() { T_NUM=$((T_NUM + 1)); echo "ok $T_NUM - # SKIP $*"; }
sb() { "$KILN" sandbox "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; }
out_is() { # description expected
	if [ "$(cat "$SCRATCH/out")" = "$2" ]; then ok "$1"
	else not_ok "$1 (got '$(head -c 300 "$SCRATCH/out")', wanted '$2')"; sed 's/^/# /' "$SCRATCH/err" | head -3; fi
}

expect_exit 0 "kiln sandbox --help exits 0" "$KILN" sandbox --help
check "--help documents --seccomp-log" grep -q -- '--seccomp-log' "$SCRATCH/out"
expect_exit 2 "no command is a usage error" "$KILN" sandbox
expect_exit 2 "--uid out of range is a usage error" "$KILN" sandbox --uid 70000 -- true
expect_exit 2 "--memory junk is a usage error" "$KILN" sandbox --memory lots -- true
expect_exit 2 "--profile junk is a usage error" "$KILN" sandbox --profile admin -- true
expect_exit 2 "--setenv without = is a usage error" "$KILN" sandbox --setenv FOO -- true
expect_exit 2 "a relative --chdir is a usage error" "$KILN" sandbox --chdir tmp -- true
expect_exit 0 "--print-policy" "$KILN" sandbox --print-policy
check "the policy table names keyctl as EPERM" grep -Eq '^keyctl +EPERM' "$SCRATCH/out"
check "the policy table says what happens to the rest" grep -q 'anything else: ENOSYS' "$SCRATCH/out"
expect_exit 0 "--print-policy --json" "$KILN" sandbox --print-policy --json
check "--json policy parses and has rows with why" python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert len(a) > 250 and all(r["why"] for r in a)' "$SCRATCH/out"
expect_exit 0 "--probe" "$KILN" sandbox --probe
check "--probe reports user namespaces" grep -q '^user namespaces: yes' "$SCRATCH/out"

if [ "$(id -u)" != 0 ] || ! unshare -U -r true 2>/dev/null; then
	skip "the rest needs root and user namespaces"; done_testing; exit
fi
sb --setenv FOO=bar --setenv LANG=C -- /bin/sh -c 'echo $FOO $LANG $TZ $HOME'
out_is "--setenv adds and overrides; TZ and HOME are fixed" "bar C UTC /root"
sb --uid 1000 -- /bin/sh -c 'echo $HOME'
out_is "HOME for a non-root uid" "/nonexistent"
sb --hostname buildd -- /bin/hostname
out_is "--hostname" "buildd"
sb --chdir /usr/share -- /bin/pwd
out_is "--chdir" "/usr/share"
sb --tmpfs /tmp/scratch -- /bin/sh -c 'touch /tmp/scratch/f && ls /tmp/scratch'
out_is "--tmpfs under /tmp is made on /tmp's tmpfs" "f"
sb -- /bin/sh -c 'ls /sys/class/net'
out_is "the network namespace has only lo" "lo"
sb --network -- /bin/sh -c 'tail -n +3 /proc/net/dev | wc -l'
if [ "$(tail -n +3 /proc/net/dev | wc -l)" -gt 1 ]; then
	check "--network shares the host's interfaces" [ "$(cat "$SCRATCH/out")" -gt 1 ]
else
	skip "--network: the host itself has only lo"
fi
sb -- /bin/sh -c 'umask'
out_is "umask is 0022" "0022"
sb --multiarch -- /bin/sh -c 'echo multiarch'
out_is "--multiarch builds its two-architecture filter and runs" "multiarch"
sb --seccomp-log -- /bin/sh -c 'echo logged'
out_is "--seccomp-log builds its filter and runs" "logged"
sb -- /bin/sh -c 'cat /proc/sys/kernel/domainname'
out_is "domainname is fixed" "(none)"
expect_exit 5 "a bind source that does not exist is not found (exit 5)" "$KILN" sandbox --bind /nonexistent/x:/tmp/x -- true
check "... naming it" grep -q 'bind source /nonexistent/x' "$SCRATCH/err"
expect_exit 137 "--timeout exits 137" "$KILN" sandbox --timeout 0.5 -- sleep 30
check "... and says it timed out" grep -q 'timed out after 0.5 s' "$SCRATCH/err"

# an ordinary user without /etc/subuid gets a single-id map
if command -v setpriv >/dev/null && [ -x "$KILN" ] && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$KILN"; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$KILN" sandbox --uid 1000 --gid 1000 -- \
		/bin/sh -c 'echo $(id -u) $(id -g) $(cat /proc/self/uid_map)' >"$SCRATCH/out" 2>"$SCRATCH/err"
	out_is "unprivileged (nobody): a single-id map, identity as asked" "1000 1000 1000 65534 1"
else
	skip "unprivileged run: setpriv missing or $KILN not reachable by nobody"
fi
done_testing
