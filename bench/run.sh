#!/usr/bin/env bash
# Static-forwarding benchmark: portgate side by side with nginx (stream), haproxy (mode tcp), rinetd and
# socat, with iperf3 direct as the limit, all on 127.0.0.1, one relay at a time. Every load is bounded
# in time (iperf3 -t, wrk -d) and stops by itself.
#
# usage: bench/run.sh [seconds-per-run]      (default 5)   — prints a Markdown table of results
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
OUT=bench/out; mkdir -p "$OUT"
JAR=target/portgate.jar
[ -f "$JAR" ] || mvn -q -DskipTests package

# A relay holding N connections needs 2N descriptors; the hard limit here is $(ulimit -Hn).
BIG=$(( ($(ulimit -Hn) / 2 - 500) < 10000 ? ($(ulimit -Hn) / 2 - 500) : 10000 ))
ulimit -n "$(ulimit -Hn)"
IPERF=15201; HTTP=15202; HOLD=15203; RELAY=15210; RELAY_HTTP=15211; RELAY_HOLD=15212
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Backends: iperf3 server, a small HTTP server (nginx, 1 KiB file), and a server that holds idle connections.
iperf3 -s -B 127.0.0.1 -p $IPERF >/dev/null 2>&1 & pids+=($!)
mkdir -p "$OUT/www" && head -c 1024 /dev/urandom > "$OUT/www/small"
cat > "$OUT/backend-nginx.conf" <<NGINX
worker_processes 1; daemon off; pid $PWD/$OUT/backend-nginx.pid; error_log /dev/null;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$HTTP; root $PWD/$OUT/www; keepalive_timeout 0; } }
NGINX
nginx -c "$PWD/$OUT/backend-nginx.conf" & pids+=($!)
python3 bench/hold.py server $HOLD & pids+=($!)
sleep 1

tput() {  # port streams reverse -> Gbit/s
  local r=""; [ "$3" = R ] && r="-R"
  iperf3 -c 127.0.0.1 -p "$1" -P "$2" $r -t "$T" -J 2>/dev/null \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.2f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' || echo "-"
}
udp() {  # port size -> received kpackets/s
  iperf3 -c 127.0.0.1 -p "$1" -u -b 0 -l "$2" -t "$T" -J 2>/dev/null \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["end"]["sum"]; n=(s["packets"]-s["lost_packets"])/s["seconds"]/1000; print("%.0f" % n if 0 <= n < 1e7 else "-")' 2>/dev/null || echo "-"
}
rate() {  # port -> new connections (requests) per second, one request per connection
  wrk -t2 -c32 -d"${T}s" -H "Connection: close" "http://127.0.0.1:$1/small" 2>/dev/null | awk '/Requests\/sec/ {printf "%.0f", $2}' || echo "-"
}
rss_kb() {  # RSS of a process and all its descendants (nginx's workers, haproxy's threads, …)
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done
  echo $total
}
mem() {  # pid n -> KiB per idle connection
  local before after
  before=$(rss_kb "$1")
  python3 bench/hold.py client $RELAY_HOLD "$2" 4 > "$OUT/hold.out" & local h=$!
  for _ in $(seq 1 100); do grep -q held "$OUT/hold.out" 2>/dev/null && break; sleep 0.2; done
  after=$(rss_kb "$1")
  wait $h || true
  python3 -c "print('%.1f' % (($after-$before)/$2))"
}

row() {  # name pid udp(yes/no)
  local name=$1 pid=$2 hasudp=$3 u64="-" u1400="-"
  local t1 t8 t1r t8r cps m2 m10
  # Memory first, on the fresh process: after the throughput runs its buffers would already be resident.
  m2=$(mem "$pid" 2000); sleep 1; m10=$(mem "$pid" $BIG)
  t1=$(tput $RELAY 1 F); t8=$(tput $RELAY 8 F); t1r=$(tput $RELAY 1 R); t8r=$(tput $RELAY 8 R)
  if [ "$hasudp" = yes ]; then u64=$(udp $RELAY 64); u1400=$(udp $RELAY 1400); fi
  cps=$(rate $RELAY_HTTP)
  echo "| $name | $t1 | $t8 | $t1r | $t8r | $cps | $u64 | $u1400 | $m2 | $m10 |"
}

