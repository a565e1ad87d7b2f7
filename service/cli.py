"""The `claimcheck` command: serve, migrate, keys, extract (and import, worker, demo)."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from service.auth import service as auth
from service.auth.models import Role
from service.db import get_engine, migrate
from service.settings import get_settings

app = typer.Typer(help="claimcheck: checkable claims from news articles.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Start the API with uvicorn (migrations are applied first unless MIGRATE_ON_START=false)."""
    import uvicorn

    settings = get_settings()
    if settings.migrate_on_start:
        # Once, here, rather than racing in every worker process.
        migrate(settings.database_url)
    uvicorn.run(
        "service.main:app",
        host=host,
        port=port,
        workers=workers,
        timeout_graceful_shutdown=20,
        log_level="warning",
        proxy_headers=True,
    )


@app.command("migrate")
def migrate_command() -> None:
    """Apply pending database migrations."""
    migrate(get_settings().database_url)
    typer.echo("database is at the newest migration")


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="reader, newsroom, checker or admin.")],
    name: Annotated[str, typer.Option(help="Who or what uses the key.")],
) -> None:
    """Create a key and print its secret (shown only once)."""
    migrate(get_settings().database_url)
    with Session(get_engine()) as session:
        api_key, raw_key = auth.create(session=session, role=role, name=name)
    typer.echo(json.dumps({"id": api_key.id, "role": api_key.role, "name": api_key.name, "key": raw_key}))


@keys_app.command("list")
def keys_list() -> None:
    """List active keys (without secrets)."""
    with Session(get_engine()) as session:
        for api_key in auth.get_all(session=session):
            typer.echo(f"{api_key.id}\t{api_key.role}\t{api_key.key_prefix}…\t{api_key.name}")


@keys_app.command("revoke")
def keys_revoke(key_id: int) -> None:
    """Revoke a key at once."""
    with Session(get_engine()) as session:
        auth.revoke(session=session, key_id=key_id)
    typer.echo(f"key {key_id} revoked")


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="A UTF-8 text file, or - for standard input.")],
    published_at: Annotated[str | None, typer.Option(help="Publication date, YYYY-MM-DD.")] = None,
) -> None:
    """Extract claims from a text file and print them as JSON (no server or database needed)."""
    from service.extraction import extract as extract_claims

    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    published = date.fromisoformat(published_at) if published_at else None
    result = extract_claims(text, published_at=published)
    typer.echo(json.dumps(dataclasses.asdict(result), indent=2, ensure_ascii=False))


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    serve_demo: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server after setup.")
    ] = True,
) -> None:
    """Start the service on a fresh SQLite database with the sample editorial and the demo reference set."""
    import os
    import tempfile

    from service.ui.demo import prepare

    directory = Path(tempfile.mkdtemp(prefix="claimcheck-demo-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'demo.db'}"
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
    if serve_demo:
        import uvicorn

        uvicorn.run("service.main:app", host=host, port=port, log_level="warning")


if __name__ == "__main__":
    app()
