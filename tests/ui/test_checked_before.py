"""The desk's "Checked before" panel in Chromium: a related match names what differs and offers no
verdict; the same claim offers its verdict for reuse. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import ADMIN_KEY
from tests.ui.test_journeys import (  # noqa: F401  (fixtures: one server per database for this module)
    OpenPage,
    desk_database,
    open_page,
    server,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def _import_checked(base: str, rows: list[dict[str, str]]) -> None:
    response = httpx.post(
        f"{base}/v1/imports/claims?on_duplicate=keep",
        content="\n".join(json.dumps(row) for row in rows).encode(),
        headers={**ADMIN, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 30
    while (job := httpx.get(f"{base}/v1/imports/{response.json()['id']}", headers=ADMIN).json())[
        "status"
    ] != "done":
        assert job["status"] != "failed" and time.monotonic() < deadline, job
        time.sleep(0.2)


def test_checked_before_shows_what_differs_and_offers_only_the_same_claims_verdict(
    server: str,  # noqa: F811
    open_page: OpenPage,  # noqa: F811
) -> None:
    _import_checked(
        server,
        [
            {"text": "Rail fares in Scotland rose 5.1% in March 2023.", "verdict": "false"},
            {"text": "Ferry tickets to Orkney cost 40 pounds in 2022.", "verdict": "true"},
        ],
    )
    response = httpx.post(
        f"{server}/v1/articles",
        json={
            "title": "Fares",
            "body": "Rail fares in Scotland rose 25.1% in March 2023. "
            "Ferry tickets to Orkney cost 40 pounds in 2022.",
        },
        headers=ADMIN,
        timeout=60,
    )
    assert response.status_code == 201, response.text
    claim_ids = {claim["text"]: claim["id"] for claim in response.json()["claims"]}
    related_id = next(claim_id for text, claim_id in claim_ids.items() if "25.1%" in text)
    same_id = next(claim_id for text, claim_id in claim_ids.items() if "Orkney" in text)

    page = open_page()
    sign_in(page, server, ADMIN_KEY, f"/ui/claims/{related_id}")
    panel = page.locator("#checked-before")
    related = panel.locator("li.match.relation-related")
    expect(related).to_have_count(1)
    expect(related).to_contain_text("related claim")
    expect(related.locator(".differences li[data-kind=number]")).to_contain_text(
        "checked: 5.1%, this claim: 25.1%"
    )
    expect(related).not_to_contain_text("verdict can be reused")

    page.goto(f"{server}/ui/claims/{same_id}")
    same = page.locator("#checked-before li.match.relation-same")
    expect(same).to_have_count(1)
    expect(same).to_contain_text("same claim")
    expect(same.locator(".badge.verdict")).to_have_text("true")
    expect(same).to_contain_text("verdict can be reused")
