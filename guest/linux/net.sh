# /net.sh, sourced by /init: the guest's side of the virtual subnet (docs/linux.md).
# The monitor gives VM `id` the MAC 02:44:<id, 4 bytes big-endian>; the guest
# takes its IPv4 address from the MAC's last three bytes, 10.<id>>16>.<id>>8
# & 255>.<id & 255>/8, so VM 1 is 10.0.0.1 and no configuration is handed
# over. The workloads ("workload=netserver", "workload=netclient peer=IP")
# move a deterministic 256 KB file over TCP with busybox nc; their
# "DISCO-NET:" lines are what the tests look for.

NET_PORT=5000
NET_FILE_BYTES=262144

# Simulated seconds since boot, to the microsecond when the kernel has
# /proc/timer_list (its clock is the CP0 Count: simulated time), else to 10 ms.
net_now() {
  if [ -r /proc/timer_list ]; then
    awk '/^now at/ { printf "%.6f", $3 / 1e9; exit }' /proc/timer_list
  else
    cut -d' ' -f1 /proc/uptime
  fi
}

# Brings up lo and eth0 with the address the MAC gives.
net_up() {
  ip link set lo up
  if [ ! -e /sys/class/net/eth0/address ]; then
    echo "DISCO-NET: no eth0"
    return 1
  fi
  mac=$(cat /sys/class/net/eth0/address)
  set -- $(echo "$mac" | tr ':' ' ')
  NET_IP="10.$((0x$4)).$((0x$5)).$((0x$6))"
  ip addr add "$NET_IP/8" dev eth0
  ip link set eth0 up
  echo "DISCO-NET: eth0 $mac $NET_IP"
}

# Receives one file on TCP port NET_PORT and prints its size and md5. The
# kernel answers pings meanwhile. nc runs the receiver with the connection
# as its stdin, so the file ends exactly when the client closes its side.
netserver() {
  printf '#!/bin/sh\ncat > /tmp/net.recv\n' > /tmp/net-recv.sh
  chmod 755 /tmp/net-recv.sh
  echo "DISCO-NET: listening on port $NET_PORT"
  nc -l -p "$NET_PORT" -e /tmp/net-recv.sh
  echo "DISCO-NET: received $(wc -c < /tmp/net.recv) bytes md5 $(md5sum < /tmp/net.recv | cut -d' ' -f1)"
}

# Waits for the peer to answer a ping, then sends it the file, retrying the
# connection until the server listens.
netclient() {
  peer=$1
  if [ -z "$peer" ]; then
    echo "DISCO-NET: netclient needs peer=IP on the command line"
    return 1
  fi
  n=0
  until ping -c 1 -W 1 "$peer" > /tmp/ping.out 2>&1; do
    n=$((n + 1))
    if [ $n -ge 120 ]; then
      echo "DISCO-NET: no answer from $peer"
      return 1
    fi
  done
  echo "DISCO-NET: ping $(grep 'bytes from' /tmp/ping.out)"
  seq 1 50000 | head -c "$NET_FILE_BYTES" > /tmp/net.send
  echo "DISCO-NET: sending $(wc -c < /tmp/net.send) bytes md5 $(md5sum < /tmp/net.send | cut -d' ' -f1)"
  t0=$(net_now)
  n=0
  until nc "$peer" "$NET_PORT" < /tmp/net.send; do
    n=$((n + 1))
    if [ $n -ge 60 ]; then
      echo "DISCO-NET: cannot connect to $peer:$NET_PORT"
      return 1
    fi
    sleep 1
  done
  t1=$(net_now)
  echo "DISCO-NET: sent to $peer:$NET_PORT in $(echo "$t0 $t1" | awk '{ printf "%.6f", $2 - $1 }') s"
}
