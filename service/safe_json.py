"""JSON text that is safe to embed in HTML: ClaimReview JSON-LD, the desk's copyable JSON, webhook bodies."""

from __future__ import annotations

# Inside a JSON string these are the same characters as \u escapes, and outside <script> they are inert:
# a publisher can paste the JSON-LD into a page and no '</script>' or '<!--' in a claim ends it early.
# U+2028/U+2029 end lines in older JavaScript.
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_safe(json_text: str) -> str:
    """JSON text with '<', '>', '&' (and U+2028/U+2029) written as \\u escapes: the same document,
    safe inside an HTML <script> element."""
    return json_text.translate(_SCRIPT_SAFE)
