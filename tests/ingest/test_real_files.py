"""Real published files, read in place from ``../shared/data``: each reader on files of at least
two publishers where two exist, with what the graph must hold worked out by hand.

The expected counts were not taken from the readers: each comment says how they were counted
from the files themselves (rows, distinct codes or ids, pairs) with csv/json and grep, and what
the reader is meant to leave out. Skipped, with the reason, where ``../shared`` is absent.

Not here: the register (partnermap's own format: no one else publishes it; the demo register in
``examples/`` is the suite's), and RDF describing real organisations (none is published: W3C's
own ontology file is tried, and refused with a reason). The documents' mentions are scored
against hand labels by ``tests/ingest/test_mentions.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import graph
import ingest
from ingest.pipeline import TOGETHER
from partnermap.errors import InvalidRecords

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"the real files are read in place from {DATA}, which is absent")


def ingested(store, kind: str, paths: list[Path], **options) -> dict[str, dict[str, int]]:
    """Read the files as ``partnermap ingest KIND`` does and load them; the non-zero counts, Sources left out."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        pytest.skip(f"not in ../shared/data: {', '.join(str(p.relative_to(DATA)) for p in missing)}")
    reader = ingest.READERS[kind]
    items = reader(paths, **options) if kind in TOGETHER else [i for p in paths for i in reader(p, **options)]
    ingest.load(store, items)
    stats = graph.stats(store)
    return {"nodes": {k: v for k, v in stats["nodes"].items() if v and k != "Source"},
            "relationships": {k: v for k, v in stats["relationships"].items() if v}}


