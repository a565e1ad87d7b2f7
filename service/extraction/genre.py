"""What kind of text an article is, and who speaks each line of a transcript or an interview.

The genre decides whose voice a first-person sentence is: in an editorial "we" is the paper giving
its view; in a speech, a debate or an interview it is a speaker making a checkable claim about their
record ("CARVER: We built 1,900 homes" -> "Carver said they built 1,900 homes").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Genre(StrEnum):
    """The genres newsrooms check; `editorial` also covers columns."""

    editorial = "editorial"
    news = "news"
    transcript = "transcript"
    interview = "interview"

    @property
    def spoken(self) -> bool:
        """First person is a speaker's, not the paper's."""
        return self in (Genre.transcript, Genre.interview)


# "CARVER: ", "MR OSEI: ", "Q: ", "A: " at the start of a line; Title Case labels ("Smith: ") only in
# a text known to be spoken, where "Update: ..." or "Note: ..." are unlikely.
_UPPER = r"[A-Z][A-Z'.\-]+"
_WORD = r"(?:[A-Z][A-Z'.\-]+|[A-Z][a-z'\-]+)"
_UPPER_LABEL = re.compile(rf"(?m)^[ \t]*({_UPPER}(?: {_UPPER}){{0,3}}|Q|A):[ \t]+(?=\S)")
_TITLE_LABEL = re.compile(rf"(?m)^[ \t]*({_WORD}(?: {_WORD}){{0,3}}|Q|A):[ \t]+(?=\S)")
_INTERVIEW_LABELS = frozenset({"Q", "A"})
# Labels that name a part in the conversation, not a person.
_ROLE_LABELS = {
    "MODERATOR": "The moderator",
    "HOST": "The host",
    "PRESENTER": "The presenter",
    "INTERVIEWER": "The interviewer",
    "ANCHOR": "The anchor",
    "CHAIR": "The chair",
    "Q": "The interviewer",
    "AUDIENCE": "An audience member",
    "AUDIENCE MEMBER": "An audience member",
    "NARRATOR": "The narrator",
}
_PAPER_VOICE = re.compile(r"\b(?:we|our|us)\b", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")


@dataclass(frozen=True)
class Turn:
    """A speaker label at the start of a line: `text[start:end]` is the label with its colon."""

    label: str
    start: int
    end: int

    @property
    def is_interviewee(self) -> bool:
        return self.label == "A"

    @property
    def is_host(self) -> bool:
        """A moderator, host or interviewer: steers the conversation, makes no claims of its own."""
        return self.label.upper() in _ROLE_LABELS


def speaker_turns(text: str, genre: Genre) -> list[Turn]:
    """The speaker labels of a transcript or interview, in order; none for other genres."""
    if not genre.spoken:
        return []
    return [Turn(m.group(1), m.start(), m.end()) for m in _TITLE_LABEL.finditer(text)]


def detect_genre(text: str) -> Genre:
    """A cheap guess from the text's surface, used when the submitter does not say.

    Two or more Q:/A: lines make an interview, two or more other upper-case speaker labels a
    transcript; otherwise an editorial when the paper speaks in the first person outside quotes
    ("we", "our", "us"), a news report when it does not."""
    labels = [m.group(1) for m in _UPPER_LABEL.finditer(text)]
    if sum(label in _INTERVIEW_LABELS for label in labels) >= 2:
        return Genre.interview
    if sum(label not in _INTERVIEW_LABELS for label in labels) >= 2:
        return Genre.transcript
    if _PAPER_VOICE.search(_QUOTED.sub(" ", text)):
        return Genre.editorial
    return Genre.news


_TITLE = r"(?:(?:Dr|Mr|Mrs|Ms|Professor|Prof|Sir|Dame)\.? )?"
_INTERVIEW_WITH = re.compile(rf"\binterview(?:ed)? with {_TITLE}([A-Z][\w'\-]+(?: [A-Z][\w'\-]+)+)")


def interviewee(text: str) -> str | None:
    """'... an interview with Dr Lena Varga' -> 'Lena Varga': who 'A:' is when the parser names no one."""
    match = _INTERVIEW_WITH.search(text)
    return match.group(1) if match else None


def speaker_name(label: str) -> str:
    """'CARVER' -> 'Carver', 'MODERATOR' -> 'The moderator'; 'A' is resolved by the caller."""
    role = _ROLE_LABELS.get(label.upper())
    if role is not None:
        return role
    if label.isupper():
        return " ".join(part.capitalize() for part in label.split())
    return label
