"""How worth checking a sentence is: a linear model over words, characters, tags, entities, cues, clauses.

Trained on the ClaimBuster sentences (Arslan et al. 2020, CC BY 4.0) by `bench/train_checkworthy.py`,
which writes `checkworthy_model.json`. Scoring needs no scikit-learn: every channel of terms from
`sentence_terms` is weighted exactly as sklearn's `TfidfVectorizer(sublinear_tf=True)` does
(1 + log(count), times idf, L2-normalised over the terms in the vocabulary), then dotted with the
exported weights. `sentence_vector` (the parser's own contextual token vectors, mean- and max-pooled)
adds a small dense block, exported with its standardisation folded into its weights and the bias.
The bench script builds its features with the same `sentence_terms` and `sentence_vector`, so
training and scoring cannot drift apart.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc, Span, Token

from service.extraction.nlp import get_nlp

MODEL_PATH = Path(__file__).with_name("checkworthy_model.json")

_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
_OPINION_VERBS = frozenset(
    {"think", "believe", "feel", "hope", "guess", "suppose", "wish", "want", "like", "love", "hate", "doubt"}
)
_FIRST_PERSON = frozenset({"i", "we"})
_FUTURE_MARKERS = frozenset({"will", "'ll", "shall", "gonna"})
_CHAR_NGRAMS = (2, 5)
# Fine-grained verb tag -> tense of a clause (the pipeline sets no morphology, the tag carries it).
_TAG_TENSE = {
    "VBD": "past",
    "VBN": "part",
    "VBZ": "pres",
    "VBP": "pres",
    "VB": "base",
    "VBG": "ger",
    "MD": "modal",
}
_QUANTITY_ENTS = frozenset({"PERCENT", "MONEY", "CARDINAL", "QUANTITY"})


def _word_form(text: str) -> str:
    """Lower-case with every digit replaced by 0, so '1994' and '2003' share what they have in common."""
    return _DIGIT.sub("0", text.lower())


def _ngrams(items: Sequence[str], low: int, high: int) -> list[str]:
    return [" ".join(items[i : i + n]) for n in range(low, high + 1) for i in range(len(items) - n + 1)]


def _char_ngrams(words: Sequence[str]) -> list[str]:
    # Same scheme as sklearn's analyzer="char_wb": n-grams inside each space-padded word.
    low, high = _CHAR_NGRAMS
    grams: list[str] = []
    for word in words:
        padded = f" {word} "
        for n in range(low, high + 1):
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def _cue_terms(sentence: Span | Doc) -> list[str]:
    """Surface cues of a factual claim (numbers, dates, money, comparisons) or of opinion and prediction."""
    cues: list[str] = []
    lowered = [token.lower_ for token in sentence]
    for i, token in enumerate(sentence):
        if token.is_digit or token.like_num:
            cues.append("number")
        if _YEAR.match(token.text):
            cues.append("year")
        if token.text == "%" or token.lower_ in {"percent", "percentage"}:
            cues.append("percent")
        if token.tag_ == "$" or token.lower_ in {"dollars", "billion", "million", "trillion"}:
            cues.append("money")
        if token.tag_ in {"JJR", "RBR"}:
            cues.append("comparative")
        if token.tag_ in {"JJS", "RBS"}:
            cues.append("superlative")
        if token.tag_ == "MD":
            cues.append("modal")
        if token.lower_ in _FUTURE_MARKERS or (token.lower_ == "going" and lowered[i + 1 : i + 2] == ["to"]):
            cues.append("future")
        if token.lower_ in _OPINION_VERBS and any(w in _FIRST_PERSON for w in lowered[max(0, i - 3) : i]):
            cues.append("first_person_opinion")
        if token.lower_ in _FIRST_PERSON:
            cues.append("first_person")
        if token.lower_ == "you":
            cues.append("second_person")
        if token.dep_ == "neg":
            cues.append("negation")
    if lowered and lowered[-1] == "?":
        cues.append("question")
    n_words = sum(1 for token in sentence if not token.is_punct)
    cues.append(f"length_{min(n_words // 5, 8)}")
    return cues


def _syntax_terms(tokens: Sequence[Token]) -> list[str]:
    """Dependency relations and the main clause's tense and subject: "we will" vs "unemployment rose"."""
    terms = [f"{token.dep_}>{token.head.tag_}" for token in tokens]
    for token in tokens:
        if token.dep_ == "ROOT":
            terms.append(f"root:{token.tag_}")
            terms.extend(
                f"root_aux:{child.lower_}" for child in token.children if child.dep_ in {"aux", "neg"}
            )
        if token.dep_ in {"nsubj", "nsubjpass"}:
            subject = token.lower_ if token.pos_ == "PRON" else (token.ent_type_ or token.pos_)
            terms.append(f"subj:{subject}>{token.head.tag_}")
    return terms


