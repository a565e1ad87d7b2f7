"""Liveness and readiness (never a key), and metrics (a key only with PROTECT_DOCS_AND_METRICS)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from service.api.deps import KeyWhenProtected
from service.db import get_engine, schema_is_current
from service.exceptions import Unavailable

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz() -> dict[str, str]:
    """The database answers and its schema is at the newest migration."""
    try:
        current = schema_is_current(get_engine())
    except SQLAlchemyError as exc:
        raise Unavailable("The database is not reachable.", retry_after_s=5) from exc
    if not current:
        raise Unavailable("The database schema is not migrated; run 'claimcheck migrate'.")
    return {"status": "ready"}


@router.get("/metrics", include_in_schema=False)
def metrics(_key: KeyWhenProtected) -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
