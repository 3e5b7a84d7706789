#!/bin/bash
# Sites by name on shared ports: portgate's http-routing beside nginx (server_name + proxy_pass) and haproxy
# (mode http, a Host acl), all three in front of the same nginx backend on 127.0.0.1, each routing app.test
# among three names. Figures: requests/s and wrk's 99th-percentile latency with keep-alive (wrk, 1 thread, 50 connections, 1 KiB answer) over
# plain HTTP and over https (TLS ended by the router; wrk sends no server name to 127.0.0.1, so each routes by
# Host behind its default certificate), new connections/s (one request each, Connection: close),
# and a 256 MiB download (curl, best of three), after 5 s of warm-up each. The backend alone is the ceiling.
# Needs: nginx haproxy wrk curl openssl (Debian packages), and target/portgate.jar. Usage: bench/http.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-10}
OUT=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.5; rm -rf "$OUT"; }
trap cleanup EXIT
BACKEND=18280; PG_HTTP=18281; PG_HTTPS=18282; NG_HTTP=18283; NG_HTTPS=18284; HA_HTTP=18285; HA_HTTPS=18286

head -c 1024 /dev/urandom > "$OUT/small"
head -c 256M /dev/urandom > "$OUT/big"
chmod 755 "$OUT"; chmod 644 "$OUT/small" "$OUT/big"   # nginx workers run as another user
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=app.test \
  -addext "subjectAltName=DNS:app.test" -keyout "$OUT/key.pem" -out "$OUT/cert.pem" 2>/dev/null
cat "$OUT/cert.pem" "$OUT/key.pem" > "$OUT/haproxy.pem"

cat > "$OUT/backend.conf" <<NGINX
worker_processes 1; daemon off; pid $OUT/backend.pid; error_log /dev/null;
events { worker_connections 4096; }
http { access_log off; sendfile on; keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND; root $OUT; } }
NGINX
nginx -c "$OUT/backend.conf" & pids+=($!)

cat > "$OUT/router.conf" <<NGINX
worker_processes 1; daemon off; pid $OUT/router.pid; error_log /dev/null;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream app { server 127.0.0.1:$BACKEND; keepalive 64; }
  server { listen 127.0.0.1:$NG_HTTP; listen 127.0.0.1:$NG_HTTPS ssl; server_name app.test;
    ssl_certificate $OUT/cert.pem; ssl_certificate_key $OUT/key.pem;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$remote_addr; proxy_buffering off; } }
  server { listen 127.0.0.1:$NG_HTTP; server_name one.test two.test; return 404; } }
NGINX
nginx -c "$OUT/router.conf" & pids+=($!)

cat > "$OUT/haproxy.cfg" <<CFG
global
  maxconn 8000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option forwardfor
  http-reuse always
frontend sites
  bind 127.0.0.1:$HA_HTTP
  bind 127.0.0.1:$HA_HTTPS ssl crt $OUT/haproxy.pem
  http-request deny deny_status 404 unless { hdr(host) -i app.test }
  use_backend app
backend app
  server b1 127.0.0.1:$BACKEND
CFG
haproxy -f "$OUT/haproxy.cfg" -db > "$OUT/haproxy.log" 2>&1 & pids+=($!)

cat > "$OUT/portgate.yaml" <<YAML
http-routing:
  http: 127.0.0.1:$PG_HTTP
  https: 127.0.0.1:$PG_HTTPS
  redirect: false
forwards:
  - { name: app, kind: http, host: app.test, target: 127.0.0.1:$BACKEND }
  - { name: one, kind: http, host: one.test, target: 127.0.0.1:9 }
  - { name: two, kind: http, host: two.test, target: 127.0.0.1:9 }
