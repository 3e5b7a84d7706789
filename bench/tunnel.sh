#!/usr/bin/env bash
# portgate's tunnel through carrier-grade NAT, side by side with the peers, in network namespaces the script makes
# and removes (none with a route out of the machine):
#
#   home 10.96.1.2 ── cgnat 10.96.1.1 | 10.96.2.2 ── 10.96.2.1 vps 10.96.3.1 ── 10.96.3.2 internet
#
# Paths, one at a time: routed direct (the limit: no NAT, the player reaches home's address), portgate's tunnel
# over QUIC and over its TCP+TLS fallback (server on the vps, client at home behind a NAT that lets nothing in), and OpenSSH's `ssh -R`
# (aes128-gcm) from home to an sshd on the vps; for UDP, the usual hack instead: socat turns UDP into TCP on the
# vps, through `ssh -R`, and back into UDP at home.
# Figures: iperf3 TCP 1 and 8 streams; UDP packets/s echoed at 64 and 1200 bytes; UDP round trip p50/p99 idle,
# under a bulk TCP transfer through the same tunnel, and with 2 % of the path's UDP (and the ssh path's TCP) dropped.
#
# usage: bench/tunnel.sh [seconds]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
OUT=bench/out/tunnel; rm -rf "$OUT"; mkdir -p "$OUT"; chmod 700 "$OUT"
JAR=${PORTGATE_JAR:-target/portgate.jar}
[ -f "$JAR" ] || mvn -q -DskipTests package
H=pgb-home; N=pgb-nat; V=pgb-vps; I=pgb-net
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # $! of a background `ip netns exec` is often its shell, not the program: stop whatever still runs inside.
  for ns in $H $N $V $I; do ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in $H $N $V $I; do ip netns del $ns 2>/dev/null || true; done
}
trap cleanup EXIT
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

for ns in $H $N $V $I; do ip netns add $ns; nsx $ns ip link set lo up; done
ip link add bh netns $H type veth peer name bn netns $N
ip link add bo netns $N type veth peer name bv netns $V
ip link add bw netns $V type veth peer name bi netns $I
nsx $H ip addr add 10.96.1.2/24 dev bh; nsx $N ip addr add 10.96.1.1/24 dev bn
nsx $N ip addr add 10.96.2.2/24 dev bo; nsx $V ip addr add 10.96.2.1/24 dev bv
nsx $V ip addr add 10.96.3.1/24 dev bw; nsx $I ip addr add 10.96.3.2/24 dev bi
for l in "$H bh" "$N bn" "$N bo" "$V bv" "$V bw" "$I bi"; do set -- $l; nsx $1 ip link set $2 up; done
nsx $H ip route add default via 10.96.1.1
nsx $N sysctl -qw net.ipv4.ip_forward=1; nsx $V sysctl -qw net.ipv4.ip_forward=1
nsx $V ip route add 10.96.1.0/24 via 10.96.2.2
nsx $N ip route add default via 10.96.2.1
nsx $I ip route add default via 10.96.3.1

# Home's targets: iperf3 and a UDP echo.
nsx $H iperf3 -s -p 5201 >/dev/null 2>&1 & pids+=($!)
nsx $H iperf3 -s -p 5202 >/dev/null 2>&1 & pids+=($!)  # the load under which the UDP round trip is measured
nsx $H python3 bench/udp_probe.py echo 9000 & pids+=($!)
sleep 1

tcp() {  # namespace host port streams -> Gbit/s received
  # Bounded: a transfer that stalls (8 streams through QUIC, 2026-12-03) gives "-" instead of hanging the run.
  nsx $I timeout $((T + 20)) iperf3 -c "$2" -p "$3" -P "$4" -t "$T" -J 2>/dev/null | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' || echo "-"
}
rate() { nsx $I python3 bench/udp_probe.py rate "$1" "$2" "$3" "$T"; }
ping() { nsx $I python3 bench/udp_probe.py ping "$1" "$2" 500; }
row() { echo "| $* |" | tee -a "$OUT/table.md"; }