direct() {
  local t1 t8 t1r t8r cps u64 u1400
  t1=$(tput $IPERF 1 F); t8=$(tput $IPERF 8 F); t1r=$(tput $IPERF 1 R); t8r=$(tput $IPERF 8 R)
  u64=$(udp $IPERF 64); u1400=$(udp $IPERF 1400); cps=$(rate $HTTP)
  echo "| $1 | $t1 | $t8 | $t1r | $t8r | $cps | $u64 | $u1400 | – | – |"
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; sleep 1; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo "seconds per run: $T; loopback only"
echo
echo "| relay | TCP 1 stream Gbit/s | TCP 8 streams | TCP 1 reverse | TCP 8 reverse | conn/s (wrk, 1 req/conn) | UDP 64 B kpps | UDP 1400 B kpps | KiB/idle conn (2k) | KiB/idle conn ($BIG) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
direct "direct (start)"

# portgate
cat > "$OUT/portgate.yaml" <<YAML
forwards:
  - { name: iperf, protocol: both, listen: 127.0.0.1:$RELAY, target: 127.0.0.1:$IPERF }
  - { name: http, listen: 127.0.0.1:$RELAY_HTTP, target: 127.0.0.1:$HTTP }
  - { name: hold, listen: 127.0.0.1:$RELAY_HOLD, target: 127.0.0.1:$HOLD }
YAML
rm -rf "$OUT/pg-data"
java ${PORTGATE_JAVA_OPTS:-} -jar $JAR serve -c "$OUT/portgate.yaml" -d "$OUT/pg-data" > "$OUT/portgate.log" 2>&1 & pg=$!
for _ in $(seq 1 50); do grep -q "portgate started" "$OUT/portgate.log" && break; sleep 0.2; done
row portgate $pg yes; stop $pg

# nginx stream
cat > "$OUT/nginx-stream.conf" <<NGINX
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1; daemon off; pid $PWD/$OUT/nginx-stream.pid; error_log /dev/null;
events { worker_connections 30000; }
stream {
  server { listen 127.0.0.1:$RELAY; proxy_pass 127.0.0.1:$IPERF; }
  server { listen 127.0.0.1:$RELAY udp; proxy_pass 127.0.0.1:$IPERF; proxy_timeout 10s; }
  server { listen 127.0.0.1:$RELAY_HTTP; proxy_pass 127.0.0.1:$HTTP; }
  server { listen 127.0.0.1:$RELAY_HOLD; proxy_pass 127.0.0.1:$HOLD; }
}
NGINX
nginx -c "$PWD/$OUT/nginx-stream.conf" & ng=$!; sleep 1
row "nginx (stream, 1 worker)" $ng yes; stop $ng

# haproxy (no UDP)
cat > "$OUT/haproxy.cfg" <<HAP
global
  maxconn 9800
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen iperf
  bind 127.0.0.1:$RELAY
  server s 127.0.0.1:$IPERF
listen http
  bind 127.0.0.1:$RELAY_HTTP
  server s 127.0.0.1:$HTTP
listen hold
  bind 127.0.0.1:$RELAY_HOLD
  server s 127.0.0.1:$HOLD
HAP
haproxy -f "$OUT/haproxy.cfg" -db > /dev/null 2>&1 & hp=$!; sleep 1
row "haproxy (mode tcp)" $hp no; stop $hp

# rinetd
cat > "$OUT/rinetd.conf" <<RIN
127.0.0.1 $RELAY 127.0.0.1 $IPERF
127.0.0.1 $RELAY/udp 127.0.0.1 $IPERF/udp
127.0.0.1 $RELAY_HTTP 127.0.0.1 $HTTP
127.0.0.1 $RELAY_HOLD 127.0.0.1 $HOLD
RIN
rinetd -f -c "$OUT/rinetd.conf" & ri=$!; sleep 1
row rinetd $ri yes; stop $ri

# socat: one process per port; memory is the sum of the forked children, so only throughput and rate.
for b in "" "-b 131072"; do
  socat $b TCP4-LISTEN:$RELAY,bind=127.0.0.1,fork,reuseaddr TCP4:127.0.0.1:$IPERF & s1=$!
  socat $b TCP4-LISTEN:$RELAY_HTTP,bind=127.0.0.1,fork,reuseaddr TCP4:127.0.0.1:$HTTP & s2=$!
  sleep 0.5
  t1=$(tput $RELAY 1 F); t8=$(tput $RELAY 8 F); t1r=$(tput $RELAY 1 R); t8r=$(tput $RELAY 8 R); cps=$(rate $RELAY_HTTP)
  echo "| socat ${b:-(default 8 KiB buffer)} | $t1 | $t8 | $t1r | $t8r | $cps | – | – | – | – |"
  stop $s1; stop $s2
done

direct "direct (end)"
