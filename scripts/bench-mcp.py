"""The MCP server's own overhead: start-up and initialize, an execute_scheme round trip on a
trivial program, and one execution that makes 1,000 offline model calls. Raw JSON-RPC over the
server's stdio, so the figures are the server's, not a client library's.

    python3 scripts/bench-mcp.py target/release/rlmsh [ROUND_TRIPS]
"""
import json, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "mcp", "--offline"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
def send(m): p.stdin.write(json.dumps(m) + "\n"); p.stdin.flush()
def recv(i):
    while True:
        m = json.loads(p.stdout.readline())
        if m.get("id") == i: return m
t0 = time.time()
send({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"b","version":"0"}}}); recv(0)
send({"jsonrpc":"2.0","method":"notifications/initialized"})
t1 = time.time()
N = int(sys.argv[2]) if len(sys.argv) > 2 else 500
for i in range(1, N + 1):
    send({"jsonrpc":"2.0","id":i,"method":"tools/call","params":{"name":"execute_scheme","arguments":{"code":"(+ 1 2)"}}}); recv(i)
t2 = time.time()
send({"jsonrpc":"2.0","id":N+1,"method":"tools/call","params":{"name":"execute_scheme","arguments":{"code":"(length (map-async (lambda (i) (llm-query-async #:instruction (format \"q~a\" i))) (range 1000)))"}}}); r = recv(N+1)
t3 = time.time()
print(f"startup+initialize {1000*(t1-t0):.1f} ms; execute_scheme round trip {1000*(t2-t1)/N:.3f} ms; 1000 offline calls in one execution {1000*(t3-t2):.0f} ms; result {r['result']['structuredContent']['result']}")
p.stdin.close(); p.wait()
