"""README's walk-through, run as written from a fresh clone, top to bottom, in one shell.

The commands are the ```bash blocks of the "Walk-through" section, extracted from README.md. The clone uses
this checkout's venv through a shim whose pip refuses (nothing is installed, and the shared venv is never
pointed at the clone), and the server gets a free port through PORT, which `make run` and the README's
`$BASE` both read.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)
# Settings the walk-through must set itself (or leave at their defaults), not inherit from the test run.
NOT_INHERITED = (
    "DATABASE_URL",
    "CLAIMCHECK_ADMIN_KEY",
    "ALLOW_PLACEHOLDER_ORGANIZATION",
    "ORGANIZATION_NAME",
    "ORGANIZATION_URL",
    "PUBLIC_BASE_URL",
    "LLM_BASE_URL",
)


def walkthrough_commands(readme: str) -> str:
    """The bash blocks of README's "Walk-through" section, in order."""
    start = readme.index("\n## Walk-through")
    end = readme.index("\n## ", start + 1)
    blocks = BLOCK.findall(readme[start:end])
    assert len(blocks) >= 8, "the walk-through lost its commands"
    return "\n".join(blocks)


def venv_that_cannot_install(shim: Path) -> None:
    """This checkout's venv seen from the clone, except that its pip refuses: `pip install -e .` from the
    clone would point the shared venv at a directory about to be deleted. make's stamps are fresh, so it does
    not try; if it ever does, the walk-through fails loudly instead."""
    real = (ROOT / ".venv").resolve()
    (shim / "bin").mkdir(parents=True)
    for entry in (real / "bin").iterdir():
        target = shim / "bin" / entry.name
        if entry.name.startswith("pip"):
            target.write_text("#!/bin/sh\necho 'the README walk-through must not install' >&2\nexit 97\n")
            target.chmod(0o755)
        else:
            target.symlink_to(entry)
    for name in ("lib", "lib64", "include", "pyvenv.cfg"):
        if (real / name).exists():
            (shim / name).symlink_to(real / name)
    for stamp in (".installed-run", ".installed-dev"):
        (shim / stamp).touch()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_make_run_installs_only_what_serving_needs() -> None:
    run = subprocess.run(["make", "-n", "-B", "run"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "pip install --progress-bar on -e ." in run.stdout and "[dev]" not in run.stdout
    dev = subprocess.run(["make", "-n", "-B", "dev"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "-e '.[dev]'" in dev.stdout


@pytest.mark.slow
def test_the_readme_walkthrough_runs_as_written_from_a_fresh_clone(tmp_path: Path) -> None:
    script = walkthrough_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    clone = tmp_path / "claimcheck"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    venv_that_cannot_install(clone / ".venv")
    (tmp_path / "walkthrough.sh").write_text(script, encoding="utf-8")

    port = free_port()
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    env.update(PORT=str(port), SEMANTIC="off")
    log_path = tmp_path / "walkthrough.log"
    with log_path.open("wb") as log:
        shell = subprocess.Popen(
            ["bash", "-e", str(tmp_path / "walkthrough.sh")],
            cwd=clone,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # `make run &` and the server live in this group, stopped below
        )
        try:
            code = shell.wait(timeout=900)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(shell.pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    os.killpg(shell.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.2)
    output = log_path.read_text(encoding="utf-8", errors="replace")
    assert code == 0, output[-6000:]
    assert f"claimcheck ready on http://127.0.0.1:{port} (docs /docs, desk /ui)" in output
    assert "done " in output and " 0 failed" in output  # the import job was polled until done
    assert '"status": "published"' in output
    assert '"@type": "ClaimReview"' in output and '"author"' in output
    assert "Example Fact Checks" in output
    assert "application/ld+json" in output  # the public page, fetched without a key
    assert '"claimReview"' in output and '"textualRating": "True"' in output  # Fact Check Tools search
    assert "text,external_id,verdict,title" in output  # the CSV export's header
    exported = (clone / "claims.ndjson").read_text(encoding="utf-8").splitlines()
    assert exported and all(line.startswith("{") for line in exported)
