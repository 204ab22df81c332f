"""The live status board of this worker: read in full once, then kept up to date from the `events` table.

Every change a row can show is made in a transaction that also writes an event whose target is the
revision's `obsid.rev` (submit, sign, approve, discard, undo, renumber). So when the change token moves, the
events since the last read name every obsid whose rows may differ, and only those obsids are re-read (their
rows and their per-obsid facts: approved, higher revision signed). Rows of other obsids keep their tuples, and
`data.board.rows.shape` keeps their records. A change the events do not explain (the revision count moved by other
than submissions minus undone submissions, many events at once, the clock going back) means a full read.

On PostgreSQL every write transaction first takes one advisory lock (`data.db`), as SQLite's `BEGIN IMMEDIATE`
does, so event ids become visible in id order and "events after the last one seen" skips none.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from data.board.rows import BoardData, Memo, board_rows, shape, token_parts, token_text, user_names
from data.models import Event
from data.ocat.cache import Cache

MAX_EVENTS = 500
"""More events than this since the last read: read the board in full instead."""

_OBSIDREV = re.compile(r"^(\d+)\.\d+$")


@dataclass
class _Live:
    """One board (one revision DB and window) as this worker last read it. Changed only under its key's
    update lock; `served` (token parts and minute, the board) is replaced whole, so readers need no lock."""

    parts: tuple[int, int, int]
    cutoff: int
    rows: dict[int, tuple[Any, ...]]  # revision id -> its `board_rows` tuple
    memo: Memo = field(default_factory=Memo)
    served: tuple[tuple[Any, ...], BoardData] | None = None


_LIVE: dict[tuple[str, float], _Live] = {}
_UPDATING: dict[tuple[str, float], threading.Lock] = {}
_LIVE_LOCK = threading.Lock()


def _update_lock(key: tuple[str, float]) -> threading.Lock:
    """One catch-up at a time per board: a second thread waits, then finds the board already current."""
    with _LIVE_LOCK:
        return _UPDATING.setdefault(key, threading.Lock())


def current(
    session: Session, *, now: datetime, closed_window_h: float, ocat: Any, lookups: Cache | None = None
) -> BoardData:
    """The board at `now`, from this worker's live copy: unchanged token and minute -> the same object."""
    window_h = float(closed_window_h)
    key = (str(session.get_bind().url), window_h)
    parts = token_parts(session)
    cutoff = int(now.timestamp() - window_h * 3600)
    stamp = (parts, int(now.timestamp()) // 60)
    live = _LIVE.get(key)
    served = live.served if live is not None else None
    if served is not None and served[0] == stamp:
        return served[1]
    with _update_lock(key):
        live = _LIVE.get(key)
        if live is not None and live.served is not None and live.served[0] == stamp:
            return live.served[1]  # another thread brought it here while this one waited
        if live is None or cutoff < live.cutoff or not _catch_up(session, live, parts, now=now, window_h=window_h):
            live = _read_all(session, parts, now=now, window_h=window_h)
            _LIVE[key] = live
        names = user_names(session)
        data = shape(live.rows.values(), names=names, now=now, closed_window_h=window_h, ocat=ocat, memo=live.memo,
                     lookups=lookups, token=token_text(parts))  # fmt: skip
        for rid in [rid for rid in live.memo.records if rid not in live.rows]:
            del live.memo.records[rid]
        if data.meta.ocat_ok:  # an Ocat outage is not kept: the next reader tries the Ocat again
            live.served = (stamp, data)
        return data


def _read_all(session: Session, parts: tuple[int, int, int], *, now: datetime, window_h: float) -> _Live:
    rows = board_rows(session, now=now, window_h=window_h)
    return _Live(parts=parts, cutoff=int(now.timestamp() - window_h * 3600), rows={r[0]: r for r in rows})


def _catch_up(session: Session, live: _Live, parts: tuple[int, int, int], *, now: datetime, window_h: float) -> bool:
    """Bring `live` to `parts` from the events since its token; False when only a full read will do.
    Called under the board's update lock; `live` changes only after every read succeeded."""
    if parts == live.parts:
        return True
    (ev0, _rev0, count0), (ev1, _rev1, count1) = live.parts, parts
    if ev1 < ev0:
        return False  # an older snapshot than the board's, or another database: read it as it is
    found = session.execute(
        select(Event.action, Event.target).where(Event.id > ev0, Event.id <= ev1).limit(MAX_EVENTS + 1)
    ).all()
    if len(found) > MAX_EVENTS:
        return False
    submitted = sum(1 for action, _ in found if action == "submit")
    undone = sum(1 for action, _ in found if action == "undo.revision")
    if count1 - count0 != submitted - undone:
        return False  # revisions came or went without their events: nothing tells which
    dirty = {int(m.group(1)) for _, target in found if (m := _OBSIDREV.match(target or ""))}
    fresh = board_rows(session, now=now, window_h=window_h, obsids=dirty) if dirty else []
    for rid in [rid for rid, row in live.rows.items() if row[1] in dirty]:
        del live.rows[rid]
    live.rows.update((r[0], r) for r in fresh)
    live.parts = parts
    if dirty:  # those obsids' rows are now as listed at this cutoff: an earlier one may miss some
        live.cutoff = max(live.cutoff, int(now.timestamp() - window_h * 3600))
    return True


def warm(
    sessions: sessionmaker[Session], *, now: datetime, closed_window_h: float, ocat: Any, lookups: Cache | None = None
) -> int:
    """Read the board once (a new worker, in the background), so its first refresh is a catch-up; the rows."""
    from data.db import session_scope

    with session_scope(sessions, readonly=True) as session:
        return len(current(session, now=now, closed_window_h=closed_window_h, ocat=ocat, lookups=lookups))


def forget() -> None:
    """Drop every live board of this worker (tests; after restoring a database file in place)."""
    with _LIVE_LOCK:
        _LIVE.clear()
        _UPDATING.clear()
