"""Tweet cleaning before matching: what of a tweet is the claim."""

from __future__ import annotations

import pytest

from service.matching.query import clean_query, split_tag


@pytest.mark.parametrize(
    ("tweet", "cleaned"),
    [
        ("Masks do not work https://t.co/AbC123 see www.example.org/x", "Masks do not work see"),
        ("Look at this pic.twitter.com/0eJtwJyS1J wow", "Look at this wow"),
        (
            "Fares rose 5% — Jane Doe (@jdoe) January 14, 2020",
            "Fares rose 5% Jane Doe",  # the author's name stays (claims name who said them), not the handle
        ),
        ("@realDonaldTrump says it is over", "real Donald Trump says it is over"),
        ("They will #StopTheSteal now", "They will Stop The Steal now"),
        ("#covid19 cases rose", "covid 19 cases rose"),
        ("write to me@example.org", "write to me@example.org"),  # not a mention
    ],
)
def test_tweets_lose_links_trailer_handles_and_marks(tweet: str, cleaned: str) -> None:
    assert clean_query(tweet) == cleaned


def test_hashtags_split_at_case_changes_and_digits() -> None:
    assert split_tag("StopTheSteal") == "Stop The Steal"
    assert split_tag("COVID19Vaccine") == "COVID 19 Vaccine"
    assert split_tag("brexit") == "brexit"
