#!/usr/bin/env bash
# Footprint of an idle gateway: start time (exec -> console answering and every forward listening) and RSS
# after a settle time, with no forward and with 100: started with `java -jar` and the JVM's defaults, then with the
# launcher the package and the archive use (its small-heap options and class-data archive, made by a first run that
# is not counted). Loopback only; everything it starts it stops.
#   bench/footprint.sh [settle-seconds] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
settle=${1:-60}
runs=${2:-3}
jar=target/portgate.jar
[ -f "$jar" ] || { echo "build first: mvn -q -DskipTests package" >&2; exit 1; }
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

config() { # $1 = number of forwards, on ports 21000.. to a closed target
  local f="$work/portgate-$1.yaml"
  { echo "kernel: { enabled: false }"; echo "forwards:"
    for ((i = 0; i < $1; i++)); do echo "  - { name: f$i, listen: 127.0.0.1:$((21000 + i)), target: 127.0.0.1:9 }"; done
  } > "$f"
  echo "$f"
}

listening() { ss -Hltn "sport >= :21000 and sport < :22000" | wc -l; }

measure() { # $1 = how (java | launcher), $2 = unused, $3 = forwards -> "start-ms rss-MiB threads"
  local cfg data start now ms
  cfg=$(config "$3")
  # a gateway that ran before (a service's every start but its first, which also hashes a new admin password)
  data="$work/data-$RANDOM"
  cp -r "$work/data-template" "$data"
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  if [ "$1" = java ]; then
    java -jar "$jar" serve --config "$cfg" --data "$data" --console 127.0.0.1:17080 > "$work/log" 2>&1 &
  else
    PORTGATE_JAR=$jar CACHE_DIRECTORY=$work/cache src/main/packaging/launcher.sh serve --config "$cfg" --data "$data" \
      --console 127.0.0.1:17080 > "$work/log" 2>&1 &
  fi
  pid=$!
  for ((i = 0; i < 600; i++)); do
    if curl -s -o /dev/null --max-time 1 http://127.0.0.1:17080/api/v1/health && [ "$(listening)" -ge "$3" ]; then break; fi
    sleep 0.02
  done
  now=$(date +%s%N)
  ms=$(( (now - start) / 1000000 ))
  sleep "$settle"
  local rss threads
  rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
  threads=$(awk '/Threads/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  echo "$ms $rss $threads"
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# The launcher's first run writes the class-data archive when it stops, and makes the data folder all runs copy.
PORTGATE_JAR=$jar CACHE_DIRECTORY=$work/cache src/main/packaging/launcher.sh serve --config "$(config 0)" \
  --data "$work/data-template" --console 127.0.0.1:17080 > "$work/log" 2>&1 &
pid=$!
for ((i = 0; i < 600; i++)); do curl -s -o /dev/null --max-time 1 http://127.0.0.1:17080/api/v1/health && break; sleep 0.05; done
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

echo "| started by | forwards | start ms (median of $runs) | RSS MiB after ${settle}s | threads |"
echo "| --- | --- | --- | --- | --- |"
for how in java launcher; do
  for n in 0 100; do
    results=()
    for ((r = 0; r < runs; r++)); do results+=("$(measure "$how" "" "$n")"); done
    ms=$(printf '%s\n' "${results[@]}" | cut -d' ' -f1 | median)
    rss=$(printf '%s\n' "${results[@]}" | cut -d' ' -f2 | median)
    threads=$(printf '%s\n' "${results[@]}" | cut -d' ' -f3 | median)
    echo "| $how | $n | $ms | $rss | $threads |"
  done
done
