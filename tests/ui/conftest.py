"""Desk fixtures: the lexical matcher (the sentence-embedding model would add seconds per app start)."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture(autouse=True)
def lexical_matching(configure: Callable[..., None]) -> None:
    configure(SEMANTIC="off")
