#!/usr/bin/env python3
"""Jobs benchmark: enqueue-to-start across instances, and how soon an upload's Discord message leaves.

Usage: jobs.py <base A> <admin key> <pid of A> <pid of B> <fake Discord port> <database URL> [count]
Against two running instances A (one worker) and B on one database, both in production with their
webhook at http://127.0.0.1:<port>/api/webhooks/1/token: this script serves that fake Discord itself.
  1. keeps A's only worker busy (a roll-up waiting for its lock, which this script holds in
     hangfire.lock), triggers the retention job `count` times through A's ops API — so B runs them —
     then frees A and triggers `count` more; from /api/v1/ops/runs, the time from each run's creation
     (the enqueue, on A) to its start, split by the instance that ran it;
  2. uploads `count` versions through A; the time from each upload's answer to Discord receiving it.
Prints lines `enqueue <where> <n> <p50 ms> <p95 ms> <max ms>` and `delivery all <n> <p50> <p95> <max>`.
"""
import http.client
import http.server
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

received = {}


class FakeDiscord(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        at = time.time()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        for embed in body.get("embeds", []):
            received.setdefault(embed.get("title"), at)
        answer = json.dumps({"id": str(int(at * 1000))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def call(base, method, path, key, body=None):
    url = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = connection.getresponse()
    data = response.read()
    if response.status >= 400:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:300]}")
    return json.loads(data) if data else None


def stats(label, samples):
    if not samples:
        print(f"{label} 0 - - -")
        return
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    print(f"{label} {len(samples)} {statistics.median(samples):.0f} {p95:.0f} {samples[-1]:.0f}")


def parse(at):
    # 2026-12-02T07:40:04.123456+00:00 → epoch seconds (Python 3.11 reads up to microseconds)
    from datetime import datetime
    return datetime.fromisoformat(at).timestamp()


LOCK = "hangfire:DailyAggregationJob.RunAsync"


def sql(database, statement):
    subprocess.run(["psql", database, "-q", "-c", statement], check=True, stdout=subprocess.DEVNULL)


def find_run(base, admin, job_id):
    items = call(base, "GET", "/api/v1/ops/runs?job=analytics-daily-aggregation&pageSize=200", admin)["items"]
    return next((r for r in items if r["id"] == job_id), None)


def main():
    base_a, admin, pid_a, pid_b, discord_port, database = sys.argv[1:7]
    count = int(sys.argv[7]) if len(sys.argv) > 7 else 40
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(discord_port)), FakeDiscord)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    # A's only worker waits for the roll-up's lock (held here); a roll-up B took ties up one of B's.
    sql(database, f"INSERT INTO hangfire.lock (resource, acquired) VALUES ('{LOCK}', now())")
    busy = False
    for _ in range(10):
        job_id = call(base_a, "POST", "/api/v1/ops/jobs/analytics-daily-aggregation/trigger", admin)["jobId"]
        deadline = time.time() + 20
        while time.time() < deadline:
            started = find_run(base_a, admin, job_id)
            if started and started["server"]:
                break
            time.sleep(0.2)
        if started and f":{pid_a}:" in (started["server"] or ""):
            busy = True
            break
    if not busy:
        raise RuntimeError("could not keep instance A busy")
    ids = []
    for phase in ("A busy", "A free"):
        if phase == "A free":
            sql(database, f"DELETE FROM hangfire.lock WHERE resource = '{LOCK}'")
            time.sleep(2)
        for _ in range(count):
            ids.append(call(base_a, "POST", "/api/v1/ops/jobs/analytics-retention/trigger", admin)["jobId"])
            time.sleep(0.25)
    deadline = time.time() + 120
    runs = {}
    while time.time() < deadline:
        items = call(base_a, "GET", "/api/v1/ops/runs?job=analytics-retention&pageSize=200", admin)["items"]
        runs = {r["id"]: r for r in items if r["id"] in ids and r["startedAt"]}
        if len(runs) == len(ids):
            break
        time.sleep(0.5)
    same, cross = [], []
    for run in runs.values():
        latency = (parse(run["startedAt"]) - parse(run["createdAt"])) * 1000
        (cross if f":{pid_b}:" in (run["server"] or "") else same).append(latency)
    stats("enqueue cross-instance", cross)
    stats("enqueue same-instance", same)

    call(base_a, "POST", "/api/v1/prompts", admin, {"name": f"bench/jobs-{int(time.time())}", "type": "text"})
    name = urllib.parse.quote(call(base_a, "GET", "/api/v1/prompts?pageSize=200", admin)["items"][0]["name"], safe="")
    answered = {}
    for i in range(count):
        version = call(base_a, "POST", f"/api/v1/prompts/{name}/versions", admin, {"template": f"benchmark version {i}"})
        answered[f"{urllib.parse.unquote(name)} v{version['version']}"] = time.time()
        time.sleep(0.5)
    deadline = time.time() + 120
    while time.time() < deadline and not all(title in received for title in answered):
        time.sleep(0.2)
    stats("delivery all", [(received[t] - at) * 1000 for t, at in answered.items() if t in received])
    missing = [t for t in answered if t not in received]
    if missing:
        print(f"undelivered {len(missing)}")
    server.shutdown()


if __name__ == "__main__":
    main()
