#!/usr/bin/env bash
# cdktf-egress NAT watchdog, run every 20 s by cdktf-egress-watchdog.timer once the boot
# unit has succeeded.
#
# Checks what the boot script set up: its nftables table and masquerade rule, forwarding,
# the default route on the egress interface, every ENI present (by MAC), up and addressed,
# conntrack fill, new masquerade port-allocation failures and, when WATCHDOG_PROBE is set,
# a TCP connection out through the egress interface. On a failure it converges again by
# running the boot script with --repair; after WATCHDOG_REPAIRS repairs in a row that did
# not help it reports the instance Unhealthy to its Auto Scaling group (retried, here and
# at every later run until it is accepted), so the group replaces it.
# With METRICS_PERIOD > 0 it also sends CloudWatch metrics every METRICS_PERIOD seconds.
#
# Config: nat.conf (the boot script's) and watchdog.conf beside it, KEY="value" lines.
# Environment overrides, for tests only:
#   EGRESS_CONF            nat.conf path (default /etc/cdktf-egress/nat.conf)
#   EGRESS_WATCHDOG_CONF   watchdog.conf path (default: beside nat.conf)
#   EGRESS_NETWORKD_DIR    where the boot script declared the ENIs (default /etc/systemd/network)
#   EGRESS_WATCHDOG_STATE  state directory (default /run/cdktf-egress)
#   EGRESS_BOOT_SCRIPT     the boot script (default: nat-boot.sh beside this script)
set -Euo pipefail
umask 022
export AWS_PAGER=""
readonly CONF=${EGRESS_CONF:-/etc/cdktf-egress/nat.conf}
readonly WCONF=${EGRESS_WATCHDOG_CONF:-$(dirname "$CONF")/watchdog.conf}
readonly NETDIR=${EGRESS_NETWORKD_DIR:-/etc/systemd/network}
readonly STATE_DIR=${EGRESS_WATCHDOG_STATE:-/run/cdktf-egress}
readonly BOOT=${EGRESS_BOOT_SCRIPT:-$(dirname "$(readlink -f "$0")")/nat-boot.sh}
readonly IMDS=http://169.254.169.254/latest TABLE=cdktf_egress MTABLE=cdktf_egress_metrics

