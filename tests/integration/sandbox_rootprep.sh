# sandbox_rootprep.sh - the ROOT_PREP profile as builders use it: dpkg, as
# inside root, installs a package over a writable root; its maintainer script
# chowns and makes a setuid file; the host sees the sandbox's id range.
. "$(dirname "$0")/../tap.sh"

skip() { T_NUM=$((T_NUM + 1)); echo "ok $T_NUM - # SKIP $*"; }
BASE=1000000000
if [ "$(id -u)" != 0 ] || ! unshare -U -r true 2>/dev/null || ! command -v dpkg-deb >/dev/null; then
	skip "needs root, user namespaces and dpkg-deb"; done_testing; exit
fi
chmod 755 "$SCRATCH"
P=$SCRATCH/pkg
mkdir -p "$P/DEBIAN" "$P/usr/bin"
printf 'Package: kilntest\nVersion: 1.0\nArchitecture: all\nMaintainer: k <k@example.org>\nDescription: test\n' >"$P/DEBIAN/control"
cat >"$P/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
echo "postinst uid=$(id -u)"
chown 5:7 "$DPKG_ROOT/usr/bin/kt"
chmod 4755 "$DPKG_ROOT/usr/bin/kt"
SH
chmod 755 "$P/DEBIAN/postinst"
echo hi >"$P/usr/bin/kt"
dpkg-deb -b --root-owner-group "$P" "$SCRATCH/kt.deb" >/dev/null

T=$SCRATCH/target
mkdir -p "$T/var/lib/dpkg/info" "$T/var/lib/dpkg/updates" "$T/var/log"
touch "$T/var/lib/dpkg/status"
chown -R $BASE:$BASE "$T" # the root belongs to inside root

"$KILN" sandbox --profile root-prep --bind "$T:/tmp/t" --ro-bind "$SCRATCH/kt.deb:/tmp/kt.deb" \
	--setenv HOME=/tmp -- dpkg --root=/tmp/t --log=/tmp/t/var/log/dpkg.log --force-not-root \
	--force-script-chrootless -i /tmp/kt.deb >"$SCRATCH/out" 2>"$SCRATCH/err"
rc=$?
if [ $rc = 0 ]; then ok "dpkg -i under root-prep succeeds"
else not_ok "dpkg -i under root-prep (exit $rc)"; sed 's/^/# /' "$SCRATCH/err" | head -5; fi
check "the maintainer script ran as inside root" grep -q 'postinst uid=0' "$SCRATCH/out"
check "its chown landed in the sandbox's range ($(stat -c %u:%g "$T/usr/bin/kt"))" \
	[ "$(stat -c %u:%g "$T/usr/bin/kt")" = "$((BASE + 5)):$((BASE + 7))" ]
check "its setuid bit is kept ($(stat -c %a "$T/usr/bin/kt"))" [ "$(stat -c %a "$T/usr/bin/kt")" = 4755 ]
check "dpkg recorded the package" grep -q '^Package: kilntest' "$T/var/lib/dpkg/status"
check "dpkg's files belong to inside root ($(stat -c %u "$T/var/lib/dpkg/status"))" \
	[ "$(stat -c %u "$T/var/lib/dpkg/status")" = $BASE ]

# the same under the build profile is refused at the setuid step
rm -rf "$T/usr" && cp "$T/var/lib/dpkg/status" "$SCRATCH/status.bak" && : >"$T/var/lib/dpkg/status"
rm -f "$T"/var/lib/dpkg/info/kilntest.*
"$KILN" sandbox --bind "$T:/tmp/t" --ro-bind "$SCRATCH/kt.deb:/tmp/kt.deb" --setenv HOME=/tmp -- \
	dpkg --root=/tmp/t --log=/tmp/t/var/log/dpkg.log --force-not-root --force-script-chrootless \
	-i /tmp/kt.deb >"$SCRATCH/out" 2>"$SCRATCH/err"
check "under the build profile the same install fails" [ $? != 0 ]
check "... at the chown (no capabilities)" grep -q 'chown: .*Operation not permitted' "$SCRATCH/err"
done_testing
