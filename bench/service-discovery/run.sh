#!/usr/bin/env bash
# Builds the repository into a private directory and runs the service discovery benchmark.
# As root it also times a real iptables-restore into a scratch namespace.
#   BENCH_TASKS=10000 BENCH_SERVICES=100 BENCH_LOCAL=10 bench/service-discovery/run.sh > result.json
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/flt-sd-bench-build.XXXXXX)
trap 'rm -rf "$out"' EXIT
(cd "$repo" && npx tsc -p tsconfig.build.json --outDir "$out" >/dev/null 2>&1 || true)
ln -s "$repo/node_modules" "$out/node_modules"
echo '{"type":"module"}' > "$out/package.json"
node "$out/bench/service-discovery/bench.js"
