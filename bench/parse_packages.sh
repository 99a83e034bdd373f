#!/bin/bash
# parse_packages.sh - kiln's deb822 parser next to libsolv's repo_add_debpackages
# on bookworm's Packages (63k stanzas), from the cache (kiln update debian:bookworm).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/libkiln.a
PKGS=$(./kiln --json update debian:bookworm >/dev/null && \
	awk '$1=="Packages"{print $4}' "${KILN_HOME:-/var/cache/kiln}/indices/debian_bookworm/bookworm/indices" | head -1)
F=${KILN_HOME:-/var/cache/kiln}/blobs/sha256/${PKGS:0:2}/$PKGS
cc -O2 -I. -D_GNU_SOURCE -o build/bench_parse_packages bench/parse_packages.c build/libkiln.a \
	$(pkg-config --libs libsolvext libsolv libcrypto libcurl libarchive jansson) -lpthread
echo "file: $F ($(stat -c %s "$F") bytes)"
build/bench_parse_packages "$F" 5