echo "| path | TCP 1 stream Gbit/s | TCP 8 streams Gbit/s | UDP 64 B pkt/s | UDP 1200 B pkt/s | UDP RTT p50 / p99 ms idle | p99 under TCP load | p99 with 2 % loss (lost) |" | tee "$OUT/table.md"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |" | tee -a "$OUT/table.md"

loaded_p99() {  # host udpport tcphost tcpport -> p99 of a UDP ping while iperf3 fills the same path
  nsx $I iperf3 -c "$3" -p "$4" -t 8 >/dev/null 2>&1 & local load=$!
  sleep 1; local r; r=$(ping "$1" "$2"); kill $load 2>/dev/null || true; wait $load 2>/dev/null || true
  echo "$r" | awk '{print $2}'
}
lossy() {  # host port -> "p99 (lost)" with 2 % of UDP and of the ssh TCP dropped in the cgnat
  nsx $N nft add table ip lossy
  nsx $N nft add chain ip lossy f '{ type filter hook forward priority -5; }'
  nsx $N nft add rule ip lossy f meta l4proto '{ udp, tcp }' numgen random mod 100 '<' 2 drop
  local r; r=$(ping "$1" "$2"); nsx $N nft delete table ip lossy
  echo "$r" | awk '{print $2 " (" $4 ")"}'
}

# 1. Routed direct: no NAT yet, the player reaches home's own address.
d1=$(tcp $I 10.96.1.2 5201 1); d8=$(tcp $I 10.96.1.2 5201 8)
u64=$(rate 10.96.1.2 9000 64); u1200=$(rate 10.96.1.2 9000 1200)
p=$(ping 10.96.1.2 9000); lp=$(loaded_p99 10.96.1.2 9000 10.96.1.2 5202); lo=$(lossy 10.96.1.2 9000)
row "routed direct | $d1 | $d8 | $u64 | $u1200 | $(echo $p | awk '{print $1 " / " $2}') | $lp | $lo"

# The carrier's NAT: masquerade, nothing starts from outside.
nsx $N nft -f - <<NFT
table ip cgnat {
 chain out_nat { type nat hook postrouting priority srcnat; oifname "bo" masquerade; }
 chain inbound { type filter hook forward priority filter; policy drop; ct state established,related accept; iifname "bn" accept; }
}
NFT

# 2. portgate's tunnel over QUIC, then over its TCP fallback (the same server).
TOKEN=$(head -c 32 /dev/urandom | base64 | tr -d '/+=' ); echo "$TOKEN" > "$OUT/token"
cat > "$OUT/server.yaml" <<YAML
tunnel-server:
  listen: 0.0.0.0:7443
  clients:
    - { name: home, token-file: $PWD/$OUT/token, permit-listen: [ "0.0.0.0:15201-15202", "udp/0.0.0.0:19000" ] }
