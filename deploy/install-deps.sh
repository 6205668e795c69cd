#!/usr/bin/env bash
# Installs the system packages Flotilla needs on Debian 12 (idempotent: installs only what is missing).
#   runtime:  runc, crun (pure cgroup v2 hosts only), conmon, iptables, conntrack, iproute2, tini (for --init), zstd
#   cluster:  etcd-server, etcd-client
#   tests:    docker-registry (a real registry server), busybox-static (test image contents),
#             prometheus .deb (downloaded to /var/cache/flotilla-test, not installed: the monitoring e2e image),
#             apache2-utils (htpasswd for the auth registry), socat, python3,
#             tcpdump (the encrypted overlay test reads the wire), chromium (the dashboard test, via puppeteer-core),
#             systemd (a real systemd-journald, run in its own mount namespace, for the journald log driver)
#   bench:    skopeo, umoci, wrk, hyperfine (references measured beside Flotilla)
#   build:    gcc, libc6-dev (flotilla-probe, the static health-check helper, and flotilla-fsroot,
#             the kernel-confined path resolver of `cp`: scripts/build-native.mjs)
set -euo pipefail

packages=(
  runc crun conmon iptables conntrack iproute2 tini zstd
  etcd-server etcd-client
  docker-registry busybox-static apache2-utils socat python3 curl ca-certificates tcpdump chromium systemd
  skopeo umoci wrk hyperfine
  gcc libc6-dev
)

if [ "$(id -u)" -ne 0 ]; then
  echo "deploy/install-deps.sh must run as root (it uses apt-get)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The monitoring e2e test builds a Prometheus image from Debian's package (no Docker Hub): the .deb
# is only downloaded into a cache, never installed (installing it would start a prometheus service).
test_cache=/var/cache/flotilla-test
if ! compgen -G "$test_cache/prometheus_*.deb" >/dev/null; then
  mkdir -p "$test_cache"
  scratch=$(mktemp -d "$test_cache/.download-XXXXXX")
  if (cd "$scratch" && { apt-get download -qq prometheus 2>/dev/null ||
    { apt-get update -qq && apt-get download -qq prometheus 2>/dev/null; }; }); then
    mv "$scratch"/prometheus_*.deb "$test_cache"/
  else
    echo "warning: could not download Debian's prometheus package into $test_cache" \
      "(test/e2e/monitoring.test.ts will fail)" >&2
  fi
  rm -rf "$scratch"
fi

# Debian starts these services on install; Flotilla starts its own instances on chosen ports.
for svc in etcd docker-registry; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Node.js >= 20 is required (found: $(node -v 2>/dev/null || echo none))" >&2
  exit 1
fi
echo "system packages ready"
