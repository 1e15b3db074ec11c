"""A minimal OpenAI-compatible loopback server for rlmsh's model-call benchmarks: answers every
POST .../chat/completions after --latency-ms with a fixed answer and usage, counts requests and
the most ever in flight (GET /stats). Stdlib only; HTTP/1.1 keep-alive."""
import argparse
import asyncio
import json

STATS = {"requests": 0, "in_flight": 0, "max_in_flight": 0}
ANSWER = json.dumps({
    "choices": [{"message": {"role": "assistant", "content": "ok"}}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 1},
}).encode()


async def handle(reader, writer, latency):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = next((int(l.split(":", 1)[1]) for l in lines[1:] if l.lower().startswith("content-length:")), 0)
            await reader.readexactly(length)
            if method == "GET" and path.endswith("/stats"):
                body = json.dumps(STATS).encode()
            else:
                STATS["requests"] += 1
                STATS["in_flight"] += 1
                STATS["max_in_flight"] = max(STATS["max_in_flight"], STATS["in_flight"])
                if latency:
                    await asyncio.sleep(latency / 1000)
                STATS["in_flight"] -= 1
                body = ANSWER
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    server = await asyncio.start_server(lambda r, w: handle(r, w, args.latency_ms), "127.0.0.1", 0, backlog=1024)
    with open(args.port_file, "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    async with server:
        await server.serve_forever()


asyncio.run(main())
