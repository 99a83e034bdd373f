# sandbox_nonroot.sh - `kiln sandbox` run by an ordinary user: one with an
# /etc/subuid range (newuidmap/newgidmap map inside 0 to the user and 1.. to
# the range) and one without (a single-id map, setgroups denied). Checks the
# identity and maps inside, that a selection of escape attempts still fails,
# that nothing is left running, and that the users it made are gone again.
. "$(dirname "$0")/../tap.sh"

skip() { T_NUM=$((T_NUM + 1)); echo "ok $T_NUM - # SKIP $*"; }

if [ "$(id -u)" != 0 ]; then
	skip "needs root to create the test users (uid $(id -u))"; done_testing; exit
fi
for t in useradd userdel setpriv newuidmap newgidmap gcc; do
	command -v $t >/dev/null || { skip "needs $t (make deps: passwd, util-linux, uidmap, gcc)"; done_testing; exit; }
done
if ! unshare -U -r true 2>/dev/null; then
	skip "user namespaces are not available"; done_testing; exit
fi
if [ ! -f /etc/subuid ] || [ ! -f /etc/subgid ]; then
	skip "no /etc/subuid or /etc/subgid: useradd gives no subordinate ranges here"; done_testing; exit
fi

# Two throw-away users; the trap (tap.sh runs $CLEANUP) removes them even
# when the script dies half-way. userdel also drops their /etc/sub[ug]id lines.
SUBU=ksbx$$s # has a subordinate id range
ONEU=ksbx$$n # has none
CLEANUP="userdel $SUBU 2>/dev/null; userdel $ONEU 2>/dev/null"
# no home, no shell; -K keeps useradd from giving ONEU a range (-r does too)
useradd -M -d /nonexistent -s /usr/sbin/nologin -K SUB_UID_COUNT=65536 -K SUB_GID_COUNT=65536 "$SUBU"
useradd -r -M -d /nonexistent -s /usr/sbin/nologin -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$ONEU"
SU_UID=$(id -u "$SUBU") SU_GID=$(id -g "$SUBU") ONE_UID=$(id -u "$ONEU") ONE_GID=$(id -g "$ONEU")
IFS=: read -r _ SUB_START SUB_COUNT < <(grep "^$SUBU:" /etc/subuid)
IFS=: read -r _ SUBG_START SUBG_COUNT < <(grep "^$SUBU:" /etc/subgid)
if [ -z "${SUB_START:-}" ] || [ -z "${SUBG_START:-}" ] || [ "$SUB_COUNT" -lt 65536 ] || [ "$SUBG_COUNT" -lt 65536 ]; then
	not_ok "useradd gave $SUBU a subordinate range of 65536 ids"; done_testing; exit
fi
if grep -q "^$ONEU:" /etc/subuid /etc/subgid; then
	not_ok "$ONEU has no subordinate range"; done_testing; exit
fi

chmod 755 "$SCRATCH"
if ! gcc -static -O2 -pthread -o "$SCRATCH/try" "$TOP/tests/integration/sandbox_try.c" 2>"$SCRATCH/cc.err"; then
	not_ok "compile the static helper"; sed 's/^/# /' "$SCRATCH/cc.err"; done_testing; exit
fi
if ! setpriv --reuid="$ONEU" --regid="$ONEU" --clear-groups test -x "$KILN"; then
	skip "$KILN is not reachable by an ordinary user"; done_testing; exit
fi

# as USER [kiln sandbox options...] -- CMD...: output in $SCRATCH/out
as() {
	local u=$1; shift
	setpriv --reuid="$u" --regid="$u" --init-groups "$KILN" sandbox "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
}
out_is() { # description expected
	if [ "$(cat "$SCRATCH/out")" = "$2" ]; then ok "$1"
	else not_ok "$1 (got '$(head -c 300 "$SCRATCH/out")', wanted '$2')"; sed 's/^/# /' "$SCRATCH/err" | head -3; fi
}
MAPS='echo $(id -u) $(id -g); tr -s " " </proc/self/uid_map; tr -s " " </proc/self/gid_map; cat /proc/self/setgroups'

# ---- identity and maps
as "$SUBU" --uid 1000 --gid 1000 -- /bin/sh -c "$MAPS"
out_is "subuid user: inside 1000:1000; 0 is the user, 1.. the /etc/subuid range" "1000 1000
 0 $SU_UID 1
 1 $SUB_START 65535
 0 $SU_GID 1
 1 $SUBG_START 65535
