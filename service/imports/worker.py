"""The import worker: claims durable jobs and runs them; when idle, embeds claims for semantic matching.

Runs as a thread inside the API process (RUN_WORKER_IN_PROCESS, the SQLite default) or as one or more
`claimcheck worker` processes beside a PostgreSQL database.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from sqlalchemy import Engine
from sqlmodel import Session

from service.imports import jobs
from service.settings import Settings

log = logging.getLogger("claimcheck.imports.worker")


def new_worker_id() -> str:
    """host:pid:random, so a job's row says which process holds it."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ImportWorker:
    """Polls for import jobs; `run_once` processes at most one job."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        worker_id: str | None = None,
        stale_seconds: float = jobs.STALE_AFTER_SECONDS,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.worker_id = worker_id or new_worker_id()
        self.stale_seconds = stale_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> bool:
        """Claim and finish one job; False when there was none to take."""
        with Session(self.engine) as session:
            job_id = jobs.claim_next(
                session=session, worker_id=self.worker_id, stale_seconds=self.stale_seconds
            )
        if job_id is None:
            return False
        log.info("import job started", extra={"import_id": job_id, "worker_id": self.worker_id})
        status = jobs.run(
            engine=self.engine,
            job_id=job_id,
            worker_id=self.worker_id,
            settings=self.settings,
            stop=self._stop,
        )
        log.info("import job ended", extra={"import_id": job_id, "status": status})
        return True

    def run_forever(self) -> None:
        """Process jobs until stop() is called; embed new claims in idle moments."""
        while not self._stop.is_set():
            try:
                if self.run_once():
                    continue
                if self._embed_some():
                    continue
            except Exception:
                log.exception("import worker error; retrying after a pause")
            self._stop.wait(self.settings.worker_poll_seconds)

    def _embed_some(self) -> bool:
        from service.matching import semantic

        if not semantic.enabled(self.settings):
            return False
        with Session(self.engine) as session:
            return semantic.embed_pending(session=session) > 0

    def start(self) -> None:
        """Run in a daemon thread (the in-process worker)."""
        self._thread = threading.Thread(target=self.run_forever, name="import-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to end and wait for the current batch to commit."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


_in_process: ImportWorker | None = None


def start_in_process() -> None:
    """At API start-up: say which matcher runs, and start the worker thread if RUN_WORKER_IN_PROCESS."""
    global _in_process
    from service.db import get_engine
    from service.matching import semantic
    from service.settings import get_settings

    settings = get_settings()
    log.info("claim matcher: %s", semantic.describe(settings), extra={"semantic": settings.semantic})
    if settings.run_worker_in_process and _in_process is None:
        _in_process = ImportWorker(engine=get_engine(), settings=settings)
        _in_process.start()


def stop_in_process() -> None:
    """At API shutdown: let the current batch commit, hand the job back, stop the thread."""
    global _in_process
    if _in_process is not None:
        _in_process.stop()
        _in_process = None
