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
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from callbacks import _context as C
from callbacks._editor_confirm import (
    KIND_LABELS,
    change_items,
    confirm_body,
    conflict_view,
    newer_notice,
    result_body,
    unseen_revisions,
)
from callbacks._figures_editor import focal_plane_figure
from data.errors import Forbidden, NotFound, UsintError
from data.events import jsonable
from data.ids import OBSID_DIGITS, id_problem, parse_obsid, parse_obsidrev
from data.ocat import read as ocat
from data.ocat.obs_files import or_list
from data.ocat.sources import OcatSource
from data.parameters import values as V
from data.parameters.catalogue import ACTIVE_STATUSES, PARAMETERS, RANK_SETS
from data.parameters.validator import Report, ValidationContext, form_values, validate
from data.revisions import store as revisions
from data.revisions.submission import OcatChanged, SubmitRequest, parse_extra_obsids, plan_submission, submit
from data.users import acting_user, can
from pages._components.editor_fields import HIDE, LINKS, NULL_OPTION, SHOW, footer_links, image_row, widget_value
from pages._components.editor_form import (
    FORM_SECTIONS,
    GRID_SECTIONS,
    OPEN_AT_START,
    confirm_frame,
    degrees,
    draft_offer,
    editor_form,
    kind_warning,
    on_page,
    parts_shown,
    rank_cells,
    rank_error_items,
    section_body,
    section_cards,
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


def submit_refusal(identity: Any, permissions: Mapping[str, Sequence[str]]) -> str | None:
    """Why this person may not submit, as the sentence shown beside Submit; None when they may (data.users.can,
    the rule the submit service applies again)."""
    if can(identity, "submit", permissions):
        return None
    name = getattr(identity, "username", None)
    if not name:
        return "Submit is off: you are not signed in, so this page is read only."
    if not getattr(identity, "registered", False):
        return f"Submit is off: {name} is not registered in USINT (an admin can add you), so this page is read only."
    if not getattr(identity, "active", False):
        return f"Submit is off: {name} is inactive in USINT, so this page is read only."
    groups = " or ".join(permissions.get("submit", ())) or "admin"
    return f"Submit is off: submitting needs the {groups} group, and {name} is not in it."


def submit_reason(errors: Mapping[str, str], extra_errors: Mapping[str, str], refusal: str | None) -> str:
    """Why Submit is off, shown beside it ("" when it is on): read only, a closed observation, messages to fix,
    or nothing changed yet."""
    if refusal:
        return refusal
    if "status" in errors:
        return f"Submit is off: {errors['status']}."
    problems = [k for k in errors if k != "changes"]
    if problems:
        return f"Submit is off: fix the {len(problems)} problem{'s' if len(problems) > 1 else ''} marked in red."
    if extra_errors:
        return "Submit is off: fix the Multi-Obsid list."
    if "changes" in errors:
        return "Submit is off until you change a parameter."
    return ""


RECORDS_KEYS = {rs.records_key: key for key, rs in RANK_SETS.items()}
"""A ranked set's records key (`time_ranks`) → its key (`time`)."""


def _same_shown(name: str, value: Any, start: Any) -> bool:
    """The same value as the page shows it (`1.0` and `1` are)."""
    a, b = widget_value(value, name), widget_value(start, name)
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def edited_fields(record: Mapping[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """The fields and grids of `form` whose value differs from the loaded one as the page shows it: what the
    user typed or picked, which a draft keeps."""
    start = form_values(record)
    out: dict[str, Any] = {}
    for name, value in form.items():
        if name in RECORDS_KEYS:
            columns = RANK_SETS[RECORDS_KEYS[name]].columns
            before, after = start.get(name) or [], value or []
            if len(before) != len(after) or not all(
                _same_shown(c, new.get(c), old.get(c)) for old, new in zip(before, after, strict=True) for c in columns
            ):
                out[name] = value
        elif not _same_shown(name, value, start.get(name)):
            out[name] = value
    return out


def edit_labels(edited: Mapping[str, Any]) -> list[str]:
    """The edited fields and grids by their labels."""
    out = []
    for name in edited:
        if name in RECORDS_KEYS:
            out.append(RANK_SETS[RECORDS_KEYS[name]].label)
        else:
            out.append(PARAMETERS[name].label if name in PARAMETERS else name)
    return out


def draft_of(record: Mapping[str, Any], form: Mapping[str, Any], kind: str | None, extras: str | None) -> dict:
    """What the browser keeps of the page's work (assets/editor.js): the edited fields and grids, the kind and
    the extra obsids; `dirty` when there is something to lose."""
    edited = edited_fields(record, form)
    extras = (extras or "").strip()
    return {
        "obsid": int(record["obsid"]),
        "dirty": bool(edited or extras),
        "form": edited,
        "kind": kind or "norm",
        "extras": extras,
        "labels": edit_labels(edited),
    }


def draft_edits(kept: Any) -> dict[str, Any]:
    """The edits of a draft the browser kept (it comes from the client: only editable fields with plain values
    and the ranked sets' columns are taken, at most 30 rows each); the validator checks them as any edit."""
    out: dict[str, Any] = {}
    for name, value in (kept if isinstance(kept, dict) else {}).items():
        if name in RECORDS_KEYS and isinstance(value, list):
            columns = RANK_SETS[RECORDS_KEYS[name]].columns
            out[name] = [{c: r.get(c) for c in columns} for r in value[:30] if isinstance(r, dict)]
        elif name in PARAMETERS and PARAMETERS[name].editable and isinstance(value, str | int | float | None):
            out[name] = value
    return out


def sections_for(edits: Mapping[str, Any], built: Sequence[str] = ()) -> tuple[str, ...]:
    """The sections to build so that every edit is on the page (those open at start or already `built`, those of
    the edited fields and grids), in page order."""
    wanted = set(OPEN_AT_START) | set(built)
    for name in edits:
        if name in RECORDS_KEYS:
            wanted.add(GRID_SECTIONS[RECORDS_KEYS[name]])
        elif name in PARAMETERS:
            wanted.add(PARAMETERS[name].section)
    return tuple(k for k in FORM_SECTIONS if k in wanted)


# ---------------------------------------------------------------------------------------------------- the page


@dataclass
class EditorData:
    """What the editor shows for one obsid: the Ocat record (JSON-safe), its form values and revision state."""

    record: dict[str, Any]
    form: dict[str, Any]
    approved: bool
    on_or: bool
    open_revisions: list[Any]
    latest_rev: int
    """The newest revision number of the obsid when the page was read (0: none); the confirm step names any newer."""


def editor_data(source: OcatSource, session: Session, obsid: int, obs_ss: Path | str) -> EditorData:
    """One obsid for the editor: one batched Ocat read (D5), approval and open revisions, the OR list, form values.

    Raises NotFound when the Ocat does not have the obsid."""
    record = jsonable(ocat.read_observation(source, obsid, obs_ss))
    return EditorData(
        record=record,
        form=form_values(record),
        approved=revisions.is_approved(session, obsid),
        on_or=obsid in or_list(obs_ss),
        open_revisions=revisions.open_revisions(session, [obsid]),
        latest_rev=revisions.next_revision_number(session, obsid) - 1,
    )


def header_links(record: Mapping[str, Any], open_revisions: Sequence[Any], me: str | None) -> list[Any]:
    """ocat-data-page §3.0 items 3–4 plus History and Check-page links: image row, ChaSeR, history, open revisions."""
    obsid = record.get("obsid")
    out: list[Any] = [
        image_row(record.get("seq_nbr"), obsid, C.settings().target_image_dir),
        html.Div(
            [
                html.A("Sequence # Summary", href=LINKS["chaser"].format(obsid=obsid), target="_blank", rel="noopener"),
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
                ),
                f" ({who}) ",
            ]
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


def _stores(
    record: Any, errors: Mapping[str, str], refusal: str | None = None, latest_rev: int | None = None
) -> list[Any]:
    return [
        dcc.Store(id=EditorIds.RECORD, data=record),
        dcc.Store(id=EditorIds.TOKEN, data=uuid.uuid4().hex),
        dcc.Store(id=EditorIds.BUILT, data=list(OPEN_AT_START)),
        dcc.Store(id=EditorIds.RANK_CELL_ERRORS, data=cell_error_map(errors)),
        dcc.Store(id=EditorIds.REFUSAL, data=refusal),
        dcc.Store(id=EditorIds.LOADED_REV, data=latest_rev),
        dcc.Store(id=EditorIds.DRAFT),
        dcc.Store(id=EditorIds.DRAFT_SAVED),
    ]


def _frame(obsid: Any, warning: str, header: list[Any], form: Any, footer: list[Any]) -> list[Any]:
    top = [
        html.A("Ocat Data Help", href=LINKS["help"], target="_blank", className="small me-3"),
        html.A(
            "Refresh",
            href=LINKS["editor"].format(obsid=obsid),
            className="btn btn-sm btn-outline-secondary usint-editor-refresh",
        ),
    ]
    return [
        html.Div(warning, id=EditorIds.WARNING, className="text-danger fw-bold mb-2"),
        html.Div(top, className="mb-2"),
        html.Div(header, id=EditorIds.HEADER, className="mb-3"),
        draft_offer(),
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
    refusal = submit_refusal(C.current_user(), C.settings().permissions)
    form, errors = filled_form(record, {}, built=OPEN_AT_START, refusal=refusal)
    warning = warning_line(record, now=C.now(), on_or=data.on_or, approved=data.approved)
    stores = _stores(record, errors, refusal, data.latest_rev)
    return stores + _frame(text, warning, _header(data), form, footer_links(record))


def filled_form(
    record: Mapping[str, Any],
    edits: Mapping[str, Any],
    *,
    built: Sequence[str],
    kind: str = "norm",
    extras: str = "",
    refusal: str | None = None,
) -> tuple[html.Div, dict[str, str]]:
    """The form of `record` with `edits` over its values, as the live check would leave it: the sections in
    `built` open and filled, each message in its place, the submit options with what blocks them. Also returns
    the validator's messages."""
    report = _check(record, edits, kind)
    values = current_values(record, edits)
    _obsids, extra_errors, _m = parse_extra_obsids(extras, int(record["obsid"]))
    errors = report.errors
    submit_options = submit_card(
        change_items(report.changes),
        form_error_items(errors, on_page(tuple(built))),
        bool(errors) or bool(extra_errors) or bool(refusal),
        LINKS["editor"].format(obsid=record["obsid"]),
        reason=submit_reason(errors, extra_errors, refusal),
        kind=kind,
        extras=extras,
        extras_error=next(iter(extra_errors.values()), ""),
        warning=kind_warning(kind, edit_labels(edited_fields(record, edits))) if edits else "",
    )
    figure = focal_plane_figure(values, values.get("window_ranks") or []) if "acis" in built else None
    return editor_form(values, errors, submit_options, figure, built=tuple(built)), errors


# ---------------------------------------------------------------------------------------------------- callbacks


def prompt_target(text: str | None) -> tuple[str | None, Any]:
    """The obsid box without an obsid (like the navbar's quick jump): the editor's path, or what is wrong."""
    value = (text or "").strip()
    if not value:
        return None, "Type an obsid, e.g. 12345."
    obsid = parse_obsid(value)
    if obsid is not None:
        return LINKS["editor"].format(obsid=obsid), ""
    shown = value[:40]
    if (problem := id_problem(value)) is not None:  # digits past the bounds, as the quick jump says it
        return None, f"“{shown}” is out of range. {problem}"
    pair = parse_obsidrev(value)
    if pair is not None:
        obsidrev = f"{pair[0]}.{pair[1]:03d}"
        return None, [
            f"“{shown}” is a revision; the editor opens an obsid: ",
            html.A(str(pair[0]), href=LINKS["editor"].format(obsid=pair[0])),
            " (the revision is on ",
            html.A("its check page", href=LINKS["check"].format(obsidrev=obsidrev)),
            ").",
        ]
    return None, f"“{shown}” is not an obsid: type a whole number of 1 to {OBSID_DIGITS} digits, e.g. 12345."


def prompt_go(_n: int | None, _submits: int | None, text: str | None) -> tuple[Any, Any]:
    """Open (Enter or the button) the typed obsid, or say next to the box what is wrong with it."""
    path, message = prompt_target(text)
    return (path, "") if path else (no_update, message)


def _items(name: str) -> list[Mapping[str, Any]]:
    """The `{id, value}` items of a wildcard argument of the running callback."""
    return list(ctx.args_grouping[name])


def _ids(name: str, key: str) -> list[str]:
    """The id keys (`name` / `key`) of a wildcard output of the running callback."""
    return [item["id"][key] for item in ctx.outputs_grouping[name]]


def fill_section(
    clicks: list, built: list | None, values: list, rows: list, kind: str | None, record: dict | None
) -> dict[str, Any]:
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


def check_edits(
    values: list,
    rows: list,
    edited: list,
    kind: str | None,
    extras: str | None,
    record: dict | None,
    refusal: str | None = None,
) -> dict[str, Any]:
    """Live validation of what the form holds (text fields 300 ms after the last key, every edited rank cell):
    messages under fields and on rank cells, changes so far, blocks and sections shown, figure, Submit and why it
    is off, what the chosen kind drops, and the draft the browser keeps."""
    if not record:
        raise PreventUpdate
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
    draft = draft_of(record, form, kind, extras)
    dropped = kind_warning(kind, draft["labels"])
    return {
        "feedback": [errors.get(n, "") for n in _ids("feedback", "name")],
        "grid_errors": [rank_error_items(k, errors) for k in grids],
        "cell_errors": cell_error_map(errors),
        "changes": change_items(report.changes),
        "form_errors": form_error_items(errors, shown),
        "blocked": bool(errors) or bool(extra_errors) or bool(refusal),
        "reason": submit_reason(errors, extra_errors, refusal),
        "kind_warning": SHOW if dropped else HIDE,
        "kind_warning_text": dropped,
        "draft": draft,
        "parts": [SHOW if parts[n] else HIDE for n in _ids("parts", "name")],
        "hrc": SHOW if sections["hrc"] else HIDE,
        "acis": SHOW if sections["acis"] else HIDE,
        "window": SHOW if sections["acis_window"] else HIDE,
        "derived": [degrees(report.latest.get(n)) for n in _ids("derived", "name")],
        "figure": [focal_plane_figure(now, now.get("window_ranks") or []) if moved else no_update for _ in figures],
        "extras": next(iter(extra_errors.values()), ""),
    }


def _plan(kind: str | None, extras: str | None, record: dict, loaded_rev: int | None) -> tuple[Any, list[Any]]:
    """The dry run of the submission, and the revisions of the obsid submitted after the page was read."""
    form = gather(_items("values"), _items("rows"))
    obsid = int(record["obsid"])
    with C.session_scope() as session:
        ask = SubmitRequest(obsid, kind or "norm", form, extras, record)
        plan = plan_submission(session, C.ocat_source(), ask, now=C.now(), settings=C.settings())
        newer = revisions.revisions_after(session, obsid, loaded_rev) if loaded_rev is not None else []
    return plan, newer


ACK_NEEDED = "Finalize is off until you tick the box above (or reload the editor to start from the newest revision)."


def finalize_block(plan: Any, refusal: str | None) -> str:
    """Why Finalize is off whatever the user ticks ("" when nothing blocks it)."""
    if refusal:
        return refusal.replace("Submit is off", "Finalize is off", 1)
    if plan.conflicts:
        return "Finalize is off: the Ocat changed under your edits (see above); go back to the editor."
    if not plan.valid:
        return "Finalize is off: fix the problems listed above (Back returns to the form)."
    return ""


def finalize_gate(state: Mapping[str, Any] | None, ack: Sequence[str] | None) -> tuple[bool, str]:
    """(disabled, reason) of Finalize: blocked, or waiting for the tick that others' revisions were seen (the
    same rule as the browser's `usintEditor.finalizeGate`)."""
    state = state or {}
    if state.get("block"):
        return True, state["block"]
    if state.get("ack_needed") and not ack:
        return True, state["ack_needed"]
    return False, ""


def confirm(
    _n: int | None,
    values: list,
    rows: list,
    kind: str | None,
    extras: str | None,
    record: dict | None,
    loaded_rev: int | None = None,
) -> dict[str, Any]:
    """Submit: the dry run of the whole submission (main obsid and extras) shown as the confirm step, with the
    revisions others submitted since the page was read (obsid.rev, who, when) and why Finalize is off."""
    if not record:
        raise PreventUpdate
    plan, newer = _plan(kind, extras, record, loaded_rev)
    dropped = kind_warning(kind, edit_labels(edited_fields(record, gather(_items("values"), _items("rows")))))
    refusal = submit_refusal(C.current_user(), C.settings().permissions)
    seen = max((r.revision_number for r in newer), default=loaded_rev)
    state = {"block": finalize_block(plan, refusal), "ack_needed": ACK_NEEDED if newer else "", "seen": seen}
    disabled, reason = finalize_gate(state, [])
    zone = ZoneInfo(C.settings().timezone)
    body = confirm_body(plan, dropped, C.settings().permissions)
    return {
        "body": body,
        "confirm": SHOW,
        "form": HIDE,
        "finalize": disabled,
        "reason": reason,
        "newer": SHOW if newer else HIDE,
        "newer_text": newer_notice(int(record["obsid"]), newer, zone),
        "ack": [],
        "state": state,
        "result": None,
    }


def finalize(
    _n: int | None,
    values: list,
    rows: list,
    kind: str | None,
    extras: str | None,
    record: dict | None,
    token: str | None,
    ack: list | None = None,
    state: dict | None = None,
    loaded_rev: int | None = None,
) -> dict[str, Any]:
    """Write the revisions (one transaction; its commit wakes the mail sender, D21); show each obsid.rev. Nothing
    is written when a revision of the obsid arrived that the user has not seen (`loaded_rev`, or what the
    confirm step showed and the user ticked) or when the user may not submit (said on the page)."""
    if not record:
        raise PreventUpdate
    obsid = int(record["obsid"])
    known = (state or {}).get("seen") if ack else loaded_rev
    form = gather(_items("values"), _items("rows"))
    try:
        with C.session_scope() as session:
            newer = revisions.revisions_after(session, obsid, known) if known is not None else []
            if newer:
                zone = ZoneInfo(C.settings().timezone)
                return {
                    "result": unseen_revisions(obsid, newer, zone),
                    "confirm": no_update,
                    "form": no_update,
                    "draft": no_update,
                }
            ask = SubmitRequest(obsid, kind or "norm", form, extras, record)
            user = acting_user(session, C.current_user())
            result = submit(session, C.ocat_source(), ask, user=user, now=C.now(), settings=C.settings(), token=token)
    except OcatChanged as exc:  # D8: nothing was written; show the three-way view on the page
        return {"result": conflict_view(obsid, exc.conflicts), "confirm": HIDE, "form": HIDE, "draft": no_update}
    except Forbidden as exc:  # the page already says so beside Submit; the server refuses all the same
        alert = dbc.Alert(f"Nothing was submitted: {exc.user_message}.", color="danger", id=EditorIds.REFUSED)
        return {"result": alert, "confirm": no_update, "form": no_update, "draft": no_update}
    return {"result": result_body(result), "confirm": HIDE, "form": HIDE, "draft": {"obsid": obsid, "dirty": False}}


def restore_draft(_n: int | None, kept: dict | None, record: dict | None, built: list | None) -> dict[str, Any]:
    """Restore the draft this browser kept for the obsid: the sections rebuilt with those edits (theirs open as
    well as those already built) and the submit options set; setting them runs the live check, which fills in
    the rest (changes, messages, Submit, the draft kept)."""
    if not record or not isinstance(kept, dict) or kept.get("obsid") != record.get("obsid"):
        raise PreventUpdate
    edits = draft_edits(kept.get("form"))
    kind = kept.get("kind") if kept.get("kind") in KIND_LABELS else "norm"
    extras = str(kept.get("extras") or "")[:4000]
    keys = sections_for(edits, built or ())
    values = current_values(record, edits)
    report = _check(record, edits, kind)
    figure = focal_plane_figure(values, values.get("window_ranks") or []) if "acis" in keys else None
    return {
        "sections": section_cards(values, report.errors, figure, keys).children,
        "built": list(keys),
        "offer": HIDE,
        "kind": kind,
        "extras": extras,
    }


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
        },
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
            "reason": Output(EditorIds.SUBMIT_REASON, "children"),
            "kind_warning": Output(EditorIds.KIND_WARNING, "style"),
            "kind_warning_text": Output(EditorIds.KIND_WARNING_TEXT, "children"),
            "draft": Output(EditorIds.DRAFT, "data"),
        },
        inputs={
            "values": Input(editor_field(ALL), "value"),
            "rows": Input(editor_grid(ALL), "rowData"),
            # an edited cell changes the grid's rowData in the browser but only `cellValueChanged` fires
            "edited": Input(editor_grid(ALL), "cellValueChanged"),
            "kind": Input(EditorIds.KIND, "value"),
            "extras": Input(EditorIds.EXTRAS, "value"),
        },
        state={"record": FORM_STATE["record"], "refusal": State(EditorIds.REFUSAL, "data")},
        prevent_initial_call=True,
    )(check_edits)
    app.clientside_callback(  # the refused rank cells, where the grids' cell rules read them
        ClientsideFunction("usintEditor", "paintRankErrors"),
        Input(EditorIds.RANK_CELL_ERRORS, "data"),
    )
    app.clientside_callback(  # the way back from a kind that drops the edits
        "function(n) { return 'norm'; }",
        Output(EditorIds.KIND, "value"),
        Input(EditorIds.KIND_BACK, "n_clicks"),
        prevent_initial_call=True,
    )


def _register_drafts(app: Dash) -> None:
    """The browser keeps the page's work per obsid (assets/editor.js): saved at each live check, offered when the
    obsid is opened again, restored by the server (the form rebuilt with it), discarded, cleared by a submit."""
    app.clientside_callback(
        ClientsideFunction("usintEditor", "saveDraft"),
        Input(EditorIds.DRAFT, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(  # in the browser at load: no round trip before the page is usable
        ClientsideFunction("usintEditor", "offerDraft"),
        Output(EditorIds.DRAFT_OFFER, "style"),
        Output(EditorIds.DRAFT_TEXT, "children"),
        Output(EditorIds.DRAFT_SAVED, "data"),
        Input(EditorIds.RECORD, "data"),
    )
    app.clientside_callback(
        ClientsideFunction("usintEditor", "discardDraft"),
        Output(EditorIds.DRAFT_OFFER, "style", allow_duplicate=True),
        Output(EditorIds.DRAFT_SAVED, "data", allow_duplicate=True),
        Input(EditorIds.DRAFT_DISCARD, "n_clicks"),
        State(EditorIds.DRAFT_SAVED, "data"),
        prevent_initial_call=True,
    )
    app.callback(  # the sections only: a new Submit would count as pressed (Dash runs the callbacks of inputs
        # inserted outside their outputs); setting the kind and the extra obsids runs the live check
        output={
            "sections": Output(EditorIds.SECTIONS, "children"),
            "built": Output(EditorIds.BUILT, "data"),
            "offer": Output(EditorIds.DRAFT_OFFER, "style", allow_duplicate=True),
            "kind": Output(EditorIds.KIND, "value", allow_duplicate=True),
            "extras": Output(EditorIds.EXTRAS, "value"),
        },
        inputs={"_n": Input(EditorIds.DRAFT_RESTORE, "n_clicks")},
        state={
            "kept": State(EditorIds.DRAFT_SAVED, "data"),
            "record": FORM_STATE["record"],
            "built": State(EditorIds.BUILT, "data"),
        },
        prevent_initial_call=True,
    )(restore_draft)


def _register_steps(app: Dash) -> None:
    app.callback(
        output={
            "body": Output(EditorIds.CONFIRM_BODY, "children"),
            "confirm": Output(EditorIds.CONFIRM, "style"),
            "form": Output(EditorIds.FORM, "style"),
            "finalize": Output(EditorIds.FINALIZE, "disabled"),
            "reason": Output(EditorIds.FINALIZE_REASON, "children"),
            "newer": Output(EditorIds.NEWER, "style"),
            "newer_text": Output(EditorIds.NEWER_TEXT, "children"),
            "ack": Output(EditorIds.NEWER_ACK, "value"),
            "state": Output(EditorIds.CONFIRM_STATE, "data"),
            "result": Output(EditorIds.RESULT, "children", allow_duplicate=True),
        },
        inputs={"_n": Input(EditorIds.SUBMIT, "n_clicks")},
        state={**FORM_STATE, "loaded_rev": State(EditorIds.LOADED_REV, "data")},
        running=[(Output(EditorIds.SUBMIT, "children"), "Checking…", "Submit")],
        prevent_initial_call=True,
    )(confirm)
    app.clientside_callback(  # the tick that others' revisions were seen opens Finalize (when nothing else blocks)
        ClientsideFunction("usintEditor", "finalizeGate"),
        Output(EditorIds.FINALIZE, "disabled", allow_duplicate=True),
        Output(EditorIds.FINALIZE_REASON, "children", allow_duplicate=True),
        Input(EditorIds.NEWER_ACK, "value"),
        State(EditorIds.CONFIRM_STATE, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(  # Back: the form again, as the user left it
        "function(n) { return [{display: 'none'}, {}, null]; }",
        Output(EditorIds.CONFIRM, "style", allow_duplicate=True),
        Output(EditorIds.FORM, "style", allow_duplicate=True),
        Output(EditorIds.RESULT, "children", allow_duplicate=True),
        Input(EditorIds.BACK, "n_clicks"),
        prevent_initial_call=True,
    )
    app.callback(
        output={
            "result": Output(EditorIds.RESULT, "children"),
            "confirm": Output(EditorIds.CONFIRM, "style", allow_duplicate=True),
            "form": Output(EditorIds.FORM, "style", allow_duplicate=True),
            "draft": Output(EditorIds.DRAFT, "data", allow_duplicate=True),
        },
        inputs={"_n": Input(EditorIds.FINALIZE, "n_clicks")},
        state={
            **FORM_STATE,
            "token": State(EditorIds.TOKEN, "data"),
            "ack": State(EditorIds.NEWER_ACK, "value"),
            "state": State(EditorIds.CONFIRM_STATE, "data"),
            "loaded_rev": State(EditorIds.LOADED_REV, "data"),
        },
        running=[(Output(EditorIds.FINALIZE, "children"), "Submitting…", "Finalize")],
        prevent_initial_call=True,
    )(finalize)


def register(app: Dash) -> None:
    app.callback(
        Output(EditorIds.REDIRECT, "href"),
        Output(EditorIds.PROMPT_FEEDBACK, "children"),
        Input(EditorIds.PROMPT_GO, "n_clicks"),
        Input(EditorIds.PROMPT_INPUT, "n_submit"),
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
    _register_drafts(app)
    _register_steps(app)
