"""Ocat Data Page: load an obsid, edit its parameters, confirm the changes and submit a revision (ocat-data-page §1–§8).

The layout is a skeleton built from the catalogue with no database access (E6); callbacks/editor.py fills it.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from data.parameters.catalogue import PARAMETERS, SECTIONS, section_params
from pages._components.cards import page_header
from pages._components.editor_fields import (
    LINKS,
    make_fields,
    make_rank_table,
    section_help,
)
from pages._ids import EditorIds

dash.register_page(
    __name__,
    path="/ocatdatapage",
    path_template="/ocatdatapage/<obsid>",
    title="Ocat Data Page · USINT",
    name="Ocat Data Page",
)

PHASE = ("phase_epoch", "phase_period", "phase_start", "phase_start_margin", "phase_end", "phase_end_margin")
SUBARRAY = ("subarray_start_row", "subarray_row_count")
DUTY = ("secondary_exp_count", "primary_exp_time")
KINDS = [
    {"label": "Normal Change (any change other than approval status)", "value": "norm"},
    {"label": "Observation is Approved for flight (adds it to the approved list, nothing else)", "value": "asis"},
    {"label": "ObsID no longer ready to go (removes it from the approved list, nothing else)", "value": "remove"},
    {"label": "Split this ObsID (explain in the comments why the split is needed)", "value": "clone"},
]


def _names(section: str, exclude: tuple[str, ...] = ()) -> list[str]:
    return [p.name for p in section_params(section) if p.rank_set is None and p.name not in exclude]


def _section(key: str, *children: object) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(html.H5([SECTIONS[key], section_help(key)], className="mb-0")),
            dbc.CardBody(list(children)),
        ],
        className="mb-3",
        id=f"editor-section-{key}",
    )


def _prompt() -> html.Div:
    return html.Div(
        [
            html.P("Type an obsid to open it in the editor."),
            dbc.InputGroup(
                [
                    dbc.Input(id=EditorIds.PROMPT_INPUT, placeholder="e.g. 12345", type="text"),
                    dbc.Button("Open", id=EditorIds.PROMPT_GO, color="primary"),
                ],
                style={"maxWidth": "24rem"},
            ),
            html.Div(id=EditorIds.PROMPT_FEEDBACK, className="text-danger small mt-1"),
        ],
        id=EditorIds.PROMPT,
    )


def _form() -> html.Div:
    general = _names("general")
    return html.Div(
        [
            _section(
                "general",
                make_fields(general),
                html.Div(
                    [
                        "RA/Dec in degrees (live): ",
                        html.Span(id=EditorIds.RA_DEG),
                        " / ",
                        html.Span(id=EditorIds.DEC_DEG),
                    ],
                    className="small text-muted",
                ),
                html.P(
                    "Type RA as hh:mm:ss.s and Dec as ±dd:mm:ss.s (colons or spaces, e.g. 16:22:04.8 -27:43:04.0) "
                    "or both in decimal degrees.",
                    className="small text-muted mb-0",
                ),
            ),
            _section(
                "dither",
                make_fields(["dither_flag"]),
                html.Div(make_fields(_names("dither", ("dither_flag",))), id=EditorIds.SEC_DITHER),
            ),
            _section("time", make_fields(_names("time")), make_rank_table("time")),
            _section("roll", make_fields(_names("roll")), make_rank_table("roll")),
            _section(
                "other",
                make_fields(_names("other", PHASE)),
                html.Div(make_fields(list(PHASE)), id=EditorIds.SEC_PHASE),
            ),
            _section(
                "hrc",
                html.P(id=EditorIds.NOT_HRC, className="text-muted"),
                html.Div(make_fields(_names("hrc")), id=EditorIds.SEC_HRC),
            ),
            _section(
                "acis",
                html.P(id=EditorIds.NOT_ACIS, className="text-muted"),
                html.Div(
                    [
                        make_fields(_names("acis", SUBARRAY + DUTY)),
                        html.Div(make_fields(list(SUBARRAY)), id=EditorIds.SEC_SUBARRAY),
                        html.Div(make_fields(list(DUTY)), id=EditorIds.SEC_DUTY),
                        dcc.Graph(id=EditorIds.FIGURE, config={"displayModeBar": False}),
                    ],
                    id=EditorIds.SEC_ACIS,
                ),
            ),
            _section(
                "acis_window",
                html.Div(
                    [
                        make_fields(_names("acis_window")),
                        html.P(
                            "Sample rate 0 makes a window an EXCLUSION area; for an INCLUSION area set sample 1 in the "
                            "first window and add a second window with sample 0 covering 1024 × 1024.",
                            className="small text-muted",
                        ),
                        make_rank_table("window"),
                    ],
                    id=EditorIds.SEC_WINDOW,
                ),
            ),
            _section("too", make_fields(_names("too"))),
            _section("comments", make_fields(["remarks", "comments"])),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H5("Submit Options"),
                        dbc.RadioItems(id=EditorIds.KIND, options=KINDS, value="norm", className="mb-2"),
                        dbc.Label(
                            "Multi-Obsid (apply the same changes to these obsids; lists and ranges, at most 500)",
                            html_for=EditorIds.EXTRAS,
                            className="small",
                        ),  # fmt: skip
                        dbc.Input(
                            id=EditorIds.EXTRAS, type="text", debounce=True, placeholder="e.g. 22608-22612, 23001"
                        ),
                        html.Div(id=EditorIds.EXTRAS_FEEDBACK, className="text-danger small"),
                        html.H6("Changes so far", className="mt-3"),
                        html.Ul(id=EditorIds.CHANGES, className="small"),
                        html.Ul(id=EditorIds.FORM_ERRORS, className="text-danger small"),
                        dbc.Button("Submit", id=EditorIds.SUBMIT, color="primary", disabled=True, className="me-2"),
                        dbc.Button("Refresh", id=EditorIds.REFRESH, color="secondary", outline=True),
                    ]
                ),
                className="mb-3",
            ),
        ],
        id=EditorIds.FORM,
    )


def layout(obsid: str | None = None, **_query: str) -> html.Div:
    """Prompt when no obsid; otherwise the skeleton that the load callback fills."""
    return html.Div(
        [
            page_header("Ocat Data Page", f"Obsid {obsid}" if obsid else None),
            dcc.Store(id=EditorIds.OBSID, data=obsid),
            dcc.Store(id=EditorIds.RECORD),
            dcc.Store(id=EditorIds.TOKEN),
            dcc.Store(id=EditorIds.RANK_CELL_ERRORS),
            dcc.Store(id=EditorIds.RANK_CELL_PAINTED),
            dcc.Location(id=EditorIds.REDIRECT, refresh=True),
            html.Div(_prompt(), style={"display": "none"} if obsid else None),
            html.Div(
                [
                    html.Div(id=EditorIds.WARNING, className="text-danger fw-bold mb-2"),
                    html.Div(
                        [
                            html.A("Ocat Data Help", href=LINKS["help"], target="_blank", className="small me-3"),
                            dbc.Button("Refresh", id=EditorIds.REFRESH_TOP, color="secondary", outline=True, size="sm"),
                        ],
                        className="mb-2",
                    ),
                    dcc.Loading(html.Div(id=EditorIds.HEADER, className="mb-3")),
                    _form(),
                    html.Div(
                        [
                            dcc.Loading(html.Div(id=EditorIds.CONFIRM_BODY)),
                            dbc.Button("Back", id=EditorIds.BACK, color="secondary", className="me-2"),
                            dbc.Button("Finalize", id=EditorIds.FINALIZE, color="danger"),
                        ],
                        id=EditorIds.CONFIRM,
                        style={"display": "none"},
                    ),
                    dcc.Loading(html.Div(id=EditorIds.RESULT)),
                    html.Div(id=EditorIds.FOOTER, className="small border-top pt-2 mt-3"),
                ],
                id=EditorIds.BODY,
                style=None if obsid else {"display": "none"},
            ),
        ]
    )


__all__ = ["layout", "PARAMETERS"]
