"""The network page around pyvis's drawing: offline, titled, with a toolbar, legend and page script.

pyvis 0.3.2 links Bootstrap from a CDN whatever ``cdn_resources`` says; this module strips
that, adds its own header (escaped), and refuses to return a page that would still fetch a
script, stylesheet or font from elsewhere. :func:`embed_network` puts a page inside another
(the HTML report) in a sandboxed frame.
"""

from __future__ import annotations

import re
from html import escape

from viz.network_style import LEGEND_CSS

CSS_LENGTH = re.compile(r"^\d{1,5}(\.\d+)?(px|vh|em|rem)$")
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>", re.I)
_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>\s*</script>", re.I)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.I)
# pyvis's template keeps a commented-out <link>/<script> pair, and vis-network names a source
# map file that is not shipped; neither loads, but a self-contained page should not name them.
_COMMENTED_RESOURCES = re.compile(r"<!--\s*<(?:link|script)\b.*?-->", re.I | re.S)
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=[^\s<]*", re.M)
_REMOTE_ATTRIBUTE = re.compile(r"<[a-z][^<>]*?\s(?:src|href|srcset|poster)\s*=\s*[\"']?\s*(?:https?:)?//", re.I)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.I | re.S)
_REMOTE_CSS = re.compile(r"(?:url\(\s*[\"']?\s*|@import\s+[\"']?)(?:https?:)?//", re.I)

