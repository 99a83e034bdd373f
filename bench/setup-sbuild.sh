#!/bin/bash
# setup-sbuild.sh - set up sbuild in unshare mode on this machine, idempotent.
#
# sbuild's unshare backend maps the chroot's ids onto the caller's
# /etc/subuid and /etc/subgid ranges (Sbuild::Utility::read_subuid_subgid);
# root has no such range and sbuild then fails with "Error creating chroot
# session". So sbuild runs as an ordinary build user ($SBUILD_USER, default
# sbuilder) that has a 65536-id range, and its chroot is the tarball that
# sbuild(1) documents for unshare mode: ~/.cache/sbuild/DIST-ARCH.tar made by
# mmdebstrap --variant=buildd from deb.debian.org.
#
# Usage: bench/setup-sbuild.sh [DIST...]   (default: bookworm)
# Prints the user and the tarball(s). Run sbuild afterwards as
#   runuser -u sbuilder -- sbuild --chroot-mode=unshare -d bookworm SRC
# or through bench/sbuild-run.sh.
set -eu

user=${SBUILD_USER:-sbuilder}
arch=${SBUILD_ARCH:-amd64}
mirror=${SBUILD_MIRROR:-http://deb.debian.org/debian}
[ $# -gt 0 ] || set -- bookworm

die() {
	echo "setup-sbuild: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "run as root (it installs packages and adds a user)"

missing=
for cmd in sbuild:sbuild mmdebstrap:mmdebstrap newuidmap:uidmap; do
	command -v "${cmd%%:*}" >/dev/null || missing="$missing ${cmd#*:}"
done
if [ -n "$missing" ]; then
	echo "installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null ||
		die "apt-get install$missing failed"
fi

if ! id "$user" >/dev/null 2>&1; then
	useradd --create-home --shell /bin/bash --user-group "$user" || die "useradd $user failed"
	echo "added user $user"
fi
home=$(getent passwd "$user" | cut -d: -f6)
[ -d "$home" ] || die "$user has no home directory ($home)"

# a subordinate id range of its own, not overlapping another's
has_range() { grep -q "^$user:" "$1" 2>/dev/null; }
if ! has_range /etc/subuid || ! has_range /etc/subgid; then
	start=100000
	while cut -d: -f2 /etc/subuid /etc/subgid 2>/dev/null | grep -qx "$start"; do
		start=$((start + 65536))
	done
	has_range /etc/subuid || usermod --add-subuids "$start-$((start + 65535))" "$user"
	has_range /etc/subgid || usermod --add-subgids "$start-$((start + 65535))" "$user"
	echo "gave $user the ids $start..$((start + 65535))"
fi

install -d -o "$user" -g "$user" "$home/.cache" "$home/.cache/sbuild"
for dist in "$@"; do
	tarball=$home/.cache/sbuild/$dist-$arch.tar
	if [ ! -s "$tarball" ]; then
		echo "making $tarball with mmdebstrap (several minutes)"
		tmp=$tarball.tmp.$$
		trap 'rm -f "$tmp"' EXIT
		# --skip=output/mknod: an unprivileged user cannot make device nodes,
		# sbuild's unshare backend bind-mounts /dev itself
		mmdebstrap --quiet --variant=buildd --arch="$arch" --skip=output/mknod \
			--format=tar "$dist" "$tmp" "$mirror" || die "mmdebstrap $dist failed"
		chown "$user:$user" "$tmp"
		mv "$tmp" "$tarball"
		trap - EXIT
	fi
	echo "chroot $tarball"
done

# the unshare backend must work for that user
runuser -u "$user" -- unshare --user --map-root-user true ||
	die "user namespaces are not available to $user"
echo "sbuild user $user ($(grep "^$user:" /etc/subuid))"
