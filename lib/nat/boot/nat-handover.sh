# shellcheck shell=bash
# cdktf-egress: taking the NAT's ENIs over from the instance that holds them, and giving
# them back when this instance fails (sourced by nat-boot.sh).
readonly HOLDER_POLL_MS=500

# Everything the interfaces are not needed for, before taking them from a working NAT.
prepare_before_handover() {
  command -v nft >/dev/null && return 0
  log "nft missing; installing nftables before the handover"
  install_nft 1 || log "dnf could not install nftables yet; trying again once egress is up"
}

# Sets H_STATE, H_LAUNCH, H_NAT of instance $1 and OWN_LAUNCH; H_STATE=gone when EC2 no longer
# knows it. One call per holder and round: HOLDER_SEEN is cleared before each round.
HOLDER_SEEN=""
holder_info() {
  local id st lt tag
  [[ $HOLDER_SEEN != "$1" ]] || return 0
  HOLDER_SEEN=$1 H_STATE="" H_LAUNCH="" H_NAT=""
  if ! ec2 describe-instances --instance-ids "$1" "$INSTANCE_ID" \
    --query "Reservations[].Instances[].[InstanceId,State.Name,LaunchTime,Tags[?Key=='cdktf-egress:nat'].Value|[0]]"; then
    [[ $AWS_ERR == InvalidInstanceID.NotFound ]] || fail "describe-instances $1: $(aws_why)"
    H_STATE=gone
    return
  fi
  while read -r id st lt tag; do
    if [[ $id == "$1" ]]; then H_STATE=$st H_LAUNCH=$lt H_NAT=$tag; else OWN_LAUNCH=$lt; fi
  done <<<"$AWS_OUT"
  [[ -n $H_STATE ]] || H_STATE=gone
}

# The holder launched before this instance (ties broken by ID): this one is its successor.
succeeds() { [[ $OWN_LAUNCH > $H_LAUNCH || ($OWN_LAUNCH == "$H_LAUNCH" && $INSTANCE_ID > $1) ]]; }

# One attach call; 1 when the ENI turned out to be in use (the next round looks at the holder).
try_attach() { # idx eni
  if ec2 attach-network-interface --network-interface-id "$2" --instance-id "$INSTANCE_ID" \
    --device-index "$1" --query AttachmentId; then
    log "attached $2 as device $1 ($AWS_OUT)"
    return 0
  fi
  [[ $AWS_MSG == *"in use"* ]] || fail "attach $2 as device $1: $(aws_why)"
  return 1
}

# Detaches the ENI from the NAT being replaced (given an attachment ID) and attaches it here.
# Run in the background, one per ENI, so the egress gap is one detach and one attach however
# many spokes there are. Exit 2: EC2 still calls it in use (the next round tries again).
take_over() { # idx eni [attachment-id]
  AWS_ERRFILE=$(mktemp)
  trap 'rm -f "$AWS_ERRFILE"' EXIT
  # NotFound: the holder let go meanwhile (its watcher released it), which is as good.
  [[ -z ${3:-} ]] || ec2 detach-network-interface --attachment-id "$3" || [[ $AWS_ERR == InvalidAttachmentID.NotFound ]] \
    || fail "detach $2: $(aws_why)"
  try_attach "$1" "$2" || exit 2
}

