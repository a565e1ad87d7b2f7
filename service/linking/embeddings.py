"""Passage embeddings for dense evidence retrieval (the semantic extra), computed in the background.

The worker embeds passages in idle moments, as it does claims (`embed_pending`); a search loads them
into an in-memory float16 matrix (~77 MB per 100k passages), topped up with newly embedded ones, and
scores every row (a few ms per 100k). Passages not embedded yet are still found by the full-text
search; `readiness` says how many are waiting.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from service.db import is_sqlite
from service.linking.models import Passage, PassageEmbedding
from service.matching import semantic

EMBED_BATCH = 256


def embed_pending(*, session: Session, limit: int = EMBED_BATCH) -> int:
    """Embed up to `limit` passages that have no embedding yet, oldest first; returns how many."""
    pending = session.exec(
        select(Passage.id, Passage.text)
        .where(col(Passage.id).not_in(select(PassageEmbedding.passage_id)))
        .order_by(col(Passage.id))
        .limit(limit)
    ).all()
    if not pending:
        return 0
    vectors = semantic.embed([passage_text for _id, passage_text in pending])
    # Another process (or the worker thread) may embed the same passages meanwhile: the first one wins.
    dialect_insert = sqlite_insert if is_sqlite(session) else postgres_insert
    session.execute(
        dialect_insert(PassageEmbedding).on_conflict_do_nothing(index_elements=["passage_id"]),
        [
            {
                "passage_id": passage_id,
                "model": semantic.MODEL_NAME,
                "vector": vector.astype("float16").tobytes(),
            }
            for (passage_id, _text), vector in zip(pending, vectors, strict=True)
        ],
    )
    session.commit()
    return len(pending)


@dataclass(frozen=True)
class Readiness:
    passages: int
    embedded: int

    @property
    def pending(self) -> int:
        return max(0, self.passages - self.embedded)


def readiness(*, session: Session) -> Readiness:
    """How many passages there are and how many of them are embedded."""
    passages = session.exec(select(func.count()).select_from(Passage)).one()
    embedded = session.exec(select(func.count()).select_from(PassageEmbedding)).one()
    return Readiness(passages=passages, embedded=embedded)


class PassageMatrix(semantic.EmbeddingMatrix):
    """Every stored passage embedding in one matrix (nearest and cosines as for claims), topped up on use."""

    def refresh(self, session: Session) -> None:
        """Load embeddings of passages newer than the last one loaded (ids only grow)."""
        import numpy as np

        with self.lock:
            rows = session.exec(
                select(PassageEmbedding.passage_id, PassageEmbedding.vector)
                .where(col(PassageEmbedding.passage_id) > self.last_id)
                .order_by(col(PassageEmbedding.passage_id))
            ).all()
            if not rows:
                return
            ids = np.fromiter((passage_id for passage_id, _ in rows), dtype=np.int64, count=len(rows))
            vectors = np.frombuffer(b"".join(bytes(vector) for _, vector in rows), dtype=np.float16)
            self.ids = np.concatenate([self.ids, ids])
            self.vectors = np.concatenate([self.vectors, vectors.reshape(len(rows), semantic.DIMENSIONS)])
            self.last_id = int(ids[-1])

    @property
    def size(self) -> int:
        return len(self.ids)


_matrices: dict[str, PassageMatrix] = {}
_matrices_lock = threading.Lock()


def matrix_for(session: Session) -> PassageMatrix:
    """The process's passage matrix for this database, refreshed."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _matrices_lock:
        matrix = _matrices.setdefault(key, PassageMatrix())
    matrix.refresh(session)
    return matrix
