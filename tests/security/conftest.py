"""A scripted HTTP receiver on 127.0.0.1 (the only place tests send to)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.loopback import serving


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Receiver:
    """Answers each path with its scripted Answer and records every path it was asked for."""

    port: int = 0
    script: dict[str, Answer] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.paths.append(self.path)
            state.hosts.append(self.headers.get("Host", ""))
            answer = state.script.get(self.path, Answer())
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *_args: Any) -> None:
            pass

    with serving(Handler) as port:
        state.port = port
        yield state
