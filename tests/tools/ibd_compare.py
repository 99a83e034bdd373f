#!/usr/bin/env python3
"""ibd_compare.py LOCK.json BUILDINFO - kiln's build environment (a lock,
kiln resolve --json) next to the Installed-Build-Depends of a .buildinfo.

Prints one line per difference, sorted:
  only-kiln NAME VERSION        in the lock, not in Installed-Build-Depends
  only-buildinfo NAME VERSION   in Installed-Build-Depends, not in the lock
  version NAME KILNVER BIVER    in both with other versions
and on stderr a summary: how many packages each side has and how many agree.
Exit 0 after a comparison (differences or not), 2 on a malformed input,
naming the file and the reason."""
import json
import re
import sys

ENTRY = re.compile(r"^([a-z0-9][a-z0-9.+-]*)(?::([a-z0-9-]+))? \(= ([A-Za-z0-9.+~:-]+)\)$")


def fail(path, why):
    print(f"ibd_compare: {path}: {why}", file=sys.stderr)
    sys.exit(2)


def read_lock(path):
    try:
        with open(path, encoding="utf-8") as f:
            lock = json.load(f)
        pkgs = lock["packages"]
        out = {}
        for p in pkgs:
            name, ver = p["name"], p["version"]
            if not isinstance(name, str) or not isinstance(ver, str):
                fail(path, "a package without a name or version")
            if name in out:
                fail(path, f"{name} appears twice")
            out[name] = ver
        return out
    except (OSError, ValueError, KeyError, TypeError) as ex:
        fail(path, f"not a kiln lock in JSON ({ex})")
    return {}


def read_ibd(path):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except (OSError, UnicodeDecodeError) as ex:
        fail(path, str(ex))
    # an OpenPGP clear-signed file: the paragraph sits between the armor
    # header's blank line and the signature
    if lines and lines[0] == "-----BEGIN PGP SIGNED MESSAGE-----":
        try:
            start = lines.index("") + 1
            end = lines.index("-----BEGIN PGP SIGNATURE-----")
        except ValueError:
            fail(path, "a clear-signed file without its signature block")
        lines = lines[start:end]
    out, inside, seen = {}, False, False
    for n, line in enumerate(lines, 1):
        if line.startswith((" ", "\t")):
            if not inside:
                continue
            item = line.strip().rstrip(",")
            if not item:
                continue
            m = ENTRY.match(item)
            if not m:
                fail(path, f"line {n}: not a 'name (= version)' entry: {item!r}")
            name = m.group(1) if m.group(2) in (None, "amd64") else f"{m.group(1)}:{m.group(2)}"
            if name in out:
                fail(path, f"line {n}: {name} appears twice")
            out[name] = m.group(3)
        else:
            inside = line.split(":", 1)[0] == "Installed-Build-Depends"
            seen = seen or inside
    if not seen:
        fail(path, "no Installed-Build-Depends field")
    if not out:
        fail(path, "an empty Installed-Build-Depends field")
    return out


def main():
    if len(sys.argv) != 3:
        print("usage: ibd_compare.py LOCK.json BUILDINFO", file=sys.stderr)
        return 2
    kiln, ibd = read_lock(sys.argv[1]), read_ibd(sys.argv[2])
    diff = []
    for name in sorted(set(kiln) | set(ibd)):
        if name not in ibd:
            diff.append(f"only-kiln {name} {kiln[name]}")
        elif name not in kiln:
            diff.append(f"only-buildinfo {name} {ibd[name]}")
        elif kiln[name] != ibd[name]:
            diff.append(f"version {name} {kiln[name]} {ibd[name]}")
    same = sum(1 for n in kiln if ibd.get(n) == kiln[n])
    print("\n".join(diff + [""]), end="")
    print(f"kiln {len(kiln)}, buildinfo {len(ibd)}, same name and version {same}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
