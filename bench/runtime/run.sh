#!/usr/bin/env bash
# Builds the CLI (npm run build) and the runtime benchmark, and runs it (root). Prints JSON on stdout.
#   bench/runtime/run.sh [RUNS=10] [CONTAINERS=100] > result.json
# The CLI measured is bin/flotilla, the executable users run (FLOTILLA_CLI overrides, e.g. another
# checkout's bin/flotilla for a before/after pair). It used to be a one-file rolldown bundle, which
# inlines the CLI's lazily imported command groups and so measured a start-up users never see.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/node_modules/.flotilla-bench-rt"
mkdir -p "$out"
(cd "$repo" && npm run build --silent 1>&2)
(cd "$repo" && npx rolldown bench/runtime/bench.ts --platform node --format esm --no-codeSplitting -e '/^[^./]/' -o "$out/bench.mjs" >/dev/null)
FLOTILLA_CLI="${FLOTILLA_CLI:-$repo/bin/flotilla}" node "$out/bench.mjs" "$@"
