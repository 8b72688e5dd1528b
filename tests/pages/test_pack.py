"""The review pack on the diagnostics register, whose answers its README works out by hand.

Northdale Health and Wellbeing Board (north-wellbeing), on 2020-06-01, has four members (rows 16-19):
Testshire NHS Trust (chair, Director of Commissioning, since 2017-04-01), Northdale District
Council, Northdale Homes and Northdale Voluntary Action. The council and the voluntary action sit
on 5 groups each (overloaded: 5 or more), the trust on 4, the homes on 2. The one finding naming it
is the duplicate pair with Abbey Older People's Board (3 shared of 5 members, 0.6); it has an NHS
member, so no missing link, and reports to northdale-lsp, so no governance gap.
"""

from __future__ import annotations

import io
import re

import pypdf
import pytest

import graph
import ingest
from graph.coverage import CoverageCache
from pages import neighbourhood, pack, printed
from pages.context import Workspace
from pages.findings import FindingsCache
from partnermap.errors import NotFound, QueryError
from tests.conftest import ROOT

DIAGNOSTICS = ROOT / "tests" / "fixtures" / "registers" / "diagnostics"
HOSTILE = ROOT / "tests" / "fixtures" / "registers" / "hostile-names"
STATUTORY = ROOT / "tests" / "fixtures" / "registers" / "statutory"
OUT = ROOT / "out"
AS_OF = "2020-06-01"
MEMBERS = ("Testshire NHS Trust", "Northdale District Council", "Northdale Homes", "Northdale Voluntary Action")


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    store = graph.open_store(tmp_path_factory.mktemp("pack") / "db")
    ingest.load(store, ingest.READERS["register"](DIAGNOSTICS))
    ingest.load(store, ingest.READERS["register"](HOSTILE))
    ingest.load(store, ingest.READERS["register"](STATUTORY))
    yield Workspace(store, CoverageCache(), FindingsCache())
    store.close()


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdf_text(space) -> tuple[str, int]:
    """The pack of north-wellbeing printed to PDF, its text read back with pypdf (as documents are read)."""
    content = pack.document(space, "pdf", pack.Window.parse(AS_OF, "2016-06-01"), partnership="north-wellbeing")
    assert content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(content))
    OUT.mkdir(exist_ok=True)
    _first_page_png(content, OUT / "pack-north-wellbeing-page-1.png")
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def _first_page_png(content: bytes, path) -> None:
    """The PDF's first page as a PNG under out/, for a person to look at."""
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    document[0].render(scale=1.5).to_pil().save(path)
    document.close()


def test_the_pdf_holds_the_name_members_posts_and_finding(pdf_text):
    text, pages = _words(pdf_text[0]), pdf_text[1]
    assert text.startswith("Annual review pack · Partnership Northdale Health and Wellbeing Board")
    for name in MEMBERS:
        assert name in text
    assert "Director of Commissioning" in text and "Director of Adult Services" in text
    # The duplicate pair, with its Jaccard of 3 shared members of 5.
    assert "Duplicate partnerships (1)" in text and "Abbey Older People's Board" in text and "0.6" in text
    assert "Missing links (0)" in text and "Governance gaps (0)" in text
    # Each section begins a page; every page says which of how many it is.
    # Title and contents, then about, members, load, findings, who joined and left, network, sources.
    assert pages >= 8
    assert [int(n) for n in re.findall(rf"Page (\d+) of {pages}\b", text)] == list(range(1, pages + 1))
    assert "memberships.csv row 16" in text  # the chair's membership cites its row


