#!/bin/bash
# setup.sh - install the JSON-schema validator the attestation tests use (ajv +
# ajv-formats from the npm registry) into a cache directory, once; print it.
# Nothing is installed into the source tree.
set -eu
AJV_VERSION=8.17.1
AJV_FORMATS_VERSION=3.0.1
dir=${KILN_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kiln-tests}/node-ajv-$AJV_VERSION
if [ ! -f "$dir/node_modules/ajv-formats/package.json" ] || [ ! -f "$dir/node_modules/ajv/package.json" ]; then
	command -v npm >/dev/null || { echo "setup.sh: npm is not installed" >&2; exit 1; }
	mkdir -p "$dir"
	[ -f "$dir/package.json" ] || echo '{"name":"kiln-test-schemas","private":true}' >"$dir/package.json"
	npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
		"ajv@$AJV_VERSION" "ajv-formats@$AJV_FORMATS_VERSION" >&2
fi
echo "$dir"
