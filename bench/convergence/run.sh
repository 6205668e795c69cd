#!/usr/bin/env bash
# Builds the repository into a private directory and runs the convergence benchmark (no root).
#   bench/convergence/run.sh > result.json      (BENCH_REPLICAS=50 BENCH_PARALLELISM=10)
#   bench/convergence/run.sh swarm-images | docker load    (the Swarm column's images; README.md)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/flt-converge-bench-build.XXXXXX)
trap 'rm -rf "$out"' EXIT
# tsconfig.json (not .build): the simulated agents live in test/harness/cluster.
(cd "$repo" && npx tsc -p tsconfig.json --noEmit false --outDir "$out" >/dev/null 2>&1 || true)
ln -s "$repo/node_modules" "$out/node_modules"
cp -r "$repo/proto/flotilla" "$out/proto/"
echo '{"type":"module"}' > "$out/package.json"
if [ "${1:-}" = swarm-images ]; then
  node "$out/bench/convergence/swarm-images.js"
else
  node "$out/bench/convergence/bench.js"
fi
