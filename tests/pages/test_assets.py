"""The GOV.UK Frontend, htmx, Leaflet and Swagger UI files shipped in the package: pinned, offline, no GDS Transport."""

from __future__ import annotations

import json
import re

from pages.render import STATIC, VERSIONS, VIS
from tests.conftest import ROOT

PINNED = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]


def test_the_shipped_assets_are_the_pinned_versions():
    for package in ("govuk-frontend", "htmx.org", "leaflet", "swagger-ui-dist", "sass"):
        assert VERSIONS[package] == PINNED[package], f"{package}: rebuild with 'make assets'"


def test_the_stylesheet_uses_system_fonts_and_no_gds_transport():
    css = (STATIC / "govuk" / "workspace.css").read_text(encoding="utf-8")
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "system-ui" in css
    assert ".govuk-service-navigation" in css and ".pm-network" in css  # GOV.UK's and our own rules


def test_nothing_shipped_names_a_remote_resource_or_a_missing_source_map():
    for path in [*STATIC.rglob("*.css"), *STATIC.rglob("*.js"), VIS / "vis-network.css"]:
        text = path.read_text(encoding="utf-8")
        assert "sourceMappingURL" not in text, path
        if path.suffix == ".css":
            assert not re.search(r"url\(\s*[\"']?(https?:)?//", text), path
            assert "@import" not in text, path