CASES = {
    # --- Open Referral -------------------------------------------------------------------------
    # Buckinghamshire's Outpost feed (an ORUK-v1-like API, two pages of 50 and one service): 100
    # distinct service ids, 88 distinct organisation ids (every service has one: DELIVERS 100);
    # Outpost's 'taxonomies' are themes (60 distinct names, case-folded; 221 service-theme pairs),
    # its 'suitabilities' and 'send_needs' client groups (13 names; 86 pairs).
    "openreferral: Buckinghamshire Council (Outpost)": (
        "openreferral", ["real-oruk-buckinghamshire"], {},
        {"Organisation": 88, "Service": 100, "Theme": 60, "ClientGroup": 13},
        {"DELIVERS": 100, "HAS_THEME": 221, "SERVES": 86}),
    # Open Referral UK's HSDS 3 profile examples: one service of one organisation, one attribute
    # whose taxonomy term (named "name") is a theme.
    "openreferral: Open Referral UK profile, service_full.json": (
        "openreferral", ["openreferral-uk-profile/examples/service_full.json"], {},
        {"Organisation": 1, "Service": 1, "Theme": 1}, {"DELIVERS": 1, "HAS_THEME": 1}),
    # Open Referral's HSDS 3 tabular example: services.csv and organizations.csv one row each; the
    # one attribute links to an id (f28dd44b…) that is not the service's, so no theme.
    "openreferral: Open Referral HSDS 3 CSV example": (
        "openreferral", ["openreferral-hsds3-spec/examples/csv"], {},
        {"Organisation": 1, "Service": 1}, {"DELIVERS": 1}),
    # --- 360Giving -----------------------------------------------------------------------------
    # Oxfordshire Community Foundation's workbook: 133 grant rows (133 distinct identifiers), 115
    # distinct recipient org ids and one funder; 101 beneficiary geographic codes, 72 distinct (LSOAs
    # and wards), 96 distinct (recipient, code) pairs.
    "360giving: Oxfordshire Community Foundation (xlsx)": (
        "360giving", ["real-360giving-oxfordshire-community-foundation/ocf_360giving_export_2019-01-07.xlsx"], {},
        {"Organisation": 116, "Territory": 72}, {"FUNDS": 133, "COVERS": 96}),
    # The Wolfson Foundation's JSON: 379 grants, 305 distinct recipients, one funder, no locations.
    "360giving: The Wolfson Foundation (JSON)": (
        "360giving", ["real-360giving-wolfson-foundation/wolfson_grants_2014.json"], {},
        {"Organisation": 306}, {"FUNDS": 379}),
    # Trafford Council's CSV: 555 grants, 323 distinct recipients, the council as funder; every
    # grant's beneficiary location is Trafford (E08000009), so 323 recipient-Trafford pairs.
    "360giving: Trafford Council (CSV)": (
        "360giving", ["trafford-vcs-grants-360giving/trafford_council_voluntary_sector_grants.csv"], {},
        {"Organisation": 324, "Territory": 1}, {"FUNDS": 555, "COVERS": 323}),
    # --- Geography -----------------------------------------------------------------------------
    # Greater Manchester lookups (ONS, via Trafford Data Lab): 215 wards in 10 districts.
    "geography: GM wards 2022 (Trafford Data Lab)": (
        "geography", ["real-ons-lookups-greater-manchester/gm_ward22_to_lad22.csv"], {},
        {"Territory": 225}, {"PART_OF": 215}),
    # 215 wards 2019, 27 constituencies (PCON19CD, places with no parent here), 10 districts, one
    # upper tier (Greater Manchester, E11000001): wards in districts, districts in it.
    "geography: GM wards 2019 with constituencies": (
        "geography", ["real-ons-lookups-greater-manchester/gm_ward19_pcon19_lad19_utla19.csv"], {},
        {"Territory": 253}, {"PART_OF": 225}),
    # drkane's yearless WDCD with LADCD, LADCD_ACTIVE, UTLACD, RGNCD, CTRYCD, LAD20CD: 430 wards
    # since 2015, 10 districts, North West, England (CAUTHCD and the K0 codes are not places):
    # 442 places, a tree of 441 links under England.
    "geography: GM wards since 2015 (drkane's yearless columns)": (
        "geography", ["real-ons-lookups-greater-manchester/gm_wards_all_since2015_to_lad_utla.csv"], {},
        {"Territory": 442}, {"PART_OF": 441}),
    # 1,673 LSOAs 2011 and 10 districts; the CCG20 columns are a partnership geography, not read here.
    "geography: GM LSOA 2011 to CCG 2020 to district": (
        "geography", ["real-ons-lookups-greater-manchester/gm_lsoa11_ccg20_lad20.csv"], {},
        {"Territory": 1683}, {"PART_OF": 1673}),
    # Trafford Data Lab's plain area_code/area_name: 21 wards, no parent column.
    "geography: Trafford ward abbreviations (area_code)": (
        "geography", ["real-ons-lookups-greater-manchester/trafford_ward17_abbreviations_centroids.csv"], {},
        {"Territory": 21}, {}),
    # drkane's area codes: 415 districts, 21 upper tiers, 9 regions, 4 countries (the 10 combined
    # authorities and the three K0 aggregates are not places); all but the countries have a parent.
    "geography: drkane's UK area codes": (
        "geography", ["uk-area-codes-drkane/area_all_codes.csv"], {},
        {"Territory": 449}, {"PART_OF": 445}),
    # mySociety's list: 431 current GSS codes that are not combined authorities (E47), and 12
    # former codes (the 13th former code is a combined authority's); 204 two-tier districts name
    # their county; 12 former codes succeeded.
    "geography: mySociety's UK local authorities": (
        "geography", ["uk-local-authorities-mysociety/uk_local_authorities_current.csv"], {},
        {"Territory": 443}, {"PART_OF": 204, "SUCCEEDED_BY": 12}),
    # --- Boundaries ----------------------------------------------------------------------------
    # Trafford Data Lab's GM wards 2023 (area_code): 215 features, 215 codes.
    "boundaries: GM wards 2023 (Trafford Data Lab)": (
        "boundaries", ["real-ons-boundaries-greater-manchester/gm_wards_2023_generalised.geojson"], {},
        {"Territory": 215}, {}),
    # ONS's Trafford wards 2025 (WD25CD): 21 features.
    "boundaries: Trafford wards 2025 (ONS)": (
        "boundaries", ["real-ons-boundaries-greater-manchester/trafford_wards_2025_E08000009.geojson"], {},
        {"Territory": 21}, {}),
    # martinjc's TopoJSON of England's 2013 districts: 326 geometries, 326 LAD13CD.
    "boundaries: England districts 2013 (martinjc's TopoJSON)": (
        "boundaries", ["llr-boundaries/england_lad_2013_topo.json"], {},
        {"Territory": 326}, {}),
    # ONS's LLR wards 2025, three files: 21 + 15 + 140 features.
    "boundaries: LLR wards 2025 (ONS)": (
        "boundaries", ["llr-boundaries/wards_2025_E06000016.geojson", "llr-boundaries/wards_2025_E06000017.geojson",
                       "llr-boundaries/wards_2025_E10000018.geojson"], {},
        {"Territory": 176}, {}),
    # --- ONS partnership geographies ---------------------------------------------------------------
    # The national names-and-codes lists and LAD19 lookups. Partnerships: 314 community safety
    # partnerships, 38 LEPs, 47 STPs (2019 and 2020 codes), 10 ICSs, 20 cancer alliances, 12
    # strategic clinical networks = 441, one theme each (3 themes). Organisations: 50 fire and
    # rescue authorities, 10 combined authorities, 7 NHS England regions = 67. Territories: the 339
    # districts of the LAD19 lookups and 47 police force areas = 386 (local planning authorities and
    # county electoral divisions are not read). COVERS: distinct (body, district) pairs of the CSP
    # (342), FRA (339), combined authority (53) and SCN (317) lookups = 1,051.
    "ons-partnerships: ONS England, December 2019": (
        "ons-partnerships", ["ons-partnership-geographies-england"], {},
        {"Organisation": 67, "Partnership": 441, "Territory": 386, "Theme": 3}, {"COVERS": 1051, "HAS_THEME": 441}),
    # --- ModernGov ------------------------------------------------------------------------------
    # Manchester's GetMeetings (one committee, Audit Committee, two meetings) and GetMeeting (one
    # attendee, Cllr Basil Curley, keyposts "Chair of Health Scrutiny Committee"): the council,
    # its area (Manchester), two committees each covering it, two memberships of the councillor.
    "moderngov: Manchester City Council": (
        "moderngov", ["real-moderngov-manchester-lgsf/meetings.xml", "real-moderngov-manchester-lgsf/meeting_no_minutes.xml"], {},
        {"Organisation": 1, "Partnership": 2, "Territory": 1}, {"MEMBER_OF": 2, "COVERS": 2}),
    # Southwark's GetCouncillorsByWard: 63 councillors, twelve keyposts "Chair of …" (each a
    # different committee or community council): twelve committees, twelve chairs.
    "moderngov: London Borough of Southwark": (
        "moderngov", ["real-moderngov-councillorsbyward-london/southwark_GetCouncillorsByWard.xml"], {},
        {"Organisation": 1, "Partnership": 12, "Territory": 1}, {"MEMBER_OF": 12, "COVERS": 12}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_real_files_hold_what_was_counted_by_hand(store, case):
    kind, names, options, nodes, relationships = CASES[case]
    assert ingested(store, kind, [DATA / name for name in names], **options) == {"nodes": nodes, "relationships": relationships}


REFUSED = {
    # GM's combined authority boundary (E47000001): a partnership geography, not a place.
    "boundaries: GM combined authority": (
        "boundaries", ["real-ons-boundaries-greater-manchester/gm_combined_authority_2023_generalised.geojson"], {},
        "combined authorities (CAUTH)"),
    # The same 2013 districts as GeoJSON and as TopoJSON: two boundaries for one code.
    "boundaries: one district twice": (
        "boundaries", ["llr-boundaries/england_lad_2013_topo.json", "llr-boundaries/llr_lad_2013.geojson"], {},
        "a second boundary for E06000016"),
    # LFEPA's GetCouncillorsByWard names no site address: whose body it is must be given.
    "moderngov: London Fire and Emergency Planning Authority without --council": (
        "moderngov", ["real-moderngov-councillorsbyward-london/london-fire_GetCouncillorsByWard.xml"], {},
        "give it with --council"),
    # W3C's ORG ontology is the vocabulary, not data about organisations.
    "rdf: W3C's org.ttl": ("rdf", ["w3c-org-ontology/org.ttl"], {}, "found no W3C ORG organisations"),
    # Open Referral UK's taxonomy example alone: nothing partnermap maps.
    "openreferral: a taxonomy alone": (
        "openreferral", ["openreferral-uk-profile/examples/taxonomy.json"], {}, "not a service or organisation"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_real_files_partnermap_cannot_map_are_refused_with_the_reason(store, case):
    kind, names, options, reason = REFUSED[case]
    with pytest.raises(InvalidRecords) as refused:
        ingested(store, kind, [DATA / name for name in names], **options)
    assert reason in str(refused.value)
    assert graph.stats(store)["nodes"]["Territory"] == 0  # all or nothing


@pytest.mark.parametrize("folder", ["real-docs-gloucestershire-nhs-ccg", "real-docs-trafford", "real-docs-wales-technical-standards-board"])
def test_real_documents_of_other_places_name_no_leicestershire_body(store, folder):
    """Over the demo register, NHS Gloucestershire's report, Trafford's briefings and NHS Wales's
    minutes are read (one Source each) and link only to themes: none names a body of Leicestershire
    (read by hand; their generic names, "County Council", "Police", "Clinical Commissioning Group",
    are other places')."""
    from tests.conftest import SAMPLE

    ingest.load(store, ingest.READERS["register"](SAMPLE))
    documents = sorted(p for p in (DATA / folder).iterdir() if p.suffix in (".md", ".html", ".pdf") and p.name != "SOURCES.md")
    names = ingest.documents.NameIndex(graph.run_query(store, "document-names"),
                                      territories=graph.run_query(store, "territory-parents"))
    ingest.load(store, [item for path in documents for item in ingest.READERS["documents"](path, names=names)])
    read = store.run("MATCH (d:Source) WHERE d.reader = 'documents' RETURN count(d) AS n")[0]["n"]
    every = store.run("MATCH (:Source)-[m:MENTIONS]->() RETURN count(m) AS n")[0]["n"]
    bodies = every - store.run("MATCH (:Source)-[m:MENTIONS]->(:Theme) RETURN count(m) AS n")[0]["n"]
    assert (read, bodies) == (len(documents), 0)
