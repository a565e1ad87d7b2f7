"""The `claimcheck` command: serve, migrate, keys, extract, import, export, worker, demo.

Each command is a thin call into the domain; `server.py` holds the long-running ones, `keys.py` the key
commands, `files.py` extract / import / export.
"""

from __future__ import annotations

import typer

from service.cli.files import export_app, extract, import_app
from service.cli.keys import keys_app
from service.cli.server import demo, migrate_command, serve, worker

app = typer.Typer(help="claimcheck: checkable claims from news articles.", no_args_is_help=True)
# In the order `claimcheck --help` lists them.
app.add_typer(keys_app, name="keys")
app.command()(serve)
app.command("migrate")(migrate_command)
app.command()(extract)
app.add_typer(import_app, name="import")
app.command()(worker)
app.command()(demo)
app.add_typer(export_app, name="export")
