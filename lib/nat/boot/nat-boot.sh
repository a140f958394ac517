#!/usr/bin/env bash
# cdktf-egress NAT instance boot script, run at every boot by cdktf-egress-nat.service.
#
# Attaches the NAT's ENIs (found by tag), switches egress onto the egress ENI (or moves
# the EIP onto the primary interface), installs policy routing for the spokes and one
# nftables table (masquerade, port forwards, forward filter) in a single atomic
# transaction, turns forwarding on and exits 0. On any failure it removes its table,
# turns forwarding off, reports the instance Unhealthy to its Auto Scaling group and
# exits non-zero. Running it again converges to the same state.
#
# --repair (the watchdog's entry point): the same convergence, but a failure only exits
# non-zero, leaving what works in place; the watchdog counts failed repairs and reports.
#
# nftables: `nft` comes from the `nftables` package, which the cloud-config installs
# (`packages: [nftables]`) before runcmd starts this unit. Should it still be missing,
# the script installs it with dnf once the instance has its egress route.
#
# Config: /etc/cdktf-egress/nat.conf, KEY="value" lines written at synth time.
# Environment overrides, for tests only:
#   EGRESS_CONF          config path (default /etc/cdktf-egress/nat.conf)
#   EGRESS_NETWORKD_DIR  systemd-networkd files (default /etc/systemd/network)
set -Eeuo pipefail
umask 022
export AWS_PAGER=""
readonly CONF=${EGRESS_CONF:-/etc/cdktf-egress/nat.conf}
readonly NETDIR=${EGRESS_NETWORKD_DIR:-/etc/systemd/network}
readonly IMDS=http://169.254.169.254/latest
# Device index N: routing table and rule priority RT_BASE+N; for spokes also conntrack
# zone N and fwmark RT_BASE+N.
readonly TABLE=cdktf_egress RT_BASE=7000
INSTANCE_ID="" TOKEN=""
REPAIR=0
[[ ${1:-} != --repair ]] || REPAIR=1

log() { printf 'cdktf-egress-nat: %s\n' "$*" >&2; }

fail() {
  # In a $(...) subshell only say why; the main shell then fails on the assignment.
  if [[ $BASHPID != "$$" ]]; then log "$*"; exit 1; fi
  trap - ERR INT TERM
  set +e
  log "FAILED: $*"
  ((REPAIR == 0)) || exit 1
  nft delete table ip "$TABLE" 2>/dev/null
  echo 0 >/proc/sys/net/ipv4/ip_forward
  if [[ -n $INSTANCE_ID ]]; then
    # Without --no-should-respect-grace-period the ASG ignores this during its grace period.
    if timeout 20 aws autoscaling set-instance-health --region "$REGION" --instance-id "$INSTANCE_ID" \
      --health-status Unhealthy --no-should-respect-grace-period >/dev/null; then
      log "reported $INSTANCE_ID Unhealthy"
    else log "could not report $INSTANCE_ID Unhealthy"; fi
  fi
  exit 1
}
trap 'fail "command failed (status $?) at line $LINENO: $BASH_COMMAND"' ERR
trap 'fail "interrupted"' INT TERM

# --- config ---------------------------------------------------------------------
NAT_ID="" REGION="" EGRESS_MODE="dedicated" EC2_ENDPOINT_URL="" HUB_CIDRS="" SPOKES=""
PORT_FORWARDS="" ATTACH_MAX_ATTEMPTS=8 INTERFACE_WAIT_SECONDS=60
readonly IP4='((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])'
readonly CIDR="$IP4/(3[0-2]|[12]?[0-9])"
readonly CIDRS="$CIDR(,$CIDR)*"

