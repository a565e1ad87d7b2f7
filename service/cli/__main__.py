"""`python -m service.cli`: the `claimcheck` command (tests and benches start workers this way)."""

from service.cli import app

app()
