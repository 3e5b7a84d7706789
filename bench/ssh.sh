#!/usr/bin/env bash
# SSH tunnel benchmark: iperf3 through `ssh -L`, OpenSSH client -> OpenSSH sshd and OpenSSH client -> portgate's
# SSH server, with aes128-gcm@openssh.com and chacha20-poly1305@openssh.com, on 127.0.0.1 only.
# And portgate as the client (`portgate ssh -L`) to both servers.
#
# A JVM compiles its hot paths in the first seconds of load, so every path is warmed with one unrecorded 8-second
# run first (a daemon is long-lived; OpenSSH needs no warming, but gets the same run). Then ROUNDS rounds measure
# every path once each, in turn: this box's speed drifts by ±15 % within a minute, so each ratio compares runs that
# are seconds apart, and the tables give medians with the range.
#
# usage: bench/ssh.sh [seconds] [rounds]     (default 5 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}; ROUNDS=${2:-5}
OUT=bench/out/ssh; rm -rf "$OUT"; mkdir -p "$OUT"; chmod 700 "$OUT"
JAR=${PORTGATE_JAR:-target/portgate.jar}   # another build to compare: PORTGATE_JAR=/path/to/portgate.jar
[ -f "$JAR" ] || mvn -q -DskipTests package
IPERF=15401; SSHD=15402; PGSSH=15403; L0=15410  # tunnel k listens on L0+k
source bench/ssh-common.sh  # pids, the cleanup on exit, start_sshd

iperf3 -s -B 127.0.0.1 -p $IPERF >/dev/null 2>&1 & pids+=($!)
start_sshd "$OUT" $SSHD
cat > "$OUT/portgate.yaml" <<YAML
ssh-server:
  listen: 127.0.0.1:$PGSSH
  users:
    - name: $(id -un)
      authorized-keys: [ "$(cat "$OUT/client.pub")" ]
      permit-open: [ "127.0.0.1:$IPERF" ]
YAML
java ${PORTGATE_JAVA_OPTS:-} -jar $JAR serve -c "$OUT/portgate.yaml" -d "$OUT/pg-data" --console off > "$OUT/portgate.log" 2>&1 & PG_PID=$!; pids+=($!)
for _ in $(seq 1 50); do grep -q "portgate started" "$OUT/portgate.log" && break; sleep 0.2; done
sleep 1

ticks() {  # pid... -> CPU clock ticks (user + system) used so far by those processes and all their descendants
  python3 - "$@" <<'PY'
import os, sys
kids = {}
for p in filter(str.isdigit, os.listdir('/proc')):
    try:
        f = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()
    except OSError:
        continue
    kids.setdefault(f[1], []).append((p, int(f[11]) + int(f[12])))
own = {p: t for v in kids.values() for p, t in v}
todo, total = list(sys.argv[1:]), 0
while todo:
    p = todo.pop()
    total += own.get(p, 0)
    todo += [c for c, _ in kids.get(p, [])]
print(total)
PY
}
measured() {  # port client-pid server-pid -> "Gbit/s client-ns/B server-ns/B" of one recorded run
  local c0 s0 r; c0=$(ticks "$2"); s0=$(ticks "$3"); r=$(gbits "$1" "$T")
  python3 -c 'import sys; t,r,c,s=float(sys.argv[1]),sys.argv[2],int(sys.argv[3]),int(sys.argv[4]); hz=float(sys.argv[5])
b=float(r)*1e9/8*t if r!="-" else 0
print("%s %.2f %.2f" % (r, c/hz*1e9/b, s/hz*1e9/b) if b else "- - -")' "$T" "$r" $(( $(ticks "$2") - c0 )) $(( $(ticks "$3") - s0 )) "$(getconf CLK_TCK)"
}
gbits() {  # port seconds -> Gbit/s of one iperf3 stream to a tunnel's local end; one retry (logged) if iperf3 fails
  local r
  for _ in 1 2; do
    r=$(iperf3 -c 127.0.0.1 -p "$1" -t "$2" -J 2>/dev/null | tee -a "$OUT/iperf3.json" \
        | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null) \
      && { echo "$r"; return; }
    echo "iperf3 failed once (see $OUT/iperf3.json); again" >&2; sleep 1
  done
  echo "-"
}
server_pid() { [ "$1" = $SSHD ] && echo $SSHD_PID || echo $PG_PID; }
ssh-keyscan -p $SSHD 127.0.0.1 2>/dev/null > "$OUT/known_hosts"; ssh-keyscan -p $PGSSH 127.0.0.1 2>/dev/null >> "$OUT/known_hosts"
CIPHERS=(aes128-gcm@openssh.com chacha20-poly1305@openssh.com)
NAMES=("OpenSSH -> OpenSSH" "OpenSSH -> portgate" "portgate -> OpenSSH" "portgate -> portgate")
declare -a CLIENT SERVER
open_tunnel() {  # k client(openssh|portgate) server-port cipher: tunnel k up, listening on L0+k
  local k=$1 l=$((L0 + $1))
  if [ "$2" = openssh ]; then
    ssh -N -L 127.0.0.1:$l:127.0.0.1:$IPERF -p "$3" -i "$OUT/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o IdentitiesOnly=yes -o BatchMode=yes -o ExitOnForwardFailure=yes -o Ciphers="$4" "$(id -un)@127.0.0.1" 2>/dev/null &
  else
    java ${PORTGATE_JAVA_OPTS:-} -jar $JAR ssh -N -L 127.0.0.1:$l:127.0.0.1:$IPERF -p "$3" -c "$4" -i "$OUT/client" \
        -o UserKnownHostsFile="$OUT/known_hosts" "$(id -un)@127.0.0.1" > "$OUT/pgclient-$k.log" 2>&1 &
    for _ in $(seq 1 100); do grep -qs 'connected to' "$OUT/pgclient-$k.log" && break; sleep 0.1; done
  fi
  CLIENT[$k]=$!; SERVER[$k]=$(server_pid "$3"); pids+=($!)
  for _ in $(seq 1 100); do ss -ltn "sport = :$l" | grep -q LISTEN && break; sleep 0.1; done
}
# tunnel k = path (k / 2) with cipher (k % 2), all up at once (an idle tunnel costs nothing)
k=0
for client_server in "openssh $SSHD" "openssh $PGSSH" "portgate $SSHD" "portgate $PGSSH"; do
  for c in "${CIPHERS[@]}"; do open_tunnel $k $client_server "$c"; k=$((k + 1)); done
