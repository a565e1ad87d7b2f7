"""In-process extraction time for the sample editorial and for 1 MB of text, beside plain spaCy parsing.

Run: .venv/bin/python bench/extraction_speed.py
Measured 2026-11-26 on 2 cores under load average ~14 (other jobs running; fallback scorer, the trained
checkworthy model was not there yet): sample editorial 465 ms median vs 431 ms spaCy parse alone;
1 MB: 122 s vs 114 s parse alone; peak RSS 783 MB. Unloaded, spaCy parses the sample in ~125 ms, so the
extractor's own share (~8% over parse) is what to watch; re-measure on an idle machine.
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.extraction import extract
from service.extraction.nlp import get_nlp

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "extraction" / "data" / "editorial_ukraine.txt"


def _median_ms(run: object, repeats: int) -> float:
    assert callable(run)
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    nlp = get_nlp()
    paragraphs = [p for p in text.split("\n") if p.strip()]
    parse_ms = _median_ms(lambda: list(nlp.pipe(paragraphs)), 9)
    extract_ms = _median_ms(lambda: extract(text, published_at=dt.date(2022, 1, 17)), 9)
    print(f"sample editorial: extract median {extract_ms:.0f} ms  (baseline: spaCy parse {parse_ms:.0f} ms)")

    big = (text + "\n\n") * (1_000_000 // (len(text) + 2) + 1)
    big = big[:1_000_000]
    start = time.perf_counter()
    list(nlp.pipe(p for p in big.split("\n") if p.strip()))
    parse_s = time.perf_counter() - start
    start = time.perf_counter()
    result = extract(big)
    extract_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"1 MB of text: extract {extract_s:.1f} s, {len(result.claims)} claims"
        f"  (baseline: spaCy parse alone {parse_s:.1f} s); peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
