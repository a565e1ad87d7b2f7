"""Webhooks: subscriptions, an outbox of deliveries written with the publish, and the thread that sends them.

A publish adds one `webhook_delivery` row per active webhook in the publish's own transaction, so an
event exists exactly when the publish does. The delivery thread posts each row's JSON, signed with
HMAC-SHA256 of the raw body, and retries failures with exponential backoff until
`webhook_max_attempts`, writing every outcome back to the row (the delivery log).

A webhook URL is a request the service makes on an admin's say-so, so it must not reach the service's
own network: the host is resolved and checked (`service.net.outbound`) at registration and again at
every attempt, the request goes to the checked address, redirects are not followed, and the log keeps
the status code and a fixed message, never the receiver's answer (which is not even read).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
from datetime import datetime, timedelta
from typing import Any

import httpx
from prometheus_client import Counter
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from service.db import get_engine, utcnow
from service.exceptions import InvalidInput, NotFound
from service.net.outbound import HostUnresolved, OutboundRefused, OutboundTarget, check_url
from service.safe_json import script_safe
from service.settings import Settings, get_settings
from service.webhooks.models import Webhook, WebhookDelivery

log = logging.getLogger("claimcheck.webhooks")

SIGNATURE_HEADER = "X-Claimcheck-Signature"
EVENT_HEADER = "X-Claimcheck-Event"
DELIVERY_HEADER = "X-Claimcheck-Delivery"
PUBLISHED_EVENT = "claim.published"
ARTICLE_EXTRACTED_EVENT = "article.extracted"  # an asynchronous or imported article was extracted (or failed)
MAX_ERROR_CHARS = 2000

DELIVERY_ATTEMPTS = Counter(
    "claimcheck_webhook_attempts_total",
    "Webhook delivery attempts, by what became of the delivery",
    ["outcome"],  # delivered | retrying | failed
)


def create(*, session: Session, url: str, secret: str | None = None) -> tuple[Webhook, str]:
    """Register a webhook; returns it with its signing secret (generated when not given).

    InvalidInput when the URL's host is (or resolves to) an address that is not public; a host that
    does not resolve yet is accepted, since every delivery checks again.
    """
    try:
        check_url(url, allow_private=get_settings().webhook_allow_private)
    except HostUnresolved:
        pass
    except OutboundRefused as exc:
        raise InvalidInput(f"url: {exc}", details={"field": "url"}) from exc
    secret = secret or secrets.token_urlsafe(32)
    webhook = Webhook(url=url, secret=secret)
    session.add(webhook)
    session.commit()
    session.refresh(webhook)
    return webhook, secret


def get(*, session: Session, webhook_id: int) -> Webhook:
    """The webhook with this id, or NotFound (deleted ones included, so their log stays readable)."""
    webhook = session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound(f"No webhook with id {webhook_id}.", details={"webhook_id": webhook_id})
    return webhook


def get_all(*, session: Session) -> list[Webhook]:
    """Every active webhook, oldest first."""
    return list(session.exec(select(Webhook).where(col(Webhook.active)).order_by(col(Webhook.id))))


def delete(*, session: Session, webhook_id: int) -> None:
    """Stop sending to a webhook; pending deliveries are abandoned, the log is kept."""
    webhook = get(session=session, webhook_id=webhook_id)
    if not webhook.active:
        raise NotFound(f"No webhook with id {webhook_id}.", details={"webhook_id": webhook_id})
    webhook.active = False
    session.add(webhook)
    session.exec(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.webhook_id) == webhook_id, col(WebhookDelivery.status) == "pending")
        .values(status="abandoned", last_error="webhook deleted")
    )
    session.commit()


def deliveries(
    *, session: Session, webhook_id: int, after_id: int | None, limit: int
) -> list[WebhookDelivery]:
    """A webhook's delivery log, newest first."""
    get(session=session, webhook_id=webhook_id)
    query = select(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook_id)
    if after_id is not None:
        query = query.where(col(WebhookDelivery.id) < after_id)
    return list(session.exec(query.order_by(col(WebhookDelivery.id).desc()).limit(limit)))


