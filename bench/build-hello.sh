#!/bin/bash
# build-hello.sh - bookworm's hello end to end with warm caches: kiln next to
# `sbuild --chroot-mode=unshare` and next to a bare dpkg-buildpackage in a
# plain chroot of the same root; prints the ratios.
set -u
cd "$(dirname "$0")/.."
KILN=${KILN_BIN:-$PWD/kiln}
export KILN_HOME=${KILN_HOME:-/var/cache/kiln}
work=$(mktemp -d /tmp/kiln-bench-hello.XXXXXX)
trap 'mountpoint -q "$work/chroot/proc" && umount "$work/chroot/proc"; rm -rf "$work"' EXIT
now() { date +%s.%N; }
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }

"$KILN" -q update debian:bookworm || exit 1
# expects warm caches (run make demo first): the root and source are cached
t0=$(now)
J=$(nproc) # both sides build with parallel=$J and run the test suite
"$KILN" -q build --json --cached-root -j "$J" debian:bookworm hello -o "$work/kiln" >"$work/kiln.json" ||
	{ echo "no warm cache: run make demo first"; exit 1; }
t1=$(now)
k=$(python3 -c "print('%.1f' % ($t1 - $t0))")
echo "kiln build debian:bookworm hello (warm): ${k} s"

# dpkg-buildpackage in a plain chroot made from the same prepared root
root=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["root_id"])' "$work/kiln.json")
cp -a "$KILN_HOME/roots/$root" "$work/chroot"
mkdir -p "$work/chroot/build/bench"
"$KILN" -q source debian:bookworm hello -o "$work/chroot/build/bench" >/dev/null || exit 1
mount -t proc proc "$work/chroot/proc"
t0=$(now)
chroot "$work/chroot" env DEB_BUILD_OPTIONS="parallel=$J" sh -c 'cd /build/bench && dpkg-source -x hello_*.dsc hello >/dev/null && cd hello && dpkg-buildpackage -us -uc -b >/dev/null 2>&1' || echo "chroot build failed"
t1=$(now)
umount "$work/chroot/proc"
d=$(python3 -c "print('%.1f' % ($t1 - $t0))")
echo "dpkg-buildpackage in a plain chroot: ${d} s; kiln/chroot: $(ratio "$k" "$d")x (target <= 1.15x)"

# sbuild runs as the build user bench/setup-sbuild.sh made: its unshare
# backend needs a /etc/subuid range, which root does not have
SB_USER=${SBUILD_USER:-sbuilder}
SB_HOME=$(getent passwd "$SB_USER" | cut -d: -f6)
if command -v sbuild >/dev/null && [ -n "$SB_HOME" ] && [ -e "$SB_HOME/.cache/sbuild/bookworm-amd64.tar" ]; then
	# mktemp -d made $work 0700: the build user must reach its directory
	chmod 755 "$work"
	mkdir -p "$work/sbuild" && chown "$SB_USER:" "$work/sbuild"
	t0=$(now)
	if (cd "$work/sbuild" && DEB_BUILD_OPTIONS="parallel=$J" runuser -u "$SB_USER" -- sbuild --chroot-mode=unshare -d bookworm \
		--no-run-lintian --no-run-autopkgtest --no-run-piuparts hello >"$work/sbuild.out" 2>&1); then
		t1=$(now)
		s=$(python3 -c "print('%.1f' % ($t1 - $t0))")
		echo "sbuild --chroot-mode=unshare: ${s} s; kiln/sbuild: $(ratio "$k" "$s")x (target <= 0.6x)"
	else
		echo "sbuild failed:"
		tail -5 "$work/sbuild.out"
	fi
	for f in "$work/kiln/hello_2.10-3_amd64.deb" "$work/sbuild/hello_2.10-3_amd64.deb"; do
		[ -f "$f" ] && echo "$(sha256sum <"$f" | cut -d' ' -f1) ${f#"$work"/}"
	done
else
	echo "sbuild (unshare mode, as $SB_USER) not set up: run bench/setup-sbuild.sh; no comparison"
fi
