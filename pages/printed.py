"""A page printed to PDF with WeasyPrint: the review pack's HTML, A4, its text extractable.

WeasyPrint (pinned in pyproject.toml) lays out CSS paged media itself (page sizes, "Page n of m",
page breaks, page numbers in the contents), so no browser is needed; it needs the Pango library
(Debian's libpango-1.0-0, 1.44 or newer). Nothing is fetched while printing: the page's assets are
inlined and any other address is refused.
"""

from __future__ import annotations

import graph
from partnermap.errors import PrintUnavailable


def pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML page (print stylesheet applied); PrintUnavailable without WeasyPrint."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango library could not be loaded
        raise PrintUnavailable(
            "printing to PDF needs WeasyPrint and the Pango library (Debian: apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0); ask for .html instead ({exc})") from exc
    graph.budget.check()
    return weasyprint.HTML(string=html, url_fetcher=fetcher()).write_pdf()


def fetcher():
    """WeasyPrint's fetcher allowing only ``data:`` URIs: a pack's assets are inlined, nothing else is fetched."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})
