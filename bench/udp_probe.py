#!/usr/bin/env python3
"""UDP probes for bench/tunnel.sh, run inside a namespace.

  udp_probe.py echo PORT                  an echo server (answers each datagram to its sender)
  udp_probe.py rate HOST PORT SIZE SECS   packets/s echoed back, with up to 64 datagrams in flight
  udp_probe.py ping HOST PORT COUNT       round-trip p50/p99/max in ms of COUNT pings, 10 ms apart, and lost

Every loop is bounded by its count or its seconds and stops by itself.
"""
import socket, sys, time, struct, selectors

def echo(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("0.0.0.0", port))
    while True:
        d, a = s.recvfrom(65535)
        s.sendto(d, a)

def rate(host, port, size, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.connect((host, port)); s.setblocking(False)
    payload = b"x" * size
    inflight, got, end = 0, 0, time.time() + secs
    last = time.time()
    while time.time() < end:
        while inflight < 64:
            try:
                s.send(payload); inflight += 1
            except BlockingIOError:
                break
        try:
            while True:
                s.recv(65535); got += 1; inflight -= 1; last = time.time()
        except BlockingIOError:
            pass
        if time.time() - last > 0.2:  # lost ones: refill the window
            inflight, last = 0, time.time()
    print("%.0f" % (got / secs))

def ping(host, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port)); s.settimeout(1.0)
    rtts, lost = [], 0
    for i in range(count):
        t = time.perf_counter()
        s.send(struct.pack("!Id", i, t) + b"p" * 52)
        while True:
            try:
                d = s.recv(2048)
            except socket.timeout:
                lost += 1; break
            n, sent = struct.unpack("!Id", d[:12])
            if n == i:
                rtts.append((time.perf_counter() - sent) * 1000); break
        time.sleep(0.01)
    rtts.sort()
    pick = lambda q: rtts[min(len(rtts) - 1, int(q * len(rtts)))] if rtts else float("nan")
    print("%.3f %.3f %.3f %d" % (pick(0.5), pick(0.99), rtts[-1] if rtts else float("nan"), lost))

cmd = sys.argv[1]
if cmd == "echo": echo(int(sys.argv[2]))
elif cmd == "rate": rate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
elif cmd == "ping": ping(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
