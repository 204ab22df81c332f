"""URLs in plain text become links (help, warnings, notes); the rest stays text, escaped."""

from __future__ import annotations

import json

import pytest
from dash import html

from data.parameters.catalogue import PARAMETERS, REFERENCE
from pages._components.text_links import linked
from web.text_links import linked_html, split_urls

URL = "https://cxc.cfa.harvard.edu/cus/InstrumentChanges.html"


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        (f"See Instrument Changes Explanation: {URL}", [("See Instrument Changes Explanation: ", False), (URL, True)]),
        (f"({URL}).", [("(", False), (URL, True), (").", False)]),
        (
            f"{URL}, then http://a.example/x?y=1.",
            [(URL, True), (", then ", False), ("http://a.example/x?y=1", True), (".", False)],
        ),
        ("no link here: https:// alone", [("no link here: https:// alone", False)]),
        ("", []),
    ],
)
def test_split_urls_finds_urls_and_keeps_the_text(text: str, pieces: list[tuple[str, bool]]) -> None:
    assert split_urls(text) == pieces
    assert "".join(p for p, _ in pieces) == text


def test_html_escapes_text_and_links_urls() -> None:
    out = linked_html(f"<b>x</b> {URL}")
    assert out == f'&lt;b&gt;x&lt;/b&gt; <a href="{URL}" target="_blank" rel="noopener">{URL}</a>'
    assert linked_html("javascript:alert(1)") == "javascript:alert(1)"  # only http(s) becomes a link


def test_dash_children_link_urls() -> None:
    children = linked(f"See {URL}.")
    assert children[0] == "See " and children[2] == "."
    assert isinstance(children[1], html.A) and children[1].href == URL and children[1].children == URL


def test_every_help_text_names_a_catalogue_parameter() -> None:
    names = json.loads((REFERENCE / "parameter_help.json").read_text())
    assert set(names) <= set(PARAMETERS), "no second list of parameter names"
    shown = [n for n, p in PARAMETERS.items() if p.section != "record"]
    assert all(PARAMETERS[n].description == names[n] for n in shown)
