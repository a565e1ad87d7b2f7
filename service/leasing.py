"""Worker leasing: which worker holds a queued row (an import job, an article to extract) and for how long.

A worker takes a row by setting its status to "held" with its worker id and a heartbeat, and keeps
the heartbeat fresh while it works. Another worker takes the row over when the heartbeat goes stale
or, on the same host, as soon as the holding process no longer exists (a kill -9, a crash), so
nothing waits for the timeout after a restart. On PostgreSQL the candidates are read with
`FOR UPDATE SKIP LOCKED`, so several `claimcheck worker` processes never wait on each other; on
SQLite the status condition is repeated in the UPDATE, so only one of two racing workers wins.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, Table, and_, or_, select, update
from sqlmodel import Session

from service.db import is_sqlite, utcnow

STALE_AFTER_SECONDS = 60.0
HOST_PART_CHARS = 40


class LostJob(RuntimeError):
    """Another worker took the row over (this one was thought dead); stop without committing."""


@dataclass(frozen=True)
class Queue:
    """Leasable rows: a table with id, status, worker_id, heartbeat_at; its waiting and held statuses."""

    table: Table
    waiting: str
    held: str


def new_worker_id() -> str:
    """host:pid:random, so a row says which process holds it (`dead_local_workers` reads it back)."""
    return f"{socket.gethostname()[:HOST_PART_CHARS]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _process_alive(worker_id: str) -> bool:
    parts = worker_id.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return True  # not an id this code wrote: leave it to the heartbeat rule
    pid = int(parts[1])
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, under another user
    return True


def dead_local_workers(*, session: Session, queue: Queue) -> list[str]:
    """Worker ids of held rows whose process, on this host, no longer exists.

    Rows of other hosts keep the heartbeat rule, as their pids mean nothing here.
    """
    host = socket.gethostname()[:HOST_PART_CHARS]
    table = queue.table
    held = session.execute(
        select(table.c.worker_id)
        .distinct()
        .where(table.c.status == queue.held, table.c.worker_id.startswith(f"{host}:"))
    ).scalars()
    return [worker_id for worker_id in held if worker_id is not None and not _process_alive(worker_id)]


def lease(
    *,
    session: Session,
    queue: Queue,
    worker_id: str,
    stale_seconds: float = STALE_AFTER_SECONDS,
    row_id: int | None = None,
) -> int | None:
    """Take the oldest waiting row (or this one), or a held one whose worker is gone; its id, or None."""
    table = queue.table
    now = utcnow()
    orphaned = dead_local_workers(session=session, queue=queue)
    claimable: ColumnElement[bool] = or_(
        table.c.status == queue.waiting,
        and_(table.c.status == queue.held, table.c.heartbeat_at < now - timedelta(seconds=stale_seconds)),
        and_(table.c.status == queue.held, table.c.worker_id.in_(orphaned)),
    )
    query = select(table.c.id).where(claimable).order_by(table.c.id).limit(1)
    if row_id is not None:
        query = query.where(table.c.id == row_id)
    if not is_sqlite(session):
        # Several worker processes: each skips rows another is taking right now.
        query = query.with_for_update(skip_locked=True)
    found = session.execute(query).scalar()
    if found is None:
        session.rollback()
        return None
    result = session.execute(
        update(table)
        .where(table.c.id == found, claimable)
        .values(status=queue.held, worker_id=worker_id, heartbeat_at=now)
    )
    session.commit()
    return int(found) if result.rowcount == 1 else None  # type: ignore[attr-defined]


def release(*, session: Session, queue: Queue, row_id: int, worker_id: str) -> None:
    """Hand a held row back to the queue (shutdown): the next worker starts it where it stopped."""
    table = queue.table
    session.execute(
        update(table)
        .where(table.c.id == row_id, table.c.worker_id == worker_id, table.c.status == queue.held)
        .values(status=queue.waiting, worker_id=None)
    )
    session.commit()
