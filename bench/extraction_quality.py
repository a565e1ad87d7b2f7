"""Recall of annotated facts, opinion leak and exact list items per annotated editorial.

Run: .venv/bin/python bench/extraction_quality.py [--set editorials|blind2|blind3|blind4|blind5] [-v]
Every figure is printed beside the "every sentence is a claim" baseline of the same run.

Held-out at first run (2026-11-26, editorials written and annotated before the extractor ever saw them,
extractor as of commit 0fb0283, no tuning on them yet):
  editorial_measles  recall 19/23 (83%)  opinion leak 1/12 (8%)  items exact 1/3
  editorial_stadium  recall 20/26 (77%)  opinion leak 1/13 (8%)  items exact 1/2
  (missed: pronoun subjects left as 'it'/'they'/'their' — items then fail on the forbidden pronoun —,
  a possessive appositive 'Its owner, the American investor Daniel Kessler', 'would host' read as
  opinion, a relative clause swallowing the main verb, a 'cost ... and was paid for by' clause dropped.)
So the honest generalisation figure is ~80% recall, under the 90% bar; the three tuned editorials
were at the bar. Later runs on these two are no longer held-out.

After general fixes (pronoun resolution for things, nested appositives, only name-role appositives
fenced, objects stranded on coordinated verbs, proposal 'would', lists checkable), 2026-11-26, trained
check-worthiness model (commit 488cda6):
  ukraine 15/15, leak 0/16 | budget 25/25, 0/11 | energy 24/24, 0/11 | measles 23/23, 1/12 |
  stadium 25/26, 1/13; items exact 12/12; found facts flagged check-worthy 107/112 (the fallback
  heuristic flags 108/112 but also 11/11 unannotated claims, the model 8/11).
Still missed: "says it will open" ('it' in a reported clause is left alone on purpose). Leaks: two
sentences the annotation calls opinion that read as checkable ("one of the most contagious diseases",
"Riverside United wants a new home").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "extraction"))

from scoring import (
    BLIND2,
    BLIND3,
    BLIND4,
    BLIND5,
    EDITORIALS,
    Score,
    annotated,
    every_sentence_baseline,
    score,
)

SETS = {"editorials": EDITORIALS, "blind2": BLIND2, "blind3": BLIND3, "blind4": BLIND4, "blind5": BLIND5}
# A new blind set goes here until its first run is recorded, so that default (tuning) runs stay blind
# to it; blind4 and blind5 have their first runs in their READMEs.
BLIND_UNTIL_FIRST_RUN: frozenset[str] = frozenset()


def _row(name: str, s: Score) -> str:
    return (
        f"{name:28} {s.found:>3}/{s.facts:<3}  {len(s.leaked):>3}/{s.opinions:<3} ({s.leak_rate:>4.0%})"
        f"  {s.items_exact:>3}/{s.items_expected:<3}  {'exact' if s.spans_exact else 'BROKEN':6}"
        f"  {len(s.broken):>3}"
    )


def _total(label: str, scores: list[Score]) -> str:
    facts, found = sum(s.facts for s in scores), sum(s.found for s in scores)
    opinions, leaked = sum(s.opinions for s in scores), sum(len(s.leaked) for s in scores)
    items, exact = sum(s.items_expected for s in scores), sum(s.items_exact for s in scores)
    return (
        f"{label:28} {found:>3}/{facts:<3} ({found / facts:.0%})  {leaked:>3}/{opinions:<3} "
        f"({leaked / opinions:.0%})  items {exact}/{items}  spans "
        f"{'exact' if all(s.spans_exact for s in scores) else 'BROKEN'}  broken claims "
        f"{sum(len(s.broken) for s in scores)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=sorted(SETS), action="append")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses, leaks, broken claims")
    args = parser.parse_args()
    for set_name in args.set or [name for name in sorted(SETS) if name not in BLIND_UNTIL_FIRST_RUN]:
        print(f"== {set_name}")
        print(f"{'document':28} {'recall':>7} {'no-fact leak':>13} {'items':>7}  spans  broken")
        ours, naive = [], []
        for name in SETS[set_name]:
            s = score(name)
            ours.append(s)
            naive.append(score(name, every_sentence_baseline(annotated(name)[0])))
            print(_row(name, s))
            if args.verbose:
                for missed in s.missed:
                    print(f"    missed: {missed}")
                for leaked in s.leaked:
                    print(f"    leaked: {leaked}")
                for broken in s.broken:
                    print(f"    broken: {broken}")
        print(_total("rules, total", ours))
        print(_total("every sentence a claim", naive))
    print("targets: recall >= 90%, no-fact leak <= 10%, items exact 100%, spans exact, 0 broken claims")


if __name__ == "__main__":
    main()
