#!/usr/bin/env bash
# Several nodes on one PostgreSQL, in network namespaces this script makes (and removes): a hub with PostgreSQL
# and the target, and NODES nodes on a bridge (10.94.0.11, .12, …), nothing routed beyond it.
#   1. propagation: CHANGES forwards made one at a time on node 1's API; for each, the time from the API's answer
#      to the forward listening on every other node (their log lines), p50/p90/p99/max;
#   2. start with many forwards: FORWARDS forwards written into the store, then a fresh node started; the time
#      from its exec to "portgate started" and to all of them listening.
#   3. node link: a tunnel client (in the hub) connected to edge-1 opens one port; iperf3 through edge-1, where the
#      client is, and through edge-2, which carries it over the node link to edge-1 — 1 and 4 streams, 10 s each.
#   bench/cluster.sh [changes=1000] [forwards=10000] [nodes=3]; 0 changes skips parts 1 and 2, 0 forwards part 2;
#   PROFILE=DIR records perf on edge-1 and edge-2 during the node-link runs (needs perf).
#   THREADS=N starts every node with --threads N.
# Needs root, python3, curl, iperf3, PostgreSQL's server (Debian postgresql). Every loop is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
changes=${1:-1000}
forwards=${2:-10000}
nodes=${3:-3}
jar=$PWD/target/portgate.jar
[ -f "$jar" ] || { echo "build first: mvn -q -DskipTests package" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "cluster: needs root (network namespaces)" >&2; exit 1; }
for tool in python3 curl ip iperf3; do command -v $tool >/dev/null || { echo "cluster: needs $tool" >&2; exit 1; }; done
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$pgbin/postgres" ] || { echo "cluster: needs PostgreSQL's server (apt-get install postgresql)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
chmod 755 "$work"
tag=$$
hub=pgb-h$tag
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for ((i = 1; i <= nodes + 1; i++)); do ip netns del "pgb-n$i-$tag" 2>/dev/null || true; done
  ip netns del "$hub" 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

ip netns add "$hub"; ip -n "$hub" link set lo up
ip -n "$hub" link add br0 type bridge; ip -n "$hub" addr add 10.94.0.1/24 dev br0; ip -n "$hub" link set br0 up
for ((i = 1; i <= nodes + 1; i++)); do # the last one is the node started with many forwards
  ns=pgb-n$i-$tag
  ip netns add "$ns"; ip -n "$ns" link set lo up
  ip link add "bi$i-$tag" netns "$ns" type veth peer name "bo$i-$tag" netns "$hub"
  ip -n "$hub" link set "bo$i-$tag" master br0; ip -n "$hub" link set "bo$i-$tag" up
  ip -n "$ns" addr add "10.94.0.$((10 + i))/24" dev "bi$i-$tag"; ip -n "$ns" link set "bi$i-$tag" up
done

