#!/usr/bin/env bash
# The kernel data plane beside routed direct, portgate's relay, nginx (stream) and haproxy (mode tcp), in one
# run: three network namespaces this script makes and removes (client -- gateway -- server, veth, no route
# out of the machine), every forwarder in the gateway namespace, one at a time. Then rule changes: time per
# change with 10, 1,000 and 10,000 forwards in place, and 10,000 NAT-PMP leases.
# Every load is bounded (iperf3 -t, wrk -d, counted loops with a time limit) and stops by itself.
# Needs root, iperf3, wrk, nginx, haproxy, python3, curl. usage: bench/kernel.sh [seconds-per-run] (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
JAR=$PWD/target/portgate.jar
[ -f "$JAR" ] || mvn -q -DskipTests package
C=pgb-c; G=pgb-g; S=pgb-s
WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 2
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in $C $G $S; do ip netns pids $ns 2>/dev/null | xargs -r kill -9 2>/dev/null || true; ip netns del $ns 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

for ns in $C $G $S; do ip netns add $ns; inns $ns ip link set lo up; done
ip link add bw netns $C type veth peer name bg netns $G
ip link add bs netns $S type veth peer name bl netns $G
inns $C ip addr add 10.92.2.2/24 dev bw; inns $G ip addr add 10.92.2.1/24 dev bg
inns $G ip addr add 10.92.1.1/24 dev bl; inns $S ip addr add 10.92.1.2/24 dev bs
for l in "$C bw" "$G bg" "$G bl" "$S bs"; do set -- $l; inns $1 ip link set $2 up; done
inns $C ip route add 10.92.1.0/24 via 10.92.2.1
inns $S ip route add default via 10.92.1.1
inns $G sysctl -qw net.ipv4.ip_forward=1

# Backends on the server: iperf3, and nginx serving a 1 KiB file with one request per connection.
inns $S iperf3 -s -p 5201 >/dev/null 2>&1 & pids+=($!)
mkdir -p "$WORK/www" && head -c 1024 /dev/urandom > "$WORK/www/small"
cat > "$WORK/backend.conf" <<NGINX
worker_processes 1; daemon off; pid $WORK/backend.pid; error_log /dev/null;
events { worker_connections 4096; }
http { access_log off; server { listen 10.92.1.2:80; root $WORK/www; keepalive_timeout 0; } }
NGINX
inns $S nginx -c "$WORK/backend.conf" & pids+=($!)
sleep 1

