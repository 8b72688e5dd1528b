"""Read the XML of a council's ModernGov web service (``mgWebService.asmx``) into its committees and members.

Most English councils publish their committees, meetings and attendance through ModernGov. The files,
read together, are the answers of its methods as the council serves them:

- ``GetCommittees`` (``<committees><committee>`` with ``committeeid``, ``committeetitle``) and
  ``GetMeetings`` (``<getmeetings><committee>`` … ``<committeemeetings><meeting>``): each committee is a
  ``Partnership`` (``Forum`` when its name says forum) of the council, its kind and statutory status
  and theme taken from its name where the name says so (``moderngov_committees.csv``: a Health and
  Wellbeing Board, a Community Safety Partnership); meetings not cancelled count towards
  ``meetings_per_year`` where the files cover a year;
- ``GetMeeting`` (``<meeting>`` with ``<attendees><attendee name=… roledescription=… attendance=…>``):
  each councillor attending (one with a ward or a party) is the council's ``MEMBER_OF`` the meeting's
  committee, ``representative`` the councillor as published, ``role`` from the role description,
  ``attendance`` the share of held meetings they were present at, ``since`` the first meeting listing
  them; attendees who are not councillors are left out with a warning (the files do not say whom
  they represent);
- ``GetCouncillorsByWard`` (``<councillorsbyward>``): each councillor's key posts ("Chair of Planning
  Committee") make them the chair (or vice-chair) of that committee.

The council is an ``Organisation`` (its org-id, ``gss:`` code and area when the site's address names
one in ``giving_data/la_orgid_to_gss.csv``, else what ``council=`` says) and every committee
``COVERS`` its area. Ids come from the site and the committee's title, so ingesting again merges.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ingest.batches import ROW, EdgeBatch, Item, NodeBatch, ReadWarning, too_large
from ingest.geography import PREFIX_LEVELS, files, source_batch
from ingest.values import uk_date
from ontology import concept_id
from ontology.ids import relationship_id
from partnermap.errors import Problem

READER = "moderngov"
COMMITTEES = Path(__file__).with_name("moderngov_committees.csv")
COUNCILS = Path(__file__).with_name("giving_data") / "la_orgid_to_gss.csv"
METHODS = {"committees": "GetCommittees", "getmeetings": "GetMeetings", "meeting": "GetMeeting",
           "councillorsbyward": "GetCouncillorsByWard"}
_GENERIC = {"council", "city", "borough", "district", "county", "metropolitan", "london", "royal", "of", "the", "and"}
_CHAIR = re.compile(r"^(?P<role>chair(?:man|woman|person)?|vice[- ]chair(?:man|woman|person)?|deputy chair)\s+of\s+(?:the\s+)?"
                    r"(?P<committee>.+)$", re.I)
_ROLES = (("vice", "vice_chair"), ("deputy chair", "vice_chair"), ("chair", "chair"), ("substitute", None),
          ("reserve", None), ("member", "member"), ("co-opt", "member"), ("ex-officio", "member"),
          ("ex officio", "member"), ("observer", "observer"), ("clerk", None), ("officer", None))


def _text(element, tag: str) -> str:
    found = element.find(tag) if element is not None else None
    return " ".join((found.text or "").split()) if found is not None else ""


@dataclass
class _Committee:
    title: str
    where: str  # file and pointer of the record it was first read from
    file: str
    source: str
    meetings: dict[str, str] = field(default_factory=dict)  # meeting id → ISO date (held meetings only)


@dataclass
class _Member:
    committee: str  # committee key
    name: str
    role: str | None
    where: str
    file: str
    source: str
    seen: list[tuple[str, bool | None]] = field(default_factory=list)  # (meeting date, present?) per meeting listing them


class _Site:
    """What the files of one ModernGov site say, read one after another."""

    def __init__(self) -> None:
        self.committees: dict[str, _Committee] = {}
        self.meeting_committee: dict[str, str] = {}  # meeting id → committee key
        self.meeting_dates: dict[str, str] = {}
        self.members: dict[tuple[str, str], _Member] = {}  # (committee key, councillor) → membership
        self.posts: list[tuple[str, str, str, str, str, str]] = []  # (committee title, role, councillor, where, file, source)
        self.hosts: Counter[str] = Counter()
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.pending: list[tuple] = []  # meetings read before the GetMeetings that names their committee

    def committee(self, title: str, where: str, file: str, source: str) -> str:
        key = concept_id(title)
        self.committees.setdefault(key, _Committee(title, where, file, source))
        return key

    def urls(self, element) -> None:
        """Note the site's address from every URL in the element."""
        for node in element.iter():
            for value in [node.text or "", *node.attrib.values()]:
                if value.strip().startswith(("http://", "https://")):
                    host = urlparse(value.strip()).hostname or ""
                    if host and not re.fullmatch(r"[\d.]+", host):
                        self.hosts[host] += 1

    def read(self, file: str, root, source: str) -> None:
        self.first = getattr(self, "first", None) or (file, source)
        self.urls(root)
        getattr(self, f"_read_{root.tag}")(file, root, source)

    def _read_committees(self, file: str, root, source: str) -> None:
        for index, element in enumerate(root.iter("committee"), 1):
            where = f"{file} /committees/committee[{index}]"
            title = _text(element, "committeetitle")
            if not title:
                self.problems.append(Problem(file, f"/committees/committee[{index}]", "committeetitle",
                                             _text(element, "committeeid") or None, "a committee with no title"))
                continue
            if _text(element, "committeedeleted").lower() == "true":
                continue  # withdrawn from the site: not a committee any more
            self.committee(title, where, file, source)

    def _read_getmeetings(self, file: str, root, source: str) -> None:
        for index, element in enumerate(root.iter("committee"), 1):
            pointer = f"/getmeetings/committee[{index}]"
            title = _text(element, "committeetitle")
            if not title:
                self.problems.append(Problem(file, pointer, "committeetitle", _text(element, "committeeid") or None,
                                             "a committee with no title"))
                continue
            key = self.committee(title, f"{file} {pointer}", file, source)
            for number, meeting in enumerate(element.iter("meeting"), 1):
                meeting_id, date = _text(meeting, "meetingid"), self._date(file, f"{pointer}/committeemeetings/meeting[{number}]", meeting)
                if not meeting_id:
                    continue
                self.meeting_committee[meeting_id] = key
                if date and _text(meeting, "meetingstatus").lower() != "cancelled":
                    self.committees[key].meetings[meeting_id] = date
        for pending in self.pending:
            self._attend(*pending)
        self.pending = []

    def _date(self, file: str, pointer: str, meeting) -> str | None:
        written = _text(meeting, "meetingdate")
        iso = uk_date(written) if written else None
        if written and iso is None:
            self.warnings.append(Problem(file, pointer, "meetingdate", written, "not a date (dd/mm/yyyy): the meeting is not counted"))
        return iso

    def _read_meeting(self, file: str, root, source: str) -> None:
        meeting_id = _text(root, "meetingid")
        held = _text(root, "meetingstatus").lower() != "cancelled"
        date = self._date(file, "/meeting", root)
        title = _text(root, "committeetitle")  # some sites say it here too
        args = (file, root, source, meeting_id, held, date, title)
        if title or meeting_id in self.meeting_committee:
            self._attend(*args)
        else:
            self.pending.append(args)

    def _attend(self, file: str, root, source: str, meeting_id: str, held: bool, date: str | None, title: str) -> None:
        key = self.committee(title, f"{file} /meeting", file, source) if title else self.meeting_committee.get(meeting_id)
        if key is None:
            self.problems.append(Problem(file, "/meeting", "meetingid", meeting_id or None,
                                         "belongs to no committee in these files: give the GetMeetings answer that lists it"))
            return
        if held and date:
            self.committees[key].meetings.setdefault(meeting_id, date)
        for index, attendee in enumerate(root.iter("attendee"), 1):
            pointer = f"/meeting/attendees/attendee[{index}]"
            name = " ".join(attendee.get("name", "").split())
            if not name:
                continue
            if not (attendee.get("ward", "").strip() or attendee.get("politicalparty", "").strip()):
                self.warnings.append(Problem(file, pointer, "name", name, "not a councillor (no ward or party): "
                                             "the files do not say which organisation they represent; left out"))
                continue
            role = _role(attendee.get("roledescription", ""))
            attendance = attendee.get("attendance", "").strip().lower()
            present = True if attendance.startswith(("present", "in attendance", "attended")) else (
                False if attendance.startswith(("apolog", "absent", "not present")) else None)
            if role is not None:
                member = self.members.setdefault((key, name), _Member(key, name, role, f"{file} {pointer}", file, source))
                if (date or "") >= max((d for d, _ in member.seen), default=""):
                    member.role = role  # the latest meeting's role
                member.seen.append((date or "", present if held else None))
            for post in attendee.get("keyposts", "").split("/"):
                self._post(post, name, f"{file} {pointer}", file, source)

    def _read_councillorsbyward(self, file: str, root, source: str) -> None:
        for index, councillor in enumerate(root.iter("councillor"), 1):
            name = _text(councillor, "fullusername")
            for post in _text(councillor, "keyposts").split("/"):
                self._post(post, name, f"{file} /councillorsbyward//councillor[{index}]", file, source)

    def _post(self, post: str, name: str, where: str, file: str, source: str) -> None:
        match = _CHAIR.match(post.strip())
        if match and name:
            role = "vice_chair" if match["role"].lower().startswith(("vice", "deputy")) else "chair"
            self.posts.append((match["committee"].strip(), role, name, where, file, source))