done
sleep 0.5
for k in $(seq 0 7); do gbits $((L0 + k)) 8 >/dev/null; done
direct=$(gbits $IPERF "$T")
for r in $(seq 1 "$ROUNDS"); do
  for k in $(seq 0 7); do echo "$r $k $(measured $((L0 + k)) "${CLIENT[$k]}" "${SERVER[$k]}")"; done
done > "$OUT/runs.txt"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(ssh -V 2>&1), $(java -version 2>&1 | head -1)"
echo "iperf3 direct: $direct Gbit/s; $ROUNDS rounds of $T s per path; every run in $OUT/runs.txt (round, tunnel, Gbit/s, CPU ns/B client, server)"
echo
python3 - "$OUT/runs.txt" "${NAMES[@]}" <<'PY'
import sys, statistics as st
runs = [l.split() for l in open(sys.argv[1])]
names = sys.argv[2:]
ciphers = ["aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com"]
by = {}  # (round, tunnel) -> (gbit, cli, srv)
for r, k, g, c, s in runs:
    if g != "-":
        by[(int(r), int(k))] = (float(g), float(c), float(s))
rounds = sorted({r for r, _ in by})
def cell(values, fmt="%.2f"):
    if not values:
        return "-"
    return (fmt % st.median(values)) + (" (" + fmt % min(values) + "–" + fmt % max(values) + ")" if len(values) > 1 else "")
print("| path (one iperf3 stream, Gbit/s: median (min–max)) | " + " | ".join(ciphers) + " |")
print("| --- | --- | --- |")
for p, name in enumerate(names):
    print("| %s | %s |" % (name, " | ".join(cell([by[(r, 2 * p + c)][0] for r in rounds if (r, 2 * p + c) in by]) for c in range(2))))
print()
print("Ratio to OpenSSH -> OpenSSH with the same cipher in the same round (median (min–max)):")
print()
print("| path | " + " | ".join(ciphers) + " |")
print("| --- | --- | --- |")
for p, name in list(enumerate(names))[1:]:
    cols = []
    for c in range(2):
        ratios = [by[(r, 2 * p + c)][0] / by[(r, c)][0] for r in rounds if (r, 2 * p + c) in by and (r, c) in by]
        cols.append(cell(ratios))
    print("| %s | %s |" % (name, " | ".join(cols)))
print()
print("CPU time per byte carried (ns/byte, user + system, medians; client / server — the server with all its children):")
print()
print("| path | " + " | ".join(ciphers) + " |")
print("| --- | --- | --- |")
for p, name in enumerate(names):
    cols = []
    for c in range(2):
        v = [by[(r, 2 * p + c)] for r in rounds if (r, 2 * p + c) in by]
        cols.append("%.2f / %.2f" % (st.median(x[1] for x in v), st.median(x[2] for x in v)) if v else "-")
    print("| %s | %s |" % (name, " | ".join(cols)))
PY
