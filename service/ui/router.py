"""The review desk at /ui: its page groups (`service/ui/routes/`) and its vendored static files (no CDN).

Every page needs a signed-in session (else a redirect to sign-in), every POST form carries the session's
CSRF token (else 403), and every write is authorized with the same role rules as the API (`ui/deps.py`);
errors are shown as pages (`ui/render.py`).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from service.ui.render import STATIC_DIR
from service.ui.routes import articles, claims, imports, public, queue, session

router = APIRouter(include_in_schema=False)
for group in (session, queue, articles, claims, imports, public):
    router.include_router(group.router)


def install(app: FastAPI) -> None:
    """Serve the desk: its pages and its static files."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
