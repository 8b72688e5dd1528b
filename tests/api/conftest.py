"""The API driven in-process over real embedded stores in temporary directories."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import graph
import ingest
from api import create_app
from partnermap.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "leicestershire"
KEY = "test-key-0123456789"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """An embedded store holding the Leicestershire sample, closed so an app can own it."""
    db = tmp_path_factory.mktemp("api-sample") / "db"
    with graph.open_store(db) as store:
        ingest.load(store, ingest.READERS["register"](SAMPLE))
    return db


@pytest.fixture(scope="module")
def client(sample_db):
    """A read-only client over the sample (no API keys: writes disabled)."""
    with TestClient(create_app(Settings(db=sample_db))) as test_client:
        yield test_client


@pytest.fixture
def make_client(tmp_path):
    """Build a client over a fresh empty store with the given settings overrides."""
    opened = []

    def make(**overrides) -> TestClient:
        settings = Settings(db=tmp_path / f"db{len(opened)}", **overrides)
        test_client = TestClient(create_app(settings))
        test_client.__enter__()
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A .zip archive holding ``files`` (name → content), names written as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sample_files() -> dict[str, bytes]:
    """The sample register's CSV files by name."""
    return {path.name: path.read_bytes() for path in sorted(SAMPLE.glob("*.csv"))}


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape: ``{"error": {"status", "code", "message"[, "problems"]}}``, nothing else."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["status"] == status
    assert set(error) <= {"status", "code", "message", "problems", "more_problems"}
    assert isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in response.text and "MATCH" not in response.text
    if code:
        assert error["code"] == code
    return error


def upload(client, content, name: str | None = "test-upload", params: dict | None = None, headers: dict | None = None,
           key: str = KEY, path: str = "/ingest/register") -> dict:
    """POST an upload (a register unless ``path`` says) and wait for its job to end: the job (``status`` done or
    failed), or the refusal's response.

    Waiting asks the server to answer when the job ends (``wait``), so nothing here sleeps or races.
    """
    query = {**({"name": name} if name is not None else {}), **(params or {})}
    sent = {"Content-Type": "application/zip", "Authorization": f"Bearer {key}", **(headers or {})}
    response = client.post(path, params=query, content=content, headers=sent)
    if response.status_code != 202:
        return {"response": response}
    job = response.json()
    assert response.headers["location"] == f"/ingest/jobs/{job['id']}"
    assert job["status"] in ("queued", "running") and job["name"] == query["name"]
    for _ in range(20):  # each ask waits up to 30 s for the end
        job = client.get(f"/ingest/jobs/{job['id']}", params={"wait": 30},
                         headers={"Authorization": f"Bearer {key}"}).json()
        if job["status"] in ("done", "failed"):
            return job
    raise AssertionError(f"the upload's job never ended: {job}")


def workbook_bytes(folder: Path) -> bytes:
    """A register folder as one .xlsx workbook, a sheet per CSV file, cells as text."""
    import csv

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for path in sorted(folder.glob("*.csv")):
        sheet = workbook.create_sheet(path.stem)
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def demo_client(demo_db):
    """A read-only client over the demo's store."""
    with TestClient(create_app(Settings(db=demo_db))) as test_client:
        yield test_client
