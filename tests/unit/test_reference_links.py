"""The home page's reference links and the footer's contacts as settings: v2.1's by default, replaceable from
`instance/config.py` or the environment, refused with the setting's name when malformed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data.reference_links import Link, Section, default_sections, parse_sections
from data.settings import SettingsError, load_settings

LOCAL = [{"title": "Local", "links": [{"text": "Wiki", "url": "https://wiki.example/usint", "internal": True}]}]


def urls(sections: tuple[Section, ...]) -> set[str]:
    def walk(links: tuple[Link, ...]) -> set[str]:
        return {u for x in links for u in ({x.url} if x.url else set()) | walk(x.links)}

    return {u for s in sections for u in walk(s.links)}


def test_defaults_are_v21s_home_page_links(tmp_path: Path) -> None:
    settings = load_settings({"instance_path": tmp_path}, environ={})
    assert settings.reference_links == default_sections()
    found = urls(settings.reference_links)
    for url in (
        "https://cxc.cfa.harvard.edu/cus/procedures.html",
        "https://cxc.cfa.harvard.edu/cus/Usint/go_form/AO28.html",
        "https://cxc.cfa.harvard.edu/cgi-bin/target_search/search.html",
        "https://groups.google.com/a/cfa.harvard.edu/forum/?hl=en#!forum/cus",
        "https://cxc.cfa.harvard.edu/cus/emaillists.txt",
        "https://cxc.cfa.harvard.edu/cus/dither.table.html",
        "http://cxc.cfa.harvard.edu/obsvis/",
        "https://cxc.cfa.harvard.edu/cus/InstrumentChanges.html",
        "https://icxc.cfa.harvard.edu/uspp/TOO/cycle28_toos.html",
    ):
        assert url in found, url
    assert [s.title for s in settings.reference_links][:2] == ["Obscat Updates and Signoffs", "Communication"]


def test_v21s_contacts_are_the_defaults(tmp_path: Path) -> None:
    settings = load_settings({"instance_path": tmp_path}, environ={})
    assert (settings.admin_email, settings.tech_email) == ("bwargelin@cfa.harvard.edu", "william.aaron@cfa.harvard.edu")


def test_instance_config_replaces_links_and_contacts(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text(f"REFERENCE_LINKS = {LOCAL!r}\nUSINT_TECH_EMAIL = 'help@example.org'\n")
    settings = load_settings({"instance_path": tmp_path}, environ={})
    assert settings.reference_links == (Section("Local", (Link("Wiki", "https://wiki.example/usint", internal=True),)),)
    assert settings.tech_email == "help@example.org"


def test_the_environment_gives_links_as_json(tmp_path: Path) -> None:
    settings = load_settings({"instance_path": tmp_path}, environ={"USINT_REFERENCE_LINKS": json.dumps(LOCAL)})
    assert [s.title for s in settings.reference_links] == ["Local"]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("not json", "not valid JSON"),
        ({"title": "x"}, "list of sections"),
        ([{"links": []}], "'title'"),
        ([{"title": "T", "links": [{"text": "x", "url": "javascript:alert(1)"}]}], "must start with"),
        ([{"title": "T", "links": [{"text": "x", "url": "//evil.example/"}]}], "must start with"),
        ([{"title": "T", "links": [{"text": "", "url": "/approved"}]}], "'text'"),
        ([{"title": "T", "links": [{"text": "x"}]}], "needs a 'url' or 'links'"),
        (
            [
                {
                    "title": "T",
                    "links": [
                        {
                            "text": "a",
                            "url": "/",
                            "links": [{"text": "b", "url": "/", "links": [{"text": "c", "url": "/"}]}],
                        }
                    ],
                }
            ],
            "one level",
        ),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_setting(tmp_path: Path, value: object, says: str) -> None:
    raw = value if isinstance(value, str) else json.dumps(value)
    with pytest.raises(SettingsError, match="USINT_REFERENCE_LINKS") as err:
        load_settings({"instance_path": tmp_path}, environ={"USINT_REFERENCE_LINKS": raw})
    assert says in str(err.value)


def test_parsed_sections_keep_order_notes_and_nesting() -> None:
    sections = parse_sections(
        [{"title": "A", "links": [{"text": "x", "url": "/x", "note": "n", "links": [{"text": "y", "url": "/y"}]}]}]
    )
    assert sections == (Section("A", (Link("x", "/x", note="n", links=(Link("y", "/y"),)),)),)
