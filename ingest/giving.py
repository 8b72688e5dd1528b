"""Read 360Giving grants data (JSON package, flat CSV or XLSX) into funders, recipients and grants.

The file is read and validated by :mod:`ingest.giving_format`. Funders and recipients become
Organisations keyed by org-id; each grant becomes a ``FUNDS`` relationship keyed by the grant id
(one per grant, so several grants between the same two bodies stay distinct); a beneficiary
location with a GSS code becomes a Territory that the recipient ``COVERS``. Grants to individuals
are skipped: the graph holds organisations, and individuals' grants are personal data.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from ingest.batches import ROW, EdgeBatch, Item, NodeBatch, ReadWarning, Skipped, unreadable
from ingest.giving_format import Grant, calendar_problems, duplicate_ids, iso_date, read_grants, schema_problems
from ontology.ids import relationship_id, source_id as make_source_id
from partnermap.errors import Problem

DATA = Path(__file__).with_name("giving_data")
READER = "360giving"
GSS = re.compile(r"^[EWSNK]\d{8}$")

# Sector from the org-id's list prefix (org-id.guide). Registered charities are VCSE whatever
# their name; companies and publisher-minted ids (360G-…, used for unregistered groups) are VCSE
# only when the name says so (CIC, trust, club, friends of …), else "other".
SECTOR_BY_PREFIX = {
    "GB-CHC": "vcse", "GB-SC": "vcse", "GB-NIC": "vcse", "GB-REV": "vcse", "GB-MPR": "vcse",
    "GB-LAE": "local_authority", "GB-LAS": "local_authority", "GB-PLA": "local_authority", "GB-LANI": "local_authority",
    "GB-NHS": "nhs", "GB-EDU": "education", "GB-UKPRN": "education", "GB-GOR": "government",
}
NAME_TESTED_PREFIXES = ("GB-COH", "360G")
VCSE_NAME = re.compile(
    r"\b(c\.?i\.?c|community interest|charit\w*|trust|foundation|association|society|club|friends of|church|chapel|"
    r"mosque|temple|synagogue|gurdwara|parish|community|voluntary|volunteers?|residents|tenants|scouts?|guides|"
    r"brownies|youth|choir|band|allotments?|in bloom|fc|football|cricket|rugby|sports?|arts|theatre|hub|centre|"
    r"center|network|forum|partnership|alliance|collective|co-?operative|mutual|support|group|project|appeal)\b",
    re.IGNORECASE,
)

# Territory level from the GSS entity prefix (geoCodeType in the 360Giving codelist says the same).
LEVEL_BY_PREFIX = {
    "E92": "country", "W92": "country", "S92": "country", "N92": "country", "E12": "region", "E10": "county",
    "E06": "unitary", "E08": "metropolitan_district", "E09": "london_borough", "W06": "unitary",
    "S12": "unitary", "N09": "unitary", "E07": "district", "E05": "ward", "W05": "ward", "S13": "ward", "N08": "ward",
    "E04": "parish", "W04": "parish", "E01": "lsoa", "W01": "lsoa", "E02": "msoa", "W02": "msoa",
}


@cache
def council_gss() -> dict[str, str]:
    """Local-authority org-id (GB-LAE-TRF …) → GSS code of its area, from ``data/la_orgid_to_gss.csv``."""
    with (DATA / "la_orgid_to_gss.csv").open(encoding="utf-8", newline="") as handle:
        return {row["org_id"]: row["gss_code"] for row in csv.DictReader(handle)}


def sector(org_id: str, name: str, charity_number: bool = False) -> str:
    """The model's sector for an organisation, inferred from its org-id prefix (and name where that is all there is)."""
    for prefix, value in SECTOR_BY_PREFIX.items():
        if org_id.startswith(prefix + "-"):
            return value
    if org_id.startswith(NAME_TESTED_PREFIXES) and (charity_number or VCSE_NAME.search(name)):
        return "vcse"  # a company with a charity number is a charitable company
    return "other"


def territory_level(code: str) -> str:
    """The model's territory level for a GSS code, from its entity prefix."""
    return LEVEL_BY_PREFIX.get(code[:3], "other")


@dataclass
class _Org:
    name: str
    award_date: str
    where: int | str
    source_row: str
    names: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)


def _remember(orgs: dict[str, _Org], org: dict, grant: Grant, award_date: str) -> None:
    """Keep the name from the organisation's latest grant; earlier names become aliases."""
    org_id, name = str(org["id"]).strip(), str(org["name"]).strip()
    extra = [f"orgid:{org_id}"]
    if org_id in council_gss():
        extra.append(f"gss:{council_gss()[org_id]}")
    if org.get("charityNumber"):
        extra.append(f"charity:{str(org['charityNumber']).strip()}")
    if org.get("companyNumber"):
        extra.append(f"company:{str(org['companyNumber']).strip()}")
    known = orgs.get(org_id)
    if known is None:
        known = orgs[org_id] = _Org(name, award_date, grant.where, grant.source_row)
    elif award_date >= known.award_date:
        known.name, known.award_date, known.where, known.source_row = name, award_date, grant.where, grant.source_row
    if name not in known.names:
        known.names.append(name)
    known.identifiers += [i for i in extra if i not in known.identifiers]


