"""What an Open Referral file says, whatever its shape, and how that becomes batches.

Both front ends (:mod:`ingest.openreferral` for JSON, :mod:`ingest.openreferral_csv` for CSV
packages) collect :class:`Facts` with their provenance; :func:`batches` turns them into the
node and relationship batches ``ingest.load`` checks and writes. How a record is judged against
its schema is :mod:`ingest.openreferral_schema`'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from ingest.batches import ROW, EdgeBatch, Item, NodeBatch, ReadWarning, Skipped
from ontology import concept_id
from ontology.ids import relationship_id
from partnermap.errors import Problem

log = logging.getLogger("ingest.openreferral")

PROGRESS_EVERY = 10_000

_GSS = re.compile(r"\b[ENSWK]\d{8}\b")
ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,10}$")
# Preferred when an organisation has several org-ids: the charity number is what grant data
# (360Giving) and most VCSE registers use; the company number comes next.
_SCHEME_ORDER = ("GB-CHC", "GB-SC", "GB-NIC", "GB-COH")
_SCHEME_SECTOR = {
    "GB-CHC": "vcse", "GB-SC": "vcse", "GB-NIC": "vcse", "GB-MPR": "vcse", "GB-CIC": "vcse",
    "GB-LAE": "local_authority", "GB-LAS": "local_authority", "GB-LANI": "local_authority", "GB-PLA": "local_authority",
    "GB-NHS": "nhs", "GB-GOR": "government", "GB-GOVUK": "government", "GB-EDU": "education", "GB-UKPRN": "education",
}
_LEGAL_SECTOR = (
    (re.compile(r"charit|community interest|\bcic\b|\bcio\b|voluntary|social enterprise|non.?profit|mutual", re.I), "vcse"),
    (re.compile(r"local authority|council", re.I), "local_authority"),
    (re.compile(r"\bnhs\b|health service", re.I), "nhs"),
    (re.compile(r"\bplc\b|sole trader|for.profit", re.I), "business"),
)
_NAME_SECTOR = (
    (re.compile(r"\bcouncil\b", re.I), "local_authority"),
    (re.compile(r"\bnhs\b|\bintegrated care board\b", re.I), "nhs"),
    (re.compile(r"\bpolice\b|\bconstabulary\b", re.I), "police"),
    (re.compile(r"\bprobation\b", re.I), "probation"),
    (re.compile(r"\bfire and rescue\b", re.I), "fire"),
    (re.compile(r"\bhousing association\b|\bhomes\b", re.I), "housing"),
    (re.compile(r"\bschool\b|\bcollege\b|\buniversity\b|\bacademy\b", re.I), "education"),
)
# A taxonomy (or attribute link type) whose name says it is about who may use a service; Open
# Eligibility, HSDS 1.1's own taxonomy, is despite its name a taxonomy of kinds of service.
_CLIENT_TAXONOMY = re.compile(r"(?<!open )(?<!open)(?<!open_)(?<!open-)eligib|circumstance|client|audience|who.?for", re.I)
V1_KEYS = {
    "eligibilitys", "service_taxonomys", "regular_schedules", "holiday_schedules", "fundings", "reviews",
    "deliverable_type", "attending_type", "attending_access",
}


# --------------------------------------------------------------------------------------------
# The facts one file holds, whatever its shape; turned into batches at the end.
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Where:
    """Where a fact came from: the batch file name, its Source id, and the row or JSON pointer."""

    file: str
    source: str
    row: int | str

    @property
    def source_row(self) -> str:
        return f"{self.file} row {self.row}" if isinstance(self.row, int) else f"{self.file}{self.row}"

    def at(self, *parts: Any) -> Where:
        """The pointer of a part of this JSON record."""
        if isinstance(self.row, int):
            return self
        return Where(self.file, self.source, self.row.rstrip("/") + "".join(f"/{p}" for p in parts))


@dataclass
class _Org:
    uuid: str
    name: Any
    where: Where
    url: Any = None
    legal_status: str = ""
    org_ids: list[str] = field(default_factory=list)


@dataclass
class Facts:
    """Organisations, services and their links read from one file or package, with problems found."""

    orgs: dict[str, _Org] = field(default_factory=dict)
    services: list[dict] = field(default_factory=list)
    delivers: list[tuple[str, str, Where]] = field(default_factory=list)  # org uuid, service id
    concepts: list[tuple[str, str, str, Where]] = field(default_factory=list)  # label, service id, name
    covers: list[tuple[str, str, Where]] = field(default_factory=list)  # service id, GSS code
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skip_invalid: bool = False  # leave out invalid records (and what hangs off them) instead of refusing
    skipped: list[Skipped] = field(default_factory=list)

    def refuse(self, file: str, record: int | str, problems: list[Problem]) -> None:
        """An invalid record: its problems refuse the ingest, or (skipping) it is left out and listed."""
        if self.skip_invalid and not any(p.fatal for p in problems):
            self.skipped.append(Skipped(file, record, tuple(problems)))
        else:
            self.problems.extend(problems)

    def org(self, uuid: Any, name: Any, where: Where, url: Any = None, legal_status: Any = None) -> None:
        """Record an organisation once, where it is first met (nested copies repeat it)."""
        key = as_text(uuid)
        if key and key not in self.orgs:
            self.orgs[key] = _Org(key, name, where, url, as_text(legal_status))

    def org_id(self, uuid: Any, scheme: Any, identifier: Any, kind: Any = None) -> None:
        """Add an org-id (``GB-COH-1234567``) to a recorded organisation."""
        org, scheme, identifier = self.orgs.get(as_text(uuid)), as_text(scheme).upper(), as_text(identifier)
        if org is None or not identifier:
            return
        if not ORG_ID.match(scheme):  # no scheme given: infer the two common UK ones from the type
            kind = as_text(kind).lower()
            scheme = "GB-CHC" if "charit" in kind else "GB-COH" if "compan" in kind else ""
        if scheme:
            code = identifier if identifier.upper().startswith(scheme + "-") else f"{scheme}-{identifier}"
            if code not in org.org_ids:
                org.org_ids.append(code)

    def concept(self, service_id: str, name: Any, taxonomy: Any, where: Where) -> None:
        """A taxonomy term of a service: a ClientGroup if its taxonomy is about eligibility, else a Theme."""
        label = "ClientGroup" if _CLIENT_TAXONOMY.search(as_text(taxonomy)) else "Theme"
        self.concepts.append((label, service_id, as_text(name), where))


def as_text(value: Any) -> str:
    """A JSON or CSV value as trimmed text (None as '')."""
    return "" if value is None else str(value).strip()


def dicts(value: Any) -> list[tuple[int, dict]]:
    """The objects of a JSON array with their indexes (for pointers); nothing for anything else."""
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def gss_codes(*texts: Any) -> list[str]:
    """GSS codes (E06000016) in the given texts, in order, each once."""
    return list(dict.fromkeys(code for text in texts for code in _GSS.findall(as_text(text))))


def _sector(org: _Org) -> str:
    for code in org.org_ids:
        scheme = code.rsplit("-", 1)[0] if code.count("-") >= 2 else code
        if scheme in _SCHEME_SECTOR:
            return _SCHEME_SECTOR[scheme]
    for pattern, sector in _LEGAL_SECTOR:
        if pattern.search(org.legal_status):
            return sector
    for pattern, sector in _NAME_SECTOR:
        if pattern.search(as_text(org.name)):
            return sector
    return "vcse"


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def org_node_id(uuid: str) -> str:
    """An organisation's id from its directory id: ``oruk:<uuid>``, or ``oruk:organization:<id>`` for an id
    that is not a UUID (numbered per table, as Outpost's are, it could be a service's id too)."""
    return f"oruk:{uuid}" if _UUID.match(uuid) else f"oruk:organization:{uuid}"


def _final_org_id(org: _Org) -> str:
    if not org.org_ids:
        return org_node_id(org.uuid)
    ranked = sorted(org.org_ids, key=lambda c: next((i for i, s in enumerate(_SCHEME_ORDER) if c.startswith(s + "-")), 99))
    return f"orgid:{ranked[0]}"


# --------------------------------------------------------------------------------------------
# Facts → batches.
# --------------------------------------------------------------------------------------------

def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows).astype(object)


def _grouped(rows: list[tuple[Where, dict]]) -> dict[str, list[dict]]:
    """Rows (with provenance columns) by the file they came from: one batch per file."""
    by_file: dict[str, list[dict]] = {}
    for where, row in rows:
        by_file.setdefault(where.file, []).append({**row, "source": where.source, "source_row": where.source_row, ROW: where.row})
    return by_file


def batches(facts: Facts) -> Iterator[Item]:
    """The problems, warnings and skipped records, then node and relationship batches (one per label and file)."""
    yield from facts.problems
    yield from (ReadWarning(w) for w in facts.warnings)
    yield from facts.skipped
    org_ids = {uuid: _final_org_id(org) for uuid, org in facts.orgs.items()}
    seen: set[str] = set()
    org_rows = []
    for uuid, org in facts.orgs.items():
        if org_ids[uuid] in seen:  # two uuids, one org-id: the same organisation, written once
            continue
        seen.add(org_ids[uuid])
        org_rows.append((org.where, {
            "id": org_ids[uuid], "name": as_text(org.name), "sector": _sector(org), "url": as_text(org.url) or None,
            "identifiers": [f"orgid:{code}" for code in org.org_ids],
        }))
    for file, rows in _grouped(org_rows).items():
        yield NodeBatch("Organisation", _frame(rows), file)

    first_theme: dict[str, str] = {}
    concept_rows: dict[str, list] = {"Theme": [], "ClientGroup": []}
    edge_rows: dict[str, list] = {"HAS_THEME": [], "SERVES": [], "DELIVERS": [], "COVERS": []}
    concept_seen: set[tuple[str, str]] = set()
    edge_seen: set[str] = set()

    def edge(rel: str, a: str, b: str, where: Where) -> None:
        edge_id = relationship_id(rel, a, b)
        if edge_id not in edge_seen:
            edge_seen.add(edge_id)
            edge_rows[rel].append((where, {"id": edge_id, "from_id": a, "to_id": b}))

    for label, service_id, name, where in facts.concepts:
        key = concept_id(name) if name else ""
        if not key:
            yield ReadWarning(Problem(where.file, where.row, "name", name or None,
                                      "needs letters or digits to name a theme or client group: left out"))
            continue
        if (label, key) not in concept_seen:
            concept_seen.add((label, key))
            concept_rows[label].append((where, {"id": key, "name": name}))
        if label == "Theme":
            first_theme.setdefault(service_id, name)
        edge("HAS_THEME" if label == "Theme" else "SERVES", f"oruk:{service_id}", key, where)
    for org_uuid, service_id, where in facts.delivers:
        edge("DELIVERS", org_ids.get(org_uuid) or org_node_id(org_uuid), f"oruk:{service_id}", where)
    for service_id, code, where in facts.covers:
        edge("COVERS", f"oruk:{service_id}", code, where)

    service_rows = []
    for s in facts.services:
        service_rows.append((s["where"], {
            "id": f"oruk:{s['id']}", "name": as_text(s["name"]), "type": as_text(s["type"]) or first_theme.get(s["id"]),
            "description": as_text(s["description"]) or None, "url": as_text(s["url"]) or None,
            "email": as_text(s["email"]) or None, "areas": s["areas"], "postcodes": s["postcodes"],
        }))
    for file, rows in _grouped(service_rows).items():
        yield NodeBatch("Service", _frame(rows), file)
    for label, rows in concept_rows.items():
        for file, grouped in _grouped(rows).items():
            yield NodeBatch(label, _frame(grouped), file)
    ends = {
        "DELIVERS": (("Organisation",), ("Service",), "organization", "service"),
        "HAS_THEME": (("Service",), ("Theme",), "service", "taxonomy_term"),
        "SERVES": (("Service",), ("ClientGroup",), "service", "eligibility"),
        "COVERS": (("Service",), ("Territory",), "service", "service_area"),
    }
    for rel, rows in edge_rows.items():
        from_labels, to_labels, from_column, to_column = ends[rel]
        for file, grouped in _grouped(rows).items():
            yield EdgeBatch(rel, _frame(grouped), file, from_labels, to_labels, from_column, to_column)


def source_batch(source_id: str, name: str, path: Path, raw: bytes) -> NodeBatch:
    """The Source node of one file read, with its checksum."""
    return NodeBatch("Source", pd.DataFrame([{
        "id": source_id, "name": name, "reader": "openreferral", "path": str(path.resolve()),
        "sha256": hashlib.sha256(raw).hexdigest(), "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": source_id, "source_row": name, ROW: None,
    }]), name)
