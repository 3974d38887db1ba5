# shellcheck shell=bash
# deploy/disco-lib.sh - helpers shared by the launchers in deploy/ (sourced,
# not run): where the binaries and the state directory are, the private CA
# and certificates made on first use, and finding the processes of one run
# by the tag every process of that run inherits (DISCO_RUN_TAG).

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CA_SH=$DEPLOY_DIR/tls/disco-ca.sh

disco_die() { echo "${DISCO_PROG:-disco}: $*" >&2; exit 2; }

# The directory holding disco-coord and flash-node: $DISCO_BIN, --build DIR's
# bin/, the build/ beside this source tree, or PATH.
disco_bin_dir() {
  local build=${1:-}
  if [ -n "${DISCO_BIN:-}" ]; then echo "$DISCO_BIN"; return; fi
  if [ -n "$build" ]; then echo "$build/bin"; return; fi
  if [ -x "$DEPLOY_DIR/../build/bin/disco-coord" ]; then
    (cd "$DEPLOY_DIR/../build/bin" && pwd); return
  fi
  local c; c=$(command -v disco-coord 2>/dev/null) || disco_die "no disco-coord: build the project (make) or set DISCO_BIN"
  dirname "$c"
}

# State: certificates, the API's store. $DISCO_STATE, else XDG's state home.
disco_state_dir() {
  echo "${DISCO_STATE:-${XDG_STATE_HOME:-${HOME:-/tmp}/.local/state}/disco}"
}

# disco_ensure_certs DIR NAME... : a CA in DIR and a certificate per NAME,
# each made only if missing (first use); later runs reuse them.
disco_ensure_certs() {
  local dir=$1 name; shift
  mkdir -p "$dir"
  [ -f "$dir/ca.crt" ] || bash "$CA_SH" init "$dir" "Disco-FLASH nodes CA" >/dev/null ||
    disco_die "cannot create a CA in $dir"
  for name in "$@"; do
    [ -f "$dir/$name.crt" ] && [ -f "$dir/$name.key" ] && continue
    bash "$CA_SH" issue "$dir" "$name" >/dev/null || disco_die "cannot issue $dir/$name.crt"
  done
}

# disco_check_cert CA CERT KEY: empty output if CERT is signed by CA, is
# current and matches KEY; otherwise one line saying what is wrong.
disco_check_cert() {
  local ca=$1 cert=$2 key=$3 out
  for f in "$ca" "$cert" "$key"; do [ -r "$f" ] || { echo "cannot read $f"; return; }; done
  out=$(openssl verify -CAfile "$ca" "$cert" 2>&1) ||
    { echo "$cert is not valid for $ca: $(echo "$out" | grep -m1 -i error | sed 's/^.*error/error/')"; return; }
  if [ "$(openssl x509 -noout -pubkey -in "$cert" 2>/dev/null)" != "$(openssl pkey -pubout -in "$key" 2>/dev/null)" ]; then
    echo "$key is not the key of $cert"
  fi
}

# The pids of flash-node/disco-coord processes carrying DISCO_RUN_TAG=$1.
disco_tagged_pids() {
  local tag=$1 p
  for p in /proc/[0-9]*; do
    { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "DISCO_RUN_TAG=$tag" || continue
    grep -qE 'flash-node|disco-coord' "$p/cmdline" 2>/dev/null && echo "${p#/proc/}"
  done
  return 0
}

# Stops every tagged process: TERM, a grace period, then KILL.
disco_stop_tagged() {
  local tag=$1 pids
  pids=$(disco_tagged_pids "$tag")
  [ -z "$pids" ] && return 0
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 30); do
    pids=$(disco_tagged_pids "$tag")
    [ -z "$pids" ] && return 0
    sleep 0.1
  done
  kill -KILL $pids 2>/dev/null || true
}
