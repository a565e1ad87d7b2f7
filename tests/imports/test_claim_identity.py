"""Duplicates require agreeing signatures: near misses stay distinct claims, true repeats are caught, in
one upload (the batch and the batch being written before it) and against stored claims, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from service.claims.models import Claim
from service.db import get_engine
from service.identity import ClaimSignature
from tests.conftest import ADMIN_KEY, bearer
from tests.imports.conftest import wait_for_job

BASE = "Rail fares in Scotland rose 5.1% in March 2023."
# The six rail-fare claims, and a near miss of every other kind: each a different claim.
NEAR_MISSES = [
    BASE,
    "Rail fares in Scotland rose 25.1% in March 2023.",
    "Rail fares in Scotland fell 5.1% in March 2023.",
    "Rail fares in Wales rose 5.1% in March 2023.",
    "Rail fares in Scotland did not rise 5.1% in March 2023.",
    "Rail fares in Scotland rose 5.1% in March 2021.",
]
OTHER_NEAR_MISSES = [
    ("Inflation in Britain is higher than in France.", "Inflation in France is higher than in Britain."),
    ("The governor signed the clean air bill.", "The governor vetoed the clean air bill."),
    ("The council spent 4.2 million pounds on roads.", "The council spent 4.2 billion pounds on roads."),
    ("The senator voted for the farm subsidy bill.", "The senator voted against the farm subsidy bill."),
    ("More than 5,000 people attended the rally.", "Fewer than 5,000 people attended the rally."),
    ("Region 3 recorded 5.5% turnout in the 1955 election, ballot series 7.",
     "Region 7 recorded 5.5% turnout in the 1955 election, ballot series 3."),
]  # fmt: skip
# Each a repeat of BASE: case, punctuation, word order, 'per cent', an added attribution.
TRUE_REPEATS = [
    "RAIL FARES IN SCOTLAND ROSE 5.1% IN MARCH 2023",
    "Rail fares in Scotland rose 5.1 per cent in March 2023!",
    "In March 2023, rail fares in Scotland rose 5.1 percent.",
    "Rail fares in Scotland rose 5.1% in March 2023, officials say.",
]
OTHER_TRUE_REPEATS = [
    ("Germany's debt reached £9.1bn in 2022.", "Germanys debt reached 9.1 billion pounds in 2022."),
    ("Police counted 40,000 protesters in the US.", "Police counted forty thousand protesters in the U.S."),
    ("Inflation in the UK hit 10% in 2022.", "inflation in Britain hit 10 per cent in 2022, economists say"),
    ("The minister is a liar and a cheat.", "The minister is a liar, and a cheat!"),
]


def _import(client: TestClient, texts: list[str], on_duplicate: str = "skip") -> dict[str, object]:
    body = "\n".join(json.dumps({"text": text}) for text in texts).encode() + b"\n"
    response = client.post(
        "/v1/imports/claims",
        content=body,
        params={"on_duplicate": on_duplicate},
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["id"], timeout=120)
    assert job["status"] == "done", job
    return job


def _claims() -> list[Claim]:
    with Session(get_engine()) as session:
        return list(session.exec(select(Claim).order_by(col(Claim.id))))


def _all_near_misses() -> list[str]:
    return NEAR_MISSES + [text for pair in OTHER_NEAR_MISSES for text in pair]


def test_near_misses_in_one_upload_are_all_kept(client: TestClient) -> None:
    texts = _all_near_misses()
    job = _import(client, texts)
    assert (job["created"], job["duplicates"]) == (len(texts), 0)
    claims = _claims()
    assert [claim.text for claim in claims] == texts
    assert all(claim.duplicate_of is None for claim in claims)


def test_near_misses_of_stored_claims_are_kept(client: TestClient) -> None:
    first = [NEAR_MISSES[0]] + [one for one, _other in OTHER_NEAR_MISSES]
    _import(client, first)
    later = NEAR_MISSES[1:] + [other for _one, other in OTHER_NEAR_MISSES]
    job = _import(client, later, on_duplicate="keep")
    assert (job["created"], job["duplicates"]) == (len(later), 0)
    assert all(claim.duplicate_of is None for claim in _claims())


@pytest.mark.slow
def test_true_repeats_in_one_upload_are_skipped(client: TestClient) -> None:
    texts = [BASE, *TRUE_REPEATS] + [text for pair in OTHER_TRUE_REPEATS for text in pair]
    job = _import(client, texts)
    assert (job["created"], job["duplicates"]) == (
        1 + len(OTHER_TRUE_REPEATS),
        len(texts) - 1 - len(OTHER_TRUE_REPEATS),
    )


def test_true_repeats_of_stored_claims_point_at_them(client: TestClient) -> None:
    _import(client, [BASE] + [one for one, _other in OTHER_TRUE_REPEATS])
    originals = {claim.text: claim.id for claim in _claims()}
    repeats = TRUE_REPEATS + [other for _one, other in OTHER_TRUE_REPEATS]
    job = _import(client, repeats, on_duplicate="keep")
    assert (job["created"], job["duplicates"]) == (len(repeats), len(repeats))
    kept = {claim.text: claim.duplicate_of for claim in _claims() if claim.text in repeats}
    for text in TRUE_REPEATS:
        assert kept[text] == originals[BASE]
    for one, other in OTHER_TRUE_REPEATS:
        assert kept[other] == originals[one]


def test_imported_claims_store_their_signature(client: TestClient) -> None:
    _import(client, [BASE, "The minister is a liar."])
    fares, opinion = _claims()
    assert fares.signature is not None and ClaimSignature.from_json(fares.signature).quantities == ("5.1%",)
    assert fares.signature_key != "" and opinion.signature_key == ""


@pytest.mark.slow
def test_repeats_and_near_misses_of_the_batch_being_written_are_told_apart(client: TestClient) -> None:
    """The first batch (5,000 rows) may still be being written while the second is checked: rows of the
    second are compared with it in memory, by the same rule."""
    filler = [f"Station {n} counted {n * 7} passengers on line {n % 13}." for n in range(4999)]
    first_batch = [BASE, *filler]
    second_batch = NEAR_MISSES[1:] + TRUE_REPEATS
    job = _import(client, first_batch + second_batch)
    assert (job["created"], job["duplicates"]) == (5000 + len(NEAR_MISSES) - 1, len(TRUE_REPEATS))
    by_text = {claim.text: claim for claim in _claims()}
    assert all(text in by_text and by_text[text].duplicate_of is None for text in NEAR_MISSES)
