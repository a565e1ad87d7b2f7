"""Fixtures: an app bound to a fresh database, parametrised over SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.deps import get_auth_throttle, get_rate_limiter
from service.db import get_engine, migrate
from service.settings import get_settings

ADMIN_KEY = "cc_test_admin_key_0123456789abcdefghijklmnopqrstuvwxyz"
# Tests publish under the example.org placeholder author (and so do servers they start, which inherit this).
os.environ.setdefault("ALLOW_PLACEHOLDER_ORGANIZATION", "true")
POSTGRES_DSN = os.environ.get("CLAIMCHECK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ROLES = ("reader", "newsroom", "checker", "admin")
# Debian's Chromium (Playwright cannot download its own browser here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES_DSN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    reachable = _postgres_reachable()
    if not reachable and os.environ.get("CLAIMCHECK_REQUIRE_POSTGRES") == "1":
        pytest.fail(
            f"PostgreSQL at {POSTGRES_DSN} is required (CLAIMCHECK_REQUIRE_POSTGRES=1) but unreachable"
        )
    return reachable


@pytest.fixture
def postgres_url(postgres_available: bool) -> Iterator[str]:
    """A URL whose connections live in a fresh schema, dropped after the test."""
    if not postgres_available:
        pytest.skip("PostgreSQL is not reachable")
    schema = f"cc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    host_part = POSTGRES_DSN.removeprefix("postgresql://")
    yield f"postgresql+psycopg://{host_part}?options=-csearch_path%3D{schema}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh, empty database: a SQLite file or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'claimcheck.db'}"
    return str(request.getfixturevalue("postgres_url"))


def reset_process_caches() -> None:
    """Forget cached settings, engine and rate limiter so the next app reads the new environment."""
    get_settings.cache_clear()
    get_engine.cache_clear()
    get_rate_limiter.cache_clear()
    get_auth_throttle.cache_clear()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest migration, made once per test process: an app under test starts from a
    copy of it (migrating a fresh file costs about 0.25 s of CPU, a quarter of a typical API test)."""
    path = tmp_path_factory.mktemp("migrated") / "claimcheck.db"
    migrate(f"sqlite:///{path}")
    # Alembic's engine is disposed, so the write-ahead log is checkpointed: the one file is the database.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def configure(
    database_url: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Callable[..., None]:
    """Set environment for the app under test; call again with overrides before building it.

    A SQLite database that does not exist yet starts as a copy of `migrated_sqlite` (the app's start-up
    migration then finds nothing to do); `database_url` alone stays an empty database."""
    sqlite_path = (
        Path(database_url.removeprefix("sqlite:///")) if database_url.startswith("sqlite:///") else None
    )
    if sqlite_path is not None and not sqlite_path.exists():
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), sqlite_path)

    def apply(**overrides: str) -> None:
        values = {
            "DATABASE_URL": database_url,
            "CLAIMCHECK_ADMIN_KEY": ADMIN_KEY,
            "RATE_LIMIT_PER_MINUTE": "100000",
            "RATE_LIMIT_BURST": "100000",
            "AUTH_FAILURES_PER_MINUTE": "100000",  # tests send wrong keys on purpose, many per minute
            "LOG_JSON": "true",
            "LLM_BASE_URL": "",
            # Tests that exercise the embedding matcher turn it on; elsewhere it would only add start-up time.
            "SEMANTIC": "off",
            **overrides,
        }
        for name, value in values.items():
            if value == "":
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        reset_process_caches()

    apply()
    return apply


@pytest.fixture
def app(configure: Callable[..., None]) -> Iterator[FastAPI]:
    from service.main import create_app

    yield create_app()
    get_engine().dispose()
    reset_process_caches()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keys(client: TestClient) -> dict[str, str]:
    """One raw key per role, created through the API with the bootstrap admin key."""
    created = {"admin": ADMIN_KEY}
    for role in ROLES[:-1]:
        response = client.post(
            "/v1/keys", json={"role": role, "name": f"test-{role}"}, headers=bearer(ADMIN_KEY)
        )
        assert response.status_code == 201, response.text
        created[role] = response.json()["key"]
    return created


def bearer(raw_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw_key}"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run: Playwright's sync API allows one instance per thread, so every
    browser test (desk journeys, the Checked-before panel, /docs) shares this one."""
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
