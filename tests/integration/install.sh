# install.sh - make install puts the binary, the definitions and the man page in place, and the installed kiln finds its definitions.
. "$(dirname "$0")/../tap.sh"
D=$SCRATCH/inst
expect_exit 0 "make install into DESTDIR" env -u MAKEFLAGS -u MAKELEVEL make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr
check "the binary is installed" test -x "$D/usr/bin/kiln"
check "the man page is installed" test -s "$D/usr/share/man/man1/kiln.1"
check "the definitions are installed" test -s "$D/usr/share/kiln/distros/debian-bookworm.conf"
expect_exit 0 "the installed kiln lists its distros" env -u KILN_DISTROS_DIR "$D/usr/bin/kiln" distros
check "it finds debian:trixie" grep -qx debian:trixie "$SCRATCH/out"
done_testing
