"""Hostile inputs for every reader and for uploads: a clear error or inert text, never a crash or a partial write.

The catalogue is tests/fixtures/hostile/README.md. Big files (200 MB, a 2 GiB zip bomb) are
made here at test time, sparse or built from repeated compressed blocks, never committed.
Every refused case leaves the store exactly as it was (same counts per label and type).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import graph
import ingest
from api import create_app
from ingest.batches import MAX_FILE_BYTES
from cli import app
from partnermap.errors import InvalidRecords
from partnermap.settings import Settings
from tests.api.conftest import workbook_bytes

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "registers" / "small"
OPENREFERRAL = ROOT / "tests" / "fixtures" / "openreferral" / "uk" / "service_full.json"
GIVING = ROOT / "tests" / "fixtures" / "giving" / "trafford_council_voluntary_sector_grants.csv"
DOCUMENT = ROOT / "tests" / "fixtures" / "documents" / "leicester-leading-better-lives-minutes.txt"
KEY = "hostile-key-0123456789"
HUGE = 200 * 1024 * 1024
DEEP = 100_000


def _register(tmp: Path, file: str, content: bytes) -> Path:
    folder = tmp / "register"
    shutil.copytree(SMALL, folder)
    (folder / file).write_bytes(content)
    return folder


def _sparse(path: Path, size: int = HUGE) -> Path:
    """A file of ``size`` bytes that costs no disk: only its size should ever be looked at."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def _file(tmp: Path, name: str, content: bytes) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


