#!/usr/bin/env bash
# Builds the repository into a private directory and runs one service discovery benchmark.
#   bench/service-discovery/run.sh [bench]        DNS latency, simulated propagation (as root, also
#     real iptables-restore timings): BENCH_TASKS=10000 BENCH_SERVICES=100 BENCH_LOCAL=10
#   bench/service-discovery/run.sh vip-throughput requests/s through a VIP vs the task's address,
#     across two simulated machines (root; wrk): BENCH_ROUNDS=3 BENCH_SECONDS=5 BENCH_CONNECTIONS=16
#   bench/service-discovery/run.sh propagation    endpoint-change propagation, SIMULATED manager
#     and agents: BENCH_NODES=1000 BENCH_TASKS=10000 BENCH_CHANGES=50
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
name=${1:-bench}
out=$(mktemp -d /tmp/flt-sd-bench-build.XXXXXX)
trap 'rm -rf "$out"' EXIT
(cd "$repo" && npx tsc -p tsconfig.build.json --outDir "$out" >/dev/null 2>&1 || true)
ln -s "$repo/node_modules" "$out/node_modules"
# The proto loader reads the .proto files beside its own module.
mkdir -p "$out/proto" && ln -s "$repo/proto/flotilla" "$out/proto/flotilla"
echo '{"type":"module"}' > "$out/package.json"
FLT_REPO="$repo" node "$out/bench/service-discovery/${name}.js"
