"""The ``partnermap`` command: ingest, query, inspect.

The store is chosen by global options before the command, the same for every
command: ``partnermap --db PATH …`` (embedded, the default) or
``partnermap --neo4j URI …``. Settings come from the environment at this edge only.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

import graph
from cli import notices
from cli.progress import shown
from graph.locate import Locator
from graph.preview import report_rows
from ingest import resolve as resolution
from ingest.pipeline import ingest_paths
from ontology import load_model, ontology_turtle
from partnermap import __version__
from partnermap.errors import BackupRefused, InvalidRecords, PartnermapError, QueryTimeout, StoreUnavailable
from partnermap.output import FORMATS, render
from partnermap.settings import Settings


app = typer.Typer(help="partnermap: a knowledge graph of public-sector partnerships and services.", no_args_is_help=True, add_completion=False)
ingest_app = typer.Typer(help="Read files into the graph (all or nothing; ingesting twice changes nothing).", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
export_app = typer.Typer(help="Write the whole graph out in another format.", no_args_is_help=True)
app.add_typer(export_app, name="export")


class State:
    settings: Settings
    decisions: Optional[Path] = None
    source: Optional[str] = None
    replace: bool = False


state = State()


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    db: Annotated[Optional[Path], typer.Option("--db", help="Embedded store directory [env PARTNERMAP_DB; default data/graph].")] = None,
    neo4j: Annotated[Optional[str], typer.Option("--neo4j", help="Neo4j URI, e.g. neo4j://localhost:7687 [env NEO4J_URI]; with NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE.")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """Choose the store for every command."""
    settings = Settings()
    updates = {k: v for k, v in {"db": db, "neo4j_uri": neo4j}.items() if v is not None}
    state.settings = settings.model_copy(update=updates)


def _store() -> graph.Store:
    s = state.settings
    store = graph.open_store(s.db, s.neo4j_uri, s.neo4j_user, s.neo4j_password, s.neo4j_database)
    for warning in store.warnings:
        typer.echo(f"warning: {warning}", err=True)
    return store


@contextmanager
def _reading() -> Iterator[graph.Store]:
    """The store for a command that only reads, under the time budget (PARTNERMAP_QUERY_SECONDS)."""
    with _store() as store, graph.budget.within(state.settings.query_seconds):
        yield store


def _written(output: Path, content: str | bytes, said: str = "") -> None:
    """Write a command's file (its folder made if need be) and say so, with ``said`` after its name."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        output.write_bytes(content)
    else:
        output.write_text(content, encoding="utf-8")
    typer.echo(f"wrote {output}{said}")


def _fail(exc: PartnermapError) -> None:
    hint = " (PARTNERMAP_QUERY_SECONDS sets the budget)" if isinstance(exc, QueryTimeout) else ""
    typer.echo(f"error: {exc}{hint}", err=True)
    raise typer.Exit(2)


def _params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            typer.echo(f"error: --param takes name=value, not {pair!r}", err=True)
            raise typer.Exit(2)
        params[key.strip()] = value
    return params


