"""What a batch of an import carries from the reading stage to the writing stage, and the job's counters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.imports import dedupe
from service.imports.claim_fields import ClaimRow
from service.imports.parse import RawRow

MAX_REPORTED_ERRORS = 1000


@dataclass
class Progress:
    """The job's counters as this worker advances them; written with every batch."""

    processed: int
    created: int
    updated: int
    duplicates: int
    failed: int
    errors: list[dict[str, Any]]
    next_line: int
    errors_changed: bool = False

    def fail(self, line: int, message: str) -> None:
        """Count a bad row, and keep its line and message among the first `MAX_REPORTED_ERRORS`."""
        self.failed += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"line": line, "error": message})
            self.errors_changed = True


@dataclass
class PreparedBatch:
    """A batch ready to write: raw rows (sources, articles), or claim rows checked for duplicates."""

    raw: list[RawRow]
    claims: list[ClaimRow] = field(default_factory=list)
    normalized: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    duplicates: dedupe.BatchDuplicates | None = None
    failures: list[tuple[int, str]] = field(default_factory=list)
