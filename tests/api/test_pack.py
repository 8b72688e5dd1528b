"""GET /pack/…: the review pack downloaded from the workspace, over the Leicestershire sample."""

from __future__ import annotations

import io

import pypdf
from fastapi.testclient import TestClient

import graph
import ingest
from api import create_app
from pages import printed
from partnermap.settings import Settings
from partnermap.errors import PrintUnavailable


def test_a_partnership_pack_downloads_as_a_pdf_holding_its_name(client):
    response = client.get("/pack/partnership/leicestershire-together.pdf", params={"as_of": "2008-01-01"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="review-pack-leicestershire-together.pdf"'
    text = " ".join(pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Annual review pack · Partnership Leicestershire Together" in text
    assert "Memberships as of 2008-01-01" in text


def test_a_place_pack_comes_as_html_too(client):
    response = client.get("/pack/territory/E07000129.html")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    # blaby-lsp works in Blaby (E07000129): it has a part of its own, listed in the summary.
    assert '<h1 class="govuk-heading-xl">Blaby</h1>' in response.text
    assert ">Blaby District Local Strategic Partnership</a>" in response.text


def test_what_cannot_be_packed_is_a_page_saying_why(client):
    for path, status, words in (
            ("/pack/partnership/no-such-thing.pdf", 404, "nothing with id"),
            ("/pack/partnership/leicestershire-cc.pdf", 404, "is an organisation, not a partnership or forum"),
            ("/pack/territory/E99999999.pdf", 404, "E99999999"),
            ("/pack/partnership/leicestershire-together.docx", 400, ".pdf or .html"),
            ("/pack/partnership/leicestershire-together.pdf?as_of=2008-13-01", 400, "year-month-day"),
            ("/pack/partnership/leicestershire-together.pdf?as_of=2008-01-01&since=2009-01-01", 400, "must be before")):
        response = client.get(path)
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html") and words in response.text, path


def test_without_weasyprint_the_pdf_says_so_and_html_still_works(client, monkeypatch):
    def missing(html: str) -> bytes:
        raise PrintUnavailable("printing to PDF needs WeasyPrint and the Pango library")

    monkeypatch.setattr(printed, "pdf", missing)
    response = client.get("/pack/partnership/blaby-lsp.pdf")
    assert response.status_code == 503 and "needs WeasyPrint and the Pango library" in response.text
    assert client.get("/pack/partnership/blaby-lsp.html").status_code == 200


def test_partnership_and_place_pages_offer_the_pack(client):
    profile = client.get("/profile/blaby-lsp").text
    assert 'href="/pack/partnership/blaby-lsp.pdf"' in profile and "Download review pack (PDF)" in profile
    assert 'href="/pack/territory/E07000129.pdf"' in client.get("/places/E07000129").text
    assert "/pack/" not in client.get("/profile/leicestershire-cc").text  # an organisation has no pack


def test_an_id_holding_a_slash_reaches_its_pack(tmp_path):
    # ModernGov committees have ids like moderngov:GB-LAE-MAN/audit-committee (the council's code, then a slug).
    register = tmp_path / "register"
    register.mkdir()
    for name, text in (("territories.csv", "code,name,level,parent\n"), ("organisations.csv", "id,name,sector\n"),
                       ("partnerships.csv", "id,name,kind\nmoderngov:GB-LAE-MAN/audit-committee,Audit Committee,board\n")):
        (register / name).write_text(text, encoding="utf-8")
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](register))
    with TestClient(create_app(Settings(db=tmp_path / "db", read_only=True))) as client:
        response = client.get("/pack/partnership/moderngov%3AGB-LAE-MAN%2Faudit-committee.html")
    assert response.status_code == 200 and '<h1 class="govuk-heading-xl">Audit Committee</h1>' in response.text


def test_a_place_with_too_many_partnerships_for_a_pdf_offers_the_web_page(client, monkeypatch):
    from pages import pack

    monkeypatch.setattr(pack, "PDF_PARTS", 1)  # Blaby is covered by more than one
    page = client.get("/places/E07000129").text
    assert 'href="/pack/territory/E07000129.pdf"' not in page and "Open review pack" in page
    assert client.get("/pack/territory/E07000129.pdf").status_code == 400
