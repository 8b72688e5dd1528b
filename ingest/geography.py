"""Read ONS geography lookup CSVs (and mySociety's local-authority list) into territories and the PART_OF tree.

Columns are found by ONS naming: ``XXyyCD``/``XXyyNM`` is the code and name of a geography
(``WD19CD``: wards of 2019), drkane's yearless ``XXCD``/``XXCD_ACTIVE`` too. Every GSS code becomes a
``Territory`` (level from the code's prefix, ``year`` the earliest geography it was read from) with
one ``PART_OF`` parent: the finest enclosing geography on its rows (ward → district → county →
region → country). Codes of different years are different territories; a row holding two years of
one geography with different codes (``LSOA11CD``/``LSOA21CD``) links them by ``SUCCEEDED_BY``, as do
mySociety's ``former-gss-codes``. The same code on many rows is one territory; two names or two
parents for it in geographies of the same year are problems naming both rows (a later year's name
or parent wins over an earlier one's: wards are renamed and redrawn).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingest.batches import ROW, EdgeBatch, Item, NodeBatch
from ontology.ids import relationship_ids, source_id as make_source_id
from partnermap.errors import Problem

GSS = re.compile(r"^[A-Z]\d{8}$")  # ONS codes: E, W, S, N, K; L and M for the Channel Islands and Man
# ONS names its columns <GEOGRAPHY><YY><PART>: WD23CD (ward codes of 2023), LAD21NM, CTYUA20CD, CCG20CDH
# (the NHS's own code), WD25NMW (the Welsh name); drkane's yearless LADCD_ACTIVE is a current successor.
_ONS_COLUMN = re.compile(r"^(?P<entity>[A-Z]+?)(?P<yy>\d{2})?(?P<part>CDH|CD|NMW|NM)(?P<active>_ACTIVE)?$")
# Trafford Data Lab and others name the one geography of a file plainly: area_code and area_name.
_PLAIN_COLUMNS = {"AREACODE": "CD", "AREA_CODE": "CD", "AREANAME": "NM", "AREA_NAME": "NM"}

# The level a GSS code's entity prefix stands for (the first three characters).
PREFIX_LEVELS = {
    "E92": "country", "W92": "country", "S92": "country", "N92": "country",
    "E12": "region",
    "E10": "county", "E11": "county",
    "E06": "unitary", "W06": "unitary", "S12": "unitary", "N09": "unitary",
    "E07": "district", "E08": "metropolitan_district", "E09": "london_borough",
    "E05": "ward", "W05": "ward", "S13": "ward", "N08": "ward",
    "E01": "lsoa", "W01": "lsoa", "E02": "msoa", "W02": "msoa",
    "E04": "parish", "W04": "parish",
    "E58": "electoral_division", "E14": "constituency", "W07": "constituency",
    "E23": "police_force_area", "W15": "police_force_area",
}
# Which column entities are territories, and their level where the code's prefix is not listed above.
ENTITY_LEVELS = {
    "LSOA": "lsoa", "MSOA": "msoa", "OA": "other", "PAR": "parish", "PARNCP": "parish", "WD": "ward",
    "LAD": "district", "LTLA": "district", "CMLAD": "district", "UTLA": "county", "CTY": "county", "CTYUA": "county",
    "RGN": "region", "GOR": "region", "CTRY": "country", "NAT": "country", "CED": "electoral_division",
    "PCON": "constituency", "WPC": "constituency", "PFA": "police_force_area", "AREA": "other",
}
# The ONS partnership geographies: bodies and partnerships, not places (ingest ons-partnerships reads them).
PARTNERSHIP_GEOGRAPHIES = {
    "CAUTH": "combined authorities", "CCG": "clinical commissioning groups", "SICBL": "sub-ICB locations",
    "ICB": "integrated care boards", "STP": "sustainability and transformation partnerships",
    "ICS": "integrated care systems", "LEP": "local enterprise partnerships", "CSP": "community safety partnerships",
    "FRA": "fire and rescue authorities", "CAL": "cancer alliances", "SCN": "strategic clinical networks",
    "NHSER": "NHS England regions", "NHSRLO": "NHS England regional local offices", "LPA": "local planning authorities",
}

# The entity prefix of each partnership geography's codes (E54: STPs, later the ICBs).
PARTNERSHIP_PREFIXES = {"E47": "CAUTH", "E38": "CCG", "E54": "ICB", "E59": "ICS", "E37": "LEP", "E22": "CSP",
                        "E31": "FRA", "E56": "CAL", "E55": "SCN", "E40": "NHSER", "E39": "NHSRLO", "E60": "LPA"}


@dataclass(frozen=True)
class OnsColumn:
    """What an ONS column name says: its geography, the year of that geography, which part (code, name …)."""

    entity: str
    year: int | None
    part: str  # CD code, NM name, CDH the NHS's own code, NMW the Welsh name
    active: bool = False  # drkane's ``_ACTIVE``: the current successor of the row's code


def ons_column(name: str) -> OnsColumn | None:
    """The geography, year and part an ONS-style column name stands for (``WD23CD``, ``ctyua20nm``), or None."""
    upper = str(name).strip().upper()
    if upper in _PLAIN_COLUMNS:
        return OnsColumn("AREA", None, _PLAIN_COLUMNS[upper])
    match = _ONS_COLUMN.match(upper)
    if not match:
        return None
    return OnsColumn(match["entity"], _year(match["yy"]), match["part"], bool(match["active"]))


def partnership_geographies(names) -> list[str]:
    """The ONS partnership geographies whose codes the given column names hold (``LEP20CD`` → LEP)."""
    found = []
    for name in names:
        column = ons_column(name)
        if column and column.part == "CD" and column.entity in PARTNERSHIP_GEOGRAPHIES and column.entity not in found:
            found.append(column.entity)
    return found


def not_places(file: str, geographies: list[str], column_names, code: str | None = None) -> Problem:
    """A fatal Problem for a file of ONS partnership geographies given to a reader of places."""
    columns = [str(c) for c in column_names if (col := ons_column(c)) and col.part == "CD"
               and (col.entity in geographies or col.entity == "AREA")]
    described = "; ".join(f"{PARTNERSHIP_GEOGRAPHIES[g]} ({g})" for g in geographies)
    return Problem(file, None, ", ".join(columns) or None, code,
                   f"these codes are ONS partnership geographies, not territories: {described}. "
                   "partnermap reads them with 'partnermap ingest ons-partnerships' from the ONS names-and-codes "
                   "lists and lookups; their boundaries are not stored", fatal=True)
_LOCAL = ("district", "unitary", "metropolitan_district", "london_borough")
# A territory's parent is the first of these levels found on its row: the PART_OF tree stays a tree
# (the pair diagnostics and the API read one parent), so overlapping geographies (constituencies,
# county divisions against wards) hang off it rather than splitting it.
PARENT_LEVELS: dict[str, tuple[str, ...]] = {
    "lsoa": ("msoa", "ward", *_LOCAL, "county", "region", "country"),
    "msoa": ("ward", *_LOCAL, "county", "region", "country"),
    "parish": ("ward", *_LOCAL, "county", "region", "country"),
    "ward": (*_LOCAL, "county", "region", "country"),
    "district": ("county", "region", "country"),
    "metropolitan_district": ("county", "region", "country"),
    "london_borough": ("region", "country"),
    "unitary": ("region", "country"),
    "county": ("region", "country"),
    "region": ("country",),
    "electoral_division": ("county",),
    "police_force_area": ("country",),
}
# Lookups that list a child once per parent it overlaps: these do not nest.
SPANS = {("parish", "ward")}
# mySociety's authority types (local-authority-type) for codes whose prefix does not say.
_MYSOCIETY_TYPES = {"CTY": "county", "NMD": "district", "UA": "unitary", "MD": "metropolitan_district", "LBO": "london_borough",
                    "SCO": "unitary", "WPA": "unitary", "NID": "unitary", "CC": "london_borough", "SRA": "unitary"}


def _year(yy: str | None) -> int | None:
    if yy is None:
        return None
    return 2000 + int(yy) if int(yy) < 70 else 1900 + int(yy)


def same_name(a: str, b: str) -> bool:
    """Whether two ONS names are one name written two ways ("Devon & Cornwall", "London, City of")."""
    def words(name: str) -> list[str]:
        return sorted(re.findall(r"[a-z0-9]+", name.lower().replace("&", " and ")))
    return words(a) == words(b)


def level_of(code: str, entity: str | None = None) -> str | None:
    """The territory level of a GSS code: by its prefix, else by the column it came from."""
    return PREFIX_LEVELS.get(code[:3]) or ENTITY_LEVELS.get(entity or "")


def source_batch(reader: str, path: Path, raw: bytes, dataset: str | None = None) -> tuple[str, NodeBatch]:
    """The Source node for one file read (id ``reader:file name``), as every reader writes one."""
    source_id = make_source_id(reader, dataset, path.name) if dataset else make_source_id(reader, path.name)
    frame = pd.DataFrame([{
        "id": source_id, "name": path.name, "reader": reader, "path": str(path.resolve()),
        "sha256": hashlib.sha256(raw).hexdigest(), "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": source_id, "source_row": path.name, ROW: None,
    }])
    return source_id, NodeBatch("Source", frame, path.name)


def files(source: str | Path | Sequence[str | Path], suffixes: tuple[str, ...]) -> tuple[list[Path], list[Problem], bool]:
    """The files to read: one file, every matching file in a folder (sorted), or several of either.

    Returns (files, problems for missing paths, whether they came from a folder: a folder's files that
    are not of this kind are skipped rather than reported).
    """
    sources = [source] if isinstance(source, (str, Path)) else list(source)
    found: list[Path] = []
    problems = []
    from_folder = False
    for item in sources:
        path = Path(item)
        if path.is_dir():
            from_folder = True
            found += sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(suffixes))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(str(path), None, None, None, "no such file or folder", fatal=True))
    return list(dict.fromkeys(found)), problems, from_folder


def read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], bytes] | Problem:
    """A CSV file's header and rows (with spreadsheet row numbers: the header is row 1), or a fatal problem."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Problem(path.name, raw[: exc.start].count(b"\n") + 1, None, raw[exc.start : exc.start + 8].hex(" "),
                       f"not UTF-8 text (byte {exc.start})", fatal=True)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip() for c in next(reader, [])]
        rows = [(reader.line_num, [c.strip() for c in row]) for row in reader if any(c.strip() for c in row)]
    except csv.Error as exc:
        return Problem(path.name, reader.line_num, None, None, f"not a readable CSV file: {exc}", fatal=True)
    if not any(header):
        return Problem(path.name, 1, None, None, "empty file: no header row", fatal=True)
    return header, rows, raw


