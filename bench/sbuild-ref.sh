#!/bin/bash
# sbuild-ref.sh - build one bookworm source with sbuild in unshare mode (as the
# user bench/setup-sbuild.sh made) and keep its .buildinfo, .deb files and log
# as the reference kiln is compared with.
#
# Usage: bench/sbuild-ref.sh [--nocheck] SRC [DIST]
#   --nocheck   DEB_BUILD_OPTIONS=nocheck and --profiles=nocheck (the same as
#               kiln resolve --profiles nocheck / kiln build --nocheck -P nocheck)
# Outputs go to $KILN_HOME/reference/sbuild/ (default /var/cache/kiln): the
# .buildinfo and .changes under their own names, the rest in SRC/.
set -eu
cd "$(dirname "$0")/.."
user=${SBUILD_USER:-sbuilder}
ref=${KILN_HOME:-/var/cache/kiln}/reference/sbuild
nocheck=
[ "${1:-}" = --nocheck ] && { nocheck=1; shift; }
[ $# -ge 1 ] || { echo "usage: $0 [--nocheck] SRC [DIST]" >&2; exit 2; }
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
