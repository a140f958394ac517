#!/usr/bin/env bash
# cdktf-egress boot loader, the one boot file in user data (docs/boot-files.md). Fetches
# each file the manifest pins from S3 (key boot/SHA256/NAME; bounded attempts), checks
# every digest before installing anything, installs each file atomically and keeps it in
# a cache, so a re-run works without S3. On failure: reports the instance Unhealthy, exits 1.
# Manifest lines: `bucket BUCKET REGION [ENDPOINT_URL]`, `file NAME SHA256 MODE DEST`.
# Test overrides: EGRESS_BOOT_MANIFEST, EGRESS_BOOT_CACHE, EGRESS_BOOT_ROOT (DEST prefix),
# EGRESS_LOAD_ATTEMPTS, EGRESS_IMDS.
set -Euo pipefail
umask 022
export AWS_PAGER=""
readonly MANIFEST=${EGRESS_BOOT_MANIFEST:-/etc/cdktf-egress/boot.manifest}
readonly CACHE=${EGRESS_BOOT_CACHE:-/var/lib/cdktf-egress/boot-cache}
readonly ROOT=${EGRESS_BOOT_ROOT:-}
readonly ATTEMPTS=${EGRESS_LOAD_ATTEMPTS:-6} CALL_TIMEOUT=30
readonly IMDS=${EGRESS_IMDS:-http://169.254.169.254/latest}
BUCKET="" REGION="" ENDPOINT=""
readonly URL='^https?://[][A-Za-z0-9.:-]+/?$'
NAMES=() KEYS=() DIGESTS=() MODES=() DESTS=()

log() { printf 'cdktf-egress-load: %s\n' "$*" >&2; }

report_unhealthy() {
  local token id region
  token=$(curl -fsS --noproxy '*' --max-time 3 --retry 3 --retry-delay 1 --retry-connrefused -X PUT \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/api/token" 2>/dev/null) || token=""
  [[ -n $token ]] || { log "no IMDSv2 token: cannot report this instance Unhealthy"; return; }
  meta() { curl -fsS --noproxy '*' --max-time 3 --retry 3 -H "X-aws-ec2-metadata-token: $token" "$IMDS/meta-data/$1"; }
  id=$(meta instance-id) || { log "no instance ID from IMDS: cannot report Unhealthy"; return; }
  region=${REGION:-$(meta placement/region)} || { log "no region from IMDS: cannot report Unhealthy"; return; }
  local n
  for ((n = 1; n <= 5; n++)); do
    # Without --no-should-respect-grace-period the ASG ignores this during its grace period.
    if timeout "$CALL_TIMEOUT" aws autoscaling set-instance-health --region "$region" --instance-id "$id" \
      --health-status Unhealthy --no-should-respect-grace-period </dev/null; then
      log "reported $id Unhealthy"
      return
    fi
    sleep $((n * 2))
  done
  log "could not report $id Unhealthy"
}

fail() {
  log "FAILED: $*"
  report_unhealthy
  exit 1
}

read_manifest() {
  [[ -r $MANIFEST ]] || fail "manifest $MANIFEST not readable"
  local kind a c d e extra
  while read -r kind a c d e extra || [[ -n $kind ]]; do
    case $kind in
      '' | '#'*) ;;
      bucket)
        [[ $a =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || fail "manifest: bad bucket name $a"
        [[ $c =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || fail "manifest: bad region $c"
        [[ -z $d || $d =~ $URL ]] || fail "manifest: bad endpoint URL $d"
        BUCKET=$a REGION=$c ENDPOINT=$d
        # An endpoint is named only for an instance without public IPv4: the Unhealthy report
        # must go to Auto Scaling's dual-stack endpoint too, as nat-boot.sh's calls do.
        [[ -z $d ]] || export AWS_USE_DUALSTACK_ENDPOINT=true ;;
      file)
        [[ $a =~ ^[A-Za-z0-9._-]+$ ]] || fail "manifest: bad file name $a"
        [[ $c =~ ^[0-9a-f]{64}$ ]] || fail "manifest: bad SHA-256 for $a"
        [[ $d =~ ^0[0-7]{3}$ ]] || fail "manifest: bad mode $d for $a"
        [[ $e =~ ^/[A-Za-z0-9._/-]+$ && $e != *..* && -z $extra ]] || fail "manifest: bad destination for $a"
        NAMES+=("$a") KEYS+=("boot/$c/$a") DIGESTS+=("$c") MODES+=("$d") DESTS+=("$e") ;;
      *) fail "manifest: unknown line kind $kind" ;;
    esac
  done <"$MANIFEST"
  [[ -n $BUCKET ]] || fail "manifest: no bucket line"
  ((${#NAMES[@]} > 0)) || fail "manifest: no files"
}

digest_of() { sha256sum "$1" | cut -d' ' -f1; }

# fetch I: the verified bytes of file I into the cache (CACHE/SHA256); a cached copy is used as is.
fetch() {
  local i=$1 cached="$CACHE/${DIGESTS[$1]}" tmp n ms got err
  if [[ -f $cached && $(digest_of "$cached") == "${DIGESTS[i]}" ]]; then return 0; fi
  tmp="$cached.part.$$"
  local ep=()
  [[ -z $ENDPOINT ]] || ep=(--endpoint-url "$ENDPOINT")
  for ((n = 1; n <= ATTEMPTS; n++)); do
    rm -f "$tmp"
    if err=$(timeout "$CALL_TIMEOUT" aws s3api get-object --region "$REGION" "${ep[@]}" \
      --bucket "$BUCKET" --key "${KEYS[i]}" "$tmp" </dev/null 2>&1 >/dev/null); then
      got=$(digest_of "$tmp")
      # The key names its digest: other bytes under it will not heal by asking again.
      [[ $got == "${DIGESTS[i]}" ]] || { rm -f "$tmp"; fail "${NAMES[i]}: SHA-256 $got, the manifest pins ${DIGESTS[i]}"; }
      mv -f "$tmp" "$cached"
      return 0
    fi
    err=$(tr -s '\n' ' ' <<<"$err")
    if [[ $err =~ \((NoSuchKey|NoSuchBucket|AccessDenied|AllAccessDisabled|InvalidObjectState)\) ]]; then
      fail "${NAMES[i]}: s3://$BUCKET/${KEYS[i]}: ${BASH_REMATCH[1]}, not retried: $err"
    fi
    ((n < ATTEMPTS)) || break
    ms=$((500 << (n - 1)))
    ((ms <= 8000)) || ms=8000
    ms=$((ms / 2 + RANDOM % (ms / 2 + 1)))
    log "${NAMES[i]}: get-object failed (attempt $n/$ATTEMPTS), retrying in ${ms} ms: $err"
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  done
  rm -f "$tmp"
  fail "${NAMES[i]}: s3://$BUCKET/${KEYS[i]} not fetched in $ATTEMPTS attempts: $err"
}

install_file() {
  local i=$1 dest="$ROOT${DESTS[$1]}"
  mkdir -p "$(dirname "$dest")" || fail "cannot create the directory of $dest"
  if ! { cp "$CACHE/${DIGESTS[i]}" "$dest.load.$$" && chmod "${MODES[i]}" "$dest.load.$$" && mv -f "$dest.load.$$" "$dest"; }; then
    rm -f "$dest.load.$$"
    fail "cannot install $dest"
  fi
}

read_manifest
{ mkdir -p "$CACHE" && chmod 0700 "$CACHE"; } || fail "cannot create the cache $CACHE"
# Everything verified first: a refused file leaves the instance with none of the new files.
for i in "${!NAMES[@]}"; do fetch "$i"; done
for i in "${!NAMES[@]}"; do install_file "$i"; done
log "installed ${#NAMES[@]} boot files from s3://$BUCKET"
