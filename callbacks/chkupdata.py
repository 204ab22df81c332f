"""Callbacks of the Parameter Check Page (other-pages §4, D18): the provide-form and the revision view.

`load_check(obsidrev)` reads the revision (data.revisions.store) and the current Ocat record, merges them with the
one three-way merge (`data.revisions.compare.merge_rows`, ranks split per cell) and lays the rows out with
`callbacks._check_rows`: a small header and one grid that carries its rows as data
(`pages._components.check_grids`). The page layout calls it while it is served (the page arrives filled, one round
trip); "Re-read the Ocat" calls it again. A down Ocat shows a banner; the revision part (requests, sign-offs,
notes) is shown all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html, no_update

from callbacks import _check_rows as shape
from callbacks._context import ocat_source, session_scope, settings
from data.clock import local_text
from data.errors import NotFound, OcatUnavailable
from data.ids import parse_obsidrev
from data.ocat.read import parameter_values, read_observation
from data.parameters.catalogue import NOTE_LABELS, SIGNOFF_LABELS
from data.revisions.compare import merge_rows
from data.revisions.store import get_revision, history
from pages._components import check_grids as grids
from pages._components import check_tables as ui
from pages._ids import CheckIds

FORMAT_HELP = "Expected <obsid>.<rev>, e.g. 12345.004."


def goto(_clicks: int | None, _submits: int | None, text: str | None) -> tuple[Any, str]:
    """The provide-form: open `/chkupdata/<obsid>.<rev>` or say what is wrong with the input."""
    value = (text or "").strip()
    if not value:
        return no_update, f"Please enter an obsid.rev. {FORMAT_HELP}"
    parsed = parse_obsidrev(value)
    if parsed is None:
        return no_update, f"Ill-formatted Obsid.Rev: “{value[:40]}”. {FORMAT_HELP}"
    return f"/chkupdata/{parsed[0]}.{parsed[1]:03d}", ""


def _formatter() -> Callable[[datetime | None], str]:
    """Times as the site shows them: local, with the zone label (data.clock.local_text)."""
    return partial(local_text, zone=settings().timezone)


def load_check(obsidrev: str | None) -> tuple[Any, bool, str]:
    """(content, form hidden, form message) for the page's obsidrev."""
    if not obsidrev or obsidrev == "index":
        return None, False, ""
    parsed = parse_obsidrev(obsidrev)
    if parsed is None:
        return None, False, f"Ill-formatted Obsid.Rev: “{obsidrev[:40]}”. {FORMAT_HELP}"
    obsid, rev = parsed
    with session_scope(readonly=True) as session:
        revisions = history(session, obsid, with_values=False)
        if not revisions:
            return None, False, f"No revisions found for obsid = {obsid}."
        numbers = [r.revision_number for r in revisions]
        notices = []
        if rev not in numbers:
            notices.append(f"Could not find obsid.rev = {obsidrev}. Returning most recent revision instead.")
            rev = numbers[-1]
        view = get_revision(session, obsid, rev, with_values=True)
    current, ocat_notice = _current(obsid)
    return build_content(view, revisions, current, notices, ocat_notice), True, ""


def _current(obsid: int) -> tuple[dict[str, Any], str | None]:
    """The obsid's Ocat record (as `read_observation` gives it), or {} and a banner text."""
    try:
        return read_observation(ocat_source(), obsid, settings().obs_ss), None
    except OcatUnavailable as err:
        return {}, f"The Ocat cannot be reached, so current values are not shown ({err.user_message})."
    except NotFound:
        return {}, f"Obsid {obsid} is not in the Ocat, so current values are not shown."


def _step_button(text: str, obsidrev: str) -> dbc.Button:
    """A button to the check page of the revision before or after this one."""
    return dbc.Button(text, href=f"/chkupdata/{obsidrev}", size="sm", outline=True, color="secondary", className="me-2")