ORGS = (SMALL / "organisations.csv").read_bytes()
MEMBERSHIPS = (SMALL / "memberships.csv").read_bytes()
NESTED = b"[" * DEEP + b"]" * DEEP
# (case, reader, build(tmp) -> path, expected (file, row, column, part of the reason))
Case = tuple[str, str, Callable[[Path], Path], tuple]
CASES: list[Case] = [
    # the register, a folder of CSV files
    ("register truncated inside a quoted cell", "register",
     lambda t: _register(t, "organisations.csv", ORGS + b'late-org,"Half a name\n'),
     ("organisations.csv", None, None, "not a readable CSV file: Error tokenizing data. C error: EOF inside string")),
    ("register truncated mid-row", "register",  # the last row cut inside its role: "mem" for "member"
     lambda t: _register(t, "memberships.csv", MEMBERSHIPS[: MEMBERSHIPS.index(b"vcs-forum,helping-hands,mem") + 27]),
     ("memberships.csv", 9, "role", "not one of the allowed membership_role values")),
    ("register 0-byte file", "register", lambda t: _register(t, "territories.csv", b""),
     ("territories.csv", None, None, "not a readable CSV file: No columns to parse from file")),
    # UTF-16 with its mark and Windows-1252 (Latin-1's letters) are read, as Excel saves them: see test_register_files.
    ("register byte in neither UTF-8 nor Windows-1252", "register",
     lambda t: _register(t, "organisations.csv", ORGS.replace(b"Blaby Homes", b"Blaby \x81omes")),
     ("organisations.csv", 3, None, "neither UTF-8 nor Windows-1252 text (byte 174, 0x81, is in neither)")),
    ("register UTF-8 with damaged bytes", "register",
     lambda t: _register(t, "organisations.csv", ORGS.replace(b"Blaby Homes", "Blaby Homés".encode() + b" \xc3\x28")),
     ("organisations.csv", 3, None, "UTF-8 text with damaged bytes (byte 181 is not UTF-8)")),
    ("register NUL byte in a name", "register",
     lambda t: _register(t, "organisations.csv", ORGS.replace(b"Blaby Homes", b"Blaby\x00Homes")),
     ("organisations.csv", 3, "name", "holds a control character (U+0000)")),
    ("register 200 MB file", "register", lambda t: _sparse(_register(t, "services.csv", b"") / "services.csv").parent,
     ("services.csv", None, None, f"file is larger than the {MAX_FILE_BYTES:,} bytes partnermap reads")),
    # the register as one workbook
    ("xlsx truncated", "register", lambda t: _file(t, "small.xlsx", workbook_bytes(SMALL)[:3000]),
     ("small.xlsx", None, None, "not a readable XLSX workbook")),
    ("xlsx 0-byte", "register", lambda t: _file(t, "small.xlsx", b""),
     ("small.xlsx", None, None, "not a readable XLSX workbook: File is not a zip file")),
    ("xlsx 200 MB", "register", lambda t: _sparse(t / "small.xlsx"),
     ("small.xlsx", None, None, "file is larger than the")),
    # Open Referral JSON
    ("openreferral truncated", "openreferral", lambda t: _file(t, "or/service.json", OPENREFERRAL.read_bytes()[:500]),
     ("service.json", "line 9", None, "not valid JSON (truncated or damaged): Unterminated string")),
    ("openreferral 0-byte", "openreferral", lambda t: _file(t, "or/service.json", b""),
     ("service.json", "line 1", None, "not valid JSON (truncated or damaged): Expecting value at line 1 column 1")),
    ("openreferral UTF-16", "openreferral",
     lambda t: _file(t, "or/service.json", OPENREFERRAL.read_text(encoding="utf-8").encode("utf-16")),
     ("service.json", None, None, "not UTF-8 text (byte 0)")),
    ("openreferral nested 100,000 deep", "openreferral", lambda t: _file(t, "or/service.json", NESTED),
     ("service.json", None, None, "JSON nested too deeply to read")),
    ("openreferral 200 MB", "openreferral", lambda t: _sparse(t / "or" / "service.json"),
     ("service.json", None, None, "file is larger than the")),
    # 360Giving
    ("360giving JSON truncated", "360giving", lambda t: _file(t, "grants.json", b'{"grants": [{"id": "360G-'),
     ("grants.json", None, None, "not valid JSON: Unterminated string")),
    ("360giving JSON nested 100,000 deep", "360giving", lambda t: _file(t, "grants.json", b'{"grants": ' + NESTED + b"}"),
     ("grants.json", None, None, "JSON nested too deeply to read")),
    ("360giving 0-byte CSV", "360giving", lambda t: _file(t, "grants.csv", b""),
     ("grants.csv", None, None, "not a readable CSV file")),
    ("360giving Latin-1 CSV", "360giving",
     lambda t: _file(t, "grants.csv", GIVING.read_bytes().split(b"\n")[0] + b"\n360G-1,Caf\xe9\n"),
     ("grants.csv", 2, None, "not UTF-8 text")),
    ("360giving 200 MB", "360giving", lambda t: _sparse(t / "grants.json"),
     ("grants.json", None, None, "file is larger than the")),
    # documents
    ("document 0-byte", "documents", lambda t: _file(t, "minutes.txt", b""),
     ("minutes.txt", None, None, "the document is empty")),
    ("document truncated PDF", "documents", lambda t: _file(t, "minutes.pdf", b"%PDF-1.4\n1 0 obj <<"),
     ("minutes.pdf", None, None, "not a readable PDF")),
    ("document UTF-16", "documents", lambda t: _file(t, "minutes.txt", DOCUMENT.read_text(encoding="utf-8").encode("utf-16")),
     ("minutes.txt", None, None, "binary data, not text")),
    ("document 200 MB", "documents", lambda t: _sparse(t / "minutes.txt"),
     ("minutes.txt", None, None, "file is larger than the")),
]


@pytest.fixture(scope="module")
def baseline_store(tmp_path_factory):
    """A store holding the small register: every hostile file is tried against it."""
    with graph.open_store(tmp_path_factory.mktemp("hostile") / "db") as store:
        ingest.load(store, ingest.READERS["register"](SMALL))
        yield store


