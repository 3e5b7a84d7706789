#!/usr/bin/env python3
"""Holds N idle TCP connections through a relay, to measure the relay's memory per connection.

usage: hold.py server PORT [SECONDS]  -- accept and hold connections until killed, or SECONDS (default 600)
       hold.py client PORT N SECONDS  -- open N connections to PORT, hold them SECONDS, then exit
The client prints 'held N' once every connection is established and has round-tripped one byte.
"""
import selectors
import socket
import sys
import time


def server(port, seconds=600):
    sel = selectors.DefaultSelector()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(4096)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ)
    conns = []
    deadline = time.time() + seconds  # never outlives a benchmark run
    while time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            if key.fileobj is ls:
                c, _ = ls.accept()
                c.setblocking(False)
                conns.append(c)
                sel.register(c, selectors.EVENT_READ)
            else:
                try:
                    data = key.fileobj.recv(64)
                except OSError:
                    data = b""
                if data:
                    key.fileobj.send(data)
                else:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()


def client(port, n, seconds):
    socks = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"x")
        socks.append(s)
    for s in socks:
        if s.recv(1) != b"x":
            raise SystemExit("connection %d did not echo" % len(socks))
    print("held", n, flush=True)
    time.sleep(seconds)
    for s in socks:
        s.close()


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 600)
    else:
        client(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
