#!/usr/bin/env bash
# Watchdog benchmark: time to repair each fault, and to the Unhealthy report, in the
# data-plane lab. Prints one JSON object on stdout. Needs root and ip, nft, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
if ((EUID != 0)); then
  echo "bench/watchdog.sh: needs root for network namespaces" >&2
  exit 1
fi
export SWC_NODE_SOURCE_MAP_MODE=none
exec node -r @swc-node/register bench/watchdog.ts
