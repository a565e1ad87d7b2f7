"""Structured JSON logs with a request id, and per-request metrics."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.metrics import HTTP_LATENCY, HTTP_REQUESTS

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_STANDARD_RECORD_FIELDS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for name, value in record.__dict__.items():
            if name not in _STANDARD_RECORD_FIELDS and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str, as_json: bool) -> None:
    """Send claimcheck's logs to stderr, as JSON lines unless told otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if as_json else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger("claimcheck")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


# A number, a long hex digest or a UUID.
_ID_SEGMENT = re.compile(r"^(\d+|[0-9a-f]{16,}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$", re.IGNORECASE)


def path_label(raw_path: str) -> str:
    """A path without a route template (docs, static files): ids and hashes become `{id}`, and it is cut
    to 200 characters, so a log line never carries an identifier."""
    segments = ["{id}" if _ID_SEGMENT.match(part) else part for part in raw_path.split("/")]
    return "/".join(segments)[:200]


class RequestContextMiddleware:
    """Give every request an id (echoed as X-Request-ID), log it, and count it in the metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("claimcheck.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        # Accept a caller's id only if it is short and plain, so logs cannot be forged through it.
        request_id = incoming if incoming and len(incoming) <= 64 and incoming.isprintable() else None
        request_id = request_id or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_code = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route_path = getattr(scope.get("route"), "path", None)
            path = route_path or path_label(scope.get("path", ""))
            # Metrics keep bounded labels: a path no route knows (a 404 probe) is counted as "unmatched".
            metric_path = route_path or ("unmatched" if status_code == 404 else path)
            method = scope.get("method", "")
            HTTP_REQUESTS.labels(method, metric_path, str(status_code)).inc()
            HTTP_LATENCY.labels(method, metric_path).observe(elapsed)
            self.log.info(
                "request",
                extra={
                    "method": method,
                    "path": path,
                    "status": status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            request_id_var.reset(token)
