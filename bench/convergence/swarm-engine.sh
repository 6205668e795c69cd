#!/usr/bin/env bash
# Runs CMD beside a private, single-node Docker Swarm (the convergence benchmark's reference), then
# removes every trace of it. Root; run it under the host-tests lock for the whole measurement:
#   flock /tmp/flotilla-host-tests.lock bench/convergence/swarm-engine.sh bench/convergence/run.sh
# The engine: Debian's docker.io and containerd, unpacked (not installed) into FLT_DOCKER_ROOT:
#   apt-get download docker.io containerd tini && for f in *.deb; do dpkg -x "$f" "$FLT_DOCKER_ROOT"; done
# dockerd gets its own data root, exec root, pid file and socket under /tmp, no iptables rules and
# no forwarding; docker0 (--bip below), docker_gwbridge and the ingress namespace it makes are
# removed afterwards, as are its cgroups. CMD sees DOCKER_HOST and the images flt-bench/web:a/:b.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
pkg=${FLT_DOCKER_ROOT:-/tmp/flt-docker-pkgs/root}
base=/tmp/flt-swarm-bench
[ -x "$pkg/usr/sbin/dockerd" ] || { echo "no dockerd under $pkg (see the header)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
for link in docker0 docker_gwbridge; do
  if ip link show "$link" >/dev/null 2>&1; then echo "$link exists already: refusing" >&2; exit 1; fi
done
had_run_docker=$([ -e /run/docker ] && echo 1 || echo 0)
had_run_containerd=$([ -e /run/containerd ] && echo 1 || echo 0)
had_key=$([ -e /etc/docker/key.json ] && echo 1 || echo 0)
forward_policy=$(iptables -S FORWARD | head -1)

export PATH="$pkg/usr/bin:$pkg/usr/sbin:$PATH"
export DOCKER_HOST="unix://$base/docker.sock"
mkdir -p "$base"

cleanup() {
  set +e
  docker swarm leave --force >/dev/null 2>&1
  if [ -f "$base/dockerd.pid" ]; then
    pid=$(cat "$base/dockerd.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null
  fi
  # containerd and its shims are dockerd's children; any shim left is ours (its socket under $base).
  for p in $(pgrep -f "$base" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  findmnt -rn -o TARGET | grep -E "^($base|/run/docker)" | sort -r | xargs -r -n1 umount -l
  for link in docker0 docker_gwbridge; do ip link del "$link" 2>/dev/null; done
  for link in $(ip -br link | awk '{print $1}' | grep -E '^veth' | cut -d@ -f1); do
    [ -z "$(ip link show "$link" | grep -E 'master (docker0|docker_gwbridge)')" ] || ip link del "$link"
  done
  for t in filter nat mangle; do
    for chain in $(iptables -t "$t" -S | awk '/^-N DOCKER/{print $2}'); do
      iptables -t "$t" -S | grep -E -- "-j $chain( |$)" | sed 's/^-A/-D/' |
        while read -r rule; do eval iptables -t "$t" "$rule"; done
      iptables -t "$t" -F "$chain"; iptables -t "$t" -X "$chain"
    done
  done
  iptables $forward_policy 2>/dev/null
  rmdir /sys/fs/cgroup/*/docker/* /sys/fs/cgroup/*/docker 2>/dev/null
  [ "$had_run_docker" = 1 ] || rm -rf /run/docker
  [ "$had_run_containerd" = 1 ] || rm -rf /run/containerd
  [ "$had_key" = 1 ] || rm -f /etc/docker/key.json
  rm -rf "$base"
}
trap cleanup EXIT

DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 setsid dockerd \
  --data-root "$base/docker" --exec-root "$base/exec" --pidfile "$base/dockerd.pid" \
  -H "$DOCKER_HOST" --iptables=false --ip-forward=false --bip 10.251.98.1/24 \
  >"$base/dockerd.log" 2>&1 </dev/null &
for _ in $(seq 1 150); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
docker info >/dev/null || { tail -20 "$base/dockerd.log" >&2; exit 1; }
docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >/dev/null
# The routing mesh opens VXLAN 4789/udp on every address; services without published ports do
# not need it.
echo y | docker network rm ingress >/dev/null
bash "$repo/bench/convergence/run.sh" swarm-images | docker load >&2
"$@"
