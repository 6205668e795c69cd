#!/usr/bin/env bash
# Builds Flotilla (npm run build) and the health-check benchmark, and runs it (root, cgroup v1
# cpuacct). Prints JSON on stdout. Take the host-tests lock around it on a shared machine.
#   bench/health/run.sh [CONTAINERS=100] [SECONDS=60] [MODES=runc-exec,probe-server,docker] > result.json
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/.test-build/bench-health"
mkdir -p "$out"
(cd "$repo" && npm run build --silent 1>&2)
(cd "$repo" && npx rolldown bench/health/bench.ts --platform node --format esm --no-codeSplitting -e '/^[^./]/' -o "$out/bench.mjs" >/dev/null)
FLOTILLA_CLI="${FLOTILLA_CLI:-$repo/bin/flotilla}" node "$out/bench.mjs" "$@"
