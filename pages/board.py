"""Target Parameter Status (orupdate): the shared sign-off board, and its wall display at `?kiosk=1`.

The layout arrives filled: while Dash Pages serves it to a browser, `callbacks.board.build_board` (the function the
refresh uses) reads the rows, so the page is usable after that one round trip; the page module itself reads no
database (E6). `callbacks/board.py` then keeps the grid fresh and runs the sign-off actions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import current_app

from callbacks import _grids_board as grids
from callbacks._context import current_user, settings
from callbacks._first_view import first_view as read_first
from callbacks.board import build_board
from data.settings import DEFAULT_PERMISSIONS
from pages._components.board_columns import AGE_ALERT_H, AGE_WARN_H, column_defs
from pages._components.board_wall import wall_tiles
from pages._components.cards import page_header
from pages._ids import BoardIds

dash.register_page(__name__, path="/orupdate", title="Target Parameter Status · USINT", name="Target Parameter Status")

DEFAULT_REFRESH_S = 180


def _settings_value(name: str, default: float) -> float:
    """A setting when an app is around (the validation layout is built without one)."""
    try:
        return getattr(current_app.config["USINT"], name)
    except Exception:
        return default


def _is_kiosk(kiosk: str | None) -> bool:
    return str(kiosk or "").strip().lower() in {"1", "true", "yes", "on"}


ROW_HEIGHT_PX = 56
"""Two lines of the board's text."""


def board_grid(kiosk: bool, rows: list[dict[str, Any]] | None = None) -> dag.AgGrid:
    return dag.AgGrid(
        id=BoardIds.GRID,
        rowData=rows or [],
        columnDefs=column_defs(kiosk=kiosk, permissions=_settings_value("permissions", DEFAULT_PERMISSIONS)),
        getRowId="params.data.id",
        # Nothing is lost at 1600 px: headers and cells wrap within rows of two lines (a fixed height: measuring
        # every row for autoHeight cost 0.3 s of the page's first second); the free-text columns end a longer
        # text in "…" and show it whole as a tooltip. The wall display's rows grow to its long texts instead.
        defaultColDef={
            "sortable": True,
            "filter": not kiosk,
            "resizable": True,
            "floatingFilter": not kiosk,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
            "wrapText": not kiosk,
        },
        rowClassRules={"board-changed": "params.data.changed", "board-closed": "params.data.state == 'closed'"},
        dashGridOptions={
            "animateRows": False,
            **({} if kiosk else {"rowHeight": ROW_HEIGHT_PX}),
            "tooltipShowDelay": 300,
            "suppressCellFocus": True,
            "suppressColumnVirtualisation": True,
            "localeText": {"noRowsToShow": "All recently updated ObsIDs were signed off and clear."},
        },
        columnSize="responsiveSizeToFit",
        className="ag-theme-alpine board-grid" + (" board-grid-kiosk" if kiosk else ""),
        # The wall's grid takes the screen's height left under the tiles (board.css: .board-kiosk is a column).
        style={"flex": "1 1 auto", "minHeight": 0, "width": "100%"} if kiosk else {"height": "70vh", "width": "100%"},
    )


def controls() -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Filter", html_for=BoardIds.QUICK_FILTER, className="small mb-0 me-2"),
                    dbc.Input(
                        id=BoardIds.QUICK_FILTER,
                        placeholder="Filter all columns…",
                        type="search",
                        size="sm",
                        debounce=300,
                    ),
                ],
                md=4,
                className="d-flex align-items-center",
            ),
            dbc.Col(dbc.Switch(id=BoardIds.MINE_FIRST, label="My revisions first", value=False), md="auto"),
            dbc.Col(
                html.A(
                    "Download CSV",
                    id=BoardIds.CSV,
                    href="/api/v1/status.csv",
                    download="usint-status.csv",
                    className="btn btn-outline-secondary btn-sm",
                ),
                md="auto",
            ),
            dbc.Col(
                html.Div(
                    [
                        html.A("Remove Accidental Submission", href="/rm_submission", className="me-3"),
                        html.A("Express Approval", href="/express", className="me-3"),
                        html.A("Wall display", href="/orupdate?kiosk=1", target="_blank"),
                    ],
                    className="small text-end",
                ),
                className="ms-auto",
            ),
        ],
        className="g-2 align-items-center mb-2",
    )


def help_text(window_h: float) -> html.Div:
    return html.Div(
        [
            html.P(
                [
                    f"This board lists every open revision (at least one sign-off still Pending) and every revision "
                    f"closed in the last {window_h:g} hours, counted from its last sign-off. ",
                    "Sign records your name and the time. A column can be signed only while it is Pending, and USINT "
                    "Verification only after the four edit columns are done. Signoff & Approve also approves the obsid "
                    "and e-mails a confirmation; obsids already approved get no Approve button, because approval "
                    "carries over. Discard closes an out-of-date revision (its Pending columns become NA). ",
                    "Mistakes can be undone on the Remove Accidental Submission page.",
                ],
                className="small mb-1",
            ),
            html.P(
                "Revisions of one obsid with several open revisions share a colour in the OBSID.rev column. "
                "Notes: Multiple Revisions Open (verify earlier revisions first), Higher Rev Already Signed Off "
                "(a newer revision supersedes this one), Large Coordinate Shift (more than 8 arcmin), On OR List, "
                "Within 10 Days, Instrument/Grating/Target Change, New Comment, On Approved List.",
                className="small text-muted",
            ),
        ]
    )


