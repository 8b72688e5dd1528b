"""What a map of places is shaded by, worked out by hand for a place with three groups working there."""

from __future__ import annotations

from pages.places import _shade, measure


class Index:
    """A coverage index answering for one ward: two partnerships, a forum and a service cover it."""

    def lookup(self, code):
        assert code == "E05000001"
        return [{"kind": "Partnership", "id": "lsp"}, {"kind": "Forum", "id": "forum"},
                {"kind": "Partnership", "id": "csp"}, {"kind": "Service", "id": "meals"}]


def test_a_place_counts_its_groups_their_findings_and_their_overloaded_members_once_each():
    overloaded = {"lsp": {"council", "pct"}, "csp": {"council", "police"}, "elsewhere": {"fire"}}
    assert measure(Index(), "E05000001", "partnerships", set(), {}) == 3
    assert measure(Index(), "E05000001", "findings", {"csp", "elsewhere"}, {}) == 1
    assert measure(Index(), "E05000001", "overload", set(), overloaded) == 3  # council counted once


def test_shades_run_light_to_dark_and_none_is_white():
    assert _shade(0, 10) == "#ffffff"
    assert [_shade(v, 10) for v in (1, 3, 5, 7, 10)] == ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
