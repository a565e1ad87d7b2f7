"""Recall of annotated facts, opinion leak and exact list items per annotated editorial.

Run: .venv/bin/python bench/extraction_quality.py

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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "extraction"))

from scoring import EDITORIALS, score


def main() -> None:
    print(
        f"{'editorial':20} {'recall':>8} {'opinion leak':>13} {'items exact':>12}  spans  found facts flagged"
    )
    for name in EDITORIALS:
        s = score(name)
        print(
            f"{name:20} {s.found:>3}/{s.facts:<3}  {len(s.leaked):>3}/{s.opinions:<3} ({s.leak_rate:.0%})"
            f"  {s.items_exact:>3}/{s.items_expected:<3}    {'exact' if s.spans_exact else 'BROKEN'}"
            f"  {s.flagged:>3}/{s.found:<3}"
        )
        for missed in s.missed:
            print(f"    missed: {missed}")
        for leaked in s.leaked:
            print(f"    leaked: {leaked}")
    print("targets: recall >= 90%, leak <= 10%, items exact 100%")


if __name__ == "__main__":
    main()
