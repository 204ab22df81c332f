"""Callbacks of Express Approval (other-pages §5, D16): preview, then finalize (re-checked on the server)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html, no_update

from callbacks._context import current_user, now, ocat_source, session_scope, settings
from data.errors import ValidationFailed
from data.revisions.express import FIELD, ExpressItem, ExpressResult, finalize, parse_obsids, preview
from pages._ids import ExpressIds

OPEN_STYLE = {"backgroundColor": "rgba(255,185,0,0.6)"}
SKIPPED_STYLE = {"backgroundColor": "rgba(255,0,0,0.2)"}
HEADINGS = ("ObsID", "Prop ID", "Sequence Number", "Title", "Target", "PI", "Note")


def _cells(item: ExpressItem) -> list[html.Td]:
    values = (item.proposal_id, item.sequence_number, item.title, item.target_name, item.pi_name, item.note)
    link = html.A(str(item.obsid), href=f"/ocatdatapage/{item.obsid}", target="express_obsid")
    return [html.Td(link)] + [html.Td("" if v is None else str(v)) for v in values]


def items_table(items: Sequence[ExpressItem], *, approvable: bool, table_id: ExpressIds) -> dbc.Table:
    """Approvable rows (yellow when the obsid has an open revision) or skipped rows (red, with the reason)."""
    rows = []
    for item in items:
        style = SKIPPED_STYLE if not approvable else (OPEN_STYLE if item.open_revisions else None)
        rows.append(html.Tr(_cells(item), style=style, **{"data-obsid": str(item.obsid)}))
    head = html.Thead(html.Tr([html.Th(h) for h in HEADINGS]))
    return dbc.Table([head, html.Tbody(rows)], bordered=True, size="sm", hover=True, id=table_id)


def preview_view(approvable: Sequence[ExpressItem], skipped: Sequence[ExpressItem], *, may_approve: bool,
                 reason: str | None) -> html.Div:  # fmt: skip
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
    from data.errors import Forbidden
    from data.users import require

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
            html.Ul(
                [
                    html.Li(html.A(obsidrev, href=f"/chkupdata/{obsidrev}", **{"data-obsid": str(obsid)}))
                    for obsid, obsidrev in result.approved.items()
                ],
                id=ExpressIds.APPROVED,
            ),
        ]
    if result.skipped:
        parts.append(html.H5("Skipped on the final check", className="h6 mt-2"))
        parts.append(html.Ul([html.Li(f"{i.obsid}: {i.reason}") for i in result.skipped]))
    return html.Div(parts)


def finalize_list(_clicks: int | None, stored: dict[str, Any] | None) -> tuple[Any, Any, Any, bool]:
    """(result, preview, stored obsids, finalize bar hidden): approve the previewed obsids, checked again."""
    try:
        obsids = [int(o) for o in (stored or {}).get("obsids") or []]
    except (TypeError, ValueError):
        raise ValidationFailed({"obsids": "The previewed list was damaged; preview the list again."}) from None
    if not obsids:
        return html.P("Nothing to approve: preview a list first.", className="text-muted"), no_update, None, True
    from data.users import get_user

    who = current_user()
    config = settings()
    moment = now()
    with session_scope() as session:
        user = get_user(session, who.username) if who.username else None
        result = finalize(session, ocat_source(), obsids, user=user or who, now=moment, settings=config)
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
