"""Finding 1: webhooks may only send to public addresses, follow no redirects and store no response bodies."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from service.db import get_engine
from service.net.outbound import OutboundRefused, check_url, is_public_address
from service.settings import get_settings
from service.webhooks import delivery as webhooks
from service.webhooks.models import Webhook, WebhookDelivery
from tests.conftest import ADMIN_KEY, bearer
from tests.security.conftest import Answer, Receiver

# What the probe registered, and the other spellings of this machine and its networks.
INTERNAL_URLS = (
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost:8000/v1/keys",
    "http://localhost./v1/keys",
    "http://api.localhost/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://127.1/",
    "http://0177.0.0.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[fe80::1]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "https://255.255.255.255/",
)


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_internal_addresses_in_any_spelling_are_refused(url: str) -> None:
    with pytest.raises(OutboundRefused):
        check_url(url, allow_private=False)


def test_public_addresses_are_allowed_and_pinned() -> None:
    target = check_url("https://8.8.8.8:8443/hook?x=1", allow_private=False)
    assert target.pinned_url == "https://8.8.8.8:8443/hook?x=1" and target.host_header == "8.8.8.8:8443"
    assert is_public_address(ipaddress.ip_address("2001:4860:4860::8888"))
    assert not is_public_address(ipaddress.ip_address("2002:7f00:1::"))  # 6to4 of 127.0.0.1
    allowed = check_url("http://localhost:9/hook", allow_private=True)
    assert allowed.address.is_loopback and allowed.host_header == "localhost:9"
    assert allowed.pinned_url.endswith(":9/hook")


@pytest.fixture
def manual_delivery(configure: Callable[..., None]) -> Callable[..., None]:
    """Deliveries sent by the test (deliver_due), not by the background thread."""

    def apply(**overrides: str) -> None:
        configure(WEBHOOK_DELIVERY_IN_PROCESS="false", WEBHOOK_MAX_ATTEMPTS="1", **overrides)

    apply()
    return apply


@pytest.mark.slow
@pytest.mark.parametrize("url", INTERNAL_URLS[:12])
def test_registering_an_internal_address_is_a_422_naming_the_url(
    manual_delivery: None, client: TestClient, url: str
) -> None:
    response = client.post("/v1/webhooks", json={"url": url}, headers=bearer(ADMIN_KEY))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["field"] == "url"


def _deliver_once(url: str) -> dict[str, Any]:
    """Store a webhook as an older release would have (no check), queue one event and send it."""
    with Session(get_engine()) as session:
        session.exec(update(Webhook).values(active=False))  # earlier webhooks of the test
        session.add(Webhook(url=url, secret="s" * 32))
        session.commit()
        webhooks.enqueue(session=session, event="claim.published", payload={"claim": {"id": 1}})
        session.commit()
    assert webhooks.deliver_due(engine=get_engine(), settings=get_settings()) == 1
    with Session(get_engine()) as session:
        delivery = session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id).desc())).first()
        assert delivery is not None
        return delivery.model_dump()


def test_a_stored_webhook_to_loopback_is_refused_at_delivery(
    manual_delivery: None, client: TestClient, receiver: Receiver
) -> None:
    receiver.script["/v1/keys"] = Answer(200, b'{"keys": "secret"}')
    delivery = _deliver_once(receiver.url("/v1/keys", host="localhost"))
    assert receiver.paths == []
    assert delivery["status"] == "failed" and delivery["last_status_code"] is None
    assert "not a public address" in delivery["last_error"] or "this machine" in delivery["last_error"]


@pytest.mark.slow
def test_no_response_body_is_stored_and_redirects_are_not_followed(
    manual_delivery: Callable[..., None], client: TestClient, receiver: Receiver
) -> None:
    manual_delivery(WEBHOOK_ALLOW_PRIVATE="true")
    receiver.script["/leaky"] = Answer(500, b"SECRET internal page " * 20)
    receiver.script["/hop"] = Answer(302, b"moved", {"Location": receiver.url("/internal")})
    leaky = _deliver_once(receiver.url("/leaky"))
    assert leaky["last_error"] == "HTTP 500" and leaky["last_status_code"] == 500
    hop = _deliver_once(receiver.url("/hop", host="localhost"))
    assert hop["last_error"] == "HTTP 302" and hop["status"] == "failed"
    assert receiver.paths == ["/leaky", "/hop"]  # /internal never asked for
    assert receiver.hosts[-1] == f"localhost:{receiver.port}"  # the Host the URL names, not the address
