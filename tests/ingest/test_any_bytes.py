"""Whatever a reader is given, only Problems naming the file come out: never a traceback.

Random bytes and mangled copies of every reader's fixtures (bytes flipped, cut, repeated,
punctuation dropped in, JSON values swapped for others of the wrong type) are thrown at every
reader in ``ingest.READERS``, then at ``ingest.load``, then at the CLI. A reader may refuse
the file or read what is left of it; it may never raise, and never fall back on the net
``ingest.batches.guarded`` spreads under it (that net's message means a fault nobody foresaw).
Derandomized and bounded: the same few examples per reader on every run.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import graph
import ingest
from cli import app
from ingest.pipeline import SKIPPING
from ingest.batches import UNFORESEEN, EdgeBatch, NodeBatch, ReadWarning, Skipped
from partnermap.errors import InvalidRecords, Problem
from tests.api.conftest import workbook_bytes

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "examples" / "leicestershire"
OPENREFERRAL = FIXTURES / "openreferral"

# Every reader's own fixtures: files, or folders a reader takes whole (one file of which is mangled).
INPUTS: dict[str, list[Path]] = {
    "register": [FIXTURES / "registers" / "small"],
    "openreferral": [*sorted((OPENREFERRAL / "uk").glob("*.json")), *sorted((OPENREFERRAL / "hsds3").glob("*.json")),
                     OPENREFERRAL / "oruk-v1" / "services_page.json", OPENREFERRAL / "oruk-v1" / "services_as_published.json",
                     OPENREFERRAL / "oruk-v1" / "csv", OPENREFERRAL / "hsds3-csv", OPENREFERRAL / "uk-csv",
                     OPENREFERRAL / "hsds-1.1"],
    "360giving": sorted((FIXTURES / "giving").glob("*.csv")),
    "documents": sorted((FIXTURES / "documents").glob("*.txt")),
    "geography": [*sorted((FIXTURES / "geo").glob("*.csv")), SAMPLE / "geography" / "ward19_to_lad19_to_cty19_to_ced19.csv"],
    "boundaries": [FIXTURES / "geo" / "llr_lad_2013_topo.json", SAMPLE / "boundaries" / "wards_2025_E06000017.geojson"],
    "ons-partnerships": sorted((FIXTURES / "ons").glob("*.csv")),
    "rdf": [FIXTURES / "rdf" / "org.ttl", FIXTURES / "hostile" / "rdf" / "scoped-context.jsonld"],
    "moderngov": [FIXTURES / "moderngov" / "leicester", FIXTURES / "moderngov" / "leicester" / "GetCouncillorsByWard.xml"],
    "popolo": [FIXTURES / "popolo" / "people.json"],
}
SUFFIX = {"register": ".csv", "openreferral": ".json", "360giving": ".csv", "documents": ".txt", "geography": ".csv",
          "boundaries": ".geojson", "ons-partnerships": ".csv", "rdf": ".ttl", "moderngov": ".xml",
          "popolo": ".json"}
TOGETHER = ("geography", "boundaries", "ons-partnerships", "moderngov")
WRONG_VALUES = [None, 0, -1, 1.5, True, "", " ", "x", [], {}, [None], {"a": None}, "E06000016", "2020-13-45", 1e308, "\x00"]
PUNCTUATION = [b",", b";", b'"', b"\n", b"\r", b"\t", b"{", b"}", b"[", b"]", b"<", b">", b"\x00", b"\xff\xfe", b"null", b"-1e999"]
def _bounded(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def test_every_reader_has_fixtures_to_mangle():
    assert set(INPUTS) == set(ingest.READERS)
    for reader, inputs in INPUTS.items():
        assert inputs and all(path.exists() for path in inputs), reader


# --- Mangling -------------------------------------------------------------------------------


@st.composite
def _mangled_bytes(draw, data: bytes) -> bytes:
    """``data`` with a few bytes flipped, cut, repeated or punctuation dropped in."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 5))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        edit = draw(st.sampled_from(["flip", "cut", "truncate", "repeat", "insert"]))
        if edit == "flip":
            data[at] = draw(st.integers(0, 255))
        elif edit == "cut":
            del data[at:at + draw(st.integers(1, 64))]
        elif edit == "truncate":
            del data[at:]
        elif edit == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 200))]
        else:
            data[at:at] = draw(st.sampled_from(PUNCTUATION))
    return bytes(data)


def _json_paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:20]):
            yield from _json_paths(item, (*path, index))


@st.composite
def _mangled_json(draw, data: bytes) -> bytes:
    """Valid JSON, with a few values swapped for values of the wrong type."""
    document = json.loads(data.decode("utf-8-sig"))
    paths = list(_json_paths(document))
    for _ in range(draw(st.integers(1, 4))):
        path, value = draw(st.sampled_from(paths)), draw(st.sampled_from(WRONG_VALUES))
        if not path:
            return json.dumps(value).encode()
        parent = document
        for step in path[:-1]:
            parent = parent[step] if isinstance(parent, (dict, list)) else None
        if isinstance(parent, dict) or (isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent)):
            parent[path[-1]] = value
    return json.dumps(document).encode()


