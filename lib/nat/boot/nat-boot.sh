#!/usr/bin/env bash
# cdktf-egress NAT instance boot script, run at every boot by cdktf-egress-nat.service.
#
# Attaches the NAT's ENIs (found by tag), switches egress onto the egress ENI (or moves
# the EIP onto the primary interface), installs policy routing for the spokes and one
# nftables table (masquerade, port forwards, forward filter) in a single atomic
# transaction, turns forwarding on, completes the Auto Scaling launch hook and exits 0.
# On any failure it removes its table, turns forwarding off, gives interfaces it took
# back to the NAT it took them from, abandons the launch hook, reports the instance
# Unhealthy and exits non-zero. Running it again converges to the same state.
#
# Handover: everything that does not need the interfaces happens first. An ENI held by
# an older running instance of this NAT (instance refresh, capacity rebalance) is
# detached from it and attached here; one held by an instance that is shutting down,
# stopping or gone is waited for (HOLDER_WAIT_SECONDS, polled every 0.5 s). A running
# NAT that is not older keeps its interfaces; past HANDOVER_SECONDS this instance gives up.
#
# --repair (the watchdog's entry point): the same convergence, but a failure only exits
# non-zero, leaving what works in place; the watchdog counts failed repairs and reports.
#
# nftables: an image that has `nft` installs nothing; otherwise the script installs the
# `nftables` package with dnf once the instance has its egress route (bounded, with a
# swap file on small instances). See "packages" below.
#
# Config: /etc/cdktf-egress/nat.conf, KEY="value" lines written at synth time.
# Environment overrides, for tests only:
#   EGRESS_CONF          config path (default /etc/cdktf-egress/nat.conf)
#   EGRESS_NETWORKD_DIR  systemd-networkd files (default /etc/systemd/network)
#   EGRESS_STATE_DIR     what nat-watch.sh reads (default /run/cdktf-egress)
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail
umask 022
export AWS_PAGER=""
readonly CONF=${EGRESS_CONF:-/etc/cdktf-egress/nat.conf}
readonly NETDIR=${EGRESS_NETWORKD_DIR:-/etc/systemd/network}
readonly STATE_DIR=${EGRESS_STATE_DIR:-/run/cdktf-egress}
# Device index N: routing table and rule priority RT_BASE+N; for spokes also conntrack
# zone N and fwmark RT_BASE+N.
readonly TABLE=cdktf_egress RT_BASE=7000
# Established TCP/UDP flows take the flowtable fast path; 0 once the kernel refuses it.
FASTPATH=1
INSTANCE_ID="" REGION="" EC2_ENDPOINT_URL="" LAUNCH_HOOK=""
TAKEN=()
# --repair (the watchdog): converge again; a failure only exits non-zero, the watchdog decides.
REPAIR=0
[[ ${1:-} != --repair ]] || REPAIR=1

log() { printf 'cdktf-egress-nat: %s\n' "$*" >&2; }
# shellcheck source=nat-aws.sh
source "$(dirname "${BASH_SOURCE[0]}")/nat-aws.sh"
# shellcheck source=nat-handover.sh
source "$(dirname "${BASH_SOURCE[0]}")/nat-handover.sh"
trap 'rm -f "$AWS_ERRFILE"' EXIT

fail() {
  # In a $(...) subshell only say why; the main shell then fails on the assignment.
  if [[ $BASHPID != "$$" ]]; then log "$*"; exit 1; fi
  trap - ERR INT TERM
  set +e
  log "FAILED: $*"
  ((REPAIR == 0)) || exit 1
  nft delete table ip "$TABLE" 2>/dev/null
  echo 0 >/proc/sys/net/ipv4/ip_forward
  report_failure
  exit 1
}

