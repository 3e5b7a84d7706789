#!/bin/sh
# Starts portgate: from the Debian package (/usr/share/portgate, beside the jar), the self-contained archive (lib/ and its own
# runtime/) or a checkout (./portgate sets PORTGATE_JAR). Memory options suit a small box; PORTGATE_JAVA_OPTS
# adds or overrides, PORTGATE_JAVA names the java to use, PORTGATE_CDS=off turns class-data sharing off.
set -e
here=$(dirname "$(readlink -f "$0")")

jar=${PORTGATE_JAR:-}
for candidate in "$here/portgate.jar" "$here/../lib/portgate.jar"; do
  if [ -z "$jar" ] && [ -f "$candidate" ]; then jar=$candidate; fi
done
[ -n "$jar" ] || { echo "portgate: no portgate.jar beside $here (build it first: mvn -q -DskipTests package)" >&2; exit 1; }

# Installed from the package: the CLI finds the service's data folder by itself.
if [ -z "${PORTGATE_DATA:-}" ] && [ "$jar" = /usr/share/portgate/portgate.jar ] && [ -d /var/lib/portgate ]; then
  export PORTGATE_DATA=/var/lib/portgate
fi

java=${PORTGATE_JAVA:-}
if [ -z "$java" ] && [ -x "$here/../runtime/bin/java" ]; then java=$here/../runtime/bin/java; fi
if [ -z "$java" ] && [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java=$JAVA_HOME/bin/java; fi
java=${java:-java}
command -v "$java" >/dev/null || { echo "portgate: no Java found: install a Java runtime 17 or newer, or set PORTGATE_JAVA" >&2; exit 1; }

# A serial collector and a heap that grows only as needed and gives memory back (bench/footprint.sh): a gateway's
# live heap is tens of MiB, and G1's regions and threads cost more than they save at that size.
# glibc keeps what the JIT compilers and native libraries freed at start (~18 MiB): trimmed every 30 s.
default_opts="-XX:+UseSerialGC -Xms8m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+ExitOnOutOfMemoryError"
default_opts="$default_opts -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=30000"
# glibc's default of 8 malloc arenas per core holds memory for threads that allocate natively only once.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

# Class-data sharing for `serve`: the first run records the classes it loaded when it stops, later runs map them
# (start-up ~1/3 faster). The archive is keyed by this jar and this java; a stale one is ignored by the JVM.
cds=
if [ "${1:-}" = serve ] && [ "${PORTGATE_CDS:-on}" != off ]; then
  cache=${CACHE_DIRECTORY:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/portgate}
  key=$( (stat -c '%s %Y' "$jar"; readlink -f "$(command -v "$java")") | cksum | cut -d' ' -f1)
  archive=$cache/portgate-$key.jsa
  if [ -f "$archive" ]; then
    cds="-XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
  elif mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ]; then
    rm -f "$cache"/portgate-*.jsa
    cds="-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
  fi
fi

# shellcheck disable=SC2086
exec "$java" $default_opts $cds ${PORTGATE_JAVA_OPTS:-} -jar "$jar" "$@"