def action_modal() -> dbc.Modal:
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("Confirm")),
            dbc.ModalBody(id=BoardIds.MODAL_BODY),
            dbc.ModalFooter(
                [
                    dbc.Button("Cancel", id=BoardIds.CANCEL, color="secondary", n_clicks=0),
                    dbc.Button("Confirm", id=BoardIds.CONFIRM, color="primary", n_clicks=0),
                ]
            ),
        ],
        id=BoardIds.MODAL,
        is_open=False,
    )


RETRY_S = 15.0
"""When the first read failed, the refresh retries this often (it reads in full while the page has no token)."""


def first_view(wall: bool) -> tuple[list[dict[str, Any]], dict[str, Any] | None, str, str, str]:
    """(rowData, token store, updated, summary, Ocat notice): read while a browser opens the page, else empty."""
    return read_first(lambda: build_board(kiosk=wall, mine_first=False, since=None), ([], None, "", "", ""))


def wall_legend() -> html.Div:
    """What the wall's colours and texts mean."""
    return html.Div(
        [
            html.Span("Pending, waiting:", className="me-2"),
            html.Span("3.2 h", className="board-legend-swatch board-legend-new me-1"),
            html.Span(f"under {AGE_WARN_H:g} h", className="me-3"),
            html.Span("1.5 d", className="board-legend-swatch board-legend-warn me-1"),
            html.Span(f"{AGE_WARN_H:g}–{AGE_ALERT_H:g} h", className="me-3"),
            html.Span("4.0 d", className="board-legend-swatch board-legend-alert me-1"),
            html.Span(f"over {AGE_ALERT_H:g} h", className="me-3"),
            html.Span("name = signed by · – = not required · the list moves on by itself every 20 s"),
        ],
        id=BoardIds.LEGEND,
        className="board-legend",
    )


def checked_text(token: dict[str, Any] | None) -> str:
    """When the rows were read, in the board's display zone and labelled (the browser then keeps it current)."""
    if not token or not token.get("zone"):
        return ""
    return grids.checked_text(datetime.fromtimestamp(token["at"], UTC), token["zone"])


def rights_line() -> str:
    """Which buttons this reader gets, and who may press the others (read while the page is served)."""

    def read() -> str:
        return grids.rights_text(current_user(), settings().permissions)

    return read_first(read, "")


def tiles_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return grids.wall_tiles(rows)


def layout(kiosk: str | None = None, **_query: str) -> html.Div:
    """The board, filled; `kiosk=1` gives the wall display (large type, no buttons, same refresh)."""
    wall = _is_kiosk(kiosk)
    refresh_s = float(_settings_value("board_refresh_s", DEFAULT_REFRESH_S))
    window_h = float(_settings_value("closed_window_h", 36.0))
    rows, token, updated, summary, notice = first_view(wall)
    if token is None:
        refresh_s = min(refresh_s, RETRY_S)
    stores = [
        dcc.Store(id=BoardIds.KIOSK, data=wall),
        dcc.Store(id=BoardIds.TOKEN, data=token),
        dcc.Store(id=BoardIds.PENDING_ACTION),
        dcc.Store(id=BoardIds.DONE),
        dcc.Interval(id=BoardIds.TICK, interval=int(refresh_s * 1000), n_intervals=0),
    ]
    status_line = html.Div(
        [
            html.Span(updated, id=BoardIds.UPDATED, className="fw-semibold me-2"),
            html.Span(checked_text(token), id=BoardIds.CHECKED, className="text-muted small me-3"),
            html.Span(summary, id=BoardIds.SUMMARY, className="small"),
        ],
        className="board-status-line mb-2",
    )
    ocat_notice = html.Div(notice, id=BoardIds.OCAT_NOTICE, className="small text-warning mb-1", role="status")
    if wall:
        return html.Div(
            [
                *stores,
                html.H1("Target Parameter Status", className="board-kiosk-title"),
                status_line,
                html.Div(wall_tiles(tiles_of(rows)), id=BoardIds.TILES, className="board-tiles"),
                wall_legend(),
                ocat_notice,
                board_grid(True, rows),
                # The shared ids of the full page exist here too, hidden, so every callback has its components.
                html.Div(
                    [
                        dbc.Input(id=BoardIds.QUICK_FILTER, type="hidden"),
                        dbc.Switch(id=BoardIds.MINE_FIRST, value=False),
                        html.Div(id=BoardIds.RESULT),
                        action_modal(),
                    ],
                    hidden=True,
                ),
            ],
            className="board-kiosk",
        )
    return html.Div(
        [
            *stores,
            page_header("Target Parameter Status"),
            help_text(window_h),
            controls(),
            html.Div(rights_line(), id=BoardIds.RIGHTS, className="small text-body-secondary mb-1"),
            status_line,
            ocat_notice,
            html.Div(id=BoardIds.RESULT, role="status"),
            html.Div(id=BoardIds.TILES, hidden=True),
            board_grid(False, rows),
            action_modal(),
        ],
        className="board-page",
    )
