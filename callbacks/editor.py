"""The editor (Ocat Data Page): the filled page, live validation, sections, ranked rows, confirm, finalize (E10).

The page arrives filled: pages/editor.py's layout calls `editor_page(obsid)`, which reads the observation once (D5)
and builds the form with its values and messages, so the Dash Pages request is the only round trip before the user
can read and edit. Closed sections are built the first time they are opened (`fill_section`); the focal plane is
drawn with the ACIS section. Fields not on the page keep their Ocat values: `gather` sends the validator only the
fields and grids that exist. Every check goes through data.parameters.validator (D6) and every write through
data.revisions.submission (the same service as the API). Validation errors are return values shown under the
fields (E13); surprises raise data.errors.*.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from callbacks import _context as C
from callbacks._editor_confirm import change_items, confirm_body, conflict_view, result_body
from callbacks._figures_editor import focal_plane_figure
from data.errors import NotFound, UsintError
from data.events import jsonable
from data.ids import parse_obsid
from data.parameters import values as V
from data.parameters.catalogue import ACTIVE_STATUSES, PARAMETERS, RANK_SETS
from data.parameters.validator import Report, ValidationContext, form_values, validate
from pages._components.editor_fields import HIDE, LINKS, NULL_OPTION, SHOW, footer_links, image_row
from pages._components.editor_form import (
    OPEN_AT_START,
    confirm_frame,
    degrees,
    editor_form,
    on_page,
    parts_shown,
    rank_cells,
    rank_error_items,
    section_body,
    sections_shown,
    submit_card,
)
from pages._ids import (
    EditorIds,
    editor_derived,
    editor_feedback,
    editor_field,
    editor_figure,
    editor_grid,
    editor_grid_add,
    editor_grid_errors,
    editor_grid_remove,
    editor_part,
    editor_section_body,
    editor_section_toggle,
)

RANK_KEYS = ("time", "roll", "window")
FIGURE_INPUTS = ("ccd", '"window"')
"""Triggers that move the focal plane: a chip field, or the window grid."""


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


def gather(fields: Sequence[Mapping[str, Any]], grids: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The edits as the validator reads them, from the `{id, value}` items of the fields and grids on the page:
    NULL_OPTION → None, grid rows under their records key. A field or grid not on the page is left out, so it
    keeps its Ocat value."""
    form = {item["id"]["name"]: (None if item["value"] == NULL_OPTION else item["value"]) for item in fields}
    for item in grids:
        rs = RANK_SETS[item["id"]["key"]]
        form[rs.records_key] = [{c: r.get(c) for c in rs.columns} for r in (item["value"] or [])]
    return form


