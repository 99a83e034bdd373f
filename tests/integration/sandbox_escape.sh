# sandbox_escape.sh - escape attempts against `kiln sandbox`, each asserting the
# exact outcome, plus what must keep working inside. The root is a tiny one
# made here: busybox-static and a static helper (sandbox_try.c) that makes one
# attempt per run and prints "ok" or the errno name it got.
. "$(dirname "$0")/../tap.sh"

skip() { T_NUM=$((T_NUM + 1)); echo "ok $T_NUM - # SKIP $*"; }
BASE=1000000000

if [ "$(id -u)" != 0 ] || ! unshare -U -r true 2>/dev/null; then
	skip "needs root and user namespaces (uid $(id -u))"; done_testing; exit
fi
if [ ! -x /bin/busybox ] || ! command -v gcc >/dev/null; then
	skip "needs busybox-static and gcc (make deps)"; done_testing; exit
fi

chmod 755 "$SCRATCH"
ROOT=$SCRATCH/root
mkdir -p "$ROOT"/{bin,proc,dev,tmp,etc,build,data}
cp /bin/busybox "$ROOT/bin/"
for a in sh ls cat echo grep id sleep setsid hostname touch stat; do ln -s busybox "$ROOT/bin/$a"; done
echo kiln-test-root >"$ROOT/etc/marker"
if ! gcc -static -O2 -pthread -o "$ROOT/bin/try" "$TOP/tests/integration/sandbox_try.c" 2>"$SCRATCH/cc.err"; then
	not_ok "compile the static helper"; sed 's/^/# /' "$SCRATCH/cc.err"; done_testing; exit
fi
# a setuid-root (inside root) copy: must not raise anything
cp "$ROOT/bin/try" "$ROOT/bin/try-suid"
chown $BASE:$BASE "$ROOT/bin/try-suid"; chmod 4755 "$ROOT/bin/try-suid"
# the build directory belongs to the build user (inside 1000)
chown $((BASE + 1000)):$((BASE + 1000)) "$ROOT/build"
mkdir -p "$SCRATCH/hostbuild" "$SCRATCH/data"
chown $((BASE + 1000)):$((BASE + 1000)) "$SCRATCH/hostbuild"
echo original >"$SCRATCH/data/file"

# attempt WANT DESCRIPTION [kiln sandbox options...] -- try ARGS...
attempt() {
	local want=$1 d=$2; shift 2
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	local out rc
	out=$("$KILN" sandbox --root "$ROOT" --uid 1000 --gid 1000 "${opts[@]}" -- "$@" 2>"$SCRATCH/err")
	rc=$?
	if [ "$out" = "$want" ]; then ok "$d: $want"
	else not_ok "$d (got '$out', exit $rc, wanted '$want')"; sed 's/^/# /' "$SCRATCH/err" | head -3; fi
}
# attempt_exit CODE DESCRIPTION [options...] -- CMD...: only the exit status counts
attempt_exit() {
	local want=$1 d=$2; shift 2
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	"$KILN" sandbox --root "$ROOT" --uid 1000 --gid 1000 "${opts[@]}" -- "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
	local rc=$?
	if [ "$rc" = "$want" ]; then ok "$d: exit $want"
	else not_ok "$d (exit $rc, wanted $want)"; sed 's/^/# /' "$SCRATCH/err" "$SCRATCH/out" | head -3; fi
}

# ---- the basics: it runs, with the identity and hostname asked for
attempt "1000 1000 kiln" "identity and fixed hostname" -- sh -c 'echo $(id -u) $(id -g) $(hostname)'
attempt "kiln-test-root" "the new root is the one given" -- cat /etc/marker
attempt "NoNewPrivs:	1" "no_new_privs is set" -- grep NoNewPrivs /proc/self/status
attempt "CapBnd:	0000000000000000" "the capability bounding set is empty" -- grep CapBnd /proc/self/status
attempt "0 1 2" "only fds 0-2 reach the command (fd 7 leaked by the caller does not)" -- try fds 7<"$SCRATCH/data/file"
attempt_exit 3 "the command's exit status is kiln's" -- sh -c 'exit 3'
attempt_exit 143 "death by signal N exits 128+N" -- sh -c 'kill -TERM $$'
attempt_exit 127 "a missing command exits 127" -- /bin/no-such-command