# PostgreSQL in the hub, as nobody, fsync off (what is measured is portgate, not the disk).
mkdir -p "$work/pg/run"; echo bench-secret > "$work/pg/password"; chown -R nobody:nogroup "$work/pg"
as_pg() { ip netns exec "$hub" setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
as_pg "$pgbin/initdb" -D "$work/pg/data" -U portgate --pwfile="$work/pg/password" --auth-local=trust \
  --auth-host=scram-sha-256 --no-sync > "$work/initdb.log"
echo "host all all samenet scram-sha-256" >> "$work/pg/data/pg_hba.conf"
as_pg "$pgbin/postgres" -D "$work/pg/data" -k "$work/pg/run" -c listen_addresses=10.94.0.1 -c fsync=off \
  -c synchronous_commit=off -c max_connections=100 > "$work/pg.log" 2>&1 & pids+=($!); disown
for ((k = 0; k < 100; k++)); do as_pg "$pgbin/pg_isready" -q -h "$work/pg/run" && break; sleep 0.1; done
as_pg "$pgbin/psql" -h "$work/pg/run" -U portgate -d postgres -qc "CREATE DATABASE portgate"
psql_hub() { as_pg "$pgbin/psql" -h "$work/pg/run" -U portgate -d portgate -qAtc "$1"; }

start_node() { # $1 = node number
  local dir=$work/edge-$1
  mkdir -p "$dir"
  printf 'store:\n  url: postgresql://portgate@10.94.0.1:5432/portgate\n  password-file: %s\nnode:\n  name: edge-%s\n' \
    "$work/pg/password" "$1" > "$dir/portgate.yaml"
  printf '  address: 10.94.0.%s:7444\ntunnel-server:\n  listen: 0.0.0.0:7443\n  clients:\n    - name: home\n' \
    "$((10 + $1))" >> "$dir/portgate.yaml"
  printf '      token-file: %s\n      permit-listen: [ "0.0.0.0:5301" ]\n' "$work/home.token" >> "$dir/portgate.yaml"
  ip netns exec "pgb-n$1-$tag" env PORTGATE_JAR="$jar" CACHE_DIRECTORY="$dir/cache" PORTGATE_KERNEL=off \
    src/main/packaging/launcher.sh serve --config "$dir/portgate.yaml" --data "$dir/data" \
    --console "10.94.0.$((10 + $1)):7080" --console-insecure ${THREADS:+--threads $THREADS} > "$dir/gateway.log" 2>&1 &
  pids+=($!); disown
}
wait_up() { # $1 = node number
  for ((k = 0; k < 600; k++)); do
    curl -fs -o /dev/null "http://10.94.0.$((10 + $1)):7080/api/v1/health" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "node $1 did not start:"; tail -20 "$work/edge-$1/gateway.log"; exit 1
}
# The consoles listen on the bridge; this shell reaches them from the hub.
curl() { ip netns exec "$hub" /usr/bin/curl "$@"; }

# One token for the bench's tunnel client; the servers hash it when they load it.
echo "$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')" > "$work/home.token"; chmod 600 "$work/home.token"
for ((i = 1; i <= nodes; i++)); do start_node $i; done
for ((i = 1; i <= nodes; i++)); do wait_up $i; done
logs=""; for ((i = 2; i <= nodes; i++)); do logs="$logs $work/edge-$i/gateway.log"; done
if [ "$changes" -gt 0 ]; then
echo "== propagation: $changes changes on edge-1, seen listening on edge-2..edge-$nodes"
ip netns exec "$hub" python3 bench/cluster_changes.py "http://10.94.0.11:7080" "$(cat "$work/edge-1/data/api-token")" \
  "$changes" 10.94.0.1:9000 $logs
fi

if [ "$forwards" -gt 0 ] && [ "$changes" -gt 0 ]; then # the forwards are made from one the first part wrote
echo "== start with $forwards forwards in the store"
# One forward's stored form, as the API wrote it, is the pattern for the rest.
spec=$(psql_hub "SELECT spec FROM forwards WHERE name = 'b1'")
psql_hub "DELETE FROM forwards; INSERT INTO forwards (name, kind, spec, origin_kind, origin_owner, position,
  created_at, updated_at, revision) SELECT 'many' || g, 'port',
  replace(replace('$spec', '\"b1\"', '\"many' || g || '\"'), ':20001\"', ':' || (10000 + g) || '\"'),
  'api', 'admin', g, 0, 0, 0 FROM generate_series(1, $forwards) g" > /dev/null
psql_hub "SELECT count(*) FROM forwards" | sed 's/^/stored forwards: /'
last=$((nodes + 1))
t0=$(date +%s%N)
start_node $last
wait_up $last
t1=$(date +%s%N)
for ((k = 0; k < 1200; k++)); do # ports 10001.. stay clear of the ephemeral ports the node's own connections use
  grep -q 'portgate started' "$work/edge-$last/gateway.log" && break
  sleep 0.1
done
started=$(grep -m1 'portgate started' "$work/edge-$last/gateway.log" | cut -c1-23)
t2=$(date -d "$started" +%s%N)
n=$(grep -c 'listening: tcp' "$work/edge-$last/gateway.log" || true)
failed=$(grep -c 'WARN  forward "many' "$work/edge-$last/gateway.log" || true)
echo "node start: console answering after $(( (t1 - t0) / 1000000 )) ms; \"portgate started\" (every forward placed) after $(( (t2 - t0) / 1000000 )) ms; $n of $forwards listening, $failed failed"
fi

echo "== node link: one port of a tunnel client on edge-1, iperf3 through edge-1 and through edge-2"
for ((k = 0; k < 300; k++)); do grep -q 'tunnel server on' "$work/edge-1/gateway.log" && break; sleep 0.1; done
fp=$(grep -m1 -o 'tunnel server on .*certificate sha256:[0-9a-f]*' "$work/edge-1/gateway.log" | sed 's/.*sha256://')
home=$work/home
mkdir -p "$home"
printf 'tunnel-endpoints:\n  - name: cluster\n    server: 10.94.0.11:7443\n    token-file: %s\n' "$work/home.token" \
  > "$home/portgate.yaml"
