#!/usr/bin/env bash
# The self-contained archive for machines without Java: a jlink runtime with only the modules portgate uses, the
# jar and the launcher, as target/portgate-VERSION-linux-x86_64.tar.gz.   archive.sh TARGET_DIR VERSION
set -euo pipefail
target=$1
version=$2
here=$(cd "$(dirname "$0")" && pwd)
name=portgate-$version-linux-x86_64
root=$target/archive/$name
# `jdeps --print-module-deps` on the jar (40 s, so not on every build) plus what is only reached by reflection
# or a service: jdk.crypto.ec (TLS key exchange, P-256 keys), jdk.crypto.cryptoki is not used; jdk.zipfs (jar
# resources as files), jdk.naming.dns (JNDI DNS), jdk.localedata is not needed (English messages only).
modules=java.base,java.desktop,java.naming,java.net.http,java.rmi,java.security.jgss,java.sql,jdk.jfr,jdk.management
modules=$modules,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.naming.dns
jlink=${JAVA_HOME:+$JAVA_HOME/bin/}jlink
command -v "$jlink" >/dev/null || jlink=$(dirname "$(readlink -f "$(command -v javac)")")/jlink

rm -rf "$target/archive"
mkdir -p "$root/bin" "$root/lib"
strip=()
if command -v objcopy >/dev/null; then strip=(--strip-native-debug-symbols "objcopy=$(command -v objcopy)"); fi
"$jlink" --add-modules "$modules" --output "$root/runtime" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --generate-cds-archive "${strip[@]}"
# The archive for heaps over 32 GiB, which a gateway never has.
rm -f "$root/runtime/lib/server/classes_nocoops.jsa"
cp "$target/portgate.jar" "$root/lib/"
cp "$here/launcher.sh" "$root/bin/portgate"
cp "$here/portgate.yaml" "$root/portgate.yaml"
chmod 755 "$root/bin/portgate"
tar -C "$target/archive" -czf "$target/$name.tar.gz" "$name"
echo "archive: $target/$name.tar.gz ($(du -h "$target/$name.tar.gz" | cut -f1); runtime $(du -sh "$root/runtime" | cut -f1))"
