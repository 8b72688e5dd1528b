"""The API over real HTTP on loopback, driven as a careless or hostile client would drive it.

A real ``partnermap serve`` (uvicorn, httptools, uvloop) over the sample: oversized requests are
refused without the server growing, a query past its budget answers 503 and the server goes on
answering, and a bounded schemathesis run over every operation, the upload included, finds no
server error and no answer outside the OpenAPI document.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

import graph
import ingest
from tests.api.conftest import KEY, SAMPLE
from tests.api.test_limits import OVERSIZED

ROOT = Path(__file__).resolve().parents[2]


def _serve(db: Path, **env: str) -> Iterator[tuple[str, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "--db", str(db), "serve", "--port", str(port), "--no-access-log"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to 30 s to start on a busy machine
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def _sample_store(directory: Path) -> Path:
    db = directory / "db"
    with graph.open_store(db) as store:
        ingest.load(store, ingest.READERS["register"](SAMPLE))
    return db


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory) -> Path:
    return _sample_store(tmp_path_factory.mktemp("served"))


@pytest.fixture(scope="module")
def served(sample_copy):
    yield from _serve(sample_copy, PARTNERMAP_API_KEYS=KEY, PARTNERMAP_BACKUP_DIR=str(sample_copy.parent / "backups"))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_oversized_requests_are_400_and_the_server_stays_the_same_size(served):
    base, pid = served
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(3):  # warm: the coverage index, projections, the first of each route
            assert client.get("/territories/E07000129/coverage").status_code == 200
            assert client.get("/queries/suggested-links", params={"min_shared": 1}).status_code == 200
            assert client.get("/queries/duplicate-services").status_code == 200
            for path, params in OVERSIZED:
                client.get(path, params=params)
        before = _rss_mb(pid)
        for _ in range(20):
            for path, params in OVERSIZED:
                response = client.get(path, params=params)
                assert response.status_code == 400, (path, params, response.text)
        after = _rss_mb(pid)
    # The requests that once grew a server to 24 GB or answered 1.59 GB are refused before any work.
    assert after - before < 30, (before, after)


def test_a_query_past_its_budget_is_503_and_the_server_keeps_answering(tmp_path):
    # A budget no query can keep (a microsecond): every store query is stopped; nothing else is.
    for base, _ in _serve(_sample_store(tmp_path), PARTNERMAP_QUERY_SECONDS="0.000001"):
        with httpx.Client(base_url=base, timeout=30) as client:
            for path in ("/queries/overload", "/queries/suggested-links", "/ready"):
                response = client.get(path)
                assert response.status_code == 503, (path, response.text)
                assert response.json()["error"]["code"] in ("timeout", "store_unavailable")
                assert response.headers["retry-after"] == "5"
            assert client.get("/queries/overload").json()["error"]["code"] == "timeout"
            # The coverage index is built when the server starts (issue 16), so territories answer from memory.
            assert client.get("/territories").status_code == 200
            assert client.get("/health").json()["status"] == "ok"
            assert client.get("/version").status_code == 200


def test_a_bounded_schemathesis_run_over_real_http_finds_no_server_error(served, sample_copy):
    import schemathesis
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    from api.ingest import XLSX_TYPE

    schemathesis.serializer.alias(["application/zip", XLSX_TYPE, "text/csv"], "application/octet-stream")
    base, _ = served
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert {"POST /ingest/register", "POST /ingest/openreferral", "POST /ingest/360giving", "GET /ingest/jobs/{job_id}",
            "GET /ready", "POST /admin/backup"} <= labels
    calls: dict[str, int] = {}
    for operation, mode in [(o, m) for o in operations for m in schemathesis.GenerationMode]:

        # An upload's body is a register archive, an Open Referral directory or 360Giving grants, which
        # no JSON Schema can describe: random bytes of the right type are well formed by the schema and
        # still not a readable archive (422). Every other check runs on them too.
        # Likewise GET /changes: `from` after `to` is well formed by the schema (no JSON Schema relates two
        # parameters) and refused with 400. Every other check runs on it.
        excluded = ([positive_data_acceptance] if operation.label.startswith("POST /ingest/")
                    or operation.label == "GET /changes" else [])

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=12, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def conforms(case):
            case.call_and_validate(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=60,
                                   excluded_checks=excluded)
            calls[operation.label] = calls.get(operation.label, 0) + 1

        try:
            conforms()
        except Unsatisfiable:
            assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label  # nothing to get wrong: no parameters
        except Exception as exc:
            raise AssertionError(f"{operation.label} ({mode.value}): {exc}") from exc
    assert set(calls) == labels
    assert list((sample_copy.parent / "backups").glob("*.backup"))  # taken over real HTTP, while it served
    print(f"\nschemathesis: {sum(calls.values())} requests over {len(calls)} operations, no failure")
