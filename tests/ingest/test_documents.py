"""The documents reader on the real seed documents over the Leicestershire sample register.

Expected mentions are read off the fixture texts by hand (line numbers are the files' own).
"""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

import graph
import ingest
from ingest.documents import NameIndex, read, sentences
from cli import app
from partnermap.errors import InvalidRecords
from tests.conftest import SAMPLE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
LT = FIXTURES / "leicestershire-together-service-delivery-assessment.txt"
LBL = FIXTURES / "leicester-leading-better-lives-minutes.txt"
SP = FIXTURES / "leicester-supporting-people-inspection-briefing-slides-1-16-31-32.txt"


def make_pdf(pages: list[list[str]]) -> bytes:
    """A small valid PDF: each page a list of lines of Helvetica text."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        text = " ".join("(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*" for line in lines)
        stream = f"BT /F1 12 Tf 72 720 Td 14 TL {text} ET".encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def register_store(store):
    """The Leicestershire sample register, ingested: what documents are matched against."""
    ingest.load(store, ingest.READERS["register"](SAMPLE))
    return store


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory):
    """The sample register and the three seed documents, ingested once (read-only use)."""
    store = graph.open_store(tmp_path_factory.mktemp("documents") / "db")
    ingest.load(store, ingest.READERS["register"](SAMPLE))
    ingest_documents(store, LT, SP, LBL)
    yield store
    store.close()


def ingest_documents(store, *paths):
    index = NameIndex(graph.run_query(store, "document-names"), territories=graph.run_query(store, "territory-parents"))
    return ingest.load(store, [item for path in paths for item in read(path, index)])


def mentions(store, document: str) -> list[dict]:
    return store.run(
        "MATCH (d:Source {id: $id})-[m:MENTIONS]->(n) RETURN n.id AS node, m.term AS term, m.position AS position, "
        "m.evidence AS evidence, m.sector AS sector, m.source_row AS source_row ORDER BY position, node",
        {"id": f"document:{document}"},
    )


def counts(store) -> dict:
    return graph.stats(store)


def test_the_county_assessment_mentions_leicestershire_together_in_six_sentences(seeds_store):
    found = mentions(seeds_store, LT.name)
    lt = [m for m in found if m["node"] == "leicestershire-together"]
    # Lines 51, 57 ("LT"), 59, 63, 65 (twice in one sentence: one mention) and 69.
    assert sorted(m["position"] for m in lt) == sorted([
        "paragraph 20 sentence 1 (line 51)", "paragraph 23 sentence 1 (line 57)", "paragraph 24 sentence 1 (line 59)",
        "paragraph 26 sentence 1 (line 63)", "paragraph 27 sentence 1 (line 65)", "paragraph 29 sentence 1 (line 69)",
    ])
    issue9 = next(m for m in lt if "(line 57)" in m["position"])
    assert issue9["term"] == "LT"
    assert issue9["evidence"] == "Issue 9. Unclear relationship between LT and District LSPs"
    assert issue9["source_row"] == f"{LT.name} paragraph 23 sentence 1 (line 57)"
    # "Research conducted by M.E.L. in May/June": the register's alias of M.E.L. Research.
    assert any(m["node"] == "mel-research" and "(line 5)" in m["position"] for m in found)
    # "LSP" fits nine LSPs, seven of them Leicestershire's districts': never guessed, listed instead
    # (line 55); "District LSPs" (lines 57, 59) are several.
    source = seeds_store.run("MATCH (d:Source {id: $id}) RETURN d.unresolved AS u, d.reader AS r, d.sha256 AS h",
                                {"id": f"document:{LT.name}"})[0]
    assert source["r"] == "documents" and len(source["h"]) == 64
    assert source["u"] == ["LSP ×1: Local Strategic Partnership: 9 candidates",
                           "LSPs ×2: several (the plural), not one body"]


def test_the_inspection_briefing_ties_acronyms_to_the_bodies_they_name(seeds_store):
    found = mentions(seeds_store, SP.name)

    def at(line: int) -> dict[str, str]:
        return {m["node"]: m["term"] for m in found if m["position"].endswith(f"(line {line})")}

    # "Strong attendance by Probation and ALA over last 12 months (100)": register aliases.
    assert at(147) == {"leicestershire-rutland-probation-area": "Probation", "leicester-city-council": "ALA"}
    # "PCT only attended 67 meetings": the register gives PCT as Leicester City PCT's alias.
    assert at(157) == {"leicester-city-pct": "PCT"}
    # "Role of CB in LAA …": glossary terms that each fit one node of the graph.
    assert at(169) == {"sp-commissioning-body": "CB", "leicester-laa": "LAA"}
    # "Robustness of MAPPA arrangements and liaison arrangements with SP": SP is a programme, so its theme.
    assert at(257) == {"mappa-smb": "MAPPA", "supported-housing": "SP"}
    assert at(261) == {"leicester-yot": "YOT"}
    # "Links to health and probation targets …" (slide 31): plain "probation" is the register's alias.
    assert at(287) == {"leicestershire-rutland-probation-area": "probation"}


def test_acronyms_match_whole_words_case_sensitively_and_in_the_plural():
    rows = [
        {"id": "sp-board", "label": "Partnership", "name": "Supporting People Board", "aliases": None, "sector": None, "kind": "board"},
        {"id": "sp-forum", "label": "Forum", "name": "Supporting People Forum", "kind": "forum"},
        {"id": "supported-housing", "label": "Theme", "name": "supported housing"},
        {"id": "lsp", "label": "Partnership", "name": "Blaby Local Strategic Partnership", "kind": "lsp"},
        {"id": "pct", "label": "Organisation", "name": "Leicester City PCT", "aliases": ["PCT"], "sector": "nhs"},
    ]
    index = NameIndex(rows)

    def terms(text):
        return [(text[a:b], m.target) for a, b, m in index.find(text)]

    assert terms("The SPs spend less; sp and Sp are not it, nor is SPEND.") == [("SPs", ("Theme", "supported-housing"))]
    # A body's acronym in the plural is several bodies, so not that one ("other ALAs").
    assert terms("Both LSPs met the PCT.") == [("LSPs", None), ("PCT", ("Organisation", "pct"))]
    assert terms("the pct and the Lsp") == []
    # "SP" fits two nodes whose names hold "Supporting People": its theme instead.
    # Longest match first: the full name, not the alias inside it.
    assert terms("Leicester City PCT attended") == [("Leicester City PCT", ("Organisation", "pct"))]
    assert terms("the supporting people board met") == [("supporting people board", ("Partnership", "sp-board"))]


def test_sentences_keep_abbreviations_whole():
    text = "Dr. Smith met the PCT, e.g. the Leicester City PCT. See No. 3 for details.\nWork by M.E.L. in May.\n\n- A bullet\n- Another one"
    assert [(p, s, line, t) for p, s, line, t in sentences(text)] == [
        (1, 1, 1, "Dr. Smith met the PCT, e.g. the Leicester City PCT."),
        (1, 2, 1, "See No. 3 for details."),
        (1, 3, 2, "Work by M.E.L. in May."),
        (2, 1, 4, "A bullet"),
        (2, 2, 5, "Another one"),
    ]


def test_the_nhs_in_the_minutes_counts_as_the_sector_and_the_vcse_stays_unresolved(seeds_store):
    found = mentions(seeds_store, LBL.name)
    nhs = [m for m in found if m["term"] == "NHS"]
    # "NHS" in four sentences, beginning on lines 29 ("There was an even spread…"), 55 ("Invites were
    # going out to the VCSE, NHS…"), 108 and 145: no single NHS body, so the health theme, sector nhs.
    assert [m["position"].rsplit("(", 1)[1] for m in nhs] == ["line 29)", "line 55)", "line 108)", "line 145)"]
    assert {(m["node"], m["sector"]) for m in nhs} == {("health", "nhs")}
    assert any(m["node"] == "leicestershire-opcc" and m["term"] == "Police and Crimes Commission Office" for m in found)
    source = seeds_store.run("MATCH (d:Source {id: $id}) RETURN d.unresolved AS u", {"id": f"document:{LBL.name}"})[0]
    assert source["u"] == ["VCSE ×5: Voluntary, Community and Social Enterprise: no node in the graph fits"]


def test_document_gaps_find_the_county_assessment_silent_on_health_and_probation(seeds_store):
    rows = graph.run_query(seeds_store, "document-gaps")
    lt = {(r["theme"], r["missing_sector"]) for r in rows if r["document"] == LT.name}
    # Leicestershire Together's themes that call for a sector; the document names only M.E.L. Research.
    assert lt == {("health", "nhs"), ("community safety", "police"), ("community safety", "probation"),
                  ("children and young people", "education")}
    health = next(r for r in rows if r["document"] == LT.name and r["theme"] == "health")
    assert "Issue 9. Unclear relationship between LT and District LSPs" in health["evidence"]
    sp = {(r["theme"], r["missing_sector"]) for r in rows if r["document"] == SP.name}
    # The briefing names the PCT and probation, but never the police, though MAPPA is on offender management.
    assert ("offender management", "police") in sp
    assert not {sector for _, sector in sp} & {"nhs", "probation"}


def test_html_keeps_visible_text_and_fetches_nothing(register_store, tmp_path, monkeypatch):
    page = tmp_path / "minutes.html"
    page.write_text(
        "<html><head><title>Board minutes</title><style>p { content: 'Leicestershire Together' }</style>"
        "<script>document.write('Leicestershire Together');</script></head><body>"
        "<img src=\"http://example.invalid/logo.png\"><p>The PCT met Ernst &amp; Young.</p>"
        "<ul><li>Leicestershire Together agreed</li></ul></body></html>",
        encoding="utf-8",
    )

    def no_network(*args, **kwargs):
        raise AssertionError("the reader tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    ingest_documents(register_store, page)
    found = mentions(register_store, "minutes.html")
    assert [(m["node"], m["term"], m["position"]) for m in found] == [
        ("ernst-young", "Ernst & Young", "paragraph 2 sentence 1"),
        ("leicester-city-pct", "PCT", "paragraph 2 sentence 1"),
        ("leicestershire-together", "Leicestershire Together", "paragraph 3 sentence 1"),
    ]


def test_markdown_and_pdf_are_read_with_their_places(register_store, tmp_path):
    # "Commissioning Body" could be any place's: the note names Leicester, whose body it is.
    (tmp_path / "notes.md").write_text("# Notes of the Leicester meeting\n\nThe [Commissioning Body](http://example.invalid/cb) met.\n",
                                       encoding="utf-8")
    (tmp_path / "board.pdf").write_bytes(make_pdf([["Minutes of the board.", "The PCT sent apologies."],
                                                    ["Leicestershire Together agreed the plan."]]))
    ingest_documents(register_store, tmp_path)  # a folder: every document in it
    assert [(m["node"], m["position"]) for m in mentions(register_store, "notes.md")] == [
        ("sp-commissioning-body", "paragraph 2 sentence 1 (line 3)")]
    assert [(m["node"], m["position"]) for m in mentions(register_store, "board.pdf")] == [
        ("leicester-city-pct", "page 1 paragraph 1 sentence 2"),
        ("leicestershire-together", "page 2 paragraph 1 sentence 1"),
    ]


def _encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(make_pdf([["The PCT met."]])))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("broken.pdf", make_pdf([["The PCT met."]])[:180], "not a readable PDF"),
    ("locked.pdf", None, "encrypted with a password"),
    ("scan.pdf", make_pdf([[]]), "no text could be extracted"),
    ("empty.txt", b"", "the document is empty"),
    ("blank.md", b"  \n\n \n", "the document is empty"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary data, not text"),
    ("minutes.docx", b"PK\x03\x04", "not a kind of document this reader takes"),
])
def test_unreadable_documents_are_clear_problems_and_nothing_is_written(seeds_store, tmp_path, name, content, reason):
    # Nothing is written, so the shared store serves.
    path = tmp_path / name
    path.write_bytes(_encrypted_pdf() if content is None else content)
    before = counts(seeds_store)
    with pytest.raises(InvalidRecords) as raised:
        ingest_documents(seeds_store, LT, path)  # a good document beside it: all or nothing
    problem = raised.value.problems[0]
    assert problem.file == name and reason in problem.reason, str(raised.value)
    assert counts(seeds_store) == before


def test_ingesting_twice_changes_nothing_and_a_changed_document_drops_its_old_mentions(register_store, tmp_path):
    document = tmp_path / LT.name
    document.write_bytes(LT.read_bytes())
    first = ingest_documents(register_store, document)
    stats = counts(register_store)
    again = ingest_documents(register_store, document)
    assert first["relationships"]["MENTIONS"] == again["relationships"]["MENTIONS"] == 7
    assert counts(register_store) == stats
    document.write_text(LT.read_text(encoding="utf-8").replace("Issue 9. Unclear relationship between LT and", "Issue 9."),
                        encoding="utf-8")
    changed = ingest_documents(register_store, document)
    assert changed["removed"]["facts"] == 1
    assert counts(register_store)["relationships"]["MENTIONS"] == 6


def test_the_cli_ingests_documents_after_the_register(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["--db", db, "ingest", "register", str(SAMPLE)]).exit_code == 0
    done = runner.invoke(app, ["--db", db, "ingest", "documents", str(LT), str(LBL)])
    assert done.exit_code == 0, done.output
    assert "MENTIONS" in done.stdout and "Source" in done.stdout
    done = runner.invoke(app, ["--db", db, "query", "document-gaps", "--format", "csv"])
    assert done.exit_code == 0, done.output
    assert f"{LT.name},health,nhs" in done.stdout
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing else")
    done = runner.invoke(app, ["--db", db, "ingest", "documents", str(broken)])
    assert done.exit_code == 2 and "broken.pdf" in done.output and "not a readable PDF" in done.output
