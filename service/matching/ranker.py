"""The second stage of matching: logistic regressions over the features of service/matching/features.py.

Fitted on the CheckThat! 2020 train tweets by bench/train_matcher.py and shipped as ranker_model.json
(standardisation, coefficients, intercept): serving needs no training library. Each model answers the
probability that a candidate repeats the query, so a candidate scored by the semantic model (it has
an embedding) and one scored by the lexical model (not yet) are on the same scale.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("ranker_model.json")


@dataclass(frozen=True)
class LogisticModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LogisticModel:
        return cls(
            features=tuple(data["features"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            coef=tuple(data["coef"]),
            intercept=float(data["intercept"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
        }

    def probability(self, values: list[float]) -> float:
        """P(the candidate repeats the query) for its feature values, in `features` order."""
        margin = self.intercept + sum(
            weight * (value - mean) / scale
            for weight, value, mean, scale in zip(self.coef, values, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(min(margin, 30.0), -30.0)))


@dataclass(frozen=True)
class Ranker:
    lexical: LogisticModel
    semantic: LogisticModel


@cache
def ranker() -> Ranker:
    """The shipped models, read once."""
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return Ranker(
        lexical=LogisticModel.from_json(data["lexical"]),
        semantic=LogisticModel.from_json(data["semantic"]),
    )
