"""Drives `rlmsh mcp` over stdio with the official MCP Python SDK (the `mcp` package), against a
loopback OpenAI-compatible model server started here. Run by tests/mcp.rs:

    python3 tests/mcp/client.py path/to/rlmsh

Prints one `ok:` line per check and exits non-zero on the first failure."""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client

RLMSH = sys.argv[1]


class ModelServer(BaseHTTPRequestHandler):
    """Answers chat completions with an echo of the prompt after 0.3 s; prompts containing
    SLOW wait a minute (long enough to be cancelled)."""

    requests = 0

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        if isinstance(prompt, list):
            prompt = " ".join(part.get("text", "") for part in prompt)
        ModelServer.requests += 1
        time.sleep(60 if "SLOW" in prompt else 0.3)
        answer = {
            "choices": [{"message": {"role": "assistant", "content": "echo: " + prompt[-30:]}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }
        data = json.dumps(answer).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def start_model_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ModelServer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/v1"


def ok(what):
    print(f"ok: {what}", flush=True)


def body(result):
    """The JSON a tool returned (structured content, which the text content repeats)."""
    assert result.structured_content is not None, result
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


async def call(session, tool, **arguments):
    return body(await session.call_tool(tool, arguments))


FAN_OUT = """
(define documents (for/list ([i (in-range 24)]) (format "document ~a" i)))
(define summaries
  (map-async (lambda (d) (llm-query-async #:instruction "Summarise" #:data d #:model "gpt-4o-mini"))
             documents #:max-concurrent 3))
(display "summarised ") (display (length summaries))
(finish (map syntax-e summaries))
"""


async def main(base_url):
    env = {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test-mcp", "RLMSH_MAX_RETRIES": "0"}
    params = StdioServerParameters(command=RLMSH, args=["mcp", "--model", "gpt-4o-mini", "--checkpoint-dir", CHECKPOINTS], env=env, cwd=CHECKPOINTS)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            info = await session.initialize()
            assert info.server_info.name == "rlmsh", info
            ok("initialize")

            tools = {t.name: t for t in (await session.list_tools()).tools}
            expected = {"execute_scheme", "load_context", "reset", "get_sandbox_state", "get_status",
                        "cancel_call", "get_execution_trace", "get_usage_guide"}
            assert set(tools) == expected, sorted(tools)
            assert tools["execute_scheme"].input_schema["required"] == ["code"]
            ok("list tools")

            guide = await session.call_tool("get_usage_guide", {})
            assert "llm-query" in guide.content[0].text and "map-async" in guide.content[0].text
            ok("usage guide")

            loaded = await call(session, "load_context", data='{"team": "core", "items": [1, 2, 3]}', json=True)
            assert loaded["status"] == "loaded" and loaded["bound_to"] == "context", loaded
            assert (await call(session, "load_context", data="alpha\nbeta\n", name="notes"))["lines"] == 2
            r = await call(session, "execute_scheme", code='(list (hash-ref context \'team) (length (hash-ref context \'items)) (get-context "notes"))')
            assert r["status"] == "completed" and r["result"] == ["core", 3, "alpha\nbeta\n"], r
            ok("load context")

            progress = []

            async def on_progress(value, total, message):
                progress.append((value, message))

            r = body(await session.call_tool("execute_scheme", {"code": FAN_OUT}, progress_callback=on_progress))
            assert r["status"] == "finished", r
            assert len(r["result"]) == 24 and all(f"document {i}" in r["result"][i] for i in range(24)), r["result"]
            assert r["output"] == "summarised 24", r
            assert r["calls"] == 24 and r["tokens"]["total"] == 24 * 15, r
            assert progress and "in flight" in progress[0][1], progress
            assert [p[0] for p in progress] == sorted(p[0] for p in progress), progress
            ok(f"fan-out of 24 calls with {len(progress)} progress notifications")

            trace = (await call(session, "get_execution_trace"))["calls"]
            assert len(trace) == 24 and all(c["status"] == "ok" and c["model"] == "gpt-4o-mini" for c in trace), trace
            ok("execution trace")

            r = await call(session, "execute_scheme", code="(define (square x) (* x x))\n(define big (make-list 5 'item))\n(py-exec \"greeting = 'hello'\")\n(square 12)")
            assert r["result"] == 144, r
            state = await call(session, "get_sandbox_state")
            names = {d["name"]: d["preview"] for d in state["definitions"]}
            assert "square" in names and names["big"].startswith("'(item"), names
            assert any(g["name"] == "greeting" and "hello" in g["preview"] for g in state["python_globals"]), state
            assert state["context_slots"][0]["name"] == "notes" and state["tokens"]["total"] == 24 * 15, state
            ok("sandbox state")

            r = await call(session, "execute_scheme", code='(display (py-exec "print(\'from python\')\\nimport os\\nos.system(\'echo stray child output\')"))\n(display "after")')
            assert r["status"] == "completed" and "from python" in r["output"] and r["output"].endswith("after"), r
            assert (await call(session, "execute_scheme", code="(square 3)"))["result"] == 9
            ok("program, Python and child-process output never reach the protocol stream")

            r = await call(session, "execute_scheme", code="(define n 1)\n(car n)")
            assert r["status"] == "error" and r["error"]["line"] == 2 and r["error"]["column"] == 1, r
            assert "car: contract violation" in r["error"]["message"], r
            r = await call(session, "execute_scheme", code="(display 1)\n(let ([x 1)")
            assert r["status"] == "error" and r["error"]["kind"] == "read" and r["output"] == "", r
            ok("errors with line and column")

            r = await call(session, "execute_scheme", code="(let loop () (loop))", timeout=1)
            assert r["status"] == "error" and "timed out after 1" in r["error"]["message"], r
            ok("timeout")

            r = await call(session, "execute_scheme", code='(make-string 50000 #\\a)')
            assert len(r["result"]) < 21000 and "(restore \\\"mcp:exec" not in r["result"] and "restore" in r["result"], r["result"][-300:]
            key = r["result"].split('checkpoint "')[1].split('"')[0]
            r = await call(session, "execute_scheme", code=f'(string-length (restore "{key}"))')
            assert r["result"] == 50000, r
            ok("large results are cut with a note; the whole is kept as a checkpoint")

            # Cancel one model call by id while the execution waits for it.
            outcome = {}

            async def slow_execution():
                outcome["r"] = await call(session, "execute_scheme", code='(with-handlers ([exn:fail? exn-message]) (syntax-e (llm-query #:instruction "SLOW please")))')

            async with anyio.create_task_group() as group:
                group.start_soon(slow_execution)
                in_flight = []
                for _ in range(100):
                    await anyio.sleep(0.1)
                    status = await call(session, "get_status")
                    in_flight = status["calls_in_flight"]
                    if in_flight:
                        break
                assert in_flight and status["execution_running"] is not None, status
                cancelled = await call(session, "cancel_call", id=in_flight[0]["id"])
                assert cancelled["cancelled"] == [in_flight[0]["id"]], cancelled
            assert outcome["r"]["status"] == "completed" and "cancel" in outcome["r"]["result"], outcome
            ok("get_status during a run, cancel_call by id")

            # The client cancels a long execution: it stops, and the session serves the next call.
            started = time.monotonic()
            with anyio.move_on_after(1.5):
                await session.call_tool("execute_scheme", {"code": '(syntax-e (llm-query #:instruction "SLOW again"))'})
            for _ in range(50):
                status = await call(session, "get_status")
                if status["execution_running"] is None and not status["calls_in_flight"]:
                    break
                await anyio.sleep(0.1)
            assert status["execution_running"] is None and not status["calls_in_flight"], status
            assert (await call(session, "execute_scheme", code="(+ 1 2)"))["result"] == 3
            assert time.monotonic() - started < 10
            ok("client cancellation stops the execution and its calls")

            for tool, arguments, fragment in [
                ("no_such_tool", {}, "unknown tool"),
                ("execute_scheme", {}, "missing argument `code`"),
                ("execute_scheme", {"code": 42}, "must be a string"),
                ("execute_scheme", {"code": "1", "timeout": "soon"}, "positive number of seconds"),
                ("cancel_call", {"id": "some"}, "call id"),
                ("execute_scheme", {"code": "(+ 1 2)", "extra": True}, "unknown argument `extra`"),
                ("execute_scheme", {"code": " " * (9 << 20)}, "the limit is"),
            ]:
                try:
                    await session.call_tool(tool, arguments)
                except MCPError as e:
                    assert fragment in str(e), (tool, str(e))
                else:
                    raise AssertionError(f"{tool} {list(arguments)} was accepted")
            assert (await call(session, "execute_scheme", code="(square 5)"))["result"] == 25
            ok("malformed and huge requests get protocol errors; the session goes on")

            r = await call(session, "reset")
            assert r["status"] == "reset", r
            r = await call(session, "execute_scheme", code="(square 2)")
            assert r["status"] == "error" and "square" in r["error"]["message"], r
            state = await call(session, "get_sandbox_state")
            assert state["definitions"] == [] and state["calls"] == 0, state
            assert state["python_globals"] == "Python has not been used in this session", state
            ok("reset")


if __name__ == "__main__":
    import tempfile

    CHECKPOINTS = tempfile.mkdtemp(prefix="rlmsh-mcp-")
    anyio.run(main, start_model_server())
    print("all MCP checks passed")