def _role(description: str) -> str | None:
    """A membership role from ModernGov's role description; None for a substitute or an officer."""
    lowered = description.strip().lower()
    for words, role in _ROLES:
        if words in lowered:
            return role
    return "member"


@cache
def _committee_kinds() -> list[tuple[re.Pattern, str, bool | None, str]]:
    with COMMITTEES.open(encoding="utf-8", newline="") as handle:
        return [(re.compile(row["pattern"], re.I), row["kind"], {"yes": True, "no": False}.get(row["statutory"]), row["theme"])
                for row in csv.DictReader(handle)]


def committee_kind(title: str) -> tuple[str, bool | None, str]:
    """(kind, statutory or None, theme or "") a committee's name says it is; ``other`` when it says nothing."""
    for pattern, kind, statutory, theme in _committee_kinds():
        if pattern.search(title):
            return kind, statutory, theme
    return "other", None, ""


@cache
def _councils() -> list[dict]:
    with COUNCILS.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _distinctive(name: str) -> str:
    return "".join(w for w in re.findall(r"[a-z]+", name.lower()) if w not in _GENERIC)


def council_for(hosts: Iterable[str], given: str | None) -> dict | None:
    """The council: as ``given`` (an org-id or a name), else the one the site's address names; None if neither says."""
    councils = _councils()
    if given:
        wanted = given.strip()
        for row in councils:
            if wanted.upper() == row["org_id"] or _distinctive(wanted) == _distinctive(row["name"]) and _distinctive(wanted):
                return row
        return {"org_id": "", "gss_code": "", "name": wanted}
    labels = {label.replace("-", "") for host in hosts for label in host.lower().split(".")}
    found = [row for row in councils if _distinctive(row["name"]) in labels and row.get("active", "TRUE") != "FALSE"]
    return found[0] if len(found) == 1 else None


