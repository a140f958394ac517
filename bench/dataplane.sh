#!/usr/bin/env bash
# Data-plane benchmark: NAT throughput and connection rate against plain routing over the
# same namespaces, and boot-to-forwarding time. Prints one JSON object on stdout.
# Needs root (network namespaces) and ip, nft, python3, curl, iperf3, conntrack.
set -euo pipefail
cd "$(dirname "$0")/.."
if ((EUID != 0)); then
  echo "bench/dataplane.sh: needs root for network namespaces" >&2
  exit 1
fi
export SWC_NODE_SOURCE_MAP_MODE=none
exec node -r @swc-node/register bench/dataplane.ts
