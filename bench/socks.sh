#!/usr/bin/env bash
# Dynamic-forwarding benchmark: portgate's SOCKS5 proxy beside microsocks, dante (danted) and ssh -D,
# with curl direct as the limit and portgate's own static forward for comparison, on 127.0.0.1 only.
# Download throughput: curl fetches a 512 MiB file from a local nginx through each (bounded by --max-time).
# Connection rate: bench/socks_rate.py, one SOCKS handshake + one small request per connection.
#
# usage: bench/socks.sh [seconds-per-rate-run]    (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
OUT=bench/out; mkdir -p "$OUT/www"
JAR=target/portgate.jar
[ -f "$JAR" ] || mvn -q -DskipTests package
HTTP=15302; PG=15310; PGSTATIC=15311; MS=15312; DANTE=15313; SSHD=15314; SSHD_D=15315
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

[ -f "$OUT/www/big" ] || head -c $((512*1024*1024)) /dev/urandom > "$OUT/www/big"
head -c 1024 /dev/urandom > "$OUT/www/small"
cat > "$OUT/socks-nginx.conf" <<NGINX
worker_processes 1; daemon off; pid $PWD/$OUT/socks-nginx.pid; error_log /dev/null;
events { worker_connections 4096; }
http { access_log off; sendfile on; server { listen 127.0.0.1:$HTTP; root $PWD/$OUT/www; keepalive_timeout 0; } }
NGINX
nginx -c "$PWD/$OUT/socks-nginx.conf" & pids+=($!)
sleep 0.5

download() {  # curl args… -> MB/s
  curl -s -o /dev/null --max-time 60 -w '%{speed_download}' "$@" "http://127.0.0.1:$HTTP/big" | awk '{printf "%.0f", $1/1048576}'
}
rate() { python3 bench/socks_rate.py "$1" $HTTP "$T" 4; }
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; sleep 0.5; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo
echo "| path | download MB/s | SOCKS5 connections/s |"
echo "| --- | --- | --- |"
echo "| curl direct | $(download) | – |"

cat > "$OUT/socks-portgate.yaml" <<YAML
forwards:
  - { name: proxy, kind: dynamic, listen: 127.0.0.1:$PG, protocols: [socks5, http], permit-open: ["127.0.0.0/8:*"] }
  - { name: static, listen: 127.0.0.1:$PGSTATIC, target: 127.0.0.1:$HTTP }
YAML
rm -rf "$OUT/socks-pg-data"
java ${PORTGATE_JAVA_OPTS:-} -jar $JAR serve -c "$OUT/socks-portgate.yaml" -d "$OUT/socks-pg-data" --console off > "$OUT/socks-portgate.log" 2>&1 & pg=$!
for _ in $(seq 1 50); do grep -q "portgate started" "$OUT/socks-portgate.log" && break; sleep 0.2; done
download --socks5 127.0.0.1:$PG >/dev/null; rate $PG >/dev/null  # warm the JIT
echo "| portgate socks5 | $(download --socks5 127.0.0.1:$PG) | $(rate $PG) |"
echo "| portgate http CONNECT | $(download -p --proxy http://127.0.0.1:$PG) | – |"
echo "| portgate static forward | $(curl -s -o /dev/null --max-time 60 -w '%{speed_download}' http://127.0.0.1:$PGSTATIC/big | awk '{printf "%.0f", $1/1048576}') | – |"
stop $pg

microsocks -i 127.0.0.1 -p $MS >/dev/null 2>&1 & ms=$!; sleep 0.5
echo "| microsocks | $(download --socks5 127.0.0.1:$MS) | $(rate $MS) |"
stop $ms

cat > "$OUT/danted.conf" <<DANTE
logoutput: /dev/null
internal: 127.0.0.1 port = $DANTE
external: 127.0.0.1
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
DANTE
danted -f "$OUT/danted.conf" -N 2 -p "$OUT/danted.pid" >/dev/null 2>&1 & da=$!; sleep 1
echo "| dante (danted, 2 processes) | $(download --socks5 127.0.0.1:$DANTE) | $(rate $DANTE) |"
stop $da

# ssh -D through a throwaway sshd on loopback, with its own host key and client key.
rm -rf "$OUT/ssh"; mkdir -p "$OUT/ssh"; chmod 700 "$OUT/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$OUT/ssh/host" && ssh-keygen -q -t ed25519 -N '' -f "$OUT/ssh/client"
cp "$OUT/ssh/client.pub" "$OUT/ssh/authorized_keys"
cat > "$OUT/ssh/sshd_config" <<SSHD
Port $SSHD
ListenAddress 127.0.0.1
HostKey $PWD/$OUT/ssh/host
AuthorizedKeysFile $PWD/$OUT/ssh/authorized_keys
PasswordAuthentication no
PermitRootLogin prohibit-password
StrictModes no
PidFile $PWD/$OUT/ssh/sshd.pid
Ciphers aes128-gcm@openssh.com
SSHD
mkdir -p /run/sshd
$(command -v sshd || echo /usr/sbin/sshd) -D -f "$OUT/ssh/sshd_config" & sd=$!; sleep 1
ssh -N -D 127.0.0.1:$SSHD_D -p $SSHD -i "$OUT/ssh/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o Ciphers=aes128-gcm@openssh.com -o BatchMode=yes "$(id -un)@127.0.0.1" 2>/dev/null & sc=$!; sleep 1.5
echo "| ssh -D (OpenSSH, aes128-gcm) | $(download --socks5 127.0.0.1:$SSHD_D) | $(rate $SSHD_D) |"
stop $sc; stop $sd

echo "| curl direct (end) | $(download) | – |"
