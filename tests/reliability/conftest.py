"""A real `claimcheck serve` in a subprocess on loopback, which a test can kill -9 and start again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_KEY

CLAIMCHECK = str(Path(sys.executable).parent / "claimcheck")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`claimcheck serve` against one database; start(), kill() (SIGKILL, no clean-up), start() again."""

    def __init__(self, database_url: str, log_path: Path, *, workers: int = 1, **env: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.workers = workers
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CLAIMCHECK_ADMIN_KEY": ADMIN_KEY,
            "RATE_LIMIT_PER_MINUTE": "1000000",
            "RATE_LIMIT_BURST": "100000",
            "AUTH_FAILURES_PER_MINUTE": "100000",
            "LLM_BASE_URL": "",
            "SEMANTIC": "off",
            "LOG_LEVEL": "INFO",
            "LOG_JSON": "true",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [CLAIMCHECK, "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"claimcheck serve exited:\n{self.log()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"claimcheck serve did not start in {timeout}s:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group (uvicorn's supervisor and its workers): no shutdown code runs."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def client(self, raw_key: str = ADMIN_KEY, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {raw_key}"}, timeout=timeout
        )


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[type[Server]]:
    """Build servers with `serve(database_url, log_path, **env)`; every one is stopped after the test."""
    started: list[Server] = []

    class TrackedServer(Server):
        def __init__(
            self, database_url: str, log_path: Path | None = None, *, workers: int = 1, **env: str
        ) -> None:
            log_path = log_path or tmp_path / f"server-{len(started)}.log"
            super().__init__(database_url, log_path, workers=workers, **env)
            started.append(self)

    yield TrackedServer
    for server in started:
        server.stop()


@pytest.fixture(autouse=True)
def lexical_matching(monkeypatch: pytest.MonkeyPatch) -> None:
    """No embedding model in these tests: the apps under test match claims lexically."""
    monkeypatch.setenv("SEMANTIC", "off")