# Attaches every device index given, taking each ENI from whoever holds it (see nat-boot.sh's header).
acquire_enis() {
  local pending=("$@") left idx eni holder att t0 waited busy said=" " attempts=() jobs=()
  t0=$(now_us)
  while ((${#pending[@]})); do
    left=() busy=0 HOLDER_SEEN="" jobs=()
    for idx in "${pending[@]}"; do
      read -r _ eni _ holder att <<<"$(awk -v i="$idx" '$1 == i' <<<"$ENIS")"
      waited=$((($(now_us) - t0) / 1000000))
      if [[ $holder == "$INSTANCE_ID" ]]; then
        log "$eni already attached as device $idx"
      elif [[ $holder == None ]]; then
        take_over "$idx" "$eni" &
        jobs[idx]=$!
      else
        left+=("$idx")
        holder_info "$holder"
        case $H_STATE in
          pending | running)
            [[ $H_NAT == "$NAT_ID" ]] || fail "$eni is attached to $holder, which is not an instance of NAT $NAT_ID; not taking it"
            if succeeds "$holder" && [[ $said != *" $att "* ]]; then
              log "handover: taking $eni (device $idx) from $holder, the NAT this instance replaces"
              TAKEN[idx]=$holder said+="$att " busy=1
              take_over "$idx" "$eni" "$att" &
              jobs[idx]=$!
              left=("${left[@]:0:${#left[@]}-1}")
              continue
            fi
            ((waited < HANDOVER_SECONDS)) || fail "$holder is a running NAT and kept $eni past the ${HANDOVER_SECONDS}s handover window"
            ;;
          *)
            if [[ $H_STATE == stopped && $said != *" $att "* ]]; then
              # A stopped instance keeps its interfaces until someone detaches them.
              ec2 detach-network-interface --attachment-id "$att" --force || fail "detach $eni from stopped $holder: $(aws_why)"
              said+="$att " busy=1
            fi
            ((waited < HOLDER_WAIT_SECONDS)) || fail "$holder ($H_STATE) still holds $eni after ${HOLDER_WAIT_SECONDS}s"
            [[ $said == *" $holder:$H_STATE "* ]] || log "waiting for $holder ($H_STATE) to release $eni (device $idx)"
            said+="$holder:$H_STATE "
            ;;
        esac
      fi
    done
    for idx in "${!jobs[@]}"; do
      if wait "${jobs[idx]}"; then continue; else waited=$?; fi
      ((waited == 2)) || fail "attaching device $idx failed"
      left+=("$idx") attempts[idx]=$((${attempts[idx]:-0} + 1))
      # Free by describe but "in use" to attach: EC2 is still finishing a detach.
      ((attempts[idx] < ATTACH_MAX_ATTEMPTS)) || fail "attach device $idx: still in use after ${attempts[idx]} attempts"
      log "attach device $idx: in use (attempt ${attempts[idx]}/$ATTACH_MAX_ATTEMPTS), trying again"
    done
    pending=("${left[@]}")
    ((${#pending[@]})) || break
    ((busy)) || sleep_ms "$HOLDER_POLL_MS"
    describe_enis || fail "describe-network-interfaces: $(aws_why)"
  done
}

# A failing successor gives what it took back to the NAT it took it from, if that one still
# runs, so a broken new instance never leaves the group without a NAT.
hand_back() {
  local idx eni holder att n
  ((${#TAKEN[@]})) || return 0
  describe_enis || { log "cannot hand interfaces back: $(aws_why)"; return; }
  for idx in "${!TAKEN[@]}"; do
    read -r _ eni _ holder att <<<"$(awk -v i="$idx" '$1 == i' <<<"$ENIS")"
    if [[ $holder == "$INSTANCE_ID" ]] && ! ec2 detach-network-interface --attachment-id "$att" --force; then
      log "could not detach $eni to hand it back: $(aws_why)"
      continue
    fi
    for ((n = 0; n < 60; n++)); do
      if ec2 attach-network-interface --network-interface-id "$eni" --instance-id "${TAKEN[idx]}" --device-index "$idx" --query AttachmentId; then
        log "handed $eni (device $idx) back to ${TAKEN[idx]}"
        break
      fi
      [[ $AWS_MSG == *"in use"* ]] || { log "could not hand $eni back to ${TAKEN[idx]}: $(aws_why)"; break; }
      sleep_ms "$HOLDER_POLL_MS"
    done
  done
}

# What nat-watch.sh needs: "device-index eni-id mac" of every interface this NAT forwards on.
record_interfaces() {
  local idx
  mkdir -p "$STATE_DIR"
  for idx in "${!MACS[@]}"; do
    printf '%s %s %s\n' "$idx" "$(awk -v i="$idx" '$1 == i { print $2 }' <<<"$ENIS")" "${MACS[idx]}"
  done >"$STATE_DIR/interfaces.tmp"
  mv -f "$STATE_DIR/interfaces.tmp" "$STATE_DIR/interfaces"
}
