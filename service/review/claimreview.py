"""schema.org ClaimReview JSON-LD for a published claim (what search engines and aggregators read).

Follows Google's ClaimReview guidance: a verdict outside the ordinal scale (e.g. `misleading`) has no
honest number, so its `reviewRating` carries only `alternateName`, without `ratingValue`/`bestRating`/
`worstRating`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from service.articles.models import Article
from service.claims.models import Claim
from service.db import as_utc
from service.net.urls import is_http_url
from service.review.scale import RatingScale, verdict_label
from service.safe_json import script_safe
from service.settings import Settings

CONTEXT = "https://schema.org"
# The public, key-free page of a published claim (service/ui/public.py serves it).
PUBLIC_CLAIM_PATH = "/claims/{claim_id}"
PLACEHOLDER_HOST = "example.org"


def to_json(document: Any, *, indent: int | None = None) -> str:
    """A ClaimReview document (or anything holding them) as JSON-LD text for every export."""
    return script_safe(json.dumps(document, ensure_ascii=False, indent=indent, default=str))


def claim_url(claim: Claim, settings: Settings) -> str:
    """Where readers find the review: its own review_url if it has one, else the claim's public page here."""
    if claim.review_url and is_http_url(claim.review_url):  # rows older than the URL check may hold others
        return claim.review_url
    return settings.public_base_url.rstrip("/") + PUBLIC_CLAIM_PATH.format(claim_id=claim.id)


def uses_placeholder_author(settings: Settings) -> bool:
    """True while ORGANIZATION_URL is still the example.org placeholder and nothing allows publishing so."""
    host = (urlsplit(settings.organization_url).hostname or "").removeprefix("www.")
    return host == PLACEHOLDER_HOST and not settings.allow_placeholder_organization


def author(settings: Settings) -> dict[str, Any]:
    """The fact-checking organisation that signs every ClaimReview (ORGANIZATION_NAME / ORGANIZATION_URL)."""
    return {"@type": "Organization", "name": settings.organization_name, "url": settings.organization_url}


def review_rating(verdict: str, scale: RatingScale) -> dict[str, Any]:
    """The `reviewRating` Rating: numeric fields only for verdicts on the ordinal scale."""
    label = verdict_label(verdict)
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": label, "name": label}
    value = scale.rating_value(verdict)
    if value is not None:
        rating.update(ratingValue=value, bestRating=scale.best_rating, worstRating=scale.worst_rating)
    return rating


def claim_review(
    *, claim: Claim, article: Article | None, scale: RatingScale, settings: Settings
) -> dict[str, Any]:
    """The ClaimReview document of a published claim with a verdict."""
    assert claim.verdict is not None, "only claims with a verdict have a ClaimReview"
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": claim_url(claim, settings),
        "claimReviewed": claim.text,
        "reviewRating": review_rating(claim.verdict, scale),
        "itemReviewed": _item_reviewed(claim, article),
        "author": author(settings),
    }
    if claim.published_at is not None:
        document["datePublished"] = _date(claim.published_at)
    if claim.summary:
        document["reviewBody"] = claim.summary
    if claim.language:
        document["inLanguage"] = claim.language
    return document


def _item_reviewed(claim: Claim, article: Article | None) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "Claim"}
    author = _claim_author(claim, article)
    if author is not None:
        item["author"] = author
    said_at = claim.claimed_at or (article.published_at if article is not None else None)
    if said_at is not None:
        item["datePublished"] = _date(said_at)
    appearance = _appearance(claim, article)
    if appearance is not None:
        item["appearance"] = appearance
    return item


def claimant(claim: Claim, article: Article | None) -> str | None:
    """The name of who made the claim: the speaker, else the site of the article it appeared in."""
    author = _claim_author(claim, article)
    return str(author["name"]) if author is not None else None


def _claim_author(claim: Claim, article: Article | None) -> dict[str, Any] | None:
    """Who made the claim: the named speaker, else the publisher of the article it appeared in."""
    if claim.speaker:
        return {"@type": "Person", "name": claim.speaker}
    source = _source_url(claim, article)
    if not source:
        return None
    parts = urlsplit(source)
    if not parts.hostname:
        return None
    return {
        "@type": "Organization",
        "name": parts.hostname.removeprefix("www."),
        "url": f"{parts.scheme}://{parts.hostname}",
    }


def _source_url(claim: Claim, article: Article | None) -> str | None:
    """Where the claim appeared: the article's URL, else the imported source_url (http(s) only)."""
    candidates = (article.url if article is not None else None, claim.source_url)
    return next((url for url in candidates if url and is_http_url(url)), None)


def _appearance(claim: Claim, article: Article | None) -> dict[str, Any] | None:
    url = _source_url(claim, article)
    if not url:
        return None
    appearance: dict[str, Any] = {"@type": "CreativeWork", "url": url}
    if article is not None and article.title:
        appearance["headline"] = article.title
    return appearance


def _date(moment: datetime) -> str:
    return as_utc(moment).date().isoformat()


def is_claim_review(value: dict[str, Any]) -> bool:
    """Whether a JSON object of an upload is a schema.org ClaimReview."""
    kind = value.get("@type")
    return (
        kind == "ClaimReview"
        or (isinstance(kind, list) and "ClaimReview" in kind)
        or "claimReviewed" in value
    )


def _name(value: Any) -> str | None:
    """A schema.org Person or Organization (or a list of them, or a bare string) -> its name."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else None


def row_fields_of_claim_review(review: dict[str, Any]) -> dict[str, Any]:
    """The reverse of `claim_review`: a ClaimReview (ours or another publisher's) as import row fields;
    the numeric rating travels as _rating_value, _best_rating and _worst_rating."""
    item = review.get("itemReviewed") if isinstance(review.get("itemReviewed"), dict) else {}
    assert isinstance(item, dict)
    rating = review.get("reviewRating") if isinstance(review.get("reviewRating"), dict) else {}
    assert isinstance(rating, dict)
    appearance = item.get("firstAppearance") or item.get("appearance")
    if isinstance(appearance, list):
        appearance = appearance[0] if appearance else None
    source_url = appearance.get("url") if isinstance(appearance, dict) else appearance
    fields: dict[str, Any] = {
        "text": review.get("claimReviewed"),
        "external_id": review.get("@id") or review.get("identifier"),
        "review_url": review.get("url"),
        "publisher": _name(review.get("author")) or _name(review.get("publisher")),
        "reviewed_at": review.get("datePublished"),
        "title": review.get("name") or review.get("headline"),
        "language": review.get("inLanguage"),
        "speaker": _name(item.get("author")),
        "claimed_at": item.get("datePublished"),
        "source_url": source_url if isinstance(source_url, str) else None,
        "tags": review.get("keywords"),
        "rating": rating.get("alternateName"),
        "_rating_value": rating.get("ratingValue"),
        "_best_rating": rating.get("bestRating"),
        "_worst_rating": rating.get("worstRating"),
    }
    return {name: value for name, value in fields.items() if value not in (None, "", [])}
