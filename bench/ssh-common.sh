# Sourced by the SSH benchmarks. Every process they start goes into pids and is stopped when the script ends.
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# start_sshd DIR PORT starts an OpenSSH sshd on 127.0.0.1:PORT with a host key and a
# client key made for it in DIR (DIR/client is the key to log in with, as the user running the benchmark); it sets
# SSHD_PID and adds it to the caller's pids array.
start_sshd() {
  local dir=$1 port=$2
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host"; ssh-keygen -q -t ed25519 -N '' -f "$dir/client"
  cp "$dir/client.pub" "$dir/authorized_keys"
  cat > "$dir/sshd_config" <<SSHD
Port $port
ListenAddress 127.0.0.1
HostKey $PWD/$dir/host
AuthorizedKeysFile $PWD/$dir/authorized_keys
PasswordAuthentication no
PermitRootLogin prohibit-password
StrictModes no
PidFile $PWD/$dir/sshd.pid
SSHD
  mkdir -p /run/sshd
  $(command -v sshd || echo /usr/sbin/sshd) -D -f "$dir/sshd_config" & SSHD_PID=$!; pids+=($!)
  for _ in $(seq 1 50); do ss -ltn "sport = :$port" | grep -q LISTEN && break; sleep 0.1; done
}
