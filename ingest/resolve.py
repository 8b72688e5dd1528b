"""Entity resolution for organisations: one body arriving under many names becomes one node.

At ingest (:class:`Resolver`, run by ``ingest.load(..., resolver=...)`` before validation) an
incoming organisation that certainly matches one already in the store, or an earlier one in
the same ingest, becomes its source's statement of the kept node, and every relationship to
it points at the kept node. Certain
means: a shared identifier, the same normalised name (or a name that is another's alias of
two words or more) in the same sector, or a pair accepted in the decisions file. Everything
less sure is returned as a :class:`Match` for a person: ``partnermap resolve --review FILE``
writes them as CSV, the person fills ``decision`` with accept or reject, and
``partnermap resolve --apply FILE`` merges the accepted pairs in the store. Rejected pairs
are never proposed again.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

import graph
from graph.merge import merge_organisations
from graph.organisations import sharing_keys
from ingest.batches import EdgeBatch, Item, NodeBatch
from ingest.matching import REVIEW_SCORE, Matcher, Pair, Record, record_keys
from ontology.ids import repointed
from partnermap.errors import InvalidRecords, Problem

ORGANISATION = "Organisation"
# Stores of up to this many organisations are resolved against all of them (see Resolver.from_store).
WHOLE_INDEX_UP_TO = 10_000
COLUMNS = ("left_id", "left_name", "right_id", "right_name", "score", "reason", "decision")
_ACCEPT = {"accept", "accepted", "yes", "y", "merge"}
_REJECT = {"reject", "rejected", "no", "n"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Match:
    """Two organisations that may be one: ``left`` is kept, ``right`` merges into it if accepted."""

    left_id: str
    left_name: str
    right_id: str
    right_name: str
    score: float
    reason: str
    certain: bool = False


@dataclass
class Decisions:
    """A person's decisions on proposed pairs, read from a review file (``decision`` accept/reject)."""

    accepted: list[tuple[str, str]] = field(default_factory=list)
    rejected: set[frozenset[str]] = field(default_factory=set)
    rows: list[dict[str, str]] = field(default_factory=list)

    def pairs(self) -> set[frozenset[str]]:
        """Every decided pair, either order."""
        return self.rejected | {frozenset(p) for p in self.accepted}


