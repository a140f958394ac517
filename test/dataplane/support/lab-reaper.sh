#!/usr/bin/env bash
# Removes a data-plane lab once the process that built it is gone, so a jest worker that
# is killed before its afterAll leaves no namespaces, processes or files behind. The lab
# lists its namespaces in <lab>/namespaces; everything running in them belongs to it.
# Lab.destroy() kills this reaper after cleaning up itself.
# Usage: lab-reaper.sh OWNER_PID LAB_DIR
set -uo pipefail
owner=$1 lab=$2
# Bounded: after an hour the lab is removed whatever its owner does.
for ((i = 0; i < 3600; i++)); do
  kill -0 "$owner" 2>/dev/null || break
  sleep 1
done
if [[ -f $lab/namespaces ]]; then
  while read -r ns; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done <"$lab/namespaces"
fi
# Instance disks (overlay mounts) under the lab go before the files.
awk -v d="$lab/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
rm -rf -- "$lab"
