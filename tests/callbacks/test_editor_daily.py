"""The editor's daily-use rules as plain functions (#16): why Submit is off, the obsid box, what a draft keeps and
what of a kept draft is taken back, what a kind drops, the notes in words."""

from __future__ import annotations

from typing import Any

import pytest

from callbacks._editor_confirm import note_words, pending_text
from callbacks.editor import (
    draft_edits,
    draft_of,
    edited_fields,
    editor_page,
    prompt_target,
    sections_for,
    submit_reason,
    submit_refusal,
)
from data.parameters.catalogue import NOTE_LABELS
from data.parameters.validator import form_values
from data.settings import DEFAULT_PERMISSIONS
from pages._components.editor_form import kind_warning
from pages._ids import EditorIds
from tests.callbacks.test_editor_page import by_id
from web.identity import ANONYMOUS, Identity

OBSID = 12345


@pytest.fixture
def record(app: Any) -> dict[str, Any]:
    with app.server.test_request_context("/"):
        return by_id(editor_page(str(OBSID)))[str(EditorIds.RECORD)].data


def person(name: str, *, registered: bool = True, active: bool = True, groups: tuple[str, ...] = ("usint",)) -> Any:
    return Identity(username=name, registered=registered, active=active, groups=groups)


@pytest.mark.parametrize(
    ("who", "says"),
    [
        (ANONYMOUS, "you are not signed in"),
        (person("zed", registered=False, active=False, groups=()), "zed is not registered"),
        (person("frank", active=False), "frank is inactive"),
        (person("bob", groups=("arcops",)), "needs the usint group, and bob is not in it"),
    ],
)
def test_who_may_not_submit_is_told_why(who: Any, says: str) -> None:
    refusal = submit_refusal(who, DEFAULT_PERMISSIONS)
    assert refusal is not None and says in refusal and refusal.startswith("Submit is off")
    assert submit_reason({}, {}, refusal) == refusal


def test_a_usint_member_may_submit() -> None:
    assert submit_refusal(person("alice"), DEFAULT_PERMISSIONS) is None
    assert submit_refusal(person("root", groups=("admin",)), DEFAULT_PERMISSIONS) is None


def test_submit_reason_names_what_blocks_it() -> None:
    assert submit_reason({}, {}, None) == ""
    assert "until you change" in submit_reason({"changes": "Nothing changed"}, {}, None)
    assert "fix the 2 problems" in submit_reason({"targname": "x", "y_det_offset": "y", "changes": "z"}, {}, None)
    assert "Multi-Obsid" in submit_reason({}, {"multiobsid": "bad"}, None)
    assert "OBSERVED" in submit_reason({"status": "Obsid 1 was already OBSERVED"}, {}, None)


@pytest.mark.parametrize(
    ("typed", "path", "says"),
    [
        ("12345", "/ocatdatapage/12345", ""),
        (" 00042 ", "/ocatdatapage/42", ""),
        ("", None, "Type an obsid"),
        ("1234567890", None, "out of range"),
        ("abc", None, "is not an obsid"),
        ("-5", None, "is not an obsid"),
        ("١٢٣", None, "is not an obsid"),
        ("12345.4", None, "is a revision"),
    ],
)
def test_the_obsid_box(typed: str, path: str | None, says: str) -> None:
    got, message = prompt_target(typed)
    assert got == path
    assert says in (message if isinstance(message, str) else str(message))


def test_a_draft_keeps_only_what_differs_from_the_loaded_values(record: dict[str, Any]) -> None:
    start = form_values(record)
    untouched = {"targname": start["targname"], "y_det_offset": str(start["y_det_offset"]), "instrument": "ACIS-S"}
    assert edited_fields(record, untouched) == {}
    assert draft_of(record, untouched, "norm", "")["dirty"] is False
    rows = [dict(r) for r in start["time_ranks"]]
    assert edited_fields(record, {"time_ranks": rows}) == {}
    rows[0]["tstop"] = "Dec 31 2099 12:00"
    draft = draft_of(record, {**untouched, "targname": "Cas A (b)", "time_ranks": rows}, "asis", " 1001 ")
    assert set(draft["form"]) == {"targname", "time_ranks"}
    assert draft["dirty"] and draft["extras"] == "1001" and draft["kind"] == "asis"
    assert draft["labels"] == ["Target Name", "Time Constraints"]


def test_a_kept_draft_gives_back_only_editable_fields_and_rank_columns() -> None:
    kept = {
        "targname": "Cas A (b)",
        "obsid": "99",  # read only
        "nonsense": "x",
        "remarks": {"a": 1},  # not a plain value
        "time_ranks": [{"window_constraint": "Y", "tstart": "a", "tstop": "b", "evil": 1}, "not a row"] + [{}] * 40,
    }
    got = draft_edits(kept)
    assert set(got) == {"targname", "time_ranks"}
    assert got["time_ranks"][0] == {"window_constraint": "Y", "tstart": "a", "tstop": "b"}
    assert len(got["time_ranks"]) == 29  # at most 30 looked at, the non-row dropped
    assert draft_edits("not a dict") == {}
    assert sections_for(got) == ("general", "time", "comments")
    assert sections_for({"y_amp_asec": "16"}, ["acis"]) == ("general", "dither", "acis", "comments")


def test_kinds_that_drop_edits_name_them() -> None:
    assert kind_warning("norm", ["Offset Y"]) == ""
    assert kind_warning("asis", []) == ""
    assert "Offset Y" in kind_warning("asis", ["Offset Y"]) and "NOT" in kind_warning("remove", ["Offset Y"])
    assert kind_warning("clone", ["Comments"]) == ""  # a split submits the comment
    assert "Offset Y" in kind_warning("clone", ["Comments", "Offset Y"])


def test_notes_in_words_in_catalogue_order() -> None:
    notes = {"on_or_list": True, "target_name_change": True, "large_coordinate_change": False, "new_note": True}
    assert note_words(notes) == "Target Change, On OR List, new_note"
    assert all("_" not in label for label in NOTE_LABELS.values())


def test_the_confirm_step_says_who_signs_each_pending_signoff() -> None:
    signoffs = {
        "general": "Pending",
        "acis": "Not Required",
        "acis_si": "Pending",
        "hrc_si": "Not Required",
        "usint": "Pending",
    }
    text = pending_text(signoffs, DEFAULT_PERMISSIONS)
    assert text.endswith("General (ArcOps or USINT); ACIS SI Mode (ACIS or USINT); USINT verification (USINT)"), text
    site = {**DEFAULT_PERMISSIONS, "general": ["usint"]}
    assert "General (USINT);" in pending_text(signoffs, site)
    assert pending_text(dict.fromkeys(signoffs, "Not Required"), DEFAULT_PERMISSIONS).endswith(": none")