tput() {  # port streams -> Gbit/s
  inns $C iperf3 -c "$1" -p "$2" -P "$3" -t "$T" -J 2>/dev/null \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.2f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' || echo "-"
}
udp() {  # host port size -> received kpackets/s
  inns $C iperf3 -c "$1" -p "$2" -u -b 0 -l "$3" -t "$T" -J 2>/dev/null \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["end"]["sum"]; n=(s["packets"]-s["lost_packets"])/s["seconds"]/1000; print("%.0f" % n if 0 <= n < 1e7 else "-")' 2>/dev/null || echo "-"
}
rate() {  # host port -> new connections (requests) per second
  # Each run starts with an empty conntrack table: 1 request per connection leaves ~50k entries in TIME_WAIT.
  inns $G conntrack -F >/dev/null 2>&1 || true
  inns $C wrk -t2 -c32 -d"${T}s" -H "Connection: close" "http://$1:$2/small" 2>/dev/null | awk '/Requests\/sec/ {printf "%.0f", $2}' || echo "-"
}
tree() {  # pid -> it and all its descendants
  echo "$1"; local c; for c in $(pgrep -P "$1" 2>/dev/null || true); do tree "$c"; done
}
cpu_ticks() {  # pid and its descendants -> utime+stime in clock ticks
  local total=0 p
  for p in $(tree "$1"); do
    total=$((total + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo $total
}
# Runs one measurement and prints "figure (cpu %)" with the forwarder's CPU over it, in % of one core.
measure() {  # pid command...
  local pid=$1; shift
  local hz; hz=$(getconf CLK_TCK)
  local before after t0 t1 out
  before=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
  out=$("$@")
  after=$(cpu_ticks "$pid"); t1=$(date +%s.%N)
  if [ -n "$pid" ] && [ "$pid" != 0 ]; then
    python3 -c "print('$out (%.0f %%)' % (100.0*($after-$before)/$hz/($t1-$t0)))"
  else
    echo "$out"
  fi
}
row() {  # name pid host tcp-port http-port udp(yes/no)
  local name=$1 pid=$2 host=$3 port=$4 http=$5 hasudp=$6 t1 t8 cps u64="–" u1400="–"
  t1=$(measure "$pid" tput "$host" "$port" 1); t8=$(measure "$pid" tput "$host" "$port" 8)
  cps=$(measure "$pid" rate "$host" "$http")
  if [ "$hasudp" = yes ]; then u64=$(measure "$pid" udp "$host" "$port" 64); u1400=$(measure "$pid" udp "$host" "$port" 1400); fi
  echo "| $name | $t1 | $t8 | $cps | $u64 | $u1400 |"
}

echo "## $(date -u +%FT%TZ), $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1), commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)"
echo
echo "| path | TCP 1 stream Gbit/s (gateway CPU) | TCP 8 streams | new conn/s (wrk) | UDP 64 B kpps | UDP 1400 B kpps |"
echo "| --- | --- | --- | --- | --- | --- |"
row "routed direct (start)" 0 10.92.1.2 5201 80 yes

# The kernel's NAT with nothing of portgate's: one hand-written DNAT rule per port (the issue's baseline).
inns $G nft -f - <<NFT
table ip bare {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr 10.92.2.1 tcp dport 15241 dnat to 10.92.1.2:5201
    ip daddr 10.92.2.1 udp dport 15241 dnat to 10.92.1.2:5201
    ip daddr 10.92.2.1 tcp dport 15242 dnat to 10.92.1.2:80
  }
}
NFT
row "plain nft DNAT rule" 0 10.92.2.1 15241 15242 yes
inns $G nft delete table ip bare

cat > "$WORK/portgate.yaml" <<YAML
kernel: { enabled: true }
forwards:
  - { name: k-iperf, protocol: both, listen: 0.0.0.0:15201, target: 10.92.1.2:5201 }
  - { name: k-http, listen: 0.0.0.0:15202, target: 10.92.1.2:80 }
  - { name: r-iperf, protocol: both, listen: 0.0.0.0:15211, target: 10.92.1.2:5201, data-plane: relay }
  - { name: r-http, listen: 0.0.0.0:15212, target: 10.92.1.2:80, data-plane: relay }
YAML
inns $G java -jar "$JAR" serve --config "$WORK/portgate.yaml" --data "$WORK/data" --console 127.0.0.1:7080 > "$WORK/pg.log" 2>&1 &
PG=$!; pids+=($PG)
for _ in $(seq 1 150); do grep -q "portgate started" "$WORK/pg.log" && break; sleep 0.2; done
JPID=$(pgrep -P $PG java || echo $PG)
row "**portgate kernel**" "$JPID" 10.92.2.1 15201 15202 yes
row "portgate relay" "$JPID" 10.92.2.1 15211 15212 yes

cat > "$WORK/stream.conf" <<NGINX
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1; daemon off; pid $WORK/stream.pid; error_log /dev/null;
events { worker_connections 4096; }
stream {
  server { listen 10.92.2.1:15221; proxy_pass 10.92.1.2:5201; }
  server { listen 10.92.2.1:15221 udp; proxy_pass 10.92.1.2:5201; }
  server { listen 10.92.2.1:15222; proxy_pass 10.92.1.2:80; }
}
NGINX
inns $G nginx -c "$WORK/stream.conf" & NG=$!
sleep 1
row "nginx stream (1 worker)" "$NG" 10.92.2.1 15221 15222 yes
kill $NG 2>/dev/null || true; wait $NG 2>/dev/null || true

cat > "$WORK/haproxy.cfg" <<HAP
global
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend f1
  bind 10.92.2.1:15231
  default_backend b1
backend b1
  server s1 10.92.1.2:5201
frontend f2
  bind 10.92.2.1:15232
  default_backend b2
backend b2
  server s2 10.92.1.2:80
HAP
inns $G haproxy -f "$WORK/haproxy.cfg" -db >/dev/null 2>&1 & HP=$!
sleep 1
row "haproxy (mode tcp)" "$HP" 10.92.2.1 15231 15232 no
kill $HP 2>/dev/null || true; wait $HP 2>/dev/null || true
row "routed direct (end)" 0 10.92.1.2 5201 80 yes

echo
echo "### Rule changes (API create + delete, each one nftables transaction)"
echo
echo "| forwards in place | create: median / p99 / max ms (API, end to end) | delete: median / p99 ms | kernel write: average / max ms |"
echo "| --- | --- | --- | --- |"
TOKEN=$(cat "$WORK/data/api-token")
for n in 10 1000 10000; do
  python3 - "$n" > "$WORK/portgate.yaml" <<'PY'
import sys
n = int(sys.argv[1])
print("kernel: { enabled: true }\nforwards:")
for i in range(n):
    print("  - { name: f%d, listen: 10.92.2.1:%d, target: 10.92.1.2:80 }" % (i, 20000 + i))
PY
  kill -HUP "$JPID"
  for _ in $(seq 1 600); do
    c=$(inns $G curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:7080/api/v1/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("forwards",0))' 2>/dev/null || echo 0)
    [ "$c" = "$n" ] && break; sleep 0.5
  done
  inns $G python3 bench/kernel_changes.py --token "$TOKEN" --count 100 --seconds 60
done

echo
echo "### 10,000 NAT-PMP leases (kernel data plane on)"
cat > "$WORK/portgate.yaml" <<YAML
kernel: { enabled: true }
igd:
  lan: [ 10.92.1.1 ]
  external-address: 10.92.2.1
  upnp: false
  lease: { min: 60s, max: 1d }
  max-leases-per-device: 20000
  permissions: [ "allow 1024-65535 10.92.1.0/24 1024-65535" ]
YAML
kill -HUP "$JPID"
for _ in $(seq 1 600); do inns $G ss -Hlnu | grep -q '10.92.1.1:5351' && break; sleep 0.5; done
inns $S python3 bench/igd.py --pmp 10.92.1.1 --leases 10000 --pid "$JPID" --seconds 120