# ---- terminals
attempt EPERM "TIOCSTI on a pty" -- try tiocsti
attempt EPERM "TIOCSTI with high bits set (CVE-2019-10063)" -- try tiocsti-high-bits
attempt EPERM "TIOCLINUX" -- try tioclinux
attempt ok "other ioctls (FIONREAD with and without high bits, TCGETS) pass" -- try ioctl-other
attempt ENXIO "open /dev/tty: no controlling terminal after setsid" -- try open-dev-tty

# ---- mounts
attempt EPERM "mount a tmpfs" -- try mount
attempt EPERM "remount / read-write" -- try remount-rw
attempt EPERM "umount /proc" -- try umount
attempt EPERM "pivot_root" -- try pivot_root
attempt EPERM "chroot" -- try chroot
attempt ENOSYS "fsopen (new mount API)" -- try fsopen
attempt ENOSYS "open_tree (new mount API)" -- try open_tree
attempt ENOSYS "move_mount (new mount API)" -- try move_mount
attempt EROFS "write to the read-only root" -- try write /etc/new
attempt EROFS "write into a --ro-bind" --ro-bind "$SCRATCH/data:/data" -- try write /data/file
check "the --ro-bind source is unchanged on the host" grep -qx original "$SCRATCH/data/file"

# ---- namespaces
attempt EPERM "unshare(CLONE_NEWUSER)" -- try unshare-user
attempt EPERM "clone(CLONE_NEWUSER)" -- try clone-newuser
attempt EPERM "clone(CLONE_NEWNET)" -- try clone-newnet
attempt ENOSYS "raw clone3 (glibc falls back to clone)" -- try clone3
attempt EPERM "setns" -- try setns

# ---- dangerous calls with bad pointers: EFAULT would mean the filter let them through
for c in keyctl add_key request_key bpf perf_event_open userfaultfd kexec_load init_module \
	finit_module open_by_handle_at; do
	attempt EPERM "$c" -- try $c
done
attempt ENOSYS "io_uring_setup" -- try io_uring_setup
attempt EPERM "mknod a device node" -- try mknod-device

# ---- other processes
sleep 300 & HOSTPID=$!
CLEANUP="kill $HOSTPID 2>/dev/null"
attempt ESRCH "ptrace a host process" -- try ptrace-outside $HOSTPID
attempt ESRCH "kill a host process" -- try kill-outside $HOSTPID
attempt ENOENT "/proc shows no host process" -- try read /proc/$HOSTPID/status
attempt EACCES "the init (pid 1) cannot be inspected: it is not dumpable" -- try same-as-root 1
attempt same "every other /proc/PID/root is the sandbox's own /" -- sh -c 'sleep 5 & try all-roots'
attempt ENOENT "host files outside the root are not there" -- try read /etc/shadow
"$KILN" sandbox --uid 1000 -- /bin/cat /etc/shadow >/dev/null 2>"$SCRATCH/err"
if grep -q 'Permission denied' "$SCRATCH/err"; then ok "host view: cat /etc/shadow is denied"
else not_ok "host view: cat /etc/shadow is denied"; sed 's/^/# /' "$SCRATCH/err" | head -3; fi
"$KILN" sandbox --uid 1000 -- /bin/sh -c 'echo x > /usr/kiln-escape' 2>"$SCRATCH/err"
if grep -q 'Read-only file system' "$SCRATCH/err" && [ ! -e /usr/kiln-escape ]; then ok "host view: the host's / is read-only"
else not_ok "host view: the host's / is read-only"; sed 's/^/# /' "$SCRATCH/err" | head -3; fi

