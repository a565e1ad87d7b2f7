"""The versioned prompt files of the LLM extractor (`prompts/<name>.md`): load, split, render."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
PROMPT_NAME = "extract_claims.v1"


@dataclass(frozen=True)
class Prompt:
    """A versioned prompt file: `version` in front matter; `# system`, `# user`, `# json_instructions`."""

    version: str
    system: str
    user: str
    json_instructions: str

    def render(
        self, *, article: str, sentences: Sequence[tuple[int, str]], published_at: date | None
    ) -> list[dict[str, str]]:
        """Chat messages for one chunk; sentences are numbered from 1 as in the whole article."""
        numbered = "\n".join(f"[{number}] {' '.join(text.split())}" for number, text in sentences)
        published = f"The article was published on {published_at.isoformat()}.\n" if published_at else ""
        user = (
            self.user.replace("{{published_at_line}}", published)
            .replace("{{article}}", article)
            .replace("{{sentences}}", numbered)
        )
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]


@lru_cache(maxsize=8)
def load_prompt(name: str = PROMPT_NAME) -> Prompt:
    """Read and split `prompts/<name>.md`."""
    raw = (PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8")
    match = re.match(r"---\s*\n(.*?)\n---\s*\n(.*)", raw, re.S)
    if match is None:
        raise ValueError(f"prompt {name} has no front matter")
    front, rest = match.groups()
    version_line = re.search(r"^version:\s*(\S+)\s*$", front, re.M)
    if version_line is None:
        raise ValueError(f"prompt {name} declares no version")
    sections = dict(
        (heading.strip(), body.strip("\n"))
        for heading, body in re.findall(r"^# (\w+)\s*\n(.*?)(?=^# \w+\s*$|\Z)", rest, re.S | re.M)
    )
    return Prompt(
        version=version_line.group(1),
        system=sections["system"],
        user=sections["user"],
        json_instructions=sections["json_instructions"],
    )
