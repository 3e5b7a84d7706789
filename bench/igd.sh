#!/bin/sh
# Mapping operations per second (UPnP SOAP, NAT-PMP) and memory for 10,000 live leases, for portgate and,
# where it can run (root, miniupnpd-nftables installed), for miniupnpd in a network namespace of its own.
# Usage: bench/igd.sh [seconds]   (each load is bounded by its seconds and a count)
set -eu
SECONDS_PER=${1:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
JAR="$HERE/../target/portgate.jar"
WORK=$(mktemp -d)
trap 'kill $PG 2>/dev/null || true; rm -rf "$WORK"' EXIT

cat > "$WORK/portgate.yaml" <<YAML
igd:
  lan: [ 127.0.0.1 ]
  external-address: 203.0.113.7
  listen: 127.0.0.1
  http-port: 15000
  lease: { min: 60s, max: 1d }
  max-leases-per-device: 20000
  permissions: [ "allow 1024-65535 127.0.0.0/8 1024-65535" ]
YAML
java -Xmx512m -jar "$JAR" serve --config "$WORK/portgate.yaml" --data "$WORK/data" --console off --log-level warn > "$WORK/log" 2>&1 &
PG=$!
for i in $(seq 1 100); do grep -q "portgate started" "$WORK/log" 2>/dev/null && break; sleep 0.2; done
echo "## portgate $(date -u +%FT%TZ) on $(nproc) cores, $(uname -r)"
python3 "$HERE/igd.py" --soap http://127.0.0.1:15000/ctl/IPConn --pmp 127.0.0.1 --seconds "$SECONDS_PER"
python3 "$HERE/igd.py" --pmp 127.0.0.1 --leases 10000 --pid $PG --seconds 300
echo "open sockets of the gateway: $(ls /proc/$PG/fd | wc -l)"
kill $PG; wait $PG 2>/dev/null || true
