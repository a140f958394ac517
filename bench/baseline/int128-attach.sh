#!/usr/bin/env bash
# Baseline for the replacement-gap bench: int128/terraform-aws-nat-instance's way to get the
# ENIs, run in the same lab. It retries `attach-network-interface` once a second until it
# succeeds (int128 gives up after 180 s; INT128_ATTACH_SECONDS scales that), then runs the
# shipped boot script ($BOOT_SCRIPT), which finds the ENIs attached and only configures.
# No lifecycle hooks, no handover, no watcher: what int128 has.
set -uo pipefail
: "${BOOT_SCRIPT:?}" "${EGRESS_CONF:?}"
conf() { sed -n "s/^$1=\"\\(.*\\)\"$/\\1/p" "$EGRESS_CONF"; }
# Microseconds; the budget may be fractional (a scaled clock).
now_us() { echo "${EPOCHREALTIME/./}"; }
end=$(($(now_us) + $(awk -v s="${INT128_ATTACH_SECONDS:-180}" 'BEGIN { printf "%d", s * 1000000 }')))
IMDS=http://169.254.169.254/latest
token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/api/token")
instance=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" "$IMDS/meta-data/instance-id")
region=$(conf REGION) nat=$(conf NAT_ID)
enis=$(aws ec2 describe-network-interfaces --region "$region" --output text --filters "Name=tag:cdktf-egress:nat,Values=$nat" \
  --query "NetworkInterfaces[].[TagSet[?Key=='cdktf-egress:device-index'].Value|[0],NetworkInterfaceId,MacAddress,Attachment.InstanceId,Attachment.AttachmentId]")
while read -r idx eni _; do
  [[ $idx == None ]] && continue
  until aws ec2 attach-network-interface --region "$region" --output text --network-interface-id "$eni" \
    --instance-id "$instance" --device-index "$idx" 2>/dev/null; do
    (($(now_us) < end)) || { echo "int128: gave up attaching $eni" >&2; exit 1; }
    sleep 1
  done
done <<<"$enis"
exec "$BOOT_SCRIPT"
