"""The state machine and the rating scale, as pure functions."""

from __future__ import annotations

import itertools

import pytest

from service.errors import status_of
from service.exceptions import IllegalTransition, InvalidInput
from service.review.scale import RatingScale, verdict_label
from service.review.workflow import Status, allowed_next, check_transition, review_path
from service.settings import DEFAULT_EXTRA_VERDICTS, DEFAULT_RATING_SCALE, Settings

LEGAL = {
    (Status.new, Status.in_review),
    (Status.new, Status.dismissed),
    (Status.in_review, Status.reviewed),
    (Status.in_review, Status.dismissed),
    (Status.reviewed, Status.published),
    (Status.reviewed, Status.in_review),
    (Status.reviewed, Status.dismissed),
}
EVERY_PAIR = [(a, b) for a, b in itertools.product(Status, Status) if a != b]


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_legal_transition_is_accepted(current: Status, target: Status) -> None:
    check_transition(current, target)
    assert target.value in allowed_next(current)


@pytest.mark.parametrize(("current", "target"), [pair for pair in EVERY_PAIR if pair not in LEGAL])
def test_illegal_transition_raises_with_the_allowed_targets(current: Status, target: Status) -> None:
    with pytest.raises(IllegalTransition) as raised:
        check_transition(current, target)
    assert status_of(raised.value) == 409
    details = raised.value.details
    assert details is not None
    assert details["from"] == current.value and details["to"] == target.value
    assert set(details["allowed"]) == {b.value for a, b in LEGAL if a == current}


def test_published_and_dismissed_are_final() -> None:
    assert allowed_next(Status.published) == []
    assert allowed_next(Status.dismissed) == []


@pytest.mark.parametrize(
    ("current", "target", "path"),
    [
        (Status.new, Status.reviewed, [Status.in_review, Status.reviewed]),
        (Status.new, Status.in_review, [Status.in_review]),
        (Status.new, Status.published, [Status.in_review, Status.reviewed, Status.published]),
        (Status.in_review, Status.reviewed, [Status.reviewed]),
        (Status.in_review, Status.in_review, []),
        (Status.reviewed, Status.reviewed, []),
        (Status.reviewed, Status.in_review, [Status.in_review]),
        (Status.reviewed, Status.published, [Status.published]),
    ],
)
def test_review_walks_only_legal_steps(current: Status, target: Status, path: list[Status]) -> None:
    assert review_path(current, target) == path
    for before, after in itertools.pairwise([current, *path]):
        check_transition(before, after)


@pytest.mark.parametrize("current", [Status.published, Status.dismissed])
def test_a_closed_claim_cannot_be_reviewed(current: Status) -> None:
    with pytest.raises(IllegalTransition) as raised:
        review_path(current, Status.reviewed)
    assert raised.value.details == {"from": current.value, "to": "reviewed", "allowed": []}


def test_a_review_cannot_dismiss_or_reset() -> None:
    for target in (Status.dismissed, Status.new):
        with pytest.raises(IllegalTransition):
            review_path(Status.in_review, target)


def test_default_scale_rates_best_first_and_extra_verdicts_have_no_number() -> None:
    scale = RatingScale.from_settings(
        Settings(rating_scale=DEFAULT_RATING_SCALE, extra_verdicts=DEFAULT_EXTRA_VERDICTS)
    )
    assert [scale.rating_value(v) for v in ("true", "mostly_true", "mixed", "mostly_false", "false")] == [
        5,
        4,
        3,
        2,
        1,
    ]
    assert (scale.best_rating, scale.worst_rating) == (5, 1)
    assert scale.rating_value("misleading") is None
    assert scale.rating_value("unverifiable") is None
    assert scale.verdicts == [
        "true",
        "mostly_true",
        "mixed",
        "mostly_false",
        "false",
        "misleading",
        "unverifiable",
    ]


def test_a_deployment_can_configure_its_own_scale() -> None:
    scale = RatingScale.from_settings(
        Settings(rating_scale="correct, partly_correct ,wrong", extra_verdicts="satire,wrong")
    )
    assert scale.ordinal == ("correct", "partly_correct", "wrong")
    assert scale.extra == ("satire",)  # a verdict on the scale is not also an extra one
    assert scale.rating_value("correct") == 3 and scale.rating_value("wrong") == 1
    assert scale.best_rating == 3
    with pytest.raises(InvalidInput) as raised:
        scale.check("mostly_true")
    assert raised.value.details == {
        "field": "verdict",
        "allowed": ["correct", "partly_correct", "wrong", "satire"],
    }


def test_verdict_label_is_reader_facing() -> None:
    assert verdict_label("mostly_true") == "Mostly true"
    assert verdict_label("false") == "False"
