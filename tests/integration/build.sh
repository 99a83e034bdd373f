# build.sh - kiln build end to end on tiny source packages the test makes itself: outputs, record, root reuse, reproducibility, and every bad input of issue 5.
. "$(dirname "$0")/../tap.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # skip kiln build needs root here (overlayfs, the sandbox's id map)"
	exit 0
fi
mkdir -p "$KILN_HOME"
# Downloads are content-addressed and verified, and prepared roots are named
# by their package set, made under a lock and renamed into place when
# complete: both are safe to share with the machine's cache, which keeps
# make check fast after the first run. Work dirs and outputs stay scratch.
for d in blobs roots; do
	if [ -d /var/cache/kiln/$d ]; then ln -s /var/cache/kiln/$d "$KILN_HOME/$d"; fi
done
if ! "$KILN" -q update debian:bookworm >"$SCRATCH/update.out" 2>&1; then
	echo "1..0 # skip debian:bookworm unreachable: $(tail -1 "$SCRATCH/update.out")"
	exit 0
fi
FIX=$TOP/tests/fixtures/make-tiny-source.sh
src=$SCRATCH/src
ok_dsc=$(bash "$FIX" "$src/ok" ok)
fail_dsc=$(bash "$FIX" "$src/fail" fail)
slow_dsc=$(bash "$FIX" "$src/slow" slow)
esc_dsc=$(bash "$FIX" "$src/escape" escape)
bad_dsc=$(bash "$FIX" "$src/bad" ok kiln-tiny-bad)
echo "tampered" >>"$src/bad/kiln-tiny-bad_1.0.tar.gz"

# --- a good build ---
out1=$SCRATCH/out1
expect_exit 0 "the tiny package builds from its .dsc" "$KILN" build -q --json "$ok_dsc" -o "$out1"
deb=$out1/kiln-tiny-ok_1.0_amd64.deb
check "the .deb is in the output directory" test -f "$deb"
check "so are the .buildinfo, .changes, log and build record" test -f "$out1/kiln-tiny-ok_1.0_amd64.buildinfo" -a -f "$out1/kiln-tiny-ok_1.0_amd64.changes" -a -f "$out1/kiln-tiny-ok_1.0_amd64.build" -a -f "$out1/kiln-tiny-ok_1.0_amd64.kiln.json"
check "the .deb holds the built program" sh -c "dpkg-deb -c '$deb' | grep -q './usr/bin/kiln-tiny-ok\$'"
check "no staging directory is left in the output directory" sh -c "! ls -a '$out1' | grep -q kiln-staging"
rec=$out1/kiln-tiny-ok_1.0_amd64.kiln.json
check "the record lists every output with its sha256" python3 - "$rec" "$out1" <<'EOF'
import hashlib, json, os, sys
r = json.load(open(sys.argv[1]))
names = {o["name"] for o in r["outputs"]}
assert "kiln-tiny-ok_1.0_amd64.deb" in names, names
for o in r["outputs"]:
    h = hashlib.sha256(open(os.path.join(sys.argv[2], o["name"]), "rb").read()).hexdigest()
    assert h == o["sha256"], o
EOF
check "the record has the source files' hashes, lock, build path and environment" python3 - "$rec" "$src/ok/kiln-tiny-ok_1.0.tar.gz" <<'EOF'
import hashlib, json, sys
r = json.load(open(sys.argv[1]))
tar = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert any(f["sha256"] == tar for f in r["source"]["files"]), r["source"]
assert len(r["source"]["files"]) == 2
assert len(r["lock"]["sha256"]) == 64 and len(r["lock"]["packages"]) > 50
assert r["build"]["build_path"] == "/build/reproducible-path/kiln-tiny-ok-1.0"
assert r["build"]["source_date_epoch"] == 1672574400
env = r["build"]["environment"]
assert env["LC_ALL"] == "C.UTF-8" and env["TZ"] == "UTC" and env["HOME"] == "/nonexistent"
assert r["build"]["user"] == {"name": "kiln", "uid": 1000, "gid": 1000}
EOF
check "the build ran at the buildd path as the build user" grep -q "Build-Path: /build/reproducible-path/kiln-tiny-ok-1.0" "$out1/kiln-tiny-ok_1.0_amd64.buildinfo"
rid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lock"]["root_id"])' "$rec")
check "the prepared root is cached under its id" test -d "$KILN_HOME/roots/$rid/usr/bin"

# --- the same again: root reused fast, same bytes ---
out2=$SCRATCH/out2
expect_exit 0 "a second build with the same lock succeeds" "$KILN" build -q --json -j2 "$ok_dsc" -o "$out2"
check "the second build reuses the cached root within 1 s" python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["root_cached"] and j["seconds_root"] < 1.0, j' "$SCRATCH/out"
check "both builds give bit-identical .debs" cmp "$deb" "$out2/kiln-tiny-ok_1.0_amd64.deb"

out8=$SCRATCH/out8
expect_exit 0 "kiln build --vary builds twice under other conditions" "$KILN" build -q --vary "$ok_dsc" -o "$out8"
check "and reports identical packages" grep -qx "vary: identical" "$SCRATCH/out"
check "the second build's outputs are in DIR/vary" test -f "$out8/vary/kiln-tiny-ok_1.0_amd64.deb"

# --- bad inputs ---
out3=$SCRATCH/out3
expect_exit 3 "a .dsc whose files do not match their hashes is refused" "$KILN" build -q "$bad_dsc" -o "$out3"
check "the message names the file" grep -q "kiln-tiny-bad_1.0.tar.gz does not match" "$SCRATCH/err"
check "nothing was written to the output directory" test ! -e "$out3"