# Parsed, not sourced: only known keys are taken, and every value is checked.
load_config() {
  [[ -r $CONF ]] || fail "config $CONF not readable"
  local line k w
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    [[ $line =~ ^([A-Z0-9_]+)=\"?([^\"]*)\"?$ ]] || fail "bad config line: $line"
    k=${BASH_REMATCH[1]}
    case $k in
      NAT_ID | REGION | EGRESS_MODE | EC2_ENDPOINT_URL | HUB_CIDRS | SPOKES | PORT_FORWARDS | ATTACH_MAX_ATTEMPTS | INTERFACE_WAIT_SECONDS)
        printf -v "$k" '%s' "${BASH_REMATCH[2]}" ;;
      *) log "ignoring unknown config key $k" ;;
    esac
  done <"$CONF"
  [[ -n $NAT_ID ]] || fail "NAT_ID is empty"
  [[ $EGRESS_MODE == dedicated || $EGRESS_MODE == primary ]] || fail "EGRESS_MODE must be dedicated or primary"
  [[ $ATTACH_MAX_ATTEMPTS =~ ^[1-9][0-9]?$ ]] || fail "ATTACH_MAX_ATTEMPTS must be 1-99"
  [[ $INTERFACE_WAIT_SECONDS =~ ^[1-9][0-9]{0,3}$ ]] || fail "INTERFACE_WAIT_SECONDS must be 1-9999"
  for w in $HUB_CIDRS; do [[ $w =~ ^$CIDR$ ]] || fail "HUB_CIDRS: bad CIDR $w"; done
  for w in $SPOKES; do [[ $w =~ ^[1-9][0-9]?=$CIDRS$ ]] || fail "SPOKES: bad entry $w"; done
  for w in $PORT_FORWARDS; do
    [[ $w =~ ^(tcp|udp):[0-9]{1,5}:$IP4:[0-9]{1,5}:$CIDRS$ ]] || fail "PORT_FORWARDS: bad entry $w"
  done
  [[ $EGRESS_MODE == dedicated || -n $SPOKES ]] || fail "primary mode serves only spokes; SPOKES is empty"
}

# --- IPv4 arithmetic --------------------------------------------------------------
ip2int() { local IFS=.; read -r a b c d <<<"$1"; echo $(((a << 24) | (b << 16) | (c << 8) | d)); }
int2ip() { echo "$((($1 >> 24) & 255)).$((($1 >> 16) & 255)).$((($1 >> 8) & 255)).$(($1 & 255))"; }
mask() { echo $(((0xffffffff << (32 - $1)) & 0xffffffff)); }
# The VPC router of a subnet is its first host.
first_host() { local n m; n=$(ip2int "${1%/*}") m=$(mask "${1#*/}"); int2ip $(((n & m) + 1)); }
in_cidr() { local a n m; a=$(ip2int "$1") n=$(ip2int "${2%/*}") m=$(mask "${2#*/}"); (((a & m) == (n & m))); }
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

