#!/usr/bin/env bash
# Local multi-node cluster on one machine. Being built (issue 7); today it installs dependencies
# and builds the project.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
npm ci --no-audit --no-fund
npm run build
echo "Flotilla is built: ./bin/flotilla --help"
