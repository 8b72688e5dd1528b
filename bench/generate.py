"""Generate a deterministic synthetic England as a partnership register (CSV files).

    python bench/generate.py --out data/bench/england [--scale 1.0] [--seed 7]

At scale 1: 9 regions, ~300 local authorities, ~7,000 wards, ~33,000 LSOAs (a PART_OF
hierarchy); 50,000 organisations across the sectors; 5,000 partnerships and forums with
~150,000 memberships, skewed so a few organisations sit on hundreds; 200,000 services
with types, client groups and areas; 10,000 strategies and 10,000 targets. Everything is
drawn from one seeded generator, so the same arguments give byte-identical files.
The output goes through the real register reader like any manager's register.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SECTORS = ["local_authority", "nhs", "police", "probation", "fire", "vcse", "housing", "education", "government", "business", "other"]
SECTOR_WEIGHTS = [0.0, 0.06, 0.01, 0.01, 0.01, 0.5, 0.1, 0.08, 0.03, 0.15, 0.05]
THEMES = ["health", "community safety", "housing", "supported housing", "older people", "children and young people",
          "economy", "environment", "transport", "rural", "adult social care", "mental health", "learning disabilities",
          "substance misuse", "offender management", "homelessness", "domestic violence", "communities"]
CLIENT_GROUPS = ["older people", "people with mental health problems", "offenders", "homeless families",
                 "young people at risk", "people with learning disabilities", "women at risk of domestic violence",
                 "substance misusers", "rough sleepers", "care leavers", "carers", "refugees", "isolated people",
                 "people with physical disabilities", "families in need", "veterans", "victims of crime",
                 "teenage parents", "rural residents", "people with dementia"]
SERVICE_TYPES = ["floating support", "supported housing", "home improvement agency", "community alarm", "drug treatment",
                 "alcohol treatment", "outreach", "befriending", "advice", "day centre", "respite care", "counselling",
                 "peer support", "employment support", "debt advice", "youth work", "family support", "refuge",
                 "hostel", "community transport", "meals", "handyperson", "mentoring", "advocacy", "health visiting",
                 "school nursing", "neighbourhood policing", "fire safety checks", "welfare rights", "housing advice"]
POSTS = ["Chief Executive", "Director of Commissioning", "Director of Public Health", "Head of Housing",
         "Community Safety Manager", "Partnership Manager", "Chief Superintendent", "Head of Probation Delivery Unit",
         "Director of Adult Social Care", "Director of Children's Services", "Chair of Trustees", "Service Manager",
         "Policy Officer", "Locality Manager", "Cabinet Member", "Station Manager", "Operations Director"]
KINDS = ["board", "commissioning_body", "task_group", "forum", "network", "other"]


def _codes(prefix: str, n: int, start: int = 1) -> np.ndarray:
    return np.array([f"{prefix}{i:06d}" for i in range(start, start + n)])


def _multi(rng: np.random.Generator, choices: list[str], n: int, most: int) -> list[str]:
    """n cells of 1..most distinct values from choices, ';'-joined."""
    counts = rng.integers(1, most + 1, n)
    picks = rng.integers(0, len(choices), (n, most))
    return [";".join(dict.fromkeys(choices[j] for j in row[:k])) for row, k in zip(picks, counts)]


def generate(out: Path, scale: float = 1.0, seed: int = 7) -> dict[str, int]:
    """Write the register under ``out``; returns rows per file."""
    rng = np.random.default_rng(seed)
    n = lambda base: max(1, int(round(base * scale)))  # noqa: E731
    out.mkdir(parents=True, exist_ok=True)

    # Territories: country > 9 regions > (counties > districts | unitaries) > wards > LSOAs.
    regions = np.array([f"E12{i:06d}" for i in range(1, 10)])
    n_counties, n_districts, n_unitaries = n(24), n(180), n(96)
    counties = _codes("E10", n_counties)
    districts = _codes("E07", n_districts)
    unitaries = _codes("E06", n_unitaries)
    county_region = regions[rng.integers(0, 9, n_counties)]
    district_county = counties[rng.integers(0, n_counties, n_districts)]
    unitary_region = regions[rng.integers(0, 9, n_unitaries)]
    authorities = np.concatenate([districts, unitaries])
    n_wards, n_lsoas = n(7000), n(33000)
    wards = _codes("E05", n_wards)
    ward_parent = authorities[rng.integers(0, len(authorities), n_wards)]
    lsoas = _codes("E01", n_lsoas)
    lsoa_parent = wards[rng.integers(0, n_wards, n_lsoas)]
    territories = pd.concat([
        pd.DataFrame({"code": ["E92000001"], "name": ["England"], "level": ["country"], "parent": [""]}),
        pd.DataFrame({"code": regions, "name": [f"Region {i}" for i in range(1, 10)], "level": "region", "parent": "E92000001"}),
        pd.DataFrame({"code": counties, "name": [f"County {c}" for c in counties], "level": "county", "parent": county_region}),
        pd.DataFrame({"code": districts, "name": [f"District {c}" for c in districts], "level": "district", "parent": district_county}),
        pd.DataFrame({"code": unitaries, "name": [f"Unitary {c}" for c in unitaries], "level": "unitary", "parent": unitary_region}),
        pd.DataFrame({"code": wards, "name": [f"Ward {c}" for c in wards], "level": "ward", "parent": ward_parent}),
        pd.DataFrame({"code": lsoas, "name": [f"LSOA {c}" for c in lsoas], "level": "lsoa", "parent": lsoa_parent}),
    ])

    # Organisations: one council per county/district/unitary, the rest drawn by sector.
    councils = np.concatenate([counties, districts, unitaries])
    n_orgs = n(50000)
    n_other = n_orgs - len(councils)
    org_ids = np.array([f"org-{i:06d}" for i in range(n_orgs)])
    sectors = np.concatenate([np.full(len(councils), "local_authority"),
                              rng.choice(SECTORS, n_other, p=np.array(SECTOR_WEIGHTS) / sum(SECTOR_WEIGHTS))])
    org_territory = np.concatenate([councils, authorities[rng.integers(0, len(authorities), n_other)]])
    organisations = pd.DataFrame({
        "id": org_ids, "name": [f"Organisation {i}" for i in range(n_orgs)], "sector": sectors,
        "aliases": "", "territory": org_territory,
        "identifiers": np.concatenate([[f"gss:{c}" for c in councils], np.full(n_other, "")]),
    })

    # Partnerships: an LSP per council area; the rest boards, forums, groups in a council area.
    lsp_areas = councils
    n_partnerships = n(5000)
    n_rest = max(0, n_partnerships - len(lsp_areas))
    p_ids = np.array([f"p-{i:05d}" for i in range(len(lsp_areas) + n_rest)])
    rest_area = councils[rng.integers(0, len(councils), n_rest)]
    lsp_of_area = dict(zip(lsp_areas, p_ids[: len(lsp_areas)]))
    county_of = dict(zip(districts, district_county))
    lsp_reports = [lsp_of_area[county_of[a]] if a in county_of and rng.random() < 0.5 else "" for a in lsp_areas]
    rest_reports = [lsp_of_area[a] if rng.random() < 0.7 else "" for a in rest_area]
    partnerships = pd.DataFrame({
        "id": p_ids,
        "name": [f"Partnership {i}" for i in range(len(p_ids))],
        "kind": np.concatenate([np.full(len(lsp_areas), "lsp"), rng.choice(KINDS, n_rest)]),
        "themes": _multi(rng, THEMES, len(p_ids), 3),
        "territory": np.concatenate([lsp_areas, rest_area]),
        "reports_to": lsp_reports + rest_reports,
        "statutory": rng.choice(["yes", "no"], len(p_ids), p=[0.3, 0.7]),
        "meetings_per_year": rng.integers(2, 13, len(p_ids)).astype(str),
    })

    # Memberships, skewed: organisation weights follow a Zipf law, so a few sit on hundreds.
    n_members = n(150000)
    weights = 1.0 / np.arange(1, n_orgs + 1) ** 0.9
    order = rng.permutation(n_orgs)
    weights = weights[np.argsort(order)]
    weights /= weights.sum()
    member_p = p_ids[rng.integers(0, len(p_ids), n_members)]
    member_o = org_ids[rng.choice(n_orgs, n_members, p=weights)]
    memberships = pd.DataFrame({"partnership": member_p, "organisation": member_o}).drop_duplicates()
    m = len(memberships)
    first = ~memberships["partnership"].duplicated()
    memberships["role"] = np.where(first, "chair", rng.choice(["member", "member", "member", "vice_chair", "observer", "secretariat"], m))
    memberships["representative"] = rng.choice(POSTS, m)
    memberships["attendance"] = np.round(rng.uniform(0.3, 1.0, m), 2).astype(str)
    since = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3000, m), unit="D")
    memberships["since"] = since.strftime("%Y-%m-%d")
    until = since + pd.to_timedelta(rng.integers(200, 4000, m), unit="D")
    memberships["until"] = np.where(rng.random(m) < 0.2, until.strftime("%Y-%m-%d"), "")

    # Targets and strategies.
    n_targets, n_strategies = n(10000), n(10000)
    owners = np.concatenate([org_ids[: len(councils)], p_ids])
    target_ids = np.array([f"t-{i:05d}" for i in range(n_targets)])
    health_owner = org_ids[len(councils):][sectors[len(councils):] == "nhs"]
    target_owner = np.where(rng.random(n_targets) < 0.3, rng.choice(health_owner, n_targets), rng.choice(owners, n_targets))
    targets = pd.DataFrame({"id": target_ids, "name": [f"Target {i}" for i in range(n_targets)],
                            "owner": target_owner, "themes": _multi(rng, THEMES, n_targets, 2)})
    s_ids = np.array([f"s-{i:05d}" for i in range(n_strategies)])
    start = pd.Timestamp("2016-04-01") + pd.to_timedelta(rng.integers(0, 3000, n_strategies), unit="D")
    strategies = pd.DataFrame({
        "id": s_ids, "name": [f"Strategy {i}" for i in range(n_strategies)], "owner": rng.choice(owners, n_strategies),
        "themes": _multi(rng, THEMES, n_strategies, 3), "territory": rng.choice(councils, n_strategies),
        "start": start.strftime("%Y-%m-%d"), "end": "",
        "links_to": [";".join(sorted(set(rng.choice(s_ids, k)) - {s})) for s, k in zip(s_ids, rng.integers(0, 3, n_strategies))],
        "targets": [";".join(sorted(set(rng.choice(target_ids, k)))) for k in rng.integers(0, 4, n_strategies)],
    })

    # Services: skewed providers, commissioned by councils or partnerships, mostly ward-level.
    n_services = n(200000)
    area = np.where(rng.random(n_services) < 0.7, rng.choice(wards, n_services),
                    np.where(rng.random(n_services) < 0.85, rng.choice(authorities, n_services), rng.choice(lsoas, n_services)))
    services = pd.DataFrame({
        "id": [f"svc-{i:06d}" for i in range(n_services)], "name": [f"Service {i}" for i in range(n_services)],
        "provider": org_ids[rng.choice(n_orgs, n_services, p=weights)],
        "commissioner": np.where(rng.random(n_services) < 0.8, rng.choice(org_ids[: len(councils)], n_services), rng.choice(p_ids, n_services)),
        "type": rng.choice(SERVICE_TYPES, n_services), "client_groups": _multi(rng, CLIENT_GROUPS, n_services, 2),
        "themes": _multi(rng, THEMES, n_services, 2), "territory": area,
    })

    tables = {"territories": territories, "organisations": organisations, "partnerships": partnerships,
              "memberships": memberships, "strategies": strategies, "targets": targets, "services": services}
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False)
    return {name: len(frame) for name, frame in tables.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for name, rows in generate(args.out, args.scale, args.seed).items():
        print(f"{name:<14} {rows:>8}")


if __name__ == "__main__":
    main()
