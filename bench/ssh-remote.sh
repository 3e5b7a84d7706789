#!/usr/bin/env bash
# Remote forwards: iperf3 through `ssh -R` and `portgate ssh -R`, both to one throwaway OpenSSH sshd on 127.0.0.1, with
# one cipher (default aes128-gcm@openssh.com). "up" is iperf3's client sending into the server's forwarded port (the
# tunnel's client decrypts and writes to the target), "down" the other way (-R to iperf3). Both tunnels stay up; each
# round measures the four runs in turn and each ratio compares runs seconds apart.
#
# usage: bench/ssh-remote.sh [seconds] [rounds] [cipher]     (default 5, 5, aes128-gcm@openssh.com)
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}; ROUNDS=${2:-5}; C=${3:-aes128-gcm@openssh.com}
OUT=bench/out/ssh-remote; rm -rf "$OUT"; mkdir -p "$OUT"; chmod 700 "$OUT"
JAR=${PORTGATE_JAR:-target/portgate.jar}
[ -f "$JAR" ] || mvn -q -DskipTests package
IPERF=15501; SSHD=15502; BY_SSH=15503; BY_PORTGATE=15504
source bench/ssh-common.sh  # pids, the cleanup on exit, start_sshd

iperf3 -s -B 127.0.0.1 -p $IPERF >/dev/null 2>&1 & pids+=($!)
start_sshd "$OUT" $SSHD
ssh-keyscan -p $SSHD 127.0.0.1 2>/dev/null > "$OUT/known_hosts"

ssh -N -R 127.0.0.1:$BY_SSH:127.0.0.1:$IPERF -p $SSHD -i "$OUT/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o IdentitiesOnly=yes -o BatchMode=yes -o ExitOnForwardFailure=yes -o Ciphers="$C" "$(id -un)@127.0.0.1" 2>/dev/null & pids+=($!)
java ${PORTGATE_JAVA_OPTS:-} -jar $JAR ssh -N -R 127.0.0.1:$BY_PORTGATE:127.0.0.1:$IPERF -p $SSHD -c "$C" -i "$OUT/client" \
    -o UserKnownHostsFile="$OUT/known_hosts" "$(id -un)@127.0.0.1" > "$OUT/portgate.log" 2>&1 & pids+=($!)
for p in $BY_SSH $BY_PORTGATE; do
  for _ in $(seq 1 100); do ss -ltn "sport = :$p" | grep -q LISTEN && break; sleep 0.1; done
done

gbits() {  # port seconds [-R] -> Gbit/s of one iperf3 stream; two retries (logged) if iperf3 finds its server busy
  local r
  for _ in 1 2 3; do
    r=$(iperf3 -c 127.0.0.1 -p "$1" -t "$2" ${3:-} -J 2>/dev/null | tee -a "$OUT/iperf3.json" \
        | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null) \
      && { echo "$r"; return; }
    echo "iperf3 failed once (see $OUT/iperf3.json); again" >&2; sleep 1
  done
  echo "-"
}
for p in $BY_SSH $BY_PORTGATE; do gbits $p 8 >/dev/null; gbits $p 8 -R >/dev/null; done
for r in $(seq 1 "$ROUNDS"); do
  echo "$r $(gbits $BY_SSH "$T") $(gbits $BY_PORTGATE "$T") $(gbits $BY_SSH "$T" -R) $(gbits $BY_PORTGATE "$T" -R)"
done > "$OUT/runs.txt"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(ssh -V 2>&1), $(java -version 2>&1 | head -1)"
echo "$C; $ROUNDS rounds of $T s; every run in $OUT/runs.txt (round, ssh up, portgate up, ssh down, portgate down)"
echo
python3 - "$OUT/runs.txt" <<'PY'
import sys, statistics as st
rows = [[float(x) if x != "-" else None for x in l.split()[1:]] for l in open(sys.argv[1])]
def cell(v):
    v = [x for x in v if x is not None]
    return "%.2f (%.2f–%.2f)" % (st.median(v), min(v), max(v)) if v else "-"
print("| direction | ssh -R, Gbit/s | portgate ssh -R, Gbit/s | ratio in the same round |")
print("| --- | --- | --- | --- |")
for name, a, b in (("up (into the server's port)", 0, 1), ("down (iperf3 -R)", 2, 3)):
    ratios = [r[b] / r[a] for r in rows if r[a] and r[b]]
    print("| %s | %s | %s | %s |" % (name, cell([r[a] for r in rows]), cell([r[b] for r in rows]), cell(ratios)))
PY
