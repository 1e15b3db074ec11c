"""Median microseconds of the same POST as llm-query makes, sent with http.client over one
keep-alive connection: the HTTP round trip that rlmsh's per-call overhead is measured against
(an upper bound, since it includes Python's own client overhead)."""
import http.client
import json
import statistics
import sys
import time

port = int(sys.argv[1])
conn = http.client.HTTPConnection("127.0.0.1", port)
body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "system", "content": ""}, {"role": "user", "content": "hello"}]})
times = []
for _ in range(9):
    start = time.perf_counter()
    for _ in range(200):
        conn.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
        conn.getresponse().read()
    times.append((time.perf_counter() - start) * 1e6 / 200)
print("http-round-trip-us", statistics.median(times))