printf '    server-fingerprint: "sha256:%s"\nforwards:\n  - { name: perf, kind: remote, via: cluster,' "$fp" \
  >> "$home/portgate.yaml"
printf ' listen: 0.0.0.0:5301, target: "10.94.0.1:5201" }\n' >> "$home/portgate.yaml"
ip netns exec "$hub" iperf3 -s -B 10.94.0.1 -p 5201 > "$work/iperf3-server.log" 2>&1 & pids+=($!); disown
ip netns exec "$hub" env PORTGATE_JAR="$jar" CACHE_DIRECTORY="$home/cache" PORTGATE_KERNEL=off \
  src/main/packaging/launcher.sh serve --config "$home/portgate.yaml" --data "$home/data" \
  --console 127.0.0.1:7099 > "$home/gateway.log" 2>&1 &
pids+=($!); disown
for ((k = 0; k < 600; k++)); do
  grep -q 'listening: tcp 0.0.0.0:5301' "$work/edge-2/gateway.log" && break
  sleep 0.1
done
grep -q 'listening: tcp 0.0.0.0:5301' "$work/edge-2/gateway.log" || { echo "edge-2 did not open the port:"; \
  tail -20 "$work/edge-2/gateway.log"; exit 1; }
rate() { # $1 = host, $2 = port, $3 = streams[, $4 = seconds]: received Gbit/s
  ip netns exec "$hub" timeout 40 iperf3 -c "$1" -p "$2" -t "${4:-10}" -P "$3" -J |
    python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}
cpu() { # CPU seconds used so far by the java processes whose command line has $1
  local ticks=0
  for p in $(pgrep -f -- "$1" || true); do
    [ "$(cat /proc/$p/comm 2>/dev/null)" = java ] || continue
    ticks=$((ticks + $(awk '{print $14 + $15}' /proc/$p/stat)))
  done
  echo "$ticks $(getconf CLK_TCK)" | awk '{printf "%.1f", $1 / $2}'
}
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
measure() { # $1 = host, $2 = streams: Gbit/s, then CPU seconds of edge-1, edge-2 and the client meanwhile
  local c1 c2 ch
  c1=$(cpu "$work/edge-1/data"); c2=$(cpu "$work/edge-2/data"); ch=$(cpu "$home/data")
  local r; r=$(rate "$1" 5301 "$2")
  echo "$r $(minus "$(cpu "$work/edge-1/data")" "$c1") $(minus "$(cpu "$work/edge-2/data")" "$c2")" \
    "$(minus "$(cpu "$home/data")" "$ch")"
}
# Warm-up, not measured: every path through the three JVMs compiled before it is timed (C2 took most of the CPU
# of a first, cold run).
for host in 10.94.0.11 10.94.0.12 10.94.0.11 10.94.0.12; do rate "$host" 5301 4 5 > /dev/null; done
for streams in 1 4; do
  direct=$(rate 10.94.0.1 5201 "$streams")
  read -r a a1 a2 ah <<< "$(measure 10.94.0.11 "$streams")"
  if [ -n "${PROFILE:-}" ]; then # perf on both nodes while the node-link run goes: PROFILE=DIR keeps the recordings
    mkdir -p "$PROFILE"
    for n in 1 2; do
      for p in $(pgrep -f -- "$work/edge-$n/data"); do
        [ "$(cat /proc/$p/comm)" = java ] || continue
        # perf, not JFR: starting a recording made C2 recompile for seconds, and perf sees the TLS library and the
        # kernel too. Java frames show as [JIT] (no perf map).
        perf record -q -F 499 -g -p "$p" -o "$PROFILE/edge-$n-$streams.perf" -- sleep 10 > /dev/null 2>&1 &
      done
    done
  fi
  read -r b b1 b2 bh <<< "$(measure 10.94.0.12 "$streams")"
  python3 -c "print('$streams stream(s): no gateway $direct Gbit/s; on edge-1 (holds the tunnel) $a Gbit/s;' \
    ' on edge-2 (over the node link) $b Gbit/s = %.2f of edge-1' % ($b / $a))"
  echo "   CPU s in 10 s — via edge-1: edge-1 $a1, edge-2 $a2, client $ah; via edge-2: edge-1 $b1, edge-2 $b2," \
    "client $bh"
done
