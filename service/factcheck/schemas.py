"""The response shape of Google's Fact Check Tools `claims:search`, field for field (camelCase on purpose).

https://developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims/search
"""

from __future__ import annotations

from pydantic import BaseModel


class Publisher(BaseModel):
    name: str | None = None
    site: str | None = None


class ClaimReview(BaseModel):
    publisher: Publisher
    url: str
    title: str | None = None
    reviewDate: str | None = None  # RFC 3339, like Google's Timestamp
    textualRating: str
    languageCode: str | None = None


class FactCheckedClaim(BaseModel):
    text: str
    claimant: str | None = None
    claimDate: str | None = None
    claimReview: list[ClaimReview]


class FactCheckedClaimSearchResponse(BaseModel):
    claims: list[FactCheckedClaim]
    nextPageToken: str = ""  # empty: no more results
