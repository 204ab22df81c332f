"""Pure shaping for the history page (E12): an `ObsidHistory` in, ag-grid rows (plain strings) out. No Dash, no DB."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from callbacks._check_rows import NOT_AVAILABLE, show
from data.models import DISCARD, NOT_REQUIRED, SIGNED
from data.parameters.catalogue import SIGNOFF_COLUMNS, SIGNOFF_LABELS
from data.revisions.compare import APPLIED, PENDING, UNKNOWN, is_na
from data.revisions.history import Change, HistoryEvent, ObsidHistory
from data.revisions.store import RevisionView

Formatter = Callable[[datetime | None], str]

STATE_TEXT = {APPLIED: "in the Ocat", PENDING: "not in the Ocat yet", UNKNOWN: "Ocat unavailable"}
EVENT_TEXT = {
    "submit": "submitted",
    "approve": "signed USINT verification and approved",
    "discard": "discarded",
    "undo.revision": "removed the revision",
}


def _label(label: str, unit: str | None) -> str:
    return f"{label} [{unit}]" if unit else label


def current_rows(data: ObsidHistory) -> list[dict[str, Any]]:
    """The merge's requested parameters: latest request, its revision, the Ocat value now and the state."""
    rows = []
    for r in data.current:
        rows.append(
            {
                "id": r["name"],
                "name": r["name"],
                "parameter": _label(r["label"], r["unit"]),
                "requested": show(r["requested"]),
                "revision": None if is_na(r["revision"]) else r["revision"],
                "current": "unavailable" if is_na(r["current"]) else show(r["current"]),
                "state": r["state"],
                "state_text": STATE_TEXT.get(r["state"], ""),
            }
        )
    return rows


def event_text(event: HistoryEvent, fmt: Formatter) -> str:
    """One audit event as a sentence."""
    action = event.action
    if action.startswith("sign."):
        what = f"signed {SIGNOFF_LABELS.get(action[5:], action[5:])}"
    elif action.startswith("undo.") and action != "undo.revision":
        what = f"undid the {SIGNOFF_LABELS.get(action[5:], action[5:])} sign-off"
    else:
        what = EVENT_TEXT.get(action, action)
    return f"{fmt(event.time)}: {event.user or 'someone'} {what}"


def revision_state(view: RevisionView) -> str:
    statuses = [s["status"] for s in view.signoff.values()]
    if "Pending" in statuses:
        return "open"
    if DISCARD in statuses:
        return "discarded"
    return {"asis": "approved", "remove": "removed"}.get(view.kind, "closed")


def signoff_cells(view: RevisionView, fmt: Formatter) -> dict[str, str]:
    """Per sign-off column: who signed (`✓ bob`), `Pending` or `Discard`, "" when Not Required; the whole
    sentence with the time in `<column>_tip`."""
    cells: dict[str, str] = {}
    for column in SIGNOFF_COLUMNS:
        s = view.signoff[column]
        status = "" if s["status"] == NOT_REQUIRED else s["status"]
        by = f" by {s['user']}" if s["user"] and status else ""
        cells[column] = f"✓ {s['user']}" if status == SIGNED and s["user"] else status
        cells[f"{column}_tip"] = f"{status}{by} {fmt(s['time'])}" if s["time"] and status else status
    return cells


def revision_rows(data: ObsidHistory, fmt: Formatter) -> list[dict[str, Any]]:
    """Newest first: each revision (kind, submitter, state, each sign-off column, what it requested, events),
    then the revisions removed by their submitter (known from their events only)."""
    events: dict[str, list[str]] = {}
    for event in data.events:
        events.setdefault(event.target, []).append(event_text(event, fmt))
    rows = [
        {
            "id": view.obsidrev,
            "obsidrev": view.obsidrev,
            "link": True,
            "removed": False,
            "kind": view.kind,
            "submitted": f"{view.user} {fmt(view.time)}",
            "state": revision_state(view),
            **signoff_cells(view, fmt),
            "requested": requested_text(view, data.changes.get(view.obsidrev, [])),
            "events": "; ".join(events.get(view.obsidrev, [])),
        }
        for view in reversed(data.revisions)
    ]
    rows += [
        {
            "id": rev,
            "obsidrev": rev,
            "link": False,
            "removed": True,
            "kind": "",
            "submitted": "",
            "state": "removed by its submitter",
            "requested": "",
            "events": "; ".join(events.get(rev, [])),
        }
        for rev in data.removed
    ]
    return rows


def requested_text(view: RevisionView, changes: list[Change]) -> str:
    """What a revision requested, catalogue order: `Target Name: Cas A → Cas A North; …`. The original is n/a
    when the revision stored no originals (D18); an absent original row of one that did is NULL (D2)."""
    return "; ".join(
        f"{_label(c.label, c.unit)}: {show(c.original) if (c.has_original or view.originals) else NOT_AVAILABLE}"
        f" → {show(c.requested)}"
        for c in changes
    )


__all__ = [
    "STATE_TEXT",
    "current_rows",
    "event_text",
    "requested_text",
    "revision_rows",
    "revision_state",
    "signoff_cells",
]