def current_values(record: Mapping[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """What the form holds now (display units): the Ocat's values overlaid with the edits."""
    return {**form_values(record), **form}


def form_error_items(errors: Mapping[str, str], placed: set[str]) -> list[html.Li]:
    """Messages with no place on the page (`placed`: fields shown with their message, `grid:<key>` for grids shown),
    each named by its parameter: a closed section's field, a rank cell of a closed grid, the form as a whole."""
    grid_of = {c: k for k, rs in RANK_SETS.items() for c in rs.columns} | {
        rs.records_key: k for k, rs in RANK_SETS.items()
    }
    items = []
    for name, msg in errors.items():
        column, _, index = name.partition("[")
        if name in placed or f"grid:{grid_of.get(column)}" in placed:
            continue
        p = PARAMETERS.get(column)
        where = (p.label + (f" (rank {int(index.rstrip(']')) + 1})" if index else "")) if p else ""
        items.append(html.Li(f"{where}: {msg}" if where else msg))
    return items


def cell_error_map(errors: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """`{rank key: {"<rank>:<column>": message}}` for the grids' cell rules (assets/dashAgGridFunctions.js)."""
    return {key: {f"{rank}:{name}": msg for (rank, name), msg in rank_cells(key, errors).items()} for key in RANK_KEYS}


def _check(record: Mapping[str, Any], form: Mapping[str, Any], kind: str | None) -> Report:
    return validate(record, form, ValidationContext(kind=kind or "norm", now=C.now()))


# ---------------------------------------------------------------------------------------------------- the page


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


def header_links(record: Mapping[str, Any], open_revisions: Sequence[Any], me: str | None) -> list[Any]:
    """ocat-data-page §3.0 items 3–4 plus History and Check-page links: image row, ChaSeR, history, open revisions."""
    obsid = record.get("obsid")
    out: list[Any] = [
        image_row(record.get("seq_nbr"), obsid, C.settings().target_image_dir),
        html.Div(
            [
                html.A(
                    "Sequence # Summary", href=LINKS["chaser"].format(obsid=obsid), target="_blank", rel="noopener"
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
            links += [html.A(f"Check page {r.obsidrev}", href=LINKS["check"].format(obsidrev=r.obsidrev),
                             className="editor-check-link"), f" ({who}) "]  # fmt: skip
        out.append(html.Div(links, className="small text-warning"))
    return out


def _header(data: EditorData) -> list[Any]:
    record = data.record
    return [
        html.Div(
            f"Obsid {record.get('obsid')} · Seq {record.get('seq_nbr')} · {record.get('targname')} · "
            f"{record.get('instrument')} · status {record.get('status')}",
            className="fw-bold",
        ),
        html.Div("On the approved list." if data.approved else "Not on the approved list.", className="small"),
        html.Div("On the active OR list." if data.on_or else "", className="small text-danger"),
        *header_links(record, data.open_revisions, C.current_user().username),
    ]


def _missing(message: str) -> list[Any]:
    alert = [dbc.Alert(message, color="warning", className="mb-2"), html.A("Open another obsid", href="/ocatdatapage")]
    return [html.Div(alert, id=EditorIds.HEADER)]


def _stores(record: Any, errors: Mapping[str, str]) -> list[Any]:
    return [
        dcc.Store(id=EditorIds.RECORD, data=record),
        dcc.Store(id=EditorIds.TOKEN, data=uuid.uuid4().hex),
        dcc.Store(id=EditorIds.BUILT, data=list(OPEN_AT_START)),
        dcc.Store(id=EditorIds.RANK_CELL_ERRORS, data=cell_error_map(errors)),
    ]


def _frame(obsid: Any, warning: str, header: list[Any], form: Any, footer: list[Any]) -> list[Any]:
    top = [
        html.A("Ocat Data Help", href=LINKS["help"], target="_blank", className="small me-3"),
        html.A("Refresh", href=LINKS["editor"].format(obsid=obsid), className="btn btn-sm btn-outline-secondary"),
    ]
    return [
        html.Div(warning, id=EditorIds.WARNING, className="text-danger fw-bold mb-2"),
        html.Div(top, className="mb-2"),
        html.Div(header, id=EditorIds.HEADER, className="mb-3"),
        form,
        confirm_frame(),
        html.Div(id=EditorIds.RESULT),
        html.Div(footer, id=EditorIds.FOOTER, className="small border-top pt-2 mt-3"),
    ]


def editor_skeleton() -> list[Any]:
    """The editor with no observation: every element a callback names, nothing filled (the page's no-argument
    layout, which Dash Pages also uses to check the callbacks' ids)."""
    form = editor_form({}, {}, submit_card([], [], True, LINKS["editor"].format(obsid="")), built=())
    return _stores(None, {}) + _frame("", "", [], form, [])


def editor_page(obsid: str) -> list[Any]:
    """The filled editor of one obsid: values, their messages and the header, or a message saying why not."""
    number = parse_obsid(obsid)
    if number is None:
        return _missing(f"{str(obsid)[:40]!r} is not an obsid: type a whole number (at most 9 digits).")
    text = str(number)
    try:
        with C.session_scope() as session:
            data = editor_data(C.ocat_source(), session, number, C.settings().obs_ss)
    except NotFound:
        return _missing(f"Obsid {obsid} is not in the Ocat: check the number, or open another obsid.")
    except UsintError as err:  # the Ocat cannot be read: say so where the form would be
        return _missing(err.user_message)
    record = data.record
    report = _check(record, {}, "norm")
    shown = on_page(OPEN_AT_START)
    submit = submit_card([], form_error_items(report.errors, shown), True, LINKS["editor"].format(obsid=text))
    form = editor_form(data.form, report.errors, submit)
    warning = warning_line(record, now=C.now(), on_or=data.on_or, approved=data.approved)
    return _stores(record, report.errors) + _frame(text, warning, _header(data), form, footer_links(record))


# ---------------------------------------------------------------------------------------------------- callbacks


def prompt_go(_n: int | None, text: str | None) -> tuple[Any, Any]:
    obsid = parse_obsid((text or "").strip())
    if obsid is None:
        return no_update, "The obsid must be a whole number (at most 9 digits)."
    return f"/ocatdatapage/{obsid}", ""


def _items(name: str) -> list[Mapping[str, Any]]:
    """The `{id, value}` items of a wildcard argument of the running callback."""
    return list(ctx.args_grouping[name])


def _ids(name: str, key: str) -> list[str]:
    """The id keys (`name` / `key`) of a wildcard output of the running callback."""
    return [item["id"][key] for item in ctx.outputs_grouping[name]]


def fill_section(clicks: list, built: list | None, values: list, rows: list, kind: str | None,
                 record: dict | None) -> dict[str, Any]:  # fmt: skip
    """Build a section's body the first time it is opened, with the values the form holds now."""
    key = (ctx.triggered_id or {}).get("key")
    built = list(built or [])
    if not record or key is None or key in built:
        raise PreventUpdate
    form = gather(_items("values"), _items("rows"))
    now = current_values(record, form)
    report = _check(record, form, kind)
    figure = focal_plane_figure(now, now.get("window_ranks") or []) if key == "acis" else None
    body = section_body(key, now, report.errors, figure)
    return {
        "bodies": [body if k == key else no_update for k in _ids("bodies", "key")],
        "built": built + [key],
    }


def edit_rows(_add: int | None, _remove: int | None, rows: list | None, selected: list | None) -> list:
    """Add a row (a time row starts now, UT, and stops a day later) or remove the selected rows of one grid."""
    rows = list(rows or [])
    key = ctx.triggered_id["key"]
    if ctx.triggered_id["type"] == editor_grid_remove(key)["type"]:
        chosen = [dict(r) for r in (selected or [])]
        return [r for r in rows if dict(r) not in chosen]
    if len(rows) >= 30:
        return rows
    row = RANK_SETS[key].new_row()
    if key == "time":  # a valid window for the user to edit
        start = C.now().astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)
        row.update(
            tstart=start.strftime(V.DISPLAY_FORMAT), tstop=(start + timedelta(days=1)).strftime(V.DISPLAY_FORMAT)
        )
    return rows + [row]


def _figure_moved() -> bool:
    return any(any(t in prop for t in FIGURE_INPUTS) for prop in ctx.triggered_prop_ids)


def check_edits(values: list, rows: list, edited: list, kind: str | None, extras: str | None,
                record: dict | None) -> dict[str, Any]:  # fmt: skip
    """Live validation of what the form holds (text fields 300 ms after the last key, every edited rank cell):
    messages under fields and on rank cells, changes so far, blocks and sections shown, figure, Submit."""
    if not record:
        raise PreventUpdate
    from data.revisions.submission import parse_extra_obsids

    form = gather(_items("values"), _items("rows"))
    now = current_values(record, form)
    report = _check(record, form, kind)
    errors = report.errors
    _obsids, extra_errors, _m = parse_extra_obsids(extras, int(record["obsid"]))
    grids = _ids("grid_errors", "key")
    parts = parts_shown(now)
    sections = sections_shown(now)
    figures = _ids("figure", "name")
    moved = bool(figures) and _figure_moved()
    shown = set(_ids("feedback", "name")) | {f"grid:{k}" for k in grids}
    return {
        "feedback": [errors.get(n, "") for n in _ids("feedback", "name")],
        "grid_errors": [rank_error_items(k, errors) for k in grids],
        "cell_errors": cell_error_map(errors),
        "changes": change_items(report.changes),
        "form_errors": form_error_items(errors, shown),
        "blocked": bool(errors) or bool(extra_errors),
        "parts": [SHOW if parts[n] else HIDE for n in _ids("parts", "name")],
        "hrc": SHOW if sections["hrc"] else HIDE,
        "acis": SHOW if sections["acis"] else HIDE,
        "window": SHOW if sections["acis_window"] else HIDE,
        "derived": [degrees(report.latest.get(n)) for n in _ids("derived", "name")],
        "figure": [focal_plane_figure(now, now.get("window_ranks") or []) if moved else no_update for _ in figures],
        "extras": next(iter(extra_errors.values()), ""),
    }


def _plan(kind: str | None, extras: str | None, record: dict) -> Any:
    from data.revisions.submission import plan_submission

    form = gather(_items("values"), _items("rows"))
    with C.session_scope() as session:
        return plan_submission(
            session, C.ocat_source(), int(record["obsid"]), kind or "norm", form, extras,
            user=C.current_user(), now=C.now(), settings=C.settings(), loaded=record,
        )  # fmt: skip


def confirm(_n: int | None, values: list, rows: list, kind: str | None, extras: str | None,
            record: dict | None) -> dict[str, Any]:  # fmt: skip
    """Submit: the dry run of the whole submission (main obsid and extras) shown as the confirm step."""
    if not record:
        raise PreventUpdate
    plan = _plan(kind, extras, record)
    return {"body": confirm_body(plan), "confirm": SHOW, "form": HIDE,
            "finalize": not plan.valid or bool(plan.conflicts)}  # fmt: skip


def finalize(_n: int | None, values: list, rows: list, kind: str | None, extras: str | None,
             record: dict | None, token: str | None) -> dict[str, Any]:  # fmt: skip
    """Write the revisions (one transaction; its commit wakes the mail sender, D21); show each obsid.rev."""
    if not record:
        raise PreventUpdate
    from data.revisions.submission import OcatChanged, submit

    form = gather(_items("values"), _items("rows"))
    try:
        with C.session_scope() as session:
            result = submit(
                session, C.ocat_source(), int(record["obsid"]), kind or "norm", form, extras,
                user=C.current_user(), now=C.now(), settings=C.settings(), loaded=record, token=token,
            )  # fmt: skip
    except OcatChanged as exc:  # D8: nothing was written; show the three-way view on the page
        return {"result": conflict_view(int(record["obsid"]), exc.conflicts), "confirm": HIDE, "form": HIDE}
    return {"result": result_body(result), "confirm": HIDE, "form": HIDE}


# ---------------------------------------------------------------------------------------------------- wiring

FORM_STATE = {
    "values": State(editor_field(ALL), "value"),
    "rows": State(editor_grid(ALL), "rowData"),
    "kind": State(EditorIds.KIND, "value"),
    "extras": State(EditorIds.EXTRAS, "value"),
    "record": State(EditorIds.RECORD, "data"),
}


def _register_sections(app: Dash) -> None:
    toggles = Input(editor_section_toggle(ALL), "n_clicks")
    app.clientside_callback(  # open / close at once, in the browser (assets/editor.js)
        ClientsideFunction("usintEditor", "toggleSection"),
        Output(editor_section_body(ALL), "is_open"),
        Output(editor_section_toggle(ALL), "className"),
        toggles,
        State(editor_section_body(ALL), "is_open"),
        prevent_initial_call=True,
    )
    app.callback(
        output={"bodies": Output(editor_section_body(ALL), "children"), "built": Output(EditorIds.BUILT, "data")},
        inputs={"clicks": toggles},
        state={
            "built": State(EditorIds.BUILT, "data"),
            "values": FORM_STATE["values"],
            "rows": FORM_STATE["rows"],
            "kind": FORM_STATE["kind"],
            "record": FORM_STATE["record"],
        },  # fmt: skip
        prevent_initial_call=True,
    )(fill_section)


def _register_live_check(app: Dash) -> None:
    app.callback(
        output={
            "feedback": Output(editor_feedback(ALL), "children"),
            "grid_errors": Output(editor_grid_errors(ALL), "children"),
            "cell_errors": Output(EditorIds.RANK_CELL_ERRORS, "data"),
            "changes": Output(EditorIds.CHANGES, "children"),
            "form_errors": Output(EditorIds.FORM_ERRORS, "children"),
            "blocked": Output(EditorIds.SUBMIT, "disabled"),
            "parts": Output(editor_part(ALL), "style"),
            "hrc": Output(EditorIds.SEC_HRC, "style"),
            "acis": Output(EditorIds.SEC_ACIS, "style"),
            "window": Output(EditorIds.SEC_WINDOW, "style"),
            "derived": Output(editor_derived(ALL), "children"),
            "figure": Output(editor_figure(ALL), "figure"),
            "extras": Output(EditorIds.EXTRAS_FEEDBACK, "children"),
        },
        inputs={
            "values": Input(editor_field(ALL), "value"),
            "rows": Input(editor_grid(ALL), "rowData"),
            # an edited cell changes the grid's rowData in the browser but only `cellValueChanged` fires
            "edited": Input(editor_grid(ALL), "cellValueChanged"),
            "kind": Input(EditorIds.KIND, "value"),
            "extras": Input(EditorIds.EXTRAS, "value"),
        },
        state={"record": FORM_STATE["record"]},
        prevent_initial_call=True,
    )(check_edits)
    app.clientside_callback(  # the refused rank cells, where the grids' cell rules read them
        ClientsideFunction("usintEditor", "paintRankErrors"),
        Input(EditorIds.RANK_CELL_ERRORS, "data"),
    )


def _register_steps(app: Dash) -> None:
    app.callback(
        output={"body": Output(EditorIds.CONFIRM_BODY, "children"), "confirm": Output(EditorIds.CONFIRM, "style"),
                "form": Output(EditorIds.FORM, "style"), "finalize": Output(EditorIds.FINALIZE, "disabled")},
        inputs={"_n": Input(EditorIds.SUBMIT, "n_clicks")},
        state=FORM_STATE,
        running=[(Output(EditorIds.SUBMIT, "children"), "Checking…", "Submit")],
        prevent_initial_call=True,
    )(confirm)  # fmt: skip
    app.clientside_callback(  # Back: the form again, as the user left it
        "function(n) { return [{display: 'none'}, {}]; }",
        Output(EditorIds.CONFIRM, "style", allow_duplicate=True),
        Output(EditorIds.FORM, "style", allow_duplicate=True),
        Input(EditorIds.BACK, "n_clicks"),
        prevent_initial_call=True,
    )
    app.callback(
        output={"result": Output(EditorIds.RESULT, "children"),
                "confirm": Output(EditorIds.CONFIRM, "style", allow_duplicate=True),
                "form": Output(EditorIds.FORM, "style", allow_duplicate=True)},
        inputs={"_n": Input(EditorIds.FINALIZE, "n_clicks")},
        state={**FORM_STATE, "token": State(EditorIds.TOKEN, "data")},
        running=[(Output(EditorIds.FINALIZE, "children"), "Submitting…", "Finalize")],
        prevent_initial_call=True,
    )(finalize)  # fmt: skip


def register(app: Dash) -> None:
    app.callback(
        Output(EditorIds.REDIRECT, "href"),
        Output(EditorIds.PROMPT_FEEDBACK, "children"),
        Input(EditorIds.PROMPT_GO, "n_clicks"),
        State(EditorIds.PROMPT_INPUT, "value"),
        prevent_initial_call=True,
    )(prompt_go)
    _register_sections(app)
    app.callback(
        Output(editor_grid(MATCH), "rowData"),
        Input(editor_grid_add(MATCH), "n_clicks"),
        Input(editor_grid_remove(MATCH), "n_clicks"),
        State(editor_grid(MATCH), "rowData"),
        State(editor_grid(MATCH), "selectedRows"),
        prevent_initial_call=True,
    )(edit_rows)
    _register_live_check(app)
    _register_steps(app)
