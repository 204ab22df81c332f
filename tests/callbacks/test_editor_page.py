"""The editor's page and live check as plain functions: the page arrives filled with only its open sections, the
validator sees only the fields on the page, and messages of closed sections are listed with their parameter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from callbacks.editor import cell_error_map, editor_page, form_error_items, gather
from pages._components.editor_fields import NULL_OPTION
from pages._components.editor_form import OPEN_AT_START, on_page, parts_shown, sections_shown
from pages._ids import EditorIds, editor_feedback, editor_field, editor_grid

OBSID = 12345  # demo Ocat: Cas A, ACIS-S, 2 time ranks, 1 roll rank, 2 ACIS windows


def components(tree: Any) -> Iterator[Any]:
    """Every Dash component of a layout, depth first."""
    if isinstance(tree, list | tuple):
        for item in tree:
            yield from components(item)
        return
    if tree is None or isinstance(tree, str | int | float):
        return
    yield tree
    yield from components(getattr(tree, "children", None))


def by_id(tree: Any) -> dict[str, Any]:
    return {str(c.id): c for c in components(tree) if getattr(c, "id", None) is not None}


@pytest.fixture
def page(app: Any) -> dict[str, Any]:
    with app.server.test_request_context("/"):
        return by_id(editor_page(str(OBSID)))


def test_the_page_arrives_with_the_values_of_its_open_sections(page: dict[str, Any]) -> None:
    assert page[str(editor_field("targname"))].value == "Cas A"
    assert page[str(editor_field("instrument"))].value == "ACIS-S"
    assert page[str(editor_field("remarks"))].debounce == 300  # counts while typing
    assert page[str(EditorIds.RECORD)].data["obsid"] == OBSID
    assert "Cas A" in str(page[str(EditorIds.HEADER)].children)


def test_closed_sections_are_not_built(page: dict[str, Any]) -> None:
    assert set(page[str(EditorIds.BUILT)].data) == set(OPEN_AT_START) == {"general", "comments"}
    for name in ("dither_flag", "window_flag", "ccds5_on", "spwindow_flag", "hrc_timing_mode"):
        assert str(editor_field(name)) not in page, name
    assert not [k for k in page if "editor-grid" in k or "editor-figure" in k]


def test_the_instrument_shows_its_sections(page: dict[str, Any]) -> None:
    assert page[str(EditorIds.SEC_ACIS)].style == {} and page[str(EditorIds.SEC_WINDOW)].style == {}
    assert page[str(EditorIds.SEC_HRC)].style == {"display": "none"}
    assert sections_shown({"instrument": "HRC-I"}) == {"hrc": True, "acis": False, "acis_window": False}


def test_an_unknown_or_malformed_obsid_gets_a_message_and_no_form(app: Any) -> None:
    with app.server.test_request_context("/"):
        for obsid, text in (("99999999", "not in the Ocat"), ("12a", "not an obsid")):
            page = by_id(editor_page(obsid))
            assert text in str(page[str(EditorIds.HEADER)].children)
            assert str(EditorIds.FORM) not in page


def test_gather_sends_only_what_is_on_the_page() -> None:
    fields = [
        {"id": editor_field("y_det_offset"), "value": "2.5"},
        {"id": editor_field("grating"), "value": NULL_OPTION},
    ]
    grids = [{"id": editor_grid("roll"), "value": [{"roll_constraint": "Y", "roll": 10, "extra": 1}]}]
    form = gather(fields, grids)
    assert form["y_det_offset"] == "2.5" and form["grating"] is None
    assert form["roll_ranks"] == [{"roll_constraint": "Y", "roll_180": None, "roll": 10, "roll_tolerance": None}]
    assert "time_ranks" not in form and "dither_flag" not in form  # not on the page: the Ocat values stand


def test_messages_without_a_place_on_the_page_name_their_parameter() -> None:
    errors = {
        "y_det_offset": "must be between -120 and 120",
        "y_amp_asec": "must be a number",
        "tstop[1]": "Stop Time must be after Start Time",
        "changes": "Nothing changed",
    }
    placed = on_page(OPEN_AT_START)
    texts = [item.children for item in form_error_items(errors, placed)]
    assert texts == [
        "Y_Amp (in arcsec): must be a number",
        "Stop Time (rank 2): Stop Time must be after Start Time",
        "Nothing changed",
    ]
    with_grid = [item.children for item in form_error_items(errors, placed | {"grid:time"})]
    assert "Stop Time (rank 2): Stop Time must be after Start Time" not in with_grid
    assert cell_error_map(errors)["time"] == {"2:tstop": "Stop Time must be after Start Time"}


def test_blocks_follow_their_flags() -> None:
    shown = parts_shown({"dither_flag": "N", "window_flag": "Y", "subarray": "CUSTOM", "duty_cycle": "N"})
    assert shown["time_ranks"] and shown["subarray"]
    assert not shown["dither"] and not shown["duty"] and not shown["roll_ranks"]


def test_feedback_under_open_fields_is_filled_at_load(app: Any) -> None:
    with app.server.test_request_context("/"):
        page = by_id(editor_page(str(OBSID)))
    assert page[str(editor_feedback("targname"))].children == ""
    assert "Nothing changed" in str(page[str(EditorIds.FORM_ERRORS)].children)
    assert page[str(EditorIds.SUBMIT)].disabled is True
