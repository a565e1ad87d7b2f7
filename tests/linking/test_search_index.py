"""Batched source import and the first-stage search on SQLite and PostgreSQL: every content word, the title
as its own field, kept in step by the database (inserts, text and title updates, deletes)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from service.db import make_engine, migrate
from service.linking import index, sources
from service.linking.models import Passage, Source
from service.linking.query import EvidenceQuery
from service.linking.schemas import SourceIn


def _source(url: str, body: str, title: str | None = None) -> SourceIn:
    return SourceIn(url=url, title=title or url.rsplit("/", 1)[-1], text=body)


def _found(session: Session, terms: list[str]) -> list[int]:
    return [hit.passage_id for hit in index.search_passages(session=session, terms=terms, limit=10)]


def test_upsert_sources_inserts_new_urls_together_and_updates_known_and_repeated_ones(
    database_url: str,
) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        known, _ = sources.create(session=session, source_in=_source("https://s.example/known", "Old text."))
        assert known.id is not None
        results = sources.upsert_sources(
            session=session,
            sources_in=[
                _source("https://s.example/a", "Russia named Romania and Bulgaria in its demands to NATO."),
                _source("https://s.example/known", "Estonia and Latvia joined the alliance in 2004."),
                _source("https://s.example/b", "Talks in Geneva ended without agreement on missiles."),
                _source("https://s.example/a", "Russia named Romania, Bulgaria and Poland this time."),
            ],
        )
        session.commit()
        assert [created for _id, created in results] == [True, False, True, False]
        assert results[1][0] == known.id
        assert results[0][0] == results[3][0]
        assert session.exec(select(func.count()).select_from(Source)).one() == 3
        passages = session.exec(select(Passage).where(Passage.source_id == results[0][0])).all()
        assert [passage.text for passage in passages] == [
            "Russia named Romania, Bulgaria and Poland this time."
        ]
        # The batch-inserted rows are in the search index the moment they are written, stemmed.
        missiles = session.exec(select(Passage.id).where(Passage.source_id == results[2][0])).all()
        assert _found(session, ["missile"]) == list(missiles)
        # The replaced text left the index with its row.
        assert _found(session, ["estonia"]) and not _found(session, ["old"])
    engine.dispose()


def test_any_content_word_selects_a_passage_and_the_title_is_searched_too(database_url: str) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        sources.upsert_sources(
            session=session,
            sources_in=[
                _source("https://s.example/sunset", "A photo of a sunset over Europe.", "Photo contest"),
                _source(
                    "https://s.example/mcv",
                    "Coverage with the second dose of measles-containing vaccine fell to 91 per cent.",
                    "Immunisation in Europe",
                ),
                _source("https://s.example/bears", "Their numbers declined sharply.", "Polar bear"),
            ],
        )
        session.commit()
        by_url = {url: source_id for source_id, url in session.execute(select(Source.id, Source.url))}
        query = EvidenceQuery("Measles vaccine coverage in Europe fell to 91%")
        hits = index.search_passages(session=session, terms=query.search_terms, limit=10)
        first = session.get(Passage, hits[0].passage_id)
        assert first is not None and first.source_id == by_url["https://s.example/mcv"]
        assert hits[0].title_score > 0 and hits[0].text_score > 0
        # "polar bears" is only in the title of the third source: the title field finds it.
        bears = _found(session, list(EvidenceQuery("polar bears are declining").search_terms))
        assert bears and session.get(Passage, bears[0]).source_id == by_url["https://s.example/bears"]  # type: ignore[union-attr]
        # Renaming a source re-indexes its passages' title (a trigger, not the application).
        session.execute(
            text("UPDATE source SET title = 'Walrus' WHERE id = :id"),
            {"id": by_url["https://s.example/bears"]},
        )
        session.commit()
        assert _found(session, ["polar"]) == []
        assert len(_found(session, ["walrus"])) == 1
        # Deleting a source cascades to its passages and their index entries.
        sources.delete(session=session, source_id=by_url["https://s.example/mcv"])
        assert _found(session, ["measles"]) == []
    engine.dispose()


def test_hostile_terms_are_phrases_never_query_syntax(database_url: str) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        sources.create(
            session=session, source_in=_source("https://s.example/x", 'NEAR "quoted" text (AND) OR')
        )
        for terms in (
            ['"', "NEAR(", "*", "AND", "OR", "NOT", 'a"b', "title:x", "^", ""],
            ["'; DROP TABLE passage; --"],
        ):
            index.search_passages(session=session, terms=terms, limit=5)
        assert session.exec(select(func.count()).select_from(Passage)).one() == 1
    engine.dispose()


def test_a_common_term_is_left_out_of_the_query_and_the_rarer_ones_still_rank(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A word in 8 of 10 passages is common once the cut is 3 passages: it no longer selects a passage,
    # while a passage with the rarer words still ranks first; alone, it is still searched (MIN_TERMS).
    monkeypatch.setattr(index, "COMMON_MIN_PASSAGES", 3)
    monkeypatch.setattr(index, "STATISTICS_EXACT_BELOW", 0)
    index.statistics_clear()
    migrate(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        bodies = [f"The ministry published report number {n} on Tuesday." for n in range(8)] + [
            "Glaciers in the Alps lost a tenth of their ice.",
            "The ministry said glaciers are retreating in the Alps.",
        ]
        sources.upsert_sources(
            session=session,
            sources_in=[
                _source(f"https://s.example/{n}", body, f"Page {n}") for n, body in enumerate(bodies)
            ],
        )
        session.commit()
        by_text = {row.text: row.id for row in session.exec(select(Passage))}
        terms = ["ministry", "glaciers", "alps", "retreating"]
        # The first search counts the terms (PostgreSQL: in the same statement), the second uses them.
        for _ in range(2):
            found = _found(session, terms)
            assert found[0] == by_text[bodies[9]]
            assert sorted(found) == sorted([by_text[bodies[8]], by_text[bodies[9]]])
        assert len(_found(session, ["ministry"])) == 9
    index.statistics_clear()
    engine.dispose()


def test_postgresql_scores_as_fts5_bm25_so_both_databases_rank_alike(database_url: str) -> None:
    # The same library on both: a title match counts twice a text match, a rarer term more than a
    # common one, a short passage more than a long one with the same words.
    migrate(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        sources.upsert_sources(
            session=session,
            sources_in=[
                _source("https://s.example/title", "Numbers fell again this year.", "Polar bears"),
                _source("https://s.example/text", "Polar bears numbers fell again this year.", "Arctic"),
                _source(
                    "https://s.example/long",
                    "Polar bears were seen, and many other animals of the region were counted by "
                    "observers on a long trip across the ice this year.",
                    "Trip",
                ),
                _source("https://s.example/year", "This year was warm.", "Weather"),
                *(
                    _source(f"https://s.example/other/{n}", f"Rain is expected in region {n}.", "Forecast")
                    for n in range(6)
                ),
            ],
        )
        session.commit()
        urls = dict(session.execute(select(Passage.id, Source.url).join(Source)).all())
        hits = index.search_passages(session=session, terms=["polar", "bears", "year"], limit=10)
        assert [urls[hit.passage_id] for hit in hits] == [
            "https://s.example/title",
            "https://s.example/text",
            "https://s.example/long",
            "https://s.example/year",
        ]
        title, body = hits[0], hits[1]
        assert title.title_score > 0 and body.title_score == 0 and body.text_score > title.text_score
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_caps_the_search_index_pending_list(postgres_url: str) -> None:
    # Migrations 0019 and 0020: searches scan at most 64 kB of not yet merged index entries.
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        options = connection.execute(
            text("SELECT reloptions FROM pg_class WHERE oid = 'ix_passage_search_vector'::regclass")
        ).scalar_one()
    assert "gin_pending_list_limit=64" in options
    engine.dispose()
