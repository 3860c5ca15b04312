#!/usr/bin/env python3
"""Activation seen by a second instance: activate on A, then ask B until it serves the new version.

Usage: propagation.py <base A> <base B> <admin key> <reader key> <prompt> [count]
Prints one line: `count p50_ms p99_ms max_ms` (time from sending the activation to B serving it).
"""
import http.client
import json
import sys
import time
import urllib.parse


def connect(base):
    url = urllib.parse.urlparse(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=10)


def main():
    base_a, base_b, admin, reader, prompt = sys.argv[1:6]
    count = int(sys.argv[6]) if len(sys.argv) > 6 else 100
    name = urllib.parse.quote(prompt, safe="")
    a, b = connect(base_a), connect(base_b)
    samples = []
    for i in range(count):
        target = 2 if i % 2 == 0 else 1
        started = time.perf_counter()
        a.request("PUT", f"/api/v1/prompts/{name}/labels/production",
                  body=json.dumps({"version": target, "reason": "propagation benchmark"}),
                  headers={"Authorization": f"Bearer {admin}", "Content-Type": "application/json"})
        response = a.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"activation answered {response.status}")
        while True:
            b.request("GET", f"/api/v1/prompts/{name}/resolve", headers={"Authorization": f"Bearer {reader}"})
            answer = b.getresponse()
            body = answer.read()
            if answer.status == 200 and json.loads(body)["version"] == target:
                break
            if time.perf_counter() - started > 10:
                raise SystemExit("instance B did not serve the activation within 10 s")
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    pick = lambda q: samples[min(len(samples) - 1, int(round(q * (len(samples) - 1))))]
    print(f"{len(samples)} {pick(0.50):.1f} {pick(0.99):.1f} {samples[-1]:.1f}")


if __name__ == "__main__":
    main()
