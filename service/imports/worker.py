"""The worker: runs durable import jobs, extracts pending articles, and when idle embeds claims.

Runs as a thread inside the API process (RUN_WORKER_IN_PROCESS, the SQLite default) or as one or more
`claimcheck worker` processes beside a PostgreSQL database.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlmodel import Session

from service.articles import extraction_jobs
from service.imports import runner
from service.leasing import STALE_AFTER_SECONDS, new_worker_id
from service.settings import Settings

log = logging.getLogger("claimcheck.imports.worker")
# How long shutdown waits for the current batch or article before leaving it to the next worker
# (both are resumable: the process's death frees them at once on this host).
SHUTDOWN_WAIT_SECONDS = 2.0


class ImportWorker:
    """Polls for import jobs and pending articles; `run_once` processes at most one job or article."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        worker_id: str | None = None,
        stale_seconds: float = STALE_AFTER_SECONDS,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.worker_id = worker_id or new_worker_id()
        self.stale_seconds = stale_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> bool:
        """Finish one import job, or else extract one pending article; False when there was nothing."""
        if self._run_import():
            return True
        article_id = extraction_jobs.extract_next(
            engine=self.engine,
            worker_id=self.worker_id,
            settings=self.settings,
            stale_seconds=self.stale_seconds,
        )
        return article_id is not None

    def _run_import(self) -> bool:
        with Session(self.engine) as session:
            job_id = runner.claim_next(
                session=session, worker_id=self.worker_id, stale_seconds=self.stale_seconds
            )
        if job_id is None:
            return False
        log.info("import job started", extra={"import_id": job_id, "worker_id": self.worker_id})
        status = runner.run(
            engine=self.engine,
            job_id=job_id,
            worker_id=self.worker_id,
            settings=self.settings,
            stop=self._stop,
        )
        log.info("import job ended", extra={"import_id": job_id, "status": status})
        return True

    def run_forever(self) -> None:
        """Process jobs and articles until stop() is called; embed new claims in idle moments."""
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
        from service.linking import embeddings

        with Session(self.engine) as session:
            # Claims first (matching waits on them), then reference passages (evidence retrieval).
            if semantic.embed_pending(session=session) > 0:
                return True
            return embeddings.embed_pending(session=session) > 0

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def start(self) -> None:
        """Run in a daemon thread (the in-process worker)."""
        self._thread = threading.Thread(target=self.run_forever, name="import-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = SHUTDOWN_WAIT_SECONDS) -> None:
        """Ask the loop to end: no new batch or article is started; wait a moment for the current one."""
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