# Also after a failure before the first API call: the instance ID and region come from IMDS then.
report_failure() {
  [[ -n $TOKEN ]] || imds_token || { log "no IMDSv2 token: cannot report this instance Unhealthy"; return; }
  [[ -n $INSTANCE_ID ]] || INSTANCE_ID=$(imds instance-id) || { log "no instance ID from IMDS: cannot report Unhealthy"; return; }
  [[ -n $REGION ]] || REGION=$(imds placement/region) || { log "no region from IMDS: cannot report Unhealthy"; return; }
  hand_back
  complete_lifecycle "$LAUNCH_HOOK" Pending:Wait ABANDON
  # Without --no-should-respect-grace-period the ASG ignores this during its grace period.
  if asg set-instance-health --instance-id "$INSTANCE_ID" --health-status Unhealthy --no-should-respect-grace-period; then
    log "reported $INSTANCE_ID Unhealthy"
  else log "could not report $INSTANCE_ID Unhealthy: $(aws_why)"; fi
}
trap 'fail "command failed (status $?) at line $LINENO: $BASH_COMMAND"' ERR
trap 'fail "interrupted"' INT TERM

# --- config ---------------------------------------------------------------------
NAT_ID="" EGRESS_MODE="dedicated" HUB_CIDRS="" SPOKES=""
PORT_FORWARDS="" ATTACH_MAX_ATTEMPTS=8 INTERFACE_WAIT_SECONDS=60 HANDOVER_SECONDS=60 HOLDER_WAIT_SECONDS=900
CONNTRACK_MAX=0 CONNTRACK_TCP_ESTABLISHED_TIMEOUT=7440 CONNTRACK_UDP_TIMEOUT=30 CONNTRACK_UDP_STREAM_TIMEOUT=120
readonly IP4='((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])'
readonly CIDR="$IP4/(3[0-2]|[12]?[0-9])"
readonly CIDRS="$CIDR(,$CIDR)*"

# KEY's value is a decimal integer from min to max (no sign, no leading zeros).
in_range() { # key min max
  [[ ${!1} =~ ^(0|[1-9][0-9]{0,8})$ ]] && ((${!1} >= $2 && ${!1} <= $3))
}

