#!/usr/bin/env bash
# A long run under mixed load, to see that memory stays flat and that everything returns when the load stops:
# N held idle connections, bulk transfers (iperf3), forwards made, edited and deleted through the API, and config
# reloads (SIGHUP), for SECONDS; then the load stops and connections, descriptors and threads must come back to
# where they started. Loopback only; every loop ends by the deadline.
#   bench/soak.sh [seconds=1800] [connections=5000]
# Needs: python3 iperf3 curl (and a file limit above 2 x connections: ulimit -n).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1800}
n=${2:-5000}
jar=target/portgate.jar
[ -f "$jar" ] || { echo "build first: mvn -q -DskipTests package" >&2; exit 1; }
for tool in python3 iperf3 curl; do command -v $tool >/dev/null || { echo "soak: needs $tool" >&2; exit 1; }; done
ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

api=http://127.0.0.1:17090
hold_target=18301; bulk_target=18302; hold_port=18311; bulk_port=18312
write_config() { # $1 = 0 or 1: the reloaded forward absent or present
  { echo "kernel: { enabled: false }"; echo "forwards:"
    echo "  - { name: hold, listen: 127.0.0.1:$hold_port, target: 127.0.0.1:$hold_target }"
    echo "  - { name: bulk, listen: 127.0.0.1:$bulk_port, target: 127.0.0.1:$bulk_target }"
    if [ "$1" = 1 ]; then echo "  - { name: reloaded, listen: 127.0.0.1:18313, target: 127.0.0.1:$bulk_target }"; fi
  } > "$work/portgate.yaml.new"
  mv "$work/portgate.yaml.new" "$work/portgate.yaml"
}

python3 bench/hold.py server $hold_target $((seconds + 300)) & pids+=($!)
iperf3 -s -p $bulk_target -D --logfile "$work/iperf3.log" --pidfile "$work/iperf3.pid"
write_config 0
PORTGATE_JAR=$jar CACHE_DIRECTORY=$work/cache src/main/packaging/launcher.sh serve --config "$work/portgate.yaml" \
  --data "$work/data" --console 127.0.0.1:17090 > "$work/gateway.log" 2>&1 &
gw=$!; pids+=($gw)
for ((i = 0; i < 300; i++)); do curl -fs -o /dev/null "$api/api/v1/health" && break; sleep 0.1; done
token=$(cat "$work/data/api-token")
pids+=("$(cat "$work/iperf3.pid")")

call() { curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
active() { curl -fs -H "Authorization: Bearer $token" "$api/api/v1/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["connections-active"])'; }
sample() { # label -> one table row
  local rss fds threads
  rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$gw/status")
  fds=$(ls "/proc/$gw/fd" | wc -l)
  threads=$(awk '/Threads/ {print $2}' "/proc/$gw/status")
  echo "| $1 | $rss | $fds | $threads | $(active) |"
}

echo "| when | RSS MiB | descriptors | threads | connections |"
echo "| --- | --- | --- | --- | --- |"
sleep 10
base=$(sample "start (idle, 10 s)"); echo "$base"
fds() { for f in /proc/$gw/fd/*; do readlink "$f"; done | sed 's/\[[0-9]*\]/[]/' | sort; }
fds > "$work/fds-start"

start=$(date +%s)
deadline=$((start + seconds))
python3 bench/hold.py client $hold_port "$n" "$seconds" > "$work/hold.log" 2>&1 & holder=$!
pids+=($holder)
next_sample=$((start + 60)); round=0; transfers=0; edits=0; reloads=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  round=$((round + 1))
  # a bulk transfer through the relay, 3 s
  iperf3 -c 127.0.0.1 -p $bulk_port -t 3 > /dev/null 2>&1 && transfers=$((transfers + 1))
  # a forward made, edited and deleted through the API
  call -X POST -d "{\"name\":\"soak$round\",\"listen\":\"127.0.0.1:$((18400 + round % 100))\",\"target\":\"127.0.0.1:$bulk_target\"}" "$api/api/v1/forwards" \
    && call -X PATCH -d '{"description":"edited by soak.sh"}' "$api/api/v1/forwards/soak$round" \
    && call -X DELETE "$api/api/v1/forwards/soak$round" && edits=$((edits + 1))
  # a config reload: one forward appears or goes
  write_config $((round % 2)); kill -HUP "$gw"; reloads=$((reloads + 1))
  if [ "$(date +%s)" -ge "$next_sample" ]; then
    sample "$(( $(date +%s) - start )) s: held $(grep -c held "$work/hold.log" || true) x $n, $transfers transfers, $edits edit rounds, $reloads reloads"
    next_sample=$((next_sample + 60))
  fi
  sleep 1
done
kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true
write_config 0; kill -HUP "$gw"
for ((i = 0; i < 60; i++)); do [ "$(active)" = 0 ] && break; sleep 1; done
sleep 30
end=$(sample "after the load (30 s)"); echo "$end"
# connections, descriptors and threads back where they started
echo
echo "RSS $(echo "$base" | cut -d'|' -f3 | tr -d ' ') -> $(echo "$end" | cut -d'|' -f3 | tr -d ' ') MiB; transfers $transfers, edit rounds $edits, reloads $reloads"
[ "$(echo "$end" | cut -d'|' -f4)" = "$(echo "$base" | cut -d'|' -f4)" ] && echo "descriptors: back to the start" || echo "descriptors: NOT back ($(echo "$base" | cut -d'|' -f4) -> $(echo "$end" | cut -d'|' -f4))"
[ "$(echo "$end" | cut -d'|' -f6 | tr -d ' ')" = 0 ] && echo "connections: none left" || echo "connections: NOT all closed"
fds > "$work/fds-end"
if ! diff -q "$work/fds-start" "$work/fds-end" > /dev/null; then
  diff "$work/fds-start" "$work/fds-end" | grep '^[<>]' | sort | uniq -c || true
  ss -tuaxpn | grep "pid=$gw," | awk '{print "  " $1, $2, $5, $6}'
fi
grep -E "WARN|ERROR" "$work/gateway.log" | sort | uniq -c | sort -rn | head -5 || true
