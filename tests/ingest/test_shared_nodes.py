"""Several files in one ingest that give the same node or fact: one node, one fact, the last file's.

Ingesting them together must leave what ingesting them one after the other leaves (where two
files disagree, the later one's values, as an upsert would), and an id given twice within one
file is still a mistake, reported with nothing written.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

import graph
from ingest.pipeline import ingest_paths
from partnermap.errors import InvalidRecords

ROOT = Path(__file__).resolve().parents[2]
GRANTS = ROOT / "tests" / "fixtures" / "giving" / "trafford_council_voluntary_sector_grants.csv"
SMALL = ROOT / "tests" / "fixtures" / "registers" / "small"


def _split(tmp_path: Path) -> tuple[Path, Path]:
    """The Trafford grants file cut in two: the council funds grantees in both halves."""
    lines = GRANTS.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    half = len(rows) // 2
    first, second = tmp_path / "grants-a.csv", tmp_path / "grants-b.csv"
    first.write_text(header + "".join(rows[:half]), encoding="utf-8")
    second.write_text(header + "".join(rows[half:]), encoding="utf-8")
    return first, second


def _graph(store: graph.Store) -> dict[str, set]:
    """Every node's and fact's content, without provenance."""
    return {
        "nodes": {(r["label"], r["id"], r["name"]) for r in store.run(
            "MATCH (n) WHERE label(n) <> 'Source' RETURN label(n) AS label, n.id AS id, n.name AS name")},
        "facts": {(r["type"], r["a"], r["b"], r["id"]) for r in store.run(
            "MATCH (a)-[r]->(b) RETURN label(r) AS type, a.id AS a, b.id AS b, r.id AS id")},
    }


def test_grants_files_that_share_a_funder_ingest_together_as_one_after_the_other(tmp_path):
    first, second = _split(tmp_path)
    with graph.open_store(tmp_path / "together") as store:
        ingest_paths(store, "360giving", [first, second])
        together = _graph(store)
        # The shared funder is one node, kept as the later file gives it.
        council = store.run("MATCH (o:Organisation {id: 'GB-LAE-TRF'}) RETURN o.source AS source")
        assert len(council) == 1 and council[0]["source"].endswith("grants-b.csv")
    with graph.open_store(tmp_path / "apart") as store:
        ingest_paths(store, "360giving", [first])
        ingest_paths(store, "360giving", [second])
        apart = _graph(store)
    assert together == apart
    # Grantees named differently in the two halves (a name changed between grants) take the later name.
    assert ("Organisation", "GB-COH-09901361", "Blue Sci CIC") in together["nodes"]


def _two_registers(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "north", tmp_path / "south"
    shutil.copytree(SMALL, a)
    shutil.copytree(SMALL, b)
    return a, b


def _edit(path: Path, row: int, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[row - 2][column] = value  # row numbers as a spreadsheet shows them: the header is row 1
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_two_registers_that_agree_are_one_graph(tmp_path):
    a, b = _two_registers(tmp_path)
    with graph.open_store(tmp_path / "db") as store:
        ingest_paths(store, "register", [a, b])
        both = _graph(store)
        sources = {r["source"] for r in store.run("MATCH (o:Organisation) RETURN o.source AS source")}
    with graph.open_store(tmp_path / "one") as store:
        ingest_paths(store, "register", [SMALL])
        assert both == _graph(store)
    assert sources == {"register:south/organisations.csv"}


def test_where_two_registers_differ_the_later_wins_as_one_after_the_other(tmp_path):
    a, b = _two_registers(tmp_path)
    _edit(b / "organisations.csv", 3, "name", "Blaby Housing Trust")
    _edit(b / "memberships.csv", 2, "attendance", "0.8")
    query = ("MATCH (o:Organisation {id: 'blaby-homes'}) MATCH (:Organisation {id: 'shire-cc'})-[m:MEMBER_OF]->"
             "(:Partnership {id: 'shire-together'}) WHERE m.role = 'chair' "
             "RETURN o.name AS name, o.source_row AS row, m.attendance AS attendance, m.source AS source")
    with graph.open_store(tmp_path / "together") as store:
        ingest_paths(store, "register", [a, b])
        together = store.run(query)
    with graph.open_store(tmp_path / "apart") as store:
        ingest_paths(store, "register", [a])
        ingest_paths(store, "register", [b])
        assert store.run(query) == together
    assert together == [{"name": "Blaby Housing Trust", "row": "organisations.csv row 3", "attendance": 0.8,
                         "source": "register:south/memberships.csv"}]


@pytest.mark.parametrize(("file", "copied", "expected"), [
    ("organisations.csv", 2, ["duplicate id: already used at organisations.csv row 3",
                              "the same COVERS fact is already at organisations.csv row 3"]),  # the row's territory, again
    ("memberships.csv", 1, ["the same MEMBER_OF fact is already at memberships.csv row 2"]),
])
def test_an_id_or_fact_twice_in_one_file_is_still_a_duplicate(register_copy, file, copied, expected):
    lines = (register_copy / file).read_text(encoding="utf-8").splitlines()
    (register_copy / file).write_text("\n".join([*lines, lines[copied]]) + "\n", encoding="utf-8")
    with graph.open_store(register_copy.parent / "db") as store:
        with pytest.raises(InvalidRecords) as raised:
            ingest_paths(store, "register", [register_copy])
        assert store.run("MATCH (n) RETURN count(*) AS n") == [{"n": 0}]
    assert [(p.row, p.reason) for p in raised.value.problems] == [(len(lines) + 1, reason) for reason in expected]
