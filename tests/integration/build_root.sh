# build_root.sh - a Debian build root prepared from scratch (never one of the
# machine's cached roots): every package decompressed once into a flat .deb,
# the root's dpkg in the sandbox, nothing left behind; a package whose
# data.tar.xz is corrupt fails the preparation, named, and leaves nothing.
. "$(dirname "$0")/../tap.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # skip kiln build needs root here (overlayfs, the sandbox's id map)"
	exit 0
fi
if [ ! -d /var/cache/kiln/blobs ]; then
	echo "1..0 # skip no cached .debs (run make demo once)"
	exit 0
fi
mkdir -p "$KILN_HOME/work"
# hard links to the machine's verified .debs: one can be replaced by a broken
# copy without touching the shared cache
cp -al /var/cache/kiln/blobs "$KILN_HOME/blobs"
if [ -d /var/cache/kiln/indices/debian_bookworm/solv ]; then
	mkdir -p "$KILN_HOME/indices/debian_bookworm"
	ln -s /var/cache/kiln/indices/debian_bookworm/solv "$KILN_HOME/indices/debian_bookworm/solv"
fi
if ! "$KILN" -q update debian:bookworm >"$SCRATCH/update.out" 2>&1; then
	echo "1..0 # skip debian:bookworm unreachable: $(tail -1 "$SCRATCH/update.out")"
	exit 0
fi
dsc=$(bash "$TOP/tests/fixtures/make-tiny-source.sh" "$SCRATCH/src" ok)

# --- a root from scratch ---
expect_exit 0 "a root is prepared from scratch and the tiny package builds" \
	"$KILN" build -q --json "$dsc" -o "$SCRATCH/o1"
rec=$SCRATCH/o1/kiln-tiny-ok_1.0_amd64.kiln.json
field() { # field NAME KEY: a value of the lock's package NAME
	python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["lock"]["packages"]:
    if p["name"] == sys.argv[2]: print(p[sys.argv[3]])' "$rec" "$1" "$2"
}
npkgs=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["lock"]["packages"]))' "$rec")
rid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["root_id"])' "$SCRATCH/out")
root=$KILN_HOME/roots/$rid
check "it was prepared, not reused" python3 -c 'import json,sys; assert not json.load(open(sys.argv[1]))["root_cached"]' "$SCRATCH/out"
check "the log times the conversion of all $npkgs packages to flat .debs" \
	grep -qE "^kiln: \[[0-9.]+\] converting $npkgs packages to flat .debs$" "$KILN_HOME/roots/$rid.log"
check "and every dpkg call, then the end" \
	grep -qE '^kiln: \[[0-9.]+\] (installing the essential set|root ready)$' "$KILN_HOME/roots/$rid.log"
check "dpkg has every package of the lock installed" \
	test "$(grep -c '^Status: install ok installed$' "$root/var/lib/dpkg/status")" = "$npkgs"
check "dpkg kept no uncompressed copy" test ! -e "$root/kiln-debs" -a ! -e "$root/var/cache/apt/archives/partial"
check "no work directory (flat .debs) is left" test -z "$(ls -A "$KILN_HOME/work")"
check "the root's ischroot is debianutils' own (kiln's stand-in stayed outside)" \
	sh -c "cd '$root' && grep ' usr/bin/ischroot\$' var/lib/dpkg/info/debianutils.md5sums | md5sum -c --quiet"

# --- a corrupt package ---
corrupt() { # corrupt NAME: its blob replaced by a copy with bytes flipped in data.tar.xz
	local sha size b
	sha=$(field "$1" sha256) size=$(field "$1" size)
	b=$KILN_HOME/blobs/sha256/${sha:0:2}/$sha
	cp --remove-destination "$b" "$b.new" && mv "$b.new" "$b"
	printf 'kiln-corrupt-data' | dd of="$b" bs=1 seek=$((size * 3 / 4)) conv=notrunc status=none
}
restore() { # restore NAME
	local sha=$(field "$1" sha256)
	ln -f "/var/cache/kiln/blobs/sha256/${sha:0:2}/$sha" "$KILN_HOME/blobs/sha256/${sha:0:2}/$sha"
}
"$KILN" -q cache gc --roots >/dev/null 2>&1
for pkg in coreutils gcc-12; do
	ver=$(field "$pkg" version)
	corrupt "$pkg"
	expect_exit 7 "a corrupt $pkg fails the preparation (exit 7)" \
		"$KILN" build -q "$dsc" -o "$SCRATCH/o-$pkg"
	check "the message names $pkg $ver and the step" grep -q "converting $pkg $ver: .*data.tar.xz" "$SCRATCH/err"
	check "no root was left" test ! -e "$root"
	check "nor a half-made one" test -z "$(ls -A "$KILN_HOME/roots" | grep -v '\.lock$')"
	check "nor a flat .deb" test -z "$(find "$KILN_HOME/work" -name '*.deb' 2>/dev/null)"
	restore "$pkg"
done

# --- Ctrl-C while the root is prepared: in the conversion, and in dpkg ---
for when in converting installing; do
	"$KILN" -q cache gc --roots >/dev/null 2>&1
	"$KILN" build -q "$dsc" -o "$SCRATCH/o-int-$when" >"$SCRATCH/int.out" 2>&1 &
	pid=$!
	for ((i = 0; i < 600; i++)); do # up to 60 s for the phase to begin
		grep -qs "^kiln: \[[0-9.]*\] $when" "$KILN_HOME"/work/rootprep-*/root-prep.log && break
		sleep 0.1
	done
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	check "Ctrl-C while $when: exit 130 (got $rc)" test "$rc" = 130
	check "it says the preparation was interrupted" grep -q "interrupted while" "$SCRATCH/int.out"
	check "no root, work directory or output is left" \
		test -z "$(ls -A "$KILN_HOME/roots" | grep -v '\.lock$')$(ls -A "$KILN_HOME/work")$(ls -A "$SCRATCH/o-int-$when" 2>/dev/null)"
done
done_testing