allow"
as "$ONEU" --uid 1000 --gid 1000 -- /bin/sh -c "$MAPS"
out_is "user without subuid: a single-id map to the identity asked for, setgroups denied" "1000 1000
 1000 $ONE_UID 1
 1000 $ONE_GID 1
deny"
as "$ONEU" -- /bin/sh -c 'id -u; id -g'
out_is "user without subuid: inside root by default, still one id" "0
0"
as "$SUBU" --uid 1000 --gid 1000 -- /bin/sh -c 'grep -E "^(NoNewPrivs|CapBnd|CapEff)" /proc/self/status'
out_is "subuid user: no_new_privs, no capabilities" "CapEff:	0000000000000000
CapBnd:	0000000000000000
NoNewPrivs:	1"

# ---- what the sandbox writes belongs to the mapped host id
mkdir "$SCRATCH/wsub" "$SCRATCH/wone"
chown $((SUB_START + 999)):$((SUBG_START + 999)) "$SCRATCH/wsub"
chown "$ONE_UID:$ONE_GID" "$SCRATCH/wone"
as "$SUBU" --uid 1000 --gid 1000 --bind "$SCRATCH/wsub:/tmp/build" -- /bin/sh -c 'echo hi >/tmp/build/f'
check "subuid user: a file written as inside 1000 is owned by subuid start + 999 on the host" \
	[ "$(stat -c %u:%g "$SCRATCH/wsub/f" 2>/dev/null)" = "$((SUB_START + 999)):$((SUBG_START + 999))" ]
as "$ONEU" --uid 1000 --gid 1000 --bind "$SCRATCH/wone:/tmp/build" -- /bin/sh -c 'echo hi >/tmp/build/f'
check "user without subuid: a file written inside is owned by the user on the host" \
	[ "$(stat -c %u:%g "$SCRATCH/wone/f" 2>/dev/null)" = "$ONE_UID:$ONE_GID" ]

# ---- a selection of escape attempts, as each user
sleep 300 &
HOSTPID=$!
CLEANUP="kill $HOSTPID 2>/dev/null; $CLEANUP"
for u in "$SUBU" "$ONEU"; do
	if [ "$u" = "$SUBU" ]; then who="subuid user" dir=wsub; else who="user without subuid" dir=wone; fi
	while read -r want what; do
		# shellcheck disable=SC2086 # $what is the helper's words
		as "$u" --uid 1000 --gid 1000 --ro-bind "$SCRATCH/try:/tmp/try" --bind "$SCRATCH/$dir:/tmp/b" \
			-- /tmp/try $what
		out_is "$who: $what: $want" "$want"
	done <<EOF
EPERM keyctl
EPERM mount
EPERM remount-rw
EPERM unshare-user
EPERM clone-newuser
EPERM setns
ENOSYS clone3
EPERM tiocsti
EAFNOSUPPORT socket 17
ENETUNREACH connect-outside
EROFS write /etc/kiln-escape
EACCES read /etc/shadow
ESRCH ptrace-outside $HOSTPID
ESRCH kill-outside $HOSTPID
EPERM chmod-setuid /tmp/b/a
EPERM openat-creat-setgid /tmp/b/g
1000 euid
ok threads
ok sysv-ipc
ok ptrace-own-child
EOF
done
kill "$HOSTPID" 2>/dev/null

# ---- the timeout takes everything along: nothing of the user's is left
as "$SUBU" --timeout 0.5 -- /bin/sh -c 'trap "" TERM; setsid sh -c "sleep 3171 & sleep 3172" & sleep 3173'
check "subuid user: --timeout exits 137" [ $? = 137 ]
sleep 0.2
check "subuid user: no process of the user is left after the timeout" \
	[ -z "$(pgrep -u "$SU_UID,$((SUB_START + 999))" 2>/dev/null)" ]
as "$ONEU" --timeout 0.5 -- /bin/sh -c 'setsid sleep 3174 & sleep 3175'
check "user without subuid: --timeout exits 137" [ $? = 137 ]
sleep 0.2
check "user without subuid: no process of the user is left after the timeout" \
	[ -z "$(pgrep -u "$ONE_UID" 2>/dev/null)" ]

# ---- clean up what this test added, and check it is gone
userdel "$SUBU" && userdel "$ONEU"
check "the test users are removed again" [ $? = 0 ]
CLEANUP=""
left=$(grep -lE "^($SUBU|$ONEU):" /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid 2>/dev/null)
check "nothing of them is left in /etc (passwd, group, shadow, gshadow, subuid, subgid)" [ -z "$left" ]
done_testing
