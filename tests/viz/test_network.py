"""The network page: its vis data, legend, layout options, offline resources and escaping."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from ontology import load_model
from tests.viz.maps import (
    HOSTILE_ATTRIBUTE_NAME, HOSTILE_IMAGE_NAME, HOSTILE_LINK_TITLE, HOSTILE_PAGE_TITLE, HOSTILE_SCRIPT_NAME,
    HOSTILE_SECTOR, partnership_map,
)
from viz import embed_network, render_network
from viz.network_style import KIND_STYLES, LINK_STYLES, SECTOR_COLOURS


def vis_data(page: str) -> tuple[list[dict], list[dict], dict]:
    """The nodes, edges and options pyvis wrote into the page's script."""
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((.*)\);", page).group(1))
    edges = json.loads(re.search(r"edges = new vis\.DataSet\((.*)\);", page).group(1))
    options = json.loads(re.search(r"var options = (.*);", page).group(1))
    return nodes, edges, options


def legend(page: str) -> str:
    return re.search(r"<div class='pm-legend'.*?</div>", page, re.S).group(0)


@pytest.fixture
def page() -> str:
    nodes, edges = partnership_map()
    return render_network(nodes, edges, "Charnwood partnerships")


def test_every_node_is_in_the_vis_data_once(page):
    expected = [node["id"] for node in partnership_map()[0]]
    nodes, edges, _ = vis_data(page)
    assert sorted(node["id"] for node in nodes) == sorted(expected)
    assert len(edges) == 12


def test_a_repeated_node_id_keeps_the_first_node():
    nodes = [{"id": "a", "kind": "Partnership", "name": "First"}, {"id": "a", "kind": "Forum", "name": "Second"},
             {"id": "b", "kind": "Forum", "name": "B"}]
    drawn, _, _ = vis_data(render_network(nodes, [{"source": "a", "target": "b", "type": "REPORTS_TO"}], "t"))
    assert [(n["id"], n["label"], n["shape"]) for n in drawn] == [("a", "First", "hexagon"), ("b", "B", "triangle")]


def test_kinds_have_shapes_and_organisations_take_their_sectors_colour(page):
    nodes = {n["id"]: n for n in vis_data(page)[0]}
    assert nodes["lsp"]["shape"] == "hexagon" and nodes["csf"]["shape"] == "triangle"
    assert nodes["floating"]["shape"] == "square" and nodes["E07000130"]["shape"] == "diamond"
    assert nodes["nhs-llr"]["color"]["background"] == SECTOR_COLOURS["nhs"]
    assert nodes["police"]["color"]["background"] == SECTOR_COLOURS["police"]
    assert nodes["nhs-llr"]["size"] > nodes["police"]["size"] > nodes["evil-attr"]["size"]


def test_flagged_and_ghost_nodes_are_marked(page):
    nodes = {n["id"]: n for n in vis_data(page)[0]}
    assert nodes["nhs-llr"]["borderWidth"] == 4 and nodes["nhs-llr"]["color"]["border"] == "#e53e3e"
    assert "overloaded: 22 memberships, 15 chairs" in nodes["nhs-llr"]["facts"]
    assert "source: members.csv:7" in nodes["nhs-llr"]["facts"]
    assert nodes["missing:csf:probation"]["shapeProperties"] == {"borderDashes": [5, 4]}


def test_edges_are_styled_by_type_and_role(page):
    edges = {(e["from"], e["to"]): e for e in vis_data(page)[1]}
    chair, member = edges[("nhs-llr", "hwb")], edges[("police", "csf")]
    assert chair["width"] > member["width"]
    assert edges[("hwb", "lsp")]["arrows"] == "to"
    duplicate = edges[("hwb", "csf")]
    assert duplicate["dashes"] is True and duplicate["color"]["color"] == "#e53e3e"
    assert "why: members overlap (Jaccard 0.71)" in duplicate["facts"]
    missing = edges[("missing:csf:probation", "csf")]
    assert missing["dashes"] is True and "calls for a probation member" in missing["facts"]
    assert edges[("floating", "E07000130")]["width"] < member["width"]


