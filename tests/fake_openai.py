"""A real OpenAI-compatible chat-completions server on 127.0.0.1, replaying scripted answers.

    with FakeOpenAI([Reply.error(429, retry_after="1"), Reply.answer({"claims": []})]) as server:
        settings = Settings(llm_base_url=server.base_url, ...)

Replies are served in order; when the script runs out the last reply repeats (or `responder`
builds one from the request). Every request is recorded with its headers and JSON body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from service.settings import Settings


@dataclass
class Reply:
    """One scripted HTTP answer."""

    status: int = 200
    content: str | None = ""
    finish_reason: str = "stop"
    refusal: str | None = None
    prompt_tokens: int = 120
    completion_tokens: int = 40
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw_body: str | None = None

    @classmethod
    def answer(cls, obj: Any, **kwargs: Any) -> Reply:
        """A completion whose content is `obj` as JSON."""
        return cls(content=json.dumps(obj), **kwargs)

    @classmethod
    def text(cls, content: str, **kwargs: Any) -> Reply:
        """A completion with this exact content (garbage, prose, fenced JSON ...)."""
        return cls(content=content, **kwargs)

    @classmethod
    def truncated(cls, obj: Any) -> Reply:
        """The first half of a JSON answer, cut off at the token limit."""
        whole = json.dumps(obj)
        return cls(content=whole[: len(whole) // 2], finish_reason="length")

    @classmethod
    def refused(cls) -> Reply:
        """An OpenAI-style refusal: no content, the `refusal` field set."""
        return cls(content=None, refusal="I can't help with that request.")

    @classmethod
    def error(cls, status: int, *, retry_after: str | None = None, body: str = "") -> Reply:
        """An HTTP error, optionally with Retry-After and a body of our choosing."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return cls(status=status, headers=headers, raw_body=body or json.dumps({"error": {"message": "x"}}))

    @classmethod
    def hang(cls, seconds: float) -> Reply:
        """Say nothing for `seconds` (well past the client's timeout), then a valid empty answer."""
        return cls(content=json.dumps({"claims": [], "skipped": []}), delay=seconds)


@dataclass
class Recorded:
    """A request as the server saw it."""

    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        return "\n".join(str(message.get("content", "")) for message in self.body.get("messages", []))


class FakeOpenAI:
    """The server; use as a context manager. `base_url` ends in /v1 like real deployments."""

    def __init__(
        self,
        script: list[Reply] | None = None,
        *,
        responder: Callable[[Recorded], Reply] | None = None,
        reject_json_schema: bool = False,
        schema_rejection_status: int = 400,
    ) -> None:
        self.script = list(script or [])
        self.responder = responder
        self.reject_json_schema = reject_json_schema
        self.schema_rejection_status = schema_rejection_status
        self.requests: list[Recorded] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next_reply(self, recorded: Recorded) -> Reply:
        with self._lock:
            if self.reject_json_schema and "response_format" in recorded.body:
                return Reply.error(
                    self.schema_rejection_status,
                    body='{"error": {"message": "response_format is not supported"}}',
                )
            if self.script:
                return self.script.pop(0) if len(self.script) > 1 or self.responder else self.script[0]
        if self.responder is not None:
            return self.responder(recorded)
        raise AssertionError("FakeOpenAI has no reply scripted")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                recorded = Recorded(headers={k.lower(): v for k, v in self.headers.items()}, body=body)
                with fake._lock:
                    fake.requests.append(recorded)
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                # A request stops counting as in flight before its answer is written: once the client has
                # read the answer it may send its next request before this thread would get to a `finally`,
                # which under load counted one request too many.
                answering = True
                try:
                    known_path = self.path == "/v1/chat/completions"
                    reply = fake._next_reply(recorded) if known_path else Reply.error(404)
                    if reply.delay:
                        fake._stopping.wait(reply.delay)
                    with fake._lock:
                        fake.in_flight -= 1
                    answering = False
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as it should
                finally:
                    if answering:
                        with fake._lock:
                            fake.in_flight -= 1

            def _send(self, reply: Reply) -> None:
                if reply.raw_body is not None:
                    payload = reply.raw_body.encode()
                else:
                    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
                    if reply.refusal is not None:
                        message["refusal"] = reply.refusal
                    payload = json.dumps(
                        {
                            "id": "chatcmpl-fake",
                            "object": "chat.completion",
                            "model": "fake",
                            "choices": [
                                {"index": 0, "message": message, "finish_reason": reply.finish_reason}
                            ],
                            "usage": {
                                "prompt_tokens": reply.prompt_tokens,
                                "completion_tokens": reply.completion_tokens,
                                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                            },
                        }
                    ).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler


API_KEY = "sk-test-9f3b1c-NEVER-LOG-ME"


def llm_settings(base_url: str, **overrides: Any) -> Settings:
    """Settings for tests: this server, a recognisable key, short timeouts and backoffs."""
    values: dict[str, Any] = {
        "llm_base_url": base_url,
        "llm_model": "fake-model",
        "llm_api_key": API_KEY,
        "llm_timeout_seconds": 0.5,
        "llm_max_retries": 2,
        "llm_backoff_seconds": 0.01,
        "llm_concurrency": 2,
        "llm_circuit_failures": 3,
        "llm_circuit_reset_seconds": 0.3,
        **overrides,
    }
    return Settings(_env_file=None, **values)
