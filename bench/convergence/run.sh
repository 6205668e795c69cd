#!/usr/bin/env bash
# Builds the repository and runs the convergence benchmark. Prints one JSON document on stdout.
#   bench/convergence/run.sh > result.json          real containers (root, under the host-tests
#        lock; BENCH_REPLICAS=50 BENCH_PARALLELISM=10 BENCH_CPU_PROF=DIR FLOTILLA_CLI=bin/flotilla)
#   BENCH_MODE=simulated bench/convergence/run.sh    the control plane alone (no root)
#   bench/convergence/run.sh swarm-images | docker load    (the Swarm column's images; README.md)
#   BENCH_BUILT=DIR run.sh compile, then BENCH_BUILT=DIR run.sh ...: compile once, run many times
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${BENCH_BUILT:-}" ]; then
  out=$BENCH_BUILT  # a directory this script compiled before (BENCH_BUILT=DIR run.sh compile)
else
  out=$(mktemp -d /tmp/flt-converge-bench-build.XXXXXX)
  trap 'rm -rf "$out"' EXIT
fi
if [ ! -f "$out/package.json" ]; then
  mkdir -p "$out"
  # tsconfig.json (not .build): the simulated agents and the image builder live in test/harness.
  (cd "$repo" && npx tsc -p tsconfig.json --noEmit false --outDir "$out" >/dev/null 2>&1 || true)
  ln -s "$repo/node_modules" "$out/node_modules"
  cp -r "$repo/proto/flotilla" "$out/proto/"
  echo '{"type":"module"}' > "$out/package.json"
fi
[ "${1:-}" = compile ] && exit 0
if [ "${1:-}" = swarm-images ]; then
  node "$out/bench/convergence/images.js" swarm-images
else
  # The real mode runs bin/flotilla, which runs dist/ (npm run build).
  if [ "${BENCH_MODE:-real}" = real ] && [ -z "${FLOTILLA_CLI:-}" ]; then
    (cd "$repo" && npm run build --silent 1>&2)
  fi
  export FLOTILLA_CLI="${FLOTILLA_CLI:-$repo/bin/flotilla}"
  node "$out/bench/convergence/bench.js"
fi