def _frame_terms(tokens: Sequence[Token]) -> list[str]:
    """Who says what how: main-clause tense and verb, modals, negation, what numbers and entities attach to.

    "rose by 4 percent" gives num:npadvmod>VERB and numverb:rose; "we will" gives subj:nsubj:we:<verb>.
    """
    terms: list[str] = []
    for token in tokens:
        if token.dep_ == "ROOT":
            aux = next((child for child in token.children if child.dep_ in {"aux", "auxpass"}), None)
            if aux is not None:
                tense = _TAG_TENSE.get(aux.tag_, "x")
            else:
                tense = _TAG_TENSE.get(token.tag_, token.pos_)
            terms.append(f"roottense:{tense}")
            terms.append(f"rootverb:{token.lower_}")
        if token.tag_ == "MD":
            terms.append(f"modal:{token.lower_}>{token.head.lower_}")
        if token.dep_ == "neg":
            terms.append(f"neg>{token.head.pos_}")
        if token.like_num or token.is_digit or token.ent_type_ in _QUANTITY_ENTS:
            # The dependency path from the number up to the verb (or root) that governs it, at most 4 arcs.
            head, path = token.head, [token.dep_]
            while head.pos_ not in {"VERB", "AUX"} and head.dep_ != "ROOT" and len(path) < 4:
                path.append(head.dep_)
                head = head.head
            terms.append(f"num:{'>'.join(path)}>{head.pos_}")
            terms.append(f"numverb:{head.lower_}")
        if token.dep_ in {"nsubj", "nsubjpass", "expl"}:
            kind = token.lower_ if token.pos_ == "PRON" else (token.ent_type_ or token.pos_)
            terms.append(f"subj:{token.dep_}:{kind}:{token.head.lower_}")
        if token.dep_ in {"dobj", "attr", "pobj"} and token.ent_type_:
            terms.append(f"obj:{token.dep_}:{token.ent_type_}:{token.head.lower_}")
    return terms


def sentence_terms(sentence: Span | Doc) -> dict[str, list[str]]:
    """The terms of each feature channel for one parsed sentence (training and scoring both use this)."""
    tokens = [token for token in sentence if not token.is_space]
    words = [_word_form(token.text) for token in tokens]
    tags = [token.tag_ for token in tokens]
    # Words with named entities replaced by their type generalise across names: "GPE has NUM troops".
    shaped = [
        f"<{token.ent_type_}>" if token.ent_type_ else word for token, word in zip(tokens, words, strict=True)
    ]
    return {
        "word": _ngrams(words, 1, 2),
        "char": _char_ngrams(_word_form(sentence.text).split()),
        "pos": _ngrams(tags, 1, 3),
        "shape": _ngrams(shaped, 2, 3),
        "ent": [entity.label_ for entity in sentence.ents],
        "cue": _cue_terms(sentence),
        "syntax": _syntax_terms(tokens),
        "frame": _frame_terms(tokens),
    }


def sentence_vector(sentence: Span | Doc) -> list[float]:
    """Mean and max over the sentence's tokens of the pipeline's contextual token vectors (`tok2vec`).

    The tagger and parser compute these anyway, so they cost nothing extra; they carry what the n-grams
    miss, such as a word seen in training only in other forms.
    """
    tensor = np.asarray(sentence.tensor, dtype=np.float32)
    if tensor.ndim != 2:
        return []
    if tensor.shape[0] == 0:
        return [0.0] * (2 * tensor.shape[1])
    mean: list[float] = tensor.mean(axis=0).tolist()
    peak: list[float] = tensor.max(axis=0).tolist()
    return mean + peak


