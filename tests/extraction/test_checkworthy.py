"""Check-worthiness scorer: behaviour on clear cases, speed, and equivalence with the sklearn model."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

from service.extraction import checkworthy
from service.extraction.checkworthy import (
    CHECKWORTHY_THRESHOLD,
    checkworthiness_score,
    checkworthy_threshold,
    load_model,
    score_texts,
)
from service.extraction.nlp import get_nlp

BENCH = Path(__file__).resolve().parents[2] / "bench" / "train_checkworthy.py"

FACTUAL = [
    "Unemployment fell from 10 percent in 2009 to 4.7 percent in 2016.",
    "Russia has massed more than 100,000 troops on the border with Ukraine.",
    "The federal deficit was $1.4 trillion last year, the largest in our history.",
    "In 1997 NATO had 16 members; today it has 30.",
]
OPINION = [
    "He has been admirably firm.",
    "I think we have to be very careful.",
    "Thank you very much, it is good to be here tonight.",
    "What are you going to do about it?",
]


@pytest.mark.parametrize("text", FACTUAL)
def test_factual_sentence_with_numbers_is_checkworthy(text: str) -> None:
    assert score_texts([text])[0] >= CHECKWORTHY_THRESHOLD


@pytest.mark.parametrize("text", OPINION)
def test_opinion_courtesy_and_question_are_not_checkworthy(text: str) -> None:
    assert score_texts([text])[0] < CHECKWORTHY_THRESHOLD


def test_scores_are_probabilities_and_threshold_is_one_number() -> None:
    scores = score_texts(FACTUAL + OPINION)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert checkworthy_threshold() == CHECKWORTHY_THRESHOLD
    assert 0.0 < CHECKWORTHY_THRESHOLD < 1.0
    assert min(scores[: len(FACTUAL)]) > max(scores[len(FACTUAL) :])


def test_sentence_span_of_a_parsed_article_is_scored_without_reparsing() -> None:
    doc = get_nlp()(" ".join([OPINION[0], FACTUAL[1], OPINION[1]]))
    sentences = list(doc.sents)
    assert len(sentences) == 3
    flags = [checkworthiness_score(sentence) >= CHECKWORTHY_THRESHOLD for sentence in sentences]
    assert flags == [False, True, False]


def test_score_and_margin_agree_on_the_decision() -> None:
    model = checkworthy.get_model()
    for doc in get_nlp().pipe(FACTUAL + OPINION):
        margin = model.margin(checkworthy.sentence_terms(doc), checkworthy.sentence_vector(doc))
        assert (checkworthiness_score(doc) >= CHECKWORTHY_THRESHOLD) == (margin >= model.threshold)


def test_packaged_artefact_is_compact() -> None:
    assert checkworthy.MODEL_PATH.stat().st_size < 5_000_000


def _bench_module() -> object:
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("train_checkworthy", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_exported_json_reproduces_sklearn_decisions(tmp_path: Path) -> None:
    bench = _bench_module()
    import numpy as np

    texts = (
        FACTUAL
        + OPINION
        + [
            "Our economy added 2.5 million jobs in the last twelve months.",
            "Crime in our cities went up 14 percent under his administration.",
            "The treaty was signed in Geneva in 1949 by 61 nations.",
            "We need leadership that believes in America.",
            "That is simply not true and he knows it.",
            "I want to thank the moderator and the university.",
        ]
    )
    labels = np.array([1] * len(FACTUAL) + [0] * len(OPINION) + [1, 1, 1, 0, 0, 0])
    rows = [
        checkworthy.sentence_terms(doc) | {"vector": checkworthy.sentence_vector(doc)}
        for doc in get_nlp().pipe(texts)
    ]
    train = [*range(0, len(texts), 2), 1, 5]
    features = bench.ChannelFeatures.fit([rows[i] for i in train])  # type: ignore[attr-defined]
    classifier = bench._classifier().fit(features.transform([rows[i] for i in train]), labels[train])  # type: ignore[attr-defined]
    path = tmp_path / "model.json"
    bench.export(features, classifier, 0.25, path)  # type: ignore[attr-defined]

    exported = load_model(path)
    expected = classifier.decision_function(features.transform(rows))
    assert len(exported.vector_weights) == 192
    for row, margin in zip(rows, expected, strict=True):
        assert math.isclose(exported.margin(row, row["vector"]), float(margin), abs_tol=1e-4)
    assert exported.threshold == 0.25


@pytest.mark.slow
def test_stack_of_linear_models_collapses_to_one_with_the_same_margins() -> None:
    # The shipped model is a meta LR over several LRs' margins, exported as one linear model.
    bench = _bench_module()
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(7)
    features = rng.normal(size=(60, 12))
    labels = (features[:, 0] + features[:, 3] + rng.normal(size=60) > 0).astype(int)
    members = [
        bench.LinearModel(rng.normal(size=12), np.array([rng.normal()]))  # type: ignore[attr-defined]
        for _ in range(4)
    ]
    margins = np.column_stack([member.decision_function(features) for member in members])
    meta = LogisticRegression().fit(margins, labels)
    single = bench.collapse(members, meta)  # type: ignore[attr-defined]
    np.testing.assert_allclose(single.decision_function(features), meta.decision_function(margins), atol=1e-9)
