"""Timing helpers for the benchmark scripts: repeated runs, medians and percentiles."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
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


def timed_command(args: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one ``partnermap`` command run in a process of its own; exits on failure."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"partnermap {' '.join(args)} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024
