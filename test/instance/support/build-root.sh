#!/usr/bin/env bash
# Builds (once) the Debian root the instance tier boots under systemd-nspawn, and prints
# its path. Debian 13 (trixie): its systemd 257 copes with the host's current kernel, where
# bookworm's systemd 252 loops re-adding an address it already has after a networkd restart
# (the link ends "failed", "Numerical result out of range") on kernel 6.18. The root is cached outside the repository, keyed by this file's content, and
# rebuilt when missing; concurrent callers wait on a lock instead of building twice.
#
#   build-root.sh [cache-dir]      (default $EGRESS_ROOT_CACHE or /var/cache/cdktf-egress)
#
# What is in it and why:
#   systemd, systemd-sysv, dbus   PID 1, systemd-networkd (part of systemd on Debian)
#   cloud-init                    the real one, fed a NoCloud seed by the test
#   nftables, iproute2, procps    what the boot script runs (nft, ip, sysctl)
#   curl, python3                 IMDSv2 calls; the lab's fake `aws` CLI is Python
#   apt-utils                     builds the local package repository below
# A local apt repository (file:/var/local/egress-repo) stands in for the distribution's
# mirror: the tier's dnf stand-in installs nftables from it with no network, as dnf would
# from AL2023's repositories.
set -euo pipefail

readonly SUITE=trixie MIRROR=${EGRESS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly BASE=systemd,systemd-sysv,dbus,iproute2
readonly PACKAGES="cloud-init nftables procps curl python3 apt-utils"
cache=${1:-${EGRESS_ROOT_CACHE:-/var/cache/cdktf-egress}}
key=$(sha256sum "$0" | cut -c1-12)
root="$cache/instance-root-$key"

mkdir -p "$cache"
exec 9>"$cache/instance-root.lock"
# A build takes a few minutes; a waiter gives up well after the slowest one seen.
flock -w 1200 9 || { echo "build-root.sh: timed out waiting for $cache/instance-root.lock" >&2; exit 1; }
if [[ -f $root/.complete ]]; then
  echo "$root"
  exit 0
fi

for tool in debootstrap systemd-nspawn; do
  command -v "$tool" >/dev/null || { echo "build-root.sh: $tool missing (bash test/ensure-tools.sh)" >&2; exit 1; }
done
tmp=$(mktemp -d "$cache/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "build-root.sh: debootstrap $SUITE into $tmp (once per machine)" >&2
# The mirror is the one network dependency: a transient failure gets two more tries.
for try in 1 2 3; do
  if timeout 1200 debootstrap --variant=minbase --include="$BASE" "$SUITE" "$tmp" "$MIRROR" >&2; then break; fi
  ((try < 3)) || { echo "build-root.sh: debootstrap failed 3 times" >&2; exit 1; }
  echo "build-root.sh: debootstrap failed (attempt $try/3); retrying in $((try * 10))s" >&2
  rm -rf "${tmp:?}"/* && sleep $((try * 10))
done
# apt, not debootstrap, resolves the rest (debootstrap's resolver misses virtual packages).
in_root() { timeout 1200 systemd-nspawn --quiet --register=no --keep-unit -D "$tmp" /bin/sh -euc "$1" >&2; }
in_root "apt-get -o Acquire::Retries=3 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends $PACKAGES"

# The local repository, from the packages apt downloaded.
mkdir -p "$tmp/var/local/egress-repo"
cp "$tmp"/var/cache/apt/archives/nftables_*.deb "$tmp"/var/cache/apt/archives/libnftables1_*.deb "$tmp/var/local/egress-repo/"
in_root 'cd /var/local/egress-repo && apt-ftparchive packages . >Packages && apt-ftparchive release . >Release'
echo 'deb [trusted=yes] file:/var/local/egress-repo ./' >"$tmp/etc/apt/sources.list"
rm -f "$tmp"/var/cache/apt/archives/*.deb

# cloud-init reads only the NoCloud seed; no network datasource is probed.
cat >"$tmp/etc/cloud/cloud.cfg.d/90-egress-lab.cfg" <<'EOF'
# Instance tier: the test writes the seed to /var/lib/cloud/seed/nocloud/.
datasource_list: [NoCloud, None]
EOF
# Nothing in the root configures interfaces: the lab's ec2-net-utils fixture and the boot
# script do. Services a container cannot run are masked so boots stay quiet and quick.
rm -f "$tmp"/etc/systemd/network/*.network
in_root 'systemctl enable systemd-networkd.service >/dev/null 2>&1
  systemctl mask getty@tty1.service console-getty.service \
    systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1'
echo "instance-root $SUITE $BASE $PACKAGES" >"$tmp/.complete"
mv "$tmp" "$root"
trap - EXIT
# Older roots (another version of this file) are no longer used.
find "$cache" -maxdepth 1 -name 'instance-root-*' ! -path "$root" -exec rm -rf {} +
echo "$root"
