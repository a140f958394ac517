#!/usr/bin/env bash
# Builds (once) the Debian root that runs the AWS API emulator of the apply tier and the
# data-plane lab, and prints its path: Debian 13 (trixie) with python3-moto (5.1) and what
# its server needs, all from Debian's packages. The root is cached outside the repository,
# keyed by this file's content; concurrent callers wait on a lock instead of building twice.
#
#   build-root.sh [cache-dir]      (default $EGRESS_ROOT_CACHE or /var/cache/cdktf-egress)
#
# Run the server with test/moto/moto-server.ts (chroot, loopback only).
set -euo pipefail

readonly SUITE=trixie MIRROR=${EGRESS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# python3-moto's server mode needs flask and flask-cors, which it only recommends.
readonly PACKAGES="python3-moto python3-flask python3-flask-cors python3-openssl ca-certificates"
cache=${1:-${EGRESS_ROOT_CACHE:-/var/cache/cdktf-egress}}
key=$(sha256sum "$0" | cut -c1-12)
root="$cache/moto-root-$key"

mkdir -p "$cache"
exec 9>"$cache/moto-root.lock"
flock -w 1200 9 || { echo "build-root.sh: timed out waiting for $cache/moto-root.lock" >&2; exit 1; }
if [[ -f $root/.complete ]]; then
  echo "$root"
  exit 0
fi

for tool in debootstrap chroot; do
  command -v "$tool" >/dev/null || { echo "build-root.sh: $tool missing (bash test/ensure-tools.sh)" >&2; exit 1; }
done
tmp=$(mktemp -d "$cache/.moto-build-XXXXXX")
trap 'umount -l "$tmp/proc" 2>/dev/null; rm -rf "$tmp"' EXIT
echo "build-root.sh: debootstrap $SUITE into $tmp (once per machine)" >&2
# The mirror is the one network dependency: a transient failure gets two more tries.
for try in 1 2 3; do
  if timeout 1200 debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" >&2; then break; fi
  ((try < 3)) || { echo "build-root.sh: debootstrap failed 3 times" >&2; exit 1; }
  echo "build-root.sh: debootstrap failed (attempt $try/3); retrying in $((try * 10))s" >&2
  rm -rf "${tmp:?}"/* && sleep $((try * 10))
done
mount -t proc proc "$tmp/proc"
timeout 1200 chroot "$tmp" /bin/sh -euc "apt-get -o Acquire::Retries=3 update -qq &&
  DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends $PACKAGES &&
  apt-get clean" >&2
umount -l "$tmp/proc"
# The server must start: a root that cannot import it is not complete.
timeout 120 chroot "$tmp" python3 -c 'import moto, moto.server, flask_cors; print(moto.__version__)' >"$tmp/.moto-version"
echo "moto-root $SUITE $PACKAGES moto $(cat "$tmp/.moto-version")" >"$tmp/.complete"
mv "$tmp" "$root"
trap - EXIT
find "$cache" -maxdepth 1 -name 'moto-root-*' ! -path "$root" -exec rm -rf {} +
echo "$root"
