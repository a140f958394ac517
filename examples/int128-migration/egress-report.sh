#!/bin/bash
# Logs which address this NAT instance sends traffic from, once at boot.
set -euo pipefail
token=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')
mac=$(curl -sf -H "X-aws-ec2-metadata-token: ${token}" http://169.254.169.254/latest/meta-data/mac)
ip=$(curl -sf -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/network/interfaces/macs/${mac}/public-ipv4s" || true)
logger -t egress-report "primary interface public address: ${ip:-none}"
