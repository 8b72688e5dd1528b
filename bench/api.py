"""Benchmark the API's coverage lookup over a real uvicorn server on loopback, 1 and 2 workers.

    python bench/api.py --db data/bench/db [--rate 500] [--seconds 10] [--out out/bench-api.json]

For each worker count the script starts ``partnermap serve --read-only --workers N`` on a free
loopback port (read-only: the only way several workers can share an embedded store), warms
it (the first request builds the coverage index), then drives it from this process with
keep-alive HTTP/1.1 connections in two phases:

* ``max``: as fast as ``--connections`` closed-loop clients can go, for the requests/s ceiling;
* ``rate``: an open-loop schedule of ``--rate`` requests/s, latency measured from each
  request's scheduled time (so a stalled server is not hidden by clients that wait on it).

Each request asks ``GET /territories/{ward}/coverage`` (default page of 100) for a ward drawn
at random with a fixed seed. The baselines, measured in the same run: ``GET /version`` (the
framework alone, no store), and with ``--h11`` one worker of uvicorn's pure-Python defaults
(the h11 parser on asyncio, Nagle off as ours) beside ``partnermap serve`` (httptools on uvloop).
The load generator runs on uvloop too, so that it takes less of the machine from the server.
Targets: p99 under 20 ms at 500 requests/s on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graph  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentiles(times_ms: list[float]) -> dict[str, float]:
    if not times_ms:
        return {"p50_ms": None, "p99_ms": None}
    ordered = sorted(times_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered), 2), "p90_ms": round(pick(0.90), 2),
            "p99_ms": round(pick(0.99), 2), "max_ms": round(ordered[-1], 2)}


class Connection:
    """One keep-alive HTTP/1.1 connection: send a GET, read the status and the whole body."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        await self.writer.drain()
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def closed_loop(port: int, paths: list[str], connections: int, seconds: float) -> dict:
    """Requests/s with ``connections`` clients each sending the next request as soon as one returns."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(offset: int) -> None:
        nonlocal errors
        conn = Connection(port)
        i = offset
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            status = await conn.get(paths[i % len(paths)])
            latencies.append((time.perf_counter() - start) * 1000)
            errors += status != 200
            i += connections
        conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(connections)))
    elapsed = time.perf_counter() - start
    return {"requests": len(latencies), "rps": round(len(latencies) / elapsed, 1), "errors": errors,
            **_percentiles(latencies)}


async def open_loop(port: int, paths: list[str], rate: float, seconds: float, connections: int) -> dict:
    """``rate`` requests/s on a fixed schedule; latency from each request's scheduled start."""
    total = int(rate * seconds)
    queue: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        conn = Connection(port)
        while (job := await queue.get()) is not None:
            scheduled, path = job
            status = await conn.get(path)
            latencies.append((time.perf_counter() - scheduled) * 1000)
            errors += status != 200
        conn.close()

    workers = [asyncio.create_task(client()) for _ in range(connections)]
    start = time.perf_counter()
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((scheduled, paths[i % len(paths)]))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    return {"target_rps": rate, "requests": len(latencies), "rps": round(len(latencies) / elapsed, 1),
            "errors": errors, **_percentiles(latencies)}


def serve(db: Path, workers: int, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "cli", "--db", str(db), "serve", "--port", str(port),
               "--workers", str(workers), "--read-only", "--no-access-log"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=Path(__file__).resolve().parents[1])


H11_SERVER = """
import sys, uvicorn
from api import create_app
from api.server import NoDelayH11Protocol
from partnermap.settings import Settings
app = create_app(Settings(db=sys.argv[1], read_only=True))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), access_log=False, http=NoDelayH11Protocol, loop="asyncio")
"""


def serve_h11(db: Path, port: int) -> subprocess.Popen:
    """One worker as uvicorn runs by default without its C extensions: h11 on asyncio."""
    return subprocess.Popen([sys.executable, "-c", H11_SERVER, str(db), str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[1])


async def wait_ready(port: int, warm: list[str], timeout: float = 300) -> None:
    """Until every worker has built its coverage index: 20 answers in a row, each on a new
    connection (so any worker may take it), each under 50 ms."""
    deadline = time.monotonic() + timeout
    fast = 0
    i = 0
    while time.monotonic() < deadline and fast < 20:
        conn = Connection(port)
        try:
            start = time.perf_counter()
            status = await conn.get(warm[i % len(warm)])
            fast = fast + 1 if status == 200 and time.perf_counter() - start < 0.05 else 0
            i += 1
        except OSError:
            await asyncio.sleep(0.2)
        finally:
            conn.close()
    if fast < 20:
        raise RuntimeError(f"the server on port {port} did not become ready in {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--h11", action="store_true", help="also run one worker on h11 and asyncio, the baseline")
    parser.add_argument("--out", type=Path, default=Path("out/bench-api.json"))
    args = parser.parse_args()
    with graph.open_store(args.db, read_only=True) as store:
        wards = [r["territory"] for r in graph.run_query(store, "territory-parents") if r["level"] == "ward"]
    rng = random.Random(11)
    paths = [f"/territories/{rng.choice(wards)}/coverage" for _ in range(5000)]
    results: dict = {"endpoint": "GET /territories/{ward}/coverage (limit 100)", "wards": len(wards)}
    runs = [(f"workers_{n}", f"{n} worker(s)", n) for n in args.workers]
    if args.h11:
        runs.append(("h11_workers_1", "1 worker, h11 on asyncio (baseline)", 1))
    for key, name, workers in runs:
        port = _free_port()
        server = serve_h11(args.db, port) if key.startswith("h11") else serve(args.db, workers, port)
        try:
            uvloop.run(wait_ready(port, paths[:100]))
            health = uvloop.run(closed_loop(port, ["/version"], args.connections, args.seconds / 2))
            ceiling = uvloop.run(closed_loop(port, paths, args.connections, args.seconds))
            rated = uvloop.run(open_loop(port, paths, args.rate, args.seconds, args.connections))
        finally:
            server.terminate()
            _, err = server.communicate(timeout=30)
        if server.returncode not in (0, -15) and not ceiling:
            raise SystemExit(err.decode(errors="replace"))
        results[key] = {"max": ceiling, "rate": rated, "baseline_version": health,
                        "rps": ceiling["rps"], "p50_ms": rated["p50_ms"], "p99_ms": rated["p99_ms"]}
        print(f"{name}: ceiling {ceiling['rps']:.0f} req/s (p99 {ceiling['p99_ms']} ms at "
              f"{args.connections} connections; /version {health['rps']:.0f} req/s); at {args.rate:.0f} req/s: "
              f"{rated['rps']:.0f} served, p50 {rated['p50_ms']} ms, p99 {rated['p99_ms']} ms, errors {rated['errors']}",
              flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