def _check_format(fmt: str) -> None:
    """Exit 2 with a message unless ``fmt`` is one of the output formats."""
    if fmt not in FORMATS:
        typer.echo(f"error: --format must be one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)


def _summary(counts: dict[str, Counter]) -> str:
    lines = []
    for kind in ("nodes", "relationships"):
        for name, n in sorted(counts[kind].items()):
            lines.append(f"  {name:<16} {n:>8}")
    return "\n".join(lines)


DryRun = Annotated[bool, typer.Option(
    "--dry-run", help="Read, check and resolve, then say what would be added, changed and removed; write nothing.")]
PreviewFormat = Annotated[str, typer.Option("--format", "-f", help="With --dry-run: table or json.")]


def _ingest(kind: str, paths: list[Path], skip_invalid: bool = False, rejects: Optional[Path] = None,
            options: Optional[dict] = None, dry_run: bool = False, fmt: str = "table") -> None:
    if rejects is not None and not skip_invalid:
        typer.echo("error: --rejects lists the records --skip-invalid leaves out: give both", err=True)
        raise typer.Exit(2)
    if fmt not in ("table", "json"):
        typer.echo("error: --format is table or json (it shapes a --dry-run's answer)", err=True)
        raise typer.Exit(2)
    try:
        with _store() as store, shown(f"ingest {kind}") as progress:
            done = ingest_paths(store, kind, paths, state.decisions, progress=progress,
                                source=state.source, replace=state.replace, skip_invalid=skip_invalid, options=options,
                                dry_run=dry_run)
    except InvalidRecords as exc:
        _fail(exc)
    except PartnermapError as exc:
        _fail(exc)
    for line in [*notices.warning_lines(done.warnings), *notices.skipped_lines(done.skipped)]:
        typer.echo(line, err=True)
    if dry_run:
        _tell_preview(done.preview, fmt)
        return
    if rejects is not None:
        rows = notices.write_rejects(done.skipped, rejects)
        typer.echo(f"wrote {rejects}: {len(done.skipped)} skipped records, {rows} reasons", err=True)
    note = f"\n  removed {done.removed} facts no longer in these sources" if done.removed else ""
    kept = done.counts.get("removed", Counter())["statements"]
    if kept:
        note += f"\n  withdrew these sources' statements from {kept} facts other sources still state (kept)"
    if done.to_review:
        note += f"\n  {done.to_review} organisations may match others: 'partnermap resolve --review FILE' lists them"
    typer.echo(f"ingested {', '.join(str(p) for p in paths)} ({kind}):\n{_summary(done.counts)}{note}")


def _tell_preview(report: dict, fmt: str) -> None:
    """A dry run's answer: counts first, then every change by source, kind and id (nothing was written)."""
    if fmt == "json":
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    counts = report["counts"]
    typer.echo(f"dry run, nothing written: {counts['added']} added, {counts['changed']} changed, "
               f"{counts['removed']} removed, {counts['kept']} kept by other sources "
               f"({counts['restated']} stated again with only their source or row changed)")
    rows = report_rows(report)
    if rows:
        typer.echo(render(rows, "table"))


@ingest_app.callback()
def ingest_options(
    decisions: Annotated[Optional[Path], typer.Option("--decisions", help="A review file from 'partnermap resolve --review': accepted pairs merge as they arrive, rejected ones never.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="The name of this dataset (its sources become READER:NAME/FILE) [default: the folder's or file's name].")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a source of the same name that was read from another path (refused without this).")] = False,
) -> None:
    """Organisations that certainly match ones already known (identifier, or same name and sector) merge into them.

    Each file is a source. Ingesting a source again replaces what it said before; a fact another
    source also states keeps that source.
    """
    state.decisions, state.source, state.replace = decisions, source, replace


@ingest_app.command("register")
def ingest_register(
    paths: Annotated[list[Path], typer.Argument(help="Register folders of CSV files, or .xlsx workbooks.")],
    dry_run: DryRun = False,
    fmt: PreviewFormat = "table",
) -> None:
    """Ingest partnership registers (territories, organisations, partnerships, memberships, …)."""
    _ingest("register", paths, dry_run=dry_run, fmt=fmt)


@ingest_app.command("documents")
def ingest_documents(
    paths: Annotated[list[Path], typer.Argument(help="Documents (.txt, .md, .html, .pdf) or folders of them.")],
    dry_run: DryRun = False,
    fmt: PreviewFormat = "table",
) -> None:
    """Ingest minutes, reports and strategies: a Source per document, MENTIONS (with the sentence) of what the graph holds."""
    _ingest("documents", paths, dry_run=dry_run, fmt=fmt)


SkipInvalid = Annotated[bool, typer.Option(
    "--skip-invalid", help="Leave out invalid records (and what hangs off them), list them on stderr, write the valid ones.")]
Rejects = Annotated[Optional[Path], typer.Option(
    "--rejects", help="With --skip-invalid: also write the skipped records, one row per reason, to this CSV file.")]


@ingest_app.command("360giving")
def ingest_360giving(
    paths: Annotated[list[Path], typer.Argument(help="360Giving grants files: a .json package, a flat .csv or an .xlsx.")],
    skip_invalid: SkipInvalid = False,
    rejects: Rejects = None,
    dry_run: DryRun = False,
    fmt: PreviewFormat = "table",
) -> None:
    """Ingest 360Giving grants: funders and recipients by org-id, one FUNDS per grant, beneficiary places."""
    _ingest("360giving", paths, skip_invalid, rejects, dry_run=dry_run, fmt=fmt)


@ingest_app.command("openreferral")
def ingest_openreferral(
    paths: Annotated[list[Path], typer.Argument(help="Open Referral JSON files (HSDS 3.0, ORUK v1) or CSV data package folders.")],
    skip_invalid: SkipInvalid = False,
    rejects: Rejects = None,
    dry_run: DryRun = False,
    fmt: PreviewFormat = "table",
) -> None:
    """Ingest Open Referral service directories: organisations, services, themes, client groups, areas."""
    _ingest("openreferral", paths, skip_invalid, rejects, dry_run=dry_run, fmt=fmt)


@ingest_app.command("moderngov")
def ingest_moderngov(
    paths: Annotated[list[Path], typer.Argument(help="ModernGov web-service answers (GetCommittees, GetMeetings, GetMeeting, "
                                                     "GetCouncillorsByWard) as .xml files, or folders of them: one site's, read together.")],
    council: Annotated[Optional[str], typer.Option("--council", help="The body whose site answered (an org-id such as "
                                                                      "GB-LAE-MAN, or its name), when the files' web addresses do not say.")] = None,
    dry_run: DryRun = False,
    fmt: PreviewFormat = "table",
) -> None:
    """Ingest a council's committees from ModernGov: partnerships, the council's memberships with role, post and attendance."""
    _ingest("moderngov", paths, options={"council": council} if council else None, dry_run=dry_run, fmt=fmt)


@ingest_app.command("rdf")
def ingest_rdf(
    paths: Annotated[list[Path], typer.Argument(help="Turtle, N-Triples, JSON-LD or RDF/XML files (or folders of them).")],
    dry_run: DryRun = False,
    fmt: PreviewFormat = "table",
) -> None:
    """Ingest RDF: a partnermap export, or W3C Organization Ontology data (nothing is ever fetched)."""
    _ingest("rdf", paths, dry_run=dry_run, fmt=fmt)


@ingest_app.command("popolo")
def ingest_popolo(
    paths: Annotated[list[Path], typer.Argument(help="Popolo JSON files (organizations, areas, posts, memberships).")],
    dry_run: DryRun = False,
    fmt: PreviewFormat = "table",
) -> None:
    """Ingest Popolo JSON: organisations and partnerships by classification, memberships on behalf of organisations."""
    _ingest("popolo", paths, dry_run=dry_run, fmt=fmt)


@ingest_app.command("geography")
def ingest_geography(
    paths: Annotated[list[Path], typer.Argument(help="ONS lookup CSVs (WD19CD, LAD19CD, …) or mySociety's authority list, or folders of them.")],
    dry_run: DryRun = False,
    fmt: PreviewFormat = "table",
) -> None:
    """Ingest ONS geography lookups: territories by GSS code with level and year, PART_OF, SUCCEEDED_BY."""
    _ingest("geography", paths, dry_run=dry_run, fmt=fmt)


@ingest_app.command("boundaries")
def ingest_boundaries(
    paths: Annotated[list[Path], typer.Argument(help="GeoJSON or TopoJSON files (or folders of them), WGS84.")],
    dry_run: DryRun = False,
    fmt: PreviewFormat = "table",
) -> None:
    """Ingest boundary polygons onto territories (found by the GSS code in each feature's properties)."""
    _ingest("boundaries", paths, dry_run=dry_run, fmt=fmt)


@ingest_app.command("ons-partnerships")
def ingest_ons_partnerships(
    paths: Annotated[list[Path], typer.Argument(help="ONS partnership geography CSVs (CSP, PFA, FRA, STP, LEP …), with an LSOA→CCG→LAD lookup for STPs.")],
    dry_run: DryRun = False,
    fmt: PreviewFormat = "table",
) -> None:
    """Ingest ONS partnership geographies: CSPs, STPs/ICSs, LEPs, fire and combined authorities, each COVERS its districts."""
    _ingest("ons-partnerships", paths, dry_run=dry_run, fmt=fmt)


@app.command(context_settings={"ignore_unknown_options": True})  # so a negative longitude is not read as an option
def locate(
    lat: Annotated[float, typer.Argument(help="Latitude (WGS84), e.g. 52.6.")],
    lon: Annotated[float, typer.Argument(help="Longitude (WGS84), e.g. -1.2.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")] = "table",
    exact: Annotated[bool, typer.Option("--exact", help="Leave out territories that only may contain the point (no polygon of their own).")] = False,
    coverage: Annotated[bool, typer.Option("--coverage", help="Print instead what covers the smallest territory found (the coverage query).")] = False,
) -> None:
    """Which territories contain a point, smallest first (from the boundaries ingested)."""
    _check_format(fmt)
    try:
        with _reading() as store:
            locator = Locator.from_store(store)
            rows = locator.locate(lat, lon, approximate=not exact)
            if coverage:
                smallest = locator.smallest(lat, lon)
                rows = graph.run_query(store, "coverage", {"territory": smallest}) if smallest else []
                typer.echo(f"coverage of {smallest}" if smallest else "no territory with a boundary contains the point", err=True)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    except PartnermapError as exc:
        _fail(exc)
    if not len(locator):
        typer.echo("warning: no boundaries in the store: run 'partnermap ingest boundaries' first", err=True)
    typer.echo(render(rows, fmt))


@export_app.command("rdf")
def export_rdf(
    fmt: Annotated[str, typer.Option("--format", "-f", help="ttl (Turtle), jsonld (JSON-LD), or nt (N-Triples, "
                                                            "streamed: for a national graph).")] = "ttl",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Write the whole graph as RDF in the W3C Organization Ontology's terms (re-ingestable with 'ingest rdf')."""
    from graph.dump import dump
    from ontology.rdf_data import RDF_FORMATS, serialize, write_ntriples

    if fmt not in RDF_FORMATS:
        typer.echo(f"error: --format must be one of {', '.join(RDF_FORMATS)}", err=True)
        raise typer.Exit(2)
    try:
        with _store() as store:
            everything = dump(store)
    except PartnermapError as exc:
        _fail(exc)
    if output is None:
        if fmt == "nt":
            write_ntriples(everything.nodes, everything.relationships, sys.stdout)
        else:
            sys.stdout.write(serialize(everything.nodes, everything.relationships, fmt))
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "nt":  # streamed: a national graph never sits in rdflib
        with output.open("w", encoding="utf-8", buffering=1 << 20) as out:
            write_ntriples(everything.nodes, everything.relationships, out)
    else:
        output.write_text(serialize(everything.nodes, everything.relationships, fmt), encoding="utf-8")
    counts = everything.counts()
    typer.echo(f"wrote {output}: {sum(counts['nodes'].values())} nodes, {sum(counts['relationships'].values())} relationships")


def _export(write, target: Path, with_model: bool = False, streamed: bool = False) -> None:
    """Dump the store and hand it to one of graph.export's writers; say what was written.

    ``streamed``: the writer takes a progress receiver (GraphML and GEXF, written row by row).
    """
    import time

    from graph.dump import dump

    started = time.perf_counter()
    try:
        with _store() as store, shown("export") as progress:
            everything = dump(store, progress)
            if streamed:
                written = write(everything, target, store.model, progress)
            else:
                written = write(everything, store.model, target) if with_model else write(everything, target)
    except PartnermapError as exc:
        _fail(exc)
    seconds = time.perf_counter() - started
    typer.echo(f"wrote {target}: {written.nodes} nodes, {written.relationships} relationships"
               f" in {len(written.files)} file{'s' if len(written.files) != 1 else ''} ({seconds:.1f} s)")


@export_app.command("neo4j-csv")
def export_neo4j_csv(directory: Annotated[Path, typer.Argument(help="Folder to write the CSV files, import.sh, schema.cypher and README.md to.")]) -> None:
    """Write CSV for 'neo4j-admin database import full' and import.sh, which runs it (a national graph loads in one command)."""
    from graph.export import write_neo4j_csv

    _export(write_neo4j_csv, directory, with_model=True)


@export_app.command("graphml")
def export_graphml(path: Annotated[Path, typer.Argument(help="The .graphml file to write.")]) -> None:
    """Write GraphML (Gephi, yEd, Cytoscape): nodes "Label:id", every property an attribute."""
    from graph.export import write_graphml

    _export(write_graphml, path, streamed=True)


@export_app.command("gexf")
def export_gexf(path: Annotated[Path, typer.Argument(help="The .gexf file to write.")]) -> None:
    """Write GEXF for Gephi: nodes "Label:id" labelled with their names, every property an attribute."""
    from graph.export import write_gexf

    _export(write_gexf, path, streamed=True)


@export_app.command("json")
def export_json(path: Annotated[Path, typer.Argument(help="The .json file to write.")]) -> None:
    """Write {"nodes": […], "edges": […]} with every property, like the API's /graph."""
    from graph.export import write_json

    _export(write_json, path)


@export_app.command("popolo")
def export_popolo(path: Annotated[Path, typer.Argument(help="The .json file to write.")]) -> None:
    """Write Popolo JSON: organisations, partnerships and areas, posts and memberships on behalf of organisations."""
    from graph.popolo import write_popolo

    _export(write_popolo, path)


@export_app.command("csv")
def export_csv(directory: Annotated[Path, typer.Argument(help="Folder to write <Label>.csv and <TYPE>.csv to.")]) -> None:
    """Write a CSV per label and per relationship type for spreadsheets (formula-like cells neutralised)."""
    from graph.export import write_csv

    _export(write_csv, directory)


@app.command()
def push(
    neo4j: Annotated[Optional[str], typer.Option("--neo4j", help="The Neo4j to write to, e.g. neo4j://host:7687 [env NEO4J_URI; NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE].")] = None,
    batch: Annotated[int, typer.Option("--batch", min=1, help="Rows per UNWIND statement.")] = 10_000,
) -> None:
    """Copy the embedded store (--db) into Neo4j: constraints first, then batched MERGEs (pushing twice changes nothing)."""
    from graph.dump import dump
    from graph.export import copy_graph

    s = state.settings
    uri = neo4j or s.neo4j_uri
    if not uri:
        typer.echo("error: give the Neo4j to push to: partnermap push --neo4j URI (or set NEO4J_URI)", err=True)
        raise typer.Exit(2)
    try:
        with graph.open_store(s.db, read_only=True) as source:
            everything = dump(source)
        with graph.open_store(neo4j_uri=uri, neo4j_user=s.neo4j_user, neo4j_password=s.neo4j_password,
                              neo4j_database=s.neo4j_database) as target:
            with shown("push") as progress:
                written = copy_graph(everything, target, batch, progress=progress)
    except PartnermapError as exc:
        _fail(exc)
    typer.echo(f"pushed {s.db} to {uri}: {written.nodes} nodes, {written.relationships} relationships")


@app.command("backup")
def backup_command(
    path: Annotated[str, typer.Argument(help="The backup file to write, or a folder (ending in /) to write "
                                             "partnermap-<UTC time>.backup in.")],
) -> None:
    """Write a consistent copy of the embedded store to one file (read from a snapshot; other readers go on)."""
    from graph.backup import NEO4J, backup

    s = state.settings
    if s.neo4j_uri:
        _fail(BackupRefused(NEO4J))
    try:
        with graph.open_store(s.db, read_only=True) as store, shown("backup") as progress:
            taken = backup(store, path, progress)
    except StoreUnavailable as exc:  # most often: 'partnermap serve' owns it
        _fail(StoreUnavailable(f"{exc}; while 'partnermap serve' owns the store, ask it for the backup: "
                               "POST /admin/backup with an API key (it writes to PARTNERMAP_BACKUP_DIR)"))
    except PartnermapError as exc:
        _fail(exc)
    typer.echo(f"wrote {taken.path}: {taken.nodes} nodes, {taken.relationships} relationships "
               f"({taken.bytes / 2**20:.1f} MB), the store as it was at {taken.taken_at}")


@app.command("restore")
def restore_command(
    path: Annotated[Path, typer.Argument(help="A backup file from 'partnermap backup' or POST /admin/backup (gzipped too).")],
    force: Annotated[bool, typer.Option("--force", help="Replace a store that holds data (refused without this).")] = False,
) -> None:
    """Replace the embedded store with a backup, all or nothing (stop the server first: it owns the store)."""
    from graph.backup import NEO4J, restore

    s = state.settings
    if s.neo4j_uri:
        _fail(BackupRefused(NEO4J))
    try:
        with _store() as store, shown("restore") as progress:
            restored = restore(store, path, force=force, progress=progress)
    except PartnermapError as exc:
        _fail(exc)
    typer.echo(f"restored {path} into {s.db}: {restored.nodes} nodes, {restored.relationships} relationships, "
               f"the store as it was at {restored.taken_at}")


@app.command("resolve")
def resolve_command(
    review: Annotated[Optional[Path], typer.Option("--review", help="Write the pairs of organisations that may be one body to this CSV; decided rows in it are kept.")] = None,
    apply: Annotated[Optional[Path], typer.Option("--apply", help="Merge the pairs marked accept in this review file (right into left).")] = None,
) -> None:
    """Find organisations in the store that may be one body; merge the pairs a person accepted."""
    if review is None and apply is None:
        typer.echo("error: give --review FILE, --apply FILE, or both", err=True)
        raise typer.Exit(2)
    try:
        with _store() as store:
            decided = resolution.read_decisions(apply) if apply else resolution.Decisions()
            for keep, drop, outcome in resolution.apply(store, decided) if apply else []:
                typer.echo(f"  {drop} → {keep}: {outcome}")
            if review:
                decisions = resolution.read_decisions(review)
                known = {frozenset(row) for row in decisions.accepted} | decisions.rejected
                decisions.rows += [r for r in decided.rows if frozenset((r["left_id"], r["right_id"])) not in known]
                decisions.accepted += [p for p in decided.accepted if frozenset(p) not in known]
                decisions.rejected |= decided.rejected
                matches, compared = resolution.review(graph.run_query(store, "organisations-index"), decisions)
                fresh = resolution.write_review(review, matches, decisions)
                typer.echo(f"wrote {review}: {fresh} pairs to decide, {len(decisions.rows)} decided ({compared} name comparisons)")
    except PartnermapError as exc:
        _fail(exc)


@app.command()
def query(
    name: Annotated[str, typer.Argument(help="The query's name (see 'partnermap cypher --list').")],
    param: Annotated[list[str], typer.Option("--param", "-p", help="A parameter as name=value; repeat for more.")] = [],  # noqa: B006
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")] = "table",
) -> None:
    """Run a named query and print its rows."""
    _check_format(fmt)
    try:
        with _reading() as store:
            rows = graph.run_query(store, name, _params(param))
    except PartnermapError as exc:
        _fail(exc)
    typer.echo(render(rows, fmt))



WORKER_HEALTHCHECK_SECONDS = 120  # how long uvicorn waits for a worker's answer before it replaces it

@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (above 1 only with Neo4j or --read-only).")] = 1,
    read_only: Annotated[bool, typer.Option("--read-only", help="Serve the embedded store read-only: uploads refused, several workers allowed [env PARTNERMAP_READ_ONLY].")] = False,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request.")] = True,
) -> None:
    """Serve the HTTP API with uvicorn (one process owns an embedded store unless it is read-only)."""
    import os

    import uvicorn

    from api import create_app
    from api.server import LOOP, NoDelayProtocol

    s = state.settings.model_copy(update={"read_only": read_only or state.settings.read_only})
    if workers > 1 and not s.neo4j_uri and not s.read_only:
        typer.echo(
            "error: --workers above 1 needs Neo4j or --read-only: an embedded store that takes writes "
            "belongs to one process (a second worker would get no database); serve with one worker, "
            "add --read-only (uploads are then refused), or use --neo4j",
            err=True,
        )
        raise typer.Exit(2)
    if workers == 1:
        uvicorn.run(create_app(s), host=host, port=port, access_log=access_log, http=NoDelayProtocol, loop=LOOP)
    else:  # each worker imports api.app:app and reads its settings from the environment
        os.environ.update({"PARTNERMAP_DB": str(s.db), "PARTNERMAP_NEO4J_URI": s.neo4j_uri or "",
                           "PARTNERMAP_READ_ONLY": "true" if s.read_only else "false"})
        # A worker builds the pages' indexes as it starts, which on a busy machine or a national store
        # takes longer than uvicorn's 5 s health check: it would be killed and restarted for ever.
        uvicorn.run("api.app:app", host=host, port=port, workers=workers, access_log=access_log, http=NoDelayProtocol,
                    loop=LOOP, timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS)


def _workspace(store: graph.Store):
    """The store with fresh indexes, as the pages read it."""
    from graph.coverage import CoverageCache
    from pages.context import Workspace
    from pages.findings import FindingsCache

    return Workspace(store, CoverageCache(), FindingsCache())


@app.command("viz")
def viz_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")],
    territory: Annotated[str, typer.Option("--territory", help="GSS code: groups working there.")] = "",
    theme: Annotated[str, typer.Option("--theme", help="Only groups on this theme.")] = "",
    focus: Annotated[str, typer.Option("--focus", help="An organisation or partnership id to centre on.")] = "",
    depth: Annotated[int, typer.Option("--depth", help="With --focus: how many membership steps to show.")] = 2,
    highlight: Annotated[list[str], typer.Option("--highlight", help="overload, duplication, missing-links or governance; repeat for more [default: all].")] = [],  # noqa: B006
    governance: Annotated[bool, typer.Option("--governance", help="Draw the REPORTS_TO hierarchy top-down instead.")] = False,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Memberships in force on this day (YYYY-MM-DD) [default today].")] = None,
    title: Annotated[str, typer.Option("--title", help="The page's title.")] = "",
    from_date: Annotated[Optional[str], typer.Option("--from", help="With --to: the network as of --to, with what joined and left since this day marked.")] = None,
    to_date: Annotated[Optional[str], typer.Option("--to", help="With --from: the later day (YYYY-MM-DD).")] = None,
) -> None:
    """Write the workspace's network (or governance) page as one self-contained HTML file that works offline."""
    from pages import governance as governance_pages
    from pages import network
    from pages.findings import Filters

    try:
        with _store() as store:
            space = _workspace(store)
            filters = Filters.parse(territory, theme, as_of or "")
            if governance:
                page = governance_pages.page(space, filters, standalone=True, title=title or "Who reports to whom")
            else:
                page = network.page(space, filters, focus=focus, depth=depth,
                                    highlights=tuple(highlight) or network.HIGHLIGHTS, standalone=True,
                                    title=title or "Partnership network",
                                    between=(from_date or "", to_date or "") if from_date or to_date else None)
    except PartnermapError as exc:
        _fail(exc)
    _written(output, page)