# --- IMDSv2 and the AWS CLI -------------------------------------------------------
imds_token() {
  TOKEN=$(curl -fsS --noproxy '*' --max-time 3 --retry 5 --retry-delay 1 --retry-connrefused -X PUT \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600' "$IMDS/api/token") || fail "no IMDSv2 token"
}
imds() {
  curl -fsS --noproxy '*' --max-time 3 --retry 3 --retry-delay 1 \
    -H "X-aws-ec2-metadata-token: $TOKEN" "$IMDS/meta-data/$1"
}
ec2() {
  local ep=()
  [[ -z $EC2_ENDPOINT_URL ]] || ep=(--endpoint-url "$EC2_ENDPOINT_URL")
  timeout 30 aws ec2 "$@" --region "$REGION" "${ep[@]}" --output text
}

# ENIs tagged for this NAT: "device-index eni-id mac attached-instance" per line.
describe_enis() {
  ec2 describe-network-interfaces --filters "Name=tag:cdktf-egress:nat,Values=$NAT_ID" \
    --query "NetworkInterfaces[].[TagSet[?Key=='cdktf-egress:device-index'].Value|[0],NetworkInterfaceId,MacAddress,Attachment.InstanceId]"
}

# --- interfaces -------------------------------------------------------------------
# By MAC, never by name. awk reads all input: with pipefail an early exit could fail `ip`.
link_by_mac() { ip -br link show | awk -v m="${1,,}" '$3 == m && !f { sub(/@.*/, "", $1); print $1; f = 1 }'; }

# Retries with bounded exponential backoff while the old instance still holds the ENI.
attach() { # idx eni
  local idx=$1 eni=$2 try=1 delay=1 out
  while :; do
    if out=$(ec2 attach-network-interface --network-interface-id "$eni" --instance-id "$INSTANCE_ID" \
      --device-index "$idx" --query AttachmentId 2>&1); then
      log "attached $eni as device $idx ($out)"
      return
    fi
    out=${out//$'\n'/ }
    # An attach that went through but whose answer was lost counts as done.
    if describe_enis | awk -v e="$eni" -v i="$INSTANCE_ID" '$2 == e && $4 == i { f = 1 } END { exit !f }'; then
      log "$eni is attached to $INSTANCE_ID"
      return
    fi
    ((try < ATTACH_MAX_ATTEMPTS)) || fail "attach $eni as device $idx: gave up after $try attempts: $out"
    log "attach $eni as device $idx failed (attempt $try/$ATTACH_MAX_ATTEMPTS), retrying in ${delay}s: $out"
    sleep "$delay"
    try=$((try + 1)) delay=$((delay < 16 ? delay * 2 : 30))
  done
}

# Waits for the interface with this MAC and for its IMDS data; sets DEV, IPLEN, NET and MACS [idx].
wait_link() { # idx mac
  local idx=$1 mac=$2 end n=0 dev ip net
  end=$(($(now_us) + INTERFACE_WAIT_SECONDS * 1000000))
  while ((n++ < INTERFACE_WAIT_SECONDS * 4 + 4)); do
    dev=$(link_by_mac "$mac")
    if [[ -n $dev ]] && ip=$(imds "network/interfaces/macs/$mac/local-ipv4s" 2>/dev/null) \
      && net=$(imds "network/interfaces/macs/$mac/subnet-ipv4-cidr-block" 2>/dev/null); then
      # udev may still be renaming a hot-plugged NIC (eth1 -> ens6): settle, then look again.
      if command -v udevadm >/dev/null; then timeout 15 udevadm settle --timeout=10 || :; fi
      dev=$(link_by_mac "$mac")
      DEV[idx]=$dev IPLEN[idx]=${ip%%$'\n'*}/${net#*/} NET[idx]=$net MACS[idx]=$mac
      [[ -n $dev ]] && return
    fi
    (($(now_us) < end)) || break
    sleep 0.5
  done
  fail "interface $mac did not appear within ${INTERFACE_WAIT_SECONDS}s"
}

# Up, with its address from IMDS unless DHCP (amazon-ec2-net-utils) or networkd gave it already.
link_up() { # dev ip/len
  local have
  ip link set dev "$1" up
  have=$(ip -4 -o addr show dev "$1")
  [[ $have == *" ${2%/*}/"* ]] || ip addr add "$2" dev "$1"
}

attach_enis() {
  local enis idx row eni mac holder wanted=()
  enis=$(describe_enis) || fail "describe-network-interfaces failed"
  [[ $EGRESS_MODE != dedicated ]] || wanted+=(1)
  for row in $SPOKES; do wanted+=("${row%%=*}"); done
  mapfile -t wanted < <(printf '%s\n' "${wanted[@]}" | sort -n)
  for idx in "${wanted[@]}"; do
    row=$(awk -v i="$idx" '$1 == i' <<<"$enis")
    [[ -n $row && $row != *$'\n'* ]] || fail "expected one ENI tagged cdktf-egress:device-index=$idx, found: ${row:-none}"
    read -r _ eni mac holder <<<"$row"
    if [[ $holder == "$INSTANCE_ID" ]]; then log "$eni already attached as device $idx"; else attach "$idx" "$eni"; fi
    wait_link "$idx" "$mac"
    link_up "${DEV[idx]}" "${IPLEN[idx]}"
    log "device $idx: $eni $mac is ${DEV[idx]} ${IPLEN[idx]}"
  done
}

# --- systemd-networkd: the same addresses, routes and rules, declared --------------
# These files sort before amazon-ec2-net-utils' (70-*), so networkd uses them for these
# interfaces at every later boot and DHCP renewal, and keeps the default route here.
NETFILES=()
networkd_file() { # idx mac ip/len [more sections]
  local f="$NETDIR/40-cdktf-egress-dev$1.network"
  mkdir -p "$NETDIR"
  printf '# Written by cdktf-egress nat-boot.sh at every boot.\n[Match]\nMACAddress=%s\n\n[Link]\nRequiredForOnline=no\n\n[Network]\nAddress=%s\n%s' \
    "$2" "$3" "${4:-}" >"$f.tmp"
  mv -f "$f.tmp" "$f"
  NETFILES+=("$f")
}

networkd_apply() {
  local f
  for f in "$NETDIR"/40-cdktf-egress-dev*.network; do
    [[ -e $f && " ${NETFILES[*]} " != *" $f "* ]] && rm -f "$f"
  done
  case $NETDIR in /etc/systemd/network | /run/systemd/network) ;; *) return 0 ;; esac
  if systemctl is-active --quiet systemd-networkd 2>/dev/null; then
    timeout 20 networkctl reload || log "networkctl reload failed; the runtime routes are in place"
  fi
}

# --- egress -------------------------------------------------------------------------
setup_egress() {
  local alloc assoc primary_eni
  if [[ $EGRESS_MODE == dedicated ]]; then
    EGRESS_DEV=${DEV[1]} EGRESS_IP=${IPLEN[1]%/*} EGRESS_GW=$(first_host "${NET[1]}")
    networkd_file 1 "${MACS[1]}" "${IPLEN[1]}" $'\n[Route]\nGateway='"$EGRESS_GW"$'\n'
    return
  fi
  EGRESS_DEV=$PRIMARY_DEV
  EGRESS_IP=$(imds "network/interfaces/macs/$PRIMARY_MAC/local-ipv4s")
  EGRESS_IP=${EGRESS_IP%%$'\n'*}
  primary_eni=$(imds "network/interfaces/macs/$PRIMARY_MAC/interface-id")
  alloc=$(ec2 describe-addresses --filters "Name=tag:cdktf-egress:nat,Values=$NAT_ID" --query 'Addresses[0].AllocationId')
  [[ $alloc == eipalloc-* ]] || fail "no EIP tagged cdktf-egress:nat=$NAT_ID (got: $alloc)"
  assoc=$(ec2 associate-address --allocation-id "$alloc" --network-interface-id "$primary_eni" \
    --allow-reassociation --query AssociationId)
  log "EIP $alloc associated with $primary_eni ($assoc)"
}

# SPOKE_LIST gets "idx dev gateway cidrs" per spoke; INTERNAL every CIDR the NAT must
# never forward to (hub, its own VPC, all spokes).
setup_spokes() {
  local w idx cidrs gw mark c more own
  SPOKE_LIST=()
  own=$(imds "network/interfaces/macs/$PRIMARY_MAC/vpc-ipv4-cidr-blocks")
  INTERNAL="$HUB_CIDRS ${own//$'\n'/ }"
  for w in $SPOKES; do
    idx=${w%%=*} cidrs=${w#*=}
    gw=$(first_host "${NET[idx]}") mark=$((RT_BASE + idx))
    SPOKE_LIST+=("$idx ${DEV[idx]} $gw $cidrs")
    INTERNAL+=" ${cidrs//,/ }"
    more=$'\n[RoutingPolicyRule]\nFirewallMark='"$mark"$'\nTable='"$mark"$'\nPriority='"$mark"$'\n'
    for c in ${cidrs//,/ }; do more+=$'\n[Route]\nDestination='"$c"$'\nGateway='"$gw"$'\nTable='"$mark"$'\n'; done
    networkd_file "$idx" "${MACS[idx]}" "${IPLEN[idx]}" "$more"
  done
  # shellcheck disable=SC2086 # word splitting wanted
  INTERNAL=$(printf '%s\n' $INTERNAL | sort -u | tr '\n' ' ')
}

# Replies go out the interface their flow came in on: the flow's ct mark selects the
# spoke's table, so spokes with identical CIDRs work side by side.
apply_routes() {
  local pref s idx dev gw cidrs c mark primary net
  for pref in $(ip -4 rule show | awk -F: -v lo=$RT_BASE '$1 >= lo && $1 < lo + 100 { print $1 }'); do
    ip rule del pref "$pref"
  done
  if [[ $EGRESS_MODE == dedicated ]]; then
    ip route replace default via "$EGRESS_GW" dev "$EGRESS_DEV"
    # Traffic from the primary address (SSH to its public IP) still leaves by the primary
    # interface: AWS drops it on the egress ENI. Table RT_BASE+0, device 0.
    primary=$(imds "network/interfaces/macs/$PRIMARY_MAC/local-ipv4s")
    net=$(imds "network/interfaces/macs/$PRIMARY_MAC/subnet-ipv4-cidr-block")
    ip route replace default via "$(first_host "$net")" dev "$PRIMARY_DEV" table $RT_BASE
    ip rule add from "${primary%%$'\n'*}" table $RT_BASE pref $RT_BASE
  fi
  for s in "${SPOKE_LIST[@]}"; do
    read -r idx dev gw cidrs <<<"$s"
    mark=$((RT_BASE + idx))
    ip route flush table "$mark" 2>/dev/null || : # absent on first boot
    for c in ${cidrs//,/ }; do ip route add "$c" via "$gw" dev "$dev" table "$mark"; done
    ip rule add fwmark "$mark" table "$mark" pref "$mark"
  done
}

# --- nftables ---------------------------------------------------------------------------
nft_set() { # name cidrs...
  local name=$1
  shift
  printf '\tset %s {\n\t\ttype ipv4_addr; flags interval; auto-merge;\n' "$name"
  if (($#)); then local IFS=,; printf '\t\telements = { %s }\n' "$*"; fi
  printf '\t}\n'
}

# Routing mark for traffic to a port-forward target: its spoke's, or 0 (main table).
target_mark() { # ip
  local s idx c cidrs
  for s in "${SPOKE_LIST[@]}"; do
    read -r idx _ _ cidrs <<<"$s"
    for c in ${cidrs//,/ }; do
      if in_cidr "$1" "$c"; then echo $((RT_BASE + idx)) && return; fi
    done
  done
  echo 0
}

# "table; delete table; table {...}" in one `nft -f` is atomic and leaves exactly one copy.
render_nft() {
  local s idx dev w proto port to toport from match mark E=$EGRESS_DEV
  printf 'table ip %s\ndelete table ip %s\ntable ip %s {\n' "$TABLE" "$TABLE" "$TABLE"
  # shellcheck disable=SC2086 # word splitting wanted
  nft_set internal $INTERNAL
  # shellcheck disable=SC2086
  nft_set hub $HUB_CIDRS
  # Directional zones: identical spoke flows stay apart; replies, after masquerade, are unique.
  printf '\tchain zone_in {\n\t\ttype filter hook prerouting priority raw; policy accept;\n'
  for s in "${SPOKE_LIST[@]}"; do
    read -r idx dev _ <<<"$s"
    printf '\t\tiifname "%s" ct original zone set %d\n' "$dev" "$idx"
  done
  printf '\t}\n\tchain mark_in {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n'
  for s in "${SPOKE_LIST[@]}"; do
    read -r idx dev _ <<<"$s"
    printf '\t\tiifname "%s" ct mark set %d\n' "$dev" $((RT_BASE + idx))
  done
  printf '\t\tiifname "%s" meta mark set ct mark\n\t}\n' "$E"
  printf '\tchain dnat_in {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n'
  for w in $PORT_FORWARDS; do
    IFS=: read -r proto port to toport from <<<"$w"
    match=""
    [[ ,$from, == *,0.0.0.0/0,* ]] || match="ip saddr { $from } "
    mark=$(target_mark "$to")
    ((mark == 0)) || match+="ct mark set $mark meta mark set $mark "
    printf '\t\tiifname "%s" ip daddr %s %s dport %d %sdnat to %s:%d\n' "$E" "$EGRESS_IP" "$proto" "$port" "$match" "$to" "$toport"
  done
  # Forwarded connections keep the internet source (replies come back through the NAT anyway).
  printf '\t}\n\tchain snat_out {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n'
  printf '\t\tct status dnat accept\n\t\toifname "%s" masquerade\n\t}\n' "$E"
  printf '\tchain filter_forward {\n\t\ttype filter hook forward priority filter; policy drop;\n'
  printf '\t\tct state established,related accept\n\t\tct state invalid drop\n'
  printf '\t\tiifname "%s" ct status dnat accept\n' "$E"
  [[ -z $HUB_CIDRS ]] || printf '\t\tiifname "%s" oifname "%s" ip saddr @hub ip daddr != @internal accept\n' "$E" "$E"
  for s in "${SPOKE_LIST[@]}"; do
    read -r _ dev _ <<<"$s"
    printf '\t\tiifname "%s" oifname "%s" ip daddr != @internal accept\n' "$dev" "$E"
  done
  printf '\t\tcounter drop\n\t}\n}\n'
}

apply_nft() {
  if ! command -v nft >/dev/null; then
    log "nft missing; installing nftables"
    timeout 300 dnf -y -q install nftables >&2 || fail "nft not found and dnf could not install nftables"
  fi
  render_nft | nft -f - || fail "nft rejected the ruleset"
}

forwarding_on() {
  local dev
  for dev in all default "$PRIMARY_DEV" "${DEV[@]}"; do
    echo 2 >"/proc/sys/net/ipv4/conf/$dev/rp_filter"
    echo 0 >"/proc/sys/net/ipv4/conf/$dev/send_redirects"
  done
  echo 1 >/proc/sys/net/ipv4/ip_forward
}

# Never report success without the NAT rule, forwarding and the egress route.
verify() {
  local rules def
  rules=$(nft list chain ip "$TABLE" snat_out)
  [[ $rules == *"oifname \"$EGRESS_DEV\" masquerade"* ]] || fail "masquerade rule missing"
  [[ $(</proc/sys/net/ipv4/ip_forward) == 1 ]] || fail "forwarding is off"
  def=$(ip -4 route show default | awk '{ m = 0; for (i = 1; i < NF; i++) { if ($i == "metric") m = $(i + 1); if ($i == "dev") d = $(i + 1) }
    if (b == "" || m < bm) { b = d; bm = m } } END { print b }')
  [[ $def == "$EGRESS_DEV" ]] || fail "default route is on ${def:-nothing}, not $EGRESS_DEV"
}

# --- main -------------------------------------------------------------------------------
load_config
# No public IPv4 on the primary interface: reach every AWS API over its dual-stack endpoint.
[[ -z $EC2_ENDPOINT_URL ]] || export AWS_USE_DUALSTACK_ENDPOINT=true
for tool in curl aws ip timeout; do command -v "$tool" >/dev/null || fail "$tool not found"; done
imds_token
INSTANCE_ID=$(imds instance-id) || fail "no instance-id from IMDS"
imds_region=$(imds placement/region) || fail "no region from IMDS"
[[ -n $REGION ]] || REGION=$imds_region
[[ $REGION == "$imds_region" ]] || fail "config REGION $REGION but the instance is in $imds_region"
PRIMARY_MAC=$(imds mac) || fail "no MAC from IMDS"
PRIMARY_DEV=$(link_by_mac "$PRIMARY_MAC")
[[ -n $PRIMARY_DEV ]] || fail "no interface with the primary MAC $PRIMARY_MAC"
log "instance $INSTANCE_ID, NAT $NAT_ID, mode $EGRESS_MODE, primary $PRIMARY_DEV"

DEV=() IPLEN=() NET=() MACS=()
attach_enis
setup_egress
setup_spokes
networkd_apply
apply_routes
apply_nft
forwarding_on
verify
log "NAT ready: egress $EGRESS_DEV ($EGRESS_IP), ENIs ${!DEV[*]}, spokes: ${SPOKES:-none}"
