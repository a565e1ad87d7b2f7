"""create_app(): middleware, error handlers, routers. Nothing else."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlmodel import Session

from service.api.body_limit import BodySizeLimitMiddleware
from service.api.concurrency import ConcurrencyLimitMiddleware, request_limit
from service.api.docs import install as install_docs
from service.api.health import router as health_router
from service.api.security_headers import SecurityHeadersMiddleware
from service.articles.router import router as articles_router
from service.auth import service as auth
from service.auth.router import router as keys_router
from service.claims.router import router as claims_router
from service.db import get_engine, migrate
from service.errors import ERROR_RESPONSES, install_error_handlers
from service.factcheck.router import router as factcheck_router
from service.imports import worker as import_worker
from service.imports.router import router as imports_router
from service.linking.router import router as linking_router
from service.matching.router import router as matching_router
from service.observability import RequestContextMiddleware, configure_logging
from service.review.router import router as review_router
from service.settings import get_settings
from service.ui.router import install as install_ui
from service.webhooks import delivery as webhooks

log = logging.getLogger("claimcheck")


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    if settings.migrate_on_start:
        migrate(settings.database_url)
    if settings.claimcheck_admin_key is not None:
        with Session(get_engine()) as session:
            auth.ensure_bootstrap_admin(
                session=session, raw_key=settings.claimcheck_admin_key.get_secret_value()
            )
    # Not "ready": the socket is bound after this; `claimcheck serve` says "ready on ..." once it is.
    log.info("application started", extra={"database": get_engine().url.get_backend_name()})
    webhooks.start_delivery_thread()
    import_worker.start_in_process()
    yield
    import_worker.stop_in_process()
    webhooks.stop_delivery_thread()
    get_engine().dispose()


def create_app() -> FastAPI:
    """The claimcheck ASGI application."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    app = FastAPI(
        title="claimcheck",
        version="0.1.0",
        summary="Checkable claims from news articles, linked to evidence, taken to a verdict.",
        lifespan=lifespan,
        # Served by service.api.docs from installed files under a CSP (FastAPI's pages load a CDN).
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    install_error_handlers(app)
    install_docs(app)
    app.include_router(health_router)
    app.include_router(keys_router, responses=ERROR_RESPONSES)
    app.include_router(articles_router, responses=ERROR_RESPONSES)
    app.include_router(claims_router, responses=ERROR_RESPONSES)
    app.include_router(review_router, responses=ERROR_RESPONSES)
    app.include_router(linking_router, responses=ERROR_RESPONSES)
    app.include_router(imports_router, responses=ERROR_RESPONSES)
    app.include_router(matching_router, responses=ERROR_RESPONSES)
    app.include_router(factcheck_router, responses=ERROR_RESPONSES)
    install_ui(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_import_bytes=settings.max_import_bytes,
    )
    app.add_middleware(
        ConcurrencyLimitMiddleware, limit=request_limit(pool_capacity=2 * settings.database_pool_size)
    )
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


app = create_app()
