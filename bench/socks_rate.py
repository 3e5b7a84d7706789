#!/usr/bin/env python3
"""Short-connection rate through a SOCKS5 proxy: each connection does the handshake, CONNECT,
one HTTP request for a small file, reads the reply to the end, and closes.

usage: socks_rate.py PROXY_PORT TARGET_PORT SECONDS THREADS   (everything on 127.0.0.1)
Prints connections per second. Bounded by SECONDS and by 100,000 connections per thread.
"""
import socket
import struct
import sys
import threading
import time

proxy, target, seconds, threads = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
request = b"GET /small HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
counts = [0] * threads
errors = [0] * threads
deadline = time.time() + seconds


def worker(i):
    n = 0
    while time.time() < deadline and n < 100000:
        try:
            s = socket.create_connection(("127.0.0.1", proxy), timeout=5)
            s.sendall(b"\x05\x01\x00")
            if s.recv(2) != b"\x05\x00":
                raise OSError("method refused")
            s.sendall(b"\x05\x01\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack(">H", target))
            reply = s.recv(10)
            if len(reply) < 2 or reply[1] != 0:
                raise OSError("connect refused")
            s.sendall(request)
            while s.recv(65536):
                pass
            s.close()
            n += 1
        except OSError:
            errors[i] += 1
    counts[i] = n


ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("%.0f" % (sum(counts) / seconds))
if sum(errors):
    print("errors: %d" % sum(errors), file=sys.stderr)
