"""The errors a user can cause, as plain data: what went wrong, a stable code, and the facts to act on.

Domain code raises these and knows nothing of HTTP; `service/errors.py` at the edge gives each its
status code and headers (the ETag of `StaleVersion.current_etag`, the Retry-After of `retry_after_s`).

A new error: subclass the nearest one here, give it a `code`, and put any fact a client needs in a
typed attribute (not a header); add its status to `errors.STATUS_CODES` only when it differs from its
parent's.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user can cause; carries a stable machine-readable code."""

    code = "bad_request"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class Unauthenticated(DomainError):
    """No key, or one that is unknown or revoked."""

    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class PreconditionRequired(DomainError):
    code = "precondition_required"


class StaleVersion(DomainError):
    """The resource changed since the caller read it; `current_etag` is its version now."""

    code = "stale_version"

    def __init__(self, message: str, *, current_etag: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details=details)
        self.current_etag = current_etag


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class InvalidInput(DomainError):
    code = "invalid_input"


class RateLimited(DomainError):
    """Too many requests; `retry_after_s` is when to try again."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details={**(details or {}), "retry_after_s": retry_after_s})
        self.retry_after_s = retry_after_s


class Unavailable(DomainError):
    """A dependency (the database) is not there; `retry_after_s`, when known, is when to try again."""

    code = "unavailable"

    def __init__(
        self, message: str, *, retry_after_s: int | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, details=details)
        self.retry_after_s = retry_after_s