PAGE_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1b1b}
.pm-header{padding:.8rem 1rem 0}
.pm-header h1{font-size:1.35rem;margin:0 0 .4rem}
.pm-toolbar{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;font-size:14px}
.pm-toolbar input{font:inherit;padding:.2rem .45rem;width:16rem;border:1px solid #a0aec0;border-radius:4px}
.pm-toolbar button{font:inherit;padding:.2rem .7rem;border:1px solid #2b6cb0;background:#fff;color:#2b6cb0;border-radius:4px;cursor:pointer}
.pm-toolbar button[aria-pressed=true]{background:#2b6cb0;color:#fff}
.pm-toolbar .pm-note{color:#555}
#mynetwork{float:none;width:100%;box-sizing:border-box;border:0;border-top:1px solid #d0d7de}
#loadingBar{display:none !important}
div.vis-tooltip{white-space:normal;max-width:32rem}
.pm-tooltip{white-space:pre-line;font:13px/1.4 system-ui,sans-serif}
"""

# Unescapes labels into the canvas, turns hover texts into textContent-filled elements, and
# wires the search box and the freeze and fit buttons. It goes inside pyvis's script, straight
# after the drawGraph() call: vis-network lays out in timer batches, and a separate later
# <script> can run after they finish (the parser may yield between scripts), missing the events.
PAGE_SCRIPT = """
(function () {
  "use strict";
  var entities = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "#x27": "'"};
  function unescapeText(text) {
    return String(text === undefined || text === null ? "" : text)
      .replace(/&(amp|lt|gt|quot|#x27);/g, function (match, name) { return entities[name]; });
  }
  function tooltip(text) {
    var box = document.createElement("div");
    box.className = "pm-tooltip";
    box.textContent = unescapeText(text);
    return box;
  }
  nodes.update(nodes.get().map(function (node) {
    return {id: node.id, label: unescapeText(node.label), title: tooltip(node.facts)};
  }));
  edges.update(edges.get().map(function (edge) {
    return {id: edge.id, title: tooltip(edge.facts)};
  }));

  var search = document.getElementById("pm-search");
  var found = document.getElementById("pm-search-status");
  var progress = document.getElementById("pm-layout-status");
  function findNodes() {
    var wanted = search.value.trim().toLowerCase();
    if (!wanted) { network.unselectAll(); found.textContent = ""; return []; }
    var ids = nodes.getIds({filter: function (node) {
      return String(node.label).toLowerCase().indexOf(wanted) !== -1 ||
             unescapeText(node.id).toLowerCase().indexOf(wanted) !== -1;
    }});
    network.selectNodes(ids, false);
    found.textContent = ids.length === 1 ? "1 match" : ids.length + " matches";
    if (ids.length === 1) { network.focus(ids[0], {scale: 1.2, animation: {duration: 400}}); }
    else if (ids.length > 1) { network.fit({nodes: ids, animation: {duration: 400}}); }
    return ids;
  }
  var pending = null;
  search.addEventListener("input", function () { clearTimeout(pending); pending = setTimeout(findNodes, 200); });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { clearTimeout(pending); findNodes(); }
    if (event.key === "Escape") { search.value = ""; findNodes(); }
  });

  var frozen = false;
  var freeze = document.getElementById("pm-freeze");
  function setFrozen(value) {
    frozen = value;
    network.setOptions({physics: {enabled: !frozen}});
    freeze.textContent = frozen ? "Unfreeze layout" : "Freeze layout";
    freeze.setAttribute("aria-pressed", String(frozen));
  }
  freeze.addEventListener("click", function () { setFrozen(!frozen); });
  document.getElementById("pm-fit").addEventListener("click", function () { network.fit(); });

  network.on("stabilizationProgress", function (params) {
    progress.textContent = "Laying out… " + Math.round(100 * params.iterations / params.total) + "%";
  });
  function settled() {
    progress.textContent = "Layout settled: drag nodes, or freeze it.";
    document.documentElement.setAttribute("data-layout", "settled");
  }
  network.once("stabilizationIterationsDone", settled);
  network.once("stabilized", settled);
  window.partnermap = {findNodes: findNodes, setFrozen: setFrozen, isFrozen: function () { return frozen; }};
})();
"""


def _remote_references(page: str) -> list[str]:
    found = [m.group(0) for m in _REMOTE_ATTRIBUTE.finditer(page)]
    for block in _STYLE_BLOCK.finditer(page):
        found += [m.group(0) for m in _REMOTE_CSS.finditer(block.group(1))]
    return found


def _insert(page: str, index: int, markup: str, anchor: str) -> str:
    if index < 0:
        raise RuntimeError(f"pyvis's page has no {anchor}: its template changed; viz/network_page.py needs updating")
    return page[:index] + markup + page[index:]


def assemble_page(pyvis_html: str, title: str, legend: str, node_count: int, edge_count: int) -> str:
    """pyvis's page made self-contained and given a title, toolbar, legend and the page script.

    ``legend`` is trusted markup from :func:`legend_html`; ``title`` is escaped here.
    RuntimeError if pyvis's template no longer has the anchors used, or a remote resource is left.
    """
    page = _REMOTE_SCRIPT.sub("", _REMOTE_LINK.sub("", pyvis_html))
    page = _EMPTY_HEADING.sub("", page)
    page = _SOURCE_MAP.sub("", _COMMENTED_RESOURCES.sub("", page))
    head_end = page.rfind("</head>")
    page = _insert(page, head_end, f"<title>{escape(title)}</title><style>{PAGE_CSS}{LEGEND_CSS}</style>", "</head>")
    counts = f"{node_count} {'node' if node_count == 1 else 'nodes'} · {edge_count} {'link' if edge_count == 1 else 'links'}"
    header = (
        f"<header class='pm-header'><h1>{escape(title)}</h1>"
        "<div class='pm-toolbar' role='toolbar'>"
        "<label for='pm-search'>Find</label>"
        "<input id='pm-search' type='search' placeholder='name or id' autocomplete='off'>"
        "<span id='pm-search-status' class='pm-note' role='status'></span>"
        "<button id='pm-freeze' type='button' aria-pressed='false'>Freeze layout</button>"
        "<button id='pm-fit' type='button'>Fit to screen</button>"
        f"<span class='pm-note'>{escape(counts)}</span>"
        "<span id='pm-layout-status' class='pm-note'></span></div>"
        f"{legend}</header>"
    )
    body_start = page.find("<body>", head_end)
    page = _insert(page, body_start + len("<body>") if body_start >= 0 else -1, header, "<body>")
    call = page.rfind("drawGraph();")
    page = _insert(page, call + len("drawGraph();") if call >= 0 else -1, PAGE_SCRIPT, "drawGraph(); call")
    page = "<!doctype html>\n" + page.replace("<html>", "<html lang='en'>", 1)
    remote = _remote_references(page)
    if remote:
        raise RuntimeError(f"the network page still loads remote resources: {remote[:3]}")
    return page


def embed_network(page: str, title: str, height: str = "780px") -> str:
    """A page from ``render_network`` as an ``<iframe>`` for another page, e.g. a report Section.

    The frame is sandboxed to scripts only (an opaque origin: it cannot touch the page around it),
    and the whole page is escaped into ``srcdoc``. Leave ~220px above the map's own height for its
    header and legend (the default suits ``render_network(..., height="560px")``).
    """
    if not CSS_LENGTH.match(height):
        raise ValueError(f"height must be a CSS length such as 640px or 80vh, not {height!r}")
    return (
        f"<iframe sandbox='allow-scripts' title='{escape(title)}' srcdoc='{escape(page)}' "
        f"style='width:100%;height:{height};border:1px solid #d0d7de' loading='lazy'></iframe>"
    )
