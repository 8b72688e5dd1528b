"""One diagnostic's page: its rows narrowed by area, theme and date, sorted, paged, and downloadable."""

from __future__ import annotations

from urllib.parse import urlencode

from pages import findings, overview
from pages.context import Workspace, common
from pages.downloads import csv_text, xlsx_bytes
from pages.findings import Filters
from pages.render import render


def _rows(space: Workspace, item: findings.Finding, filters: Filters) -> list[dict]:
    index = space.index
    if filters.area:
        index.territory(filters.area)  # NotFound for a code that is not a place
    return findings.rows(space.store, space.cache, item, filters, overview.covering_ids(index, filters.area))


def page(space: Workspace, slug: str, filters: Filters, sort: str = "", descending: bool = False,
         number: int = 1, standalone: bool = False) -> str:
    """The finding's page: a filter form, the count, a sortable table of one page, pagination."""
    item = findings.finding(slug)
    found = _rows(space, item, filters)
    shown = findings.columns(item, found)
    if sort not in shown:
        sort = ""
    if sort:
        found = findings.sort_rows(found, sort, descending)
    paged = findings.page_of(found, number, size=len(found) or 1 if standalone else findings.PAGE_SIZE)
    base = filters.query_string()

    def href(**extra: object) -> str:
        query = {**base, **{k: v for k, v in extra.items() if v not in (None, "", 1)}}
        return f"/findings/{slug}" + (f"?{urlencode(query)}" if query else "")

    def sort_href(column: str) -> str:
        flip = sort == column and not descending
        return href(sort=column, order="desc" if flip else "asc")

    def page_href(number: int) -> str:
        return href(sort=sort or None, order=("desc" if descending else "asc") if sort else None, page=number)

    index = space.index
    area_name = index.territories[filters.area].name if filters.area in index.territories else ""
    download = f"?{urlencode(base)}" if base else ""
    return render("finding.html", standalone=standalone, **common(
        "", finding=item, filters=filters, paged=paged, columns=shown, sort=sort, descending=descending,
        sort_href=sort_href, page_href=page_href, areas=overview.areas(index),
        themes=findings.themes_of(space.store, space.cache), area_name=area_name,
        overview_query=f"?{urlencode(base)}" if base else "",
        download_csv=f"/findings/{slug}.csv{download}", download_xlsx=f"/findings/{slug}.xlsx{download}"))


def download(space: Workspace, slug: str, filters: Filters, fmt: str) -> tuple[bytes, str, str]:
    """The finding's rows under the filters as a file: (content, media type, file name)."""
    item = findings.finding(slug)
    found = _rows(space, item, filters)
    name = "-".join(filter(None, [slug, filters.area, filters.theme.replace(" ", "-"), filters.as_of]))
    if fmt == "xlsx":
        return xlsx_bytes(found, item.title), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", \
            f"{name}.xlsx"
    return csv_text(found).encode("utf-8"), "text/csv; charset=utf-8", f"{name}.csv"