# Parsed, not sourced: only known keys are taken, each once, and every value is checked.
load_config() {
  [[ -r $CONF ]] || fail "config $CONF not readable"
  local line k w lo hi seen=" "
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    if [[ ! $line =~ ^([A-Z0-9_]+)=\"?([^\"]*)\"?$ ]]; then
      [[ $line =~ ^([A-Z0-9_]+)= ]] && fail "${BASH_REMATCH[1]}: not one KEY=\"value\" line: ${line:0:120}"
      fail "bad config line: ${line:0:120}"
    fi
    k=${BASH_REMATCH[1]}
    [[ $seen != *" $k "* ]] || fail "$k is given twice"
    seen+="$k "
    case $k in
      NAT_ID | REGION | EGRESS_MODE | EC2_ENDPOINT_URL | HUB_CIDRS | SPOKES | PORT_FORWARDS | ATTACH_MAX_ATTEMPTS | INTERFACE_WAIT_SECONDS)
        printf -v "$k" '%s' "${BASH_REMATCH[2]}" ;;
      CONNTRACK_MAX | CONNTRACK_TCP_ESTABLISHED_TIMEOUT | CONNTRACK_UDP_TIMEOUT | CONNTRACK_UDP_STREAM_TIMEOUT)
        printf -v "$k" '%s' "${BASH_REMATCH[2]}" ;;
      LAUNCH_HOOK | HANDOVER_SECONDS | HOLDER_WAIT_SECONDS) printf -v "$k" '%s' "${BASH_REMATCH[2]}" ;;
      TERMINATE_HOOK | SPOT_RELEASE_SECONDS) ;; # nat-watch.sh's
      *) log "ignoring unknown config key $k" ;;
    esac
  done <"$CONF"
  [[ $NAT_ID =~ ^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,254}$ ]] || fail "NAT_ID must be 1-255 letters, digits and ._:/@+=-"
  # A bad region is dropped before failing: the Unhealthy report then takes the region from IMDS.
  [[ -z $REGION || $REGION =~ ^[a-z]{2}(-gov)?-[a-z]+-[0-9]$ ]] || { REGION=""; fail "REGION must be a region such as ap-northeast-1"; }
  [[ -z $EC2_ENDPOINT_URL || $EC2_ENDPOINT_URL =~ ^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$ ]] || { EC2_ENDPOINT_URL=""; fail "EC2_ENDPOINT_URL must be an http(s) URL"; }
  [[ $EGRESS_MODE == dedicated || $EGRESS_MODE == primary ]] || fail "EGRESS_MODE must be dedicated or primary"
  # The spec's ranges (EC2's for the timeouts); digits first, so arithmetic never sees anything else.
  [[ $CONNTRACK_MAX == 0 ]] || in_range CONNTRACK_MAX 1024 16777216 || fail "CONNTRACK_MAX must be 0 (sized by memory) or 1024-16777216"
  for w in "ATTACH_MAX_ATTEMPTS 1 99" "INTERFACE_WAIT_SECONDS 1 9999" "HANDOVER_SECONDS 1 9999" "HOLDER_WAIT_SECONDS 1 99999" \
    "CONNTRACK_TCP_ESTABLISHED_TIMEOUT 60 432000" "CONNTRACK_UDP_TIMEOUT 30 60" "CONNTRACK_UDP_STREAM_TIMEOUT 60 180"; do
    read -r k lo hi <<<"$w"
    in_range "$k" "$lo" "$hi" || fail "$k must be $lo-$hi"
  done
  [[ $LAUNCH_HOOK =~ ^[A-Za-z0-9_./-]{0,255}$ ]] || fail "LAUNCH_HOOK: bad hook name $LAUNCH_HOOK"
  for w in $HUB_CIDRS; do [[ $w =~ ^$CIDR$ ]] || fail "HUB_CIDRS: bad CIDR $w"; done
  for w in $SPOKES; do [[ $w =~ ^[1-9][0-9]?=$CIDRS$ ]] || fail "SPOKES: bad entry $w"; done
  for w in $PORT_FORWARDS; do
    [[ $w =~ ^(tcp|udp):([0-9]{1,5}):$IP4:([0-9]{1,5}):$CIDRS$ ]] || fail "PORT_FORWARDS: bad entry ${w:0:120}"
    for k in "${BASH_REMATCH[2]}" "${BASH_REMATCH[6]}"; do ((10#$k >= 1 && 10#$k <= 65535)) || fail "PORT_FORWARDS: port $k of $w is outside 1-65535"; done
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

# --- interfaces -------------------------------------------------------------------
# ENIs tagged for this NAT into ENIS: "device-index eni-id mac holder attachment-id" per line.
describe_enis() {
  ec2 describe-network-interfaces --filters "Name=tag:cdktf-egress:nat,Values=$NAT_ID" \
    --query "NetworkInterfaces[].[TagSet[?Key=='cdktf-egress:device-index'].Value|[0],NetworkInterfaceId,MacAddress,Attachment.InstanceId,Attachment.AttachmentId]" || return 1
  ENIS=$AWS_OUT
}

# By MAC, never by name. awk reads all input: with pipefail an early exit could fail `ip`.
link_by_mac() { ip -br link show | awk -v m="${1,,}" '$3 == m && !f { sub(/@.*/, "", $1); print $1; f = 1 }'; }

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
  local idx row eni mac wanted=()
  describe_enis || fail "describe-network-interfaces: $(aws_why)"
  [[ $EGRESS_MODE != dedicated ]] || wanted+=(1)
  for row in $SPOKES; do wanted+=("${row%%=*}"); done
  mapfile -t wanted < <(printf '%s\n' "${wanted[@]}" | sort -n)
  for idx in "${wanted[@]}"; do
    row=$(awk -v i="$idx" '$1 == i' <<<"$ENIS")
    [[ -n $row && $row != *$'\n'* ]] || fail "expected one ENI tagged cdktf-egress:device-index=$idx, found: ${row:-none}"
  done
  acquire_enis "${wanted[@]}"
  for idx in "${wanted[@]}"; do
    read -r _ eni mac _ <<<"$(awk -v i="$idx" '$1 == i' <<<"$ENIS")"
    wait_link "$idx" "$mac"
    link_up "${DEV[idx]}" "${IPLEN[idx]}"
    log "device $idx: $eni $mac is ${DEV[idx]} ${IPLEN[idx]}"
  done
}

# --- systemd-networkd: the same addresses, routes and rules, declared --------------
# networkd removes routes and rules no .network file declares (ManageForeignRoutes=,
# ManageForeignRoutingPolicyRules=) whenever it restarts or reconfigures a link, so every
# route and rule the NAT needs is declared: the ENIs' in their own 40-* files (which sort
# before amazon-ec2-net-utils' 70-<iface>.network and so take those interfaces over), the
# primary interface's table-RT_BASE route and rule in a drop-in for whichever file
# networkd uses for it (ec2-net-utils', cloud-init's). A 40-* file carries the MTU the
# link had under ec2-net-utils (9001, from its 80-ec2.network), which it would lose
# otherwise. Files are rewritten only when their content changes, and networkd is reloaded
# only then: a reload reconfigures links, which must not race the routes added next.
NETFILES=() NET_CHANGED=0
readonly DROPIN=50-cdktf-egress.conf

networkd_active() {
  case $NETDIR in /etc/systemd/network | /run/systemd/network) ;; *) return 1 ;; esac
  systemctl is-active --quiet systemd-networkd 2>/dev/null
}

