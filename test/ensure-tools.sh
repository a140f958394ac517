#!/usr/bin/env bash
# Installs the Debian packages the test tiers run (as root, when any is missing), so
# `npm test` works on a fresh machine. Without root it names what is missing and fails.
set -euo pipefail

declare -A need=([ip]=iproute2 [nft]=nftables [iperf3]=iperf3 [shellcheck]=shellcheck [python3]=python3 [curl]=curl [conntrack]=conntrack
  [debootstrap]=debootstrap [systemd-nspawn]=systemd-container [nsenter]=util-linux [aws]=awscli [sha256sum]=coreutils)
missing=()
for tool in "${!need[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${need[$tool]}")
done
((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
  echo "error: missing tools; install the Debian packages: ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get -o Acquire::Retries=3 update -qq >&2
timeout 900 apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends "${missing[@]}" >&2
