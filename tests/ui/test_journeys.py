"""The review desk in a real browser: headless Chromium (Debian's) drives `claimcheck serve` on loopback.

Every journey runs on SQLite and PostgreSQL, fails on any browser console error, and leaves a screenshot
of its last page in artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from service.db import make_engine
from tests.conftest import ADMIN_KEY, POSTGRES_DSN
from tests.ui.helpers import store_claim

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
EDITORIAL = ROOT.parent / "shared" / "data" / "editorial_ukraine.txt"
if not EDITORIAL.exists():
    EDITORIAL = ROOT / "demo" / "editorial_ukraine.txt"
REFERENCE_SOURCES = ROOT / "demo" / "reference_sources.ndjson"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def desk_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_available: bool
) -> Iterator[str]:
    """A fresh database shared by the journeys of one module run (one server start per database, not per test:
    importing the service takes seconds, and the journeys keep their data apart with unique texts)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('desk') / 'claimcheck.db'}"
        return
    if not postgres_available:
        pytest.skip("PostgreSQL is not reachable")
    schema = f"cc_desk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    yield f"postgresql+psycopg://{POSTGRES_DSN.removeprefix('postgresql://')}?options=-csearch_path%3D{schema}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="module")
def server(desk_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`claimcheck serve` on a free loopback port against the fresh database; its base URL."""
    port = _free_port()
    workdir = tmp_path_factory.mktemp("serve")
    env = {
        **os.environ,
        "DATABASE_URL": desk_database,
        "CLAIMCHECK_ADMIN_KEY": ADMIN_KEY,
        "SEMANTIC": "off",
        "RATE_LIMIT_PER_MINUTE": "100000",
        "RATE_LIMIT_BURST": "100000",
        "WORKER_POLL_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("LLM_BASE_URL", None)
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "claimcheck"), "serve", "--port", str(port)],
            cwd=workdir,  # no stray .env from the working tree
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"claimcheck serve did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    yield base
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


OpenPage = Callable[[], Page]


@pytest.fixture
def open_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[OpenPage]:
    """New pages, each in its own browser context (its own cookies); console errors fail the test."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []
    problems: list[str] = []

    def open_one() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
        contexts.append(context)
        pages.append(page)
        return page

    yield open_one
    if pages:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("[", "-").replace("]", "")
        pages[-1].screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    for context in contexts:
        context.close()
    assert problems == [], f"browser console errors: {problems}"


def create_key(base: str, role: str) -> str:
    response = httpx.post(
        f"{base}/v1/keys",
        json={"role": role, "name": f"desk-{role}"},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


def sign_in(page: Page, base: str, raw_key: str, path: str = "/ui/queue") -> None:
    page.goto(f"{base}{path}")
    expect(page).to_have_url(f"{base}/ui?next={path.replace('/', '%2F')}")
    page.get_by_label("API key").fill(raw_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}{path}")


def import_reference_sources(base: str) -> None:
    response = httpx.post(
        f"{base}/v1/imports/sources",
        content=REFERENCE_SOURCES.read_bytes(),
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    job_url = f"{base}/v1/imports/{response.json()['id']}"
    deadline = time.monotonic() + 30
    while (job := httpx.get(job_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json())[
        "status"
    ] != "done":
        assert job["status"] != "failed" and time.monotonic() < deadline, job
        time.sleep(0.2)


def test_journey_submit_link_evidence_verdict_publish(server: str, open_page: OpenPage) -> None:
    import_reference_sources(server)
    page = open_page()
    sign_in(page, server, ADMIN_KEY, "/ui/articles")

    page.get_by_label("Title").fill("Ukraine crisis: US, Russia hold talks to resolve tensions")
    page.get_by_label("Published").fill("2022-01-24")
    page.get_by_label("Body").fill(EDITORIAL.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Submit and extract claims").click()
    page.wait_for_url(f"{server}/ui/articles/*", timeout=90_000)
    expect(page.locator(".article-body .skipped").first).to_have_attribute("title", "Skipped: heading")

    page.locator("a.claim-mark", has_text="Romania and Bulgaria").click()
    expect(page.locator("#claim-items li")).to_have_count(6)
    expect(page.locator("#claim-items")).to_contain_text("Lithuania")
    evidence = page.locator(".evidence", has=page.locator(".matched", has_text="Bulgaria"))
    expect(evidence.first).to_be_visible()
    expect(evidence.first.locator(".passage mark").first).to_be_visible()

    evidence.first.get_by_role("button", name="Pin: supports").click()
    expect(page.locator(".evidence.pinned.relation-supports")).to_have_count(1)
    expect(page.locator(".evidence").first).to_have_class("evidence pinned relation-supports")

    page.get_by_label("Rating").select_option("true")
    page.get_by_label("Summary for readers").fill(
        "Russia's foreign ministry named Romania and Bulgaria; the other four joined NATO in 2004 as well."
    )
    page.get_by_label("Internal note").fill("Checked against the ministry statement.")
    page.get_by_role("button", name="Save verdict").click()
    expect(page.locator("#claim-status")).to_have_text("reviewed")
    expect(page.locator("#claim-verdict")).to_have_text("true")

    page.get_by_role("button", name="Move to published").click()
    expect(page.locator("#claim-status")).to_have_text("published")
    claim_review = json.loads(page.locator("#claimreview-json").inner_text())
    assert claim_review["@type"] == "ClaimReview"
    assert claim_review["reviewRating"]["alternateName"] == "True"
    assert "Romania" in claim_review["claimReviewed"]
    page.get_by_role("button", name="Copy").click()
    expect(page.locator(".copy-status")).not_to_be_empty()
    expect(page.locator(".timeline")).to_contain_text("evidence passage")
    # The README's picture of the claim page, taken on every run so that it cannot go stale.
    page.screenshot(path=str(ROOT / "docs" / "claim-page.png"), full_page=True)

    # The ClaimReview's url is the claim's public page: no key, the verdict, and the same JSON-LD.
    page.context.clear_cookies()
    page.goto(f"{server}{urlsplit(claim_review['url']).path}")
    expect(page.locator("#public-verdict")).to_have_text("True")
    expect(page.locator("h1")).to_contain_text("Romania and Bulgaria")
    expect(page.locator("#public-summary")).to_contain_text("Russia's foreign ministry named Romania")
    embedded = page.locator('script[type="application/ld+json"]').text_content() or "{}"
    assert json.loads(embedded) == claim_review


def test_journey_two_reviewers_conflict_and_the_second_keeps_their_text(
    server: str, desk_database: str, open_page: OpenPage
) -> None:
    engine = make_engine(desk_database)
    claim_id = store_claim(engine, f"Unemployment fell to 3.9% in 2023 ({uuid.uuid4().hex[:8]}).", score=0.9)
    engine.dispose()
    checker_key = create_key(server, "checker")
    first, second = open_page(), open_page()
    sign_in(first, server, checker_key, f"/ui/claims/{claim_id}")
    sign_in(second, server, ADMIN_KEY, f"/ui/claims/{claim_id}")

    first.get_by_label("Rating").select_option("false")
    first.get_by_label("Summary for readers").fill("First reviewer: it rose.")
    first.get_by_role("button", name="Save verdict").click()
    expect(first.locator("#claim-verdict")).to_have_text("false")

    typed = "Second reviewer: the annual figure was 3.6%, not 3.9%."
    second.get_by_label("Rating").select_option("mostly_false")
    second.get_by_label("Summary for readers").fill(typed)
    second.get_by_role("button", name="Save verdict").click()
    conflict = second.locator("#conflict")
    expect(conflict).to_contain_text("Someone else changed this claim")
    expect(conflict).to_contain_text("desk-checker")
    expect(conflict).to_contain_text("verdict: — → false")
    expect(second.get_by_label("Summary for readers")).to_have_value(typed)
    expect(second.get_by_label("Rating")).to_have_value("mostly_false")
    expect(second.locator("#claim-verdict")).to_have_text("false")  # the first save stands

    second.get_by_role("button", name="Apply my review to version 2").click()
    expect(second.locator("#claim-verdict")).to_have_text("mostly false")
    expect(second.locator(".timeline")).to_contain_text("desk-checker")
    expect(second.locator(".timeline")).to_contain_text("false → mostly_false")


def test_journey_reader_sees_no_write_controls_and_no_session_goes_to_sign_in(
    server: str, desk_database: str, open_page: OpenPage
) -> None:
    engine = make_engine(desk_database)
    marker = uuid.uuid4().hex[:10]
    claim_id = store_claim(engine, f"Unemployment fell to 3.9% in 2023 ({marker}).", score=0.9)
    store_claim(engine, f"Exports doubled between 2010 and 2020 ({marker}).", score=0.5)
    engine.dispose()

    visitor = open_page()
    for path in ("/ui/queue", f"/ui/claims/{claim_id}", "/ui/articles", "/ui/imports"):
        visitor.goto(f"{server}{path}")
        expect(visitor.get_by_label("API key")).to_be_visible()
        assert visitor.url.startswith(f"{server}/ui?next=")

    page = open_page()
    sign_in(page, server, create_key(server, "reader"))
    page.get_by_label("Text").fill(marker)
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tr.queue-row")).to_have_count(2)
    expect(page.get_by_role("link", name="Imports")).to_have_count(0)
    page.keyboard.press("j")
    expect(page.locator("tr.queue-row.selected")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server}/ui/claims/{claim_id}")
    for control in ("#verdict-form", ".move-buttons", ".relation-buttons"):
        expect(page.locator(control)).to_have_count(0)
    expect(page.get_by_role("button", name="Assign to me")).to_have_count(0)

    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(
        f"{server}/ui/claims/{claim_id}/status",
        form={
            "csrf_token": csrf or "",
            "etag": f'"claim-{claim_id}-v1"',
            "version": "1",
            "status": "in_review",
        },
    )
    assert forged.status == 403
    page.goto(f"{server}/ui/articles")
    expect(page.locator("#submit-article")).to_have_count(0)
    page.goto(f"{server}/ui/claims/{claim_id}")
    expect(page.locator("#claim-status")).to_have_text("new")


def test_journey_csv_upload_with_bad_rows(server: str, open_page: OpenPage, tmp_path: Path) -> None:
    upload = tmp_path / "archive.csv"
    upload.write_text(
        "text,verdict,claimed_at,publisher\n"
        "Exports doubled between 2010 and 2020.,false,2022-01-02,Desk\n"
        ",false,2022-01-02,Desk\n"
        "The bridge cost 2 billion euros.,not-a-verdict,,Desk\n"
        "Inflation hit 10% in 2022.,mostly_true,yesterday-ish,Desk\n"
        "Wheat exports fell by a third.,,,Desk\n",
        encoding="utf-8",
    )
    page = open_page()
    sign_in(page, server, create_key(server, "newsroom"), "/ui/imports")
    page.get_by_label("File", exact=True).set_input_files(str(upload))
    page.get_by_label("Claims already stored").select_option("keep")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#job-status")).to_have_text("done", timeout=30_000)
    expect(page.locator("#job-created")).to_have_text("2")
    expect(page.locator("#job-failed")).to_have_text("3")
    lines = page.locator("table.bad-rows tbody tr td:first-child").all_inner_texts()
    assert lines == ["3", "4", "5"]
    expect(page.get_by_role("link", name="Download bad rows as CSV")).to_be_visible()