YAML
java -jar target/portgate.jar serve --config "$OUT/portgate.yaml" --data "$OUT/data" --console off > "$OUT/pg.log" 2>&1 & pids+=($!)
for i in $(seq 1 150); do grep -q "portgate started" "$OUT/pg.log" && break; sleep 0.2; done
for port in $BACKEND $NG_HTTP $HA_HTTP $PG_HTTP; do
  for i in $(seq 1 50); do curl -s -o /dev/null -H 'Host: app.test' "http://127.0.0.1:$port/small" && break; sleep 0.2; done
done

rps() {  # url [extra wrk args] -> "requests/s p99-latency"
  local url=$1; shift
  wrk -t1 -c50 -d"${SECONDS_EACH}s" --latency -H 'Host: app.test' "$@" "$url" 2>/dev/null \
    | awk '/Requests\/sec/ {r = $2} / 99%/ {p = $2} END {printf "%.0f %s", r, p}'
}
bulk() {  # url -> Gbit/s, best of three
  local b=0
  for i in 1 2 3; do
    s=$(curl -s -o /dev/null --max-time 120 -H 'Host: app.test' -w '%{speed_download}' "$1")
    b=$(python3 -c "print(max($b, $s))")
  done
  python3 -c "print('%.2f' % ($b * 8 / 1e9))"
}
row() {  # name http-port https-port
  local name=$1 http=$2 https=$3
  local keep plain_close tls_keep big
  # Warm up first (the JVM compiles its hot paths in the first seconds; the others lose nothing by it).
  wrk -t1 -c50 -d5s -H 'Host: app.test' "http://127.0.0.1:$http/small" > /dev/null 2>&1
  [ -z "$https" ] || wrk -t1 -c50 -d5s -H 'Host: app.test' "https://127.0.0.1:$https/small" > /dev/null 2>&1
  local keep99 close99 tls99
  read -r keep keep99 <<< "$(rps "http://127.0.0.1:$http/small")"
  read -r plain_close close99 <<< "$(rps "http://127.0.0.1:$http/small" -H 'Connection: close')"
  if [ -n "$https" ]; then read -r tls_keep tls99 <<< "$(rps "https://127.0.0.1:$https/small")"; else tls_keep="–"; tls99="–"; fi
  big=$(bulk "http://127.0.0.1:$http/big")
  echo "| $name | $keep ($keep99) | $plain_close ($close99) | $tls_keep ($tls99) | $big |"
  eval "R_${name//[^a-z]/}_keep=$keep R_${name//[^a-z]/}_close=$plain_close R_${name//[^a-z]/}_tls=${tls_keep/–/0} R_${name//[^a-z]/}_big=$big"
}

echo "## $(date -u +%FT%TZ), $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1), $(nginx -v 2>&1 | grep -o 'nginx/[0-9.]*'), $(haproxy -v | grep -m1 -o 'version [0-9.]*')"
echo "| router | req/s keep-alive, HTTP (p99) | new conn/s, 1 req each (p99) | req/s keep-alive, https (p99) | 256 MiB download Gbit/s |"
echo "| --- | --- | --- | --- | --- |"
row direct $BACKEND ""
row portgate $PG_HTTP $PG_HTTPS
row nginx $NG_HTTP $NG_HTTPS
row haproxy $HA_HTTP $HA_HTTPS
python3 - <<PY
pg = dict(keep=$R_portgate_keep, close=$R_portgate_close, tls=$R_portgate_tls, big=$R_portgate_big)
for peer, d in (("nginx", dict(keep=$R_nginx_keep, close=$R_nginx_close, tls=$R_nginx_tls, big=$R_nginx_big)),
                ("haproxy", dict(keep=$R_haproxy_keep, close=$R_haproxy_close, tls=$R_haproxy_tls, big=$R_haproxy_big))):
    print("portgate / %s: keep-alive %.2f, new connections %.2f, https %.2f, download %.2f" % (
        peer, pg["keep"] / d["keep"], pg["close"] / d["close"], pg["tls"] / d["tls"], pg["big"] / d["big"]))
PY
