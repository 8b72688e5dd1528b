"""Read RDF (Turtle, N-Triples, JSON-LD, RDF/XML): partnermap's own export, or W3C ORG data.

A partnermap export (``partnermap export rdf``) reads back whole: every node and relationship
with its id, properties and provenance. Plain W3C Organization Ontology data maps as:
org:FormalOrganization/Organization/OrganizationalUnit → Organisation (sector from ``pm:sector``,
else ``other``), org:OrganizationalCollaboration → Partnership (kind ``other`` unless ``pm:kind``),
org:Membership and org:memberOf/hasMember → MEMBER_OF (role from the org:role's label when it is a
partnermap role, else ``member``), org:subOrganizationOf/unitOf → SUB_ORGANISATION_OF (between
collaborations: REPORTS_TO), org:hasSite → COVERS when the site is a GSS code, else skipped.
Foreign resources keep their IRI as id; provenance is the file and the subject IRI.

Nothing is ever fetched: a DOCTYPE in RDF/XML is refused before any RDF parser sees the file,
JSON-LD contexts must be inline (remote, local-file and ``@import`` contexts are refused, and
rdflib's context loader is blocked while we parse in case the check misses one), files are
capped at ``MAX_BYTES`` and JSON nesting at ``MAX_JSON_DEPTH``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import re
import xml.sax
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import rdflib.parser
from defusedxml import DefusedXmlException
from defusedxml.sax import parseString as defused_sax_parse
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.shared.jsonld.context import Context

from ingest.batches import ROW, EdgeBatch, Item, NodeBatch
from ingest.moderngov import METHODS as MODERNGOV_ROOTS
from ontology import Model, load_model
from ontology.rdf import expand, namespace, property_iri, relationship_iri
from ontology.ids import relationship_id, source_id as make_source_id
from ontology.rdf_data import PROVENANCE, parse_node_iri
from partnermap.errors import Problem

MAX_BYTES = 256 * 1024 * 1024
MAX_JSON_DEPTH = 64
SUFFIXES = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld",
    ".rdf": "xml", ".xml": "xml", ".owl": "xml",
}
# Decisions of this reader (not of the model): ORG's broader organisation classes, the
# inverse and narrower ORG properties, and where an organisation's name may be written.
FOREIGN_ORGANISATIONS = (ORG.Organization, ORG.OrganizationalUnit)
INVERSES = {ORG.hasMember: ORG.memberOf, ORG.hasSubOrganization: ORG.subOrganizationOf, ORG.hasUnit: ORG.subOrganizationOf}
NARROWER = {ORG.unitOf: ORG.subOrganizationOf}
NAMES = (RDFS.label, SKOS.prefLabel, FOAF.name, DCTERMS.title)
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")
TIME = "http://www.w3.org/2006/time#"


class RemoteDocumentRefused(Exception):
    """rdflib tried to load a document (a JSON-LD context) while partnermap was parsing."""


# rdflib 7.6 loads every string JSON-LD context (and @import) through Context._fetch_context,
# and any URL through URLInputSource. While we parse, both refuse; elsewhere they behave as before.
_refusing = contextvars.ContextVar("partnermap_rdf_refusing", default=False)


def _guard(original):
    def refuse(self, *args, **kwargs):
        if _refusing.get():
            target = args[0] if args else kwargs.get("system_id") or kwargs.get("source")
            raise RemoteDocumentRefused(str(target))
        return original(self, *args, **kwargs)

    refuse.partnermap_guard = True
    return refuse


if not getattr(Context._fetch_context, "partnermap_guard", False):
    Context._fetch_context = _guard(Context._fetch_context)
if not getattr(rdflib.parser.URLInputSource.__init__, "partnermap_guard", False):
    rdflib.parser.URLInputSource.__init__ = _guard(rdflib.parser.URLInputSource.__init__)


def read(source: str | Path, dataset: str | None = None) -> Iterator[Item]:
    """Read an RDF file (or every RDF file in a folder) into node and relationship batches.

    ``dataset``: a name the files' sources take (``rdf:NAME/file``; default ``rdf:file``).
    """
    path = Path(source)
    if not path.exists():
        yield Problem(str(path), None, None, None, "no such file or folder", fatal=True)
        return
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES) if path.is_dir() else [path]
    if not files:
        yield Problem(str(path), None, None, None, f"no RDF files ({', '.join(SUFFIXES)}) in this folder", fatal=True)
    for file in files:
        yield from _read_file(file, dataset)


def _read_file(path: Path, dataset: str | None = None) -> Iterator[Item]:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        yield Problem(path.name, None, None, None, f"not a known RDF file name; use one of {', '.join(SUFFIXES)}", fatal=True)
        return
    size = path.stat().st_size
    if size > MAX_BYTES:
        yield Problem(path.name, None, None, size, f"file is larger than the {MAX_BYTES:,} bytes partnermap reads", fatal=True)
        return
    raw = path.read_bytes()
    graph, problem = _parse(raw, fmt, path)
    if problem is not None:
        yield problem
        return
    yield from _Reader(graph, path, raw, load_model(), dataset).items()


def _fatal(path: Path, line: int | str | None, reason: str, value: object = None, column: str | None = None) -> Problem:
    return Problem(path.name, line, column, value, reason, fatal=True)


def _parse(raw: bytes, fmt: str, path: Path) -> tuple[Graph | None, Problem | None]:
    """The parsed graph, or a Problem saying why the file cannot be read (nothing fetched either way)."""
    graph = Graph()
    base = path.resolve().as_uri()
    try:
        if fmt == "xml":
            refused = _refuse_dtd(raw, path) or _not_rdf_xml(raw, path)
            if refused:
                return None, refused
        if fmt == "json-ld":
            data, problem = _json(raw, path)
            if problem:
                return None, problem
            token = _refusing.set(True)
            try:
                graph.parse(source=rdflib.parser.PythonInputSource(data, base), format="json-ld", base=base)
            finally:
                _refusing.reset(token)
            return graph, None
        text = raw.decode("utf-8")
        token = _refusing.set(True)
        try:
            graph.parse(data=text, format=fmt, publicID=base)
        finally:
            _refusing.reset(token)
        return graph, None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, _fatal(path, line, f"not UTF-8 text (byte {exc.start})")
    except RemoteDocumentRefused as exc:
        return None, _fatal(path, None, "refers to a document to load (a JSON-LD context); partnermap never fetches "
                                        "documents while reading: inline the context", str(exc), "@context")
    except RecursionError:
        return None, _fatal(path, None, "nested too deeply to read safely")
    except BadSyntax as exc:
        return None, _fatal(path, exc.lines + 1, f"not valid {fmt}: {exc.message}")
    except xml.sax.SAXParseException as exc:
        return None, _fatal(path, exc.getLineNumber(), f"not valid RDF/XML: {exc.getMessage()}")
    except Exception as exc:  # rdflib's parsers raise many kinds for malformed input
        line = _line_of(str(exc))
        return None, _fatal(path, line, f"not valid {fmt}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def _line_of(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _refuse_dtd(raw: bytes, path: Path) -> Problem | None:
    """Refuse any DOCTYPE or ENTITY declaration before rdflib sees the file (billion laughs, XXE)."""
    try:
        defused_sax_parse(raw, xml.sax.ContentHandler(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        return _fatal(path, None, "has a DOCTYPE or ENTITY declaration; partnermap refuses them in RDF/XML "
                                  f"(entity expansion and external entities are never processed): {exc}")
    except xml.sax.SAXParseException as exc:
        return _fatal(path, exc.getLineNumber(), f"not well-formed XML: {exc.getMessage()}")
    return None


RDF_NS = str(RDF)


def _not_rdf_xml(raw: bytes, path: Path) -> Problem | None:
    """A plain reason for XML that is not RDF/XML: its root is neither rdf:RDF nor a node with rdf: attributes."""
    from defusedxml.ElementTree import fromstring

    root = fromstring(raw)  # well-formed and free of DTDs: checked just before
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag == f"{{{RDF_NS}}}RDF" or any(name.startswith(f"{{{RDF_NS}}}") for name in root.attrib):
        return None
    shown = tag.replace(f"{{{RDF_NS}}}", "rdf:")
    hint = "; it is a ModernGov answer: read it with 'partnermap ingest moderngov'" if shown.lower() in MODERNGOV_ROOTS else ""
    return _fatal(path, 1, f"XML, but not RDF: its root element is <{shown}>; RDF/XML starts with <rdf:RDF "
                           f'xmlns:rdf="{RDF_NS}">{hint}', shown)


def _json(raw: bytes, path: Path) -> tuple[Any, Problem | None]:
    """The JSON document, refused if it nests too deeply or names a context to load."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError as exc:
        return None, _fatal(path, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return None, _fatal(path, None, f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        node, pointer, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            where = f"#{pointer[:80]}…" if len(pointer) > 80 else f"#{pointer}"
            return None, _fatal(path, where, f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{pointer}/{key}"
                if key == "@import" or (key == "@context" and _names_document(value)):
                    return None, _fatal(path, f"#{here}", "refers to a JSON-LD context to load; partnermap never "
                                                          "fetches documents while reading: inline the context",
                                        value if isinstance(value, str) else json.dumps(value)[:200], key)
                stack.append((value, here, depth + 1))
        elif isinstance(node, list):
            stack.extend((value, f"{pointer}/{i}", depth + 1) for i, value in enumerate(node))
    return data, None


def _names_document(context: Any) -> bool:
    """A context that is, or lists, a string: an IRI or path rdflib would load."""
    return isinstance(context, str) or (isinstance(context, list) and any(isinstance(c, str) for c in context))


def _curie(iri: URIRef, model: Model) -> str:
    prefixes = {"pm": model.namespace, "org": str(ORG), "rdf": str(RDF), "rdfs": str(RDFS), "skos": str(SKOS),
                "foaf": str(FOAF), "dct": str(DCTERMS)}
    for prefix, ns in prefixes.items():
        if str(iri).startswith(ns):
            return f"{prefix}:{str(iri)[len(ns):]}"
    return str(iri)


class _Reader:
    """Turns one parsed graph into batches: nodes first, then relationships."""

    def __init__(self, graph: Graph, path: Path, raw: bytes, model: Model, dataset: str | None = None):
        self.graph, self.path, self.raw, self.model = graph, path, raw, model
        self.file = path.name
        self.source_id = make_source_id("rdf", dataset, path.name) if dataset else make_source_id("rdf", path.name)
        self.used_file_source = False
        self.problems: list[Problem] = []
        self.nodes: dict[Any, tuple[str, str]] = {}  # resource → (label, id)
        self.dropped: set[Any] = set()
        self.pm = namespace(model)
        self.relationship_of: dict[URIRef, str] = {}
        for rel in model.relationships.values():
            self.relationship_of[relationship_iri(rel.name, model)] = rel.name
            self.relationship_of.setdefault(expand(rel.rdf_property, model), rel.name)
        # ORG classes the model aligns labels with (first label wins), then ORG's broader ones.
        self.foreign_classes: dict[URIRef, str] = {}
        for label in model.labels.values():
            aligned = expand(label.rdf_class, model)
            if str(aligned).startswith(str(ORG)):
                self.foreign_classes.setdefault(aligned, label.name)
        for cls in FOREIGN_ORGANISATIONS:
            self.foreign_classes.setdefault(cls, "Organisation")

    def problem(self, subject: Any, column: str | None, value: object, reason: str) -> None:
        self.problems.append(Problem(self.file, _row(subject), column, value, reason))

    def items(self) -> Iterator[Item]:
        node_rows = {label: self._each_statement(rows) for label, rows in self._nodes().items()}
        edge_rows = {key: self._each_statement(rows) for key, rows in self._edges().items()}
        yield from self.problems
        if not node_rows and not edge_rows and not self.problems:
            yield _fatal(self.path, None, "found no W3C ORG organisations, collaborations or memberships, "
                                          "nor partnermap resources")
            return
        if self.used_file_source:
            yield NodeBatch("Source", pd.DataFrame([{
                "id": self.source_id, "name": self.file, "reader": "rdf", "path": str(self.path.resolve()),
                "sha256": hashlib.sha256(self.raw).hexdigest(),
                "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "source": self.source_id, "source_row": self.file, ROW: None,
            }]), self.file)
        for label, rows in node_rows.items():
            if label == "Source" and self.used_file_source:
                rows = [r for r in rows if r["id"] != self.source_id]
            if rows:
                # One batch "file" per label: ids may repeat across labels (a theme and a client
                # group called "older people"), which the loader reports within one file.
                yield NodeBatch(label, pd.DataFrame(rows), f"{self.file} ({label})")
        for (rel_type, from_column, to_column), rows in edge_rows.items():
            rows = [r for r in rows if r.pop("_ends").isdisjoint(self.dropped)]
            if rows:
                rel = self.model.relationship(rel_type)
                yield EdgeBatch(rel_type, pd.DataFrame(rows), self.file, rel.from_labels, rel.to_labels, from_column, to_column)

    # -- nodes -------------------------------------------------------------------------------

    def _label_of(self, subject: Any) -> str | None:
        types = set(self.graph.objects(subject, RDF.type))
        own = [label for label in self.model.labels if self.pm[label] in types]
        if not own:
            own = sorted({self.foreign_classes[t] for t in types if t in self.foreign_classes})
            if len(own) > 1 and "Organisation" in own:  # every ORG collaboration is an org:Organization too
                own.remove("Organisation")
        if len(own) > 1:
            self.problem(subject, "rdf:type", ", ".join(own), "typed as several partnermap classes; give it one")
            return None
        return own[0] if own else None

    def _nodes(self) -> dict[str, list[dict]]:
        rows: dict[str, list[dict]] = defaultdict(list)
        subjects = set(self.graph.subjects(RDF.type, None))
        for subject in sorted(subjects, key=str):
            label = self._label_of(subject)
            if label is None:
                continue
            own = (subject, RDF.type, self.pm[label]) in self.graph
            node_id = self._id(subject, label)
            if node_id is None:
                self.dropped.add(subject)
                continue
            properties = self.model.label(label).properties
            row = self._properties(subject, properties)
            if not own:
                self._foreign(subject, label, row)
            if "name" in properties and not row.get("name"):
                names = ", ".join(_curie(p, self.model) for p in NAMES)
                self.problem(subject, "rdfs:label", None, f"{label} with no name (give it one of {names})")
                self.dropped.add(subject)
                continue
            row["id"] = node_id
            self._provenance(subject, row)
            self.nodes[subject] = (label, node_id)
            rows[label].append(row)
        return rows

    def _id(self, subject: Any, label: str | None = None) -> str | None:
        given = self._one(subject, self.pm.id)
        if given is not None:
            return str(given)
        if isinstance(subject, BNode):
            self.problem(subject, "pm:id", None, "a blank node has no stable id: give the resource an IRI or pm:id")
            return None
        parsed = parse_node_iri(str(subject), self.model)
        return parsed[1] if parsed and (label is None or parsed[0] == label) else str(subject)

    def _one(self, subject: Any, predicate: URIRef) -> Any:
        values = sorted(set(self.graph.objects(subject, predicate)), key=str)
        if len(values) > 1:
            self.problem(subject, _curie(predicate, self.model), " | ".join(map(str, values)),
                         "has several values; the model allows one")
        return values[0] if values else None

    def _properties(self, subject: Any, properties: dict) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for name, prop in properties.items():
            if name in ("id", *PROVENANCE):
                continue
            predicate = property_iri(name, self.model)
            if prop.type == "string[]":
                values = sorted({str(v) for v in self.graph.objects(subject, predicate)})
                if values:
                    row[name] = values
            elif name == "name":
                row[name] = self._name(subject)
            else:
                value = self._one(subject, predicate)
                if value is not None:
                    row[name] = _python(value)
        return row

    def _name(self, subject: Any) -> str | None:
        for predicate in NAMES:
            labels = [v for v in self.graph.objects(subject, predicate) if isinstance(v, Literal)]
            if labels:
                # English or untagged first, then any language, each in a stable order.
                best = min(labels, key=lambda v: (0 if not v.language else 1 if v.language.lower().startswith("en") else 2, str(v)))
                return str(best)
        return None

    def _foreign(self, subject: Any, label: str, row: dict[str, Any]) -> None:
        """Defaults and ORG's own terms for a resource typed only with ORG classes."""
        if label == "Organisation":
            row.setdefault("sector", "other")
            identifiers = sorted({str(v) for p in (ORG.identifier, SKOS.notation) for v in self.graph.objects(subject, p)})
            if identifiers:
                row["identifiers"] = sorted({*row.get("identifiers", []), *identifiers})
            aliases = sorted({str(v) for v in self.graph.objects(subject, SKOS.altLabel)})
            if aliases:
                row["aliases"] = sorted({*row.get("aliases", []), *aliases})
        elif "kind" in self.model.label(label).properties:
            row.setdefault("kind", "other")

    def _provenance(self, subject: Any, row: dict[str, Any], recorded: bool = True) -> None:
        """The recorded source and row (a partnermap export), else this file and the subject IRI."""
        source = source_row = None
        if recorded:
            source = self._one(subject, self.pm.source)
            if source is None:
                parsed = (parse_node_iri(str(d), self.model) for d in self.graph.objects(subject, PROV.wasDerivedFrom))
                source = next((p[1] for p in parsed if p and p[0] == "Source"), None)
            source_row = self._one(subject, self.pm.sourceRow)
        if source is None:
            self.used_file_source = True
        row["source"] = str(source) if source is not None else self.source_id
        row["source_row"] = str(source_row) if source_row is not None else str(subject)
        row[ROW] = _row(subject)
        statements = self._one(subject, self.pm.statements) if recorded else None
        if statements is not None:
            row["_statements"] = str(statements)

    def _each_statement(self, rows: list[dict], subject_of: dict[int, Any] | None = None) -> list[dict]:
        """Rows of a partnermap export that several sources state: one row per source, in its words.

        An export keeps what each source says (``pm:statements``); reading it back gives each source's
        statement again, so the facts and their sources come back as they were.
        """
        out = []
        for row in rows:
            held = row.pop("_statements", None)
            if held is None:
                out.append(row)
                continue
            try:
                said = json.loads(held)
                assert isinstance(said, dict) and all(isinstance(v, dict) for v in said.values())
            except (ValueError, AssertionError):
                self.problems.append(Problem(self.file, row.get(ROW), "pm:statements", held[:80],
                                             "not what a partnermap export writes: a JSON object of each source's row and values"))
                continue
            keep = {k: v for k, v in row.items() if k in ("id", "from_id", "to_id", "_ends", ROW)}
            for source, statement in reversed(list(said.items())):  # the most recent last, as an ingest gives them
                out.append({**keep, **(statement.get("values") or {}), "source": source, "source_row": statement.get("row")})
        return out

    # -- relationships -----------------------------------------------------------------------

    def _end(self, resource: Any) -> str | None:
        if resource in self.nodes:
            return self.nodes[resource][1]
        if resource in self.dropped:
            return "?"
        if isinstance(resource, BNode):
            return None
        parsed = parse_node_iri(str(resource), self.model)
        return parsed[1] if parsed else str(resource)

    def _edges(self) -> dict[tuple[str, str, str], list[dict]]:
        rows: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
        covered: set[tuple[str, Any, Any]] = set()

        def add(rel_type, a, b, subject, columns, edge_id=None, properties=None, recorded=True):
            from_id, to_id = self._end(a), self._end(b)
            if from_id is None or to_id is None:
                self.problem(subject, columns[0] if from_id is None else columns[1], None,
                             "refers to a blank node that is not a partnermap or ORG resource")
                return
            unkeyed = [""] * len(self.model.relationship(rel_type).key)  # ORG data says no more than its ends
            row = {"from_id": from_id, "to_id": to_id, "id": edge_id or relationship_id(rel_type, from_id, to_id, *unkeyed),
                   **(properties or {}), "_ends": {a, b}}
            self._provenance(subject, row, recorded)
            rows[(rel_type, *columns)].append(row)
            covered.add((rel_type, a, b))

        statements = set(self.graph.subjects(RDF.type, RDF.Statement)) | set(self.graph.subjects(RDF.predicate, None))
        for statement in sorted(statements, key=str):
            rel_type = self.relationship_of.get(self._one(statement, RDF.predicate))
            if rel_type is None:
                continue
            a, b = self._one(statement, RDF.subject), self._one(statement, RDF.object)
            if a is None or b is None:
                self.problem(statement, "rdf:subject" if a is None else "rdf:object", None, "a statement needs both ends")
                continue
            properties = self._properties(statement, self.model.relationship(rel_type).properties)
            if rel_type == "MEMBER_OF":
                self._membership_terms(statement, properties)
            edge_id = self._one(statement, self.pm.id)
            add(rel_type, a, b, statement, ("rdf:subject", "rdf:object"), str(edge_id) if edge_id is not None else None, properties)

        for membership in sorted(set(self.graph.subjects(RDF.type, ORG.Membership)) - statements, key=str):
            a, b = self._one(membership, ORG.member), self._one(membership, ORG.organization)
            if a is None or b is None:
                self.problem(membership, "org:member" if a is None else "org:organization", None,
                             "an org:Membership needs both org:member and org:organization")
                continue
            properties = self._properties(membership, self.model.relationship("MEMBER_OF").properties)
            self._membership_terms(membership, properties)
            edge_id = self._one(membership, self.pm.id)
            if edge_id is None and isinstance(membership, URIRef):
                edge_id = str(membership)
            add("MEMBER_OF", a, b, membership, ("org:member", "org:organization"),
                str(edge_id) if edge_id is not None else None, properties)

        direct = [*self.relationship_of, *INVERSES, *NARROWER, ORG.hasSite]
        triples = [t for p in direct for t in sorted(self.graph.triples((None, p, None)), key=lambda t: (str(t[0]), str(t[2])))]
        for subject, predicate, obj in triples:
            if predicate in INVERSES:
                subject, predicate, obj = obj, INVERSES[predicate], subject
            predicate = NARROWER.get(predicate, predicate)
            if predicate == ORG.hasSite:
                self._site(subject, obj, add)
                continue
            rel_type = self.relationship_of.get(predicate)
            if rel_type is None or isinstance(obj, Literal):
                continue
            if rel_type == "SUB_ORGANISATION_OF":
                rel_type = self._sub_organisation(subject, obj)
                if rel_type is None:
                    continue
            if (rel_type, subject, obj) in covered:
                continue
            properties = {"role": "member"} if rel_type == "MEMBER_OF" else None
            add(rel_type, subject, obj, subject, ("subject", _curie(predicate, self.model)), None, properties, recorded=False)
        return rows

    def _membership_terms(self, membership: Any, properties: dict[str, Any]) -> None:
        """Role and period from ORG's own terms where partnermap's are absent."""
        if "role" not in properties:
            properties["role"] = self._role(self._one(membership, ORG.role))
        during = self._one(membership, ORG.memberDuring)
        if during is not None:
            for name, predicate in (("since", "hasBeginning"), ("until", "hasEnd")):
                instant = self._one(during, URIRef(TIME + predicate))
                if instant is not None and name not in properties:
                    for kind in ("inXSDDate", "inXSDDateTimeStamp", "inXSDDateTime"):
                        value = self._one(instant, URIRef(TIME + kind))
                        if value is not None:
                            properties[name] = str(value)[:10]
                            break

    def _role(self, role: Any) -> str:
        """A partnermap role from an org:Role's label or local name; ``member`` when none matches."""
        if role is None:
            return "member"
        vocabulary = self.model.vocabularies["membership_role"]
        candidates = [str(v) for p in NAMES for v in self.graph.objects(role, p)]
        candidates.append(re.split(r"[/#]", str(role))[-1])
        for candidate in candidates:
            key = re.sub(r"[\s-]+", "_", candidate.strip().lower())
            if key in vocabulary:
                return key
        return "member"

    def _sub_organisation(self, part: Any, whole: Any) -> str | None:
        labels = {self.nodes[r][0] if r in self.nodes else "Organisation" for r in (part, whole)}
        if labels == {"Organisation"}:
            return "SUB_ORGANISATION_OF"
        if labels <= set(self.model.kind("Group")):
            return "REPORTS_TO"  # a sub-group of a partnership reports to it, as the register writes it
        self.problem(part, "org:subOrganizationOf", str(whole),
                     f"a {' and a '.join(sorted(labels)).lower()} cannot be parts of one another in partnermap")
        return None

    def _site(self, subject: Any, site: Any, add) -> None:
        """org:hasSite → COVERS when the site names a GSS code; other sites are addresses: skipped."""
        if subject not in self.nodes:
            return
        candidates = [re.split(r"[/#]", str(site))[-1]] + [
            str(v) for p in (SKOS.notation, ORG.identifier, self.pm.id) for v in self.graph.objects(site, p)
        ]
        code = next((c for c in candidates if GSS_CODE.match(c)), None)
        if code is not None and (self.nodes[subject][0], "Territory") in self.model.relationship("COVERS").endpoints:
            add("COVERS", subject, URIRef(f"{self.model.resource_base}territory/{code}"), subject,
                ("subject", "org:hasSite"), None, None, recorded=False)


def _row(subject: Any) -> str:
    return f"<{subject}>" if isinstance(subject, URIRef) else f"_:{subject}"


def _python(value: Any) -> Any:
    """A literal's Python value where it is well-typed, else its text (validation reports it)."""
    if isinstance(value, Literal):
        python = value.toPython()
        return str(value) if isinstance(python, Literal) else python
    return str(value)
