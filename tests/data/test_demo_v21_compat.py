"""Seeded demo revisions against v2.1's check page (#15 item 2, #16): every stored shape is one v2.1 can show, and
the originals are the observation's real Ocat values, as the editor stores them.

`v21_problems` applies the rules of v2.1's stored shapes and of its check page as the specs describe them
(data-layer §3.2-§3.3, other-pages §4.2), not v2.1's code: values are JSON text, a missing original is an absent
row, requests are shown for `norm` only, and the rank reorientation needs, per ranked set, every column as a list on
each side it rebuilds: a flag change must be on→off (the original columns) or off→on (the requested columns); Y↔P
or N→NULL ends in an unbound variable; with the flag on and not requested, both sides are rebuilt from the
original columns, each overridden by its request. `V21_SHAPES` checks the validator itself.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from data.db import session_scope
from data.demo.revisions import seed_revisions
from data.demo.seeding import observations_of, seed_demo
from data.errors import ValidationFailed
from data.models import Original, Parameter, Request, Revision, Signoff
from data.ocat.read import read_observation, read_observations
from data.ocat.sources import make_source
from data.parameters.table import seed_parameters
from data.parameters.validator import form_values, stored_originals
from data.revisions.store import encode_value
from data.revisions.submission import SubmitRequest, submit
from data.settings import load_settings
from data.users import get_user

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
KINDS = ("norm", "asis", "remove", "clone")
STATUSES = ("Signed", "Not Required", "Pending", "Discard")
ON, OFF = ("Y", "P"), ("N", None)
FAMILIES: dict[str, tuple[str, ...]] = {
    "window_flag": ("window_constraint", "tstart", "tstop"),
    "roll_flag": ("roll_constraint", "roll_180", "roll", "roll_tolerance"),
    "spwindow_flag": ("chip", "start_row", "start_column", "width", "height", "lower_threshold", "pha_range", "sample"),
}
"""v2.1's rank reconstruction: (flag, column list) of the three ranked sets (other-pages §4.2)."""


def v21_problems(
    kind: str, notes: str | None, originals: dict[str, str | None], requests: dict[str, str | None], names: set[str]
) -> list[str]:
    """What keeps v2.1's check page from showing a stored revision, or what its editor would never store; [] = fine.
    `originals`/`requests`: parameter name -> stored text; `names`: the `parameters` table's names."""
    problems: list[str] = []
    if kind not in KINDS:
        problems.append(f"kind {kind!r} is not one of {KINDS}")
    if notes is not None and not isinstance(_json(notes, problems, "notes"), dict):
        problems.append("notes: not a JSON object")
    org: dict[str, Any] = {}
    req: dict[str, Any] = {}
    for side, texts, out in (("original", originals, org), ("request", requests, req)):
        for name, value in texts.items():
            if name not in names:
                problems.append(f"{side} {name}: not a parameter")
            if value is None:
                if side == "original":
                    problems.append(f"original {name}: NULL (a missing original is an absent row)")
                out[name] = None
            else:
                out[name] = _json(value, problems, f"{side} {name}")
    if kind in ("asis", "remove") and req:
        problems.append(f"{kind} with requests {sorted(req)}")
    if kind == "clone" and set(req) - {"comments"}:
        problems.append(f"clone with requests other than comments: {sorted(set(req) - {'comments'})}")
    shown = req if kind == "norm" else {}  # v2.1 reads the requests of a norm revision only
    for flag, columns in FAMILIES.items():
        was = org.get(flag) if org.get(flag) is not None else "N"
        if flag in shown:
            new = shown[flag]
            if was in ON and new in OFF:
                _lists(problems, flag, "original", {c: org.get(c) for c in columns})
            elif was in OFF and new in ON:
                _lists(problems, flag, "requested", {c: shown.get(c) for c in columns})
            else:
                problems.append(f"{flag} {was!r}->{new!r}: neither on->off nor off->on (v2.1: unbound variable)")
        elif was in ON:
            _lists(problems, flag, "original", {c: org.get(c) for c in columns})
            _lists(problems, flag, "requested", {c: shown[c] if c in shown else org.get(c) for c in columns})
        elif any(c in shown for c in columns):
            problems.append(f"{flag} stays off but {sorted(c for c in columns if c in shown)} are requested")
    return problems