log() { printf 'cdktf-egress-watchdog: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

# --- config ---------------------------------------------------------------------------
NAT_ID="" REGION="" EGRESS_MODE=dedicated EC2_ENDPOINT_URL="" SPOKES=""
WATCHDOG_ENABLED=true WATCHDOG_REPAIRS=3 WATCHDOG_PROBE="" WATCHDOG_PROBE_TIMEOUT=5 CONNTRACK_FULL_PERCENT=95
PORT_FAILURES_LIMIT=50 METRICS_PERIOD=0 METRICS_NAMESPACE=CdktfEgress METRIC_HUB=hub METRIC_SPOKES=""

# Parsed, not sourced; keys this script does not use are skipped.
read_conf() { # file keys-regex
  local line k v
  [[ -r $1 ]] || die "config $1 not readable"
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^([A-Z0-9_]+)=\"?([^\"]*)\"?$ ]] || continue
    k=${BASH_REMATCH[1]} v=${BASH_REMATCH[2]}
    [[ ! $k =~ ^($2)$ ]] || printf -v "$k" '%s' "$v"
  done <"$1"
}

load_config() {
  read_conf "$CONF" 'NAT_ID|REGION|EGRESS_MODE|EC2_ENDPOINT_URL|SPOKES'
  [[ ! -e $WCONF ]] || read_conf "$WCONF" 'WATCHDOG_[A-Z_]+|CONNTRACK_FULL_PERCENT|PORT_FAILURES_LIMIT|METRICS_[A-Z]+|METRIC_HUB|METRIC_SPOKES'
  [[ -n $NAT_ID ]] || die "NAT_ID is empty"
  [[ $WATCHDOG_ENABLED == true || $WATCHDOG_ENABLED == false ]] || die "WATCHDOG_ENABLED must be true or false"
  [[ $WATCHDOG_REPAIRS =~ ^[1-9][0-9]?$ ]] || die "WATCHDOG_REPAIRS must be 1-99"
  [[ $WATCHDOG_PROBE_TIMEOUT =~ ^[1-9][0-9]?$ ]] || die "WATCHDOG_PROBE_TIMEOUT must be 1-99"
  [[ -z $WATCHDOG_PROBE || $WATCHDOG_PROBE =~ ^[A-Za-z0-9.-]+:[0-9]{1,5}$ ]] || die "WATCHDOG_PROBE must be host:port"
  [[ $CONNTRACK_FULL_PERCENT =~ ^([1-9][0-9]?|100)$ ]] || die "CONNTRACK_FULL_PERCENT must be 1-100"
  [[ $PORT_FAILURES_LIMIT =~ ^[1-9][0-9]{0,6}$ ]] || die "PORT_FAILURES_LIMIT must be 1-9999999"
  [[ $METRICS_PERIOD =~ ^(0|[1-9][0-9]{0,4})$ ]] || die "METRICS_PERIOD must be 0 (off) or 1-99999 seconds"
  [[ $METRICS_NAMESPACE =~ ^[A-Za-z0-9._/#:-]{1,255}$ ]] || die "METRICS_NAMESPACE has characters CloudWatch refuses"
}

# --- state, kept across runs in tmpfs (a reboot starts afresh) ---------------------------
FAILED_REPAIRS=0 REPAIRED_KEYS="" REPORTED=0 LAST_SENT=0 PORT_FAILURES_SEEN="" REPAIRS_UNSENT=0 REPAIR_FAILURES_UNSENT=0
COUNTERS_SEEN=""
load_state() {
  local f=$STATE_DIR/watchdog.state line
  mkdir -p "$STATE_DIR"
  [[ -r $f ]] || return 0
  while IFS= read -r line; do
    [[ $line =~ ^([A-Z_]+)=([0-9a-z_:\ =.-]*)$ ]] && printf -v "${BASH_REMATCH[1]}" '%s' "${BASH_REMATCH[2]}"
  done <"$f"
}
save_state() {
  local f=$STATE_DIR/watchdog.state k
  for k in FAILED_REPAIRS REPAIRED_KEYS REPORTED LAST_SENT PORT_FAILURES_SEEN REPAIRS_UNSENT REPAIR_FAILURES_UNSENT COUNTERS_SEEN; do
    printf '%s=%s\n' "$k" "${!k}"
  done >"$f.tmp" && mv -f "$f.tmp" "$f"
}

# --- what the boot script set up ---------------------------------------------------------
link_by_mac() { ip -br link show | awk -v m="${1,,}" '$3 == m && !f { sub(/@.*/, "", $1); print $1; f = 1 }'; }

imds_get() { # path
  local token
  token=$(curl -fsS --noproxy '*' --max-time 2 --retry 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/api/token") || return 1
  curl -fsS --noproxy '*' --max-time 2 --retry 2 -H "X-aws-ec2-metadata-token: $token" "$IMDS/meta-data/$1"
}

# The device indexes the NAT must hold, with the MAC and address the boot script declared
# for each in its networkd file: "idx mac ip/len" lines.
expected_enis() {
  local idx f mac addr
  for idx in $([[ $EGRESS_MODE != dedicated ]] || echo 1) $(for w in $SPOKES; do echo "${w%%=*}"; done); do
    f=$NETDIR/40-cdktf-egress-dev$idx.network mac="" addr=""
    if [[ -r $f ]]; then
      mac=$(awk -F= '$1 == "MACAddress" { print $2; exit }' "$f")
      addr=$(awk -F= '$1 == "Address" { print $2; exit }' "$f")
    fi
    echo "$idx ${mac:--} ${addr:--}"
  done
}

FAILURES=() EGRESS_DEV="" DEVS=()
# Each failure has a key naming what failed (nft, forward, route, dev<N>, conntrack, ports,
# probe), so a fault that comes back after its repair is told from a new one.
FAILED_KEYS=""
fail_check() { # key message
  FAILED_KEYS+=" $1"
  FAILURES+=("$2")
}

check_enis() {
  local idx mac addr dev
  while read -r idx mac addr; do
    if [[ $mac == - ]]; then fail_check "dev$idx" "device $idx: no networkd file from the boot script"; continue; fi
    dev=$(link_by_mac "$mac")
    if [[ -z $dev ]]; then fail_check "dev$idx" "device $idx ($mac) is not attached"; continue; fi
    DEVS[idx]=$dev
    [[ $(ip -br link show dev "$dev") =~ ^[^[:space:]]+[[:space:]]+(UP|UNKNOWN) ]] || fail_check "dev$idx" "device $idx ($dev) is down"
    [[ $(ip -4 -o addr show dev "$dev") == *" $addr "* ]] || fail_check "dev$idx" "device $idx ($dev) lacks its address $addr"
  done < <(expected_enis)
  if [[ $EGRESS_MODE == dedicated ]]; then
    EGRESS_DEV=${DEVS[1]:-}
  else
    local mac
    if mac=$(imds_get mac); then EGRESS_DEV=$(link_by_mac "$mac")
    else log "IMDS did not give the primary MAC; skipping the primary-interface checks"; fi
  fi
}

check_nat() {
  local rules def
  if ! rules=$(nft list chain ip "$TABLE" snat_out 2>/dev/null); then
    fail_check nft "nftables table $TABLE or its snat_out chain is missing"
  elif [[ -n $EGRESS_DEV && $rules != *"oifname \"$EGRESS_DEV\" masquerade"* ]]; then
    fail_check nft "no masquerade rule for $EGRESS_DEV"
  fi
  nft list chain ip "$TABLE" filter_forward >/dev/null 2>&1 || fail_check nft "forward filter chain is missing"
  [[ $(</proc/sys/net/ipv4/ip_forward) == 1 ]] || fail_check forward "IPv4 forwarding is off"
  [[ -n $EGRESS_DEV ]] || return 0
  def=$(ip -4 route show default | awk '{ m = 0; for (i = 1; i < NF; i++) { if ($i == "metric") m = $(i + 1); if ($i == "dev") d = $(i + 1) }
    if (b == "" || m < bm) { b = d; bm = m } } END { print b }')
  [[ $def == "$EGRESS_DEV" ]] || fail_check route "default route is on ${def:-nothing}, not $EGRESS_DEV"
}

# Conntrack entries, maximum and masquerade port-allocation failures (insert_failed: no
# free source port for the tuple), summed over CPUs from the hex table (no gawk on Debian).
CT_COUNT=0 CT_MAX=0 CT_INSERT_FAILED=0 CT_DROP=0
read_conntrack() {
  CT_COUNT=$(cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0)
  CT_MAX=$(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null || echo 0)
  local header row i f=0 d=0
  [[ -r /proc/net/stat/nf_conntrack ]] || return 0
  { read -r -a header; while read -r -a row; do
    for i in "${!header[@]}"; do
      case ${header[i]} in insert_failed) f=$((f + 16#${row[i]})) ;; drop | early_drop) d=$((d + 16#${row[i]})) ;; esac
    done
  done; } </proc/net/stat/nf_conntrack
  CT_INSERT_FAILED=$f CT_DROP=$d
}

check_conntrack() {
  local new
  read_conntrack
  if ((CT_MAX > 0 && CT_COUNT * 100 >= CT_MAX * CONNTRACK_FULL_PERCENT)); then
    fail_check conntrack "conntrack is ${CT_COUNT}/${CT_MAX} full (limit ${CONNTRACK_FULL_PERCENT}%)"
  fi
  if [[ -n $PORT_FAILURES_SEEN ]]; then
    new=$((CT_INSERT_FAILED - PORT_FAILURES_SEEN))
    ((new < PORT_FAILURES_LIMIT)) || fail_check ports "$new port-allocation failures since the last run (limit $PORT_FAILURES_LIMIT)"
  fi
  PORT_FAILURES_SEEN=$CT_INSERT_FAILED
}

# A TCP connection from the egress interface: any answer proves the way out.
check_probe() {
  local connected
  [[ -n $WATCHDOG_PROBE && -n $EGRESS_DEV ]] || return 0
  connected=$(curl --interface "$EGRESS_DEV" -s -o /dev/null -w '%{time_connect}' --connect-timeout "$WATCHDOG_PROBE_TIMEOUT" \
    --max-time $((WATCHDOG_PROBE_TIMEOUT + 1)) "telnet://$WATCHDOG_PROBE" </dev/null) || :
  [[ ${connected:-0} != 0 && ${connected//[0.]/} != "" ]] || fail_check probe "no TCP connection to $WATCHDOG_PROBE through $EGRESS_DEV"
}

run_checks() {
  FAILURES=() FAILED_KEYS="" DEVS=() EGRESS_DEV=""
  check_enis
  check_nat
  check_conntrack
  check_probe
}

came_back() {
  local k
  for k in $FAILED_KEYS; do [[ " $REPAIRED_KEYS " != *" $k "* ]] || return 0; done
  return 1
}

# --- repair and the Unhealthy report --------------------------------------------------------
repair() {
  log "converging again: $BOOT --repair"
  timeout 600 "$BOOT" --repair || log "the boot script's repair exited $?"
}

report_unhealthy() {
  local id try delay=1
  for try in 1 2 3 4; do
    if id=$(imds_get instance-id) && timeout 20 aws autoscaling set-instance-health --region "$REGION" --instance-id "$id" \
      --health-status Unhealthy --no-should-respect-grace-period >/dev/null; then
      log "reported $id Unhealthy after $FAILED_REPAIRS failed repairs"
      REPORTED=1
      return 0
    fi
    log "Unhealthy report failed (attempt $try/4)"
    ((try == 4)) || sleep "$delay"
    delay=$((delay * 2))
  done
  log "could not report the instance Unhealthy; the next run tries again"
  return 1
}

# --- metrics ---------------------------------------------------------------------------
# A table of our own, beside the boot script's: counting every forwarded packet per served
# VPC without touching the NAT's ruleset.
metrics_table() {
  local idx dev name
  {
    printf 'table ip %s\ndelete table ip %s\ntable ip %s {\n' "$MTABLE" "$MTABLE" "$MTABLE"
    [[ $EGRESS_MODE != dedicated ]] || printf '\tcounter vpc1 {}\n'
    for name in $SPOKES; do printf '\tcounter vpc%s {}\n' "${name%%=*}"; done
    printf '\tchain forward {\n\t\ttype filter hook forward priority filter - 10; policy accept;\n'
    [[ $EGRESS_MODE != dedicated || -z ${DEVS[1]:-} ]] || printf '\t\tiifname "%s" oifname "%s" counter name vpc1\n' "${DEVS[1]}" "${DEVS[1]}"
    for idx in "${!DEVS[@]}"; do
      [[ $idx != 1 || $EGRESS_MODE != dedicated ]] || continue
      dev=${DEVS[idx]}
      printf '\t\tiifname "%s" counter name vpc%d\n\t\toifname "%s" counter name vpc%d\n' "$dev" "$idx" "$dev" "$idx"
    done
    printf '\t}\n}\n'
  } | nft -f - || log "could not install the metrics table"
}

# "vpcN packets bytes" per counter.
read_counters() {
  nft list counters table ip "$MTABLE" 2>/dev/null | awk '$1 == "counter" { n = $2 } $1 == "packets" { print n, $2, $4 }'
}

vpc_name() { # idx
  local w
  if [[ $1 == 1 && $EGRESS_MODE == dedicated ]]; then echo "$METRIC_HUB"; return; fi
  for w in $METRIC_SPOKES; do [[ ${w%%=*} != "$1" ]] || { echo "${w#*=}"; return; }; done
  echo "device-$1"
}

forward_drops() {
  nft list chain ip "$TABLE" filter_forward 2>/dev/null | awk '/counter packets [0-9]+ bytes [0-9]+ drop/ { for (i = 1; i < NF; i++) if ($i == "packets") d += $(i + 1) } END { print d + 0 }'
}

metric() { # name unit value [vpc]
  local dims="{\"Name\":\"NatId\",\"Value\":\"$NAT_ID\"}"
  [[ -z ${4:-} ]] || dims+=",{\"Name\":\"Vpc\",\"Value\":\"$4\"}"
  printf '{"MetricName":"%s","Unit":"%s","Value":%s,"Dimensions":[%s]}' "$1" "$2" "$3" "$dims"
}

# Counters go out as the change since the last send; a counter that went backwards (its
# table was re-created) starts again from zero.
send_metrics() {
  local now data=() seen=() name packets bytes old idx drops delta
  now=$(date +%s)
  ((METRICS_PERIOD > 0 && now - LAST_SENT >= METRICS_PERIOD)) || return 0
  nft list table ip "$MTABLE" >/dev/null 2>&1 || metrics_table
  drops=$(forward_drops)
  data+=("$(metric ConntrackEntries Count "$CT_COUNT")" "$(metric ConntrackMax Count "$CT_MAX")")
  while read -r name packets bytes; do
    old=$(tr ' ' '\n' <<<"$COUNTERS_SEEN" | awk -F= -v n="$name" '$1 == n { print $2 }')
    seen+=("$name=$packets:$bytes")
    [[ -n $old ]] || old=0:0
    idx=${name#vpc}
    delta=$((packets - ${old%:*})); ((delta >= 0)) || delta=$packets
    data+=("$(metric PacketsForwarded Count "$delta" "$(vpc_name "$idx")")")
    delta=$((bytes - ${old#*:})); ((delta >= 0)) || delta=$bytes
    data+=("$(metric BytesForwarded Bytes "$delta" "$(vpc_name "$idx")")")
  done < <(read_counters)
  old=$(tr ' ' '\n' <<<"$COUNTERS_SEEN" | awk -F= '$1 == "drops" { print $2 }')
  delta=$((drops + CT_DROP - ${old:-0})); ((delta >= 0)) || delta=$((drops + CT_DROP))
  seen+=("drops=$((drops + CT_DROP))")
  data+=("$(metric DroppedPackets Count "$delta")")
  old=$(tr ' ' '\n' <<<"$COUNTERS_SEEN" | awk -F= '$1 == "portfail" { print $2 }')
  delta=$((CT_INSERT_FAILED - ${old:-$CT_INSERT_FAILED})); ((delta >= 0)) || delta=$CT_INSERT_FAILED
  seen+=("portfail=$CT_INSERT_FAILED")
  data+=("$(metric PortAllocationFailures Count "$delta")" "$(metric WatchdogRepairs Count "$REPAIRS_UNSENT")"
    "$(metric WatchdogRepairFailures Count "$REPAIR_FAILURES_UNSENT")")
  local IFS=,
  if timeout 20 aws cloudwatch put-metric-data --region "$REGION" --namespace "$METRICS_NAMESPACE" --metric-data "[${data[*]}]"; then
    LAST_SENT=$now REPAIRS_UNSENT=0 REPAIR_FAILURES_UNSENT=0
    IFS=' '
    COUNTERS_SEEN="${seen[*]}"
  else
    log "put-metric-data failed; the next run sends these changes with its own"
  fi
}

# --- main -------------------------------------------------------------------------------
load_config
[[ $WATCHDOG_ENABLED == true ]] || exit 0
[[ -z $EC2_ENDPOINT_URL ]] || export AWS_USE_DUALSTACK_ENDPOINT=true
for tool in curl aws ip nft timeout awk; do command -v "$tool" >/dev/null || die "$tool not found"; done
load_state
run_checks
status=0
if ((${#FAILURES[@]} == 0)); then
  ((FAILED_REPAIRS == 0)) || log "healthy again after $FAILED_REPAIRS failed repairs"
  FAILED_REPAIRS=0 REPAIRED_KEYS="" REPORTED=0
else
  # A repair that passed its own check but whose fault is back at this run failed too.
  if came_back; then FAILED_REPAIRS=$((FAILED_REPAIRS + 1)) REPAIR_FAILURES_UNSENT=$((REPAIR_FAILURES_UNSENT + 1)); fi
  REPAIRED_KEYS=""
  if ((FAILED_REPAIRS >= WATCHDOG_REPAIRS)); then
    log "still failing after $FAILED_REPAIRS failed repairs: $(IFS=';'; echo "${FAILURES[*]}")"
    ((REPORTED)) || report_unhealthy || :
    status=1
  else
    log "failed: $(IFS=';'; echo "${FAILURES[*]}")"
    repaired_keys=$FAILED_KEYS
    repair
    REPAIRS_UNSENT=$((REPAIRS_UNSENT + 1))
    # Counted afresh: the repair may have re-created interfaces and the metrics table.
    PORT_FAILURES_SEEN=""
    nft delete table ip "$MTABLE" 2>/dev/null || :
    run_checks
    if ((${#FAILURES[@]} == 0)); then
      log "repaired"
      REPAIRED_KEYS=${repaired_keys# }
    else
      FAILED_REPAIRS=$((FAILED_REPAIRS + 1)) REPAIR_FAILURES_UNSENT=$((REPAIR_FAILURES_UNSENT + 1))
      log "repair $FAILED_REPAIRS/$WATCHDOG_REPAIRS did not help: $(IFS=';'; echo "${FAILURES[*]}")"
      ((FAILED_REPAIRS < WATCHDOG_REPAIRS)) || report_unhealthy || :
      status=1
    fi
  fi
fi
[[ $METRICS_PERIOD == 0 ]] || send_metrics
save_state
exit "$status"