write_if_changed() { # file content
  mkdir -p "${1%/*}"
  [[ -f $1 && $(<"$1") == "$2" ]] && return 0
  printf '%s\n' "$2" >"$1.tmp"
  mv -f "$1.tmp" "$1"
  NET_CHANGED=1
  log "wrote $1"
}

# Waits (bounded) until networkd has configured the link. A link no file matches stays
# "unmanaged"; ec2-net-utils writes its file a moment after hot-plug, so that is believed
# only once it has lasted a few seconds.
wait_configured() { # dev seconds
  local n=0 unmanaged=0 state=""
  networkd_active || return 0
  while ((n++ < $2 * 4)); do
    state=$(networkctl list --no-legend --no-pager "$1" 2>/dev/null | awk '{ print $5 }')
    case $state in
      configured) return 0 ;;
      unmanaged) ((++unmanaged < 20)) || return 0 ;;
      failed | linger) break ;;
    esac
    sleep 0.25
  done
  log "systemd-networkd: $1 is ${state:-unknown} after ${2}s; continuing"
}

networkd_file() { # idx mac ip/len [more sections]
  local f="$NETDIR/40-cdktf-egress-dev$1.network" mtu
  wait_configured "${DEV[$1]}" 20
  mtu=$(<"/sys/class/net/${DEV[$1]}/mtu")
  write_if_changed "$f" "$(printf '# Written by cdktf-egress nat-boot.sh; rewritten only when its content changes.\n[Match]\nMACAddress=%s\n\n[Link]\nMTUBytes=%s\nRequiredForOnline=no\n\n[Network]\nAddress=%s\n%s' \
    "$2" "$mtu" "$3" "${4:-}")"
  NETFILES+=("$f")
}

