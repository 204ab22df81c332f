"""Listings for the Remove Accidental Submission page (other-pages §7, D17).

The rules and the undo itself live in `data.revisions.signoffs` (`undoable`, `can_undo_revision`, `undo_signoff`,
`undo_revision`), which check them again on the server, record the event and write the operation log line. This
module only adds the two listings the page needs, so the page never holds a second copy of a rule.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from data.models import SIGNOFF_PREFIXES, Revision, Signoff, User
from data.revisions.signoffs import Undoable, undo_revision, undo_signoff, undoable
from data.revisions.store import RevisionView, parse_obsidrev, revisions_where

REVISION = "revision"
"""The pseudo-column that stands for the revision itself (v2.1's `column == 'revision'`)."""
RECENT_LIMIT = 10


def reversible_items(
    session: Session, user: User | None, now: datetime, closed_window_h: float = 36.0
) -> list[Undoable]:
    """The user's own sign-offs and own revisions (nobody else signed) of the last `closed_window_h` hours,
    newest revision first; each with the columns that can be reset and whether the revision can be removed."""
    return undoable(session, user=user, now=now, window_h=closed_window_h)


def recent_rows(session: Session, user: User | None, limit: int = RECENT_LIMIT) -> list[RevisionView]:
    """The user's newest revisions (submitted or signed by them), read-only: shown when nothing can be undone."""
    user_id = getattr(user, "id", None)
    if user_id is None:
        return []
    # The newest `limit` of each part, merged: short ranges of ix_revisions_user_id and ix_signoffs_*_signoff_id
    # (one OR across the joined tables scans every revision).
    parts = [select(Revision.id.label("id")).where(Revision.user_id == user_id).order_by(Revision.id.desc())]
    parts += [
        select(Signoff.revision_id.label("id"))
        .where(getattr(Signoff, f"{c}_signoff_id") == user_id)
        .order_by(Signoff.revision_id.desc())
        for c in SIGNOFF_PREFIXES
    ]
    newest = union(*(select(p.limit(limit).subquery().c.id) for p in parts)).subquery()
    return revisions_where(session, Revision.id.in_(select(newest.c.id)), limit=limit)


def undo(
    session: Session, obsidrev: str, column: str, *, user: User, now: datetime, closed_window_h: float = 36.0
) -> RevisionView:
    """Undo one item: `column` is a sign-off column (reset to Pending) or `revision` (delete the revision).
    The service re-checks ownership and the window and raises Forbidden / Conflict when it no longer holds."""
    obsid, rev = parse_obsidrev(obsidrev)
    if column == REVISION:
        return undo_revision(session, obsid, rev, user=user, now=now, window_h=closed_window_h)
    return undo_signoff(session, obsid, rev, column, user=user, now=now, window_h=closed_window_h)
