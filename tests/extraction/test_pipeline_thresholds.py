"""The pipeline's own thresholds: a claim's score after the rules accept it, and the overrule in speech."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.tokens import Span

from service.extraction import checkworthy, pipeline
from service.extraction.pipeline import extract

# The rules read 'mess' as a speaker's judgement; the figure in it is what a fact-checker would check.
JUDGED = "Now we have this incredible mess in the budget -- $200 billion."


def _fixed_scorer(score: float, overrule: float | None) -> Callable[[], object]:
    def scorer() -> tuple[Callable[[Span], float], float, float, float | None]:
        return (lambda span: score), 0.5, 0.5, overrule

    return scorer


def test_a_confident_scorer_keeps_a_judged_spoken_sentence_as_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "_scorer", _fixed_scorer(0.95, 0.9))
    result = extract(JUDGED, genre="transcript")
    assert len(result.claims) == 1
    claim = result.claims[0]
    assert claim.text == JUDGED and claim.quote == JUDGED
    assert claim.kind == "other" and not claim.decontextualised and claim.checkworthy
    assert "the scorer overrules" in result.sentences[0].reason


def test_no_overrule_below_its_threshold_nor_in_writing_nor_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "_scorer", _fixed_scorer(0.85, 0.9))
    assert extract(JUDGED, genre="transcript").claims == []
    monkeypatch.setattr(pipeline, "_scorer", _fixed_scorer(0.95, 0.9))
    assert extract(JUDGED, genre="editorial").claims == []
    monkeypatch.setattr(pipeline, "_scorer", _fixed_scorer(0.95, None))
    assert extract(JUDGED, genre="transcript").claims == []


def test_questions_and_host_lines_are_never_overruled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "_scorer", _fixed_scorer(0.99, 0.5))
    assert extract("Do you know that it has tripled in the last five years?", genre="transcript").claims == []
    text = "MODERATOR: That is a terrible mess, frankly.\nSMITH: We cut waiting lists by half in 2019."
    result = extract(text, genre="transcript")
    assert [c.speaker for c in result.claims] == ["Smith"]


def _artefact(tmp_path: Path, **extra: float | None) -> Path:
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"bias": 0.0, "threshold": 0.4, "channels": {}, **extra}), encoding="utf-8")
    return path


def test_thresholds_through_the_rules_default_to_the_scorers_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = checkworthy.load_model(_artefact(tmp_path))
    monkeypatch.setattr(checkworthy, "get_model", lambda: plain)
    assert checkworthy.pipeline_threshold() == checkworthy.checkworthy_threshold()
    assert checkworthy.override_threshold() is None
    tuned = checkworthy.load_model(_artefact(tmp_path, pipeline_threshold=0.1, override_threshold=1.5))
    monkeypatch.setattr(checkworthy, "get_model", lambda: tuned)
    assert checkworthy.pipeline_threshold() == pytest.approx(1 / (1 + math.exp(-0.1)))
    assert checkworthy.override_threshold() == pytest.approx(1 / (1 + math.exp(-1.5)))


def test_the_shipped_overrule_is_stricter_than_the_claim_threshold() -> None:
    overrule = checkworthy.override_threshold()
    assert overrule is None or overrule >= checkworthy.pipeline_threshold()