def test_members_load_findings_and_changes_are_the_hand_worked_ones(space):
    part = pack.part_of(space, "north-wellbeing", pack.Window.parse(AS_OF, "2016-06-01"))
    assert [m["organisation_name"] for m in part.members] == [
        "Testshire NHS Trust", "Northdale District Council", "Northdale Homes", "Northdale Voluntary Action"]
    assert [m["source_row"] for m in part.members] == [f"memberships.csv row {n}" for n in (16, 17, 18, 19)]
    assert [m["attendance_words"] for m in part.members] == ["90%", "80%", "", ""]  # rows 16-19: 0.9, 0.8, blank
    load = {row["organisation_name"]: (row["memberships"], row["overloaded"]) for row in part.load}
    assert load == {"Northdale District Council": (5, True), "Northdale Voluntary Action": (5, True),
                    "Testshire NHS Trust": (4, False), "Northdale Homes": (2, False)}
    found = {t.finding.slug: t.rows for t in part.touching}
    assert [{r["a"], r["b"]} for r in found["duplicate-partnerships"]] == [{"north-older-people", "north-wellbeing"}]
    assert found["missing-links"] == [] and found["governance-gaps"] == [] and found["low-attendance"] == []
    # On 2016-06-01 the trust was not yet a member (it joined 2017-04-01, row 16); nobody has left. Then the north
    # pair shared 2 of 5 members (0.4, below 0.5); with the trust, 3 of 5 (0.6): a new duplicate since.
    assert [(m["id"], m["date"].isoformat(), m["source_row"]) for m in part.joined] == [
        ("nhs-trust", "2017-04-01", "memberships.csv row 16")] and part.left == []
    new = [rows for section, rows in part.changes if section.name == "duplicates-new"][0]
    assert [{r["id"], r["related"]} for r in new] == [{"north-older-people", "north-wellbeing"}]


def test_a_member_who_left_is_listed_as_left(space):
    # testshire-together: the fire service's membership (row 7) ended 2019-03-31.
    part = pack.part_of(space, "testshire-together", pack.Window.parse(AS_OF, "2019-01-01"))
    assert [m["id"] for m in part.left] == ["fire"] and part.joined == []


def test_the_picture_draws_members_left_and_the_groups_they_share_right(space):
    part = pack.part_of(space, "north-wellbeing", pack.Window.parse(AS_OF))
    picture = part.picture
    left = [n["name"] for n in picture["nodes"] if n["anchor"] == "end"]
    right = [n["name"] for n in picture["nodes"] if n["anchor"] == "start"]
    # Busiest first: the council and the voluntary action (5 groups), the trust (4), the homes (2).
    assert left == ["Northdale District Council", "Northdale Voluntary Action", "Testshire NHS Trust", "Northdale Homes"]
    # Shared by two or more members: northdale-lsp and north-older-people (3 each), then 2 each.
    assert sorted(right) == sorted(["Northdale Local Strategic Partnership", "Abbey Older People's Board",
                                    "Brook Mental Health Task Group", "Northdale Community Safety Partnership",
                                    "Testshire Together", "Northdale Health and Wellbeing Board"])
    assert right[2] == "Northdale Health and Wellbeing Board"  # two of the five others above it, three below
    # Every line drawn is in the table, and the table names each membership's row.
    assert len(picture["lines"]) == len(picture["table"]) == 4 + 3 + 3 + 2 + 2 + 2  # its own, northdale-lsp, older people, then 2 each
    assert "Northdale District Council" in {name for name, _ in picture["flagged"]}


def test_a_place_pack_has_a_summary_and_a_part_per_partnership(space):
    html = pack.territory_pack(space, "E05000921", pack.Window.parse(AS_OF))  # Southvale Castle
    summary = html[html.index('id="summary"'):html.index('id="p1"')]
    # The six Southvale groups and Testshire Together (the county it lies in) work there.
    for name in ("Southvale Local Strategic Partnership", "Southvale Road Safety Group", "Southvale Health Forum",
                 "Southvale Wellbeing Board", "Southvale Skills Board", "Southvale Jobs Task Group", "Testshire Together"):
        assert summary.count(f">{name}</a>") == 1
    assert summary.count('<tr class="govuk-table__row"><td') == 7
    # The forum on Health with no NHS member: its part lists the missing link.
    forum = html[html.index(">Southvale Health Forum</h2>"):]
    assert "Missing links (1)" in forum[:forum.index("</section>")]