# ---- network
attempt ENETUNREACH "connect to a non-loopback address" -- try connect-outside
python3 - "$SCRATCH/port" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
u = socket.socket(socket.AF_UNIX); u.bind("\0kiln-escape-test"); u.listen(5)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
time.sleep(60)
PY
LISTENER=$!
CLEANUP="kill $HOSTPID $LISTENER 2>/dev/null"
for _ in $(seq 50); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
attempt ECONNREFUSED "connect to a host listener on 127.0.0.1" -- try connect-loopback-port "$(cat "$SCRATCH/port")"
attempt ECONNREFUSED "connect to a host abstract unix socket" -- try connect-abstract kiln-escape-test
attempt EAFNOSUPPORT "socket(AF_PACKET)" -- try socket 17
attempt EAFNOSUPPORT "socket(AF_ALG)" -- try socket 38
attempt EAFNOSUPPORT "socket(AF_VSOCK)" -- try socket 40
attempt ok "loopback inside the sandbox works" -- try loopback-inside

# ---- setuid and setgid files, by every route (build profile)
attempt EPERM "chmod 4755" --bind "$SCRATCH/hostbuild:/build" -- try chmod-setuid /build/a
attempt EPERM "fchmod 2755" --bind "$SCRATCH/hostbuild:/build" -- try fchmod-setgid /build/b
attempt EPERM "fchmodat 4755" --bind "$SCRATCH/hostbuild:/build" -- try fchmodat-setuid /build/c
attempt EPERM "fchmodat2 4755" --bind "$SCRATCH/hostbuild:/build" -- try fchmodat2-setuid /build/d
attempt EPERM "creat 04755" --bind "$SCRATCH/hostbuild:/build" -- try creat-setuid /build/e
attempt EPERM "open(O_CREAT, 04755)" --bind "$SCRATCH/hostbuild:/build" -- try open-creat-setuid /build/f
attempt EPERM "openat(O_CREAT, 02755)" --bind "$SCRATCH/hostbuild:/build" -- try openat-creat-setgid /build/g
attempt EPERM "open(O_TMPFILE, 04755)" --bind "$SCRATCH/hostbuild:/build" -- try o-tmpfile-setuid /build
attempt EPERM "mknod(S_IFREG|04755)" --bind "$SCRATCH/hostbuild:/build" -- try mknod-setuid /build/h
attempt ok "a plain chmod 755 still works" --bind "$SCRATCH/hostbuild:/build" -- try chmod-plain /build/i
n=$(find "$SCRATCH/hostbuild" -perm /6000 | wc -l)
check "no setuid/setgid file reached the host ($n found)" [ "$n" = 0 ]
check "files the build wrote belong to host uid $((BASE + 1000))" [ "$(stat -c %u "$SCRATCH/hostbuild/i")" = $((BASE + 1000)) ]
# (chmod(NULL) outside: harmless EFAULT where the 32-bit entry works)
if bash -c '"$0" int80-chmod; exit $?' "$ROOT/bin/try" >/dev/null 2>&1; then
	attempt_exit 159 "chmod through int \$0x80 (i386 ABI) is killed (SIGSYS)" --bind "$SCRATCH/hostbuild:/build" -- try int80-chmod
else
	skip "int \$0x80 crashes outside the sandbox too: this machine has no working 32-bit syscall entry"
fi
attempt_exit 159 "chmod through the x32 ABI is killed (SIGSYS)" --bind "$SCRATCH/hostbuild:/build" -- try x32-chmod /build/a
attempt 1000 "a setuid-root binary runs without privilege" -- try-suid euid
attempt ok+SETID "root-prep may create setuid files (dpkg installs su)" --profile root-prep --uid 0 --gid 0 \
	--bind "$SCRATCH/hostbuild:/build" -- try chmod-setuid /build/prep

# ---- personality
attempt EPERM "personality(READ_IMPLIES_EXEC)" -- try personality 0x0400000
attempt EPERM "personality(READ_IMPLIES_EXEC|bit 31)" -- try personality 0x80400000
attempt EPERM "personality(MMAP_PAGE_ZERO)" -- try personality 0x0100000
attempt ok "personality(ADDR_NO_RANDOMIZE) still works (gdb, setarch -R)" -- try personality 0x0040000
attempt ok "personality query 0xffffffff still works" -- try personality 0xffffffff

# ---- /proc
if [ -e /proc/sysrq-trigger ]; then
	attempt EROFS "write /proc/sysrq-trigger" -- try write /proc/sysrq-trigger
