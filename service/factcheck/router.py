"""`GET /v1alpha1/claims:search`: Google Fact Check Tools' request and response, so a newsroom tool that
calls Google can point at claimcheck by changing its base URL. The key comes as `?key=` or Bearer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from service.api.deps import SessionDep, SettingsDep, require
from service.auth import service as auth
from service.cursors import decode_cursor, encode_cursor
from service.exceptions import InvalidInput
from service.factcheck.schemas import FactCheckedClaimSearchResponse
from service.factcheck.search import SearchRequest, search

router = APIRouter(prefix="/v1alpha1", tags=["fact check tools"])

QueryKeyReader = Annotated[auth.Actor, Depends(require(auth.Permission.read, query_key=True))]


@router.get("/claims:search", response_model_exclude_none=True)
def search_claims(
    session: SessionDep,
    settings: SettingsDep,
    _key: QueryKeyReader,
    query: Annotated[str | None, Query(max_length=2000, description="Required unless a site filter.")] = None,
    languageCode: Annotated[str | None, Query(max_length=35, description="BCP-47, e.g. en-US.")] = None,
    reviewPublisherSiteFilter: Annotated[str | None, Query(max_length=253)] = None,
    maxAgeDays: Annotated[int | None, Query(ge=0, le=36_500)] = None,
    pageSize: Annotated[int, Query(ge=1, le=100)] = 10,
    pageToken: Annotated[str | None, Query(max_length=500)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> FactCheckedClaimSearchResponse:
    """Fact-checked claims (published here or imported ClaimReviews), best match first."""
    site_filter = (reviewPublisherSiteFilter or "").strip()
    if not (query and query.strip()) and not site_filter:
        raise InvalidInput(
            "query: required unless reviewPublisherSiteFilter is given.", details={"field": "query"}
        )
    if pageToken:
        position = decode_cursor(pageToken).get("offset")
        if not isinstance(position, int) or position < 0:
            raise InvalidInput("pageToken: not a token this API issued", details={"field": "pageToken"})
        offset = position
    request = SearchRequest(
        query=query.strip() if query else None,
        language_code=languageCode,
        review_publisher_site=site_filter or None,
        max_age_days=maxAgeDays,
        offset=offset,
        page_size=pageSize,
    )
    claims, more = search(session=session, request=request, settings=settings)
    token = encode_cursor({"offset": offset + pageSize}) if more else ""
    return FactCheckedClaimSearchResponse(claims=claims, nextPageToken=token)
