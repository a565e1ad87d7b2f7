"""Every setting is documented in .env.example with its default."""

from __future__ import annotations

import re
from pathlib import Path

from service.settings import Settings

ENV_EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), flags=re.M))
    expected = {name.upper() for name in Settings.model_fields}
    assert expected - documented == set(), "add these to .env.example"
    assert documented - expected == set(), "these are not settings any more"


def test_verdicts_are_the_scale_then_the_extras(monkeypatch: object) -> None:
    settings = Settings(rating_scale="accurate, inaccurate", extra_verdicts="satire")
    assert settings.verdicts == ["accurate", "inaccurate", "satire"]
