"""`claimcheck keys`: create, list and revoke API keys on the configured database."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlmodel import Session

from service.auth import service as auth
from service.auth.models import Role
from service.cli.console import say_database
from service.db import get_engine, migrate
from service.settings import get_settings

keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="reader, newsroom, checker or admin.")],
    name: Annotated[str, typer.Option(help="Who or what uses the key.")],
) -> None:
    """Create a key and print its secret (shown only once)."""
    say_database()
    migrate(get_settings().database_url)
    with Session(get_engine()) as session:
        api_key, raw_key = auth.create(session=session, role=role, name=name)
    typer.echo(json.dumps({"id": api_key.id, "role": api_key.role, "name": api_key.name, "key": raw_key}))


@keys_app.command("list")
def keys_list() -> None:
    """List active keys (without secrets)."""
    say_database()
    with Session(get_engine()) as session:
        for api_key in auth.get_all(session=session):
            typer.echo(f"{api_key.id}\t{api_key.role}\t{api_key.key_prefix}…\t{api_key.name}")


@keys_app.command("revoke")
def keys_revoke(key_id: int) -> None:
    """Revoke a key at once."""
    say_database()
    with Session(get_engine()) as session:
        auth.revoke(session=session, key_id=key_id)
    typer.echo(f"key {key_id} revoked")


@keys_app.command("revoke-bootstrap")
def keys_revoke_bootstrap() -> None:
    """Revoke the admin keys earlier values of CLAIMCHECK_ADMIN_KEY made (the current value stays valid).

    Every value CLAIMCHECK_ADMIN_KEY ever had at start-up stays an admin key until revoked: run this after
    changing it.
    """
    say_database()
    settings = get_settings()
    current = settings.claimcheck_admin_key.get_secret_value() if settings.claimcheck_admin_key else None
    with Session(get_engine()) as session:
        revoked = auth.revoke_old_bootstrap_keys(session=session, keep_raw_key=current)
        for api_key in revoked:
            typer.echo(f"key {api_key.id} revoked ({api_key.key_prefix}…, {api_key.name})")
    kept = "the current CLAIMCHECK_ADMIN_KEY stays valid" if current else "CLAIMCHECK_ADMIN_KEY is not set"
    typer.echo(f"{len(revoked)} earlier bootstrap admin key(s) revoked; {kept}", err=True)
