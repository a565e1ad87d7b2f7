"""CSV cells a spreadsheet shows as text instead of running as a formula (OWASP "CSV injection").

A cell that starts with `=`, `+`, `-`, `@`, tab or carriage return, after any apostrophes, gets one more
apostrophe in front; `unguard_cell` takes exactly that apostrophe off again, so an exported file imports
back unchanged and a third-party cell like "'quoted" is left alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_GUARDED = re.compile(r"^'*[=+\-@\t\r]")


def safe_cell(value: object) -> str:
    """The cell as text, with an apostrophe in front when a spreadsheet would run it."""
    cell = "" if value is None else str(value)
    return f"'{cell}" if _GUARDED.match(cell) else cell


def unguard_cell(cell: str) -> str:
    """The value `safe_cell` was given (inverse for every string it returns)."""
    return cell[1:] if cell.startswith("'") and _GUARDED.match(cell) else cell


def csv_document(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document whose every cell is formula-safe (for small downloads such as bad-row lists)."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return output.getvalue()
