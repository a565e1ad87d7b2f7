"""`claimcheck demo`: a fresh SQLite database with the sample editorial submitted and the demo reference set
imported, so a newcomer sees the desk with real claims and evidence in a minute."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session

from service.articles import service as articles
from service.articles.schemas import ArticleIn
from service.auth import service as auth
from service.auth.models import Role
from service.db import make_engine, migrate
from service.linking import sources as linking
from service.linking.schemas import SourceIn
from service.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED_EDITORIAL = PROJECT_ROOT.parent / "shared" / "data" / "editorial_ukraine.txt"
SHIPPED_EDITORIAL = PROJECT_ROOT / "demo" / "editorial_ukraine.txt"
REFERENCE_SOURCES = PROJECT_ROOT / "demo" / "reference_sources.ndjson"
# Written after the US-Russia talks in Geneva on 21 January 2022; its "last week" needs a date.
EDITORIAL_PUBLISHED = date(2022, 1, 24)


@dataclass(frozen=True)
class DemoSetup:
    database_url: str
    admin_key: str
    article_id: int
    claim_count: int
    source_count: int


def editorial_path() -> Path:
    """The sample editorial: the shared data copy when present, else the one shipped in demo/."""
    return SHARED_EDITORIAL if SHARED_EDITORIAL.exists() else SHIPPED_EDITORIAL


def prepare(*, directory: Path, settings: Settings) -> DemoSetup:
    """Make `directory`/demo.db: migrated, an admin key, the reference sources, the editorial submitted."""
    database_url = f"sqlite:///{directory / 'demo.db'}"
    migrate(database_url)
    engine = make_engine(database_url, settings)
    try:
        with Session(engine) as session:
            api_key, raw_key = auth.create(session=session, role=Role.admin, name="demo-admin")
            actor = auth.Actor.of(api_key)
            source_count = 0
            if REFERENCE_SOURCES.exists():
                for line in REFERENCE_SOURCES.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        linking.upsert_source(session=session, source_in=SourceIn(**json.loads(line)))
                        source_count += 1
                session.commit()
            body = editorial_path().read_text(encoding="utf-8")
            article_in = ArticleIn(
                title=body.strip().splitlines()[0].strip(),
                body=body,
                published_at=EDITORIAL_PUBLISHED,
                extractor="rules",  # the demo needs no LLM server
            )
            article, claims = articles.submit(
                session=session, article_in=article_in, actor=actor, settings=settings
            )
            assert article.id is not None
            return DemoSetup(
                database_url=database_url,
                admin_key=raw_key,
                article_id=article.id,
                claim_count=len(claims),
                source_count=source_count,
            )
    finally:
        engine.dispose()
