#!/usr/bin/env bash
# Builds the repository into a private directory and runs the network benchmark (root).
#   BENCH_DURATION_SEC=8 BENCH_CONNECTIONS=32 BENCH_ROUNDS=2 bench/network/run.sh > result.json
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/flt-net-bench-build.XXXXXX)
trap 'rm -rf "$out"' EXIT
(cd "$repo" && npx tsc -p tsconfig.build.json --outDir "$out" >/dev/null 2>&1 || true)
ln -s "$repo/node_modules" "$out/node_modules"
echo '{"type":"module"}' > "$out/package.json"
node "$out/bench/network/bench.js"
