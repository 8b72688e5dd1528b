"""The annual review pack: a board paper on one partnership, or on every partnership covering a place.

Each part is built from the named queries and findings the workspace already shows (memberships,
the overload analysis, the findings that name the partnership, the memberships around it), every
row with the source row that states it. ``SECTIONS`` lists a part's sections in the order a board
reads them; a new section is a function filling the part and one line there. The same HTML is
served, written to a file, or printed to PDF by :mod:`pages.printed`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import graph
from graph.changes import changes
from ontology import load_model
from pages import findings, neighbourhood, network, printed
from pages.context import Workspace, common
from pages.findings import Filters
from pages.profiles import described, facts_of
from pages.render import render, words
from partnermap.errors import NotFound, QueryError

GROUP_KINDS = frozenset(load_model().kind("Group"))
OVERLOAD = findings.finding("overloaded-organisations")
OVERLOAD_MIN = int(OVERLOAD.headline_params["min"])  # the same line the overview's finding draws
# Findings that name a partnership: those linking a column to a partnership's profile.
# Statutory gaps have a section of their own (every requirement, met or not).
TOUCHING = tuple(f for f in findings.FINDINGS if any(link.label in GROUP_KINDS for link in f.links.values())
                 and f.slug != "statutory-gaps")
ROW_PATTERN = re.compile(r"^(?P<file>.+) row (?P<row>\d+)$")  # how readers write a source row
OVERLOAD_ROWS = 1000  # the overload query's most rows (its limit's upper bound)


@dataclass
class Touching:
    """One finding's rows that name the partnership."""

    finding: findings.Finding
    rows: list[dict[str, Any]]
    columns: list[str]


@dataclass
class Part:
    """Everything the pack says about one partnership or forum."""

    id: str
    name: str
    kind: str
    row: dict[str, Any] = field(default_factory=dict, repr=False)  # its facts as the node-facts query gives them
    facts: list[tuple[str, Any]] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    load: list[dict[str, Any]] = field(default_factory=list)
    touching: list[Touching] = field(default_factory=list)
    changes: list[tuple[Any, list[dict[str, Any]]]] = field(default_factory=list)  # (graph.changes section, rows)
    statutory: list[dict[str, Any]] = field(default_factory=list)
    picture: dict[str, Any] | None = None

    @property
    def finding_count(self) -> int:
        """How many finding rows name it (overloaded members are counted in the load section, requirements of
        the law not met in the statutory one)."""
        return sum(len(t.rows) for t in self.touching)

    @property
    def joined(self) -> list[dict[str, Any]]:
        """Memberships of it begun since the ``since`` date."""
        return [row for section, rows in self.changes if section.name == "memberships-begun" for row in rows]

    @property
    def left(self) -> list[dict[str, Any]]:
        """Memberships of it ended since the ``since`` date."""
        return [row for section, rows in self.changes if section.name == "memberships-ended" for row in rows]

    @property
    def changed(self) -> int:
        """How many changes touch it."""
        return sum(len(rows) for _, rows in self.changes)

    @property
    def unmet(self) -> list[dict[str, Any]]:
        """The requirements of the law in force that no member meets."""
        return [row for row in self.statutory if not row["met"]]

    @property
    def overloaded(self) -> list[dict[str, Any]]:
        """Its members that sit on as many groups as the overload finding flags."""
        return [row for row in self.load if row["overloaded"]]