out4=$SCRATCH/out4
expect_exit 1 "a source that fails to build fails" "$KILN" build -q "$fail_dsc" -o "$out4"
check "the failure names the step" grep -q "step build (dpkg-buildpackage) failed" "$SCRATCH/err"
check "the log is kept in the output directory" grep -q "fails on purpose" "$out4/kiln-tiny-fail_1.0_amd64.build"
check "no .deb and no record for a failed build" sh -c "! ls '$out4' | grep -qE '\\.deb|kiln\\.json'"

out5=$SCRATCH/out5
t0=$(date +%s)
expect_exit 1 "a build past its time limit is stopped" "$KILN" build -q --timeout 8 "$slow_dsc" -o "$out5"
t1=$(date +%s)
check "the message says it timed out" grep -q "timed out" "$SCRATCH/err"
check "it stopped in time (took $((t1 - t0)) s)" test $((t1 - t0)) -lt 60
check "the log of the stopped build is kept" test -f "$out5/kiln-tiny-slow_1.0_amd64.build"

out6=$SCRATCH/out6
rm -f /tmp/kiln-escape
expect_exit 0 "a package that writes outside /build still builds" "$KILN" build -q "$esc_dsc" -o "$out6"
root=$KILN_HOME/roots/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lock"]["root_id"])' "$out6/kiln-tiny-escape_1.0_amd64.kiln.json")
check "the escape build used a cached root" test -d "$root/usr/bin"
check "its writes did not reach the cached root" sh -c "test ! -e '$root/tmp/kiln-escape' -a ! -e '$root/etc/kiln-escape' -a ! -e '$root/kiln-escape' -a ! -e '$root/usr/kiln-escape'"
check "nor the host" test ! -e /tmp/kiln-escape -a ! -e /etc/kiln-escape -a ! -e /kiln-escape

# full disk while outputs are collected: a 4 KiB output directory
full=$SCRATCH/full
mkdir -p "$full"
if mount -t tmpfs -o size=4k kiln-test-full "$full" 2>/dev/null; then
	CLEANUP="umount '$full'"
	expect_exit 6 "a full disk while collecting outputs is an I/O error" "$KILN" build -q "$ok_dsc" -o "$full/out"
	check "the message says what failed" grep -qi "no space left" "$SCRATCH/err"
	check "no partial output is left" sh -c "! ls -a '$full/out' 2>/dev/null | grep -qE '\\.deb|kiln-staging|kiln\\.json'"
	umount "$full"
	CLEANUP=
else
	ok "# skip full disk: cannot mount a tmpfs"
fi

# Ctrl-C in the middle of a build
out7=$SCRATCH/out7
setsid "$KILN" build -q "$slow_dsc" -o "$out7" >"$SCRATCH/int.out" 2>"$SCRATCH/int.err" &
kpid=$!
for _ in $(seq 1 120); do
	ls "$KILN_HOME"/work/build-kiln-tiny-slow-*/build.log >/dev/null 2>&1 &&
		grep -q "step build" "$KILN_HOME"/work/build-kiln-tiny-slow-*/build.log && break
	sleep 0.5
done
sleep 1
kill -INT "$kpid"
wait "$kpid"
rc=$?
if [ "$rc" -eq 130 ]; then ok "Ctrl-C stops the build with exit 130"; else not_ok "Ctrl-C stops the build with exit 130 (exit $rc)"; sed 's/^/# /' "$SCRATCH/int.err"; fi
check "it says it was interrupted" grep -q "interrupted" "$SCRATCH/int.err"
check "the build's work directory is gone" sh -c "! ls '$KILN_HOME'/work/ | grep -q build-kiln-tiny-slow"
check "no output but the log" sh -c "! ls '$out7' | grep -qE '\\.deb|kiln\\.json'"

# --- the cache (its own home: never prune the machine's cache) ---
export KILN_HOME=$SCRATCH/gc-home
fake=$(printf 'kiln-test-root' | sha256sum | cut -d' ' -f1)
mkdir -p "$KILN_HOME/roots/$fake/usr/bin" "$KILN_HOME/work/build-x-999999999-1" "$KILN_HOME/roots/.tmp-$fake-999999999"
echo '{}' >"$KILN_HOME/roots/$fake.json"
expect_exit 0 "kiln cache list" "$KILN" cache list --json
check "it lists the prepared root and the work dir" python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); k={i["kind"] for i in a}; assert {"root","work"} <= k, a' "$SCRATCH/out"
expect_exit 0 "kiln cache gc removes only the dead build's work dir" "$KILN" cache gc
check "the root stays, the work dir and the half-made root are gone" sh -c "test -d '$KILN_HOME/roots/$fake' -a ! -e '$KILN_HOME/work/build-x-999999999-1' -a ! -e '$KILN_HOME/roots/.tmp-$fake-999999999'"
expect_exit 0 "kiln cache gc --roots" "$KILN" cache gc --roots
check "the root is gone" test ! -e "$KILN_HOME/roots/$fake" -a ! -e "$KILN_HOME/roots/$fake.json"
exec 9>"$KILN_HOME/roots/$fake.lock"
mkdir -p "$KILN_HOME/roots/$fake"
flock -s 9
expect_exit 0 "kiln cache gc --roots with a root in use" "$KILN" cache gc --roots
check "a root a build holds is kept" test -d "$KILN_HOME/roots/$fake"
exec 9>&-
done_testing
