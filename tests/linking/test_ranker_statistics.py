"""The ranker's idf comes from the document frequencies the full-text search counted, on either database."""

from __future__ import annotations

from sqlmodel import Session

from service.db import make_engine, migrate
from service.linking import evidence, index, sources
from service.linking.schemas import SourceIn


def test_the_search_counts_the_claims_words_and_the_ranker_reads_them(database_url: str) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    texts = [
        "Permafrost thaw releases methane in Siberia.",
        "Methane emissions from cattle are rising.",
        "The glacier retreated two kilometres.",
    ]
    with Session(engine) as session:
        sources.upsert_sources(
            session=session,
            sources_in=[
                SourceIn(url=f"https://s.example/{n}", title=f"Source {n}", text=body)
                for n, body in enumerate(texts)
            ],
        )
        session.commit()
        found = evidence.search(
            session=session, text="Permafrost methane is rising", limit=3, use_semantic=False
        )
        assert found[0].passage.startswith("Permafrost")
        passages, frequencies = index.term_statistics(
            session, ["permafrost", "methane", "rising", "unsearched"]
        )
        assert passages == 3
        assert frequencies == {"permafrost": 1, "methane": 2, "rising": 1}
    engine.dispose()