@dataclass(frozen=True)
class _Channel:
    scale: float
    terms: dict[str, tuple[float, float]]  # term -> (idf, weight)


@dataclass(frozen=True)
class CheckworthyModel:
    """The exported linear model: per-channel vocabularies with idf and weight, a bias and thresholds.

    `threshold` is the scorer's own (a sentence alone); `pipeline_threshold` is the one a claim's sentence
    must reach once the extraction rules have accepted it (None: the same), and `override_threshold` the
    one at which a spoken sentence the rules dropped as opinion is kept as said (None: never). Both are
    tuned through the rules on the training sentences' out-of-fold margins.
    """

    channels: dict[str, _Channel]
    bias: float
    threshold: float
    vector_weights: tuple[float, ...] = ()  # over `sentence_vector`, already divided by its training sd
    pipeline_threshold: float | None = None
    override_threshold: float | None = None

    def margin(self, terms: dict[str, list[str]], vector: Sequence[float] = ()) -> float:
        """Signed distance from the decision boundary of the trained model (sklearn's decision_function)."""
        total = self.bias + math.fsum(w * x for w, x in zip(self.vector_weights, vector, strict=False))
        for name, channel in self.channels.items():
            dot = 0.0
            norm_sq = 0.0
            for term, count in Counter(terms.get(name, ())).items():
                entry = channel.terms.get(term)
                if entry is None:
                    continue
                value = (1.0 + math.log(count)) * entry[0]
                norm_sq += value * value
                dot += value * entry[1]
            if norm_sq > 0.0:
                total += channel.scale * dot / math.sqrt(norm_sq)
        return total


def _optional(raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    return None if value is None else float(value)


def load_model(path: Path = MODEL_PATH) -> CheckworthyModel:
    """Read an artefact written by `bench/train_checkworthy.py`."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    channels = {
        name: _Channel(
            scale=float(spec["scale"]),
            terms={term: (float(idf), float(weight)) for term, (idf, weight) in spec["terms"].items()},
        )
        for name, spec in raw["channels"].items()
    }
    return CheckworthyModel(
        channels=channels,
        bias=float(raw["bias"]),
        threshold=float(raw["threshold"]),
        vector_weights=tuple(float(weight) for weight in raw.get("vector_weights", ())),
        pipeline_threshold=_optional(raw, "pipeline_threshold"),
        override_threshold=_optional(raw, "override_threshold"),
    )


@lru_cache(maxsize=1)
def get_model() -> CheckworthyModel:
    """The packaged model, loaded once per process."""
    return load_model()


def _logistic(margin: float) -> float:
    # Clamp so a pathological margin cannot overflow math.exp.
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, margin))))


def checkworthy_threshold() -> float:
    """Scores at or above this are check-worthy: the F1-optimal margin from cross-validation, as a score."""
    return _logistic(get_model().threshold)


def pipeline_threshold() -> float:
    """The score a claim needs once the rules have accepted its sentence: the rules already drop many of
    the scorer's false positives, so the F1-optimal margin through the pipeline is lower than alone."""
    model = get_model()
    return _logistic(model.threshold if model.pipeline_threshold is None else model.pipeline_threshold)


def override_threshold() -> float | None:
    """The score at which a spoken sentence the rules read as opinion is kept as said (None: never)."""
    margin = get_model().override_threshold
    return None if margin is None else _logistic(margin)


def __getattr__(name: str) -> float:
    # `CHECKWORTHY_THRESHOLD` is read from the artefact on first use (PEP 562), so importing this module
    # (as the training script does, before any artefact exists) stays cheap and cannot fail.
    if name == "CHECKWORTHY_THRESHOLD":
        return checkworthy_threshold()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def checkworthiness_score(sentence: Span | Doc) -> float:
    """0..1, the logistic of the model's margin; `>= CHECKWORTHY_THRESHOLD` means check-worthy.

    Takes an already-parsed sentence so the extractor does not parse twice.
    """
    return _logistic(get_model().margin(sentence_terms(sentence), sentence_vector(sentence)))


def score_texts(texts: Sequence[str]) -> list[float]:
    """Parse each text as one sentence with the shared pipeline and score it."""
    return [checkworthiness_score(doc) for doc in get_nlp().pipe(texts)]
