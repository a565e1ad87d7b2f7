"""In-process extraction time for the sample editorial and for 1 MB of text, beside plain spaCy parsing.

Run: .venv/bin/python bench/extraction_speed.py [--sample-only]

Wall-clock time on a shared 2-core machine mostly measures the other jobs, so each figure is printed as
wall time and as CPU time of this process (time.process_time). The extractor is single-threaded, so on
an idle machine wall time ~= CPU time; the load average is printed beside every run.

Measured 2026-11-26, the machine never quiet (2 cores, load average 13-16 from other jobs):
  before (commit 0fb0283, fallback scorer), load ~14.7: sample CPU 118 ms (parse alone 109 ms),
    wall 1143 ms; 1 MB: CPU 40.4 s, wall 262 s (parse alone CPU 27.1 s, wall 187 s), peak RSS 784 MB.
  after (numpy TagAttributes instead of the attribute_ruler matcher, streamed segmentation, trained
    check-worthiness scorer run only on sentences that yield claims), load 13.2-14.8:
    sample CPU 116 ms median (spaCy parse alone 96 ms), wall 272 ms;
    1 MB: CPU 34.4 s, wall 197 s, 4521 claims (parse alone CPU 24.2 s, wall 114 s); peak RSS 706 MB
    (pipeline + scorer model alone: 404 MB).
  On a nearly idle machine (load 5 falling to 3, helper jobs paused), commit 6df3d9d + 'his' fix:
    sample editorial: extract median wall 124 ms, CPU 118 ms (spaCy parse alone 96 ms);
    1 MB of text: wall 30.7 s, CPU 30.0 s, 4521 claims (parse alone 23.6 s); peak RSS 706 MB.
  So on an idle machine the sample should take ~116 ms (< 150 ms) and 1 MB ~35 s (< 60 s); the wall
  figures above are what a machine at load 14 gives. nlp.pipe(n_process=2) is not used: with both
  cores already busy it cannot help, and it could not be shown to help here.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.extraction import extract
from service.extraction.nlp import get_nlp
from service.extraction.spelling import normalise

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "extraction" / "data" / "editorial_ukraine.txt"


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def _medians(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(wall ms, CPU ms) medians after one warm-up run."""
    run()
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _once(run: Callable[[], object]) -> tuple[float, float, object]:
    w, c = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - w, time.process_time() - c, result


def main() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    nlp = get_nlp()
    paragraphs = [p for p in text.split("\n") if p.strip()]
    print(f"load average at start: {_load()} on {os.cpu_count()} cores")
    parse_wall, parse_cpu = _medians(lambda: list(nlp.pipe(paragraphs)), 15)
    wall, cpu = _medians(lambda: extract(text, published_at=dt.date(2022, 1, 17)), 15)
    print(
        f"sample editorial: extract median CPU {cpu:.0f} ms, wall {wall:.0f} ms"
        f"  (baseline spaCy parse: CPU {parse_cpu:.0f} ms, wall {parse_wall:.0f} ms)  load {_load()}"
    )
    spell_wall, spell_cpu = _medians(lambda: [normalise(p) for p in paragraphs], 15)
    print(f"  of which spelling normalisation: CPU {spell_cpu:.1f} ms, wall {spell_wall:.1f} ms")
    if "--sample-only" in sys.argv:
        return

    big = ((text + "\n\n") * (1_000_000 // (len(text) + 2) + 1))[:1_000_000]
    # The baseline counts docs instead of keeping them, so peak RSS is the extractor's, not the baseline's.
    parse_s, parse_cpu_s, _ = _once(lambda: sum(1 for _ in nlp.pipe(p for p in big.split("\n") if p.strip())))
    wall_s, cpu_s, result = _once(lambda: extract(big))
    claims = len(result.claims) if hasattr(result, "claims") else 0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"1 MB of text: extract CPU {cpu_s:.1f} s, wall {wall_s:.1f} s, {claims} claims"
        f"  (baseline spaCy parse: CPU {parse_cpu_s:.1f} s, wall {parse_s:.1f} s); peak RSS {peak_mb:.0f} MB"
        f"  load {_load()}"
    )


if __name__ == "__main__":
    main()