def test_names_from_the_data_are_escaped(space):
    html = pack.partnership_pack(space, "hostile-board", pack.Window.parse())
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt; Board" in html


def test_what_a_pack_cannot_be_is_refused_with_the_reason(space):
    with pytest.raises(NotFound, match="is an organisation, not a partnership or forum"):
        pack.partnership_pack(space, "north-council", pack.Window.parse())
    with pytest.raises(QueryError, match="must be before"):
        pack.Window.parse("2020-01-01", "2020-06-01")
    with pytest.raises(QueryError, match=r"\.pdf or \.html"):
        pack.document(space, "docx", pack.Window.parse(), partnership="north-wellbeing")
    with pytest.raises(QueryError, match="one of them"):
        pack.document(space, "pdf", pack.Window.parse(), partnership="north-wellbeing", territory="E05000921")


def test_printing_fetches_nothing():
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/hostname", "https://example.org/x.css"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            printed.fetcher().fetch(url)
    html = '<html><body><p>offline</p><img src="file:///etc/hostname" alt="x"></body></html>'
    assert printed.pdf(html).startswith(b"%PDF-")  # the refused image is left out, the page still printed


def test_long_names_are_cut_in_the_picture_not_in_the_table():
    # Lines of at most 28 characters, broken between words; a third line's worth is cut.
    assert neighbourhood.label("Northdale Health and Wellbeing Board") == ["Northdale Health and", "Wellbeing Board"]
    assert neighbourhood.label("word " * 20) == ["word word word word word", "word word word word word…"]
    assert neighbourhood.outline("dot", 0, 0, 9) == ""
    assert len(neighbourhood.outline("hexagon", 0, 0, 9).split()) == 6


def test_a_place_covered_by_many_partnerships_is_not_printed_to_pdf(space, monkeypatch):
    # Southvale Castle is covered by 7 (the summary above); with room for 6, its PDF is refused, its HTML is not.
    monkeypatch.setattr(pack, "PDF_PARTS", 6)
    with pytest.raises(QueryError, match="7 partnerships and forums cover E05000921: a PDF holds the packs of at most 6"):
        pack.document(space, "pdf", pack.Window.parse(AS_OF), territory="E05000921")
    assert pack.document(space, "html", pack.Window.parse(AS_OF), territory="E05000921").startswith(b"<!DOCTYPE html>")


def test_a_board_missing_healthwatch_and_the_icb_is_flagged_with_the_2012_act_cited(space):
    # The statutory register's README: Statvale's Health and Wellbeing Board, on 2023-06-01, has a councillor and
    # the three directors (rows 2-5) but no Healthwatch (s.194(2)(e)) and no integrated care board (s.194(2)(f)).
    content = pack.document(space, "pdf", pack.Window.parse("2023-06-01"), partnership="statvale-hwb")
    text = _words("\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages))
    assert "Statutory duties 6 requirements of the law, 2 not met" in text
    for provision in ("a", "b", "c", "d", "e", "f"):
        assert f"Health and Social Care Act 2012, s. 194(2)({provision})" in text or \
               f"Health and Social Care Act 2012, s.194(2)({provision})" in text
    part = pack.part_of(space, "statvale-hwb", pack.Window.parse("2023-06-01"))
    assert [row["legislation"] for row in part.unmet] == ["Health and Social Care Act 2012, s.194(2)(e)",
                                                          "Health and Social Care Act 2012, s.194(2)(f), as amended "
                                                          "by the Health and Care Act 2022"]
    # The councillor and the three directors are all the council's posts.
    assert [row["met_by"] for row in part.statutory if row["met"]] == [["Statvale Council"]] * 4


def test_a_partnership_no_rule_matches_says_so(space):
    part = pack.part_of(space, "statvale-asb", pack.Window.parse("2023-06-01"))  # a task group, not statutory
    assert part.statutory == []
    html = pack.partnership_pack(space, "statvale-asb", pack.Window.parse("2023-06-01"))
    assert "No statutory rule applies" in html
