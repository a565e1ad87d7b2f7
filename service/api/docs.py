"""The API docs (Swagger UI) from files installed with the service, under a strict Content-Security-Policy,
and the `/openapi.json` they read; both need a key only when PROTECT_DOCS_AND_METRICS is true.

FastAPI's own /docs loads Swagger UI from a CDN and starts it with an inline script, so its page can
only run under a CSP that trusts another origin and inline code. Here the assets come from the
`fastapi-offline` wheel (Swagger UI's built bundle and stylesheet, MIT/Apache-2.0) and the start-up
script is a file of ours, so the page runs with `script-src 'self'` and nothing from elsewhere.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from service.api.deps import KeyWhenProtected

ASSETS_PATH = "/docs/assets"
ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
# Swagger UI sets style attributes and draws its icons as data: SVGs; it needs nothing else.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_START_SCRIPT = """window.ui = SwaggerUIBundle({
  url: document.currentScript.dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
});
"""

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
def openapi(request: Request, _key: KeyWhenProtected) -> JSONResponse:
    """The OpenAPI description of this API."""
    document: dict[str, Any] = request.app.openapi()
    return JSONResponse(document)


@router.get("/docs")
def docs(request: Request, _key: KeyWhenProtected) -> HTMLResponse:
    """Swagger UI for this API."""
    title = escape(f"{request.app.title} API")
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
<link rel="icon" href="{ASSETS_PATH}/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="/docs/start.js" data-openapi="/openapi.json"></script>
</body>
</html>
"""
    return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/docs/start.js")
def docs_start_script() -> Response:
    """Starts Swagger UI on /openapi.json (a file, so the page needs no inline script)."""
    return Response(_START_SCRIPT, media_type="text/javascript")


def install(app: FastAPI) -> None:
    """Serve /docs, its assets and /openapi.json (create the app with docs_url/openapi_url None)."""
    app.include_router(router)
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