@dataclass
class _Column:
    """One geography's code column on a file, with its name column (if any) and year."""

    entity: str
    year: int | None
    active: bool
    code: int
    name: int | None = None


@dataclass
class _Seen:
    """What the files say about one code: the chosen name and parent, each with the row it came from."""

    source: str
    source_row: str
    row: int
    file: str
    level: str
    name: str = ""
    name_at: tuple[int, str, int] | None = None  # (vintage, file, row)
    years: set[int] = field(default_factory=set)
    # Candidate parents: (level rank, vintage) -> parent code -> first (file, row) saying so.
    parents: dict[tuple[int, int], dict[str, tuple[str, int]]] = field(default_factory=dict)





def _columns(header: list[str]) -> list[_Column]:
    """The territory code columns of a header, each paired with its name column."""
    found: dict[tuple[str, int | None, bool], _Column] = {}
    names: dict[tuple[str, int | None, bool], int] = {}
    for index, column in enumerate(header):
        parsed = ons_column(column)
        if not parsed or parsed.entity not in ENTITY_LEVELS or parsed.part not in ("CD", "NM"):
            continue
        key = (parsed.entity, parsed.year, parsed.active)
        if parsed.part == "CD":
            found.setdefault(key, _Column(parsed.entity, parsed.year, parsed.active, index))
        else:
            names.setdefault(key, index)
    for key, column in found.items():
        column.name = names.get(key)
    return list(found.values())