def build_content(
    view: Any, revisions: list[Any], current: dict[str, Any], notices: list[str], ocat_notice: str | None
) -> html.Div:
    """The whole revision view from plain values (no DB, no Ocat): testable without a request. `current` is the
    Ocat record ({} with `ocat_notice` when it could not be read)."""
    fmt = _formatter()
    original, requested = view.originals, view.requests
    known = ocat_notice is None
    merged = merge_rows(parameter_values(current) if known else None, [view], obsid=view.obsid, split_ranks=True)
    alerts = [dbc.Alert(n, color="info", className="py-2") for n in notices]
    if ocat_notice:
        alerts.append(dbc.Alert(ocat_notice, color="warning", className="py-2 usint-ocat-down"))
    numbers = [r.revision_number for r in revisions]
    index = numbers.index(view.revision_number)
    prev_rev = revisions[index - 1] if index > 0 else None
    next_rev = revisions[index + 1] if index + 1 < len(revisions) else None
    nav = html.Div(
        [
            _step_button(f"← {prev_rev.obsidrev}", prev_rev.obsidrev) if prev_rev else None,
            _step_button(f"{next_rev.obsidrev} →", next_rev.obsidrev) if next_rev else None,
            dbc.Button(
                "Open in the editor",
                href=f"/ocatdatapage/{view.obsid}",
                size="sm",
                color="primary",
                outline=True,
                className="me-2",
            ),
            dbc.Button("Revision history", href=f"/history/{view.obsid}", size="sm", color="primary", outline=True),
        ],
        className="mb-2",
    )
    others = [(r.obsidrev, f"/chkupdata/{r.obsidrev}") for r in revisions if r.revision_number != view.revision_number]
    info_rows = [
        [
            ("Obsid.Rev", view.obsidrev),
            ("Sequence #", current.get("seq_nbr") or view.sequence_number),
            ("Proposal #", current.get("proposal_number")),
        ],
        [
            ("Target Name", current.get("targname")),
            ("Group ID", current.get("group_id")),
            ("Obs AO", current.get("obs_ao_str")),
        ],
        [("PI Name", current.get("pi_name")), ("Submitted By", view.user), ("Submitted As", view.kind)],
    ]
    notes = [NOTE_LABELS.get(k, k.replace("_", " ")) for k, v in (view.notes or {}).items() if v]
    changes = shape.change_groups(original, requested)
    return html.Div(
        [
            html.Div(
                [
                    html.H3(f"Observation: {view.obsidrev}", className="d-inline-block me-3", id=CheckIds.HEADING),
                    html.Span(f"(submitted: {fmt(view.time)})", className="text-muted float-end"),
                ]
            ),
            *alerts,
            nav,
            ui.make_info(info_rows, current.get("proposal_title"), view.kind),
            ui.make_links(
                others, title="Other Revision Available" if len(others) == 1 else "Other Revisions Available"
            ),
            html.H4("Sign-off state", className="h5 mt-3"),
            ui.make_signoff_table(view.signoff, SIGNOFF_LABELS, fmt),
            html.Div(
                [html.Span("Notes: ", className="text-muted")]
                + [dbc.Badge(n, color="warning", text_color="dark", className="me-1") for n in notes],
                className="mb-2",
            )
            if notes
            else None,
            ui.make_text_blocks(
                [shape.text_block("remarks", original, requested), shape.text_block("comments", original, requested)]
            ),
            html.Div(
                [html.H4("Change Requested Parameters", className="h5 mt-3")]
                + [ui.make_change_table(title, rows) for title, rows in changes]
            )
            if changes
            else None,
            html.H4("All Parameters", className="h5 mt-3"),
            html.P("Original is n/a: this revision stored no original values.", className="small text-muted")
            if not original
            else None,
            grids.legend(shape.LEGEND),
            grids.values_grid(shape.value_rows(merged, current_known=known)),
        ],
        className="usint-check",
    )


def reread_check(obsidrev: str | None, _clicks: int | None) -> tuple[Any, bool, str]:
    """ "Re-read the Ocat": the same view again, with the Ocat as it is now (the page arrives filled, E6)."""
    return load_check(obsidrev)


def register(app: Dash) -> None:
    app.callback(
        Output(CheckIds.CONTENT, "children"),
        Output(CheckIds.FORM, "hidden"),
        Output(CheckIds.FEEDBACK, "children"),
        Input(CheckIds.OBSIDREV, "data"),
        Input(CheckIds.REFRESH, "n_clicks"),
        prevent_initial_call=True,
    )(reread_check)
    app.callback(
        Output(CheckIds.REDIRECT, "href"),
        Output(CheckIds.FEEDBACK, "children", allow_duplicate=True),
        Input(CheckIds.SUBMIT, "n_clicks"),
        Input(CheckIds.INPUT, "n_submit"),
        State(CheckIds.INPUT, "value"),
        prevent_initial_call=True,
    )(goto)