# The primary interface's route to its own subnet router in table RT_BASE, and the rule
# sending its own address there, as a drop-in for the file networkd configures it from.
networkd_primary() {
  local file primary net
  [[ $EGRESS_MODE == dedicated ]] && networkd_active || return 0
  wait_configured "$PRIMARY_DEV" 20
  file=$(networkctl status --no-pager "$PRIMARY_DEV" 2>/dev/null | awk -F': ' '/Network File:/ { print $2 }')
  if [[ $file != /*.network ]]; then
    log "systemd-networkd does not manage $PRIMARY_DEV; its table $RT_BASE route and rule stay runtime only"
    return 0
  fi
  primary=$(imds "network/interfaces/macs/$PRIMARY_MAC/local-ipv4s")
  net=$(imds "network/interfaces/macs/$PRIMARY_MAC/subnet-ipv4-cidr-block")
  write_if_changed "$NETDIR/${file##*/}.d/$DROPIN" "$(printf '# Written by cdktf-egress nat-boot.sh: the primary address keeps leaving by %s.\n[Route]\nGateway=%s\nTable=%d\n\n[RoutingPolicyRule]\nFrom=%s\nTable=%d\nPriority=%d\n' \
    "$PRIMARY_DEV" "$(first_host "$net")" $RT_BASE "${primary%%$'\n'*}" $RT_BASE $RT_BASE)"
  NETFILES+=("$NETDIR/${file##*/}.d/$DROPIN")
}

networkd_apply() {
  local f dev
  networkd_primary
  for f in "$NETDIR"/40-cdktf-egress-dev*.network "$NETDIR"/*.network.d/"$DROPIN"; do
    if [[ -e $f && " ${NETFILES[*]} " != *" $f "* ]]; then rm -f "$f" && NET_CHANGED=1; fi
  done
  networkd_active || return 0
  if ((NET_CHANGED == 0)); then
    log "systemd-networkd files unchanged; no reload"
    return 0
  fi
  timeout 20 networkctl reload || log "networkctl reload failed; the runtime routes are in place"
  for dev in "$PRIMARY_DEV" "${DEV[@]}"; do wait_configured "$dev" 30; done
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
  ec2 describe-addresses --filters "Name=tag:cdktf-egress:nat,Values=$NAT_ID" --query 'Addresses[0].AllocationId' \
    || fail "describe-addresses: $(aws_why)"
  alloc=$AWS_OUT
  [[ $alloc == eipalloc-* ]] || fail "no EIP tagged cdktf-egress:nat=$NAT_ID (got: $alloc)"
  ec2 associate-address --allocation-id "$alloc" --network-interface-id "$primary_eni" \
    --allow-reassociation --query AssociationId || fail "associate-address $alloc: $(aws_why)"
  assoc=$AWS_OUT
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
#
# Converges without a gap: what is there stays, what is missing is added, what is not
# wanted (or there twice) goes. Routes networkd already installed are left as they are:
# replacing one would change its protocol and make it foreign to networkd.
has_route() { # table dst gw dev: present with metric 0
  ip -4 route show table "$1" exact "$2" 2>/dev/null |
    awk -v w="via $3 dev $4" 'index($0, w) && !/ metric [1-9]/ { f = 1 } END { exit !f }'
}
ensure_route() { # table dst gw dev
  has_route "$@" || ip route replace "$2" via "$3" dev "$4" table "$1"
}
# Leaves only these destinations in a table (by first word of `ip route show`).
prune_table() { # table dst...
  local t=$1 dst
  shift
  for dst in $(ip -4 route show table "$t" 2>/dev/null | awk '{ print $1 }' | sort -u); do
    [[ " $* " == *" $dst "* ]] || ip route del "$dst" table "$t"
  done
}

# RULES: "pref|selector as `ip rule show` prints it|arguments to add it", one per wanted rule.
apply_rules() {
  local r pref sel add lines body
  local -A want=()
  for r in "${RULES[@]}"; do want[${r%%|*}]=1; done
  for pref in $(ip -4 rule show | awk -F: -v lo=$RT_BASE '$1 >= lo && $1 < lo + 100 { print $1 }' | sort -un); do
    [[ -n ${want[$pref]:-} ]] || while ip rule del pref "$pref" 2>/dev/null; do :; done
  done
  for r in "${RULES[@]}"; do
    IFS='|' read -r pref sel add <<<"$r"
    lines=$(ip -4 rule show pref "$pref")
    # A second copy (one of ours beside networkd's) goes first.
    while [[ $lines == *$'\n'* ]] && ip rule del pref "$pref" protocol boot 2>/dev/null; do lines=$(ip -4 rule show pref "$pref"); done
    body=${lines#*:}
    body=${body#"${body%%[![:space:]]*}"}
    [[ -n $lines && $lines != *$'\n'* && "$body " == "$sel "* ]] && continue
    while ip rule del pref "$pref" 2>/dev/null; do :; done
    # shellcheck disable=SC2086 # word splitting wanted
    ip rule add $add pref "$pref"
  done
}

apply_routes() {
  local s idx dev gw cidrs c mark primary net
  RULES=()
  if [[ $EGRESS_MODE == dedicated ]]; then
    ensure_route main default "$EGRESS_GW" "$EGRESS_DEV"
    # Traffic from the primary address (SSH to its public IP) still leaves by the primary
    # interface: AWS drops it on the egress ENI. Table RT_BASE+0, device 0.
    primary=$(imds "network/interfaces/macs/$PRIMARY_MAC/local-ipv4s")
    net=$(imds "network/interfaces/macs/$PRIMARY_MAC/subnet-ipv4-cidr-block")
    ensure_route $RT_BASE default "$(first_host "$net")" "$PRIMARY_DEV"
    prune_table $RT_BASE default
    RULES+=("$RT_BASE|from ${primary%%$'\n'*} lookup $RT_BASE|from ${primary%%$'\n'*} table $RT_BASE")
  fi
  for s in "${SPOKE_LIST[@]}"; do
    read -r idx dev gw cidrs <<<"$s"
    mark=$((RT_BASE + idx))
    for c in ${cidrs//,/ }; do ensure_route "$mark" "$c" "$gw" "$dev"; done
    # shellcheck disable=SC2086 # word splitting wanted
    prune_table "$mark" ${cidrs//,/ }
    RULES+=("$mark|from all fwmark $(printf '%#x' "$mark") lookup $mark|fwmark $mark table $mark")
  done
  apply_rules
}

# --- packages -------------------------------------------------------------------------
# An image with nftables (AL2023's standard AMI, or an imageId with it baked in) installs
# nothing. Otherwise dnf installs it, bounded: two attempts of at most PKG_TIMEOUT seconds.
# dnf has been OOM-killed on 512 MiB instances, so below 1 GiB a swap file carries it and
# goes again afterwards.
readonly PKG_TIMEOUT=150 SWAPFILE=/var/lib/cdktf-egress/install.swap
mem_kib() { awk '/^MemTotal:/ { print $2 }' /proc/meminfo; }

swap_on() {
  (($(mem_kib) < 1048576)) || return 0
  mkdir -p "${SWAPFILE%/*}"
  if { fallocate -l 1G "$SWAPFILE" || dd if=/dev/zero of="$SWAPFILE" bs=1M count=1024 status=none; } 2>/dev/null \
    && chmod 600 "$SWAPFILE" && mkswap -q "$SWAPFILE" >/dev/null && swapon "$SWAPFILE"; then
    log "swap file $SWAPFILE on for the install ($(($(mem_kib) / 1024)) MiB of memory)"
  else
    log "could not set up a swap file; installing without"
    rm -f "$SWAPFILE"
  fi
}
swap_off() {
  [[ -e $SWAPFILE ]] || return 0
  swapoff "$SWAPFILE" 2>/dev/null || :
  rm -f "$SWAPFILE"
}

# Installs nftables with dnf in up to $1 attempts (default 2); returns non-zero, never fails.
install_nft() {
  local try tries=${1:-2}
  command -v dnf >/dev/null || { log "nft not found and there is no dnf to install nftables with"; return 1; }
  swap_on
  for ((try = 1; try <= tries; try++)); do
    log "installing nftables with dnf (attempt $try/$tries)"
    if timeout "$PKG_TIMEOUT" dnf -y -q --setopt=install_weak_deps=False install nftables >&2; then break; fi
    ((try == tries)) || sleep 5
  done
  swap_off
  command -v nft >/dev/null || return 1
  log "nftables installed"
}

ensure_nft() {
  if command -v nft >/dev/null; then
    log "nft present; nothing to install"
    return 0
  fi
  install_nft || fail "nft not found and dnf could not install nftables"
}

# --- conntrack ----------------------------------------------------------------------------
# Sized by memory unless nat.conf says otherwise: CONNTRACK_MAX entries (default 64 per MiB,
# 16384 to 1048576: an entry is a 256-byte slab object, so a full table is 1.6% of memory;
# the kernel's own default on a 512 MiB instance is a few thousand), a hash table of a
# quarter of that, and idle timeouts: established TCP 7440 s (RFC 5382's floor, not the
# kernel's 5 days), UDP 30 s, UDP streams 120 s.
set_knob() { # path value
  local now
  if [[ ! -e $1 ]]; then log "conntrack: $1 not found; not set"; return 0; fi
  now=$(<"$1")
  [[ $now == "$2" ]] && return 0
  # The table size is the kernel's, not a network namespace's: read-only in a container.
  { echo "$2" >"$1"; } 2>/dev/null || log "conntrack: could not set ${1##*/} to $2 (read-only here); it stays $now"
}