@pytest.mark.parametrize(("reader", "build", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_hostile_file_is_refused_clearly_and_writes_nothing(baseline_store, tmp_path, reader, build, expected):
    before = graph.stats(baseline_store)
    with pytest.raises(InvalidRecords) as refused:
        ingest.load(baseline_store, ingest.READERS[reader](build(tmp_path)))
    file, row, column, reason = expected
    found = [(p.file, p.row, p.column, p.reason) for p in refused.value.problems]
    assert any(f == file and r == row and c == column and reason in why for f, r, c, why in found), found
    assert graph.stats(baseline_store) == before


# --- Names that are code: stored as text, neutralised on the way out -----------------------------

NAMES = {
    "shire-cc": "=cmd|' /C calc'!A0",
    "blaby-homes": "@SUM(1+1)",
    "shire-pct": "+1-1",
    "shire-police": "<script>alert(1)</script>",
    "helping-hands": '"><img src=x onerror=alert(1)>',
}
RAW_MARKUP = ("<script>alert(1)</script>", "<img src=x onerror")


@pytest.fixture(scope="module")
def hostile_names_db(tmp_path_factory) -> Path:
    """The small register with organisations named as formulas and markup, ingested through the CLI."""
    folder = tmp_path_factory.mktemp("names") / "register"
    shutil.copytree(SMALL, folder)
    with (SMALL / "organisations.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["name"] = NAMES.get(row["id"], row["name"])
        row["aliases"] = ""  # an alias equal to another's name would blur what each test looks up
    with (folder / "organisations.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    db = folder.parent / "db"
    done = CliRunner().invoke(app, ["--db", str(db), "ingest", "register", str(folder)])
    assert done.exit_code == 0, done.output
    return db


def _cli(db: Path, *args: str):
    done = CliRunner().invoke(app, ["--db", str(db), *args])
    assert done.exit_code == 0, done.output
    return done.stdout


def test_formula_names_are_stored_verbatim_and_exported_to_csv_behind_a_quote(hostile_names_db):
    ids = [f"ids={','.join(NAMES)}"]
    as_json = json.loads(_cli(hostile_names_db, "query", "names", "--param", *ids, "--format", "json"))
    assert {row["id"]: row["name"] for row in as_json} == NAMES  # the store holds exactly what was written
    as_csv = list(csv.DictReader(io.StringIO(_cli(hostile_names_db, "query", "names", "--param", *ids, "--format", "csv"))))
    exported = {row["id"]: row["name"] for row in as_csv}
    assert exported["shire-cc"] == "'=cmd|' /C calc'!A0"
    assert exported["blaby-homes"] == "'@SUM(1+1)"
    assert exported["shire-pct"] == "'+1-1"
    assert exported["shire-police"] == "<script>alert(1)</script>"  # not a formula: left alone in CSV
    assert not any(name.startswith(("=", "+", "-", "@")) for name in exported.values())


def test_markup_names_are_escaped_in_every_html_page(hostile_names_db, tmp_path):
    _cli(hostile_names_db, "viz", "--output", str(tmp_path / "map.html"))
    _cli(hostile_names_db, "report", "--output", str(tmp_path / "report.html"))
    pages = {name: (tmp_path / name).read_text(encoding="utf-8") for name in ("map.html", "report.html")}
    with TestClient(create_app(Settings(db=hostile_names_db))) as client:
        response = client.get("/graph.html")
        assert response.status_code == 200
        pages["/graph.html"] = response.text
    for name, page in pages.items():
        assert "alert(1)" in page, f"{name} does not show the hostile names at all"
        for markup in RAW_MARKUP:
            assert markup not in page, f"{name} holds raw markup {markup!r}"


# --- Uploads: archives that lie, escape or explode -----------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _bomb(name: str = "territories.csv", gib: int = 2) -> bytes:
    """A zip of ~2 MB whose one member inflates to ``gib`` GiB of zeros (one deflate block, repeated)."""
    mib = b"\0" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)  # byte-aligned, history-free
    count = gib * 1024
    data = block * count + zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # then an empty final block
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(mib, crc)
    size, encoded = count << 20, name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size & 0xFFFFFFFF, len(encoded), 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size & 0xFFFFFFFF,
                          len(encoded), 0, 0, 0, 0, 0, 0)
    offset = len(local) + len(encoded) + len(data)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(encoded), offset, 0)
    return local + encoded + data + central + encoded + end


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("territories.csv")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


SMALL_ZIP = {path.name: path.read_bytes() for path in sorted(SMALL.glob("*.csv"))}
UPLOADS = [
    ("zip bomb (2 GiB of zeros)", lambda: _bomb(), 413, "the archive unpacks to more than"),
    ("member ../../etc/passwd", lambda: _zip({**SMALL_ZIP, "../../etc/passwd": b"x"}), 422,
     "the archive holds an unsafe path: '../../etc/passwd'"),
    ("member /abs/path", lambda: _zip({**SMALL_ZIP, "/abs/path": b"x"}), 422, "unsafe path: '/abs/path'"),
    ("member C:\\x", lambda: _zip({**SMALL_ZIP, "C:\\x": b"x"}), 422, "unsafe path: 'C:\\\\x'"),
    # unpacked as a plain file holding the link's text, never followed
    ("symlink member", _symlink_zip, 422, "required column is missing (the header has: /etc/passwd)"),
    ("truncated zip", lambda: _zip(SMALL_ZIP)[:2000], 422, "not a readable .zip archive"),
    ("0-byte upload", lambda: b"", 422, "the upload is not a readable .zip file"),
    ("xlsx that is a bomb", lambda: _bomb("xl/workbook.xml", 1), 413, "the workbook unpacks to more than"),
]


@pytest.fixture(scope="module")
def upload_client(tmp_path_factory):
    db = tmp_path_factory.mktemp("uploads") / "db"
    with graph.open_store(db) as store:
        ingest.load(store, ingest.READERS["register"](SMALL))
    with TestClient(create_app(Settings(db=db, api_keys=[KEY]))) as client:
        yield client


@pytest.mark.parametrize(("make", "status", "message"), [u[1:] for u in UPLOADS], ids=[u[0] for u in UPLOADS])
def test_a_hostile_upload_is_refused_and_writes_nothing(upload_client, tmp_path, make, status, message):
    from tests.api.conftest import assert_error, upload

    before = upload_client.get("/territories").json()["total"], upload_client.get("/health").status_code
    kind = "xlsx" if "XLSX" in message or "workbook" in message else "zip"
    answer = upload(upload_client, make(), name="hostile", params={"filename": f"upload.{kind}"},
                    headers={"Content-Type": "application/octet-stream"}, key=KEY)
    # Refused at once (the archive itself), or accepted and failed in its job (what the reader found in it).
    if "response" in answer:
        error, said = assert_error(answer["response"], status), answer["response"].text
    else:
        assert answer["status"] == "failed" and answer["error"]["status"] == status, answer
        error, said = answer["error"], json.dumps(answer)
    text = error["message"] + json.dumps(error.get("problems") or [])
    assert message in text, error
    assert "root:" not in said  # nothing outside the upload was read
    after = upload_client.get("/territories").json()["total"], upload_client.get("/health").status_code
    assert after == before
    assert not Path("/etc/passwd").is_symlink()


def test_csv_export_quotes_every_formula_start_and_leaves_numbers_alone():
    from partnermap.output import render

    rows = [{"name": text, "n": -3, "x": -0.5} for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "plain", "a=b")]
    exported = list(csv.DictReader(io.StringIO(render(rows, "csv"), newline="")))
    assert [row["name"] for row in exported] == ["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "plain", "a=b"]
    assert {row["n"] for row in exported} == {"-3"} and {row["x"] for row in exported} == {"-0.5"}
    assert json.loads(render(rows, "json"))[0]["name"] == "=1+1"  # JSON keeps values verbatim
