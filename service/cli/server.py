"""`claimcheck serve`, `migrate`, `worker` and `demo`: the processes a deployment runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from service.cli.console import exit_without_waiting_for_abandoned_work, say_database, say_ready
from service.db import get_engine, migrate
from service.settings import get_settings


def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Start the API with uvicorn (migrations are applied first unless MIGRATE_ON_START=false)."""
    from service import serving

    try:
        settings = get_settings()
    except ValidationError as exc:  # e.g. a short CLAIMCHECK_ADMIN_KEY: say why, without a traceback
        typer.echo(f"claimcheck: refusing to start: {exc}", err=True)
        raise typer.Exit(2) from exc
    say_database()
    try:
        serving.check_port(host, port)
    except serving.PortInUse as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    if settings.migrate_on_start:
        # Once, here, rather than racing in every worker process.
        migrate(settings.database_url)
    serving.run(
        host=host,
        port=port,
        workers=workers,
        on_ready=lambda bound: say_ready(host, bound),
        # Open requests get this long after SIGTERM; the in-process worker then stops within
        # SHUTDOWN_WAIT_SECONDS (its batch or article is resumable), so the process ends within 5 s.
        timeout_graceful_shutdown=2,
        log_level="warning",
        proxy_headers=True,
    )
    exit_without_waiting_for_abandoned_work()


def migrate_command() -> None:
    """Apply pending database migrations."""
    say_database()
    migrate(get_settings().database_url)
    typer.echo("database is at the newest migration")


def worker(
    stale_seconds: Annotated[
        float, typer.Option(help="Take over running jobs whose heartbeat is older than this.")
    ] = 60.0,
) -> None:
    """Run a worker (import jobs, pending articles) until SIGTERM or Ctrl-C; start several beside
    PostgreSQL, they share the queue. On a signal no new batch or article is started, and the process
    ends within a few seconds: what it was doing is finished or left for the next worker to resume."""
    import signal
    import threading

    from service.imports.worker import ImportWorker

    settings = get_settings()
    say_database()
    if settings.migrate_on_start:
        migrate(settings.database_url)
    import_worker = ImportWorker(engine=get_engine(), settings=settings, stale_seconds=stale_seconds)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    typer.echo(f"worker {import_worker.worker_id} started", err=True)
    # The loop runs in a thread so this one stays free to answer the signal at once.
    import_worker.start()
    while not stopping.wait(0.5) and not import_worker.wait(0):
        pass
    import_worker.stop()
    typer.echo(f"worker {import_worker.worker_id} stopped", err=True)
    exit_without_waiting_for_abandoned_work()


def demo(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    serve_demo: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server after setup.")
    ] = True,
    directory: Annotated[
        Path | None,
        typer.Option(
            file_okay=False,
            help="Where to make demo.db (kept). Default: a temporary directory, removed on exit.",
        ),
    ] = None,
) -> None:
    """Start the service on a fresh SQLite database with the sample editorial and the demo reference set."""
    import os
    import shutil
    import tempfile

    from service import serving
    from service.ui.demo import prepare

    if serve_demo:
        try:  # before a key is printed that would belong to no server
            serving.check_port(host, port)
        except serving.PortInUse as exc:
            typer.echo(str(exc).replace("make run", "make demo"), err=True)
            raise typer.Exit(1) from exc
    temporary = directory is None
    directory = Path(tempfile.mkdtemp(prefix="claimcheck-demo-")) if directory is None else directory
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'demo.db'}"
    # A demo may publish under the example.org placeholder author; a deployment may not.
    os.environ.setdefault("ALLOW_PLACEHOLDER_ORGANIZATION", "true")
    get_settings.cache_clear()
    get_engine.cache_clear()
    typer.echo(
        "Preparing the demo: importing the reference set, extracting the sample editorial...", err=True
    )
    setup = prepare(directory=directory, settings=get_settings())
    typer.echo(
        f"claimcheck demo: {setup.claim_count} claims, {setup.source_count} reference sources\n"
        f"  open     http://{host}:{port}/ui\n"
        f"  sign in  {setup.admin_key}   (an admin API key)\n"
        f"  database {setup.database_url}"
    )
    if not serve_demo:
        return
    try:
        serving.run(
            host=host,
            port=port,
            workers=1,
            on_ready=lambda bound: say_ready(host, bound),
            log_level="warning",
        )
    finally:
        get_engine().dispose()
        if temporary:
            shutil.rmtree(directory, ignore_errors=True)
