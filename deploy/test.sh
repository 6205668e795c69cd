#!/usr/bin/env bash
# The test command from the README: installs what the tests need, builds, checks, and runs the unit,
# integration, end-to-end and chaos suites. Integration and e2e tests need root (runc, iptables, netns).
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
npm run check
npm run test:unit
if [ "$(id -u)" -eq 0 ]; then
  npm run test:integration
  npm run test:e2e
  npm run test:chaos
else
  echo "not root: skipping integration, e2e and chaos tests (they need runc, iptables and network namespaces)"
fi