@app.command()
def report(
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="HTML file to write [default out/report.html].")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Read memberships and strategies in force on this day (YYYY-MM-DD) [default today].")] = None,
    territory: Annotated[str, typer.Option("--territory", help="GSS code: only findings working there.")] = "",
    title: Annotated[str, typer.Option("--title", help="The report's title.")] = "Partnership mapping report",
) -> None:
    """Write the workspace's overview and every finding as one self-contained HTML file (the same templates)."""
    from pages import report as report_page
    from pages.findings import Filters

    output = output or state.settings.out / "report.html"
    try:
        with _store() as store:
            page = report_page.page(_workspace(store), Filters.parse(territory, "", as_of or ""), title,
                                    seconds=state.settings.query_seconds)  # each finding its own budget
    except PartnermapError as exc:
        _fail(exc)
    _written(output, page)


@app.command()
def pack(
    output: Annotated[Path, typer.Option("--output", "-o", help="The .pdf or .html file to write.")],
    partnership: Annotated[str, typer.Option("--partnership", help="The partnership's or forum's id.")] = "",
    territory: Annotated[str, typer.Option("--territory", help="GSS code: every partnership and forum covering it.")] = "",
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Memberships in force on this day (YYYY-MM-DD) [default today].")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Say who joined and left since this day (YYYY-MM-DD).")] = None,
) -> None:
    """Write the annual review pack of a partnership or a place: a board paper as PDF or HTML (the same templates)."""
    from pages import pack as review_pack

    try:
        window = review_pack.Window.parse(as_of or "", since or "")
        with _reading() as store:
            content = review_pack.document(_workspace(store), output.suffix.lstrip(".").lower(), window,
                                           partnership=partnership, territory=territory)
    except PartnermapError as exc:
        _fail(exc)
    _written(output, content)


