"""This worker's live status boards (`LiveBoards`): read in full once, then kept current from the `changes` table.

The database's own triggers (migration 5) append an `(obsid, at)` row to `changes` for every row any writer
inserts, updates or deletes in `revisions` or `signoffs`: this app, v2.1 during the switch-over, an operator's
SQL. So when the change token moves, the `changes` rows since the last read name every obsid whose rows may
differ, and only those obsids are re-read (their rows and their per-obsid facts: approved, higher revision signed).
Rows of other obsids keep their tuples, and `data.board.rows.shape` keeps their records. A change the table cannot
explain cheaply (more than `MAX_CHANGES` rows at once, a token that went back, rows since the last read already
deleted) means a full read. So `changes` rows may be deleted at any time: a worker then reads the board in full once.

Writers commit in id order: SQLite has one writer at a time; on PostgreSQL every write transaction of this app
takes one advisory lock first (`data.db`), and the trigger function takes the same lock for any other writer, so
"changes after the last one seen" skips none.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, sessionmaker

from data.board.rows import BoardData, BoardRow, Memo, board_rows, shape, token_parts, token_text, user_names
from data.db import session_scope
from data.models import Change
from data.ocat.cache import Cache

MAX_CHANGES = 1000
"""More `changes` rows than this since the last read (a bulk load, a restore): read the board in full instead."""

_CHANGED = (
    select(Change.obsid, select(func.min(Change.id)).scalar_subquery())
    .where(Change.id > bindparam("after"), Change.id <= bindparam("upto"))
    .limit(MAX_CHANGES + 1)
)
"""The obsids changed since the board's token, each with the oldest id left (all rows since the token are there
only if it is at most the token + 1)."""


@dataclass
class _Live:
    """One board (one revision DB and window) as this worker last read it. Changed only under its key's update
    lock (`LiveBoards`); `served` (token parts and minute, the board) is replaced whole, so readers need no lock."""

    parts: tuple[int, int]
    cutoff: int
    rows: dict[int, BoardRow]  # revision id -> its row
    memo: Memo = field(default_factory=Memo)
    served: tuple[tuple[Any, ...], BoardData] | None = None


class LiveBoards:
    """This worker's live boards, one per revision DB and window, owned by the app (`web.db.Resources.boards`):
    each app (and each test's) starts with none, and drops them with itself."""

    def __init__(self) -> None:
        self._boards: dict[tuple[str, float], _Live] = {}
        self._updating: dict[tuple[str, float], threading.Lock] = {}
        self._lock = threading.Lock()
        self.derived: dict[str, Any] = {}
        """What readers make of the boards and keep between refreshes, by name (the board page's grid rows)."""

    def kept(self, url: str, window_h: float) -> _Live | None:
        """The live board of the revision DB at `url` for `window_h`, as last read (None before the first read)."""
        return self._boards.get((url, float(window_h)))

    def _update_lock(self, key: tuple[str, float]) -> threading.Lock:
        """One catch-up at a time per board: a second thread waits, then finds the board already current."""
        with self._lock:
            return self._updating.setdefault(key, threading.Lock())

    def current(
        self, session: Session, *, now: datetime, closed_window_h: float, ocat: Any, lookups: Cache | None = None
    ) -> BoardData:
        """The board at `now`, from this worker's live copy: unchanged token and minute -> the same object."""
        window_h = float(closed_window_h)
        key = (str(session.get_bind().url), window_h)
        parts = token_parts(session)
        cutoff = int(now.timestamp() - window_h * 3600)
        stamp = (parts, int(now.timestamp()) // 60)
        live = self._boards.get(key)
        served = live.served if live is not None else None
        if served is not None and served[0] == stamp:
            return served[1]
        with self._update_lock(key):
            live = self._boards.get(key)
            if live is not None and live.served is not None and live.served[0] == stamp:
                return live.served[1]  # another thread brought it here while this one waited
            if live is None or cutoff < live.cutoff or not _catch_up(session, live, parts, now=now, window_h=window_h):
                live = self._boards[key] = _read_all(session, parts, now=now, window_h=window_h)
            data = shape(
                live.rows.values(),
                names=user_names(session),
                now=now,
                closed_window_h=window_h,
                ocat=ocat,
                memo=live.memo,
                lookups=lookups,
                token=token_text(parts),
            )
            for rid in [rid for rid in live.memo.records if rid not in live.rows]:
                del live.memo.records[rid]
            if data.meta.ocat_ok:  # an Ocat outage is not kept: the next reader tries the Ocat again
                live.served = (stamp, data)
            return data

    def warm(
        self,
        sessions: sessionmaker[Session],
        *,
        now: datetime,
        closed_window_h: float,
        ocat: Any,
        lookups: Cache | None = None,
    ) -> int:
        """Read the board once (a new worker, in the background), so its first refresh is a catch-up; the rows."""
        with session_scope(sessions, readonly=True) as session:
            return len(self.current(session, now=now, closed_window_h=closed_window_h, ocat=ocat, lookups=lookups))


def _read_all(session: Session, parts: tuple[int, int], *, now: datetime, window_h: float) -> _Live:
    rows = board_rows(session, now=now, window_h=window_h)
    return _Live(parts=parts, cutoff=int(now.timestamp() - window_h * 3600), rows={r.revision_id: r for r in rows})


def _catch_up(session: Session, live: _Live, parts: tuple[int, int], *, now: datetime, window_h: float) -> bool:
    """Bring `live` to `parts` from the `changes` rows since its token; False when only a full read will do.
    Called under the board's update lock; `live` changes only after every read succeeded."""
    if parts == live.parts:
        return True
    dirty = changed_obsids(session, live.parts, parts)
    if dirty is None:
        return False
    fresh = board_rows(session, now=now, window_h=window_h, obsids=dirty) if dirty else []
    for rid in [rid for rid, row in live.rows.items() if row.obsid in dirty]:
        del live.rows[rid]
    live.rows.update((r.revision_id, r) for r in fresh)
    live.parts = parts
    if dirty:  # those obsids' rows are now as listed at this cutoff: an earlier one may miss some
        live.cutoff = max(live.cutoff, int(now.timestamp() - window_h * 3600))
    return True


def changed_obsids(session: Session, before: tuple[int, int], after: tuple[int, int]) -> set[int] | None:
    """The obsids whose revisions or sign-offs changed from token parts `before` to `after` (`changes` rows);
    None when those rows cannot tell and only a full read will do."""
    (changed0, ev0), (changed1, ev1) = before, after
    if changed1 < changed0 or ev1 < ev0:
        return None  # an older snapshot than the reader's, or another database: read it as it is
    if changed1 == changed0:
        return set()
    found = session.connection().execute(_CHANGED, {"after": changed0, "upto": changed1}).all()
    if not found or found[0][1] > changed0 + 1 or len(found) > MAX_CHANGES:
        return None  # rows after the reader's token were deleted (pruned), or too many to re-read by obsid
    return {obsid for obsid, _oldest in found}
