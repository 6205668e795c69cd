#!/usr/bin/env bash
# Bundles the CLI and the runtime benchmark and runs it (root). Prints JSON on stdout.
#   bench/runtime/run.sh [RUNS=10] [CONTAINERS=100] > result.json
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/node_modules/.flotilla-bench-rt"
mkdir -p "$out"
printf "import { main } from '%s/cli/main.ts';\nmain(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n" "$repo" > "$out/cli.ts"
(cd "$repo" && npx rolldown "$out/cli.ts" --platform node --format esm --no-codeSplitting -e '/^[^./]/' -o "$out/cli.mjs" >/dev/null)
(cd "$repo" && npx rolldown bench/runtime/bench.ts --platform node --format esm --no-codeSplitting -e '/^[^./]/' -o "$out/bench.mjs" >/dev/null)
FLOTILLA_CLI="$out/cli.mjs" node "$out/bench.mjs" "$@"
