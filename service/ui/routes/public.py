"""Pages without a key: `/` (to the desk) and the page of a published claim at /claims/{id}, read-only,
which is the ClaimReview `url`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from service.api.deps import SessionDep, SettingsDep
from service.review.claimreview import PUBLIC_CLAIM_PATH, to_json
from service.review.public_page import published_claim
from service.ui.render import DeskRoute, render

router = APIRouter(route_class=DeskRoute)


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """A newcomer opening the bare address lands on the desk (its sign-in links the API docs)."""
    return RedirectResponse("/ui", status_code=307)


@router.get(PUBLIC_CLAIM_PATH, include_in_schema=False)
def public_claim_page(
    claim_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Verdict, summary, the claim, where it appeared, and the embedded ClaimReview JSON-LD."""
    page = published_claim(session=session, claim_id=claim_id, settings=settings)
    response = render(
        request,
        "public_claim.html",
        {
            "page": page,
            "claim": page.claim,
            "claim_review_json": to_json(page.claim_review, indent=2),
            "organization_name": settings.organization_name,
            "organization_url": settings.organization_url,
        },
    )
    # Public and unchanging between edits: caches and crawlers may keep it briefly.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
