"""Pure shaping for the editor's confirm and result steps (E12): the diff, the ranked sets, the three-way view of
D8, the per-obsid dry run and the thank-you page. No Dash callbacks and no data access here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from data.clock import local_text
from data.parameters import values as V
from data.parameters.catalogue import NOTE_LABELS, PARAMETERS, RANK_SETS, SIGNOFF_LABELS
from data.parameters.validator import original_ranks
from data.settings import DEFAULT_PERMISSIONS
from data.users import signers
from pages._components.editor_fields import LINKS, shown_value
from pages._components.text_links import linked
from pages._ids import EditorIds

KIND_LABELS = {
    "norm": "Normal Change",
    "asis": "Approved for flight",
    "remove": "No longer ready to go",
    "clone": "Split request",
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
DONE_NOTES = {
    "norm": "Changes may take 48 hours to appear in the database.",
    "asis": "Approval is immediate.",
    "remove": "The obsid was removed from the approved list.",
    "clone": "Cloning may take 48 hours.",
}


def change_items(changes: Mapping[str, tuple[Any, Any]]) -> list[html.Li]:
    """The "changes so far" list under the form: label, original → requested, unit."""
    out = []
    for name, (orig, new) in changes.items():
        p = PARAMETERS.get(name)
        unit = f" {p.unit}" if p and p.unit else ""
        out.append(html.Li(f"{p.label if p else name}: {shown_value(orig)} → {shown_value(new)}{unit}"))
    return out


def _cell(value: Any) -> str:
    """A rank cell for display: stored dates as `Mon DD YYYY HH:MM` (UT), NULL as NA."""
    if isinstance(value, datetime) or (isinstance(value, str) and ISO_DATE.match(value)):
        try:
            return V.to_display(value) or "NA"
        except ValueError:
            pass
    return shown_value(value)


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value) or "NA"
    return _cell(value)


def rank_diff(rs: Any, before: list[Mapping[str, Any]], after: list[Mapping[str, Any]]) -> html.Div:
    """One ranked set on the confirm step: "Order = n" rows tagged Created / Deleted, changed cells in red."""
    head = html.Tr([html.Th("Order")] + [html.Th(PARAMETERS[c].label) for c in rs.columns] + [html.Th("")])
    rows = []
    for i in range(max(len(before), len(after))):
        old = before[i] if i < len(before) else None
        new = after[i] if i < len(after) else None
        tag, colour = (
            ("Created", "table-success") if old is None else ("Deleted", "table-danger") if new is None else ("", "")
        )
        cells = []
        for c in rs.columns:
            if old is not None and new is not None and not V.approx_equals(old.get(c), new.get(c)):
                cells.append(html.Td([html.Del(_cell(old.get(c))), " → ", _cell(new.get(c))], className="text-danger"))
            else:
                cells.append(html.Td(_cell((new if new is not None else old).get(c))))
        rows.append(html.Tr([html.Td(f"Order = {i + 1}")] + cells + [html.Td(tag)], className=colour))
    return html.Div(
        [
            html.H3(f"{rs.label}: {len(before)} rows before, {len(after)} requested", className="h6 mt-3"),
            dbc.Table([html.Thead(head), html.Tbody(rows)], size="sm", bordered=True),
        ]
    )


def conflict_view(obsid: int, conflicts: Mapping[str, Mapping[str, Any]]) -> list[Any]:
    """D8: a parameter being changed changed in the Ocat since loading; loaded / now / requested, and a way back."""
    rows = [
        html.Tr(
            [
                html.Td(PARAMETERS[k].label if k in PARAMETERS else k),
                html.Td(_value_text(v.get("loaded"))),
                html.Td(_value_text(v.get("now")), className="text-danger fw-bold"),
                html.Td(_value_text(v.get("requested"))),
                html.Td(PARAMETERS[k].unit or "" if k in PARAMETERS else ""),
            ]
        )
        for k, v in conflicts.items()
    ]
    head = html.Tr(
        [html.Th(t) for t in ("Parameter", "When you loaded it", "Now in the Ocat", "You requested", "Unit")]
    )
    return [
        dbc.Alert(
            [
                html.H2("The Ocat changed since you loaded this observation", className="h5 alert-heading"),
                html.P(
                    "Someone changed the parameters below in the Ocat while you were editing them, so nothing was "
                    "submitted. Go back to the editor: it reloads the current Ocat values; make your changes again.",
                    className="mb-0",
                ),
            ],
            color="danger",
        ),
        dbc.Table([html.Thead(head), html.Tbody(rows)], size="sm", bordered=True, id=EditorIds.CONFLICTS),
        html.A(
            "Back to the editor with the current Ocat values",
            href=LINKS["editor"].format(obsid=obsid),
            className="btn btn-primary",
            id=EditorIds.CONFLICT_RELOAD,
            **{"data-leave": "ok"},  # the user was told; the edits stay in this browser (assets/editor.js)
        ),
    ]


def refreshed_note(names: Sequence[str]) -> dbc.Alert:
    labels = ", ".join(PARAMETERS[n].label if n in PARAMETERS else n for n in names[:12])
    if len(names) > 12:
        labels += f" and {len(names) - 12} more"
    return dbc.Alert(
        f"The Ocat changed since you loaded this observation ({labels}). You did not change these, so the "
        "originals of your revision were taken from the current Ocat.",
        color="info",
        id=EditorIds.REFRESHED,
    )


def _scalar_table(changes: Mapping[str, tuple[Any, Any]]) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th("Parameter"), html.Th("Original"), html.Th("Requested"), html.Th("Unit")]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(PARAMETERS[k].label),
                    html.Td(shown_value(o)),
                    html.Td(shown_value(n)),
                    html.Td(PARAMETERS[k].unit or ""),
                ]
            )
            for k, (o, n) in changes.items()
        ]
    )
    return dbc.Table([head, body], size="sm", bordered=True)


def note_words(notes: Mapping[str, Any]) -> str:
    """A revision's notes in words, in the catalogue's order (NOTE_LABELS); an unknown key as it is."""
    known = [label for key, label in NOTE_LABELS.items() if notes.get(key)]
    return ", ".join(known + sorted(k for k, v in notes.items() if v and k not in NOTE_LABELS))


def _error_text(name: str, message: str) -> str:
    """A refusal of the dry run named by its parameter's label (a rank cell by its rank)."""
    column, _, index = name.partition("[")
    p = PARAMETERS.get(column)
    if p is None:
        return message
    return f"{p.label}" + (f" (rank {int(index.rstrip(']')) + 1})" if index else "") + f": {message}"