def _escaped(cell: object) -> str:
    """A cell safe to open in a spreadsheet: text that would start a formula gets a leading quote."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unescaped(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


def read_decisions(path: str | Path) -> Decisions:
    """The decided rows of a review file; InvalidRecords naming row and value for a bad decision."""
    path = Path(path)
    decisions = Decisions()
    if not path.exists():
        return decisions
    problems = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("left_id", "right_id", "decision") if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidRecords([Problem(path.name, 1, c, None, f"required column is missing; a review file has: {', '.join(COLUMNS)}", fatal=True) for c in missing])
        for row_number, row in enumerate(reader, start=2):
            row = {k: _unescaped(v or "").strip() for k, v in row.items() if k}
            decision = row["decision"].casefold()
            if not decision:
                continue
            if decision not in _ACCEPT | _REJECT:
                problems.append(Problem(path.name, row_number, "decision", row["decision"], "write accept, reject, or leave it blank"))
                continue
            row["decision"] = "accept" if decision in _ACCEPT else "reject"
            if decision in _ACCEPT:
                decisions.accepted.append((row["left_id"], row["right_id"]))
            else:
                decisions.rejected.add(frozenset((row["left_id"], row["right_id"])))
            decisions.rows.append(row)
    if problems:
        raise InvalidRecords(problems)
    return decisions


def write_review(path: str | Path, matches: Iterable[Match], decisions: Decisions | None = None) -> int:
    """Write decided rows, then every undecided match, as a review CSV; returns the rows left to decide."""
    decisions = decisions or Decisions()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    decided = decisions.pairs()
    fresh = [m for m in matches if frozenset((m.left_id, m.right_id)) not in decided]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in decisions.rows:
            writer.writerow([_escaped(row.get(c, "")) for c in COLUMNS])
        for m in fresh:
            writer.writerow([_escaped(v) for v in (m.left_id, m.left_name, m.right_id, m.right_name, f"{m.score:g}", m.reason, "")])
    return len(fresh)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())


def _strings(value: Any) -> list[str]:
    """A string[] value as a reader or the store gives it: a list, a ';'-separated string, or blank."""
    if hasattr(value, "tolist"):  # a numpy array, as a DataFrame of the store may hold
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif _blank(value):
        return []
    else:
        items = str(value).split(";")
    return [str(v).strip() for v in items if not _blank(v)]


def _record(row: dict[str, Any]) -> Record:
    sector = row.get("sector")
    sector = None if _blank(sector) else str(sector).strip().lower().replace(" ", "_")
    name = row.get("name")
    return Record(str(row["id"]).strip(), "" if _blank(name) else str(name).strip(), sector,
                  _strings(row.get("aliases")), _strings(row.get("identifiers")))


class Resolver:
    """Resolves incoming organisations against an index of those already stored (and each other).

    ``organisations``: the stored ones (rows of id, name, sector, aliases, identifiers), or a
    function that, given the match keys of the incoming ones, returns the stored ones sharing any
    (so that a county's register is resolved against a few dozen candidates, not 50,000).
    """

    def __init__(self, organisations: Iterable[dict[str, Any]] | Callable[[list[str]], Iterable[dict[str, Any]]],
                 decisions: Decisions | None = None, review_score: float = REVIEW_SCORE):
        self._fetch = organisations if callable(organisations) else None
        self.stored = [] if self._fetch else [_record(row) for row in organisations if not _blank(row.get("id"))]
        self.decisions = decisions or Decisions()
        self.review_score = review_score
        self.matches: list[Match] = []
        self.compared = 0
        self._pending: tuple | None = None  # what propose() needs, after merge_certain()

    @classmethod
    def from_store(cls, store: graph.Store, decisions: Decisions | None = None) -> "Resolver":
        """A resolver over the organisations in ``store``.

        A store of up to ``WHOLE_INDEX_UP_TO`` organisations is read whole (``organisations-index``),
        so similar names are proposed against all of them. In a larger one whose organisations all
        have their match keys (written by ingests since they were kept), only those sharing a key
        with the incoming ones are read (:func:`graph.organisations.sharing_keys`): certain matches are found as
        before, similar names only among those, and ``partnermap resolve --review`` compares them all.
        """
        held = graph.run_query(store, "organisations-count")[0]
        if held["organisations"] <= WHOLE_INDEX_UP_TO or held["unkeyed"]:
            return cls(graph.run_query(store, "organisations-index"), decisions)
        return cls(lambda keys: sharing_keys(store, keys), decisions)

    def resolve(self, items: Iterable[Item]) -> tuple[list[Item], list[Match]]:
        """Items with certain duplicates dropped and their edges re-pointed; plus every match found."""
        items = self.merge_certain(items)
        return items, self.propose()

    def merge_certain(self, items: Iterable[Item]) -> list[Item]:
        """Items with certain duplicates dropped and their edges re-pointed.

        ``matches`` then holds the merges applied; :meth:`propose` adds the uncertain pairs for
        review. They change nothing written, so an ingest finds them while it writes.
        """
        items = _keyed(list(items))
        incoming = [_record(row) for row in _organisation_rows(items)]
        if self._fetch is not None:
            keys = sorted({key for batch in items if isinstance(batch, NodeBatch) and batch.label == ORGANISATION
                           for keyset in batch.frame["match_keys"] for key in keyset}
                          | {f"id:{node_id}" for pair in self.decisions.accepted for node_id in pair})
            self.stored = [_record(row) for row in self._fetch(keys) if not _blank(row.get("id"))] if keys else []
        records = list(self.stored)
        position = {r.id: i for i, r in enumerate(records)}
        active = []
        for record in incoming:
            if record.id in position:
                if position[record.id] < len(self.stored):
                    records[position[record.id]] = record  # an upsert of a stored node: it is that node
                continue
            position[record.id] = len(records)
            active.append(len(records))
            records.append(record)
        self._pending = None
        if not active:
            self.matches = []
            return items
        matcher = Matcher(records, active, self.review_score)
        certain = matcher.pairs(fuzzy=False)
        accepted = [
            Pair(position[a], position[b], 100.0, "accepted in the decisions file", True)
            for a, b in self.decisions.accepted if a in position and b in position
        ]
        keeper, applied, blocked = _clusters(records, len(self.stored), [*accepted, *certain], self.decisions)
        mapping = {records[i].id: records[keeper[i]].id for i in active if keeper[i] != i}
        self.matches = applied
        self._pending = (matcher, records, keeper, blocked)
        return _rewritten(items, mapping) if mapping else items

    def propose(self) -> list[Match]:
        """After :meth:`merge_certain`: every match, the merges applied then the pairs for review."""
        if self._pending is not None:
            matcher, records, keeper, blocked = self._pending
            self._pending = None
            found = matcher.pairs()
            self.compared = matcher.compared
            self.matches = self.matches + _candidates(records, keeper, [*blocked, *(p for p in found if not p.certain)],
                                                      self.decisions)
        return self.matches


def _organisation_rows(items: list[Item]) -> Iterator[dict[str, Any]]:
    """The incoming organisation rows with an id (validation reports those without)."""
    for batch in items:
        if not (isinstance(batch, NodeBatch) and batch.label == ORGANISATION) or "id" not in batch.frame:
            continue
        frame = batch.frame
        column = {name: frame[name].tolist() if name in frame else [None] * len(frame)
                  for name in ("id", "name", "sector", "aliases", "identifiers")}
        for values in zip(*column.values()):  # not to_dict("records"): a national register has 50,000
            row = dict(zip(column, values))
            if not _blank(row["id"]):
                yield row


def _keyed(items: list[Item]) -> list[Item]:
    """Organisation batches with each row's match keys (``match_keys``): its names, aliases, identifiers and id.

    Stored with the node, so a later ingest finds it by any of them without reading every organisation.
    """
    out = []
    for batch in items:
        if isinstance(batch, NodeBatch) and batch.label == ORGANISATION and "id" in batch.frame:
            frame = batch.frame
            column = {name: frame[name].tolist() if name in frame else [None] * len(frame)
                      for name in ("id", "name", "aliases", "identifiers")}
            keys = [sorted(record_keys(name, _strings(aliases), _strings(identifiers)) | {f"id:{node_id}"})
                    for node_id, name, aliases, identifiers in zip(*column.values())]
            batch = replace(batch, frame=frame.assign(match_keys=pd.Series(keys, index=frame.index, dtype=object)))
        out.append(batch)
    return out


def resolve(items: Iterable[Item], index: Iterable[dict[str, Any]], decisions: Decisions | None = None) -> tuple[list[Item], list[Match]]:
    """Resolve ``items`` against ``index`` (rows of id, name, sector, aliases, identifiers)."""
    return Resolver(index, decisions).resolve(items)


def _clusters(records: list[Record], n_stored: int, pairs: list[Pair], decisions: Decisions):
    """Union the certain pairs: never two stored nodes (a store merge is a person's call), never a rejected pair.

    Returns each record's keeper (a stored member, else the first seen), the matches applied,
    and the certain pairs that could not be applied (proposed for review instead).
    """
    parent = list(range(len(records)))
    members: dict[int, list[int]] = {}
    index = {r.id: i for i, r in enumerate(records)}
    rejected: dict[int, set[int]] = {}
    for pair in decisions.rejected:
        a, b = (*pair, *pair)[:2]
        if a != b and a in index and b in index:
            rejected.setdefault(index[a], set()).add(index[b])
            rejected.setdefault(index[b], set()).add(index[a])

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    applied, blocked = [], []
    for pair in pairs:
        if not pair.certain:
            continue
        ra, rb = find(pair.left), find(pair.right)
        if ra == rb:
            continue
        group_a, group_b = members.get(ra, [ra]), members.get(rb, [rb])
        stored_a, stored_b = min(group_a) < n_stored, min(group_b) < n_stored
        refused = any(find(j) == rb for i in group_a for j in rejected.get(i, ()))
        if refused:
            continue
        if stored_a and stored_b:
            blocked.append(Pair(pair.left, pair.right, pair.score, f"{pair.reason}; both are already in the store", False))
            continue
        root, child = (ra, rb) if min(group_a) <= min(group_b) else (rb, ra)
        parent[child] = root
        members[root] = group_a + group_b if root == ra else group_b + group_a
        members.pop(child, None)
        a, b = records[pair.left], records[pair.right]
        applied.append(Match(a.id, a.name, b.id, b.name, pair.score, pair.reason, True))
    keeper = [min(members.get(find(i), [find(i)])) for i in range(len(records))]
    return keeper, applied, blocked


def _candidates(records: list[Record], keeper: list[int], pairs: Iterable[Pair], decisions: Decisions) -> list[Match]:
    """Uncertain pairs between different clusters, named by their kept nodes, best per pair, undecided only."""
    best: dict[tuple[int, int], Match] = {}
    decided = decisions.pairs()
    for pair in pairs:
        a, b = keeper[pair.left], keeper[pair.right]
        if a == b:
            continue
        left, right = (a, b) if a < b else (b, a)
        ra, rb = records[left], records[right]
        if frozenset((ra.id, rb.id)) in decided or frozenset((records[pair.left].id, records[pair.right].id)) in decided:
            continue
        if (left, right) not in best or pair.score > best[(left, right)].score:
            best[(left, right)] = Match(ra.id, ra.name, rb.id, rb.name, pair.score, pair.reason)
    return sorted(best.values(), key=lambda m: (-m.score, m.left_id, m.right_id))


def _rewritten(items: list[Item], mapping: dict[str, str]) -> list[Item]:
    """Merged organisations become statements of the kept ones; edges point at the kept ones.

    A merged organisation's row says, in its source's words, what the kept node is: it stays,
    with the kept node's id, as that source's statement of it, unless the same source already
    states the kept node (one source naming one body twice: the repeat goes). Edge ids that
    embed a merged id are re-pointed (:func:`ontology.ids.repointed`); a re-pointed edge whose id
    the same source already gives states the same fact twice (both names sat on the same
    board): it is dropped rather than reported as a duplicate.
    """
    stated: set[tuple[str, object]] = set()  # (organisation id, source) pairs this ingest states
    for batch in items:
        if isinstance(batch, NodeBatch) and batch.label == ORGANISATION and "id" in batch.frame:
            kept = batch.frame[~batch.frame["id"].isin(mapping)]
            stated.update(zip(kept["id"], _sources_of(kept)))
    untouched: dict[str, set] = {}
    rewritten: list[tuple[int, pd.DataFrame, pd.Series]] = []
    out: list[Item] = []
    for batch in items:
        if isinstance(batch, NodeBatch) and batch.label == ORGANISATION and "id" in batch.frame:
            frame = batch.frame
            merged = frame["id"].isin(mapping)
            if merged.any():
                keep = []
                for position, (node_id, source) in enumerate(zip(frame["id"], _sources_of(frame))):
                    if not merged.iloc[position]:
                        keep.append(True)
                        continue
                    target = (mapping[node_id], source)
                    keep.append(target not in stated)
                    stated.add(target)
                frame = frame[keep].copy()
                frame["id"] = frame["id"].map(lambda node_id: mapping.get(node_id, node_id))
            out.append(replace(batch, frame=frame))
        elif isinstance(batch, EdgeBatch):
            frame = batch.frame.copy()
            changed = pd.Series(False, index=frame.index)
            for column, end, labels in (("from_id", "from", batch.from_labels), ("to_id", "to", batch.to_labels)):
                if ORGANISATION not in labels or column not in frame:
                    continue
                hit = frame[column].isin(mapping)
                if hit.any():
                    old = frame.loc[hit, column]
                    frame.loc[hit, column] = old.map(mapping)
                    if "id" in frame:
                        frame.loc[hit, "id"] = [repointed(e, end, o, mapping[o]) for e, o in zip(frame.loc[hit, "id"], old)]
                    changed |= hit
            if "id" in frame:
                untouched.setdefault(batch.type, set()).update(zip(frame.loc[~changed, "id"], _sources_of(frame[~changed])))
            rewritten.append((len(out), frame, changed))
            out.append(batch)
        else:
            out.append(batch)
    for position, frame, changed in rewritten:
        batch = out[position]
        if changed.any() and "id" in frame:
            seen = untouched[batch.type]
            pairs = pd.Series(list(zip(frame["id"], _sources_of(frame))), index=frame.index)
            repeat = changed & (pairs.isin(seen) | pairs.duplicated())
            frame = frame[~repeat]
            seen.update(pairs[changed & ~repeat])
        out[position] = replace(batch, frame=frame)
    return out


def _sources_of(frame: pd.DataFrame) -> list[object]:
    """Each row's source (None where a reader gives none)."""
    return frame["source"].tolist() if "source" in frame else [None] * len(frame)


def review(organisations: Iterable[dict[str, Any]], decisions: Decisions | None = None,
           review_score: float = REVIEW_SCORE) -> tuple[list[Match], int]:
    """Pairs among stored organisations that may be one body (certain ones too: they are separate nodes).

    Returns the undecided matches and the number of fuzzy comparisons made.
    """
    decisions = decisions or Decisions()
    records = [_record(row) for row in organisations if not _blank(row.get("id"))]
    matcher = Matcher(records, range(len(records)), review_score)
    decided = decisions.pairs()
    matches = [
        Match(records[p.left].id, records[p.left].name, records[p.right].id, records[p.right].name, p.score,
              p.reason if not p.certain else f"{p.reason} (certain)", p.certain)
        for p in matcher.pairs()
        if frozenset((records[p.left].id, records[p.right].id)) not in decided
    ]
    return matches, matcher.compared


def apply(store: graph.Store, decisions: Decisions) -> list[tuple[str, str, str]]:
    """Merge each accepted pair in the store (right into left), in one transaction.

    Returns (kept, dropped, what happened) per accepted pair; a pair already merged (the
    file applied twice) is skipped, so applying is idempotent.
    """
    merged_into = {}
    for row in graph.run_query(store, "organisations-index"):
        for identifier in _strings(row.get("identifiers")):
            if identifier.startswith("merged:"):
                merged_into[identifier[len("merged:"):]] = row["id"]

    def current(node_id: str) -> str:
        seen = set()
        while node_id in merged_into and node_id not in seen:
            seen.add(node_id)
            node_id = merged_into[node_id]
        return node_id

    outcome = []
    with store.transaction():
        for left, right in decisions.accepted:
            keep, drop = current(left), current(right)
            present = store.existing_ids(ORGANISATION, [keep, drop])
            if keep == drop or drop not in present:
                outcome.append((left, right, "already merged"))
                continue
            if keep not in present:
                outcome.append((left, right, f"not merged: {keep} is not in the store"))
                continue
            moved = merge_organisations(store, keep, drop)
            merged_into[drop] = keep
            outcome.append((keep, drop, f"merged, {moved['moved']} relationships moved"))
    return outcome
