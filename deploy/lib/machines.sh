#!/usr/bin/env bash
# Simulated machines on one host: each "machine" is a network namespace with its own address on a
# shared bridge, as if they were hosts on one LAN. Used by the quickstart and the end-to-end tests.
#
#   machines.sh up N [PREFIX]     creates PREFIX-lan (bridge, 10.99.0.1/24) and netns PREFIX-m1..mN
#                                 with addresses 10.99.0.11..(10+N)
#   machines.sh down [PREFIX]     removes them (idempotent)
#   machines.sh addr I            prints the address of machine I
#
# Processes of a machine run with `nsenter --net=/run/netns/PREFIX-mI`: only the network namespace
# changes, so mounts (overlay root filesystems) stay visible to every process on the host, as they
# would on a real machine across agent restarts.
set -euo pipefail

lan_subnet_prefix=${FLT_LAN_PREFIX:-10.99.0}

machine_addr() { echo "${lan_subnet_prefix}.$((10 + $1))"; }

machines_up() {
  local n=$1 prefix=${2:-flt}
  local br="${prefix}-lan"
  # Another set of machines (or anything else) on this subnet would take the host's route to it, and
  # nothing here would answer: say so now rather than let every later step time out.
  local holder
  holder=$(ip -o -4 addr show to "${lan_subnet_prefix}.0/24" | awk '{print $2}' | grep -vx "$br" | head -1 || true)
  if [ -n "$holder" ]; then
    echo "machines.sh: ${lan_subnet_prefix}.0/24 is already on $holder; take those machines down first (machines.sh down ${holder%-lan}) or set FLT_LAN_PREFIX" >&2
    exit 1
  fi
  if ! ip link show "$br" >/dev/null 2>&1; then
    ip link add "$br" type bridge
    ip addr add "${lan_subnet_prefix}.1/24" dev "$br"
  fi
  ip link set "$br" up
  # The LAN must forward between machines even if another engine set the FORWARD policy to DROP.
  iptables -C FORWARD -i "$br" -o "$br" -j ACCEPT 2>/dev/null || iptables -I FORWARD -i "$br" -o "$br" -j ACCEPT
  for i in $(seq 1 "$n"); do
    local ns="${prefix}-m${i}" hv="${prefix}-m${i}h"
    ip netns list | grep -qw "^${ns}" || ip netns add "$ns"
    if ! ip link show "$hv" >/dev/null 2>&1; then
      ip link add "$hv" type veth peer name eth0 netns "$ns"
      ip link set "$hv" master "$br" up
      ip -n "$ns" addr add "$(machine_addr "$i")/24" dev eth0
      ip -n "$ns" link set eth0 up
      ip -n "$ns" link set lo up
      ip -n "$ns" route add default via "${lan_subnet_prefix}.1"
    fi
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
  done
}

machines_down() {
  local prefix=${1:-flt}
  local br="${prefix}-lan"
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^${prefix}-m[0-9]+$" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" || true
  done
  # The kernel destroys a deleted namespace (and with it the veth peer) asynchronously, after its
  # last reference is gone; delete the host ends ourselves so `down` leaves no link behind.
  local hv
  for hv in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^${prefix}-m[0-9]+h$" || true); do
    ip link del "$hv" 2>/dev/null || true
  done
  iptables -D FORWARD -i "$br" -o "$br" -j ACCEPT 2>/dev/null || true
  if ip link show "$br" >/dev/null 2>&1; then ip link del "$br"; fi
}

case "${1:-}" in
  up) machines_up "${2:?number of machines}" "${3:-flt}" ;;
  down) machines_down "${2:-flt}" ;;
  addr) machine_addr "${2:?machine index}" ;;
  *) echo "usage: machines.sh up N [PREFIX] | down [PREFIX] | addr I" >&2; exit 2 ;;
esac
