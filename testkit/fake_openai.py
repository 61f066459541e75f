"""A scripted OpenAI-compatible chat endpoint on 127.0.0.1 for tests and benchmarks.

It stands in for DeepSeek/Qwen/vLLM at the LLM boundary only: each request pops the next
scripted behaviour (stream a reply at a fixed token rate, fail with 429/500, hang past the
client's timeout, send garbage, or drop the connection mid-stream).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Script:
    kind: str = "reply"  # reply | status | hang | garbage | drop
    text: str = ""
    status: int = 200
    token_delay: float = 0.0
    hang: float = 0.0
    drop_after: int = 3


@dataclass
class FakeOpenAI:
    """``with FakeOpenAI() as srv: srv.push(Script(...)); base_url = srv.base_url``"""

    default: Script = field(default_factory=lambda: Script(text="资料中提到相关内容[1]。"))
    scripts: deque = field(default_factory=deque)
    requests: list = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def push(self, *scripts: Script) -> None:
        self.scripts.extend(scripts)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append({"body": body, "headers": dict(self.headers)})
                script = fake.scripts.popleft() if fake.scripts else fake.default
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    fake._serve(self, body, script)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @staticmethod
    def _tokens(text: str) -> list[str]:
        return [text[i : i + 2] for i in range(0, len(text), 2)]

    def _serve(self, h: BaseHTTPRequestHandler, body: dict, s: Script) -> None:
        if s.kind == "hang":
            time.sleep(s.hang)
        if s.kind == "status":
            error = {"error": {"message": f"scripted {s.status}", "type": "scripted"}}
            _send_json(h, s.status, error, {"Retry-After": "0"} if s.status == 429 else {})
        elif body.get("stream"):
            self._stream(h, body, s)
        else:
            message = {"role": "assistant", "content": s.text}
            reply = _completion(body, "chat.completion", {"message": message, "finish_reason": "stop"})
            _send_json(h, 200, reply)

    def _stream(self, h: BaseHTTPRequestHandler, body: dict, s: Script) -> None:
        """Server-sent events, two characters a chunk, ending with ``finish_reason`` and ``[DONE]``."""
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Connection", "close")
        h.end_headers()
        for n, tok in enumerate(self._tokens(s.text)):
            if s.kind == "drop" and n >= s.drop_after:
                h.wfile.flush()
                h.connection.shutdown(2)
                return
            if s.kind == "garbage":
                h.wfile.write(b"data: {not json at all\n\n")
                h.wfile.flush()
                return
            chunk = _completion(
                body, "chat.completion.chunk", {"delta": {"content": tok}, "finish_reason": None}
            )
            h.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            h.wfile.flush()
            if s.token_delay:
                time.sleep(s.token_delay)
        end = _completion(body, "chat.completion.chunk", {"delta": {}, "finish_reason": "stop"})
        h.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
        h.wfile.flush()


def _completion(body: dict, kind: str, choice: dict) -> dict:
    return {
        "id": "fake",
        "object": kind,
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, **choice}],
    }


def _send_json(h: BaseHTTPRequestHandler, status: int, obj: dict, headers: dict | None = None) -> None:
    payload = json.dumps(obj, ensure_ascii=False).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(payload)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(payload)