tune_conntrack() {
  local max=$CONNTRACK_MAX d=/proc/sys/net/netfilter
  if ((max == 0)); then
    max=$(($(mem_kib) / 16))
    max=$((max < 16384 ? 16384 : max > 1048576 ? 1048576 : max))
  fi
  if command -v modprobe >/dev/null; then modprobe nf_conntrack 2>/dev/null || :; fi
  set_knob /sys/module/nf_conntrack/parameters/hashsize $((max / 4 < 1024 ? 1024 : max / 4))
  set_knob $d/nf_conntrack_max "$max"
  set_knob $d/nf_conntrack_tcp_timeout_established "$CONNTRACK_TCP_ESTABLISHED_TIMEOUT"
  set_knob $d/nf_conntrack_udp_timeout "$CONNTRACK_UDP_TIMEOUT"
  set_knob $d/nf_conntrack_udp_timeout_stream "$CONNTRACK_UDP_STREAM_TIMEOUT"
  log "conntrack: max $(<$d/nf_conntrack_max) (wanted $max), buckets $(<$d/nf_conntrack_buckets), timeouts tcp established $(<$d/nf_conntrack_tcp_timeout_established)s, udp $(<$d/nf_conntrack_udp_timeout)s, udp stream $(<$d/nf_conntrack_udp_timeout_stream)s"
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
  local s idx dev w proto port to toport from match mark cidrs dnat="" E=$EGRESS_DEV
  printf 'table ip %s\ndelete table ip %s\ntable ip %s {\n' "$TABLE" "$TABLE" "$TABLE"
  # shellcheck disable=SC2086 # word splitting wanted
  nft_set internal $INTERNAL
  # shellcheck disable=SC2086
  nft_set hub $HUB_CIDRS
  # Software fast path: once a flow is established its packets skip the forward hooks.
  if ((FASTPATH)); then
    local devs="\"$E\""
    for s in "${SPOKE_LIST[@]}"; do
      read -r _ dev _ <<<"$s"
      devs+=", \"$dev\""
    done
    printf '\tflowtable fastpath {\n\t\thook ingress priority filter; devices = { %s };\n\t}\n' "$devs"
  fi
  # A base chain costs every packet a hook call even when empty: only the chains this NAT uses.
  if ((${#SPOKE_LIST[@]})); then
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
  fi
  if [[ -n $PORT_FORWARDS ]]; then
    printf '\tchain dnat_in {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n'
    for w in $PORT_FORWARDS; do
      IFS=: read -r proto port to toport from <<<"$w"
      match=""
      [[ ,$from, == *,0.0.0.0/0,* ]] || match="ip saddr { $from } "
      mark=$(target_mark "$to")
      ((mark == 0)) || match+="ct mark set $mark meta mark set $mark "
      printf '\t\tiifname "%s" ip daddr %s %s dport %d %sdnat to %s:%d\n' "$E" "$EGRESS_IP" "$proto" "$port" "$match" "$to" "$toport"
    done
    printf '\t}\n'
    dnat='ct status dnat accept'
  fi
  # Forwarded connections keep the internet source (replies come back through the NAT anyway).
  printf '\tchain snat_out {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n'
  [[ -z $dnat ]] || printf '\t\t%s\n' "$dnat"
  printf '\t\toifname "%s" masquerade\n\t}\n' "$E"
  printf '\tchain filter_forward {\n\t\ttype filter hook forward priority filter; policy drop;\n'
  # First, and matching on ct state first: a new connection's packet leaves it at one compare.
  if ((FASTPATH)); then printf '\t\tct state established meta l4proto { tcp, udp } flow add @fastpath\n'; fi
  printf '\t\tct state established,related accept\n\t\tct state invalid drop\n'
  [[ -z $dnat ]] || printf '\t\tiifname "%s" %s\n' "$E" "$dnat"
  [[ -z $HUB_CIDRS ]] || printf '\t\tiifname "%s" oifname "%s" ip saddr @hub ip daddr != @internal accept\n' "$E" "$E"
  # Anti-spoofing: a spoke may send only from its own CIDRs (the hub only from its own, above);
  # anything else would leave masqueraded as the EIP.
  for s in "${SPOKE_LIST[@]}"; do
    read -r _ dev _ cidrs <<<"$s"
    printf '\t\tiifname "%s" oifname "%s" ip saddr { %s } ip daddr != @internal accept\n' "$dev" "$E" "${cidrs//,/, }"
  done
  printf '\t\tcounter drop\n\t}\n}\n'
}

apply_nft() {
  ensure_nft
  if ! render_nft | nft -f -; then
    ((FASTPATH)) || fail "nft rejected the ruleset"
    log "nft refused the flowtable fast path (a kernel without nf_flow_table?); forwarding without it"
    FASTPATH=0
    render_nft | nft -f - || fail "nft rejected the ruleset"
  fi
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
imds_token || fail "no IMDSv2 token"
INSTANCE_ID=$(imds instance-id) || fail "no instance-id from IMDS"
imds_region=$(imds placement/region) || fail "no region from IMDS"
[[ -n $REGION ]] || REGION=$imds_region
[[ $REGION == "$imds_region" ]] || fail "config REGION $REGION but the instance is in $imds_region"
PRIMARY_MAC=$(imds mac) || fail "no MAC from IMDS"
PRIMARY_DEV=$(link_by_mac "$PRIMARY_MAC")
[[ -n $PRIMARY_DEV ]] || fail "no interface with the primary MAC $PRIMARY_MAC"
log "instance $INSTANCE_ID, NAT $NAT_ID, mode $EGRESS_MODE, primary $PRIMARY_DEV"

DEV=() IPLEN=() NET=() MACS=()
prepare_before_handover
attach_enis
setup_egress
setup_spokes
networkd_apply
apply_routes
tune_conntrack
apply_nft
forwarding_on
verify
log "NAT ready: egress $EGRESS_DEV ($EGRESS_IP), ENIs ${!DEV[*]}, spokes: ${SPOKES:-none}"
record_interfaces
complete_lifecycle "$LAUNCH_HOOK" Pending:Wait CONTINUE || fail "could not complete the launch hook $LAUNCH_HOOK"