YAML
nsx $V java ${PORTGATE_JAVA_OPTS:-} -jar $JAR serve -c "$OUT/server.yaml" -d "$OUT/vps-data" --console off > "$OUT/server.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do grep -q "certificate sha256:" "$OUT/server.log" && break; sleep 0.2; done
FP=$(grep -o 'sha256:[0-9a-f]*' "$OUT/server.log" | head -1)
home_row() {  # transport label: portgate at home on that transport, measured
  cat > "$OUT/home-$1.yaml" <<YAML
tunnel-endpoints:
  - { name: vps, server: "10.96.2.1:7443", token-file: $PWD/$OUT/token, server-fingerprint: "$FP", transport: $1 }
forwards:
  - { name: iperf, kind: remote, via: vps, listen: 0.0.0.0:15201, target: 127.0.0.1:5201 }
  - { name: load, kind: remote, via: vps, listen: 0.0.0.0:15202, target: 127.0.0.1:5202 }
  - { name: echo, kind: remote, via: vps, protocol: udp, listen: 0.0.0.0:19000, target: 127.0.0.1:9000 }
YAML
  nsx $H java ${PORTGATE_JAVA_OPTS:-} -jar $JAR serve -c "$OUT/home-$1.yaml" -d "$OUT/home-$1-data" --console off > "$OUT/home-$1.log" 2>&1 & local home=$!
  pids+=($home)
  for _ in $(seq 1 100); do grep -q "udp 0.0.0.0:19000 is open" "$OUT/home-$1.log" && grep -q "tcp 0.0.0.0:15202 is open" "$OUT/home-$1.log" && break; sleep 0.2; done
  # Warm the JVMs' hot paths: the QUIC path's throughput still climbs over its first 20 s of traffic (C2 at work).
  for _ in 1 2 3 4; do tcp $I 10.96.3.1 15201 1 >/dev/null; done
  local t1 t8 u64 u1200 p lp lo
  t1=$(tcp $I 10.96.3.1 15201 1); t8=$(tcp $I 10.96.3.1 15201 8)
  rate 10.96.3.1 19000 1200 >/dev/null  # path MTU discovery lifts QUIC's packets from 1,200 bytes first
  u64=$(rate 10.96.3.1 19000 64); u1200=$(rate 10.96.3.1 19000 1200)
  p=$(ping 10.96.3.1 19000); lp=$(loaded_p99 10.96.3.1 19000 10.96.3.1 15202); lo=$(lossy 10.96.3.1 19000)
  row "$2 | $t1 | $t8 | $u64 | $u1200 | $(echo $p | awk '{print $1 " / " $2}') | $lp | $lo"
  # $! is the subshell of the nsx function, not java: stop the JVM by its command line.
  pkill -f -- "-c $OUT/home-$1.yaml" 2>/dev/null || true; wait $home 2>/dev/null || true
  for _ in $(seq 1 50); do pgrep -f -- "-c $OUT/home-$1.yaml" >/dev/null || break; sleep 0.2; done
}
home_row quic "portgate tunnel (QUIC)"
# 2b. The same over the TCP fallback (TLS 1.3, HTTP/2 streams): UDP rides one reliable stream.
home_row tcp "portgate tunnel (TCP+TLS fallback)"
kill "${pids[@]}" 2>/dev/null || true

# 3. OpenSSH ssh -R, and UDP through it with socat on both ends.
ssh-keygen -q -t ed25519 -N '' -f "$OUT/host"; ssh-keygen -q -t ed25519 -N '' -f "$OUT/client"
cp "$OUT/client.pub" "$OUT/authorized_keys"
cat > "$OUT/sshd_config" <<SSHD
Port 2222
ListenAddress 10.96.2.1
HostKey $PWD/$OUT/host
AuthorizedKeysFile $PWD/$OUT/authorized_keys
PasswordAuthentication no
PermitRootLogin prohibit-password
StrictModes no
GatewayPorts yes
PidFile $PWD/$OUT/sshd.pid
SSHD
mkdir -p /run/sshd
nsx $V $(command -v sshd || echo /usr/sbin/sshd) -D -f "$OUT/sshd_config" & pids+=($!)
sleep 1
nsx $H ssh -N -i "$OUT/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -c aes128-gcm@openssh.com \
  -p 2222 -R 0.0.0.0:25201:127.0.0.1:5201 -R 0.0.0.0:25202:127.0.0.1:5202 -R 127.0.0.1:26000:127.0.0.1:26000 root@10.96.2.1 & pids+=($!)
nsx $H socat TCP-LISTEN:26000,bind=127.0.0.1,fork,reuseaddr UDP:127.0.0.1:9000 & pids+=($!)
nsx $V socat UDP-LISTEN:29000,fork,reuseaddr TCP:127.0.0.1:26000 & pids+=($!)
for _ in $(seq 1 50); do nsx $V ss -ltn "sport = :25201" | grep -q LISTEN && break; sleep 0.2; done
s1=$(tcp $I 10.96.3.1 25201 1); s8=$(tcp $I 10.96.3.1 25201 8)
u64=$(rate 10.96.3.1 29000 64); u1200=$(rate 10.96.3.1 29000 1200)
p=$(ping 10.96.3.1 29000); lp=$(loaded_p99 10.96.3.1 29000 10.96.3.1 25202); lo=$(lossy 10.96.3.1 29000)
row "ssh -R (OpenSSH, aes128-gcm); UDP by socat through it | $s1 | $s8 | $u64 | $u1200 | $(echo $p | awk '{print $1 " / " $2}') | $lp | $lo"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), $(java -version 2>&1 | head -1)" | tee -a "$OUT/table.md"
