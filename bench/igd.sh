#!/bin/sh
# Mapping operations per second (UPnP SOAP AddPortMapping/DeletePortMapping, NAT-PMP map/delete) and
# memory for 10,000 live leases: portgate beside miniupnpd (Debian's miniupnpd-nftables), both run in one
# network namespace this script creates and removes, on the same LAN address, one after the other.
# The namespace's "WAN" address 11.0.0.1 exists only inside it: miniupnpd refuses reserved external
# addresses, and nothing ever leaves the namespace.
# Needs root, python3, jcmd (JDK), miniupnpd-nftables and nftables. Usage: bench/igd.sh [seconds]
set -eu
SECS=${1:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
JAR="$HERE/../target/portgate.jar"
NS=pgbench-igd
WORK=$(mktemp -d)
N="ip netns exec $NS"
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; ip netns del $NS 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

ip netns add $NS
$N ip link set lo up
$N ip link add lan0 type veth peer name lan1
$N ip link add wan0 type veth peer name wan1
for i in lan0 lan1 wan0 wan1; do $N ip link set $i up; done
$N ip addr add 10.77.0.1/24 dev lan0
$N ip addr add 11.0.0.1/24 dev wan0
$N ip route add default via 11.0.0.2 dev wan0

wait_for() { for i in $(seq 1 150); do grep -q "$1" "$2" 2>/dev/null && return 0; sleep 0.2; done; echo "timeout waiting for $1"; cat "$2"; exit 1; }

echo "## $(date -u +%FT%TZ), $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1)"
echo
echo "### portgate"
cat > "$WORK/portgate.yaml" <<YAML
igd:
  lan: [ 10.77.0.1 ]
  listen: 11.0.0.1
  external-address: 11.0.0.1
  http-port: 15000
  lease: { min: 60s, max: 1d }
  max-leases-per-device: 20000
  permissions: [ "allow 1024-65535 10.77.0.0/24 1024-65535" ]
YAML
$N java -Xmx512m -jar "$JAR" serve --config "$WORK/portgate.yaml" --data "$WORK/data" --console off > "$WORK/pg.log" 2>&1 &
PID=$!
wait_for "portgate started" "$WORK/pg.log"
JPID=$(pgrep -f "$WORK/portgate.yaml" | while read p; do [ "$(cat /proc/$p/comm)" = java ] && echo $p; done | head -1)
$N python3 "$HERE/igd.py" --soap http://10.77.0.1:15000/ctl/IPConn --client 10.77.0.1 --pmp 10.77.0.1 --seconds "$SECS"
$N python3 "$HERE/igd.py" --pmp 10.77.0.1 --leases 10000 --pid "$JPID" --seconds 300
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=

echo
echo "### miniupnpd $(dpkg-query -W -f '${Version}' miniupnpd-nftables) (nftables)"
$N nft -f - <<NFT
table inet filter {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting_miniupnpd { type nat hook prerouting priority -100; }
  chain postrouting_miniupnpd { type nat hook postrouting priority 100; }
}
NFT
cat > "$WORK/miniupnpd.conf" <<CONF
ext_ifname=wan0
listening_ip=lan0
http_port=15002
enable_natpmp=yes
enable_upnp=yes
secure_mode=yes
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
allow 1024-65535 10.77.0.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF
$N miniupnpd -d -f "$WORK/miniupnpd.conf" > "$WORK/mu.log" 2>&1 &
PID=$!
wait_for "Listening for NAT-PMP" "$WORK/mu.log"
$N python3 "$HERE/igd.py" --soap http://10.77.0.1:15002/ctl/IPConn --client 10.77.0.1 --pmp 10.77.0.1 --seconds "$SECS"
$N python3 "$HERE/igd.py" --pmp 10.77.0.1 --leases 10000 --pid "$PID" --seconds 300