def _revision_line(r: Any, zone: tzinfo) -> list[Any]:
    when = local_text(r.time, zone, empty="at an unknown time")
    return [
        html.A(r.obsidrev, href=LINKS["check"].format(obsidrev=r.obsidrev), className="editor-newer-link"),
        f" ({KIND_LABELS.get(r.kind, r.kind)}) submitted by {r.user or 'someone'} on {when}",
    ]


def newer_notice(obsid: int, newer: Sequence[Any], zone: tzinfo) -> list[Any]:
    """The confirm step's notice of revisions submitted after the editor was loaded: each obsid.rev (linked to its
    check page), kind, who and when; then the two ways on."""
    if not newer:
        return []
    many = len(newer) > 1
    return [
        html.Strong(
            f"{'These revisions' if many else 'A revision'} of obsid {obsid} {'were' if many else 'was'} submitted "
            "after you opened this page:"
        ),
        html.Ul([html.Li(_revision_line(r, zone)) for r in newer], className="mb-1"),
        html.Div(
            [
                "Yours would be submitted on top of "
                + ("them" if many else "it")
                + ". Check what changed, then either ",
                html.A(
                    "reload the editor",
                    href=LINKS["editor"].format(obsid=obsid),
                    id=EditorIds.NEWER_RELOAD,
                    **{"data-leave": "ok"},
                ),
                " (your edits are kept in this browser and offered again) or tick the box to submit yours anyway.",
            ]
        ),
    ]


