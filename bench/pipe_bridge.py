"""A JSON-over-pipe Python bridge of the kind the reference system uses, for comparison with
rlmsh's embedded one: a client sends requests to a Python subprocess as JSON lines and reads
JSON answers. Prints the same three medians as python-bridge.scm, in microseconds per call."""
import json
import statistics
import subprocess
import sys
import time

SERVER = r"""
import json, sys
env = {}
for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "eval":
        out = eval(req["code"], env)
    else:
        env[req["name"]] = req["value"]
        out = None
    sys.stdout.write(json.dumps({"ok": out}) + "\n")
    sys.stdout.flush()
"""

server = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def call(request):
    server.stdin.write(json.dumps(request) + "\n")
    server.stdin.flush()
    return json.loads(server.stdout.readline())["ok"]


def per_call_us(batches, per_batch, thunk):
    times = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(per_batch):
            thunk()
        times.append((time.perf_counter() - start) * 1e6 / per_batch)
    return statistics.median(times)


text_100 = "x" * 100
list_1000 = [str(100 + i % 900) + "y" * 97 for i in range(1000)]
print("py-eval-1+1", per_call_us(5, 2000, lambda: call({"op": "eval", "code": "1+1"})))
print("py-set!-100-char-string", per_call_us(5, 2000, lambda: call({"op": "set", "name": "x", "value": text_100})))
print("list-1000-round-trip", per_call_us(5, 100, lambda: (call({"op": "set", "name": "xs", "value": list_1000}), call({"op": "eval", "code": "xs"}))))
server.stdin.close()
server.wait()
