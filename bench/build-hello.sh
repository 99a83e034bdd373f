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
J=$(nproc) # both sides build with parallel=$J and run the test suite
REPS=${REPS:-2} # kiln and the plain chroot alternate, REPS times each

# one kiln build, warm: prints its wall seconds; its --json output (with
# kiln's own split: root, dpkg-buildpackage, total) goes to $work/kiln.json
kiln_once() {
	local t0 t1
	rm -rf "$work/kiln"
	t0=$(now)
	"$KILN" -q build --json --cached-root -j "$J" debian:bookworm hello -o "$work/kiln" >"$work/kiln.json" ||
		{ echo "no warm cache: run make demo first" >&2; exit 1; }
	t1=$(now)
	python3 -c "print('%.1f' % ($t1 - $t0))"
}

# dpkg-buildpackage in a plain chroot made from the same prepared root (as
# root, as a bare chroot build is done; hello is Rules-Requires-Root: no, so
# neither side uses fakeroot): prints its wall seconds
chroot_once() {
	local t0 t1 root
	root=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["root_id"])' "$work/kiln.json")
	rm -rf "$work/chroot"
	cp -a "$KILN_HOME/roots/$root" "$work/chroot"
	mkdir -p "$work/chroot/build/bench"
	"$KILN" -q source debian:bookworm hello -o "$work/chroot/build/bench" >/dev/null 2>&1 || exit 1
	mount -t proc proc "$work/chroot/proc"
	t0=$(now)
	chroot "$work/chroot" env DEB_BUILD_OPTIONS="parallel=$J" sh -c 'cd /build/bench && dpkg-source -x hello_*.dsc hello >/dev/null 2>&1 && cd hello && dpkg-buildpackage -us -uc -b >/dev/null 2>&1' ||
		echo "chroot build failed" >&2
	t1=$(now)
	umount "$work/chroot/proc"
	python3 -c "print('%.1f' % ($t1 - $t0))"
}

ks=() cs=()
for ((r = 0; r < REPS; r++)); do
	if ((r % 2)); then c=$(chroot_once); k=$(kiln_once); else k=$(kiln_once); c=$(chroot_once); fi
	ks+=("$k") cs+=("$c")
	split=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("dpkg-buildpackage %.1f s, the rest %.1f s" % (j["seconds_build"], j["seconds_total"] - j["seconds_build"]))' "$work/kiln.json")
	echo "run $((r + 1)) ($(uptime | sed 's/.*load/load/')): kiln build debian:bookworm hello (warm) ${k} s (kiln's own split: $split); dpkg-buildpackage in a plain chroot ${c} s; kiln/chroot $(ratio "$k" "$c")x"
done
k=$(printf '%s\n' "${ks[@]}" | sort -g | head -1) d=$(printf '%s\n' "${cs[@]}" | sort -g | head -1)
echo "best of $REPS: kiln ${k} s, plain chroot ${d} s; kiln/chroot: $(ratio "$k" "$d")x (target <= 1.15x)"

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

# the bytes: kiln's hello and hello-dbgsym against sbuild's, as recorded in
# the .buildinfo sbuild wrote on this machine (tests/fixtures/sbuild/)
bi=tests/fixtures/sbuild/hello_2.10-3_amd64.buildinfo
bad=0
for deb in hello_2.10-3_amd64.deb hello-dbgsym_2.10-3_amd64.deb; do
	want=$(awk -v f="$deb" '/^Checksums-Sha256:/ { c = 1; next } /^[^ ]/ { c = 0 } c && $3 == f { print $1 }' "$bi")
	got=$(sha256sum <"$work/kiln/$deb" 2>/dev/null | cut -d' ' -f1)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		echo "$deb: $got, the same as sbuild's ($bi)"
	else
		echo "$deb: kiln ${got:-(missing)} but sbuild's is ${want:-(not in $bi)}"
		bad=1
	fi
done
exit $bad