def test_legend_lists_the_kinds_sectors_and_links_present(page):
    text = legend(page)
    for entry in ("partnership", "forum", "service", "territory", "organisation",
                  "nhs", "police", "local authority", "reports to", "chair", "possible duplicate",
                  "missing member from a sector", "flagged", "missing (placeholder)"):
        assert entry in text, entry
    for absent in ("strategy", "client group", "theme", "fire", "delivers a service"):
        assert absent not in text, absent


def test_the_legend_leaves_out_marks_and_kinds_not_on_the_map():
    nodes = [{"id": "a", "kind": "Strategy", "name": "A"}, {"id": "b", "kind": "Target", "name": "B"}]
    text = legend(render_network(nodes, [{"source": "a", "target": "b", "type": "CONTRIBUTES_TO"}], "t"))
    assert "strategy" in text and "target" in text and "contributes to a target" in text
    assert "Sectors" not in text and "Marks" not in text and "partnership" not in text


def test_hierarchical_lays_out_top_down_with_the_body_reported_to_on_top():
    nodes, edges = partnership_map()
    _, tree_edges, options = vis_data(render_network(nodes, edges, "tree", hierarchical=True))
    hierarchical = options["layout"]["hierarchical"]
    assert hierarchical["enabled"] is True
    assert (hierarchical["direction"], hierarchical["sortMethod"]) == ("UD", "directed")
    reports = [e for e in tree_edges if e["type"] == "REPORTS_TO"]
    assert {(e["from"], e["to"], e["arrows"]) for e in reports} == {("lsp", "hwb", "from"), ("lsp", "csf", "from")}


def test_a_free_layout_has_no_hierarchy_and_settles(page):
    options = vis_data(page)[2]
    assert "hierarchical" not in options["layout"]
    assert options["physics"]["solver"] == "barnesHut"
    assert options["physics"]["stabilization"]["enabled"] is True


def test_a_big_map_drops_curved_edges():
    nodes = [{"id": f"n{i}", "kind": "Organisation", "name": f"N{i}", "sector": "nhs"} for i in range(300)]
    edges = [{"source": f"n{i}", "target": f"n{i + 1}", "type": "MEMBER_OF"} for i in range(299)]
    options = vis_data(render_network(nodes, edges, "big"))[2]
    assert options["edges"]["smooth"] is False
    assert options["physics"]["stabilization"]["iterations"] >= 300


