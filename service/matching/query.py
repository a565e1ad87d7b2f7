"""What of a query text is the claim: tweets lose links, the author-and-date trailer, '@' and '#' marks."""

from __future__ import annotations

import re

_URL = re.compile(r"(https?://\S+|pic\.twitter\.com/\S+|www\.\S+)", re.IGNORECASE)
# "— Jane Doe (@jdoe) January 14, 2020" that ends an embedded tweet: the name is kept (claims often
# name who said them), the handle and the date are not.
_TWEET_TRAILER = re.compile(r"[—–]+\s*([^—–()]{0,80}?)\s*\(@\w+\)\s*\w+\s+\d{1,2},\s*\d{4}\s*$")
_MENTION = re.compile(r"(?<!\w)@(\w+)")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
# Boundaries inside a camel-cased tag: "StopTheSteal" -> Stop|The|Steal, "COVID19Vaccine" -> COVID|19|Vaccine.
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def split_tag(tag: str) -> str:
    """'StopTheSteal' -> 'Stop The Steal'; a tag in one case ('covid19') keeps its letters together."""
    return " ".join(_CAMEL.findall(tag)) or tag


def clean_query(text: str) -> str:
    """The claim in a query text: links, the tweet trailer's handle and date, and '@'/'#' marks removed,
    mentions and hashtags split into words ('#StopTheSteal' -> 'Stop The Steal')."""
    text = _URL.sub(" ", text)
    text = _TWEET_TRAILER.sub(r" \1", text.strip())
    text = _MENTION.sub(lambda found: " " + split_tag(found.group(1)) + " ", text)
    text = _HASHTAG.sub(lambda found: " " + split_tag(found.group(1)) + " ", text)
    return " ".join(text.split())
