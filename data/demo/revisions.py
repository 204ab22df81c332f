"""Demo users and revisions in every state, from a handful to benchmark scale (bulk inserts).

States: open with various Pending columns (several open revisions of one obsid), closed, discarded,
asis/remove, clone, and closed within the last 36 h. With the demo Ocat each revision stores what the editor would:
the observation's Ocat values as originals, requests that differ from them (values of the catalogue's own types),
ranked sets by the flag rules of D11, so v2.1's check page can show every one of them.
"""

from __future__ import annotations

import functools
import json
import random
import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from data.models import DISCARD, PENDING, SIGNED, SIGNOFF_PREFIXES, Original, Request, Revision, Signoff, User
from data.parameters import catalogue
from data.parameters.catalogue import RANK_SETS, rows_to_columns
from data.parameters.table import parameter_ids
from data.parameters.validator import original_ranks, stored_originals
from data.parameters.values import STORAGE_FORMAT, null_coerce, parse_datetime, separation_arcmin
from data.revisions.store import encode_value
from data.users import get_user

DEMO_USERS: tuple[tuple[str, str, str, bool], ...] = (
    ("demo", "usint:too:admin", "Demo User", True),
    ("alice", "usint", "Alice Archer", True),
    ("bob", "arcops", "Bob Baker", True),
    ("carol", "acis", "Carol Cole", True),
    ("dave", "hrc", "Dave Dunn", True),
    ("erin", "too", "Erin Evans", True),
    ("frank", "usint", "Frank Former", False),
)
"""username, groups, full name, active."""

SIGNERS = {
    "general": ("bob",),
    "acis": ("bob", "carol"),
    "acis_si": ("carol",),
    "hrc_si": ("dave",),
    "usint": ("alice", "demo"),
}
SUBMITTERS = ("alice", "demo", "alice")
DEMO_EMAIL_DOMAIN = "demo.usint.invalid"
"""The demo users' e-mail domain (`.invalid` cannot exist): what marks demo users, and so demo data."""
DAY = 86_400


@dataclass(frozen=True)
class SeedReport:
    revisions: int
    open: int
    seconds: float


def seed_users(session: Session) -> dict[str, User]:
    """Add the demo users that are missing (idempotent); returns all of them by username."""
    users = {}
    for username, groups, full_name, active in DEMO_USERS:
        user = get_user(session, username)
        if user is None:
            user = User(
                username=username,
                groups=groups,
                full_name=full_name,
                is_active=active,
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            )
            session.add(user)
        users[username] = user
    session.flush()
    return users


def _value(param: catalogue.Param, rng: random.Random, n: int) -> Any:
    if param.choices:
        values = [v for v, _label in param.choices if v is not None]
        if values:
            return rng.choice(values)
    if param.kind == "float":
        lo = param.minimum if param.minimum is not None else 0.0
        hi = param.maximum if param.maximum is not None else lo + 100.0
        return round(rng.uniform(lo, hi), 4)
    if param.kind == "int":
        lo = int(param.minimum) if param.minimum is not None else 0
        hi = int(param.maximum) if param.maximum is not None else lo + 100
        return rng.randint(lo, max(lo, hi))
    if param.kind == "flag":
        return rng.choice(("Y", "N"))
    if param.kind == "date":
        return f"2026-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}T00:00:00Z"
    if param.kind == "text":
        return f"Demo {param.label.lower()} #{n}"
    return f"DEMO{n}"


