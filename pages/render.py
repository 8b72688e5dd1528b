"""Render the workspace's Jinja2 templates: one environment, autoescaped, for the server and for files.

The server links the shipped assets under ``/static``; a snapshot (``partnermap report``,
``partnermap viz``) inlines the same stylesheet and scripts, so the file a manager emails
looks like the page they browse and works offline.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyvis
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

STATIC = Path(__file__).with_name("static")
# vis-network as pyvis (a pinned dependency) ships it: the workspace draws networks with the same copy.
VIS = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
VERSIONS = json.loads((STATIC / "VERSIONS.json").read_text(encoding="utf-8"))
SERVICE_NAME = "Partnership map"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one template environment; autoescape on for every template, unknown names an error."""
    env = Environment(loader=PackageLoader("pages", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["service_name"] = SERVICE_NAME
    env.filters["cell"] = cell_text
    env.filters["words"] = words
    env.tests["list"] = lambda value: isinstance(value, (list, tuple))
    return env


def words(name: Any) -> str:
    """A column or vocabulary name as words: ``organisation_name`` → ``Organisation name``."""
    text = str(name or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def cell_text(value: Any) -> str:
    """A value as a table shows it: lists joined with semicolons, floats short, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_text(v) for v in value if v is not None)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@lru_cache(maxsize=16)
def _inline(path: Path) -> Markup:
    # Our own shipped files, never data: safe to place in a <style> or <script> as they are.
    return Markup(path.read_text(encoding="utf-8").replace("</script", "<\\/script"))


class Inlined:
    """The shipped stylesheet and scripts a snapshot inlines, read when a template asks for one."""

    FILES = {
        "css": STATIC / "govuk" / "workspace.css",
        "vis": VIS / "vis-network.min.js",
        "vis_css": VIS / "vis-network.css",
        "network": STATIC / "workspace" / "network.js",
        "leaflet": STATIC / "vendor" / "leaflet.js",
        "leaflet_css": STATIC / "vendor" / "leaflet.css",
        "places": STATIC / "workspace" / "places.js",
    }

    def __getattr__(self, name: str) -> Markup:
        if name not in self.FILES:
            raise AttributeError(name)
        return _inline(self.FILES[name])


def render(template: str, *, standalone: bool = False, **context: Any) -> str:
    """The page ``template`` with ``context``; ``standalone`` inlines the assets for a file snapshot."""
    return environment().get_template(template).render(standalone=standalone, assets=Inlined(), **context)