def _sector(name: str) -> str:
    lowered = name.lower()
    for words, sector in (("fire", "fire"), ("police", "police"), ("nhs", "nhs"), ("health", "nhs")):
        if words in lowered:
            return sector
    return "local_authority"


def read(source: str | Path | Iterable[str | Path], council: str | None = None, dataset: str | None = None) -> Iterator[Item]:
    """Read ModernGov XML files (a file, a folder of .xml, or several) into the council, its committees and members.

    ``council``: the body whose site answered (an org-id such as ``GB-LAE-MAN`` or a name), for files
    that do not show the site's address. ``dataset``: a name the files' sources take (``moderngov:NAME/file``).
    """
    paths, problems, _ = files(source, (".xml",))
    yield from problems
    site = _Site()
    sources = []
    for path in paths:
        if oversized := too_large(path):
            yield oversized
            continue
        raw = path.read_bytes()
        try:
            root = fromstring(raw)
        except DefusedXmlException as exc:
            yield Problem(path.name, None, None, None, f"refused: the XML declares {type(exc).__name__} (DTDs and entities "
                                                        "are never read)", fatal=True)
            continue
        except Exception as exc:  # noqa: BLE001 -- expat raises ParseError; a damaged file is just not XML
            yield Problem(path.name, None, None, None, f"not readable XML: {exc}", fatal=True)
            continue
        for element in root.iter():  # a namespaced answer reads as a plain one
            if isinstance(element.tag, str):
                element.tag = element.tag.rsplit("}", 1)[-1]
        tag = root.tag.lower() if isinstance(root.tag, str) else ""
        if tag not in METHODS:
            yield Problem(path.name, None, None, f"<{tag}>", "not an answer of the ModernGov web service partnermap reads "
                          f"({', '.join(METHODS.values())})", fatal=True)
            continue
        root.tag = tag
        source_id, batch = source_batch(READER, path, raw, dataset)
        sources.append(batch)
        site.read(path.name, root, source_id)
    for pending in site.pending:  # GetMeeting answers whose committee no GetMeetings named
        site._attend(*pending)
    yield from site.problems
    yield from (ReadWarning(w) for w in site.warnings)
    if not sources or any(p.fatal for p in problems):
        return
    body = council_for(site.hosts, council)
    if body is None:
        named = ", ".join(sorted(site.hosts)) or "none"
        yield Problem(", ".join(p.name for p in paths), None, None, None,
                      f"which council's site answered? The files' web addresses ({named}) name no one council: "
                      "give it with --council (an org-id such as GB-LAE-MAN, or the name)", fatal=True)
        return
    yield from sources
    yield from _batches(site, body, sorted(site.hosts)[0] if site.hosts else "")


