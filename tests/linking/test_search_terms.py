"""The first-stage search's choice of terms by document frequency, on SQLite and PostgreSQL: a term common
on first sight, the statistics learned from a search, what the ranker sees of each hit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

from service.db import make_engine, migrate
from service.linking import index, sources
from service.linking.models import Passage
from service.linking.schemas import SourceIn


def _library(session: Session) -> dict[str, int]:
    """Eight passages with 'ministry', two without; passage text -> id."""
    bodies = [f"The ministry published report number {n} on Tuesday." for n in range(8)] + [
        "Glaciers in the Alps lost a tenth of their ice.",
        "The ministry said glaciers are retreating in the Alps.",
    ]
    sources.upsert_sources(
        session=session,
        sources_in=[
            SourceIn(url=f"https://s.example/{n}", title=f"Page {n}", text=body)
            for n, body in enumerate(bodies)
        ],
    )
    session.commit()
    return {row.text: row.id for row in session.exec(select(Passage))}


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on a migrated database of the parametrised kind, its engine disposed afterwards."""
    migrate(database_url)
    engine = make_engine(database_url)
    with Session(engine) as opened:
        yield opened
    engine.dispose()


@pytest.fixture
def small_cut(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A term in more than 3 passages is common, and the statistics are kept even for a small library."""
    monkeypatch.setattr(index, "COMMON_MIN_PASSAGES", 3)
    monkeypatch.setattr(index, "STATISTICS_EXACT_BELOW", 0)
    index.statistics_clear()
    yield
    index.statistics_clear()


def test_a_term_common_on_first_sight_is_searched_in_full_when_too_few_others_remain(
    session: Session, small_cut: None
) -> None:
    # 'ministry' is not counted yet and is common: with one rare term beside it (fewer than MIN_TERMS),
    # it is still searched, over all its passages (PostgreSQL fetches a new term only up to the cut first),
    # and it is learned as common.
    by_text = _library(session)
    found = [hit.passage_id for hit in index.search_passages(session=session, terms=["ministry"], limit=20)]
    assert len(found) == 9
    both = index.search_passages(session=session, terms=["ministry", "retreating"], limit=20)
    assert both[0].passage_id == by_text["The ministry said glaciers are retreating in the Alps."]
    assert len(both) == 9
    _total, learned = index._known(session, ["ministry", "retreating"])
    # Known as common (SQLite counts up to the cut; PostgreSQL, having searched it in full, exactly).
    assert learned["ministry"] in ({4, 9} if index.is_sqlite(session) else {9})
    assert learned["retreating"] == 1


def test_a_common_term_found_in_the_search_counts_for_nothing_once_enough_others_remain(
    session: Session, small_cut: None
) -> None:
    # Three rare terms remain: the common one selects no passage and adds nothing to a score, on its first
    # search (counted in it) as on the next (known), and both searches return the same scores.
    by_text = _library(session)
    terms = ["ministry", "glaciers", "alps", "retreating"]
    first = index.search_passages(session=session, terms=terms, limit=20)
    second = index.search_passages(session=session, terms=terms, limit=20)
    assert [hit.passage_id for hit in first] == [
        by_text["The ministry said glaciers are retreating in the Alps."],
        by_text["Glaciers in the Alps lost a tenth of their ice."],
    ]
    assert [(hit.passage_id, round(hit.score, 9)) for hit in first] == [
        (hit.passage_id, round(hit.score, 9)) for hit in second
    ]
    assert first[0].text.startswith("The ministry said") and first[0].title == "Page 9"


def test_no_match_and_stop_words_only(session: Session) -> None:
    _library(session)
    assert index.search_passages(session=session, terms=["zeppelin"], limit=5) == []
    # PostgreSQL's english configuration drops stop words (an empty tsquery matches nothing); FTS5
    # has none.
    stop_words = index.search_passages(session=session, terms=["the", "of"], limit=5)
    assert index.is_sqlite(session) or stop_words == []
    assert index.search_passages(session=session, terms=[" ", ""], limit=5) == []


@pytest.mark.postgres
def test_postgresql_takes_a_term_the_planner_statistics_call_common_as_common_without_reading_it(
    postgres_url: str, small_cut: None
) -> None:
    # After ANALYZE (autovacuum's, after an import) 'ministri' is among the most common lexemes in clearly
    # more than the cut: a search leaves 'ministry' out without fetching its passages, with the same
    # result as when it is counted.
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    terms = ["ministry", "glaciers", "alps", "retreating"]
    with Session(engine) as session:
        _library(session)
        counted = index.search_passages(session=session, terms=terms, limit=20)
        assert index._postgres_library(session).common == frozenset()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE passage"))
    index.statistics_clear()
    with Session(engine) as session:
        library = index._postgres_library(session)
        assert "ministri" in library.common
        # Not read: none of its passages fetched, reported as reaching the cut (0 of 0).
        rows = index._postgres_rows(session, terms, {}, library, 10)
        assert [list(pair) for pair in rows[0][5]] == [[0, 1], [2, 0], [2, 0], [1, 0]]
        index.statistics_clear()
        hinted = index.search_passages(session=session, terms=terms, limit=20)
        assert [(hit.passage_id, round(hit.score, 9)) for hit in hinted] == [
            (hit.passage_id, round(hit.score, 9)) for hit in counted
        ]
        _total, learned = index._known(session, ["ministry"])
        assert learned == {"ministry": 4}  # known as common: the cut, as when counted up to it
    index.statistics_clear()
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_searches_without_jit_set_once_per_transaction(postgres_url: str) -> None:
    # JIT compilation (~40 ms for the search statement once its cost estimate passes jit_above_cost) is
    # off for the transaction of a search: one SET LOCAL per transaction, gone with it.
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with Session(engine) as session:
        _library(session)
        server_default = session.execute(text("SHOW jit")).scalar_one()
        session.commit()
        for _ in range(2):
            index.search_passages(session=session, terms=["glaciers", "alps"], limit=5)
        assert session.execute(text("SHOW jit")).scalar_one() == "off"
        assert sum("SET LOCAL jit" in statement for statement in statements) == 1
        session.commit()
        assert session.execute(text("SHOW jit")).scalar_one() == server_default
        index.search_passages(session=session, terms=["glaciers"], limit=5)
        assert sum("SET LOCAL jit" in statement for statement in statements) == 2
    engine.dispose()
