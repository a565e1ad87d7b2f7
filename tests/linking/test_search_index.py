"""Batched source import and the candidate search on SQLite and PostgreSQL: pairs of key terms first."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from service.db import make_engine, migrate
from service.linking import index, rank, service
from service.linking.models import Passage, Source
from service.linking.schemas import SourceIn


def _source(url: str, text: str) -> SourceIn:
    return SourceIn(url=url, title=url.rsplit("/", 1)[-1], text=text)


def test_upsert_sources_inserts_new_urls_together_and_updates_known_and_repeated_ones(
    database_url: str,
) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        known, _ = service.create(session=session, source_in=_source("https://s.example/known", "Old text."))
        assert known.id is not None
        results = service.upsert_sources(
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
        by_url = {source.url: source for source in session.exec(select(Source))}
        assert by_url["https://s.example/a"].text.endswith("this time.")
        passages = session.exec(select(Passage).where(Passage.source_id == results[0][0])).all()
        assert [passage.text for passage in passages] == [
            "Russia named Romania, Bulgaria and Poland this time."
        ]
        # The batch-inserted rows are in the search index the moment they are written.
        found = index.candidate_texts(session=session, terms=["missiles"], limit=10)
        assert [passage_id for passage_id, _text in found] == [
            passage.id for passage in session.exec(select(Passage).where(Passage.source_id == results[2][0]))
        ]
    engine.dispose()


def test_candidates_pair_key_terms_first_and_top_up_from_any_term(database_url: str) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        service.upsert_sources(
            session=session,
            sources_in=[
                _source(
                    "https://s.example/nato", "NATO leaders met in Brussels to discuss the alliance budget."
                ),
                _source("https://s.example/both", "Russia wants NATO forces out of Romania and Bulgaria."),
                _source(
                    "https://s.example/one", "Romania hosts a NATO air policing mission on the Black Sea."
                ),
            ],
        )
        session.commit()
        query = rank.EvidenceQuery(
            text="Russia wants NATO to leave Romania and Bulgaria.",
            entities=("Russia", "NATO"),
            items=("Romania", "Bulgaria"),
        )
        assert query.key_terms[:2] == ("romania", "bulgaria")
        found = index.candidate_texts(
            session=session, terms=query.search_terms, key_terms=query.key_terms, limit=10
        )
        texts = [passage_text for _id, passage_text in found]
        # Two passages pair key terms, the one naming most of them first; the third (NATO only) comes
        # from the OR of all terms, since so few passages pair up.
        assert texts[0].startswith("Russia wants NATO")
        assert len(texts) == 3
        only_one_key = index.candidate_texts(
            session=session, terms=["brussels", "budget"], key_terms=["brussels", "sofia"], limit=10
        )
        # No passage pairs Brussels with Sofia: the OR of all terms still finds the Brussels one.
        assert [text.split()[0] for _id, text in only_one_key] == ["NATO"]
        ranked = rank.rank_texts(query, rank.shortlist(query, found, keep=2))
        assert ranked[0][1].matched_items == ("Romania", "Bulgaria")
        assert [score.score for _id, score in ranked] == sorted(
            (score.score for _id, score in ranked), reverse=True
        )
    engine.dispose()


def test_shortlist_keeps_the_passages_the_full_scorer_ranks_best() -> None:
    query = rank.EvidenceQuery.from_text("Putin wants NATO out of Romania and Bulgaria, Estonia and Latvia")
    unrelated = [
        (n, f"Officials in Brussels discussed budget item {n} without any decision.") for n in range(50)
    ]
    relevant = [
        (100, "Putin demanded that NATO leave Romania, Bulgaria, Estonia and Latvia."),
        (101, "Putin said NATO should leave Romania."),
    ]
    kept = rank.shortlist(query, [*unrelated[:25], *relevant, *unrelated[25:]], keep=5)
    assert {passage_id for passage_id, _text in kept} >= {100, 101}
    full = rank.rank_texts(query, [*unrelated, *relevant])
    assert [passage_id for passage_id, _score in full[:2]] == [100, 101]
