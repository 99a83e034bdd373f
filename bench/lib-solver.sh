# lib-solver.sh - shared by the solver benchmarks: kiln's verified bookworm
# indices, a private apt root on the same mirror, and a timer.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KILN=${KILN_BIN:-$TOP/kiln}
DISTRO=${DISTRO:-debian:bookworm}
SUITE=${DISTRO#debian:}
export KILN_HOME=${KILN_HOME:-${BENCH_HOME:-/tmp/kiln-bench-home}}
BENCH_APT=${BENCH_APT:-/tmp/kiln-bench-apt}

# kiln update, then the blob paths of its verified Packages (amd64) and Sources
kiln_indices() {
	"$KILN" -q update "$DISTRO" >&2 || return 1
	local idx=$KILN_HOME/indices/${DISTRO/:/_}/$SUITE/indices
	local p s
	p=$(awk '$1=="Packages" && $3=="amd64" {print $4}' "$idx")
	s=$(awk '$1=="Sources" {print $4}' "$idx")
	PACKAGES=$KILN_HOME/blobs/sha256/${p:0:2}/$p
	SOURCES=$KILN_HOME/blobs/sha256/${s:0:2}/$s
	[ -s "$PACKAGES" ] && [ -s "$SOURCES" ]
}

# apt with its own lists and an empty dpkg status, on the same mirror and suite
apt_root() {
	local T=$BENCH_APT
	mkdir -p "$T/lists/partial" "$T/cache/archives/partial" "$T/etc/apt/sources.list.d" \
		"$T/etc/apt/preferences.d" "$T/etc/apt/apt.conf.d"
	[ -e "$T/status" ] || : >"$T/status"
	cat >"$T/etc/apt/sources.list" <<EOS
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $SUITE main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $SUITE main
EOS
	cat >"$T/apt.conf" <<EOS
Dir "$T/";
Dir::State "$T/";
Dir::State::Lists "$T/lists/";
Dir::State::status "$T/status";
Dir::Cache "$T/cache/";
Dir::Etc "$T/etc/apt/";
Dir::Etc::SourceList "$T/etc/apt/sources.list";
Dir::Etc::SourceParts "$T/etc/apt/sources.list.d/";
Dir::Etc::Parts "$T/etc/apt/apt.conf.d/";
Dir::Log "$T/";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
APT::Install-Recommends "false";
EOS
	export APT_CONFIG=$T/apt.conf
	if ! ls "$T/lists/"*Sources >/dev/null 2>&1; then
		apt-get -qq update >&2 || return 1
	fi
}

# run CMD..., print "WALL CPU MAXRSS_KB" (seconds, seconds, KiB) to fd 3
measure() {
	/usr/bin/time -f '%e %U %S %M' -o "$SCRATCH_BENCH/time" "$@"
	local rc=$?
	# the last line: GNU time puts "Command exited with non-zero status" before it
	tail -n 1 "$SCRATCH_BENCH/time" | awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' >&3
	return $rc
}
SCRATCH_BENCH=$(mktemp -d /tmp/kiln-bench.XXXXXX)
trap 'rm -rf "$SCRATCH_BENCH"' EXIT
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
