#!/usr/bin/env python3
"""A loopback stand-in for an OpenAI-compatible Chat Completions endpoint, with latency.

    python3 scripts/stub-model.py [--latency-ms 40]

Prints the port it listens on (on 127.0.0.1) as its first line, then serves until killed. Point
rlmsh at it with OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 and any OPENAI_API_KEY.

Every answer is a ticket triage in JSON ({category, urgency, summary}) derived from a digest of
the request's messages, so the same request always gets the same answer, whichever run or
connection asks: what a crash-and-resume check needs to compare a resumed run with an
uninterrupted one. Each answer waits between half and one and a half times the latency, so
calls are in flight long enough to be killed mid-way and come back out of order.
"""

import argparse
import hashlib
import http.server
import json
import random
import sys
import time

CATEGORIES = ["billing", "bug", "account", "shipping", "feature-request"]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle(self):
        try:
            super().handle()
        except ConnectionError:
            pass  # the client was killed while its call was in flight: the point of the exercise

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self.reply(400, {"error": {"message": "the body is not JSON", "type": "invalid_request"}})
            return
        messages = json.dumps(request.get("messages", []), sort_keys=True)
        digest = hashlib.sha256(messages.encode()).digest()
        answer = {
            "category": CATEGORIES[digest[0] % len(CATEGORIES)],
            "urgency": 1 + digest[1] % 5,
            "summary": "ticket digest " + digest[2:6].hex(),
        }
        time.sleep(self.server.latency * (0.5 + random.random()))
        self.reply(200, {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "model": request.get("model", "stub"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": json.dumps(answer)},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(messages) // 4, "completion_tokens": 20,
                      "total_tokens": len(messages) // 4 + 20},
        })

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=40.0)
    options = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.latency = options.latency_ms / 1000.0
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