def _batches(site: _Site, body: dict, host: str) -> Iterator[Item]:
    """The council, its area, committees, memberships and COVERS as batches (one per file read from)."""
    for title, role, name, where, file, source in site.posts:
        key = site.committee(title, where, file, source)
        site.members.setdefault((key, name), _Member(key, name, role, where, file, source))
    org_id = body["org_id"] or f"moderngov:{concept_id(body['name'])}"
    prefix = f"moderngov:{body['org_id'] or host or concept_id(body['name'])}"
    rows: dict[str, list[dict]] = {}

    def add(kind: str, file: str, row: dict) -> None:
        rows.setdefault(kind, []).append({**row, "_file": file})

    file, source = site.first  # the council is where the first file read says it is
    identifiers = [f"orgid:{body['org_id']}"] if body["org_id"] else []
    if body.get("gss_code"):
        identifiers.append(f"gss:{body['gss_code']}")
    add("Organisation", file, {"id": org_id, "name": body["name"], "sector": _sector(body["name"]), "identifiers": identifiers,
                               "url": f"https://{host}" if host else None, "source": source, "source_row": file, ROW: file})
    area = body.get("gss_code") or ""
    if area and area[:3] in PREFIX_LEVELS:
        add("Territory", file, {"id": area, "name": re.sub(r"\b(City|Borough|District|County|Metropolitan)?\s*Council\b", "",
                                                            body["name"]).strip() or body["name"],
                                "level": PREFIX_LEVELS[area[:3]], "source": source, "source_row": file, ROW: file})
    committee_ids = {}
    for key, committee in site.committees.items():
        kind, statutory, theme = committee_kind(committee.title)
        committee_ids[key] = f"{prefix}/{key}"
        label = "Forum" if kind == "forum" else "Partnership"
        dates = sorted(committee.meetings.values())
        per_year = None
        if dates and (dt.date.fromisoformat(dates[-1]) - dt.date.fromisoformat(dates[0])).days >= 330:
            latest = dt.date.fromisoformat(dates[-1])
            per_year = sum(1 for d in dates if (latest - dt.date.fromisoformat(d)).days < 365)
        add(label, committee.file, {"id": committee_ids[key], "name": committee.title, "kind": kind, "statutory": statutory,
                                    "meetings_per_year": per_year, "source": committee.source, "source_row": committee.where,
                                    ROW: committee.where})
        if theme:
            add("Theme", committee.file, {"id": concept_id(theme), "name": theme, "source": committee.source,
                                          "source_row": committee.where, ROW: committee.where})
            add(f"HAS_THEME:{label}", committee.file, {"from_id": committee_ids[key], "to_id": concept_id(theme),
                                                       "id": relationship_id("HAS_THEME", committee_ids[key], concept_id(theme)),
                                                       "source": committee.source, "source_row": committee.where,
                                                       ROW: committee.where})
        if area:
            add(f"COVERS:{label}", committee.file, {"from_id": committee_ids[key], "to_id": area,
                                                    "id": relationship_id("COVERS", committee_ids[key], area), "source": committee.source,
                                                    "source_row": committee.where, ROW: committee.where})
    for (key, name), member in site.members.items():
        label = "Forum" if committee_kind(site.committees[key].title)[0] == "forum" else "Partnership"
        held = [present for _, present in member.seen if present is not None]
        attendance = round(sum(held) / len(held), 4) if held else None
        dates = sorted(d for d, _ in member.seen if d)
        add(f"MEMBER_OF:{label}", member.file, {
            "from_id": org_id, "to_id": committee_ids[key], "id": relationship_id("MEMBER_OF", org_id, committee_ids[key], name),
            "role": member.role, "representative": name, "attendance": attendance, "since": dates[0] if dates else None,
            "source": member.source, "source_row": member.where, ROW: member.where})
    for kind, records in rows.items():
        frame = pd.DataFrame(records).astype(object)
        frame = frame.drop_duplicates("id")
        for file, part in frame.groupby("_file", sort=False):
            part = part.drop(columns=["_file"])
            if ":" not in kind:
                yield NodeBatch(kind, part, file)
                continue
            rel, label = kind.split(":")
            ends = {"HAS_THEME": (label, "Theme", "committee", "theme"), "COVERS": (label, "Territory", "committee", "area"),
                    "MEMBER_OF": ("Organisation", label, "council", "committee")}[rel]
            yield EdgeBatch(rel, part, file, (ends[0],), (ends[1],), ends[2], ends[3])
