"""HTTP for the review workflow: edit and review claims, ClaimReview export, webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from service.api.deps import AdminKey, IfMatch, ReadKey, ReviewKey, SessionDep, SettingsDep
from service.api.pagination import Page
from service.claims import queue
from service.claims import service as claims
from service.claims.schemas import ClaimOut
from service.cursors import cursor_id, next_id_cursor
from service.review import claimreview
from service.review import service as review
from service.review.schemas import (
    ClaimPatch,
    DeliveryOut,
    ReviewIn,
    ReviewOut,
    ReviewResult,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
)
from service.webhooks import delivery as webhooks

router = APIRouter(prefix="/v1", tags=["review"])

JSON_LD = "application/ld+json"


def _json_ld(request: Request, content: dict[str, Any]) -> Response:
    """JSON-LD as application/ld+json, or application/json for a client that asks only for that;
    '<', '>' and '&' escaped so the text can be pasted into a page's <script>."""
    accept = request.headers.get("accept", "")
    media_type = "application/json" if "application/json" in accept and JSON_LD not in accept else JSON_LD
    return Response(claimreview.to_json(content), media_type=media_type)


@router.patch("/claims/{claim_id}")
def update_claim(
    claim_id: int,
    key: ReviewKey,  # first: a missing or weak key is 401/403 before If-Match is asked for
    if_match: IfMatch,
    body: ClaimPatch,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> ClaimOut:
    """Change status, assignee, priority, tags or dismiss_reason; If-Match must carry the current ETag."""
    claim = review.update(
        session=session, claim_id=claim_id, patch=body, expected_etag=if_match, actor=key, settings=settings
    )
    response.headers["ETag"] = claims.etag(claim)
    return claims.to_out(session=session, claims=[claim])[0]


@router.post("/claims/{claim_id}/reviews", status_code=201)
def add_review(
    claim_id: int,
    key: ReviewKey,
    if_match: IfMatch,
    body: ReviewIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> ReviewResult:
    """Give the claim a verdict; by default it moves to `reviewed` (through `in_review` when `new`)."""
    claim, stored = review.add_review(
        session=session,
        claim_id=claim_id,
        review_in=body,
        expected_etag=if_match,
        actor=key,
        settings=settings,
    )
    response.headers["ETag"] = claims.etag(claim)
    return ReviewResult(review=ReviewOut.of(stored), claim=claims.to_out(session=session, claims=[claim])[0])


@router.get("/claims/{claim_id}/reviews")
def list_reviews(claim_id: int, session: SessionDep, _key: ReviewKey) -> list[ReviewOut]:
    """Every review of a claim, with internal notes (so reviewers only)."""
    return [ReviewOut.of(stored) for stored in review.reviews(session=session, claim_id=claim_id)]


@router.get("/claims/{claim_id}/claimreview", response_class=JSONResponse)
def get_claim_review(
    claim_id: int, request: Request, session: SessionDep, settings: SettingsDep, _key: ReadKey
) -> Response:
    """schema.org ClaimReview JSON-LD of a published claim (409 until it is published)."""
    claim = claims.get(session=session, claim_id=claim_id)
    return _json_ld(request, review.claim_review_of(session=session, claim=claim, settings=settings))


@router.get("/claimreview", response_class=JSONResponse)
def claim_review_feed(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _key: ReadKey,
    since: datetime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Every published ClaimReview in publication order, from `since` on: {items, next_cursor}."""
    published, next_cursor = queue.published(session=session, since=since, cursor=cursor, limit=limit)
    items = [review.claim_review_of(session=session, claim=claim, settings=settings) for claim in published]
    return _json_ld(request, {"items": items, "next_cursor": next_cursor})


@router.post("/webhooks", status_code=201)
def create_webhook(body: WebhookIn, session: SessionDep, _key: AdminKey) -> WebhookCreated:
    """Register a URL for `claim.published` events; the signing secret is shown only in this answer."""
    webhook, secret = webhooks.create(session=session, url=str(body.url), secret=body.secret)
    return WebhookCreated.of(webhook, secret=secret)


@router.get("/webhooks")
def list_webhooks(session: SessionDep, _key: AdminKey) -> list[WebhookOut]:
    """Active webhooks, oldest first (secrets are never shown again)."""
    return [WebhookOut.of(webhook) for webhook in webhooks.get_all(session=session)]


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: int, session: SessionDep, _key: AdminKey) -> Response:
    """Stop sending to a webhook; its delivery log stays readable."""
    webhooks.delete(session=session, webhook_id=webhook_id)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries")
def list_deliveries(
    webhook_id: int,
    session: SessionDep,
    _key: AdminKey,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[DeliveryOut]:
    """The delivery log of a webhook, newest first: attempts, last status code, last error."""
    rows = webhooks.deliveries(
        session=session, webhook_id=webhook_id, after_id=cursor_id(cursor), limit=limit
    )
    next_cursor = next_id_cursor(rows, limit)
    return Page[DeliveryOut](items=[DeliveryOut.of(row) for row in rows], next_cursor=next_cursor)