@dataclass(frozen=True)
class Window:
    """The dates a pack reads: memberships in force on ``as_of`` (empty: today), changes since ``since``."""

    as_of: str = ""
    since: str = ""

    @classmethod
    def parse(cls, as_of: str = "", since: str = "") -> "Window":
        """Both dates checked as every as-of date is; ``since`` must come before ``as_of``."""
        as_of = Filters.parse(as_of=as_of).as_of
        since = Filters.parse(as_of=since).as_of
        if since and since >= (as_of or dt.date.today().isoformat()):
            raise QueryError(f"since ({since}) must be before the as-of date ({as_of or 'today'})")
        return cls(as_of, since)

    @property
    def filters(self) -> Filters:
        """The findings' filters for the as-of date (none for today, so the cached findings are used)."""
        return Filters(as_of=self.as_of)

    def dated(self, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` with the as-of date when one was given."""
        return {**params, "as_of": self.as_of} if self.as_of else params


def about(space: Workspace, part: Part, window: Window) -> None:
    """Its facts (kind, themes, meetings a year …) and every source that states them."""
    part.facts, part.sources = described(space, part.row)


def members(space: Workspace, part: Part, window: Window) -> None:
    """Its members in force: organisation, sector, role, the post that attends, attendance, source row."""
    rows = graph.run_query(space.store, "memberships-around", window.dated({"id": part.id}))
    part.members = sorted(({**r, "sector_words": words(r["sector"]).lower(), "role_words": words(r["role"]),
                            "attendance_words": percent(r["attendance"])}
                           for r in rows if r["partnership"] == part.id),
                          key=lambda r: (r["role"] != "chair", str(r["organisation_name"]).casefold()))


def load(space: Workspace, part: Part, window: Window) -> None:
    """The meeting load of its members: how many partnerships each sits on (the overload analysis)."""
    known = loads(space, {r["organisation"] for r in part.members}, window)
    rows = sorted((known[o] for o in {r["organisation"] for r in part.members} if o in known),
                  key=lambda r: (-r["memberships"], -r["chairs"], r["organisation"]))  # as the overload query orders
    part.load = [{**row, "overloaded": row["memberships"] >= OVERLOAD_MIN, "source_rows": cited(row["source_rows"]),
                  "attendance_words": percent(row["average_attendance"])} for row in rows]


def loads(space: Workspace, organisations: set[str], window: Window) -> dict[str, dict[str, Any]]:
    """The overload rows of ``organisations``, by id, kept per store generation and date.

    Each run of the query reads every membership, whatever it is asked for, so a place's pack asks
    once for the members of all its partnerships and each part finds its own here.
    """
    known: dict[str, dict[str, Any]] = space.cache.value(space.store, ("pack-loads", window.as_of), dict)
    missing = sorted(organisations - known.keys())
    for start in range(0, len(missing), OVERLOAD_ROWS):  # the query answers at most this many rows
        asked = missing[start:start + OVERLOAD_ROWS]
        rows = graph.run_query(space.store, "overload", window.dated(
            {"organisations": asked, "min": 1, "limit": OVERLOAD_ROWS}))
        known.update({row["organisation"]: row for row in rows})
    return known


def percent(share: float | None) -> str:
    """A share of meetings attended as a board reads it: 0.92 → 92%; empty when none was recorded."""
    return "" if share is None else f"{share:.0%}"


def cited(source_rows: list[str]) -> str:
    """Source rows said once per file: ``memberships.csv rows 4, 19, 24`` (a member of 17 groups cites 17 rows)."""
    rows_by_file: dict[str, list[int]] = {}
    others = []
    for text in dict.fromkeys(str(r) for r in source_rows or [] if r):
        found = ROW_PATTERN.match(text)
        if found:
            rows_by_file.setdefault(found["file"], []).append(int(found["row"]))
        else:
            others.append(text)
    said = [f"{file} row{'s' if len(rows) > 1 else ''} {', '.join(map(str, sorted(rows)))}"
            for file, rows in rows_by_file.items()]
    return "; ".join(said + others)


def touching(space: Workspace, part: Part, window: Window) -> None:
    """The findings that name it: duplicates, missing links, governance gaps, low attendance."""
    for item in TOUCHING:
        rows = naming(space, item, window).get(part.id, [])
        part.touching.append(Touching(item, rows, findings.columns(item, rows)))


def naming(space: Workspace, item: findings.Finding, window: Window) -> dict[str, list[dict[str, Any]]]:
    """A finding's rows by the partnerships and forums each names, kept per store generation and date."""
    def build() -> dict[str, list[dict[str, Any]]]:
        id_columns = [link.id_column for link in item.links.values() if link.label in GROUP_KINDS]
        by_group: dict[str, list[dict[str, Any]]] = {}
        for row in findings.rows(space.store, space.cache, item, window.filters, None):
            for group in dict.fromkeys(row.get(column) for column in id_columns):
                if group is not None:
                    by_group.setdefault(group, []).append(row)
        return by_group
    return space.cache.value(space.store, ("pack-naming", item.slug, window.as_of), build)


def statutory(space: Workspace, part: Part, window: Window) -> None:
    """What the law requires of its membership, if it is statutory and a rule of the model matches it: each
    requirement in force on the as-of date, met or not, by which members and posts, with the legislation."""
    part.statutory = graph.run_query(space.store, "statutory-gaps", window.dated({"partnership": part.id}))


def changed(space: Workspace, part: Part, window: Window) -> None:
    """What changed since ``since`` that touches it (:func:`graph.changes.changes`): members who joined or left,
    chairs changed, its findings appearing or clearing, its members' overload going up or down."""
    if not window.since:
        return
    found = space.cache.value(space.store, ("pack-changes", window.since, window.as_of), lambda: changes(
        space.store, window.since, window.as_of or dt.date.today().isoformat()))
    members = {r["organisation"] for r in part.members}
    part.changes = [(section, [row for row in rows if part.id in (row["id"], row["related"])
                               or (section.name.startswith("overload-") and row["id"] in members)])
                    for section, rows in found.grouped()]


def picture(space: Workspace, part: Part, window: Window) -> None:
    """Its neighbourhood drawn as a static picture: its members and the groups most of them also sit on."""
    by_organisation = memberships_by_organisation(space, window)
    around = [row for organisation in sorted({r["organisation"] for r in part.members})
              for row in by_organisation.get(organisation, [])]
    if not around:
        return
    flags = space.cache.value(space.store, ("pack-marks", window.as_of), lambda: network.marks(
        space, window.filters, {n for r in by_organisation.values() for m in r for n in (m["organisation"], m["partnership"])}))
    part.picture = neighbourhood.drawing(part.id, around, flags)


def memberships_by_organisation(space: Workspace, window: Window) -> dict[str, list[dict[str, Any]]]:
    """Every membership in force (the network page's rows, read once per store generation), by organisation."""
    def build() -> dict[str, list[dict[str, Any]]]:
        rows = space.cache.rows(space.store, "network", window.dated({"theme": ""}), keep=not window.as_of)
        by_organisation: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_organisation.setdefault(row["organisation"], []).append(row)
        return by_organisation
    return space.cache.value(space.store, ("pack-memberships", window.as_of), build)


# A part's sections in the order a board reads them: (anchor, heading, what fills it).
SECTIONS = (
    ("about", "About it", about),
    ("members", "Members, posts and attendance", members),
    ("load", "The meeting load of its members", load),
    ("statutory", "Statutory duties", statutory),
    ("findings", "Findings that name it", touching),
    ("changes", "What changed", changed),
    ("network", "Its network", picture),
)


def part_of(space: Workspace, group_id: str, window: Window, kind: str = "") -> Part:
    """One partnership's or forum's part of a pack, every section filled; NotFound for anything else."""
    row = facts_of(space, group_id, kind)
    if row["kind"] not in GROUP_KINDS:
        kind_words = words(row["kind"]).lower()
        raise NotFound(f"{group_id!r} is {'an' if kind_words[:1] in 'aeiou' else 'a'} {kind_words}, not a "
                       "partnership or forum: a review pack is of a partnership, a forum or a place")
    part = Part(group_id, row["facts"].get("name") or group_id, row["kind"], row=row)
    for _, _, fill in SECTIONS:
        graph.budget.check()
        fill(space, part, window)
    return part


def _sources(space: Workspace) -> list[dict[str, Any]]:
    return graph.run_query(space.store, "sources", {})


def _headings(window: Window) -> list[tuple[str, str]]:
    return [(anchor, heading) for anchor, heading, _ in SECTIONS if anchor != "changes" or window.since]


def partnership_pack(space: Workspace, group_id: str, window: Window) -> str:
    """The review pack of one partnership or forum, as one self-contained HTML page ready to print."""
    part = part_of(space, group_id, window)
    contents = [(f"p1-{anchor}", heading) for anchor, heading in _headings(window)] + [("sources", "Sources")]
    return render("pack.html", standalone=True, **common(
        "", title=part.name, subject=part.kind, parts=[part], summary=None, contents=contents,
        headings=_headings(window), window=window, sources=_sources(space), overload_min=OVERLOAD_MIN,
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M")))


def covering(space: Workspace, code: str) -> dict[str, dict[str, Any]]:
    """The partnerships and forums working in a place, in a place it lies in or in a place inside it, by id."""
    groups: dict[str, dict[str, Any]] = {}
    for row in space.index.lookup(code):
        if row["kind"] in GROUP_KINDS:
            groups.setdefault(row["id"], row)
    return groups


def territory_pack(space: Workspace, code: str, window: Window) -> str:
    """The review pack of a place: a summary, then the pack of each partnership and forum covering it."""
    territory = space.index.territory(code)
    groups = covering(space, code)
    ordered = sorted(groups.values(), key=lambda r: str(r["name"] or r["id"]).casefold())
    members = {r["organisation"] for r in space.cache.rows(space.store, "network", window.dated({"theme": ""}),
                                                           keep=not window.as_of) if r["partnership"] in groups}
    loads(space, members, window)  # one run of the overload query for every part
    parts = [part_of(space, row["id"], window, row["kind"]) for row in ordered]
    contents = [("summary", "Summary")] + [(f"p{n}", part.name) for n, part in enumerate(parts, 1)] + [
        ("sources", "Sources")]
    return render("pack.html", standalone=True, **common(
        "", title=territory.name or code, subject=f"{territory.level} {code}".strip(), parts=parts, summary=parts,
        contents=contents, headings=_headings(window), window=window, sources=_sources(space),
        overload_min=OVERLOAD_MIN, generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M")))


# A place's pack printed to PDF holds at most this many partnerships' packs: WeasyPrint takes seconds for each
# on a busy machine (bench/pack.py: a district of the synthetic England, covered by some 60, took over 4 minutes;
# a ward of the sample covered by 11, 25 s).
PDF_PARTS = 8
MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def document(space: Workspace, fmt: str, window: Window, partnership: str = "", territory: str = "") -> bytes:
    """The pack of one partnership or forum, or of a place, as PDF or HTML bytes (QueryError for anything else)."""
    if fmt not in MEDIA:
        raise QueryError(f"a review pack is written as .pdf or .html, not {fmt!r}")
    if bool(partnership) == bool(territory):
        raise QueryError("a review pack is of one partnership (or forum) or of one territory: give one of them")
    if fmt == "pdf" and territory and len(covering(space, territory)) > PDF_PARTS:
        raise QueryError(
            f"{len(covering(space, territory))} partnerships and forums cover {territory}: a PDF holds the packs of at "
            f"most {PDF_PARTS} (printing more takes minutes); ask for .html and print it from the browser, or for "
            "the pack of one partnership")
    html = partnership_pack(space, partnership, window) if partnership else territory_pack(space, territory, window)
    return printed.pdf(html) if fmt == "pdf" else html.encode("utf-8")