def _graph(grants: list[Grant], file: str, source_id: str, json_file: bool) -> Iterator[Item]:
    orgs: dict[str, _Org] = {}
    territories: dict[str, dict] = {}
    covers: dict[str, dict] = {}
    funds = []
    for grant in grants:
        data = grant.data
        if "recipientOrganization" not in data:
            continue  # a grant to an individual: not mapped (see the module docstring)
        award = iso_date(data["awardDate"]) or ""
        funders = [o for o in data["fundingOrganization"]]
        recipients = [o for o in data["recipientOrganization"]]
        for org in (*funders, *recipients):
            _remember(orgs, org, grant, award)
        planned = (data.get("plannedDates") or [{}])[0]
        programmes = [p.get("title") or p.get("code") for p in data.get("grantProgramme", [])]
        locations = [str(loc["geoCode"]).strip() for loc in data.get("beneficiaryLocation", [])
                     if GSS.match(str(loc.get("geoCode") or "").strip())]
        for loc in data.get("beneficiaryLocation", []):
            code = str(loc.get("geoCode") or "").strip()
            if GSS.match(code) and code not in territories:
                territories[code] = {"id": code, "name": str(loc.get("name") or code).strip(), "level": territory_level(code),
                                     "source_row": grant.source_row, ROW: grant.where}
        for funder in funders:
            for recipient in recipients:
                funds.append({
                    "from_id": str(funder["id"]).strip(), "to_id": str(recipient["id"]).strip(),
                    "id": relationship_id("FUNDS", str(funder["id"]).strip(), str(recipient["id"]).strip(),
                                          str(data["id"]).strip()),
                    "grant": str(data["id"]).strip(), "amount": data["amountAwarded"], "currency": data["currency"], "award_date": award or None,
                    "start": iso_date(planned.get("startDate")), "end": iso_date(planned.get("endDate")),
                    "programme": "; ".join(p for p in programmes if p) or None, "title": data.get("title"),
                    "locations": locations, "source_row": grant.source_row, ROW: grant.where,
                })
        for recipient in recipients:
            for code in locations:
                edge_id = relationship_id("COVERS", str(recipient["id"]).strip(), code)
                covers.setdefault(edge_id, {"from_id": str(recipient["id"]).strip(), "to_id": code, "id": edge_id,
                                            "source_row": grant.source_row, ROW: grant.where})
    rows = []
    for org_id, org in orgs.items():
        aliases = [n for n in org.names if n.casefold() != org.name.casefold()]
        charity = any(i.startswith("charity:") for i in org.identifiers)
        rows.append({"id": org_id, "name": org.name, "sector": sector(org_id, org.name, charity), "aliases": aliases,
                     "identifiers": org.identifiers, "source_row": org.source_row, ROW: org.where})
    if rows:
        yield NodeBatch("Organisation", pd.DataFrame(rows).assign(source=source_id), file)
    if territories:
        yield NodeBatch("Territory", pd.DataFrame(list(territories.values())).assign(source=source_id), file)
    funder, recipient, place = (
        ("fundingOrganization/0/id", "recipientOrganization/0/id", "beneficiaryLocation/0/geoCode") if json_file
        else ("Funding Org:Identifier", "Recipient Org:Identifier", "Beneficiary Location:Geographic Code")
    )
    if funds:
        yield EdgeBatch("FUNDS", pd.DataFrame(funds).assign(source=source_id), file,
                        ("Organisation",), ("Organisation",), funder, recipient)
    if covers:
        yield EdgeBatch("COVERS", pd.DataFrame(list(covers.values())).assign(source=source_id), file,
                        ("Organisation",), ("Territory",), recipient, place)


def read(source: str | Path, dataset: str | None = None, skip_invalid: bool = False) -> Iterator[Item]:
    """Read one 360Giving file (.json package, .csv or .xlsx) into organisations, grants and places (and problems).

    ``dataset``: the name its source takes. ``skip_invalid``: a grant with problems is left out
    (yielded as :class:`ingest.batches.Skipped`, with its problems) and the others are read;
    problems with the file as a whole still refuse it.
    """
    path = Path(source)
    if refused := unreadable(path):
        yield refused
        return
    raw = path.read_bytes()
    file, package, grants, problems = read_grants(path, raw)
    if problems:
        yield from problems
        return
    json_file = path.suffix.lower() == ".json"
    problems, warnings = schema_problems(file, package, grants, json_file)
    if any(p.fatal for p in problems):
        yield from problems
        return
    problems += calendar_problems(file, [g for g in grants if g.where not in {p.row for p in problems}], json_file)
    problems += duplicate_ids(file, [g for g in grants if g.where not in {p.row for p in problems}])
    bad = {p.row for p in problems}
    yield from (ReadWarning(w) for w in warnings if w.row not in bad)
    if skip_invalid:
        by_grant: dict[int | str, list[Problem]] = {}
        for problem in problems:
            by_grant.setdefault(problem.row, []).append(problem)
        for where, found in by_grant.items():
            yield Skipped(file, where, tuple(found))
    else:
        yield from problems
    source_id = make_source_id(READER, dataset, path.name) if dataset else make_source_id(READER, path.name)
    yield NodeBatch("Source", pd.DataFrame([{
        "id": source_id, "name": path.name, "reader": READER, "path": str(path.resolve()),
        "sha256": hashlib.sha256(raw).hexdigest(), "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": source_id, "source_row": file, ROW: None,
    }]), file)
    yield from _graph([g for g in grants if g.where not in bad], file, source_id, json_file)
