"""What every command tells the user: which database it works on, where the server is ready, and a quick
exit that leaves unfinished work to the next worker."""

from __future__ import annotations

import sys

import typer
from sqlmodel import Session

from service.auth import service as auth
from service.db import get_engine
from service.settings import get_settings


def say_database(url: str | None = None) -> None:
    """Tell the user which database a command works on (on stderr, password hidden)."""
    from sqlalchemy.engine import make_url

    shown = make_url(url or get_settings().database_url).render_as_string(hide_password=True)
    typer.echo(f"database: {shown}", err=True)


def say_ready(host: str, port: int) -> None:
    """The one line a newcomer needs: where it runs, and how to get a key if there is none yet."""
    typer.echo(f"claimcheck ready on http://{host}:{port} (docs /docs, desk /ui)", err=True)
    with Session(get_engine()) as session:
        if not auth.get_all(session=session):
            typer.echo(
                "no API key exists yet: create one with `.venv/bin/claimcheck keys create --role admin "
                "--name me` (printed once), or restart with CLAIMCHECK_ADMIN_KEY set",
                err=True,
            )


def exit_without_waiting_for_abandoned_work() -> None:
    """End the process now, skipping the interpreter's teardown.

    The teardown waits for every executor thread (a batch being written, an LLM request) and then
    garbage-collects the whole heap, seconds on a large worker. What a thread was still doing is
    uncommitted and resumable: the next worker takes the job or article over at once, as this
    process no longer exists (see service/leasing.py).
    """
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