def _normalise(obsids: Mapping[int, int] | Sequence[int] | Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    if isinstance(obsids, Mapping):
        return [(int(o), int(s)) for o, s in obsids.items()]
    out = []
    for item in obsids:
        if isinstance(item, tuple | list):
            out.append((int(item[0]), int(item[1])))
        else:
            out.append((int(item), 500_000 + int(item) % 100_000))
    return out


# ------------------------------------------------------------------------------------- what the editor writes

_ON = ("Y", "P")
_RANK_FLAG_NAMES = frozenset(rs.flag for rs in RANK_SETS.values())
_CHIPS = {"ACIS-I": ("I0", "I1", "I2", "I3"), "ACIS-S": ("S2", "S3", "S4")}
RANK_CHANGE_SHARE = 0.12
"""About this share of normal changes (with an Ocat record) also turn a ranked set on or off or edit one rank."""


@functools.cache
def _pool(instrument: str) -> list[str]:
    """The stored names a demo change picks from: no ranked set and no dither (their flags bring rules of their
    own, `_rank_change`), only what the instrument has."""
    names = [n for n in catalogue.stored_names() if not catalogue.PARAMETERS[n].rank_set]
    names = [n for n in names if n not in _RANK_FLAG_NAMES and catalogue.PARAMETERS[n].section != "dither"]
    names = [n for n in names if catalogue.PARAMETERS[n].editable or n in ("ra", "dec")]
    text = str(instrument or "")
    if text.startswith("HRC"):
        return [n for n in names if catalogue.PARAMETERS[n].section not in ("acis", "acis_window")]
    if text.startswith("ACIS"):
        return [n for n in names if catalogue.PARAMETERS[n].section != "hrc"]
    return names


def _different(name: str, current: Any, rng: random.Random, n: int) -> Any:
    """A demo value of `name` that differs from `current` (None when five tries found none)."""
    param = catalogue.PARAMETERS[name]
    if name in ("ra", "dec") and current is not None:
        moved = float(current) + rng.choice((-1, 1)) * rng.uniform(0.01, 0.3)
        return round(moved % 360.0, 6) if name == "ra" else round(max(-90.0, min(90.0, moved)), 6)
    for retry in range(5):
        value = _value(param, rng, n + retry)
        if not catalogue.values_equal(name, current, value):
            return value
    return None


def _new_rank_rows(key: str, instrument: str, rng: random.Random, now_s: int) -> list[dict[str, Any]]:
    rows = []
    for _ in range(rng.randint(1, 2)):
        if key == "time":
            start = now_s + rng.randint(10, 200) * DAY
            rows.append(
                {
                    "window_constraint": rng.choice(("Y", "P")),
                    "tstart": _storage(start),
                    "tstop": _storage(start + rng.randint(5, 40) * DAY),
                }
            )
        elif key == "roll":
            rows.append(
                {
                    "roll_constraint": rng.choice(("Y", "P")),
                    "roll_180": rng.choice(("N", "Y")),
                    "roll": round(rng.uniform(0, 360), 1),
                    "roll_tolerance": rng.choice((5.0, 10.0, 20.0)),
                }
            )
        else:
            rows.append(
                {
                    "chip": rng.choice(_CHIPS.get(instrument, _CHIPS["ACIS-S"])),
                    "start_row": rng.randint(1, 900),
                    "start_column": rng.randint(1, 900),
                    "width": rng.choice((100, 200, 1023)),
                    "height": rng.choice((100, 200, 1023)),
                    "lower_threshold": 0.08,
                    "pha_range": 13.0,
                    "sample": rng.choice((0, 1)),
                }
            )
    return rows


def _storage(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime(STORAGE_FORMAT)


def _rank_change(record: Mapping[str, Any], rng: random.Random, now_s: int) -> dict[str, Any]:
    """One ranked-set change as the editor requests it (D11, ocat-data-page §6.5): off→on requests the flag and
    every column; on→off the flag `N` and every column NULL; on→on the changed column (whole list). A Y↔P flag
    change is never made (v2.1's check page cannot show one), nor a change to a set whose flag is on without rows."""
    instrument = str(record.get("instrument") or "")
    keys = [k for k in RANK_SETS if k != "window" or instrument.startswith("ACIS")]
    key = rng.choice(keys)
    rs = RANK_SETS[key]
    was_on = null_coerce(record.get(rs.flag)) in _ON
    rows = original_ranks(record, key)
    if was_on and not rows:
        return {}
    if not was_on:
        new = _new_rank_rows(key, instrument, rng, now_s)
        kinds = [r.get(rs.columns[0]) for r in new]
        flag = "Y" if key == "window" or not all(k == "P" for k in kinds) else "P"
        return {rs.flag: flag, **rows_to_columns(new, rs.columns)}
    if rng.random() < 0.4:
        return {rs.flag: "N", **{c: None for c in rs.columns}}
    column = rng.choice(rs.columns[1:])  # not the constraint column: the flag follows it (D11)
    values = rows_to_columns(rows, rs.columns)[column]
    i = rng.randrange(len(values))
    if key == "time":
        later = parse_datetime(values[i]) + timedelta(days=rng.randint(1, 20)) if values[i] else None
        values[i] = later.strftime(STORAGE_FORMAT) if later else None
    else:
        values[i] = _different(column, values[i], rng, i)
    if values[i] is None:
        return {}
    return {column: values}


def editor_change(
    record: Mapping[str, Any], originals: Mapping[str, Any], rng: random.Random, n: int, now_s: int
) -> dict[str, Any]:
    """A demo normal change of an Ocat record (`originals`: its `stored_originals`) as the editor would request it:
    1 to 3 values that differ from the record, sometimes a ranked-set change (`_rank_change`); name → requested
    value (None clears)."""
    requested: dict[str, Any] = {}
    if rng.random() < RANK_CHANGE_SHARE:
        requested.update(_rank_change(record, rng, now_s))
    for name in rng.sample(_pool(str(record.get("instrument") or "")), rng.randint(1, 3)):
        if name in ("ra", "dec") and originals.get(name) is None:
            continue
        value = _different(name, originals.get(name), rng, n)
        if value is not None:
            requested[name] = value
    return requested


def _notes(requested: Mapping[str, Any], originals: Mapping[str, Any]) -> dict[str, bool]:
    """The revision notes the editor computes that a demo change can have (data-layer §3.6)."""
    notes = {}
    for key, names in (
        ("comment_change", ("comments",)),
        ("target_name_change", ("targname",)),
        ("instrument_change", ("instrument",)),
        ("grating_change", ("grating",)),
        ("flag_change", (*_RANK_FLAG_NAMES, "dither_flag")),
    ):
        if any(n in requested for n in names):
            notes[key] = True
    ra0, dec0 = originals.get("ra"), originals.get("dec")
    if ("ra" in requested or "dec" in requested) and None not in (ra0, dec0):
        ra1, dec1 = requested.get("ra", ra0), requested.get("dec", dec0)
        if separation_arcmin(ra0, dec0, ra1, dec1) > 8.0:
            notes["large_coordinate_change"] = True
    return notes


# ------------------------------------------------------------------------------------------------- seeding

RecordReader = Callable[[list[int]], Mapping[int, Mapping[str, Any]]]
"""obsids → their full Ocat records (`data.ocat.read.read_observations`), called a chunk at a time."""
CHUNK = 2_000


@dataclass
class _Planned:
    rev_id: int
    obsid: int
    seq: int
    number: int
    when: int
    is_open: bool
    k: int


def seed_revisions(
    session: Session,
    *,
    obsids: Mapping[int, int] | Sequence[int] | Sequence[tuple[int, int]],
    count: int,
    seed: int = 0,
    now: datetime,
    open_count: int | None = None,
    instruments: Mapping[int, str | None] | None = None,
    records: RecordReader | None = None,
) -> SeedReport:
    """Insert `count` demo revisions over `obsids` (obsid → sequence number), about 2 % open, in bulk.

    With `records` (an Ocat reader) every revision stores what the editor would: the observation's real Ocat values
    as originals (`stored_originals`) and requests that differ from them, ranked sets by the flag rules of D11.
    Without one (tests and benchmarks of the board) the originals are made up, for the requested names only, and
    no ranked set or rank flag is requested. Records are read and rows written a chunk of obsids at a time."""
    started = _time.perf_counter()
    observations = _normalise(obsids)
    if not observations or count <= 0:
        return SeedReport(0, 0, 0.0)
    rng = random.Random(seed)
    users = seed_users(session)
    uid = {name: u.id for name, u in users.items()}
    n_open = min(count, open_count if open_count is not None else max(1, round(count * 0.02)))
    pids = parameter_ids(session, catalogue.stored_names())
    now_s = int(now.timestamp())
    schedule = _schedule(rng, observations, count, n_open, now_s)
    by_obsid = _plan_revisions(session, schedule)
    first_so_id = (session.scalar(select(func.max(Signoff.id))) or 0) + 1
    rows: dict[type, list[dict[str, Any]]] = {Revision: [], Signoff: [], Original: [], Request: []}
    n_really_open = 0
    ids = sorted(by_obsid)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = records(chunk) if records is not None else {}
        for obsid in chunk:
            record = found.get(obsid)
            instrument = record.get("instrument") if record is not None else (instruments or {}).get(obsid)
            for item in by_obsid[obsid]:
                so_id = first_so_id + item.k
                n_really_open += _revision_rows(
                    rows, item, record, instrument, rng, uid=uid, pids=pids, now_s=now_s, so_id=so_id
                )
        if sum(len(r) for r in rows.values()) > 50_000:
            _flush(session, rows)
    _flush(session, rows)
    _reset_id_sequences(session)
    return SeedReport(revisions=len(schedule), open=n_really_open, seconds=_time.perf_counter() - started)


def _schedule(
    rng: random.Random, observations: list[tuple[int, int]], count: int, n_open: int, now_s: int
) -> list[tuple[int, bool, tuple[int, int]]]:
    """(time, open, (obsid, seq)) of every revision to make, oldest first.

    Times: closed ones over three years, open ones in the last 60 days; 20 closed in the last 36 h. Obsids: the
    first observation gets three open revisions; the rest are spread at random."""
    plan: list[tuple[int, bool]] = [(now_s - rng.randint(3 * DAY, 3 * 365 * DAY), False) for _ in range(count - n_open)]
    plan += [(now_s - rng.randint(3600, 60 * DAY), True) for _ in range(n_open)]
    recent = [i for i in range(len(plan)) if not plan[i][1]][:20]
    for i in recent:
        plan[i] = (now_s - rng.randint(6 * 3600, 30 * 3600), False)
    chosen = [observations[rng.randrange(len(observations))] for _ in plan]
    open_idx = [i for i, (_t, o) in enumerate(plan) if o]
    for i in open_idx[:3]:
        chosen[i] = observations[0]
    order = sorted(range(len(plan)), key=lambda i: plan[i][0])
    return [(*plan[i], chosen[i]) for i in order]


def _plan_revisions(session: Session, schedule: list[tuple[int, bool, tuple[int, int]]]) -> dict[int, list[_Planned]]:
    """The scheduled revisions by obsid, with their ids and revision numbers after those already in the DB."""
    next_number = dict(
        session.execute(select(Revision.obsid, func.max(Revision.revision_number)).group_by(Revision.obsid))
        .tuples()
        .all()
    )
    first_rev_id = (session.scalar(select(func.max(Revision.id))) or 0) + 1
    by_obsid: dict[int, list[_Planned]] = {}
    for k, (when, is_open, (obsid, seq)) in enumerate(schedule):
        number = next_number.get(obsid, 0) + 1
        next_number[obsid] = number
        item = _Planned(first_rev_id + k, obsid, seq, number, when, is_open, k)
        by_obsid.setdefault(obsid, []).append(item)
    return by_obsid


def _reset_id_sequences(session: Session) -> None:
    """PostgreSQL: move the id sequences past the ids written explicitly."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT setval(pg_get_serial_sequence('revisions', 'id'), (SELECT MAX(id) FROM revisions))"))
    session.execute(text("SELECT setval(pg_get_serial_sequence('signoffs', 'id'), (SELECT MAX(id) FROM signoffs))"))


def _flush(session: Session, rows: dict[type, list[dict[str, Any]]]) -> None:
    """Insert the buffered rows in foreign-key order and empty the buffers."""
    for table in (Revision, Signoff, Original, Request):
        batch = rows[table]
        for start in range(0, len(batch), 20_000):
            session.execute(table.__table__.insert(), batch[start : start + 20_000])
        batch.clear()


def _revision_rows(
    rows: dict[type, list[dict[str, Any]]],
    item: _Planned,
    record: Mapping[str, Any] | None,
    instrument: str | None,
    rng: random.Random,
    *,
    uid: Mapping[str, int],
    pids: Mapping[str, int],
    now_s: int,
    so_id: int,
) -> int:
    """Buffer one demo revision's rows (revision, sign-off, originals, requests); 1 when it is open."""
    k, when, is_open = item.k, item.when, item.is_open
    roll = rng.random()
    kind = _kind(roll, is_open)
    originals, requested = _values(kind, record, instrument, rng, k, now_s)
    notes = _notes(requested, originals) if kind == "norm" else {}
    if kind == "clone" and "comments" in requested:
        notes = {}
    submitter = "frank" if when < now_s - 400 * DAY and roll > 0.9 else SUBMITTERS[k % 3]
    signoff = _signoff_row(item, kind, list(requested), rng, uid=uid, submitter=submitter, now_s=now_s)
    signoff["id"] = so_id
    rows[Revision].append(
        {
            "id": item.rev_id,
            "obsid": item.obsid,
            "revision_number": item.number,
            "kind": kind,
            "sequence_number": item.seq,
            "time": when,
            "notes": json.dumps(notes) if notes else None,
            "user_id": uid[submitter],
        }
    )
    rows[Signoff].append(signoff)
    rows[Original].extend(
        {"revision_id": item.rev_id, "parameter_id": pids[name], "value": encode_value(value)}
        for name, value in originals.items()
        if value is not None
    )
    rows[Request].extend(
        {"revision_id": item.rev_id, "parameter_id": pids[name], "value": encode_value(value)}
        for name, value in requested.items()
    )
    return int(any(signoff[f"{p}_status"] == PENDING for p in SIGNOFF_PREFIXES))


def _kind(roll: float, is_open: bool) -> str:
    """The kind of a demo revision from a roll in [0, 1): mostly norm; asis, remove and clone among closed ones."""
    if is_open:
        return "clone" if roll < 0.05 else "norm"
    if roll < 0.10:
        return "asis"
    if roll < 0.12:
        return "remove"
    if roll < 0.15:
        return "clone"
    return "norm"


def _values(
    kind: str, record: Mapping[str, Any] | None, instrument: str | None, rng: random.Random, k: int, now_s: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(originals, requests) of one demo revision: from the Ocat record when there is one, made up otherwise."""
    originals: dict[str, Any] = stored_originals(record) if record is not None else {}
    requested: dict[str, Any] = {}
    if kind == "norm" and record is not None:
        requested = editor_change(record, originals, rng, k, now_s)
        if not requested:  # nothing differed: change the comment, as a user would
            requested["comments"] = f"Demo change #{k}"
    elif kind == "norm":
        for name in rng.sample(_pool(str(instrument or "")), rng.randint(1, 3)):
            requested[name] = _value(catalogue.PARAMETERS[name], rng, k)
            originals[name] = _different(name, requested[name], rng, k + 1)
            if originals[name] is None:
                del originals[name]
    elif kind == "clone":
        requested["comments"] = f"Please split this observation (demo #{k})"
    return originals, requested


def _signoff_row(
    item: _Planned,
    kind: str,
    requested: list[str],
    rng: random.Random,
    *,
    uid: Mapping[str, int],
    submitter: str,
    now_s: int,
) -> dict[str, Any]:
    """The sign-off row (without its id): an open revision keeps USINT and some others Pending; a closed one has
    every Pending column signed (or, for about 5 % of the closed norm ones, discarded) at later times."""
    when, is_open = item.when, item.is_open
    status = catalogue.signoff_routing(kind, requested)
    signoff: dict[str, Any] = {"revision_id": item.rev_id}
    discarded = not is_open and kind == "norm" and rng.random() < 0.05
    pending_cols = [p for p in SIGNOFF_PREFIXES if status[p] == PENDING]
    keep_pending = set(pending_cols)
    if is_open:
        edit = [p for p in pending_cols if p != "usint"]
        rng.shuffle(edit)
        keep_pending = {"usint", *edit[: rng.randint(0, len(edit))]}
        if rng.random() < 0.3 and edit:
            keep_pending = set(edit[:1]) | {"usint"}
    t = when
    for p in SIGNOFF_PREFIXES:
        s = status[p]
        signer, stamp = None, None
        if s == SIGNED:
            signer, stamp = uid[submitter], when
        elif s == PENDING and not (is_open and p in keep_pending):
            t += rng.randint(600, 3 * DAY if not is_open else 3600)
            stamp = min(t, now_s - 60) if when > now_s - 2 * DAY else t
            if discarded and p != "general":
                s, signer = DISCARD, uid["alice"]
            else:
                s, signer = SIGNED, uid[rng.choice(SIGNERS[p])]
        signoff[f"{p}_status"], signoff[f"{p}_signoff_id"], signoff[f"{p}_time"] = s, signer, stamp
    return signoff
