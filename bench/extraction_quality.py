"""Recall of annotated facts, opinion leak and exact list items per annotated editorial.

Run: .venv/bin/python bench/extraction_quality.py   (figures in the lead's report)
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
