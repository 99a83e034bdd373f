#!/bin/bash
# sbuild-ref.sh - build one bookworm source with sbuild in unshare mode (as the
# user bench/setup-sbuild.sh made) and keep its .buildinfo, .deb files and log
# as the reference kiln is compared with.
#
# Usage: bench/sbuild-ref.sh [--nocheck] [--env-only] SRC [DIST]
#   --nocheck   DEB_BUILD_OPTIONS=nocheck and --profiles=nocheck (the same as
#               kiln resolve --profiles nocheck / kiln build --nocheck -P nocheck)
#   --env-only  stop before dpkg-buildpackage: once sbuild has installed the
#               build dependencies, run dpkg-genbuildinfo --build=binary in
#               the chroot (what dpkg-buildpackage -b runs at its end; the
#               Installed-Build-Depends come from the same dpkg database) and
#               keep its output as SRC_VER_ARCH.env-only.buildinfo
# Outputs go to $KILN_HOME/reference/sbuild/ (default /var/cache/kiln): the
# .buildinfo and .changes under their own names, the rest in SRC/.
set -eu
cd "$(dirname "$0")/.."
user=${SBUILD_USER:-sbuilder}
ref=${KILN_HOME:-/var/cache/kiln}/reference/sbuild
nocheck=
envonly=
while :; do
	case ${1:-} in
	--nocheck) nocheck=1 ;;
	--env-only) envonly=1 ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || { echo "usage: $0 [--nocheck] [--env-only] SRC [DIST]" >&2; exit 2; }
src=$1 dist=${2:-bookworm}
case $src in *[!a-z0-9.+-]*) echo "sbuild-ref: bad source name: $src" >&2; exit 2 ;; esac

bench/setup-sbuild.sh "$dist" >/dev/null
work=$(mktemp -d /tmp/sbuild-ref.XXXXXX)
trap 'rm -rf "$work"' EXIT
chown "$user:" "$work"
opts=(--chroot-mode=unshare -d "$dist" --no-run-lintian --no-run-autopkgtest --no-run-piuparts)
if [ -n "$nocheck" ]; then
	opts+=(--profiles=nocheck)
	export DEB_BUILD_OPTIONS="nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}"
fi
if [ -n "$envonly" ]; then
	# The output goes into sbuild's log between two markers; exit 1 ends the
	# build there. dpkg-genbuildinfo refuses a binary build without binary
	# files, so debian/files names one empty placeholder (it appears in the
	# Checksums fields, nowhere else).
	ph=kiln-placeholder_0_all.deb
	opts+=("--starting-build-commands=sh -c 'cd %p && touch ../$ph && echo \"$ph misc optional\" >debian/files && echo KILN-BUILDINFO-BEGIN && DEB_BUILD_PROFILES=\"$([ -n "$nocheck" ] && echo nocheck)\" dpkg-genbuildinfo --build=binary -O && echo KILN-BUILDINFO-END; exit 1'")
	(cd "$work" && runuser -u "$user" -- sbuild "${opts[@]}" "$src" >"$work/sbuild.out" 2>&1) || true
	log=$(ls "$work"/*_*.build 2>/dev/null | grep -v '_amd64.build$' | head -1)
	[ -n "$log" ] || log=$(ls "$work"/*.build | head -1)
	ver=$(sed -n 's/^Version: //p' <(sed -n '/^KILN-BUILDINFO-BEGIN$/,/^KILN-BUILDINFO-END$/p' "$log") | head -1)
	[ -n "$ver" ] || { echo "sbuild-ref: no dpkg-genbuildinfo output in $log" >&2; mkdir -p "$ref/$src"; cp "$log" "$ref/$src/"; exit 1; }
	out=$ref/${src}_${ver#*:}_amd64.env-only.buildinfo
	sed -n '/^KILN-BUILDINFO-BEGIN$/,/^KILN-BUILDINFO-END$/p' "$log" | sed '1d;$d' >"$out.tmp"
	mv "$out.tmp" "$out"
	echo "$out"
	exit 0
fi
t0=$(date +%s.%N)
if ! (cd "$work" && runuser -u "$user" -- sbuild "${opts[@]}" "$src" >"$work/sbuild.out" 2>&1); then
	mkdir -p "$ref/$src"
	cp "$work"/*.build "$ref/$src/" 2>/dev/null || true
	echo "sbuild-ref: sbuild $src failed; log in $ref/$src/" >&2
	exit 1
fi
t1=$(date +%s.%N)
mkdir -p "$ref/$src"
rm -f "$ref/$src"/*
cp "$work"/*.buildinfo "$work"/*.changes "$ref/"
cp "$work"/*.deb "$ref/$src/"
cp -L "$work"/*_amd64.build "$ref/$src/" 2>/dev/null || cp "$work"/*.build "$ref/$src/"
echo "sbuild $src: $(python3 -c "print('%.1f' % ($t1 - $t0))") s${nocheck:+ (nocheck)}"
(cd "$ref/$src" && sha256sum -- *.deb)
ls "$ref"/"${src}"_*.buildinfo