class _Geography:
    """Everything read so far from the files, deduplicated by code."""

    def __init__(self) -> None:
        self.seen: dict[str, _Seen] = {}
        self.sources: dict[str, str] = {}  # file name -> its Source id
        self.successors: dict[tuple[str, str], tuple[str, str, int]] = {}  # (old, new) -> (source, file, row)
        self.problems: list[Problem] = []
        self._reported: set[tuple] = set()

    def code(self, file: str, row: int, column: str, value: str) -> str | None:
        """A cell's GSS code, or None (blank; a malformed code is reported)."""
        if not value:
            return None
        if not GSS.match(value):
            self.problems.append(Problem(file, row, column, value, "not a GSS code (a letter and 8 digits, e.g. E05010459)"))
            return None
        return value

    def territory(self, code: str, name: str, level: str, vintage: int | None, source: str, file: str, row: int) -> None:
        """Record one mention of a territory (its name and year on this row)."""
        seen = self.seen.get(code)
        if seen is None:
            seen = self.seen[code] = _Seen(source, f"{file} row {row}", row, file, level)
        if vintage is not None:
            seen.years.add(vintage)
        if not name:
            return
        at = (vintage or 0, file, row)
        if seen.name_at is None or at[0] > seen.name_at[0]:
            seen.name, seen.name_at = name, at
        elif at[0] == seen.name_at[0] and not same_name(name, seen.name) and (code, "name", name) not in self._reported:
            self._reported.add((code, "name", name))
            self.problems.append(Problem(
                file, row, "name", name,
                f"{code} is named {seen.name!r} at {seen.name_at[1]} row {seen.name_at[2]}: one code, two names",
            ))

    def parent(self, child: str, parent: str, rank: int, vintage: int | None, file: str, row: int) -> None:
        """Record one candidate parent (chosen among all candidates by :meth:`resolve_parent`)."""
        self.seen[child].parents.setdefault((rank, vintage or 0), {}).setdefault(parent, (file, row))

    def resolve_parent(self, child: str) -> tuple[str, str, int] | None:
        """The parent of a code and where it was read: the finest level, then the latest year.

        A parish listed in several wards spans them (``SPANS``): the next level up is tried. Otherwise
        two parents of one level in geographies of one year are a problem naming both rows.
        """
        seen = self.seen[child]
        candidates = seen.parents
        for rank in sorted({rank for rank, _ in candidates}):
            vintage = max(v for r, v in candidates if r == rank)
            found = candidates[(rank, vintage)]
            if len(found) == 1:
                parent, (file, row) = next(iter(found.items()))
                return parent, file, row
            if (seen.level, PARENT_LEVELS[seen.level][rank]) in SPANS:
                continue
            (first, (file, row)), *others = found.items()
            for other, (other_file, other_row) in others:
                self.problems.append(Problem(
                    other_file, other_row, "parent", other,
                    f"{child} lies in {first} at {file} row {row}: one code, two parents in geographies of one year",
                ))
            return first, file, row
        return None

    def lookup(self, path: Path, header: list[str], rows: list[tuple[int, list[str]]], source: str) -> bool:
        """Read an ONS-style lookup; False if the header has no code and name columns of a territory."""
        columns = _columns(header)
        named = [c for c in columns if c.name is not None]
        if not named:
            return False
        # drkane's lookups give the year of the file's (yearless) first geography in SOURCEFILE.
        upper = [h.upper() for h in header]
        year_column = upper.index("SOURCEFILE") if "SOURCEFILE" in upper else None
        subject = next((c for c in columns if c.year is None and not c.active), None)
        for row, cells in rows:
            if len(cells) != len(header):
                self.problems.append(Problem(path.name, row, None, None,
                                             f"row has {len(cells)} fields, the header has {len(header)} (truncated or misquoted?)"))
                continue
            here: list[tuple[_Column, str, str, int | None]] = []  # (column, code, level, vintage)
            for column in columns:
                code = self.code(path.name, row, header[column.code], cells[column.code])
                if code is None or (column.entity == "AREA" and code[:3] not in PREFIX_LEVELS):
                    continue  # a plain area_code column also lists combined authorities, CCGs …: not places
                vintage = column.year
                if column is subject and year_column is not None and cells[year_column].isdigit():
                    vintage = int(cells[year_column])
                level = level_of(code, column.entity)
                if column.name is None:
                    if code in self.seen and vintage is not None:
                        self.seen[code].years.add(vintage)
                    continue
                self.territory(code, cells[column.name], level, vintage, source, path.name, row)
                here.append((column, code, level, vintage))
            for column in columns:  # a yearless code column seen only after its code's row still dates it
                if column.name is None and column.year is not None and cells[column.code] in self.seen:
                    self.seen[cells[column.code]].years.add(column.year)
            self._row_links(here, path.name, row, source)
        return True

    def _row_links(self, here: list, file: str, row: int, source: str) -> None:
        # Current (_ACTIVE) columns are the last resort for a parent: a 2016 ward lies in the district of its day.
        ordered = sorted(here, key=lambda item: item[0].active)
        for column, code, level, vintage in here:
            for rank, parent_level in enumerate(PARENT_LEVELS.get(level, ())):
                parent = next((c for col, c, lev, _ in ordered if lev == parent_level and c != code), None)
                if parent is not None:
                    self.parent(code, parent, rank, vintage, file, row)
            for other, other_code, _, _ in here:
                if (other.entity == column.entity and column.year and other.year and column.year < other.year
                        and other_code != code):
                    self.successors.setdefault((code, other_code), (source, file, row))

    def mysociety(self, path: Path, header: list[str], rows: list[tuple[int, list[str]]], source: str) -> None:
        """Read mySociety's local-authority list: areas, their county (two-tier districts), former codes."""
        col = {name: header.index(name) for name in header}
        by_authority: dict[str, str] = {}
        for row, cells in rows:
            if len(cells) == len(header) and GSS.match(cells[col["gss-code"]]):
                by_authority.setdefault(cells[col["local-authority-code"]], cells[col["gss-code"]])
        for row, cells in rows:
            if len(cells) != len(header):
                self.problems.append(Problem(path.name, row, None, None,
                                             f"row has {len(cells)} fields, the header has {len(header)} (truncated or misquoted?)"))
                continue
            code = self.code(path.name, row, "gss-code", cells[col["gss-code"]])
            kind = cells[col["local-authority-type"]] if "local-authority-type" in col else ""
            level = PREFIX_LEVELS.get(code[:3]) if code else None
            level = level or _MYSOCIETY_TYPES.get(kind)
            if code is None or level is None:  # combined authorities, joint boards: not places of their own
                continue
            name = cells[col["nice-name"]] or cells[col.get("official-name", col["nice-name"])]
            self.territory(code, name, level, None, source, path.name, row)
            county = by_authority.get(cells[col["county-la"]]) if "county-la" in col else None
            if county and county != code and level in _LOCAL:
                self.parent(code, county, PARENT_LEVELS[level].index("county"), None, path.name, row)
            for former in (cells[col["former-gss-codes"]] if "former-gss-codes" in col else "").replace(";", ",").split(","):
                former = self.code(path.name, row, "former-gss-codes", former.strip())
                if former and former != code:
                    self.territory(former, name, level, None, source, path.name, row)
                    self.successors.setdefault((former, code), (source, path.name, row))

    def batches(self) -> Iterator[Item]:
        """The territories, PART_OF and SUCCEEDED_BY relationships read, as batches (problems after them)."""
        nodes = pd.DataFrame({
            "id": list(self.seen),
            "name": [s.name for s in self.seen.values()],
            "level": [s.level for s in self.seen.values()],
            "year": [min(s.years) if s.years else None for s in self.seen.values()],
            "source": [s.source for s in self.seen.values()],
            "source_row": [s.source_row for s in self.seen.values()],
            ROW: [s.row for s in self.seen.values()],
        }).astype(object)
        first_file = pd.Series([s.file for s in self.seen.values()], index=nodes.index)
        for file in dict.fromkeys(first_file):  # one batch per file, so messages name the file a code was first read from
            yield NodeBatch("Territory", nodes[first_file == file], file)
        parents = [(code, found) for code in self.seen if (found := self.resolve_parent(code))]
        if parents:
            frame = pd.DataFrame({
                "from_id": [c for c, _ in parents], "to_id": [p for _, (p, _, _) in parents],
                "id": relationship_ids("PART_OF", [c for c, _ in parents], [p for _, (p, _, _) in parents]),
                "source": [self.sources[file] for _, (_, file, _) in parents],
                "source_row": [f"{file} row {row}" for _, (_, file, row) in parents],
                ROW: [row for _, (_, _, row) in parents],
            })
            for file, part in frame.groupby(pd.Series([file for _, (_, file, _) in parents]), sort=False):
                yield EdgeBatch("PART_OF", part, file, ("Territory",), ("Territory",), "code", "parent")
        links = [(old, new, at) for (old, new), at in self.successors.items() if old in self.seen and new in self.seen]
        if links:
            frame = pd.DataFrame({
                "from_id": [o for o, _, _ in links], "to_id": [n for _, n, _ in links],
                "id": relationship_ids("SUCCEEDED_BY", [o for o, _, _ in links], [n for _, n, _ in links]),
                "source": [at[0] for _, _, at in links],
                "source_row": [f"{at[1]} row {at[2]}" for _, _, at in links],
                ROW: [at[2] for _, _, at in links],
            })
            for file, part in frame.groupby(pd.Series([at[1] for _, _, at in links]), sort=False):
                yield EdgeBatch("SUCCEEDED_BY", part, file, ("Territory",), ("Territory",), "code", "successor")


