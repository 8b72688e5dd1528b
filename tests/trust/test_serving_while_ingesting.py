"""A real server keeps answering reads while it ingests an upload, and owns its store against other processes.

uvicorn serves the Leicestershire sample on loopback; one thread uploads a register with
3,000 extra services in Blaby while another keeps reading Blaby's coverage and /health.
Meanwhile ``partnermap ingest register`` run against the same store must fail at once,
naming the server's pid, and leave the store as the server wrote it.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import httpx

import graph

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "leicestershire"
KEY = "trust-key-0123456789"
EXTRA = 3000
BLABY = "E07000129"


def _upload() -> bytes:
    """The sample register with EXTRA more services, all in Blaby, as a zip."""
    files = {path.name: path.read_bytes() for path in sorted(SAMPLE.glob("*.csv"))}
    rows = "".join(
        f"trust-service-{i},Trust Service {i},blaby-dc,,advice,older people,housing,{BLABY}\n"
        for i in range(EXTRA)
    )
    files["services.csv"] = files["services.csv"].rstrip(b"\n") + b"\n" + rows.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _cli(*args: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_reads_answer_during_an_upload_and_a_second_process_is_turned_away(tmp_path):
    db = tmp_path / "db"
    assert _cli("--db", str(db), "ingest", "register", str(SAMPLE)).returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "--db", str(db), "serve", "--port", str(port), "--no-access-log"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PARTNERMAP_API_KEYS": KEY},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to 30 s for the server to start on a busy machine
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        before = httpx.get(f"{base}/territories/{BLABY}/coverage", params={"limit": 1}, timeout=10).json()["total"]

        body = _upload()
        uploaded: dict = {}

        def upload() -> None:
            # Accepted at once as a job; then asked until it ends (each ask waits for the end, up to 30 s).
            started = time.monotonic()
            auth = {"Authorization": f"Bearer {KEY}"}
            response = httpx.post(f"{base}/ingest/register", params={"name": "trust-upload"}, content=body,
                                  headers={"Content-Type": "application/zip", **auth}, timeout=120)
            job = response.json()
            while response.status_code == 202 and job["status"] in ("queued", "running"):
                job = httpx.get(f"{base}/ingest/jobs/{job['id']}", params={"wait": 30}, headers=auth, timeout=60).json()
            uploaded.update(status=response.status_code, job=job, seconds=time.monotonic() - started)

        writer = threading.Thread(target=upload)
        reads: list[tuple[str, int, float]] = []  # path, status, seconds
        deadline = time.monotonic() + 120
        writer.start()
        with httpx.Client(base_url=base, timeout=60) as reader:
            while writer.is_alive() and time.monotonic() < deadline:
                for path in (f"/territories/{BLABY}/coverage?limit=5", "/health"):
                    started = time.monotonic()
                    status = reader.get(path).status_code
                    reads.append((path, status, time.monotonic() - started))
        writer.join(10)

        assert uploaded["status"] == 202 and uploaded["job"]["status"] == "done", uploaded
        assert uploaded["job"]["written"]["nodes"]["Service"] == 27 + EXTRA  # services.csv rows plus the extra ones
        assert len(reads) >= 4, reads  # the reads ran while the upload was being ingested
        assert {status for _, status, _ in reads} == {200}, reads
        after = httpx.get(f"{base}/territories/{BLABY}/coverage", params={"limit": 1}, timeout=10).json()["total"]
        assert after == before + EXTRA

        # A second process on the same store: refused at once, told who holds it.
        started = time.monotonic()
        refused = _cli("--db", str(db), "ingest", "register", str(SAMPLE))
        refused_seconds = time.monotonic() - started
        assert refused.returncode == 2, refused.stderr
        assert f"pid {server.pid} writing" in refused.stderr and "is open in another process" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert httpx.get(f"{base}/health", timeout=10).status_code == 200
        slowest = max(seconds for _, _, seconds in reads)
        print(f"\n{len(reads)} reads during a {uploaded['seconds']:.1f} s upload, all 200, slowest {slowest:.2f} s; "
              f"second process refused in {refused_seconds:.1f} s")
    finally:
        server.terminate()
        server.wait(timeout=30)

    with graph.open_store(db) as store:  # intact: everything the server wrote, nothing else
        assert store.warnings == []
        counts = graph.stats(store)
        assert counts["nodes"]["Service"] == 27 + EXTRA
        assert counts["nodes"]["Territory"] == 31
