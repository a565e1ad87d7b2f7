"""The response shape of Google's Fact Check Tools `claims:search`, field for field (camelCase on purpose).

https://developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims/search
"""

from __future__ import annotations

from service.schemas import ResponseModel


class Publisher(ResponseModel):
    name: str | None = None
    site: str | None = None


class ClaimReview(ResponseModel):
    publisher: Publisher
    url: str
    title: str | None = None
    reviewDate: str | None = None  # RFC 3339, like Google's Timestamp
    textualRating: str
    languageCode: str | None = None


class FactCheckedClaim(ResponseModel):
    text: str
    claimant: str | None = None
    claimDate: str | None = None
    claimReview: list[ClaimReview]


class FactCheckedClaimSearchResponse(ResponseModel):
    claims: list[FactCheckedClaim]
    nextPageToken: str = ""  # empty: no more results
