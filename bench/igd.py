#!/usr/bin/env python3
"""Mapping operations per second against an IGD: UPnP SOAP AddPortMapping/DeletePortMapping (a new HTTP
connection per call, as miniupnpc makes them) and NAT-PMP map/delete, each with latency percentiles;
and, with --leases N --pid PID, the memory a gateway needs for N live leases. Every loop is bounded by a
count and by --seconds."""
import argparse, http.client, os, socket, struct, subprocess, sys, time, urllib.parse

IP = "urn:schemas-upnp-org:service:WANIPConnection:2"


def soap(url, action, args):
    u = urllib.parse.urlparse(url)
    body = ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:%s xmlns:u="%s">%s</u:%s></s:Body></s:Envelope>'
            % (action, IP, "".join("<%s>%s</%s>" % (k, v, k) for k, v in args), action))
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("POST", u.path, body, {"SOAPAction": '"%s#%s"' % (IP, action), "Content-Type": 'text/xml; charset="utf-8"',
                                     "Connection": "close"})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else float("nan")


def bench_soap(url, client, seconds, count, base):
    lat, ops, t0 = [], 0, time.perf_counter()
    port = base
    while ops < count and time.perf_counter() - t0 < seconds:
        for action, args in (("AddPortMapping", [("NewRemoteHost", ""), ("NewExternalPort", port), ("NewProtocol", "TCP"),
                                                 ("NewInternalPort", port), ("NewInternalClient", client), ("NewEnabled", 1),
                                                 ("NewPortMappingDescription", "bench"), ("NewLeaseDuration", 3600)]),
                             ("DeletePortMapping", [("NewRemoteHost", ""), ("NewExternalPort", port), ("NewProtocol", "TCP")])):
            s = time.perf_counter()
            status = soap(url, action, args)
            lat.append(time.perf_counter() - s)
            if status != 200:
                sys.exit("%s of port %d answered HTTP %d" % (action, port, status))
            ops += 1
        port = base + (port - base + 1) % 1000
    el = time.perf_counter() - t0
    return ops / el, pct(lat, 0.5), pct(lat, 0.99)


def pmp(sock, op, internal, external, lifetime):
    sock.send(struct.pack("!BBHHHI", 0, op, 0, internal, external, lifetime))
    data = sock.recv(64)
    version, rop, result = struct.unpack("!BBH", data[:4])
    if result != 0:
        sys.exit("NAT-PMP answered result %d for internal port %d" % (result, internal))
    return struct.unpack("!H", data[10:12])[0]


def bench_pmp(host, seconds, count, base):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.connect((host, 5351))
    lat, ops, t0, port = [], 0, time.perf_counter(), base
    while ops < count and time.perf_counter() - t0 < seconds:
        for lifetime in (3600, 0):
            st = time.perf_counter()
            pmp(s, 2, port, port, lifetime)
            lat.append(time.perf_counter() - st)
            ops += 1
        port = base + (port - base + 1) % 1000
    el = time.perf_counter() - t0
    return ops / el, pct(lat, 0.5), pct(lat, 0.99), max(lat) * 1000


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])


def heap_used_kib(pid):
    if open("/proc/%d/comm" % pid).read().strip() != "java":
        return 0
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    for line in out.splitlines():
        if "used" in line and ("heap" in line.lower() or "garbage-first" in line.lower()):
            parts = line.replace(",", " ").split()
            for i, w in enumerate(parts):
                if w == "used":
                    return int(parts[i + 1].rstrip("K"))
    return -1


def bench_leases(host, n, pid, base, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(10)
    s.connect((host, 5351))
    rss0, heap0 = rss_kib(pid), heap_used_kib(pid)
    t0 = time.perf_counter()
    made = 0
    for i in range(n):
        if time.perf_counter() - t0 > seconds:
            break
        pmp(s, 2, base + i, base + i, 7200)
        made += 1
    took = time.perf_counter() - t0
    rss1, heap1 = rss_kib(pid), heap_used_kib(pid)
    return made, took, (rss1 - rss0) / max(made, 1), (heap1 - heap0) / max(made, 1)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--soap")
    a.add_argument("--client", default="127.0.0.1")
    a.add_argument("--pmp")
    a.add_argument("--seconds", type=float, default=10)
    a.add_argument("--count", type=int, default=20000)
    a.add_argument("--leases", type=int, default=0)
    a.add_argument("--pid", type=int)
    a.add_argument("--base", type=int, default=10000)
    o = a.parse_args()
    if o.soap:
        r, p50, p99 = bench_soap(o.soap, o.client, o.seconds, o.count, o.base)
        print("soap %.0f ops/s p50 %.2f ms p99 %.2f ms" % (r, p50, p99))
    if o.pmp and not o.leases:
        r, p50, p99, mx = bench_pmp(o.pmp, o.seconds, o.count, o.base + 2000)
        print("natpmp %.0f ops/s p50 %.2f ms p99 %.2f ms max %.2f ms" % (r, p50, p99, mx))
    if o.leases:
        made, took, rss, heap = bench_leases(o.pmp, o.leases, o.pid, 20000, o.seconds)
        print("leases %d made in %.1f s (%.0f/s); RSS %.1f KiB/lease%s" % (made, took, made / took, rss,
          ", live heap %.1f KiB/lease" % heap if heap else ""))


main()
