#!/usr/bin/env bash
# SSH tunnel benchmark: iperf3 through `ssh -L`, OpenSSH client -> OpenSSH sshd and OpenSSH client -> portgate's
# SSH server, with aes128-gcm@openssh.com and chacha20-poly1305@openssh.com, on 127.0.0.1 only.
# And portgate as the client (`portgate ssh -L`) to both servers.
#
# A JVM compiles its hot paths in the first seconds of load, so every path that has portgate in it is warmed
# with one unrecorded 8-second run first (a daemon is long-lived; OpenSSH needs no warming, but gets the same run).
#
# usage: bench/ssh.sh [seconds]     (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
OUT=bench/out/ssh; rm -rf "$OUT"; mkdir -p "$OUT"; chmod 700 "$OUT"
JAR=${PORTGATE_JAR:-target/portgate.jar}   # another build to compare: PORTGATE_JAR=/path/to/portgate.jar
[ -f "$JAR" ] || mvn -q -DskipTests package
IPERF=15401; SSHD=15402; PGSSH=15403; L=15404
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

iperf3 -s -B 127.0.0.1 -p $IPERF >/dev/null 2>&1 & pids+=($!)
ssh-keygen -q -t ed25519 -N '' -f "$OUT/host"; ssh-keygen -q -t ed25519 -N '' -f "$OUT/client"
cp "$OUT/client.pub" "$OUT/authorized_keys"
cat > "$OUT/sshd_config" <<SSHD
Port $SSHD
ListenAddress 127.0.0.1
HostKey $PWD/$OUT/host
AuthorizedKeysFile $PWD/$OUT/authorized_keys
PasswordAuthentication no
PermitRootLogin prohibit-password
StrictModes no
PidFile $PWD/$OUT/sshd.pid
SSHD
mkdir -p /run/sshd
$(command -v sshd || echo /usr/sbin/sshd) -D -f "$OUT/sshd_config" & SSHD_PID=$!; pids+=($!)
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
measured() {  # client-pid server-pid -> Gbit/s of the recorded run; appends CPU ns per byte of both ends to cpu.txt
  local c0 s0 r; c0=$(ticks "$1"); s0=$(ticks "$2"); r=$(gbits "$T")
  python3 -c 'import sys; t,r,c,s=float(sys.argv[1]),sys.argv[2],int(sys.argv[3]),int(sys.argv[4]); hz=float(sys.argv[5])
b=float(r)*1e9/8*t if r!="-" else 0
print("%.2f %.2f" % (c/hz*1e9/b, s/hz*1e9/b) if b else "- -")' "$T" "$r" $(( $(ticks "$1") - c0 )) $(( $(ticks "$2") - s0 )) "$(getconf CLK_TCK)" >> "$OUT/cpu.txt"
  echo "$r"
}
gbits() {  # seconds -> Gbit/s of one iperf3 stream to the tunnel's local end; one retry (logged) if iperf3 fails
  local r
  for _ in 1 2; do
    r=$(iperf3 -c 127.0.0.1 -p $L -t "$1" -J 2>/dev/null | tee -a "$OUT/iperf3.json" \
        | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null) \
      && { echo "$r"; return; }
    echo "iperf3 failed once (see $OUT/iperf3.json); again" >&2; sleep 1
  done
  echo "-"
}
server_pid() { [ "$1" = $SSHD ] && echo $SSHD_PID || echo $PG_PID; }
through() {  # server-port cipher -> Gbit/s of one iperf3 stream through ssh -L
  ssh -N -L 127.0.0.1:$L:127.0.0.1:$IPERF -p "$1" -i "$OUT/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      -o IdentitiesOnly=yes -o BatchMode=yes -o ExitOnForwardFailure=yes -o Ciphers="$2" "$(id -un)@127.0.0.1" 2>/dev/null & local s=$!
  for _ in $(seq 1 50); do ss -ltn "sport = :$L" | grep -q LISTEN && break; sleep 0.1; done; sleep 0.3
  gbits 8 >/dev/null; measured $s "$(server_pid "$1")"
  kill $s; wait $s 2>/dev/null || true
}
direct=$(iperf3 -c 127.0.0.1 -p $IPERF -t "$T" -J | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))')
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(ssh -V 2>&1), $(java -version 2>&1 | head -1)"
echo
echo "| path (one iperf3 stream, Gbit/s) | aes128-gcm@openssh.com | chacha20-poly1305@openssh.com |"
echo "| --- | --- | --- |"
echo "| iperf3 direct | $direct | $direct |"
echo "| OpenSSH -> OpenSSH | $(through $SSHD aes128-gcm@openssh.com) | $(through $SSHD chacha20-poly1305@openssh.com) |"
echo "| OpenSSH -> portgate | $(through $PGSSH aes128-gcm@openssh.com) | $(through $PGSSH chacha20-poly1305@openssh.com) |"

# portgate as the client (`portgate ssh -L -c CIPHER`).
ssh-keyscan -p $SSHD 127.0.0.1 2>/dev/null > "$OUT/known_hosts"; ssh-keyscan -p $PGSSH 127.0.0.1 2>/dev/null >> "$OUT/known_hosts"
pgclient() {  # server-port cipher -> Gbit/s
  : > "$OUT/pgclient.log"  # emptied before the client starts, or the wait below can see the last client's line
  java ${PORTGATE_JAVA_OPTS:-} -jar $JAR ssh -N -L 127.0.0.1:$L:127.0.0.1:$IPERF -p "$1" -c "$2" -i "$OUT/client" \
      -o UserKnownHostsFile="$OUT/known_hosts" "$(id -un)@127.0.0.1" > "$OUT/pgclient.log" 2>&1 & local c=$!
  for _ in $(seq 1 100); do grep -qs 'connected to' "$OUT/pgclient.log" && break; sleep 0.1; done; sleep 0.5
  gbits 8 >/dev/null; measured $c "$(server_pid "$1")"
  kill $c; wait $c 2>/dev/null || true
}
echo "| portgate -> OpenSSH | $(pgclient $SSHD aes128-gcm@openssh.com) | $(pgclient $SSHD chacha20-poly1305@openssh.com) |"
echo "| portgate -> portgate | $(pgclient $PGSSH aes128-gcm@openssh.com) | $(pgclient $PGSSH chacha20-poly1305@openssh.com) |"

# CPU per byte: every process of each end (the client, the server and its children), over the recorded run.
echo
echo "CPU time per byte carried (ns/byte, user + system; client / server), in the order above:"
echo
echo "| path | aes128-gcm@openssh.com | chacha20-poly1305@openssh.com |"
echo "| --- | --- | --- |"
paste -d' ' - - < "$OUT/cpu.txt" | while read -r a1 a2 c1 c2; do echo "$a1 / $a2 | $c1 / $c2"; done \
  | paste -d'|' <(printf '| %s \n' "OpenSSH -> OpenSSH" "OpenSSH -> portgate" "portgate -> OpenSSH" "portgate -> portgate") - \
  | sed 's/$/ |/; s/|\([^ ]\)/| \1/'
