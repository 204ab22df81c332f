"""Callbacks of the editor (Ocat Data Page): load, live validation, ranked rows, confirm, finalize (E10).

Every check goes through data.parameters.validator (D6) and every write through data.revisions.submission (the same service as the
API). Validation errors are return values shown under the fields (E13); surprises raise data.errors.*.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks import _context as C
from callbacks._figures_editor import focal_plane_figure
from data.events import jsonable
from data.parameters import values as V
from data.parameters.catalogue import ACTIVE_STATUSES, PARAMETERS, RANK_SETS, SIGNOFF_LABELS
from data.parameters.validator import ValidationContext, form_values, original_ranks, validate
from pages._components.editor_fields import (
    LINKS,
    NULL_OPTION,
    footer_links,
    image_row,
)
from pages._ids import EditorIds, editor_feedback, editor_field, editor_readonly

HIDE, SHOW = {"display": "none"}, {}
RANK_KEYS = ("time", "roll", "window")
KIND_LABELS = {"norm": "Normal Change", "asis": "Approved for flight", "remove": "No longer ready to go",
               "clone": "Split request"}  # fmt: skip
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


# ---------------------------------------------------------------------------------------------------- pure helpers


def warning_line(record: Mapping[str, Any], *, now: datetime, on_or: bool, approved: bool) -> str:
    """The red line at the top of the editor (ocat-data-page §2.6, [REC] branches)."""
    status = str(record.get("status") or "").lower()
    if status and status not in ACTIVE_STATUSES:
        if status in ("observed", "archived", "triggered"):
            return f"This observation was already {status.upper()}; it cannot be updated any more."
        return f"This observation was {status}; it cannot be updated any more."
    date = record.get("soe_st_sched_date")
    lts = date is None
    if lts:
        date = record.get("lts_lt_plan")
    line = ""
    when = None
    if date is not None:
        try:
            when = V.parse_datetime(date)
        except ValueError:
            when = None
    naive_now = now.astimezone().replace(tzinfo=None) if now.tzinfo is None else now.replace(tzinfo=None)
    diff = (when - naive_now).total_seconds() if when else 1e8
    days = max(int(diff / 86400), 0) if when else 1000
    shown = V.format_ocat_date(when) if when else ""
    if lts and when and diff < 0:
        line = f"The LTS date ({shown}) has already passed."
    elif not lts and days == 0:
        line = f"This observation is scheduled for today ({shown})."
    elif diff < 864000:
        if on_or and status == "scheduled":
            line = f"{days} days left to the scheduled date; MP permission required to modify (Scheduled on: {shown})."
        elif on_or:
            line = f"Under review in an active OR list; MP permission required (LTS Date: {shown})."
        elif lts and status == "unobserved":
            line = f"{days} (LTS) days left but not yet scheduled; check with MP whether the date is still possible."
        else:
            line = f"Scheduled on {shown}."
    elif on_or:
        line = "Under review in an active OR list; MP permission required" + (
            f" (LTS Date: {shown})." if lts else f" (Scheduled on: {shown})."
        )
    if approved:
        line = "This observation is already on the approved list."
    return line


def _to_widget(value: Any, name: str) -> Any:
    p = PARAMETERS.get(name)
    if p is not None and p.choices:
        if value is None and p.null_is_no:
            return "N"  # NULL and N are equal for yes/no flags without an NA option (D11)
        return NULL_OPTION if value is None else value
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else str(value)
    return str(value)


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "NA"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def gather(names: Sequence[str], values: Sequence[Any], rows: Mapping[str, list | None]) -> dict[str, Any]:
    """The form as the validator reads it: NULL_OPTION → None, ranked rows under their records keys."""
    form = {n: (None if v == NULL_OPTION else v) for n, v in zip(names, values, strict=False)}
    for key in RANK_KEYS:
        form[RANK_SETS[key].records_key] = [
            {c: r.get(c) for c in RANK_SETS[key].columns} for r in (rows.get(key) or [])
        ]
    return form


def _ids_of(spec: Any) -> list[str]:
    return [item["id"]["name"] for item in spec]


def change_items(changes: Mapping[str, tuple[Any, Any]]) -> list[html.Li]:
    out = []
    for name, (orig, new) in changes.items():
        p = PARAMETERS.get(name)
        unit = f" {p.unit}" if p and p.unit else ""
        out.append(html.Li(f"{p.label if p else name}: {_shown(orig)} → {_shown(new)}{unit}"))
    return out


# ---------------------------------------------------------------------------------------------------- callbacks


def prompt_go(_n: int | None, text: str | None) -> tuple[Any, Any]:
    value = (text or "").strip()
    if not value.isdigit():
        return no_update, "The obsid must be an integer."
    return f"/ocatdatapage/{int(value)}", ""


@dataclass
class EditorData:
    """What the editor shows for one obsid: the Ocat record (JSON-safe), its form values and revision state."""

    record: dict[str, Any]
    form: dict[str, Any]
    approved: bool
    on_or: bool
    open_revisions: list[Any]


def editor_data(source: Any, session: Any, obsid: int, obs_ss: Any) -> EditorData:
    """One obsid for the editor: one batched Ocat read (D5), approval and open revisions, the OR list, form values.

    Raises NotFound when the Ocat does not have the obsid."""
    from data.ocat import read as ocat
    from data.ocat.obs_files import or_list
    from data.revisions import store as revisions

    record = jsonable(ocat.read_observation(source, obsid, obs_ss))
    return EditorData(
        record=record,
        form=form_values(record),
        approved=revisions.is_approved(session, obsid),
        on_or=obsid in or_list(obs_ss),
        open_revisions=revisions.open_revisions(session, [obsid]),
    )


def load_observation(obsid: str | None) -> tuple[Any, ...]:
    """Read the Ocat record once and fill the form, header and ranked tables."""
    if not obsid:
        raise PreventUpdate
    from data.errors import NotFound

    names = _ids_of(ctx.outputs_list[3])
    ro_names = _ids_of(ctx.outputs_list[4])
    if not str(obsid).strip().isdigit() or len(str(obsid).strip()) > 9:
        msg = f"{obsid!r} is not an obsid: type a whole number."
        return (None, _missing(msg), "", [no_update] * len(names), [no_update] * len(ro_names), [], [], [], None, HIDE,
                [])  # fmt: skip
    try:
        with C.session_scope() as session:
            data = editor_data(C.ocat_source(), session, int(obsid), C.settings().obs_ss)
    except NotFound:
        msg = f"Obsid {obsid} is not in the Ocat: check the number, or open another obsid."
        return (None, _missing(msg), "", [no_update] * len(names), [no_update] * len(ro_names), [], [], [], None, HIDE,
                [])  # fmt: skip
    record, form, approved, on_or = data.record, data.form, data.approved, data.on_or
    header = [
        html.Div(
            f"Obsid {record.get('obsid')} · Seq {record.get('seq_nbr')} · {record.get('targname')} · "
            f"{record.get('instrument')} · status {record.get('status')}",
            className="fw-bold",
        ),
        html.Div("On the approved list." if approved else "Not on the approved list.", className="small"),
        html.Div("On the active OR list." if on_or else "", className="small text-danger"),
        *header_links(record, data.open_revisions, C.current_user().username),
    ]
    warning = warning_line(record, now=C.now(), on_or=on_or, approved=approved)
    ranks = [form[RANK_SETS[k].records_key] for k in RANK_KEYS]
    return (
        record,
        header,
        warning,
        [_to_widget(form.get(n), n) for n in names],
        [_shown(form.get(n)) for n in ro_names],
        *ranks,
        uuid.uuid4().hex,
        SHOW,
        footer_links(record),
    )


def header_links(record: Mapping[str, Any], open_revisions: Sequence[Any], me: str | None) -> list[Any]:
    """ocat-data-page §3.0 items 3–4 plus History and Check-page links: image row, ChaSeR, history, open revisions."""
    obsid = record.get("obsid")
    out: list[Any] = [
        image_row(record.get("seq_nbr"), obsid, C.settings().target_image_dir),
        html.Div(
            [
                html.A(
                    "Sequence # Summary",
                    href=LINKS["chaser"].format(obsid=obsid),
                    target="_blank",
                    rel="noopener",
                    id="editor-chaser-link",
                ),  # fmt: skip
                " (with Roll/Pitch/Visibility Plots)",
                html.Span(" | ", className="text-muted"),
                html.A("History", href=LINKS["history"].format(obsid=obsid), id="editor-history-link"),
            ],
            className="small",
        ),
    ]
    if open_revisions:
        links: list[Any] = ["Open revisions: "]
        for r in open_revisions:
            who = "you" if r.user == me else r.user
            links += [
                html.A(
                    f"Check page {r.obsidrev}",
                    href=LINKS["check"].format(obsidrev=r.obsidrev),
                    className="editor-check-link",
                ),  # fmt: skip
                f" ({who}) ",
            ]
        out.append(html.Div(links, className="small text-warning", id="editor-open-revisions"))
    return out


def _missing(message: str) -> list[Any]:
    return [dbc.Alert(message, color="warning", className="mb-2"), html.A("Open another obsid", href="/ocatdatapage")]


def edit_rows(_add: int | None, _remove: int | None, rows: list | None, selected: list | None, key: str) -> list:
    rows = list(rows or [])
    rs = RANK_SETS[key]
    if ctx.triggered_id == EditorIds.remove(key):
        chosen = [dict(r) for r in (selected or [])]
        return [r for r in rows if dict(r) not in chosen]
    if len(rows) >= 30:
        return rows
    row = rs.new_row()
    if key == "time":  # start now (UT, whole minute), stop one day later: a valid window for the user to edit
        start = C.now().astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)
        row.update(
            tstart=start.strftime(V.DISPLAY_FORMAT), tstop=(start + timedelta(days=1)).strftime(V.DISPLAY_FORMAT)
        )
    return rows + [row]


def _row_adders(key: str) -> Any:
    def add(a: int | None, r: int | None, rows: list | None, selected: list | None) -> list:
        return edit_rows(a, r, rows, selected, key)

    add.__name__ = f"edit_{key}_rows"
    return add


def check_edits(
    values: list, time_rows: list | None, roll_rows: list | None, window_rows: list | None, kind: str,
    extras: str | None, _time_edit: Any, _roll_edit: Any, _window_edit: Any, record: dict | None,
) -> tuple[Any, ...]:  # fmt: skip
    """Live validation (debounced inputs, and every edited rank cell: a grid's `rowData` holds the edit but only
    `cellValueChanged` fires): errors under fields and on rank cells, changed fields, sections, figure, Submit."""
    if not record:
        raise PreventUpdate
    from data.revisions.submission import parse_extra_obsids

    names = _ids_of(ctx.inputs_list[0])
    fb_names = _ids_of(ctx.outputs_list[0])
    rows = {"time": time_rows, "roll": roll_rows, "window": window_rows}
    form = gather(names, values, rows)
    report = validate(record, form, ValidationContext(kind=kind or "norm", now=C.now()))
    errors = report.errors
    _ids, extra_errors, _m = parse_extra_obsids(extras, int(record["obsid"]))
    feedback = [errors.get(n, "") for n in fb_names]
    grid_errors = []
    cell_errors: dict[str, dict[str, str]] = {}
    for key in RANK_KEYS:
        rs = RANK_SETS[key]
        cells = {}
        for k, msg in errors.items():
            if "[" in k and k.split("[")[0] in rs.columns:
                name, index = k.split("[")[0], int(k.split("[")[1].rstrip("]"))
                cells[(index + 1, name)] = msg  # ranks count from 1, as the grid's Rank column
        cell_errors[key] = {f"{rank}:{name}": msg for (rank, name), msg in cells.items()}
        items = [html.Li(f"Rank {rank} {PARAMETERS[name].label}: {msg}") for (rank, name), msg in sorted(cells.items())]
        if rs.records_key in errors:
            items.insert(0, html.Li(errors[rs.records_key]))
        grid_errors.append(items)
    shown = set(fb_names) | {f"{c}[" for rs in RANK_SETS.values() for c in rs.columns}
    form_errors = [
        html.Li(msg)
        for k, msg in errors.items()
        if k not in shown and "[" not in k and k not in (rs.records_key for rs in RANK_SETS.values())
    ]
    latest = report.latest
    inst = form.get("instrument") or record.get("instrument")
    acis = str(inst or "").startswith("ACIS")
    vis = {
        "dither": form.get("dither_flag") == "Y",
        "time": form.get("window_flag") in ("Y", "P"),
        "roll": form.get("roll_flag") in ("Y", "P"),
        "window": acis,
        "window_table": form.get("spwindow_flag") == "Y",
        "phase": record.get("phase_constraint_flag") in ("Y", "P"),
        "subarray": form.get("subarray") == "CUSTOM",
        "duty": form.get("duty_cycle") == "Y",
    }
    ra, dec = latest.get("ra"), latest.get("dec")
    figure = focal_plane_figure(form, form.get("window_ranks") or [])
    blocked = bool(errors) or bool(extra_errors)
    return (
        feedback,
        change_items(report.changes),
        form_errors,
        blocked,
        *grid_errors,
        SHOW if vis["dither"] else HIDE,
        SHOW if vis["time"] else HIDE,
        SHOW if vis["roll"] else HIDE,
        SHOW if not acis else HIDE,
        SHOW if acis else HIDE,
        SHOW if vis["window"] else HIDE,
        SHOW if vis["window_table"] else HIDE,
        SHOW if vis["phase"] else HIDE,
        SHOW if vis["subarray"] else HIDE,
        SHOW if vis["duty"] else HIDE,
        "" if not acis else f"This obsid is not an HRC observation (instrument {inst}).",
        "" if acis else f"This obsid is not an ACIS observation (instrument {inst}).",
        figure,
        "NA" if ra is None else f"{ra:.6f}",
        "NA" if dec is None else f"{dec:.6f}",
        next(iter(extra_errors.values()), ""),
        cell_errors,
    )


def _plan(values: list, names: list[str], rows: dict, kind: str, extras: str | None, record: dict) -> Any:
    from data.revisions.submission import plan_submission

    form = gather(names, values, rows)
    with C.session_scope() as session:
        return plan_submission(
            session, C.ocat_source(), int(record["obsid"]), kind or "norm", form, extras,
            user=C.current_user(), now=C.now(), settings=C.settings(), loaded=record,
        )  # fmt: skip


def _cell(value: Any) -> str:
    """A rank cell for display: stored dates as `Mon DD YYYY HH:MM` (UT), NULL as NA."""
    if isinstance(value, datetime) or (isinstance(value, str) and ISO_DATE.match(value)):
        try:
            return V.to_display(value) or "NA"
        except ValueError:
            pass
    return _shown(value)


def rank_diff(rs: Any, before: list[Mapping[str, Any]], after: list[Mapping[str, Any]]) -> html.Div:
    """One ranked set on the confirm step: "Order = n" rows tagged Created / Deleted, changed cells in red."""
    head = html.Tr([html.Th("Order")] + [html.Th(PARAMETERS[c].label) for c in rs.columns] + [html.Th("")])
    rows = []
    for i in range(max(len(before), len(after))):
        old = before[i] if i < len(before) else None
        new = after[i] if i < len(after) else None
        if old is None:
            tag, colour = "Created", "table-success"
        elif new is None:
            tag, colour = "Deleted", "table-danger"
        else:
            tag, colour = "", ""
        cells = []
        for c in rs.columns:
            if old is not None and new is not None and not V.approx_equals(old.get(c), new.get(c)):
                cells.append(html.Td([html.Del(_cell(old.get(c))), " → ", _cell(new.get(c))], className="text-danger"))
            else:
                cells.append(html.Td(_cell((new if new is not None else old).get(c))))
        rows.append(html.Tr([html.Td(f"Order = {i + 1}")] + cells + [html.Td(tag)], className=colour))
    return html.Div(
        [
            html.H6(f"{rs.label}: {len(before)} rows before, {len(after)} requested", className="mt-3"),
            dbc.Table([html.Thead(head), html.Tbody(rows)], size="sm", bordered=True),
        ]
    )


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value) or "NA"
    return _cell(value)


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
                html.H5("The Ocat changed since you loaded this observation", className="alert-heading"),
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
        ),  # fmt: skip
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


def confirm_body(plan: Any) -> list[Any]:
    """The confirm step: diff table, ranked sets, warnings, notes, sign-offs, per-obsid dry run."""
    report = plan.report
    kind = KIND_LABELS.get(plan.kind, plan.kind)
    body: list[Any] = [
        html.H4(f"Confirm: {kind} for obsid {plan.obsid}"),
        html.P("Check the values below, then press Finalize; press Back to edit them again.", className="small"),
    ]
    if plan.errors:
        body.append(dbc.Alert([html.Div(f"{k}: {v}") for k, v in plan.errors.items()], color="danger"))
    if plan.conflicts:
        body += conflict_view(plan.obsid, plan.conflicts)
    scalar = {k: v for k, v in report.changes.items() if not PARAMETERS[k].rank_set}
    if scalar:
        body.append(
            dbc.Table(
                [
                    html.Thead(
                        html.Tr([html.Th("Parameter"), html.Th("Original"), html.Th("Requested"), html.Th("Unit")])
                    )
                ]
                + [
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Td(PARAMETERS[k].label),
                                    html.Td(_shown(o)),
                                    html.Td(_shown(n)),
                                    html.Td(PARAMETERS[k].unit or ""),
                                ]
                            )  # fmt: skip
                            for k, (o, n) in scalar.items()
                        ]
                    )
                ],
                size="sm",
                bordered=True,
            )
        )
    for key, rs in RANK_SETS.items():
        if not any(c in report.changes for c in rs.columns):
            continue
        body.append(rank_diff(rs, original_ranks(plan.record or {}, key), report.latest.get(rs.records_key) or []))
    if report.warnings:
        body.append(dbc.Alert([html.Div(w) for w in report.warnings], color="warning"))
    if report.notes:
        body.append(html.Div("Notes: " + ", ".join(sorted(report.notes)), className="small"))
    pending = [SIGNOFF_LABELS[c] for c, s in report.signoffs.items() if s == "Pending"]
    body.append(html.Div("Sign-off columns that become Pending: " + (", ".join(pending) or "none"), className="small"))
    if plan.extras:
        body.append(html.H6("Extra obsids (dry run)", className="mt-2"))
        body.append(
            html.Ul([html.Li(f"{e.obsid}: {e.outcome}" + (f" — {e.reason}" if e.reason else "")) for e in plan.extras])
        )
    return body


def confirm(_n: int | None, values: list, t: list, r: list, w: list, kind: str, extras: str | None,
            record: dict | None) -> tuple[Any, ...]:  # fmt: skip
    if not record:
        raise PreventUpdate
    names = _ids_of(ctx.states_list[0])
    plan = _plan(values, names, {"time": t, "roll": r, "window": w}, kind, extras, record)
    return confirm_body(plan), SHOW, HIDE, not plan.valid or bool(plan.conflicts)


def back(_n: int | None) -> tuple[Any, Any]:
    return HIDE, SHOW


def finalize(_n: int | None, values: list, t: list, r: list, w: list, kind: str, extras: str | None,
             record: dict | None, token: str | None) -> tuple[Any, ...]:  # fmt: skip
    """Write the revisions (one transaction), then send the queued e-mails; show each obsid.rev."""
    if not record:
        raise PreventUpdate
    from data.mail.sender import send_pending
    from data.revisions.submission import OcatChanged, submit
    from web.db import resources

    names = _ids_of(ctx.states_list[0])
    form = gather(names, values, {"time": t, "roll": r, "window": w})
    try:
        with C.session_scope() as session:
            result = submit(
                session, C.ocat_source(), int(record["obsid"]), kind or "norm", form, extras,
                user=C.current_user(), now=C.now(), settings=C.settings(), loaded=record, token=token,
            )  # fmt: skip
    except OcatChanged as exc:  # D8: nothing was written; show the three-way view on the page
        return conflict_view(int(record["obsid"]), exc.conflicts), HIDE, HIDE
    try:
        send_pending(resources().sessions, C.settings(), now=C.now())
    except Exception:  # a failed send never loses the revision (D21); the outbox keeps it for retry
        pass
    items = [html.Li(html.A(r, href=f"/chkupdata/{r}", id={"type": "editor-result-link", "obsidrev": r}))
             for r in result.revisions]  # fmt: skip
    skipped = [html.Li(f"{e.obsid}: {e.outcome} — {e.reason}") for e in result.extras if e.outcome != "revision"]
    note = {"norm": "Changes may take 48 hours to appear in the database.", "asis": "Approval is immediate.",
            "remove": "The obsid was removed from the approved list.", "clone": "Cloning may take 48 hours."}  # fmt: skip
    body = [
        html.H4(f"Thank you: obsid {result.obsid} was submitted ({KIND_LABELS.get(result.kind, result.kind)})."),
        html.P(note.get(result.kind, "")),
        *([refreshed_note(result.refreshed)] if result.refreshed else []),
        html.P("Revisions written:" if not result.replayed else "Already submitted; the revisions are:"),
        html.Ul(items, id="editor-result-list"),
    ]
    if skipped:
        body += [html.P("Not processed:"), html.Ul(skipped)]
    body.append(html.A("Open another obsid", href="/ocatdatapage"))
    return body, HIDE, HIDE


def refresh(_n: int | None, _top: int | None, obsid: str | None) -> str:
    return f"/ocatdatapage/{obsid}" if obsid else "/ocatdatapage"


def register(app: Dash) -> None:
    field_values = Input(editor_field(ALL), "value")
    app.callback(
        Output(EditorIds.REDIRECT, "href"),
        Output(EditorIds.PROMPT_FEEDBACK, "children"),
        Input(EditorIds.PROMPT_GO, "n_clicks"),
        State(EditorIds.PROMPT_INPUT, "value"),
        prevent_initial_call=True,
    )(prompt_go)
    app.callback(
        Output(EditorIds.RECORD, "data"),
        Output(EditorIds.HEADER, "children"),
        Output(EditorIds.WARNING, "children"),
        Output(editor_field(ALL), "value"),
        Output(editor_readonly(ALL), "children"),
        Output(EditorIds.grid("time"), "rowData"),
        Output(EditorIds.grid("roll"), "rowData"),
        Output(EditorIds.grid("window"), "rowData"),
        Output(EditorIds.TOKEN, "data"),
        Output(EditorIds.FORM, "style", allow_duplicate=True),
        Output(EditorIds.FOOTER, "children"),
        Input(EditorIds.OBSID, "data"),
        prevent_initial_call="initial_duplicate",
    )(load_observation)
    for key in RANK_KEYS:
        app.callback(
            Output(EditorIds.grid(key), "rowData", allow_duplicate=True),
            Input(EditorIds.add(key), "n_clicks"),
            Input(EditorIds.remove(key), "n_clicks"),
            State(EditorIds.grid(key), "rowData"),
            State(EditorIds.grid(key), "selectedRows"),
            prevent_initial_call=True,
        )(_row_adders(key))
    grids = [Input(EditorIds.grid(k), "rowData") for k in RANK_KEYS]
    app.callback(
        Output(editor_feedback(ALL), "children"),
        Output(EditorIds.CHANGES, "children"),
        Output(EditorIds.FORM_ERRORS, "children"),
        Output(EditorIds.SUBMIT, "disabled"),
        *[Output(EditorIds.grid_errors(k), "children") for k in RANK_KEYS],
        Output(EditorIds.SEC_DITHER, "style"),
        Output(EditorIds.rank_block("time"), "style"),
        Output(EditorIds.rank_block("roll"), "style"),
        Output(EditorIds.SEC_HRC, "style"),
        Output(EditorIds.SEC_ACIS, "style"),
        Output(EditorIds.SEC_WINDOW, "style"),
        Output(EditorIds.rank_block("window"), "style"),
        Output(EditorIds.SEC_PHASE, "style"),
        Output(EditorIds.SEC_SUBARRAY, "style"),
        Output(EditorIds.SEC_DUTY, "style"),
        Output(EditorIds.NOT_HRC, "children"),
        Output(EditorIds.NOT_ACIS, "children"),
        Output(EditorIds.FIGURE, "figure"),
        Output(EditorIds.RA_DEG, "children"),
        Output(EditorIds.DEC_DEG, "children"),
        Output(EditorIds.EXTRAS_FEEDBACK, "children"),
        Output(EditorIds.RANK_CELL_ERRORS, "data"),
        field_values,
        *grids,
        Input(EditorIds.KIND, "value"),
        Input(EditorIds.EXTRAS, "value"),
        *[Input(EditorIds.grid(k), "cellValueChanged") for k in RANK_KEYS],
        State(EditorIds.RECORD, "data"),
    )(check_edits)
    app.clientside_callback(
        # The refused cells of the ranked sets: kept where the column rules read them, then the grids repaint.
        "function(errors) {"
        " window.usintRankErrors = errors || {};"
        f" for (const id of {[EditorIds.grid(k) for k in RANK_KEYS]!r}) {{"
        "  try { dash_ag_grid.getApi(id).refreshCells({force: true}); } catch (e) {}"
        " }"
        " return Date.now(); }",
        Output(EditorIds.RANK_CELL_PAINTED, "data"),
        Input(EditorIds.RANK_CELL_ERRORS, "data"),
    )
    form_state = [State(editor_field(ALL), "value")] + [State(EditorIds.grid(k), "rowData") for k in RANK_KEYS]
    app.callback(
        Output(EditorIds.CONFIRM_BODY, "children"),
        Output(EditorIds.CONFIRM, "style"),
        Output(EditorIds.FORM, "style"),
        Output(EditorIds.FINALIZE, "disabled"),
        Input(EditorIds.SUBMIT, "n_clicks"),
        *form_state,
        State(EditorIds.KIND, "value"),
        State(EditorIds.EXTRAS, "value"),
        State(EditorIds.RECORD, "data"),
        prevent_initial_call=True,
    )(confirm)
    app.callback(
        Output(EditorIds.CONFIRM, "style", allow_duplicate=True),
        Output(EditorIds.FORM, "style", allow_duplicate=True),
        Input(EditorIds.BACK, "n_clicks"),
        prevent_initial_call=True,
    )(back)
    app.callback(
        Output(EditorIds.RESULT, "children"),
        Output(EditorIds.CONFIRM, "style", allow_duplicate=True),
        Output(EditorIds.FORM, "style", allow_duplicate=True),
        Input(EditorIds.FINALIZE, "n_clicks"),
        *form_state,
        State(EditorIds.KIND, "value"),
        State(EditorIds.EXTRAS, "value"),
        State(EditorIds.RECORD, "data"),
        State(EditorIds.TOKEN, "data"),
        prevent_initial_call=True,
    )(finalize)
    app.callback(
        Output(EditorIds.REDIRECT, "href", allow_duplicate=True),
        Input(EditorIds.REFRESH, "n_clicks"),
        Input(EditorIds.REFRESH_TOP, "n_clicks"),
        State(EditorIds.OBSID, "data"),
        prevent_initial_call=True,
    )(refresh)
