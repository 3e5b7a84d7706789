#!/usr/bin/env python3
"""Time per rule change through the API: create one forward, then delete it, --count times (bounded by
--seconds too), on one keep-alive connection; prints one Markdown row: forwards in place, create and delete
latencies, and the kernel's own write times from /api/v1/kernel."""
import argparse, http.client, json, time

p = argparse.ArgumentParser()
p.add_argument("--token", required=True)
p.add_argument("--count", type=int, default=100)
p.add_argument("--seconds", type=float, default=60)
p.add_argument("--api", default="127.0.0.1:7080")
a = p.parse_args()
c = http.client.HTTPConnection(a.api, timeout=30)
H = {"Authorization": "Bearer " + a.token, "Content-Type": "application/json"}


def call(method, path, body=None):
    c.request(method, path, json.dumps(body) if body is not None else None, H)
    r = c.getresponse()
    data = r.read()
    if r.status >= 300:
        raise SystemExit("%s %s: %d %s" % (method, path, r.status, data[:200]))
    return json.loads(data) if data else None


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))] * 1000


forwards = call("GET", "/api/v1/stats")["forwards"]
# Warm up, and wait out any change still being applied (a config reload of thousands of forwards).
call("POST", "/api/v1/forwards", {"name": "warmup", "listen": "0.0.0.0:39999", "target": "10.92.1.2:80"})
call("DELETE", "/api/v1/forwards/warmup")
before = call("GET", "/api/v1/kernel?listing=false")
made, gone, t0 = [], [], time.perf_counter()
for i in range(a.count):
    if time.perf_counter() - t0 > a.seconds:
        break
    s = time.perf_counter()
    f = call("POST", "/api/v1/forwards", {"name": "bench%d" % i, "listen": "0.0.0.0:%d" % (40000 + i),
                                           "target": "10.92.1.2:80"})
    made.append(time.perf_counter() - s)
    assert f.get("plane") == "kernel", f
    s = time.perf_counter()
    call("DELETE", "/api/v1/forwards/bench%d" % i)
    gone.append(time.perf_counter() - s)
after = call("GET", "/api/v1/kernel?listing=false")
n = after["writes"] - before["writes"]
avg = (after["write-ms-average"] * after["writes"] - before["write-ms-average"] * before["writes"]) / max(1, n)
print("| %d | %.1f / %.1f / %.1f | %.1f / %.1f | %.2f / %.2f |" % (
    forwards, pct(made, 0.5), pct(made, 0.99), max(made) * 1000, pct(gone, 0.5), pct(gone, 0.99), avg,
    after["write-ms-max"]))
