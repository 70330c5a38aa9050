"""A threaded HTTP server on 127.0.0.1 that hands each request to a Python handler."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    """One request as the handler sees it."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        """Query and form parameters together."""
        return {**self.query, **self.form}


@dataclass
class Reply:
    """What the handler answers."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Reply:
        """A JSON reply."""
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8"})


class LocalServer:
    """Start with `with Server() as server:`; `server.url` is its base URL."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.hang = threading.Event()  # set: every request waits until `release` is set
        self.hang_after: int | None = None  # requests beyond this many hang the same way
        self.release = threading.Event()
        self.delay_seconds = 0.0
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Reply:
        """Answer one request (subclasses)."""
        raise NotImplementedError

    def __enter__(self) -> LocalServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                request = Request(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query, keep_blank_values=True)),
                    dict(parse_qsl(body, keep_blank_values=True)),
                    {key.lower(): value for key, value in self.headers.items()},
                )
                with server._lock:
                    server.requests.append(request)
                    beyond = (
                        server.hang_after is not None and len(server.requests) > server.hang_after
                    )
                if server.hang.is_set() or beyond:
                    server.release.wait(30)
                if server.delay_seconds:
                    server.release.wait(server.delay_seconds)
                with server._lock:
                    reply = server.handle(request)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (timeouts are tested on purpose)

            do_GET = do_POST = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"
