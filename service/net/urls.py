"""The one rule for a URL a user gives us to store: http or https, with a host, nothing else.

Stored URLs are rendered as links in the desk and exported in ClaimReview and webhooks, so a
`javascript:`, `data:` or `vbscript:` URL would be a script a reader runs by clicking. The text is
parsed the way browsers parse it (pydantic-core's WHATWG-style URL parser) and kept as given, stripped:
a source's url is its identity, so it must not be rewritten.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, AnyHttpUrl, Field, TypeAdapter, ValidationError

MAX_URL_CHARS = 2000
_HTTP_URL = TypeAdapter(AnyHttpUrl)


def check_http_url(value: str) -> str:
    """The URL stripped, if it is an absolute http(s) URL with a host; ValueError saying why otherwise.

    >>> check_http_url("javascript:alert(1)")
    Traceback (most recent call last):
    ValueError: must be an http(s) URL
    """
    value = value.strip()
    # Browsers drop tabs and newlines inside a URL ('java\\tscript:'), and the parser would too; refuse them.
    if any(ord(character) < 0x21 or character == "\x7f" for character in value):
        raise ValueError("must be an http(s) URL without spaces or control characters")
    if len(value) > MAX_URL_CHARS:
        raise ValueError(f"must be at most {MAX_URL_CHARS:,} characters")
    try:
        parsed = _HTTP_URL.validate_python(value)
    except ValidationError as exc:
        raise ValueError("must be an http(s) URL") from exc
    # Both parsers must see a host: WHATWG reads 'http:///x' and 'http:x' as http://x/, Python does not.
    if (
        not parsed.host
        or not urlsplit(value).hostname
        or not value.lower().startswith(("http://", "https://"))
    ):
        raise ValueError("must be an http(s) URL")
    return value


def is_http_url(value: str) -> bool:
    """True when `check_http_url` accepts the value."""
    try:
        check_http_url(value)
    except ValueError:
        return False
    return True


# The type every schema uses for a URL a client sends (article, source, webhook ...).
HttpUrlText = Annotated[
    str, Field(max_length=MAX_URL_CHARS, json_schema_extra={"format": "uri"}), AfterValidator(check_http_url)
]
