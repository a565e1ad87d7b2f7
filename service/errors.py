"""The one error shape, `{"error": {"code", "message", "details"?}}`, and every mapping to it.

Domain code raises the exceptions of `service.exceptions` (plain data); only this module knows their
HTTP status codes and headers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.exceptions import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PreconditionRequired,
    RateLimited,
    StaleVersion,
    Unauthenticated,
    Unavailable,
)

log = logging.getLogger("claimcheck.errors")


# Status code of each exception of `service.exceptions`; a subclass not listed has its parent's.
STATUS_CODES: dict[type[DomainError], int] = {
    DomainError: 400,
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
    Conflict: 409,
    PreconditionRequired: 428,
    StaleVersion: 412,
    PayloadTooLarge: 413,
    InvalidInput: 422,
    RateLimited: 429,
    Unavailable: 503,
}


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error (the nearest listed class in its ancestry)."""
    for cls in type(exc).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return 400


def headers_of(exc: DomainError) -> dict[str, str]:
    """The HTTP headers that say an error's facts: the current ETag, when to retry, how to authenticate."""
    if isinstance(exc, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, StaleVersion):
        return {"ETag": exc.current_etag}
    if isinstance(exc, RateLimited | Unavailable) and exc.retry_after_s is not None:
        return {"Retry-After": str(exc.retry_after_s)}
    return {}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorBody(BaseModel):
    """The one error shape every 4xx and 5xx answer has."""

    error: ErrorDetail


# Documented on every /v1 route so clients (and schemathesis) know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        401: "Missing, unknown or revoked API key",
        403: "The key's role may not do this",
        404: "No such resource",
        413: "Body over the size limit",
        422: "Invalid input; details name the field",
        429: "Rate limited; see Retry-After",
        503: "Database busy or unavailable; see Retry-After",
    }.items()
}


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build the one error body."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status_code, headers=headers)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "stale_version",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    428: "precondition_required",
    429: "rate_limited",
}


def _validation_details(exc: RequestValidationError) -> dict[str, Any]:
    fields = []
    for problem in exc.errors():
        location = [str(part) for part in problem.get("loc", ())]
        fields.append({"field": ".".join(location), "message": problem.get("msg", "invalid")})
    return {"fields": fields}


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception to the one error shape; nothing escapes as a bare 500 page."""

    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return error_response(status_of(exc), exc.code, exc.message, exc.details, headers_of(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        first = details["fields"][0] if details["fields"] else {"field": "body", "message": "invalid"}
        message = f"{first['field']}: {first['message']}"
        return error_response(422, "invalid_input", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, DomainError):
            # FastAPI wraps errors raised while reading the body (e.g. the size limit) in a 400.
            return await _domain(_request, exc.__cause__)
        code = _HTTP_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(OperationalError)
    async def _database(_request: Request, exc: OperationalError) -> JSONResponse:
        # Locked SQLite or a restarting PostgreSQL: the client may retry, nothing was half-written.
        log.warning("database unavailable: %s", exc.orig.__class__.__name__)
        return error_response(
            503,
            "database_unavailable",
            "The database is busy or unavailable; retry shortly.",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, exc: DataError) -> JSONResponse:
        # A value the database refuses to store or compare (e.g. NUL in PostgreSQL text, a number out
        # of the column's range): the client sent it, so 422, and the value itself is not logged.
        log.info("database refused a value: %s", exc.orig.__class__.__name__)
        return error_response(
            422,
            "invalid_input",
            "A value cannot be stored (NUL characters and out-of-range numbers are refused).",
        )

    @app.exception_handler(OverflowError)
    async def _out_of_range(_request: Request, _exc: OverflowError) -> JSONResponse:
        # SQLite's driver raises this, unwrapped, for an id past 64 bits: GET /v1/claims/99999999999999999999.
        return error_response(422, "invalid_input", "A number is out of range.")

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "Unexpected server error; it has been logged.")
