#!/bin/bash
# TLS termination throughput: portgate (access: tls) beside stunnel, both in front of the same nginx on
# 127.0.0.1 with the same ECDSA P-256 certificate; curl (OpenSSL) downloads a 256 MiB file through each,
# three times, best of three. Also plain HTTP straight to nginx as the ceiling.
# Needs: nginx stunnel4 openssl curl (Debian packages), and target/portgate.jar. Usage: bench/tls.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$OUT"; }
trap cleanup EXIT
HTTP=18180; STUNNEL=18181; PORTGATE=18182

head -c 256M /dev/urandom > "$OUT/big"
chmod 755 "$OUT"; chmod 644 "$OUT/big"   # nginx workers run as another user
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$OUT/key.pem" -out "$OUT/cert.pem" 2>/dev/null
cat > "$OUT/nginx.conf" <<NGINX
worker_processes 1; daemon off; pid $OUT/nginx.pid; error_log /dev/null;
events { worker_connections 1024; }
http { access_log off; sendfile on; server { listen 127.0.0.1:$HTTP; root $OUT; } }
NGINX
nginx -c "$OUT/nginx.conf" & pids+=($!)
cat > "$OUT/stunnel.conf" <<CONF
foreground = yes
pid =
[https]
accept = 127.0.0.1:$STUNNEL
connect = 127.0.0.1:$HTTP
cert = $OUT/cert.pem
key = $OUT/key.pem
CONF
stunnel4 "$OUT/stunnel.conf" > "$OUT/stunnel.log" 2>&1 & pids+=($!)
cat > "$OUT/portgate.yaml" <<YAML
forwards:
  - name: https
    listen: 127.0.0.1:$PORTGATE
    target: 127.0.0.1:$HTTP
    access: tls
    tls-certificate: $OUT/cert.pem
    tls-key: $OUT/key.pem
YAML
java -jar target/portgate.jar serve --config "$OUT/portgate.yaml" --data "$OUT/data" --console off > "$OUT/pg.log" 2>&1 & pids+=($!)
for i in $(seq 1 100); do grep -q "portgate started" "$OUT/pg.log" && break; sleep 0.2; done

best() {  # url -> best of three, Gbit/s
  local b=0
  for i in 1 2 3; do
    s=$(curl -s -o /dev/null --max-time 120 --cacert "$OUT/cert.pem" -w '%{speed_download}' "$1")
    b=$(python3 -c "print(max($b, $s))")
  done
  python3 -c "print('%.2f' % ($b * 8 / 1e9))"
}
echo "## $(date -u +%FT%TZ), $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1), $(stunnel4 -version 2>&1 | grep -m1 -o "stunnel [0-9.]*")"
plain=$(best "http://127.0.0.1:$HTTP/big")
st=$(best "https://127.0.0.1:$STUNNEL/big")
pg=$(best "https://127.0.0.1:$PORTGATE/big")
echo "| path | Gbit/s (curl, 256 MiB, best of 3) |"
echo "| --- | --- |"
echo "| plain HTTP to nginx | $plain |"
echo "| stunnel (TLS) | $st |"
echo "| portgate access: tls | $pg |"
python3 -c "print('portgate / stunnel = %.2f' % ($pg / $st))"
