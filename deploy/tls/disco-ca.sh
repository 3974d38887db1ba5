#!/usr/bin/env bash
# disco-ca.sh - a small certificate authority for Disco/FLASH deployments.
#
#   disco-ca.sh init  DIR [CA-NAME]        create DIR/ca.{key,crt} (once)
#   disco-ca.sh issue DIR NAME [DAYS]      key + certificate DIR/NAME.{key,crt}
#                                          (server and client use: coordinator, nodes)
#   disco-ca.sh user  DIR NAME [--admin] [DAYS]
#                                          a user's certificate for the public API:
#                                          CN=NAME is the user; --admin adds
#                                          OU=disco-admin (the admin role)
#   disco-ca.sh revoke DIR NAME            revoke DIR/NAME.crt and rewrite DIR/crl.pem
#   disco-ca.sh crl   DIR                  (re)write DIR/crl.pem, the revocation list
#                                          that disco-coord --api-crl reads (it notices
#                                          a new one within a second)
#
# One CA per role (coordinator/nodes, users) keeps roles apart: NNG 1.5
# cannot read the peer's name, only whether its CA verified it. Keys are
# ECDSA P-256, unencrypted, mode 0600.
set -euo pipefail

die() { echo "disco-ca: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: disco-ca.sh init DIR [CA-NAME] | issue DIR NAME [DAYS] | user DIR NAME [--admin] [DAYS] | revoke DIR NAME | crl DIR"
cmd=$1 dir=$2
command -v openssl >/dev/null || die "openssl is not installed"
umask 077

case "$cmd" in
init)
  name=${3:-"Disco-FLASH CA"}
  case "$name" in */*) die "a CA name cannot contain /";; esac
  mkdir -p "$dir"
  if [ -f "$dir/ca.crt" ]; then
    echo "disco-ca: $dir/ca.crt exists, keeping it"
    exit 0
  fi
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 3650 -subj "/CN=$name" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null || die "cannot create the CA in $dir"
  echo "disco-ca: created CA '$name' in $dir"
  ;;
issue)
  [ $# -ge 3 ] || die "usage: disco-ca.sh issue DIR NAME [DAYS]"
  name=$3 days=${4:-825}
  [ -f "$dir/ca.crt" ] && [ -f "$dir/ca.key" ] || die "no CA in $dir: run 'disco-ca.sh init $dir' first"
  case "$name" in */*|"") die "bad certificate name '$name'";; esac
  ext=$(mktemp)
  trap 'rm -f "$ext" "$dir/$name.csr"' EXIT
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\n' "$name" >"$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$name" 2>/dev/null ||
    die "cannot create a key for $name"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/$name.crt" -days "$days" -extfile "$ext" 2>/dev/null ||
    die "cannot sign the certificate of $name"
  echo "disco-ca: issued $dir/$name.crt"
  ;;
user)
  [ $# -ge 3 ] || die "usage: disco-ca.sh user DIR NAME [--admin] [DAYS]"
  name=$3 days=825 subj="/CN=$3"
  shift 3
  for a in "$@"; do
    case "$a" in
    --admin) subj="/OU=disco-admin/CN=$name" ;;
    *[!0-9]*|"") die "bad argument '$a'" ;;
    *) days=$a ;;
    esac
  done
  [ -f "$dir/ca.crt" ] && [ -f "$dir/ca.key" ] || die "no CA in $dir: run 'disco-ca.sh init $dir' first"
  case "$name" in */*|"") die "bad user name '$name'";; esac
  ext=$(mktemp)
  trap 'rm -f "$ext" "$dir/$name.csr"' EXIT
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' >"$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "$subj" 2>/dev/null ||
    die "cannot create a key for $name"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/$name.crt" -days "$days" -extfile "$ext" 2>/dev/null ||
    die "cannot sign the certificate of $name"
  echo "disco-ca: issued user certificate $dir/$name.crt ($subj)"
  ;;
revoke|crl)
  [ -f "$dir/ca.crt" ] && [ -f "$dir/ca.key" ] || die "no CA in $dir"
  # `openssl ca` keeps the revoked serials in DIR/index.txt.
  [ -f "$dir/index.txt" ] || : >"$dir/index.txt"
  [ -f "$dir/crlnumber" ] || echo 01 >"$dir/crlnumber"
  cnf=$(mktemp)
  trap 'rm -f "$cnf" "$dir/crl.pem.tmp"' EXIT
  printf '[ca]\ndefault_ca=disco\n[disco]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ncertificate=%s/ca.crt\nprivate_key=%s/ca.key\ndefault_md=sha256\ndefault_crl_days=30\n' \
    "$dir" "$dir" "$dir" "$dir" >"$cnf"
  if [ "$cmd" = revoke ]; then
    [ $# -ge 3 ] || die "usage: disco-ca.sh revoke DIR NAME"
    [ -f "$dir/$3.crt" ] || die "no certificate $dir/$3.crt"
    openssl ca -config "$cnf" -revoke "$dir/$3.crt" -crl_reason keyCompromise 2>/dev/null ||
      die "cannot revoke $3"
    echo "disco-ca: revoked $dir/$3.crt"
  fi
  # Written aside and renamed, so a reader never sees half a list.
  openssl ca -config "$cnf" -gencrl -out "$dir/crl.pem.tmp" 2>/dev/null || die "cannot write the CRL"
  mv "$dir/crl.pem.tmp" "$dir/crl.pem"
  echo "disco-ca: wrote $dir/crl.pem"
  ;;
*) die "unknown command '$cmd'" ;;
esac