@app.command()
def queries() -> None:
    """List every named query with its parameters and what it answers."""
    for name in graph.query_names():
        description, params = graph.describe(name)
        signature = " ".join(f"{p.name}={'…' if p.required else p.default}" for p in params)
        typer.echo(f"{name}  {signature}".rstrip())
        typer.echo(f"    {description}")


@app.command()
def sources(fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")] = "table") -> None:
    """List the sources the graph was read from: id, reader, path, when last ingested."""
    _print_query("sources", {}, fmt)


@app.command()
def withdraw(
    source_ids: Annotated[list[str], typer.Argument(help="Source ids, as 'partnermap sources' lists them (e.g. register:county/memberships.csv).")],
) -> None:
    """Withdraw everything these sources state: facts only they state go; facts others state keep those."""
    try:
        with _store() as store:
            with shown("withdraw") as progress:
                removed = graph.withdraw(store, source_ids, progress=progress)
    except PartnermapError as exc:
        _fail(exc)
    typer.echo(f"withdrew {', '.join(source_ids)}: removed {removed['facts']} facts; "
               f"{removed['statements']} facts other sources still state were kept")


@app.command()
def conflicts(
    kind: Annotated[str, typer.Option("--kind", help="One label or relationship type, e.g. MEMBER_OF (default: all).")] = "",
    limit: Annotated[int, typer.Option("--limit", min=0, help="Most facts and properties to list (0: all).")] = 1000,
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")] = "table",
) -> None:
    """Facts whose sources disagree: every value with its source; the value shown is the most recent ingest's."""
    _print_query("conflicts", {"kind": kind, "limit": limit}, fmt)


def _print_query(name: str, params: dict, fmt: str) -> None:
    _check_format(fmt)
    try:
        with _store() as store:
            rows = graph.run_query(store, name, params)
    except PartnermapError as exc:
        _fail(exc)
    typer.echo(render(rows, fmt))


@app.command()
def stats(fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table") -> None:
    """Count nodes per label and relationships per type."""
    try:
        with _reading() as store:
            counts = graph.stats(store)
    except PartnermapError as exc:
        _fail(exc)
    if fmt == "json":
        typer.echo(json.dumps(counts, indent=2))
    else:
        typer.echo(_summary({k: Counter(v) for k, v in counts.items()}))


@app.command()
def cypher(
    name: Annotated[Optional[str], typer.Argument(help="The query's name.")] = None,
    dialect: Annotated[str, typer.Option("--dialect", "-d", help="neo4j or embedded.")] = "neo4j",
    list_: Annotated[bool, typer.Option("--list", help="List the queries, one name per line.")] = False,
) -> None:
    """Print a named query as rendered for one engine, or list the queries."""
    queries = graph.load_queries()  # Cypher files only; the network analyses are Python
    if list_ or name is None:
        typer.echo("\n".join(queries))
        return
    try:
        typer.echo(graph.get_query(name).render(dialect))
    except PartnermapError as exc:
        _fail(exc)


@app.command()
def schema(dialect: Annotated[str, typer.Option("--dialect", "-d", help="neo4j or embedded.")] = "neo4j") -> None:
    """Print the schema statements derived from the ontology (constraints for Neo4j, DDL embedded)."""
    model = load_model()
    statements = graph.neo4j_constraints(model) if dialect == "neo4j" else graph.embedded_ddl(model)
    typer.echo(";\n".join(statements) + ";")


@app.command()
def ontology(output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None) -> None:
    """Print the OWL ontology and SHACL shapes (Turtle) derived from ontology/model.toml."""
    text = ontology_turtle()
    if output:
        _written(output, text)
    else:
        sys.stdout.write(text)



@app.command()
def template(
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx workbook to write.")] = Path("register.xlsx"),
    area: Annotated[Optional[str], typer.Option("--area", help="GSS code of an area in the store: its places fill the "
                                                               "territories sheet and the territory drop-downs.")] = None,
) -> None:
    """Write an empty register workbook to fill in: instructions, a sheet per file, notes and drop-down lists."""
    from graph.register_export import area_places
    from viz.register_workbook import workbook_bytes

    places = None
    if area:
        try:
            with _reading() as store:
                places = area_places(store, area)
        except PartnermapError as exc:
            _fail(exc)
    if output.suffix.lower() != ".xlsx":
        typer.echo(f"error: the template is an .xlsx workbook, not {output.name}", err=True)
        raise typer.Exit(2)
    within = f" with the {len(places)} places of {area}" if places else ""
    _written(output, workbook_bytes(load_model(), places=places), f": a register template{within}")


@export_app.command("register")
def export_register(
    target: Annotated[Path, typer.Argument(help="An .xlsx workbook, or a folder to write the register's CSV files to.")],
    source: Annotated[Optional[str], typer.Option("--source", help="Only what this source states: a source id or a "
                                                                   "dataset's name, as 'partnermap sources' lists them.")] = None,
) -> None:
    """Write the graph, or what one source states, as a register that 'ingest register' reads back to the same facts."""
    from graph.dump import dump
    from graph.register_export import register_tables, source_matches
    from viz.register_workbook import write_register

    try:
        with _store() as store, shown("export") as progress:
            everything = dump(store, progress)
            model = store.model
    except PartnermapError as exc:
        _fail(exc)
    if source is not None and not any(source_matches(str(s), source) for s in everything.nodes["Source"]["id"]):
        typer.echo(f"error: no source {source!r} in the store: 'partnermap sources' lists them", err=True)
        raise typer.Exit(2)
    tables = register_tables(everything, model, source)
    files = write_register(target, model, tables.files)
    counts = ", ".join(f"{name} {n}" for name, n in tables.counts().items() if n)
    typer.echo(f"wrote {target}: {sum(tables.counts().values())} rows in {len(files)} "
               f"file{'s' if len(files) != 1 else ''} ({counts or 'empty'})")
    if tables.left_out:
        typer.echo("left out, or changed (a register cannot hold them as the graph does):", err=True)
        for item in tables.left_out:
            typer.echo(f"  {item.what}: {item.count} ({item.why})", err=True)


@app.command("changes")
def changes_command(
    from_date: Annotated[str, typer.Option("--from", help="The earlier day, YYYY-MM-DD: what began on it was already in force.")],
    to_date: Annotated[str, typer.Option("--to", help="The later day, YYYY-MM-DD: what began on it counts; what ends on it (its last day) has not ended.")],
    territory: Annotated[str, typer.Option("--territory", help="GSS code: only partnerships, forums and strategies working there.")] = "",
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")] = "table",
) -> None:
    """What changed between two days: memberships, chairs, partnerships, forums and strategies begun or ended, and findings that appeared or cleared."""
    from graph.changes import changes

    _check_format(fmt)
    try:
        with _reading() as store:
            found = changes(store, from_date, to_date, territory)
    except PartnermapError as exc:
        _fail(exc)
    if fmt != "table":
        typer.echo(render(found.rows, fmt))
        return
    # Counts first, then each section that has rows, as the workspace's page shows them.
    typer.echo(f"What changed after {found.from_date} up to {found.to_date}"
               + (f" in {found.territory}" if found.territory else "") + f": {len(found.rows)} changes")
    for section, rows in found.grouped():
        typer.echo(f"  {section.title}: {len(rows)}")
    for section, rows in found.grouped():
        if rows:
            typer.echo(f"\n{section.title}\n" + render([{k: v for k, v in row.items() if k != "change"} for row in rows], "table"))
