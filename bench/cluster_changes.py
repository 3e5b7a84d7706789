#!/usr/bin/env python3
"""Makes forwards one at a time through one node's API and times how long each takes to listen on the others.

usage: cluster_changes.py API_URL TOKEN COUNT TARGET LOG...
For forward bN (listen 0.0.0.0:20000+N) the clock starts when the API has answered 201 and stops at the latest of
the 'forward "bN" listening' lines in the other nodes' logs (their timestamps, same machine clock). Each change
waits for the previous one to be seen everywhere (at most 10 s), so the figures are per change, not a backlog.
"""
import datetime
import http.client
import json
import re
import sys
import time
import urllib.parse

LINE = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) INFO  forward "(b\d+)" listening')


class Follower:
    def __init__(self, path):
        self.f = open(path, "r", errors="replace")
        self.f.seek(0, 2)
        self.seen = {}
        self.partial = ""

    def poll(self):
        # A line the logger is still writing comes in pieces: keep the piece until its end arrives.
        text = self.partial + self.f.read()
        lines = text.split("\n")
        self.partial = lines.pop()
        for line in lines:
            m = LINE.match(line)
            if m:
                at = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
                self.seen[m.group(2)] = at


def main():
    url, token, count, target = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    logs = [Follower(p) for p in sys.argv[5:]]
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    delays = []
    missed = 0
    deadline = time.time() + 1800  # never outlives a benchmark run
    for n in range(1, count + 1):
        if time.time() > deadline:
            break
        name = "b%d" % n
        body = json.dumps({"name": name, "listen": "0.0.0.0:%d" % (20000 + n), "target": target})
        conn.request("POST", "/api/v1/forwards", body, headers)
        r = conn.getresponse()
        r.read()
        answered = time.time()
        if r.status != 201:
            print("change %d refused: %d" % (n, r.status))
            return 1
        until = answered + 10
        while time.time() < until:
            for f in logs:
                f.poll()
            if all(name in f.seen for f in logs):
                break
            time.sleep(0.002)
        if all(name in f.seen for f in logs):
            delays.append(max(f.seen[name] for f in logs) - answered)
        else:
            missed += 1
            print("%s: not seen listening within 10 s on %s" % (
                name, ", ".join(f.f.name for f in logs if name not in f.seen)))
    delays.sort()

    def pct(p):
        return delays[min(len(delays) - 1, int(len(delays) * p))] * 1000 if delays else float("nan")

    print("changes %d, seen on %d other node(s): p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms; not seen in 10 s: %d"
          % (len(delays), len(logs), pct(0.50), pct(0.90), pct(0.99), pct(1.0), missed))
    # A log line's time has millisecond precision and the answer's is taken after the response: a change seen in
    # under a millisecond can come out slightly negative.
    return 0


if __name__ == "__main__":
    sys.exit(main())
