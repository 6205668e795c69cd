#!/usr/bin/env bash
# Builds the repository into a private directory and runs the dashboard benchmark (no root needed).
#   BENCH_NODES=1000 bench/dashboard/run.sh > result.json
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/flt-dash-bench-build.XXXXXX)
trap 'rm -rf "$out"' EXIT
# tsconfig.json (not .build): the simulated agents live in test/harness/cluster.
(cd "$repo" && npx tsc -p tsconfig.json --noEmit false --outDir "$out" >/dev/null 2>&1 || true)
ln -s "$repo/node_modules" "$out/node_modules"
cp -r "$repo/proto/flotilla" "$out/proto/"
# The page the manager serves (npm run build bundles it; bundled here again for this build).
(cd "$repo" && node scripts/bundle-dashboard.mjs --out "$out/dashboard")
echo '{"type":"module"}' > "$out/package.json"
node --max-old-space-size=8192 "$out/bench/dashboard/bench.js"
