"""Finding 8: ClaimReview JSON-LD carries '<', '>' and '&' as \\u escapes in every export, so a publisher
can paste it into a <script> of a page and no '</script>' in a claim ends that script early."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from service.exports.formats import claimreview_chunks
from service.webhooks.delivery import body_bytes
from tests.conftest import bearer
from tests.review.conftest import MakeClaim, make_claim, post_review
from tests.ui.helpers import csrf_of

__all__ = ["make_claim"]  # the fixture, used by name

HOSTILE = 'Exports doubled </script><script>alert("x")</script> & <!-- more'


def _assert_escaped(text: str) -> None:
    assert "</script" not in text.lower() and "<" not in text and ">" not in text and "&" not in text
    assert "\\u003c/script\\u003e" in text and "\\u0026" in text


@pytest.mark.slow
def test_every_claimreview_export_escapes_markup(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim(text=HOSTILE)
    published = post_review(
        client, claim_id, keys["checker"], verdict="false", summary="No: <b>&amp;</b>", status="published"
    )
    assert published.status_code == 201, published.text

    single = client.get(f"/v1/claims/{claim_id}/claimreview", headers=bearer(keys["reader"]))
    _assert_escaped(single.text)
    assert single.json()["claimReviewed"] == HOSTILE  # the same document once parsed
    feed = client.get("/v1/claimreview", headers=bearer(keys["reader"]))
    _assert_escaped(feed.text)
    assert feed.json()["items"][0]["reviewBody"] == "No: <b>&amp;</b>"

    exported = "".join(claimreview_chunks([single.json()]))
    _assert_escaped(exported)
    assert json.loads(exported) == [single.json()]
    webhook_body = body_bytes({"claimreview": single.json()}).decode()
    _assert_escaped(webhook_body)

    form = client.get("/ui")
    signed_in = client.post(
        "/ui/sign-in",
        data={"api_key": keys["reader"], "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    desk = client.get(f"/ui/claims/{claim_id}").text
    for block in re.findall(r'<pre id="claimreview-json"[^>]*>(.*?)</pre>', desk, re.S):
        assert "\\u003c/script\\u003e" in block  # what the Copy button copies is safe to paste too
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', desk, re.S)
    assert script is not None and json.loads(script.group(1))["claimReviewed"] == HOSTILE