@st.composite
def _case(draw, reader: str) -> tuple[Path, str, bytes]:
    """(the fixture, the name of the file replaced within it, the bytes it is replaced by)."""
    if draw(st.integers(0, 4)) == 0:
        fixture = draw(st.sampled_from(INPUTS[reader]))
        name = fixture.name if fixture.is_file() else f"random{SUFFIX[reader]}"
        return fixture, name, draw(st.binary(max_size=2000))
    fixture = draw(st.sampled_from(INPUTS[reader]))
    file = fixture if fixture.is_file() else draw(st.sampled_from(sorted(p for p in fixture.iterdir() if p.is_file())))
    data = file.read_bytes()
    is_json = file.suffix in (".json", ".geojson", ".jsonld")
    mangled = draw(_mangled_json(data) if is_json and draw(st.booleans()) else _mangled_bytes(data))
    return fixture, file.name, mangled


def _materialise(case: tuple[Path, str, bytes], where: Path) -> Path:
    """The mangled input on disk: a copy of the fixture (folder) with one file replaced."""
    fixture, name, data = case
    target = where / fixture.name
    if fixture.is_dir():
        shutil.copytree(fixture, target)
        (target / name).write_bytes(data)
    else:
        target = where / name
        target.write_bytes(data)
    return target


def _read(reader: str, path: Path) -> list:
    read = ingest.READERS[reader]
    if reader == "documents":
        return list(read(path, names=[]))
    return list(read([path]) if reader in TOGETHER else read(path))


def _names(path: Path) -> set[str]:
    return {path.name, *(p.name for p in path.iterdir())} if path.is_dir() else {path.name}


def _only_problems_naming(items: list, path: Path) -> None:
    for item in items:
        assert isinstance(item, (NodeBatch, EdgeBatch, Problem, ReadWarning, Skipped)), type(item)
    problems = [item for item in items if isinstance(item, Problem)]
    problems += [item.problem for item in items if isinstance(item, ReadWarning)]
    problems += [p for item in items if isinstance(item, Skipped) for p in item.problems]
    assert not any(UNFORESEEN in p.reason for p in problems), [str(p) for p in problems if UNFORESEEN in p.reason]
    names = _names(path)
    for problem in problems:  # "small.xlsx[territories]", "services.json": the file, as the user knows it
        assert any(problem.file.startswith(name) for name in names), (str(problem), names)


# --- Properties ----------------------------------------------------------------------------


@pytest.mark.parametrize("reader", sorted(INPUTS))
def test_a_reader_gives_only_batches_and_problems_naming_the_file(reader):
    @_bounded(20)
    @given(case=_case(reader))
    def check(case):
        with tempfile.TemporaryDirectory() as tmp:
            path = _materialise(case, Path(tmp))
            _only_problems_naming(_read(reader, path), path)
            if reader in SKIPPING:
                _only_problems_naming(list(ingest.READERS[reader](path, skip_invalid=True)), path)

    check()


@pytest.mark.parametrize("reader", sorted(INPUTS))
def test_loading_what_a_reader_gives_writes_or_refuses_never_crashes(reader, tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](FIXTURES / "registers" / "small"))  # something to refer to

        @_bounded(4)
        @given(case=_case(reader))
        def check(case):
            with tempfile.TemporaryDirectory() as tmp:
                path = _materialise(case, Path(tmp))
                try:
                    ingest.load(store, ingest.READERS[reader](path) if reader not in TOGETHER else ingest.READERS[reader]([path]))
                except InvalidRecords as refused:
                    _only_problems_naming(refused.problems, path)

        check()


def test_a_workbook_of_random_bytes_is_refused_naming_it(tmp_path):
    good = workbook_bytes(FIXTURES / "registers" / "small")
    for cut in (0, 100, len(good) // 2, len(good) - 10):
        path = tmp_path / "register.xlsx"
        path.write_bytes(good[:cut] + b"\x00" * 7 + good[cut + 7:])
        _only_problems_naming(_read("register", path), path)


@pytest.mark.parametrize("reader", sorted(INPUTS))
def test_the_cli_exits_2_with_the_problems_on_random_bytes(reader, tmp_path):
    path = tmp_path / f"mangled{SUFFIX[reader]}"
    path.write_bytes(bytes(range(256)) * 3)
    target = path
    if reader == "register":  # a register is a folder: its one required file is garbage
        target = tmp_path / "register"
        target.mkdir()
        (target / "territories.csv").write_bytes(path.read_bytes())
    done = CliRunner().invoke(app, ["--db", str(tmp_path / "db"), "ingest", reader, str(target)])
    assert done.exit_code == 2, (done.output, done.exception)
    assert "Traceback" not in done.output and "error:" in done.output
    assert UNFORESEEN not in done.output


def test_the_net_turns_a_failure_no_reader_foresaw_into_a_problem_naming_the_file():
    from ingest.batches import guarded

    def reader(source):
        yield Problem("a.csv", 2, "name", "x", "an ordinary problem")
        raise KeyError("surprise")

    items = list(guarded(reader)(["north/a.csv", Path("south/b.csv")]))
    assert str(items[0]) == "a.csv, row 2, column 'name': value 'x': an ordinary problem"
    net = items[1]
    assert (net.file, net.fatal) == ("a.csv, b.csv", True)
    assert net.reason.startswith("could not be read (KeyError: 'surprise'); ") and UNFORESEEN in net.reason
