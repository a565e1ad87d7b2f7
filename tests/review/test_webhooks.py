"""Webhooks: registered by admins, sent on publish to a local HTTP server, signed, retried with backoff."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.settings import Settings
from service.webhooks.delivery import backoff_delay, sign, verify
from tests.conftest import ADMIN_KEY, bearer
from tests.loopback import serving
from tests.review.conftest import MakeClaim, post_review

BACKOFF = 0.2


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that answers each path with a scripted list of status codes."""

    port: int
    script: dict[str, list[int]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> list[Received]:
        return [hit for hit in self.received if hit.path == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(Received(self.path, dict(self.headers.items()), body, time.monotonic()))
            codes = state.script.get(self.path, [200])
            status = codes.pop(0) if len(codes) > 1 else codes[0]
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args: Any) -> None:
            pass

    with serving(Handler) as port:
        state.port = port
        yield state


@pytest.fixture
def fast_retries(configure: Callable[..., None]) -> None:
    configure(
        WEBHOOK_BACKOFF_SECONDS=str(BACKOFF),
        WEBHOOK_POLL_SECONDS="0.05",
        WEBHOOK_MAX_ATTEMPTS="3",
        WEBHOOK_ALLOW_PRIVATE="true",  # the receiver is on loopback
    )


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for webhook deliveries"
        time.sleep(0.05)


def deliveries(client: TestClient, webhook_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/v1/webhooks/{webhook_id}/deliveries", headers=bearer(ADMIN_KEY))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def register(client: TestClient, url: str, secret: str | None = None) -> dict[str, Any]:
    response = client.post("/v1/webhooks", json={"url": url, "secret": secret}, headers=bearer(ADMIN_KEY))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.mark.slow
def test_publish_is_delivered_signed_and_retried_after_a_500(
    fast_retries: None, client: TestClient, keys: dict[str, str], make_claim: MakeClaim, receiver: Receiver
) -> None:
    receiver.script = {"/flaky": [500, 200], "/down": [503]}
    flaky = register(client, receiver.url("/flaky"))
    down = register(client, receiver.url("/down"), secret="a-secret-chosen-by-the-subscriber")
    gone = register(client, receiver.url("/gone"))
    assert client.delete(f"/v1/webhooks/{gone['id']}", headers=bearer(ADMIN_KEY)).status_code == 204
    assert len(flaky["secret"]) >= 32 and down["secret"] == "a-secret-chosen-by-the-subscriber"

    claim_id = make_claim(text="Exports doubled since 2010.")
    stale = client.post(
        f"/v1/claims/{claim_id}/reviews",
        json={"verdict": "true", "status": "published"},
        headers={**bearer(keys["checker"]), "If-Match": f'"claim-{claim_id}-v7"'},
    )
    assert stale.status_code == 412  # a publish that did not happen queues no event
    published = post_review(client, claim_id, keys["checker"], verdict="mostly_false", status="published")
    assert published.status_code == 201

    wait_for(lambda: [d["status"] for d in deliveries(client, flaky["id"])] == ["delivered"])
    wait_for(lambda: [d["status"] for d in deliveries(client, down["id"])] == ["failed"])

    first, second = receiver.hits("/flaky")
    assert first.body == second.body
    assert second.at - first.at >= BACKOFF
    for hit in (first, second):
        assert hit.headers["X-Claimcheck-Event"] == "claim.published"
        expected = "sha256=" + hmac.new(flaky["secret"].encode(), hit.body, hashlib.sha256).hexdigest()
        assert hit.headers["X-Claimcheck-Signature"] == expected
    event = json.loads(first.body)
    assert event["event"] == "claim.published"
    assert event["claim"]["id"] == claim_id and event["claim"]["status"] == "published"
    assert event["claimreview"]["@type"] == "ClaimReview"
    assert event["claimreview"]["reviewRating"]["alternateName"] == "Mostly false"

    [log] = deliveries(client, flaky["id"])
    assert (log["attempts"], log["last_status_code"], log["last_error"]) == (2, 200, None)
    assert log["claim_id"] == claim_id and log["delivered_at"] is not None

    down_hits = receiver.hits("/down")
    assert len(down_hits) == 3  # WEBHOOK_MAX_ATTEMPTS, then it stops
    assert down_hits[2].at - down_hits[1].at >= 2 * BACKOFF  # the wait doubles
    assert verify(
        "a-secret-chosen-by-the-subscriber", down_hits[0].body, down_hits[0].headers["X-Claimcheck-Signature"]
    )
    [failed] = deliveries(client, down["id"])
    assert (failed["attempts"], failed["last_status_code"]) == (3, 503)
    assert failed["last_error"].startswith("HTTP 503")

    assert receiver.hits("/gone") == []
    assert deliveries(client, gone["id"]) == []


@pytest.mark.slow
def test_an_unreachable_receiver_is_logged_and_retried(
    fast_retries: None, client: TestClient, keys: dict[str, str], make_claim: MakeClaim, receiver: Receiver
) -> None:
    closed = register(client, "http://127.0.0.1:9/nobody-listens")
    claim_id = make_claim()
    assert post_review(client, claim_id, keys["admin"], verdict="true", status="published").status_code == 201
    wait_for(lambda: [d["status"] for d in deliveries(client, closed["id"])] == ["failed"])
    [log] = deliveries(client, closed["id"])
    assert log["attempts"] == 3 and log["last_status_code"] is None
    assert "ConnectError" in log["last_error"]


def test_webhooks_are_listed_without_secrets_and_validated(client: TestClient, keys: dict[str, str]) -> None:
    created = register(client, "https://hooks.example.org/claims")
    listed = client.get("/v1/webhooks", headers=bearer(ADMIN_KEY)).json()
    assert listed == [{k: v for k, v in created.items() if k != "secret"}]
    for body in (
        {"url": "not a url"},
        {"url": "ftp://example.org"},
        {"url": "https://x.org", "secret": "short"},
    ):
        response = client.post("/v1/webhooks", json=body, headers=bearer(ADMIN_KEY))
        assert response.status_code == 422, body
    assert client.delete("/v1/webhooks/999", headers=bearer(ADMIN_KEY)).status_code == 404
    assert client.delete(f"/v1/webhooks/{created['id']}", headers=bearer(ADMIN_KEY)).status_code == 204
    assert client.delete(f"/v1/webhooks/{created['id']}", headers=bearer(ADMIN_KEY)).status_code == 404
    assert client.get("/v1/webhooks", headers=bearer(ADMIN_KEY)).json() == []
    assert client.get("/v1/webhooks/999/deliveries", headers=bearer(ADMIN_KEY)).status_code == 404


def test_signature_and_backoff_helpers() -> None:
    body = b'{"event":"claim.published"}'
    signature = sign("s3cret", body)
    assert signature == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert verify("s3cret", body, signature)
    assert not verify("s3cret", body + b" ", signature)
    assert not verify("other", body, signature)
    settings = Settings(webhook_backoff_seconds=2.0)
    assert [backoff_delay(n, settings) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
