"""Finding 7 in a real browser: /docs renders under its CSP, nothing blocked, nothing fetched elsewhere."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.reliability.conftest import Server
from tests.ui.test_journeys import CHROMIUM, CHROMIUM_ARGS


@pytest.mark.slow
def test_docs_render_in_chromium_without_csp_violations(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    server = Server(f"sqlite:///{tmp_path / 'docs.db'}", tmp_path / "server.log")
    server.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            problems: list[str] = []
            hosts: set[str] = set()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
            page.goto(f"{server.base_url}/docs")
            page.wait_for_selector(".opblock", timeout=30_000)  # the operations are drawn
            assert page.locator(".opblock").count() > 10
            browser.close()
    finally:
        server.stop()
    assert problems == []  # a CSP violation is a console error
    assert hosts == {urlsplit(server.base_url).netloc}
