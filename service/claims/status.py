"""Where a claim is in the review queue. Which status may follow which is `service/review/workflow.py`."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    new = "new"
    in_review = "in_review"
    reviewed = "reviewed"
    published = "published"
    dismissed = "dismissed"
