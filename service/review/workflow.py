"""The review state machine as pure functions: which status may follow which.

    new -> in_review -> reviewed -> published
    reviewed -> in_review                      (reopened for another look)
    new | in_review | reviewed -> dismissed    (not worth checking, with a reason)

`published` and `dismissed` are final.
"""

from __future__ import annotations

from collections import deque

from service.claims.status import Status as Status  # the states the machine moves between
from service.exceptions import IllegalTransition

TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.new: (Status.in_review, Status.dismissed),
    Status.in_review: (Status.reviewed, Status.dismissed),
    Status.reviewed: (Status.published, Status.in_review, Status.dismissed),
    Status.published: (),
    Status.dismissed: (),
}

OPEN_STATUSES = frozenset({Status.new, Status.in_review, Status.reviewed})

# Where a review may leave a claim; a review never dismisses one.
REVIEW_TARGETS = (Status.in_review, Status.reviewed, Status.published)


def allowed_next(current: Status) -> list[str]:
    """The statuses a claim in `current` may move to next, e.g. new -> ['in_review', 'dismissed']."""
    return [status.value for status in TRANSITIONS[current]]


def check_transition(current: Status, target: Status) -> None:
    """Raise IllegalTransition (409, with the allowed targets) unless current -> target is one legal step."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"A claim cannot move from '{current.value}' to '{target.value}'.",
            details={"from": current.value, "to": target.value, "allowed": allowed_next(current)},
        )


def review_path(current: Status, target: Status) -> list[Status]:
    """The statuses a review walks through to reach `target`, each one a legal step.

    A review on a `new` claim takes it through `in_review`: review_path(new, reviewed) ->
    [in_review, reviewed]. Reviewing a claim again where it already is changes no status: [].
    """
    if current not in OPEN_STATUSES or target not in REVIEW_TARGETS:
        allowed = [status.value for status in REVIEW_TARGETS] if current in OPEN_STATUSES else []
        raise IllegalTransition(
            f"A review cannot take a '{current.value}' claim to '{target.value}'.",
            details={"from": current.value, "to": target.value, "allowed": allowed},
        )
    if current == target:
        return []
    # Shortest walk over the legal steps; the graph is tiny, so breadth-first is plenty.
    previous: dict[Status, Status] = {}
    frontier = deque([current])
    while frontier:
        status = frontier.popleft()
        for following in TRANSITIONS[status]:
            if following not in previous and following != current:
                previous[following] = status
                frontier.append(following)
    if target not in previous:
        check_transition(current, target)  # unreachable target: raises with the allowed next steps
    path = [target]
    while path[-1] in previous and previous[path[-1]] != current:
        path.append(previous[path[-1]])
    return list(reversed(path))