def read(source: str | Path | Iterable[str | Path], dataset: str | None = None) -> Iterator[Item]:
    """Read lookup CSVs (a file, a folder of them, or several) into territories and their tree.

    ``dataset``: a name the files' sources take (``geography:NAME/file.csv``; default ``geography:file.csv``).
    """
    paths, problems, from_folder = files(source, (".csv",))
    yield from problems
    geography = _Geography()
    for path in paths:
        table = read_csv(path)
        if isinstance(table, Problem):
            yield table
            continue
        header, rows, raw = table
        source_id, batch = source_batch("geography", path, raw, dataset)
        geography.sources[path.name] = source_id
        if {"gss-code", "local-authority-code", "nice-name"} <= set(header):
            geography.mysociety(path, header, rows, source_id)
        elif not geography.lookup(path, header, rows, source_id):
            if not from_folder or len(paths) == 1:
                bodies = partnership_geographies(header)
                yield not_places(path.name, bodies, header) if bodies else Problem(
                    path.name, 1, None, ", ".join(header),
                    "no ONS code and name columns of a territory (e.g. WD19CD and WD19NM)", fatal=True)
            continue
        yield batch
    batches = list(geography.batches()) if geography.seen else []  # resolving parents may find problems
    yield from geography.problems
    yield from batches
