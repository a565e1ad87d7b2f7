"""The command line a newcomer uses: which database each command works on, `serve` saying where it is
ready (after the bind) and how to get a key, a busy port named with the fix, `import` failing loudly."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from service.cli import app
from tests.conftest import reset_process_caches

CLAIMCHECK = str(Path(sys.executable).parent / "claimcheck")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


@pytest.fixture
def fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("CLAIMCHECK_ADMIN_KEY", raising=False)
    monkeypatch.setenv("SEMANTIC", "off")
    reset_process_caches()
    yield url
    reset_process_caches()


def server_env(database_url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SEMANTIC": "off", "LOG_LEVEL": "WARNING"}
    env.pop("CLAIMCHECK_ADMIN_KEY", None)
    env.pop("LLM_BASE_URL", None)
    return env


@pytest.mark.slow
def test_serve_says_ready_after_the_bind_and_how_to_get_a_key(tmp_path: Path, fresh_database: str) -> None:
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [CLAIMCHECK, "serve", "--port", str(port)],
            cwd=tmp_path,
            env=server_env(fresh_database),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        ready = f"claimcheck ready on http://127.0.0.1:{port} (docs /docs, desk /ui)"
        while ready not in log_path.read_text() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        output = log_path.read_text()
        assert ready in output, output
        # Said after the bind: the first request right after the line is answered.
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
        deadline = time.monotonic() + 10
        while "no API key exists yet" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        output = log_path.read_text()
        assert "no API key exists yet" in output and "claimcheck keys create --role admin" in output
        assert f"database: {fresh_database}" in output
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
def test_serve_on_a_busy_port_names_the_fix(tmp_path: Path, fresh_database: str, busy_port: int) -> None:
    finished = subprocess.run(
        [CLAIMCHECK, "serve", "--port", str(busy_port)],
        cwd=tmp_path,
        env=server_env(fresh_database),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 1
    assert f"port {busy_port} on 127.0.0.1 is already in use" in finished.stderr
    assert "PORT=8001 make run" in finished.stderr
    assert "claimcheck ready" not in finished.stderr


def test_demo_checks_the_port_before_it_prints_a_key(fresh_database: str, busy_port: int) -> None:
    result = CliRunner().invoke(app, ["demo", "--port", str(busy_port)])
    assert result.exit_code == 1
    assert "PORT=8001 make demo" in result.output
    assert "sign in" not in result.output


def test_import_exits_1_with_a_summary_and_the_errors_csv_hint(tmp_path: Path, fresh_database: str) -> None:
    upload = tmp_path / "newsroom-claims.ndjson"
    upload.write_text(
        "\n".join(
            json.dumps(row)
            for row in ({"text": "The bridge opened in 1932"}, {"text": ""}, {"text": "Tax rose 2%"})
        )
        + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["import", "claims", str(upload)])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["failed"]) == (2, 1)
    assert summary["first_errors"][0]["error"] == "text: required"
    assert "import newsroom-claims.ndjson" in result.stderr  # the progress bar names the file
    assert "1 of 3 rows failed" in result.stderr and "errors.csv" in result.stderr
    assert f"database: {fresh_database}" in result.stderr

    good = tmp_path / "good.ndjson"
    good.write_text(json.dumps({"text": "The dam holds 3 billion litres"}) + "\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["import", "claims", str(good)]).exit_code == 0


def test_every_database_command_says_which_database(fresh_database: str) -> None:
    for command in (["migrate"], ["keys", "list"], ["export", "claims", "--format", "ndjson"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0, (command, result.output)
        assert f"database: {fresh_database}" in result.stderr, command


def test_import_help_lists_the_fields() -> None:
    claims = CliRunner().invoke(app, ["import", "claims", "--help"], terminal_width=200).output
    for field in ("text (required)", "external_id", "verdict or rating", "claimed_at", "review_url", "tags"):
        assert field in claims
    sources = CliRunner().invoke(app, ["import", "sources", "--help"], terminal_width=200).output
    for field in ("url (required", "title (required)", "text", "published_at"):
        assert field in sources


def test_revoke_bootstrap_keeps_only_the_current_admin_key_value(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlmodel import Session

    from service.auth import service as auth
    from service.db import make_engine, migrate

    old, current = "cc_old_bootstrap_" + "a" * 40, "cc_new_bootstrap_" + "b" * 40
    migrate(fresh_database)
    engine = make_engine(fresh_database)
    with Session(engine) as session:
        for value in (old, current):  # two start-ups, the variable changed in between
            auth.ensure_bootstrap_admin(session=session, raw_key=value)
        assert auth.authenticate(session=session, raw_key=old).role.value == "admin"
    monkeypatch.setenv("CLAIMCHECK_ADMIN_KEY", current)
    reset_process_caches()
    result = CliRunner().invoke(app, ["keys", "revoke-bootstrap"])
    assert result.exit_code == 0, result.output
    assert "1 earlier bootstrap admin key(s) revoked" in result.stderr
    with Session(engine) as session:
        assert auth.authenticate(session=session, raw_key=current).role.value == "admin"
        with pytest.raises(auth.Unauthenticated):
            auth.authenticate(session=session, raw_key=old)
    engine.dispose()


@pytest.mark.slow
def test_make_demo_removes_its_temporary_directory_when_stopped(tmp_path: Path) -> None:
    import re
    import signal

    port = free_port()
    log_path = tmp_path / "demo.log"
    env = server_env("sqlite://")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [CLAIMCHECK, "demo", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while "claimcheck ready on" not in log_path.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log_path.read_text()
            time.sleep(0.1)
        output = log_path.read_text()
        found = re.search(r"database sqlite:///(\S+)/demo\.db", output)
        assert found, output
        directory = Path(found.group(1))
        assert directory.is_dir() and directory.name.startswith("claimcheck-demo-")
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C, as a newcomer stops it
        process.wait(timeout=60)
    assert not directory.exists()
