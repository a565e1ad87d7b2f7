"""The deployment's rating scale: ordinal verdicts best-first, plus verdicts outside the scale."""

from __future__ import annotations

from dataclasses import dataclass

from service.exceptions import InvalidInput
from service.settings import Settings


@dataclass(frozen=True)
class RatingScale:
    """Ordinal verdicts best-first (`true` ... `false` -> ratingValue 5..1) and extra verdicts
    (`misleading`, `unverifiable`) that have a name but no place on the scale."""

    ordinal: tuple[str, ...]
    extra: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> RatingScale:
        """The scale configured by RATING_SCALE and EXTRA_VERDICTS."""
        return cls(ordinal=settings.ordinal_verdicts, extra=settings.extra_verdict_names)

    @property
    def verdicts(self) -> list[str]:
        """Every verdict a reviewer may give, ordinal ones first."""
        return [*self.ordinal, *self.extra]

    @property
    def best_rating(self) -> int:
        return len(self.ordinal)

    @property
    def worst_rating(self) -> int:
        return 1

    def rating_value(self, verdict: str) -> int | None:
        """The verdict's place on the scale (best = highest), or None for an extra verdict."""
        if verdict in self.ordinal:
            return len(self.ordinal) - self.ordinal.index(verdict)
        return None

    def check(self, verdict: str) -> str:
        """The verdict, if the scale has it; else InvalidInput (422) listing the allowed ones."""
        if verdict not in self.ordinal and verdict not in self.extra:
            raise InvalidInput(
                f"verdict: '{verdict}' is not on this deployment's rating scale.",
                details={"field": "verdict", "allowed": self.verdicts},
            )
        return verdict


def verdict_label(verdict: str) -> str:
    """A reader-facing name for a verdict: 'mostly_true' -> 'Mostly true'."""
    words = verdict.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]