else
	skip "write /proc/sysrq-trigger: this kernel has none (CONFIG_MAGIC_SYSRQ off)"
fi
attempt EROFS "write /proc/sys/kernel/hostname" -- try write /proc/sys/kernel/hostname

# ---- limits
attempt EAGAIN "a fork bomb hits the process limit" --pids 32 -- try fork-bomb
attempt ENOSPC "filling /tmp" --tmp-size 1M -- try fill /tmp/big
attempt ENOSPC "filling a tmpfs build directory" --tmp-size 1M --tmpfs /build -- try fill /build/big
attempt EFBIG "filling the build directory hits the file size limit" --file-size 1M \
	--bind "$SCRATCH/hostbuild:/build" -- try fill /build/big
if "$KILN" sandbox --probe | grep -q 'memory controller: delegated'; then
	attempt_exit 137 "a memory hog is OOM-killed in its cgroup" --memory 64M -- try memory-hog
else
	skip "memory hog OOM-killed in a cgroup: $("$KILN" sandbox --probe | grep 'rlimits only' || echo 'no delegated memory controller')"
	attempt ENOMEM "a memory hog hits the address-space limit instead" --memory 64M -- try memory-hog
fi
start=$(date +%s)
attempt_exit 137 "a process ignoring SIGTERM that double-forks with setsid dies at the timeout" \
	--timeout 1 -- sh -c 'trap "" TERM; setsid sh -c "trap \"\" TERM; exec sleep 3171" & exec sleep 3172'
took=$(($(date +%s) - start))
check "the timeout took effect promptly (${took}s)" [ "$took" -le 5 ]
check "nothing of it is left behind" sh -c '! pgrep -f "sleep 317[12]" >/dev/null'
attempt_exit 0 "a daemon left running when the command exits" -- sh -c 'setsid sleep 3173 & exit 0'
sleep 0.2
check "is killed with the sandbox" sh -c '! pgrep -f "sleep 317[3]" >/dev/null'

# ---- must keep working
attempt ok "threads" -- try threads
attempt ok "SysV IPC (fakeroot)" -- try sysv-ipc
attempt ok "ptys" -- try pty
attempt ok "shm_open (/dev/shm)" -- try shm_open
attempt ok "memfd_create" -- try memfd
attempt ok "inotify" -- try inotify
attempt ok "ptrace of one's own child (sanitizers, gdb)" -- try ptrace-own-child
attempt ok "a --bind is writable" --bind "$SCRATCH/hostbuild:/build" -- try write /build/written
if command -v fakeroot >/dev/null; then
	out=$("$KILN" sandbox --uid 1000 --gid 1000 -- fakeroot sh -c \
		'cd /tmp && touch f && chown 0:0 f && chmod 4755 f && stat -c %u:%g:%a f' 2>"$SCRATCH/err")
	if [ "$out" = "0:0:4755" ]; then ok "fakeroot chown + setuid chmod are recorded: $out"
	else not_ok "fakeroot (got '$out')"; sed 's/^/# /' "$SCRATCH/err" | head -3; fi
else
	skip "fakeroot is not installed"
fi

# ---- the diagnosis switches
attempt EFAULT "--seccomp-log lets keyctl through (logged)" --seccomp-log -- try keyctl
attempt EFAULT "--no-seccomp lets keyctl through" --no-seccomp -- try keyctl
check "--no-seccomp warns loudly" grep -q 'WITHOUT the seccomp filter' "$SCRATCH/err"

# ---- a read-only root lacking mount points gets a tmpfs overlay, the host root stays untouched
BARE=$SCRATCH/bare
mkdir -p "$BARE/bin" && cp "$ROOT/bin/try" "$BARE/bin/"
out=$("$KILN" sandbox --root "$BARE" --tmpfs /work -- /bin/try write /bin/x 2>&1)
check "overlaid root is still read-only ($out)" [ "$out" = EROFS ]
check "no mount point was created on the host" sh -c "[ ! -e '$BARE/proc' ] && [ ! -e '$BARE/work' ]"
done_testing
