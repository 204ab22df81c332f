"""Demo users and revisions in every state, from a handful to benchmark scale (bulk inserts).

States: open with various Pending columns (several open revisions of one obsid), closed, discarded,
asis/remove, clone, and closed within the last 36 h. Values come from the catalogue's own types.
"""

from __future__ import annotations

import json
import random
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from data.models import DISCARD, PENDING, SIGNED, SIGNOFF_PREFIXES, Original, Request, Revision, Signoff, User
from data.parameters import catalogue
from data.parameters.table import parameter_ids
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

SIGNERS = {"general": ("bob",), "acis": ("bob", "carol"), "acis_si": ("carol",), "hrc_si": ("dave",),
           "usint": ("alice", "demo")}  # fmt: skip
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
            user = User(username=username, groups=groups, full_name=full_name, is_active=active,
                        email=f"{username}@demo.usint.invalid")  # fmt: skip
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


def seed_revisions(
    session: Session,
    *,
    obsids: Mapping[int, int] | Sequence[int] | Sequence[tuple[int, int]],
    count: int,
    seed: int = 0,
    now: datetime,
    open_count: int | None = None,
    instruments: Mapping[int, str | None] | None = None,
) -> SeedReport:
    """Insert `count` demo revisions over `obsids` (obsid → sequence number), about 2 % open, in bulk."""
    started = _time.perf_counter()
    observations = _normalise(obsids)
    if not observations or count <= 0:
        return SeedReport(0, 0, 0.0)
    rng = random.Random(seed)
    users = seed_users(session)
    uid = {name: u.id for name, u in users.items()}
    n_open = min(count, open_count if open_count is not None else max(1, round(count * 0.02)))
    names = [n for n in catalogue.stored_names() if not catalogue.PARAMETERS[n].rank_set]
    # With `instruments` (obsid -> instrument), a demo change touches only what that instrument has.
    hrc_names = [n for n in names if catalogue.PARAMETERS[n].section not in ("acis", "acis_window")]
    acis_names = [n for n in names if catalogue.PARAMETERS[n].section != "hrc"]
    pids = parameter_ids(session, names)
    now_s = int(now.timestamp())

    # Times: closed ones over three years, open ones in the last 60 days; 20 closed in the last 36 h.
    plan: list[tuple[int, bool]] = [(now_s - rng.randint(3 * DAY, 3 * 365 * DAY), False) for _ in range(count - n_open)]
    plan += [(now_s - rng.randint(3600, 60 * DAY), True) for _ in range(n_open)]
    recent = [i for i in range(len(plan)) if not plan[i][1]][:20]
    for i in recent:
        plan[i] = (now_s - rng.randint(6 * 3600, 30 * 3600), False)
    # Obsids: the first observation gets three open revisions; the rest are spread at random.
    chosen = [observations[rng.randrange(len(observations))] for _ in plan]
    open_idx = [i for i, (_t, o) in enumerate(plan) if o]
    for i in open_idx[:3]:
        chosen[i] = observations[0]
    order = sorted(range(len(plan)), key=lambda i: plan[i][0])

    next_number = dict(
        session.execute(select(Revision.obsid, func.max(Revision.revision_number)).group_by(Revision.obsid))
        .tuples()
        .all()
    )
    rev_id = (session.scalar(select(func.max(Revision.id))) or 0) + 1
    so_id = (session.scalar(select(func.max(Signoff.id))) or 0) + 1
    revisions: list[dict[str, Any]] = []
    signoffs: list[dict[str, Any]] = []
    originals: list[dict[str, Any]] = []
    requests: list[dict[str, Any]] = []
    submitters = ("alice", "demo", "alice", "frank")
    for k, i in enumerate(order):
        when, is_open = plan[i]
        obsid, seq = chosen[i]
        number = next_number.get(obsid, 0) + 1
        next_number[obsid] = number
        roll = rng.random()
        kind = "norm"
        if is_open:
            kind = "clone" if roll < 0.05 else "norm"
        elif roll < 0.10:
            kind = "asis"
        elif roll < 0.12:
            kind = "remove"
        elif roll < 0.15:
            kind = "clone"
        requested: dict[str, Any] = {}
        if kind == "norm":
            instrument = str((instruments or {}).get(obsid) or "")
            pool = hrc_names if instrument.startswith("HRC") else acis_names if instrument.startswith("ACIS") else names
            for name in rng.sample(pool, rng.randint(1, 3)):
                requested[name] = _value(catalogue.PARAMETERS[name], rng, k)
        elif kind == "clone":
            requested["comments"] = f"Please split this observation (demo #{k})"
        notes = {}
        if "comments" in requested:
            notes["comment_change"] = True
        if "targname" in requested:
            notes["target_name_change"] = True
        submitter = "frank" if when < now_s - 400 * DAY and roll > 0.9 else submitters[k % 3]
        status = catalogue.signoff_routing(kind, list(requested))
        row: dict[str, Any] = {"id": so_id, "revision_id": rev_id}
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
            row[f"{p}_status"], row[f"{p}_signoff_id"], row[f"{p}_time"] = s, signer, stamp
        revisions.append({"id": rev_id, "obsid": obsid, "revision_number": number, "kind": kind, "sequence_number": seq,
                          "time": when, "notes": json.dumps(notes) if notes else None,
                          "user_id": uid[submitter]})  # fmt: skip
        signoffs.append(row)
        for name, value in requested.items():
            requests.append({"revision_id": rev_id, "parameter_id": pids[name], "value": encode_value(value)})
            original = _value(catalogue.PARAMETERS[name], rng, k + 1)
            for retry in range(5):  # a demo change must change something
                if not catalogue.values_equal(name, original, value):
                    break
                original = _value(catalogue.PARAMETERS[name], rng, k + 2 + retry)
            originals.append({"revision_id": rev_id, "parameter_id": pids[name], "value": encode_value(original)})
        rev_id += 1
        so_id += 1

    for table, rows in ((Revision, revisions), (Signoff, signoffs), (Original, originals), (Request, requests)):
        for start in range(0, len(rows), 20_000):
            session.execute(table.__table__.insert(), rows[start : start + 20_000])
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('revisions', 'id'), (SELECT MAX(id) FROM revisions))")
        )
        session.execute(text("SELECT setval(pg_get_serial_sequence('signoffs', 'id'), (SELECT MAX(id) FROM signoffs))"))
    n_really_open = sum(1 for r in signoffs if any(r[f"{p}_status"] == PENDING for p in SIGNOFF_PREFIXES))
    return SeedReport(revisions=len(revisions), open=n_really_open, seconds=_time.perf_counter() - started)
