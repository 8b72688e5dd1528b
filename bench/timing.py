"""Timing helpers for the benchmark scripts: repeated runs, medians and percentiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def measure(action: Callable[[], Any], runs: int = 5, warmup: int = 1) -> dict[str, float]:
    """Run ``action`` warmup + runs times; median, p95 and min of the timed runs, in milliseconds."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(p95, 2), "min_ms": round(ordered[0], 2), "runs": runs}
