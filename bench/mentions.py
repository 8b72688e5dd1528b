"""Precision and recall of the documents reader's mentions against hand labels.

    python bench/mentions.py [--out out/bench-mentions.json] [--show]

The documents are real ones, read in place from ``../shared``: the three Leicestershire seeds
(``seeds/*.txt``) and every document of ``data/real-docs-*`` (Gloucestershire NHS's citizens' jury
report as PDF, Trafford Data Lab's briefings as HTML and PDF, the Welsh Technical Standards
Board's minutes and agendas as Markdown; not their SOURCES.md). They are matched against the
Leicestershire demo register (``examples/leicestershire``) alone, and beside a register of
bodies of the documents' own places and of West Yorkshire
(``tests/fixtures/mentions/elsewhere``), where "County Council", "CCG" and "Police" are each
the alias of several bodies.

``tests/fixtures/mentions/labels.csv`` lists, by hand, every sentence of these documents where
a name, alias or glossary term of a body of either register occurs (as the reader splits
sentences, by its ``position``) and which body it means there, or ``-`` for none (a place's
name, another place's body, another sense). A mention of a theme is not labelled: themes
belong to no place. A body named in a way no register or glossary spells is not labelled
either: recall is of the names the graph knows.

Precision: the share of MENTIONS the reader writes that the labels say are right. Recall: the
share of labelled mentions the reader writes. Goal: precision ≥ 0.95 at recall ≥ 0.8.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import graph  # noqa: E402
import ingest  # noqa: E402
from ingest.batches import EdgeBatch  # noqa: E402
from ingest.names import NameIndex  # noqa: E402

SHARED = ROOT.parent / "shared"
DEMO = ROOT / "examples" / "leicestershire"
ELSEWHERE = ROOT / "tests" / "fixtures" / "mentions" / "elsewhere"
LABELS = ROOT / "tests" / "fixtures" / "mentions" / "labels.csv"
SUFFIXES = (".txt", ".md", ".html", ".pdf")


def documents(shared: Path = SHARED) -> list[Path]:
    """The benchmark's documents, in a fixed order (those present)."""
    found = sorted((shared / "seeds").glob("*.txt"))
    for folder in sorted((shared / "data").glob("real-docs-*")):
        found += sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.name != "SOURCES.md")
    return found


def name(path: Path, shared: Path = SHARED) -> str:
    return path.relative_to(shared).as_posix()


def index(elsewhere: bool) -> tuple[NameIndex, set[str]]:
    """The names of the demo register's bodies (and of the elsewhere register's), with their places;
    and the ids of the bodies."""
    with tempfile.TemporaryDirectory() as folder:
        store = graph.open_store(Path(folder) / "db")
        try:
            ingest.load(store, ingest.READERS["geography"]([DEMO / "geography"]))
            ingest.load(store, ingest.READERS["ons-partnerships"](
                [DEMO / "ons", DEMO / "geography" / "lsoa11_to_ccg20_to_lad20.csv"]))
            ingest.load(store, ingest.READERS["register"](DEMO))
            if elsewhere:
                ingest.load(store, ingest.READERS["register"](ELSEWHERE))
            rows = graph.run_query(store, "document-names")
            return (NameIndex(rows, territories=graph.run_query(store, "territory-parents")),
                    {row["id"] for row in rows if row["label"] != "Theme"})
        finally:
            store.close()


def mentions(path: Path, names: NameIndex) -> list[dict]:
    """The MENTIONS the documents reader writes for one document: position, target id, term."""
    found = []
    for item in ingest.READERS["documents"](path, names=names):
        if isinstance(item, EdgeBatch):
            found += [{"position": r["position"], "target": r["to_id"], "term": r["term"], "label": item.to_labels[0]}
                      for r in item.frame.to_dict("records")]
    return found


def labels(path: Path = LABELS) -> dict[tuple[str, str, str], str]:
    """(document, position, term) → the body meant ('-' for none)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {(row["document"], row["position"], row["term"]): row["target"] for row in csv.DictReader(handle)}


def score(elsewhere: bool, shared: Path = SHARED, show: bool = False) -> dict:
    """Precision and recall over every document, and per document."""
    names, known = index(elsewhere)
    truth = labels()
    right = wrong = 0
    expected: Counter = Counter()
    per_document = {}
    for path in documents(shared):
        document = name(path, shared)
        meant = {(position, target) for (doc, position, _), target in truth.items()
                 if doc == document and target in known}
        written = {(m["position"], m["target"]): m["term"] for m in mentions(path, names) if m["label"] != "Theme"}
        hits = set(written) & meant
        for position, target in sorted(set(written) - meant):
            if show:
                print(f"false  {document} {position} {target} {written[(position, target)]!r}")
        for position, target in sorted(meant - set(written)):
            if show:
                print(f"missed {document} {position} {target}")
        right += len(hits)
        wrong += len(written) - len(hits)
        expected[document] = len(meant)
        per_document[document] = {"labelled": len(meant), "written": len(written), "right": len(hits)}
    total = sum(expected.values())
    return {"precision": round(right / (right + wrong), 3) if right + wrong else None,
            "recall": round(right / total, 3) if total else None,
            "labelled": total, "written": right + wrong, "right": right, "documents": per_document}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench-mentions.json")
    parser.add_argument("--show", action="store_true", help="print each false and missed mention")
    args = parser.parse_args()
    if not (SHARED / "seeds").is_dir():
        sys.exit(f"{SHARED} is absent: the documents are read in place from it")
    logging.disable(logging.WARNING)
    result = {"demo register": score(False, show=args.show), "demo and elsewhere registers": score(True, show=args.show)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
