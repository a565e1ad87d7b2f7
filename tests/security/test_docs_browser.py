"""Finding 7 in a real browser: /docs renders under its CSP, nothing blocked, nothing fetched elsewhere."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from tests.reliability.conftest import Server


@pytest.mark.slow
def test_docs_render_in_chromium_without_csp_violations(tmp_path: Path, browser: Browser) -> None:
    server = Server(f"sqlite:///{tmp_path / 'docs.db'}", tmp_path / "server.log")
    server.start()
    try:
        context = browser.new_context()
        try:
            page = context.new_page()
            problems: list[str] = []
            hosts: set[str] = set()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
            page.goto(f"{server.base_url}/docs")
            page.wait_for_selector(".opblock", timeout=30_000)  # the operations are drawn
            assert page.locator(".opblock").count() > 10
        finally:
            context.close()
    finally:
        server.stop()
    assert problems == []  # a CSP violation is a console error
    assert hosts == {urlsplit(server.base_url).netloc}