def enqueue(*, session: Session, event: str, payload: dict[str, Any]) -> int:
    """Add a pending delivery per active webhook to the caller's transaction; returns how many."""
    now = utcnow()
    count = 0
    for webhook in get_all(session=session):
        assert webhook.id is not None
        session.add(WebhookDelivery(webhook_id=webhook.id, event=event, payload=payload, next_attempt_at=now))
        count += 1
    return count


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed) for a payload (markup escaped like every ClaimReview export)."""
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str)
    return script_safe(text).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The signature header value: 'sha256=' + hex HMAC-SHA256 of the raw body under the webhook's secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """True when `signature` is what `sign` gives for this body (what a receiver should check)."""
    return hmac.compare_digest(sign(secret, body), signature)


def backoff_delay(attempts: int, settings: Settings) -> float:
    """Seconds to wait after the `attempts`-th failure: base, 2x base, 4x base ..."""
    return float(settings.webhook_backoff_seconds * 2 ** max(attempts - 1, 0))


def deliver_due(*, engine: Engine, settings: Settings, now: datetime | None = None, limit: int = 20) -> int:
    """Attempt every pending delivery whose time has come; returns how many were attempted."""
    now = now or utcnow()
    with Session(engine) as session:
        due = list(
            session.exec(
                select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
                .where(col(WebhookDelivery.status) == "pending", col(WebhookDelivery.next_attempt_at) <= now)
                .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
                .limit(limit)
            )
        )
    attempted = 0
    for delivery_id, due_at in due:
        assert delivery_id is not None and due_at is not None
        if _lease(engine=engine, delivery_id=delivery_id, due_at=due_at, settings=settings):
            _attempt(engine=engine, delivery_id=delivery_id, settings=settings)
            attempted += 1
    return attempted


def _lease(*, engine: Engine, delivery_id: int, due_at: datetime, settings: Settings) -> bool:
    """Claim a delivery by pushing its next attempt past this one's timeout, conditionally, so two
    delivery threads (in one process or several) never send the same attempt twice."""
    lease_until = utcnow() + timedelta(seconds=settings.webhook_timeout_seconds * 2 + 5)
    with Session(engine) as session:
        result = session.exec(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id) == delivery_id,
                col(WebhookDelivery.status) == "pending",
                col(WebhookDelivery.next_attempt_at) == due_at,
            )
            .values(next_attempt_at=lease_until)
        )
        session.commit()
        return bool(result.rowcount == 1)


def _attempt(*, engine: Engine, delivery_id: int, settings: Settings) -> None:
    with Session(engine) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        webhook = session.get(Webhook, delivery.webhook_id) if delivery is not None else None
        if delivery is None or webhook is None:
            return
        if not webhook.active:
            delivery.status = "abandoned"
            session.add(delivery)
            session.commit()
            return
        body = body_bytes(delivery.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "claimcheck-webhooks/1",
            SIGNATURE_HEADER: sign(webhook.secret, body),
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.id),
        }
        status_code, error, final = _send(webhook.url, body, headers, settings)
        delivery.attempts += 1
        delivery.last_status_code = status_code
        delivery.last_error = error[:MAX_ERROR_CHARS] if error else None
        if error is None:
            delivery.status = "delivered"
            delivery.delivered_at = utcnow()
            delivery.next_attempt_at = None
        elif final or delivery.attempts >= settings.webhook_max_attempts:
            delivery.status = "failed"
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = utcnow() + timedelta(
                seconds=backoff_delay(delivery.attempts, settings)
            )
        session.add(delivery)
        session.commit()
        DELIVERY_ATTEMPTS.labels(
            outcome="retrying" if delivery.status == "pending" else delivery.status
        ).inc()
        log.info(
            "webhook delivery attempt",
            extra={
                "delivery_id": delivery_id,
                "webhook_id": webhook.id,
                "attempt": delivery.attempts,
                "status_code": status_code,
                "outcome": delivery.status,
            },
        )


def _send(
    url: str, body: bytes, headers: dict[str, str], settings: Settings
) -> tuple[int | None, str | None, bool]:
    """POST one delivery: (status code, error or None, whether retrying is pointless).

    The receiver's answer is never read: only its status code is kept, so a webhook cannot be used to
    read a page back into the delivery log.
    """
    try:
        target = check_url(url, allow_private=settings.webhook_allow_private)
    except HostUnresolved as exc:
        return None, str(exc), False
    except OutboundRefused as exc:
        log.warning("webhook delivery refused", extra={"reason": str(exc)})
        return None, f"refused: {exc}", True
    try:
        with httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
            request = client.build_request(
                "POST",
                target.pinned_url,
                content=body,
                headers={**headers, "Host": target.host_header},
                extensions=_tls_name(target),
            )
            response = client.send(request, stream=True)
            status_code = response.status_code
            response.close()  # without reading the body
    except httpx.HTTPError as exc:
        return None, f"{exc.__class__.__name__}: no answer from the receiver", False
    return status_code, None if 200 <= status_code < 300 else f"HTTP {status_code}", False


def _tls_name(target: OutboundTarget) -> dict[str, object]:
    """Connecting to the checked address, TLS must still name (and verify) the URL's host."""
    return {"sni_hostname": target.host} if target.scheme == "https" else {}


class DeliveryThread:
    """A daemon thread that sends due deliveries every `webhook_poll_seconds`, or at once when woken."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._stopping = threading.Event()
        self._woken = threading.Event()
        self._thread = threading.Thread(target=self._run, name="claimcheck-webhooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._woken.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._woken.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                while (
                    deliver_due(engine=get_engine(), settings=self._settings) and not self._stopping.is_set()
                ):
                    pass
            except Exception:  # a bad row or a database blip must not end deliveries for good
                log.exception("webhook delivery pass failed")
            self._woken.wait(self._settings.webhook_poll_seconds)
            self._woken.clear()


_running: DeliveryThread | None = None


def start_delivery_thread() -> None:
    """Start sending webhook deliveries in the background (called once from the app's lifespan)."""
    global _running
    settings = get_settings()
    if _running is None and settings.webhook_delivery_in_process:
        _running = DeliveryThread(settings)
        _running.start()


def stop_delivery_thread() -> None:
    """Stop the background delivery thread, letting an attempt in flight finish."""
    global _running
    if _running is not None:
        _running.stop()
        _running = None


def wake_delivery_thread() -> None:
    """Send new deliveries now rather than at the next poll."""
    if _running is not None:
        _running.wake()
