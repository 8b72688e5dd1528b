"""Benchmark read latency while an upload is being ingested, against the same server idle.

    python bench/reads_during_upload.py [--services 100000] [--rate 130] [--out out/bench-reads-during-upload.json]

A real ``partnermap serve`` (one process, owning an embedded store that holds the Leicestershire
sample) is driven at ``--rate`` requests/s, open loop, with ``/health``, coverage of a ward and
``/ready``: first idle, then while it ingests an uploaded register of ``--services`` services
(``bench/into_held.py``'s register, zipped). Latency is measured from each request's scheduled
time, so a read that waits for the write shows in full. Before reads got a connection of their
own, p99 went from 20-37 ms idle to 26.9 s during a 17 s upload.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.api import _free_port, open_loop, wait_ready  # noqa: E402
from bench.into_held import register  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-key-0123456789"
PATHS = ["/health", "/territories/E05010460/coverage", "/ready"]


def _zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.glob("*.csv")):
            archive.write(file, file.name)
    return buffer.getvalue()


async def _during_upload(port: int, body: bytes, paths: list[str], rate: float, connections: int) -> tuple[dict, dict]:
    """Drive reads while the upload's job runs; (read latencies, the job as it ended)."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
        sent = await client.post("/ingest/register", params={"name": "directory"}, content=body,
                                 headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/zip"})
        job = sent.json()

        async def finished() -> dict:
            while True:
                answer = await client.get(f"/ingest/jobs/{job['id']}", params={"wait": 30},
                                          headers={"Authorization": f"Bearer {KEY}"})
                state = answer.json()
                if state["status"] in ("done", "failed"):
                    return state

        waiting = asyncio.ensure_future(finished())
        reads = []
        while not waiting.done():  # a few seconds at a time, for as long as the ingest runs
            reads.append(await open_loop(port, paths, rate, 3.0, connections))
        ended = await waiting
    # Each 3-second window's percentiles; the summary keeps the worst window's p99 and the slowest read.
    summary = {"windows": len(reads), "requests": sum(r["requests"] for r in reads),
               "errors": sum(r["errors"] for r in reads),
               "median_window_p50_ms": sorted(r["p50_ms"] for r in reads)[len(reads) // 2] if reads else None,
               "worst_window_p99_ms": max((r["p99_ms"] for r in reads), default=None),
               "max_ms": max((r["max_ms"] for r in reads), default=None)}
    return summary, ended


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=130)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--paths", nargs="+", default=PATHS, help="what the reads ask, in turn")
    parser.add_argument("--work", type=Path, default=Path("data/bench/reads-during-upload"))
    parser.add_argument("--out", type=Path, default=Path("out/bench-reads-during-upload.json"))
    args = parser.parse_args()
    body = _zipped(register(args.services, args.work / "register"))
    db = args.work / "db"
    shutil.rmtree(db, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "cli", "--db", str(db), "ingest", "register", str(ROOT / "examples" / "leicestershire")],
                   cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "cli", "--db", str(db), "serve", "--port", str(port), "--no-access-log"],
                              cwd=ROOT, env={**__import__("os").environ, "PARTNERMAP_API_KEYS": KEY,
                                             "PARTNERMAP_MAX_REQUEST_BYTES": str(200 * 1024 * 1024)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        uvloop.run(wait_ready(port, args.paths))
        idle = uvloop.run(open_loop(port, args.paths, args.rate, args.seconds, args.connections))
        started = time.perf_counter()
        during, job = uvloop.run(_during_upload(port, body, args.paths, args.rate, args.connections))
        upload_seconds = round(time.perf_counter() - started, 1)
    finally:
        server.terminate()
        server.wait(timeout=60)
    result = {"rate": args.rate, "paths": args.paths, "services": args.services, "upload_seconds": upload_seconds,
              "upload_status": job.get("status"), "idle": idle, "during_upload": during}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