def unseen_revisions(obsid: int, newer: Sequence[Any], zone: tzinfo) -> dbc.Alert:
    """Finalize refused: revisions arrived that the confirm step did not show; nothing was written."""
    return dbc.Alert(
        [
            html.Strong("Nothing was submitted. "),
            f"Obsid {obsid} got new revisions since your confirm step: ",
            *[part for r in newer for part in [*_revision_line(r, zone), "; "]][:-1],
            ". Press Back, then Submit again to review them.",
        ],
        color="danger",
        id=EditorIds.UNSEEN,
    )


def pending_text(signoffs: Mapping[str, str], permissions: Mapping[str, Sequence[str]]) -> str:
    """The sign-offs a submission makes Pending and who may sign each, from the site's permissions (as v2.1
    showed the routing): `General (ArcOps or USINT), USINT verification (USINT)`."""
    pending = [f"{SIGNOFF_LABELS[c]} ({signers(c, permissions)})" for c, s in signoffs.items() if s == "Pending"]
    return "Sign-offs that become Pending, and who signs them: " + ("; ".join(pending) or "none")


def confirm_body(
    plan: Any, dropped: str = "", permissions: Mapping[str, Sequence[str]] = DEFAULT_PERMISSIONS
) -> list[Any]:
    """The confirm step: what the kind drops of the edits, diff table, ranked sets, warnings, notes, sign-offs
    (with who signs each, under `permissions`), per-obsid dry run."""
    report = plan.report
    body: list[Any] = [
        html.H2(f"Confirm: {KIND_LABELS.get(plan.kind, plan.kind)} for obsid {plan.obsid}", className="h4"),
        html.P("Check the values below, then press Finalize; press Back to edit them again.", className="small"),
    ]
    if dropped:
        body.append(
            dbc.Alert(
                dropped + " Press Back and choose Normal Change to submit them.", color="warning", id=EditorIds.DROPPED
            )
        )
    if plan.errors:
        body.append(dbc.Alert([html.Div(_error_text(k, v)) for k, v in plan.errors.items()], color="danger"))
    if plan.conflicts:
        body += conflict_view(plan.obsid, plan.conflicts)
    scalar = {k: v for k, v in report.changes.items() if not PARAMETERS[k].rank_set}
    if scalar:
        body.append(_scalar_table(scalar))
    for key, rs in RANK_SETS.items():
        if any(c in report.changes for c in rs.columns):
            body.append(rank_diff(rs, original_ranks(plan.record or {}, key), report.latest.get(rs.records_key) or []))
    if report.warnings:
        body.append(dbc.Alert([html.Div(linked(w)) for w in report.warnings], color="warning", id=EditorIds.WARNINGS))
    if report.notes:
        body.append(html.Div("Notes: " + note_words(report.notes), className="small", id=EditorIds.NOTES))
    body.append(html.Div(pending_text(report.signoffs, permissions), className="small", id=EditorIds.PENDING))
    if plan.extras:
        body.append(html.H3("Extra obsids (dry run)", className="h6 mt-2"))
        body.append(
            html.Ul([html.Li(f"{e.obsid}: {e.outcome}" + (f" — {e.reason}" if e.reason else "")) for e in plan.extras])
        )
    return body


def result_body(result: Any) -> list[Any]:
    """After Finalize: each obsid.rev written, with its check-page link, and the extras not processed."""
    items = [
        html.Li(html.A(r, href=LINKS["check"].format(obsidrev=r), id={"type": "editor-result-link", "obsidrev": r}))
        for r in result.revisions
    ]
    skipped = [html.Li(f"{e.obsid}: {e.outcome} — {e.reason}") for e in result.extras if e.outcome != "revision"]
    body = [
        html.H2(
            f"Thank you: obsid {result.obsid} was submitted ({KIND_LABELS.get(result.kind, result.kind)}).",
            className="h4",
        ),
        html.P(DONE_NOTES.get(result.kind, "")),
        *([refreshed_note(result.refreshed)] if result.refreshed else []),
        html.P("Revisions written:" if not result.replayed else "Already submitted; the revisions are:"),
        html.Ul(items, id="editor-result-list"),
    ]
    if skipped:
        body += [html.P("Not processed:"), html.Ul(skipped)]
    body.append(html.A("Open another obsid", href="/ocatdatapage"))
    return body