def _json(text: str, problems: list[str], where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        problems.append(f"{where}: not JSON text ({text[:30]!r})")
        return None


def _lists(problems: list[str], flag: str, side: str, columns: dict[str, Any]) -> None:
    """v2.1 zips the columns into rank records: each must be a list (TypeError otherwise)."""
    missing = [c for c, v in columns.items() if not isinstance(v, list)]
    if missing:
        problems.append(f"{flag}: {side} rank columns {missing} are not lists (v2.1: TypeError)")
    elif len({len(v) for v in columns.values()}) > 1:
        problems.append(f"{flag}: {side} rank columns of different lengths")


def j(value: Any) -> str:
    return json.dumps(value)


NAMES = {"targname", "comments", "remarks", *FAMILIES, *(c for cols in FAMILIES.values() for c in cols)}
TIME = {
    "window_constraint": j(["Y", "P"]),
    "tstart": j(["2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"]),
    "tstop": j(["2026-01-10T00:00:00Z", "2026-03-20T00:00:00Z"]),
}
V21_SHAPES: list[tuple[str, str, dict[str, str | None], dict[str, str | None], bool]] = [
    ("a plain change", "norm", {"targname": j("NGC 1")}, {"targname": j("NGC 2")}, True),
    ("time ranks created", "norm", {"window_flag": j("N")}, {"window_flag": j("Y"), **TIME}, True),
    (
        "time ranks removed",
        "norm",
        {"window_flag": j("Y"), **TIME},
        {"window_flag": j("N"), "window_constraint": None, "tstart": None, "tstop": None},
        True,
    ),
    (
        "one rank column edited, flag on",
        "norm",
        {"window_flag": j("P"), **TIME},
        {"tstop": j(["2026-01-12T00:00:00Z", "2026-03-20T00:00:00Z"])},
        True,
    ),
    ("a flag with no ranks, off (v2.1 reads NULL as N)", "norm", {}, {"targname": j("X")}, True),
    ("asis with originals only", "asis", {"targname": j("NGC 1"), "window_flag": j("Y"), **TIME}, {}, True),
    ("clone with its comment", "clone", {"comments": j("old")}, {"comments": j("split please")}, True),
    (
        "flag turned on without rank columns (the old seeder)",
        "norm",
        {"roll_flag": j("N")},
        {"roll_flag": j("Y")},
        False,
    ),
    (
        "flag turned off without original columns (the old seeder)",
        "norm",
        {"spwindow_flag": j("Y")},
        {"spwindow_flag": j("N")},
        False,
    ),
    ("flag Y->P", "norm", {"window_flag": j("Y"), **TIME}, {"window_flag": j("P")}, False),
    ("flag on, not requested, no original columns", "norm", {"window_flag": j("Y")}, {"targname": j("X")}, False),
    ("flag on, a rank column requested NULL", "norm", {"window_flag": j("Y"), **TIME}, {"tstart": None}, False),
    ("rank column requested while the flag stays off", "norm", {}, {"tstart": j(["2026-01-01T00:00:00Z"])}, False),
    ("value not JSON text", "norm", {"targname": "NGC 1"}, {"targname": j("NGC 2")}, False),
    ("NULL original", "norm", {"targname": None}, {"targname": j("NGC 2")}, False),
    ("asis with a request", "asis", {}, {"targname": j("NGC 2")}, False),
]
"""v2.1's stored shapes: (what, kind, originals, requests, can v2.1's check page show it and would its editor
store it)."""


@pytest.mark.parametrize(("what", "kind", "originals", "requests", "fine"), V21_SHAPES, ids=[s[0] for s in V21_SHAPES])
def test_the_validator_knows_v21s_shapes(what, kind, originals, requests, fine):
    problems = v21_problems(kind, None, originals, requests, NAMES)
    assert (problems == []) is fine, problems


# ------------------------------------------------------------------------------------------- seeded revisions


def stored(session: Session) -> dict[int, dict[str, Any]]:
    """revision id -> its obsid, kind, notes, sign-off statuses and stored originals/requests texts."""
    out: dict[int, dict[str, Any]] = {}
    for rid, obsid, kind, notes, *statuses in session.execute(
        select(
            Revision.id,
            Revision.obsid,
            Revision.kind,
            Revision.notes,
            Signoff.general_status,
            Signoff.acis_status,
            Signoff.acis_si_status,
            Signoff.hrc_si_status,
            Signoff.usint_status,
        ).join(Signoff, Signoff.revision_id == Revision.id)
    ):
        out[rid] = {"obsid": obsid, "kind": kind, "notes": notes, "statuses": statuses, "originals": {}, "requests": {}}
    for model, key in ((Original, "originals"), (Request, "requests")):
        for rid, name, value in session.execute(
            select(model.revision_id, Parameter.name, model.value).join(Parameter, Parameter.id == model.parameter_id)
        ):
            out[rid][key][name] = value
    return out


@pytest.fixture
def demo(sessions: sessionmaker[Session], engine: Any, tmp_path: Any, request: pytest.FixtureRequest) -> Any:
    """The demo seeded as `usint demo seed` does (400 revisions on a 300-observation demo Ocat), on each backend."""
    settings = load_settings(
        {
            "instance_path": str(tmp_path),
            "database_url": engine.url.render_as_string(hide_password=False),
            "ocat_url": f"sqlite:///{tmp_path / 'ocat_demo.db'}",
            "demo": True,
        },
        environ={},
    )
    with sessions.begin() as session:
        seed_parameters(session)
    report = seed_demo(settings, sessions, seed=getattr(request, "param", 0), now=NOW)
    return settings, report


@pytest.mark.parametrize("demo", [0, 7], indirect=True, ids=["seed0", "seed7"])
def test_every_seeded_revision_is_a_shape_v21_can_show(demo, sessions):
    _settings, report = demo
    with sessions.begin() as session:
        names = set(session.scalars(select(Parameter.name)))
        revisions = stored(session)
    assert len(revisions) == report.revisions == 400
    bad = {
        rid: p
        for rid, r in revisions.items()
        if (p := v21_problems(r["kind"], r["notes"], r["originals"], r["requests"], names))
    }
    assert not bad, list(bad.items())[:5]
    assert all(set(r["statuses"]) <= set(STATUSES) for r in revisions.values())
    # The shapes are varied enough for the check to mean something: ranked sets created, removed and edited.
    flags = Counter(f for r in revisions.values() for f in FAMILIES if f in r["requests"])
    columns = Counter(c for r in revisions.values() for cols in FAMILIES.values() for c in cols if c in r["requests"])
    assert sum(flags.values()) >= 5 and sum(columns.values()) >= 10, (flags, columns)


def test_seeded_originals_are_the_real_ocat_values(demo, sessions):
    settings, _report = demo
    with sessions.begin() as session:
        revisions = stored(session)
    obsids = sorted({r["obsid"] for r in revisions.values()})
    records = read_observations(make_source(settings.ocat_url), obsids, obs_ss=settings.obs_ss)
    assert set(records) == set(obsids)  # every obsid is in the Ocat (v2.1's check page reads it)
    for rid, r in revisions.items():
        expected = {name: encode_value(value) for name, value in stored_originals(records[r["obsid"]]).items()}
        assert r["originals"] == expected, rid
        if r["kind"] == "norm":
            changed = [n for n, text in r["requests"].items() if text == r["originals"].get(n)]
            assert not changed, (rid, changed)  # a request differs from its original
    texts = [t for r in revisions.values() for t in r["originals"].values()]
    assert None not in texts and j("—") not in texts
    assert len(texts) > 20 * len(revisions)  # the whole record, not just the requested names


def test_seeding_without_an_ocat_keeps_to_v21_shapes_too(session):
    seed_parameters(session)
    seed_revisions(session, obsids={100: 500100, 200: 500200}, count=300, seed=5, now=NOW)
    names = set(session.scalars(select(Parameter.name)))
    revisions = stored(session)
    bad = {
        rid: p
        for rid, r in revisions.items()
        if (p := v21_problems(r["kind"], r["notes"], r["originals"], r["requests"], names))
    }
    assert not bad, list(bad.items())[:5]


def test_observations_whose_ranks_v21_cannot_rebuild_are_not_seeded(demo_ocat_url):
    assert 1018 not in observations_of(demo_ocat_url)  # window flag on without a time rank
    assert {12345, 1027, 1028} <= set(observations_of(demo_ocat_url))


# ------------------------------------------------------------------------------------------- the editor's path


def _stored_after_submit(world: dict, sessions: Any, obsid: int, edit: Any, loaded: bool = True) -> dict[str, Any]:
    """Submit as the editor does (the loaded record's form, edited, with `loaded` for D8), or as an API client
    does (`loaded=False`: the changed names only), and read back what was stored."""
    source, settings = world["source"], world["settings"]
    record = read_observation(source, obsid, settings.obs_ss)
    changes = form_values(record) if loaded else {}
    edit(changes)
    with session_scope(sessions) as s:
        ask = SubmitRequest(obsid, "norm", changes, "", record if loaded else None)
        submit(s, source, ask, user=get_user(s, "demo"), now=NOW, settings=settings)
    with session_scope(sessions, readonly=True) as s:
        (revision,) = stored(s).values()
        revision["names"] = set(s.scalars(select(Parameter.name)))
    return revision


def _time_row(form: dict) -> None:
    form["time_ranks"] = [{"window_constraint": "Y", "tstart": "Apr 01 2027 00:00", "tstop": "Apr 20 2027 00:00"}]


def _roll_on(form: dict) -> None:
    form["roll_flag"] = "Y"
    form["roll_ranks"] = [{"roll_constraint": "Y", "roll_180": "N", "roll": 120.0, "roll_tolerance": 5.0}]


EDITOR_PATHS: list[tuple[str, int, Any, bool]] = [
    (
        "1018 (time flag on, no rows): the flag set to NO, as the editor asks",
        1018,
        lambda f: f.update(window_flag="N", targname="Kepler (flag off)"),
        True,
    ),
    ("1018: a time row added under the flag that was on", 1018, _time_row, True),
    ("1018 through the API: only a new target name", 1018, lambda f: f.update(targname="Kepler (API)"), False),
    ("a roll flag turned on with its row", 1003, _roll_on, True),
    ("12345: the ACIS window flag turned off", 12345, lambda f: f.update(spwindow_flag="N", window_ranks=[]), True),
]


@pytest.mark.parametrize(("what", "obsid", "edit", "loaded"), EDITOR_PATHS, ids=[p[0] for p in EDITOR_PATHS])
def test_what_the_editor_stores_is_a_shape_v21_can_show(submit_world, submit_sessions, what, obsid, edit, loaded):
    r = _stored_after_submit(submit_world, submit_sessions, obsid, edit, loaded)
    assert r["requests"], what
    assert v21_problems(r["kind"], r["notes"], r["originals"], r["requests"], r["names"]) == []


@pytest.mark.parametrize("flag", ["roll_flag", "spwindow_flag"])
def test_a_rank_flag_turned_on_without_rows_is_refused_beside_the_field(submit_world, submit_sessions, flag):
    key = {"roll_flag": "roll_ranks", "spwindow_flag": "window_ranks"}[flag]
    with pytest.raises(ValidationFailed) as refused:
        _stored_after_submit(submit_world, submit_sessions, 1003, lambda f: f.update({flag: "Y"}))
    assert "add at least one row" in refused.value.errors[key]
    with session_scope(submit_sessions, readonly=True) as s:
        assert stored(s) == {}  # nothing written
