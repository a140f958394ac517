#!/usr/bin/env bash
# cdktf-egress boot loader: the one boot file shipped in user data. cloud-init runs it
# before it starts the NAT's units; it brings the other boot files (scripts and units)
# from the stack's S3 bucket and installs them byte for byte.
#
# The manifest (/etc/cdktf-egress/boot.manifest, written by cloud-init) pins every file:
#   bucket BUCKET REGION [ENDPOINT_URL]
#   file NAME KEY SHA256 MODE DEST
# Keys are content-addressed (boot/<sha256>/<name>), so the bytes a launch template pins
# stay in the bucket for as long as that template does.
#
# Every file is fetched (bounded attempts, each with a timeout, jittered backoff) and its
# SHA-256 checked before anything is installed; a file whose digest does not match is
# refused and nothing is installed. Verified files are kept in a cache on disk, so a
# later run (a re-run after a networkd restart, a reboot) works without S3. Each file is
# installed atomically (written beside its destination, then renamed). On any failure
# the instance reports itself Unhealthy to its Auto Scaling group, as nat-boot.sh does,
# and the loader exits non-zero; the group replaces the instance.
#
# Environment overrides, for tests only:
#   EGRESS_BOOT_MANIFEST  manifest path (default /etc/cdktf-egress/boot.manifest)
#   EGRESS_BOOT_CACHE     cache directory (default /var/lib/cdktf-egress/boot-cache)
#   EGRESS_BOOT_ROOT      prefix for every DEST (default empty: the real filesystem)
#   EGRESS_LOAD_ATTEMPTS  fetch attempts per file (default 6)
#   EGRESS_IMDS           instance metadata base URL (default http://169.254.169.254/latest)
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
  local kind a b c d e extra
  while read -r kind a b c d e extra || [[ -n $kind ]]; do
    case $kind in
      '' | '#'*) ;;
      bucket)
        [[ $a =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || fail "manifest: bad bucket name $a"
        [[ $b =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || fail "manifest: bad region $b"
        [[ -z $c || $c =~ $URL ]] || fail "manifest: bad endpoint URL $c"
        BUCKET=$a REGION=$b ENDPOINT=$c ;;
      file)
        [[ $a =~ ^[A-Za-z0-9._-]+$ ]] || fail "manifest: bad file name $a"
        [[ $b =~ ^[A-Za-z0-9._/-]+$ && $b != *..* ]] || fail "manifest: bad key $b"
        [[ $c =~ ^[0-9a-f]{64}$ ]] || fail "manifest: bad SHA-256 for $a"
        [[ $d =~ ^0[0-7]{3}$ ]] || fail "manifest: bad mode $d for $a"
        [[ $e =~ ^/[A-Za-z0-9._/-]+$ && $e != *..* && -z $extra ]] || fail "manifest: bad destination for $a"
        NAMES+=("$a") KEYS+=("$b") DIGESTS+=("$c") MODES+=("$d") DESTS+=("$e") ;;
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
