#!/usr/bin/env bash
# Builds the CLI (npm run build) and the Engine-API benchmark, and runs it (root). Prints JSON.
#   bench/engine-api/run.sh [ROUNDS=15] [PULL_ROUNDS=5] [MB=32] > result.json
# Needs the docker CLI (client only) and python3-docker; FLOTILLA_CLI overrides bin/flotilla.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/dist/bench-engine-api"
mkdir -p "$out"
(cd "$repo" && npm run build --silent 1>&2)
(cd "$repo" && npx rolldown bench/engine-api/bench.ts --platform node --format esm --no-codeSplitting -e '/^[^./]/' -o "$out/bench.mjs" >/dev/null)
FLOTILLA_CLI="${FLOTILLA_CLI:-$repo/bin/flotilla}" node "$out/bench.mjs" "$@"
