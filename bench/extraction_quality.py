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
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "extraction"))

from scoring import EDITORIALS, score


def main() -> None:
    print(f"{'editorial':20} {'recall':>8} {'opinion leak':>13} {'items exact':>12}  spans")
    for name in EDITORIALS:
        s = score(name)
        print(
            f"{name:20} {s.found:>3}/{s.facts:<3}  {len(s.leaked):>3}/{s.opinions:<3} ({s.leak_rate:.0%})"
            f"  {s.items_exact:>3}/{s.items_expected:<3}    {'exact' if s.spans_exact else 'BROKEN'}"
        )
        for missed in s.missed:
            print(f"    missed: {missed}")
        for leaked in s.leaked:
            print(f"    leaked: {leaked}")
    print("targets: recall >= 90%, leak <= 10%, items exact 100%")


if __name__ == "__main__":
    main()
