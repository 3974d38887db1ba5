#!/usr/bin/env bash
# Per-owner virtual subnets through the API (docs/architecture.md, "The
# virtual subnet"): every Linux VM submitted through the API gets a NIC on
# its owner's subnet. alice's netserver VM and her netclient job move a
# 256 KB file over TCP (equal md5s, the job passes); bob's netclient, aimed
# at the same address, only ever sends: its VM receives no frame and its
# ping never answers. Skipped (77) without the Linux guest.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../linux/guest.sh"
make_pki
start_coord --cpu-model mips64r2 --byte-order little --memory-per-node 384 --heartbeat-timeout 30000
for u in alice bob; do expect 0 as $u image push --kind disk --name initramfs "$I"; done
INITRD=$(sha256sum "$I" | cut -d' ' -f1)
B="console=ttyS0 earlycon nokaslr lpj=400000"
LIMIT=(--memory 128 --initrd "$INITRD")

# console_line FILE SED-EXPR: the first match in a followed console, waiting up to 300 s.
console_line() {
  local deadline=$(($(date +%s) + 300)) v
  while :; do
    v=$(tr -d '\r' <"$1" | sed -n "$2" | head -n1)
    [ -n "$v" ] && { echo "$v"; return 0; }
    [ "$(date +%s)" -lt $deadline ] || return 1
    sleep 1
  done
}

expect 0 as alice vm submit "$K" --name srv "${LIMIT[@]}" --max-cycles 20000000000 \
  --append "$B workload=netserver"
SRV=$(tail -n1 <<<"$OUT")
as alice vm console "$SRV" --follow >"$WORK/srv.out" 2>&1 &
IP=$(console_line "$WORK/srv.out" 's/.*DISCO-NET: eth0 [0-9a-f:]* \([0-9.]*\).*/\1/p') ||
  fail "alice's server VM never configured eth0: $(tail -20 "$WORK/srv.out")"
echo "alice's server VM $SRV is $IP"

# bob aims at the same address from his own subnet, meanwhile.
expect 0 as bob vm submit "$K" --name intruder "${LIMIT[@]}" --max-cycles 4000000000 \
  --append "$B workload=netclient peer=$IP"
BOBVM=$(tail -n1 <<<"$OUT")
as bob vm console "$BOBVM" --follow >"$WORK/bob.out" 2>&1 &
BOBCON=$!

expect 0 as alice job submit "$K" --name cli "${LIMIT[@]}" --max-cycles 20000000000 \
  --append "$B workload=netclient peer=$IP" --time-limit 600 --wait
SENT=$(tr -d '\r' <<<"$OUT" | sed -n 's/.*DISCO-NET: sending \([0-9]* bytes md5 [0-9a-f]*\).*/\1/p')
[ -n "$SENT" ] || fail "alice's client sent nothing: $(tail -20 <<<"$OUT")"
GOT=$(console_line "$WORK/srv.out" 's/.*DISCO-NET: received \([0-9]* bytes md5 [0-9a-f]*\).*/\1/p') ||
  fail "alice's server received nothing: $(tail -20 "$WORK/srv.out")"
echo "sent: $SENT; received: $GOT"
[ "$SENT" = "$GOT" ] || fail "the file changed on the way"

wait "$BOBCON" || true
grep -q "DISCO-NET: eth0" "$WORK/bob.out" || fail "bob's VM never configured eth0: $(tail -20 "$WORK/bob.out")"
! grep -q "DISCO-NET: ping 64 bytes" "$WORK/bob.out" || fail "bob's VM reached alice's subnet"
expect 0 as bob stats --vm "$BOBVM"
echo "$OUT" | grep -E "net_(tx|rx)_frames"
grep -Eq "^ *net_rx_frames +0( |$)" <<<"$OUT" || fail "bob's VM received frames"
grep -Eq "^ *net_tx_frames +[1-9]" <<<"$OUT" || fail "bob's VM sent nothing (no NIC?)"
stop_coord
echo PASS