def test_the_page_loads_nothing_from_the_internet(page):
    for tree in (page, render_network(*partnership_map(), "tree", hierarchical=True)):
        assert not re.search(r"<script\b[^>]*\bsrc\s*=", tree, re.I), "a script is loaded from a file or URL"
        assert not re.search(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(https?:)?//", tree, re.I)
        assert not re.search(r"\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", tree, re.I)
        styles = " ".join(re.findall(r"<style[^>]*>(.*?)</style>", tree, re.S | re.I))
        assert not re.search(r"url\(\s*[\"']?\s*(https?:)?//|@import|@font-face", styles, re.I)
        assert "bootstrap" not in tree and "sourceMappingURL" not in tree
        assert "vis.Network" in tree  # vis-network itself is inlined


class ElementIds(HTMLParser):
    """Collects the ids of elements as a browser parses them (script bodies are raw text)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.open_scripts = 0

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id"]
        self.open_scripts += tag == "script"

    def handle_endtag(self, tag):
        self.open_scripts -= tag == "script"


def test_the_page_parses_into_its_toolbar_legend_and_network(page):
    parser = ElementIds()
    parser.feed(page)
    parser.close()
    assert parser.open_scripts == 0
    for element in ("pm-search", "pm-freeze", "pm-fit", "pm-legend", "mynetwork"):
        assert parser.ids.count(element) == 1, element


def test_the_page_script_runs_in_the_same_task_as_drawing(page):
    # A separate later <script> could run after vis-network's layout batches and miss their events.
    call, script = page.rindex("drawGraph();"), page.index("window.partnermap =")
    assert call < script and "</script>" not in page[call:script]


def test_page_has_search_box_freeze_button_and_its_title(page):
    assert "id='pm-search'" in page and "id='pm-freeze'" in page
    assert "<title>Charnwood partnerships</title>" in page and "<h1>Charnwood partnerships</h1>" in page
    assert page.startswith("<!doctype html>")


@pytest.mark.parametrize("hostile", [HOSTILE_SCRIPT_NAME, HOSTILE_ATTRIBUTE_NAME, HOSTILE_IMAGE_NAME, HOSTILE_SECTOR])
def test_hostile_names_and_sectors_appear_only_escaped(page, hostile):
    assert hostile not in page
    # The words survive as inert text (&lt;img …); no tag or attribute made of them does.
    for markup in ("<img src=x", "<svg", '" onerror="', "<script>window"):
        assert markup not in page, markup


def test_a_hostile_name_is_escaped_before_pyvis_sees_it(page):
    nodes = {n["id"]: n for n in vis_data(page)[0]}
    assert nodes["evil-script"]["label"] == "&lt;script&gt;window.__pwned=1&lt;/script&gt;"
    assert nodes["evil-attr"]["label"] == "&quot; onerror=&quot;window.__pwned=1"
    assert nodes["hwb"]["label"] == "Health &amp; Wellbeing Board"  # the page unescapes it for the canvas


def test_a_title_with_a_link_is_inert_text(page):
    assert HOSTILE_LINK_TITLE not in page
    assert 'href="javascript' not in page and "href=\\\"javascript" not in page
    nodes = {n["id"]: n for n in vis_data(page)[0]}
    assert "&lt;a href=&quot;javascript:window.__pwned=1&quot;&gt;x&lt;/a&gt;" in nodes["evil-attr"]["facts"]
    # pyvis switches to a popup that sets innerHTML when a node "title" mentions href: none is passed.
    assert all("title" not in n for n in vis_data(page)[0])
    assert "popup.innerHTML" not in page


def test_a_hostile_page_title_is_escaped():
    page = render_network(*partnership_map(), HOSTILE_PAGE_TITLE)
    assert HOSTILE_PAGE_TITLE not in page
    assert "<title>&lt;/title&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt; map</title>" in page
    assert "<h1>&lt;/title&gt;" in page


def test_an_edge_to_an_unknown_node_is_refused():
    nodes = [{"id": "a", "kind": "Partnership", "name": "A"}]
    with pytest.raises(ValueError, match="no node has the target id 'ghost'"):
        render_network(nodes, [{"source": "a", "target": "ghost", "type": "REPORTS_TO"}], "t")


@pytest.mark.parametrize("height", ["800px; background:url(https://x)", "100", "100%", "}</style><script>"])
def test_height_must_be_a_css_length(height):
    with pytest.raises(ValueError, match="height"):
        render_network([], [], "t", height=height)


def test_every_ontology_kind_relationship_and_sector_has_a_style():
    model = load_model()
    assert set(model.labels) - {"Source"} <= set(KIND_STYLES)
    assert set(model.relationships) <= set(LINK_STYLES)
    assert set(model.vocabularies["sector"]) <= set(SECTOR_COLOURS)
    assert len(set(SECTOR_COLOURS.values())) == len(SECTOR_COLOURS), "two sectors share a colour"
    shapes = [KIND_STYLES[k].shape for k in ("Partnership", "Forum", "Service", "Strategy", "Territory")]
    assert len(set(shapes)) == len(shapes), "these kinds must be told apart by shape"


def test_an_embedded_map_is_a_sandboxed_frame_holding_the_escaped_page(page):
    frame = embed_network(page, HOSTILE_PAGE_TITLE)
    assert frame.startswith("<iframe sandbox='allow-scripts' ")
    assert "allow-same-origin" not in frame
    assert "<script" not in frame and "<style" not in frame  # all of the page is inside srcdoc, escaped
    assert "title='&lt;/title&gt;&lt;script&gt;" in frame
    parser = ElementIds()
    parser.feed(frame)
    assert parser.ids == []  # the page's elements exist only inside the frame
    with pytest.raises(ValueError, match="height"):
        embed_network(page, "t", height="1px' onload='x")
