#!/usr/bin/env bash
# cdktf-egress NAT watcher, run by cdktf-egress-nat-watch.service once the NAT is up.
#
# Every second it looks at IMDS and at the NAT's interfaces:
#   autoscaling/target-lifecycle-state "Terminated"  the group is removing this instance (the
#       terminate hook holds it): release the interfaces now, so the successor or the next
#       launch attaches them without waiting for this instance's shutdown; then complete the hook.
#   spot/instance-action  a two-minute interruption notice: keep forwarding, so the replacement
#       capacity rebalancing launches takes over without a gap, and release the interfaces
#       SPOT_RELEASE_SECONDS before the interruption if nobody has taken them by then.
#   events/recommendations/rebalance  logged: interruption is only more likely, and the
#       replacement the group launches takes the interfaces over when it is ready.
#   interfaces gone  a successor took them: step aside (forwarding off, NAT table removed).
#   interfaces back  the successor failed and gave them back: run the boot script again.
#
# Environment overrides, for tests only:
#   EGRESS_CONF, EGRESS_STATE_DIR   as for nat-boot.sh
#   EGRESS_BOOT_CMD                 how to run the boot again (default: restart its unit)
#   EGRESS_WATCH_INTERVAL_MS        poll interval (default 1000)
# shellcheck source-path=SCRIPTDIR
set -Euo pipefail
readonly CONF=${EGRESS_CONF:-/etc/cdktf-egress/nat.conf}
readonly STATE_DIR=${EGRESS_STATE_DIR:-/run/cdktf-egress}
readonly INTERVAL_MS=${EGRESS_WATCH_INTERVAL_MS:-1000}
readonly TABLE=cdktf_egress
NAT_ID="" REGION="" EC2_ENDPOINT_URL="" TERMINATE_HOOK="" SPOT_RELEASE_SECONDS=20 INSTANCE_ID=""

log() { printf 'cdktf-egress-watch: %s\n' "$*" >&2; }
# shellcheck source=nat-aws.sh
source "$(dirname "${BASH_SOURCE[0]}")/nat-aws.sh"
trap 'rm -f "$AWS_ERRFILE"' EXIT

load_config() {
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^(NAT_ID|REGION|EC2_ENDPOINT_URL|TERMINATE_HOOK|SPOT_RELEASE_SECONDS)=\"?([^\"]*)\"?$ ]] || continue
    printf -v "${BASH_REMATCH[1]}" '%s' "${BASH_REMATCH[2]}"
  done <"$CONF"
  [[ $SPOT_RELEASE_SECONDS =~ ^[0-9]{1,3}$ ]] || { log "SPOT_RELEASE_SECONDS must be 0-999 seconds, not ${SPOT_RELEASE_SECONDS:0:40}; using 20"; SPOT_RELEASE_SECONDS=20; }
  [[ -z $EC2_ENDPOINT_URL ]] || export AWS_USE_DUALSTACK_ENDPOINT=true
}

link_by_mac() { ip -br link show | awk -v m="${1,,}" '$3 == m && !f { sub(/@.*/, "", $1); print $1; f = 1 }'; }

# "all", "none" or "some" of the recorded interfaces are here.
interfaces_here() {
  local idx eni mac have=0 total=0
  while read -r idx eni mac; do
    total=$((total + 1))
    [[ -z $(link_by_mac "$mac") ]] || have=$((have + 1))
  done <"$STATE_DIR/interfaces"
  if ((have == total)); then echo all; elif ((have == 0)); then echo none; else echo some; fi
}

step_aside() {
  nft delete table ip "$TABLE" 2>/dev/null || :
  echo 0 >/proc/sys/net/ipv4/ip_forward
  log "stepped aside: $1"
}

# Detaches every recorded interface still attached here, the egress ENI (device 1) last: the
# API calls leave through it, and the answer to its own detach may be lost on the way
# (retried, it is then NotFound: done).
release() {
  local idx eni mac row enis
  ec2 describe-network-interfaces --filters "Name=tag:cdktf-egress:nat,Values=$NAT_ID" \
    --query "NetworkInterfaces[].[TagSet[?Key=='cdktf-egress:device-index'].Value|[0],NetworkInterfaceId,MacAddress,Attachment.InstanceId,Attachment.AttachmentId]" \
    || { log "cannot list the interfaces to release them: $(aws_why)"; return 1; }
  enis=$AWS_OUT
  step_aside "$1"
  while read -r idx eni mac; do
    row=$(awk -v e="$eni" -v i="$INSTANCE_ID" '$2 == e && $4 == i { print $5 }' <<<"$enis")
    [[ -n $row ]] || continue
    if ec2 detach-network-interface --attachment-id "$row" || [[ $AWS_ERR == InvalidAttachmentID.NotFound && $AWS_TRIES -gt 1 ]]; then
      log "released $eni (device $idx)"
    else log "could not release $eni: $(aws_why)"; fi
  done < <(sort -rn "$STATE_DIR/interfaces")
}

# Seconds until the interruption in a spot/instance-action document, or nothing.
spot_seconds_left() {
  local when
  [[ $1 =~ \"time\"[[:space:]]*:[[:space:]]*\"([^\"]+)\" ]] || return 0
  when=$(date -d "${BASH_REMATCH[1]}" +%s 2>/dev/null) || return 0
  echo $((when - $(date +%s)))
}

main() {
  local state=active target action left rebalance_seen="" spot_seen="" tick=0
  load_config
  imds_token || { log "no IMDSv2 token"; exit 1; }
  INSTANCE_ID=$(imds instance-id) || { log "no instance ID from IMDS"; exit 1; }
  [[ -n $REGION ]] || REGION=$(imds placement/region) || { log "no region from IMDS"; exit 1; }
  [[ -s $STATE_DIR/interfaces ]] || { log "no $STATE_DIR/interfaces: the NAT is not up"; exit 3; }
  log "watching $INSTANCE_ID (NAT $NAT_ID)"
  while :; do
    # Tokens last six hours: take a new one every hour.
    if ((++tick % (3600000 / INTERVAL_MS) == 0)); then imds_token || log "IMDSv2 token refresh failed"; fi
    target=$(imds autoscaling/target-lifecycle-state 2>/dev/null) || target=""
    if [[ $target == Terminated ]]; then
      if [[ $state != released ]]; then release "the group is terminating this instance" && state=released; fi
      complete_lifecycle "$TERMINATE_HOOK" Terminating:Wait CONTINUE && exit 0
    fi
    action=$(imds spot/instance-action 2>/dev/null) || action=""
    if [[ -n $action && $state != released ]]; then
      [[ -n $spot_seen ]] || log "spot interruption notice: $action"
      spot_seen=1
      left=$(spot_seconds_left "$action")
      if [[ -n $left ]] && ((left <= SPOT_RELEASE_SECONDS)); then
        release "spot interruption in ${left}s" && state=released
      fi
    fi
    if [[ -z $rebalance_seen ]] && imds events/recommendations/rebalance >/dev/null 2>&1; then
      rebalance_seen=1
      log "rebalance recommendation: the replacement the group launches takes the interfaces over"
    fi
    case "$state:$(interfaces_here)" in
      active:none | active:some) step_aside "a successor took the interfaces" && state=aside ;;
      aside:all)
        log "the interfaces are back; running the boot again"
        if ${EGRESS_BOOT_CMD:-systemctl restart cdktf-egress-nat.service}; then state=active; else log "the boot failed"; fi
        ;;
    esac
    sleep_ms "$INTERVAL_MS"
  done
}

main
