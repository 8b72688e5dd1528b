"""The mapping report: every diagnostic's rows as one self-contained HTML page.

It takes rows already fetched (it never queries the store) and escapes every string
that came from the data, so a register with ``<script>`` in a name renders as text.
No external CSS, fonts or scripts: the file works offline and can be emailed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape
from typing import Any

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:2px solid #2b6cb0}
p.lead{color:#444;margin-top:0} nav a{margin-right:.8rem}
table{border-collapse:collapse;width:100%;font-size:13px;margin:.6rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f2f5f8;position:sticky;top:0} tr:nth-child(even) td{background:#fafbfc}
.count{display:inline-block;background:#2b6cb0;color:#fff;border-radius:1rem;padding:0 .55rem;font-size:12px;margin-left:.4rem}
.none{color:#2f855a} .why{color:#555;font-size:13px} figure{margin:1rem 0}
"""


@dataclass
class Section:
    """One diagnostic: a title, what it asks, and its rows (or an error text)."""

    key: str
    title: str
    question: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    html_before: str = ""  # trusted markup made by viz (a network), never data


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return escape(value.isoformat())
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return escape(f"{value:g}")
    return escape(str(value))


def table(rows: list[dict[str, Any]], limit: int = 500) -> str:
    """Rows as an HTML table, every value escaped."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows[:limit]
    )
    more = f"<p class='why'>… and {len(rows) - limit} more rows.</p>" if len(rows) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def render_report(title: str, sections: list[Section], facts: dict[str, str]) -> str:
    """The whole report page."""
    nav = "".join(f"<a href='#{escape(s.key)}'>{escape(s.title)}</a>" for s in sections)
    meta = " · ".join(f"{escape(k)}: {escape(v)}" for k, v in facts.items())
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1><p class='lead'>{meta}</p><nav>{nav}</nav>",
    ]
    for section in sections:
        count = "" if section.error else f"<span class='count'>{len(section.rows)}</span>"
        parts.append(f"<section id='{escape(section.key)}'><h2>{escape(section.title)}{count}</h2>")
        parts.append(f"<p class='why'>{escape(section.question)}</p>{section.html_before}")
        if section.error:
            parts.append(f"<p><strong>Could not run:</strong> {escape(section.error)}</p>")
        elif not section.rows:
            parts.append("<p class='none'>Nothing found.</p>")
        else:
            parts.append(table(section.rows))
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts)
