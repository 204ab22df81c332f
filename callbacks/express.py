"""Callbacks of Express Approval (other-pages §5, D16): preview, then finalize (re-checked on the server).

The lists (up to 500 obsids) go to the browser as dash-ag-grid rows (data), not as a table of components.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html, no_update

from callbacks._context import current_user, now, ocat_source, session_scope, settings
from data.errors import Forbidden, ValidationFailed
from data.revisions.express import FIELD, ExpressItem, ExpressResult, finalize, parse_obsids, preview
from data.users import acting_user, require
from pages._ids import ExpressIds

BY_OBSID = {"function": "(a, b, na, nb) => na.data.obsid - nb.data.obsid"}
COLUMNS = [
    {
        "colId": "obsid",
        "headerName": "ObsID",
        "cellRenderer": "markdown",
        "linkTarget": "express_obsid",
        "valueGetter": {"function": "'[' + params.data.obsid + '](/ocatdatapage/' + params.data.obsid + ')'"},
        "filterValueGetter": {"function": "params.data.obsid"},
        "comparator": BY_OBSID,
        "width": 100,
    },
    {"field": "proposal_id", "headerName": "Prop ID", "width": 110},
    {"field": "sequence_number", "headerName": "Sequence Number", "width": 150},
    {"field": "title", "headerName": "Title", "flex": 2, "tooltipField": "title"},
    {"field": "target", "headerName": "Target", "flex": 1, "tooltipField": "target"},
    {"field": "pi", "headerName": "PI", "width": 130},
    {"field": "note", "headerName": "Note", "flex": 2, "tooltipField": "note"},
]
ROW_PX = 32
MAX_HEIGHT_PX = 480


def item_rows(items: Sequence[ExpressItem]) -> list[dict[str, Any]]:
    """One grid row per obsid (`id` is the obsid as text, the grid's row id); `open` marks an approvable obsid with
    an open revision (shown yellow)."""
    return [
        {
            "id": str(i.obsid),
            "obsid": i.obsid,
            "proposal_id": i.proposal_id,
            "sequence_number": i.sequence_number,
            "title": i.title or "",
            "target": i.target_name or "",
            "pi": i.pi_name or "",
            "note": i.note,
            "open": bool(i.open_revisions),
        }
        for i in items
    ]


def _height(rows: int) -> str:
    return f"{min(MAX_HEIGHT_PX, 36 + ROW_PX * max(rows, 1) + 4)}px"


def items_table(items: Sequence[ExpressItem], *, approvable: bool, table_id: ExpressIds) -> dag.AgGrid:
    """Approvable rows (yellow when the obsid has an open revision) or skipped rows (red, with the reason)."""
    return dag.AgGrid(
        id=table_id,
        rowData=item_rows(items),
        columnDefs=COLUMNS,
        getRowId="params.data.id",
        defaultColDef={"sortable": True, "resizable": True},
        rowClassRules={"express-open": "params.data.open"} if approvable else {"express-skipped": "true"},
        dashGridOptions={"rowHeight": ROW_PX, "headerHeight": 36, "suppressCellFocus": True, "tooltipShowDelay": 300},
        className="ag-theme-alpine express-grid",
        style={"height": _height(len(items)), "width": "100%"},
    )


def preview_view(
    approvable: Sequence[ExpressItem], skipped: Sequence[ExpressItem], *, may_approve: bool, reason: str | None
) -> html.Div:
    parts: list[Any] = [html.H4(f"Approvable ({len(approvable)})", className="h5")]
    if approvable:
        parts.append(
            html.P(
                "These observations will be marked as approved. Yellow rows have an open revision submitted by "
                "a POC: check that the obsid was not included by mistake.",
                className="small",
            )
        )
        parts.append(items_table(approvable, approvable=True, table_id=ExpressIds.APPROVABLE))
    else:
        parts.append(html.P("No approvable obsids provided.", className="text-muted"))
    if skipped:
        parts.append(html.H4(f"Skipped ({len(skipped)})", className="h5 mt-3"))
        parts.append(
            html.P(
                "These observations have an issue and will be ignored. Contact Admin, Tech and ArcOps if they "
                "should be approved.",
                className="small",
            )
        )
        parts.append(items_table(skipped, approvable=False, table_id=ExpressIds.SKIPPED))
    if approvable and not may_approve:
        parts.append(dbc.Alert(reason or "You may not approve observations.", color="warning", className="py-2"))
    return html.Div(parts)


def preview_list(_clicks: int | None, text: str | None) -> tuple[Any, Any, str, bool, Any]:
    """(preview, stored obsids, feedback, finalize bar hidden, result) for the pasted text."""
    try:
        obsids = parse_obsids(text)
    except ValidationFailed as err:
        return None, None, err.errors.get(FIELD, err.user_message), True, None
    if not obsids:
        return None, None, "Enter one or more obsids.", True, None
    with session_scope(readonly=True) as session:
        found = preview(session, ocat_source(), obsids)
    may, reason = _may_approve()
    view = preview_view(found.approvable, found.skipped, may_approve=may, reason=reason)
    stored = {"obsids": found.approvable_obsids} if found.approvable and may else None
    return view, stored, "", not (found.approvable and may), None


def _may_approve() -> tuple[bool, str | None]:
    try:
        require(current_user(), "approve", settings().permissions)
    except Forbidden as err:
        return False, err.user_message
    return True, None


def result_view(result: ExpressResult) -> html.Div:
    if not result.approved:
        parts: list[Any] = [
            dbc.Alert("None of the obsids could be approved. Go back and try again.", color="warning", className="py-2")
        ]
    else:
        parts = [
            dbc.Alert(
                f"Approved {len(result.approved)} observation{'s' if len(result.approved) != 1 else ''}. You will "
                "receive a confirmation e-mail for each observation separately.",
                color="success",
                className="py-2",
            ),
            dag.AgGrid(
                id=ExpressIds.APPROVED,
                rowData=[{"id": str(obsid), "obsid": obsid, "obsidrev": rev} for obsid, rev in result.approved.items()],
                columnDefs=[
                    {"field": "obsid", "headerName": "ObsID", "width": 110},
                    {
                        "colId": "obsidrev",
                        "headerName": "Approved as (check page)",
                        "flex": 1,
                        "cellRenderer": "markdown",
                        "valueGetter": {
                            "function": "'[' + params.data.obsidrev + '](/chkupdata/' + params.data.obsidrev + ')'"
                        },
                    },
                ],
                getRowId="params.data.id",
                dashGridOptions={"rowHeight": ROW_PX, "headerHeight": 36, "suppressCellFocus": True},
                className="ag-theme-alpine express-grid",
                style={"height": _height(len(result.approved)), "width": "100%", "maxWidth": "40rem"},
            ),
        ]
    if result.skipped:
        parts.append(html.H5("Skipped on the final check", className="h6 mt-2"))
        parts.append(html.Ul([html.Li(f"{i.obsid}: {i.reason}") for i in result.skipped]))  # rare: changed meanwhile
    return html.Div(parts)


def finalize_list(_clicks: int | None, stored: dict[str, Any] | None) -> tuple[Any, Any, Any, bool]:
    """(result, preview, stored obsids, finalize bar hidden): approve the previewed obsids, checked again."""
    try:
        obsids = [int(o) for o in (stored or {}).get("obsids") or []]
    except (TypeError, ValueError):
        raise ValidationFailed({"obsids": "The previewed list was damaged; preview the list again."}) from None
    if not obsids:
        return html.P("Nothing to approve: preview a list first.", className="text-muted"), no_update, None, True
    who = current_user()
    config = settings()
    moment = now()
    with session_scope() as session:
        user = acting_user(session, who)
        result = finalize(session, ocat_source(), obsids, user=user, now=moment, settings=config)
    return result_view(result), None, None, True  # the commit woke the mail sender (D21)


def register(app: Dash) -> None:
    app.callback(
        Output(ExpressIds.PREVIEW, "children"),
        Output(ExpressIds.OBSIDS, "data"),
        Output(ExpressIds.FEEDBACK, "children"),
        Output(ExpressIds.FINALIZE_BAR, "hidden"),
        Output(ExpressIds.RESULT, "children"),
        Input(ExpressIds.PREVIEW_BUTTON, "n_clicks"),
        State(ExpressIds.INPUT, "value"),
        prevent_initial_call=True,
    )(preview_list)
    app.callback(
        Output(ExpressIds.RESULT, "children", allow_duplicate=True),
        Output(ExpressIds.PREVIEW, "children", allow_duplicate=True),
        Output(ExpressIds.OBSIDS, "data", allow_duplicate=True),
        Output(ExpressIds.FINALIZE_BAR, "hidden", allow_duplicate=True),
        Input(ExpressIds.FINALIZE, "n_clicks"),
        State(ExpressIds.OBSIDS, "data"),
        prevent_initial_call=True,
    )(finalize_list)
