"""The editor's form (ocat-data-page §3): one card per catalogue section, the submit options and the confirm frame.

A section that starts closed has an empty body; callbacks/editor.py builds it the first time it is opened, so the
page mounts only what the user looks at. Everything here is pure: values in, components out (E9).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from data.parameters.catalogue import PARAMETERS, RANK_SETS, SECTIONS, section_params
from pages._components.editor_fields import HIDE, SHOW, make_fields, make_rank_table, part, section_help
from pages._ids import EditorIds, editor_derived, editor_figure, editor_section_body, editor_section_toggle

OPEN_AT_START = ("general", "comments")
"""Sections open (and built) when the page arrives; the others are built on first open."""
FORM_SECTIONS = ("general", "dither", "time", "roll", "other", "hrc", "acis", "acis_window", "too", "comments")
SECTION_IDS = {"hrc": EditorIds.SEC_HRC, "acis": EditorIds.SEC_ACIS, "acis_window": EditorIds.SEC_WINDOW}
"""The cards shown or hidden with the instrument."""
GRID_SECTIONS = {"time": "time", "roll": "roll", "window": "acis_window"}
"""ranked set → the section holding its grid."""
PHASE = ("phase_epoch", "phase_period", "phase_start", "phase_start_margin", "phase_end", "phase_end_margin")
SUBARRAY = ("subarray_start_row", "subarray_row_count")
DUTY = ("secondary_exp_count", "primary_exp_time")
KINDS = [
    {"label": "Normal Change (any change other than approval status)", "value": "norm"},
    {"label": "Observation is Approved for flight (adds it to the approved list, nothing else)", "value": "asis"},
    {"label": "ObsID no longer ready to go (removes it from the approved list, nothing else)", "value": "remove"},
    {"label": "Split this ObsID (explain in the comments why the split is needed)", "value": "clone"},
]


def names_of(section: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """The scalar parameters of a catalogue section, in catalogue order."""
    return [p.name for p in section_params(section) if p.rank_set is None and p.name not in exclude]


def is_acis(values: Mapping[str, Any]) -> bool:
    return str(values.get("instrument") or "").startswith("ACIS")


def parts_shown(values: Mapping[str, Any]) -> dict[str, bool]:
    """Which flag-driven blocks are shown for the current form values (display units)."""
    return {
        "dither": values.get("dither_flag") == "Y",
        "time_ranks": values.get("window_flag") in ("Y", "P"),
        "roll_ranks": values.get("roll_flag") in ("Y", "P"),
        "window_ranks": values.get("spwindow_flag") == "Y",
        "phase": values.get("phase_constraint_flag") in ("Y", "P"),
        "subarray": values.get("subarray") == "CUSTOM",
        "duty": values.get("duty_cycle") == "Y",
    }


def sections_shown(values: Mapping[str, Any]) -> dict[str, bool]:
    """The instrument's sections: ACIS and its windows, or HRC."""
    acis = is_acis(values)
    return {"hrc": not acis, "acis": acis, "acis_window": acis}


def on_page(built: tuple[str, ...] | list[str]) -> set[str]:
    """What the built sections show with its message: their editable fields, and `grid:<key>` for their grids."""
    out = {n for key in built for n in names_of(key) if PARAMETERS[n].editable}
    return out | {f"grid:{k}" for k, section in GRID_SECTIONS.items() if section in built}


def rank_cells(key: str, errors: Mapping[str, str]) -> dict[tuple[int, str], str]:
    """The refused cells of a ranked set: (rank counted from 1, as the grid's Rank column, column) → message."""
    columns = RANK_SETS[key].columns
    out = {}
    for name, msg in errors.items():
        column, _, index = name.partition("[")
        if index and column in columns:
            out[(int(index.rstrip("]")) + 1, column)] = msg
    return out


def rank_error_items(key: str, errors: Mapping[str, str]) -> list[html.Li]:
    """The list under a grid: the set's own message, then each refused cell."""
    cells = rank_cells(key, errors)
    items = [html.Li(f"Rank {rank} {PARAMETERS[name].label}: {msg}") for (rank, name), msg in sorted(cells.items())]
    records_key = RANK_SETS[key].records_key
    return ([html.Li(errors[records_key])] if records_key in errors else []) + items


# ---------------------------------------------------------------------------------------------------- section bodies


def _general(values: Mapping[str, Any], errors: Mapping[str, str], _figure: Any) -> list[Any]:
    return [
        make_fields(names_of("general"), values, errors),
        html.Div(
            [
                "RA/Dec in degrees (live): ",
                html.Span(degrees(values.get("ra")), id=editor_derived("ra")),
                " / ",
                html.Span(degrees(values.get("dec")), id=editor_derived("dec")),
            ],
            className="small text-muted",
        ),
        html.P(
            "Type RA as hh:mm:ss.s and Dec as ±dd:mm:ss.s (colons or spaces, e.g. 16:22:04.8 -27:43:04.0) "
            "or both in decimal degrees.",
            className="small text-muted mb-0",
        ),
    ]


def _dither(values: Mapping[str, Any], errors: Mapping[str, str], _figure: Any) -> list[Any]:
    rest = make_fields(names_of("dither", ("dither_flag",)), values, errors)
    return [make_fields(["dither_flag"], values, errors), part("dither", parts_shown(values)["dither"], rest)]


def _ranked(key: str, section: str) -> Any:
    def body(values: Mapping[str, Any], errors: Mapping[str, str], _figure: Any) -> list[Any]:
        rows = values.get(f"{key}_ranks") or []
        table = make_rank_table(key, rows, parts_shown(values)[f"{key}_ranks"], rank_error_items(key, errors))
        return [make_fields(names_of(section), values, errors), table]

    return body


def _other(values: Mapping[str, Any], errors: Mapping[str, str], _figure: Any) -> list[Any]:
    phase = make_fields(list(PHASE), values, errors)
    return [make_fields(names_of("other", PHASE), values, errors), part("phase", parts_shown(values)["phase"], phase)]


def _plain(section: str) -> Any:
    def body(values: Mapping[str, Any], errors: Mapping[str, str], _figure: Any) -> list[Any]:
        return [make_fields(names_of(section), values, errors)]

    return body


def _acis(values: Mapping[str, Any], errors: Mapping[str, str], figure: Any) -> list[Any]:
    shown = parts_shown(values)
    return [
        make_fields(names_of("acis", SUBARRAY + DUTY), values, errors),
        part("subarray", shown["subarray"], make_fields(list(SUBARRAY), values, errors)),
        part("duty", shown["duty"], make_fields(list(DUTY), values, errors)),
        dcc.Graph(id=editor_figure("focal-plane"), figure=figure, config={"displayModeBar": False}),
    ]


def _acis_window(values: Mapping[str, Any], errors: Mapping[str, str], _figure: Any) -> list[Any]:
    return [
        make_fields(names_of("acis_window"), values, errors),
        html.P(
            "Sample rate 0 makes a window an EXCLUSION area; for an INCLUSION area set sample 1 in the first window "
            "and add a second window with sample 0 covering 1024 × 1024.",
            className="small text-muted",
        ),
        make_rank_table(
            "window",
            values.get("window_ranks") or [],
            parts_shown(values)["window_ranks"],
            rank_error_items("window", errors),
        ),
    ]


def _comments(values: Mapping[str, Any], errors: Mapping[str, str], _figure: Any) -> list[Any]:
    return [make_fields(["remarks", "comments"], values, errors)]


BODIES = {
    "general": _general,
    "dither": _dither,
    "time": _ranked("time", "time"),
    "roll": _ranked("roll", "roll"),
    "other": _other,
    "hrc": _plain("hrc"),
    "acis": _acis,
    "acis_window": _acis_window,
    "too": _plain("too"),
    "comments": _comments,
}
"""section key → body(values, errors, focal-plane figure) → children."""


def degrees(value: Any) -> str:
    return "NA" if value is None else f"{float(value):.6f}"


def section_body(key: str, values: Mapping[str, Any], errors: Mapping[str, str], figure: Any = None) -> dbc.CardBody:
    """The body of one section filled with the current values and their messages."""
    return dbc.CardBody(BODIES[key](values, errors, figure))


# ---------------------------------------------------------------------------------------------------- frame


def section_card(key: str, body: Any, *, is_open: bool, visible: bool = True) -> dbc.Card:
    """A section: its title opens and closes it; `body` is None until the section is first opened."""
    toggle = dbc.Button(
        SECTIONS[key],
        id=editor_section_toggle(key),
        color="link",
        className="usint-section-toggle" + (" open" if is_open else ""),
    )
    card: dict[str, Any] = {"id": SECTION_IDS[key]} if key in SECTION_IDS else {}
    return dbc.Card(
        [
            dbc.CardHeader(html.H2([toggle, section_help(key)], className="h5 mb-0")),
            dbc.Collapse(body, id=editor_section_body(key), is_open=is_open),
        ],
        className="mb-3",
        style=SHOW if visible else HIDE,
        **card,
    )


def kind_warning(kind: str | None, dropped: list[str]) -> str:
    """What a kind other than a normal change drops (ocat-data-page §9.3): the edits it will not submit, or ""."""
    if kind == "clone":
        dropped = [label for label in dropped if label != PARAMETERS["comments"].label]
    if kind not in ("asis", "remove", "clone") or not dropped:
        return ""
    names = ", ".join(dropped[:8]) + (f" and {len(dropped) - 8} more" if len(dropped) > 8 else "")
    what = {"asis": "An approval", "remove": "A removal from the approved list", "clone": "A split request"}[kind]
    only = "only the comment" if kind == "clone" else "no parameter changes"
    return f"{what} submits {only}: your edits to {names} will NOT be submitted."


def kind_warning_box(text: str) -> html.Div:
    """The warning under the kinds while the chosen kind drops edits, with the way back to a normal change."""
    return html.Div(
        dbc.Alert(
            [
                html.Span(text, id=EditorIds.KIND_WARNING_TEXT),
                " ",
                dbc.Button(
                    "Keep my edits: choose Normal Change",
                    id=EditorIds.KIND_BACK,
                    size="sm",
                    color="warning",
                    className="ms-1",
                ),
            ],
            color="warning",
            className="py-2 small mb-2",
        ),
        id=EditorIds.KIND_WARNING,
        style=SHOW if text else HIDE,
    )


def submit_card(
    changes: list[Any],
    errors: list[Any],
    blocked: bool,
    refresh: str,
    *,
    reason: str = "",
    kind: str = "norm",
    extras: str | None = None,
    extras_error: str = "",
    warning: str = "",
) -> dbc.Card:
    """Submit options: kind (and what it drops), extra obsids, what changed so far, what blocks the submit,
    Submit with the reason it is off, and Refresh (a link to `refresh`: a fresh read of the Ocat, dropping the
    edits)."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Submit Options", className="h5"),
                dbc.RadioItems(id=EditorIds.KIND, options=KINDS, value=kind, className="mb-2"),
                kind_warning_box(warning),
                dbc.Label(
                    "Multi-Obsid (apply the same changes to these obsids; lists and ranges, at most 500)",
                    html_for=EditorIds.EXTRAS,
                    className="small",
                ),
                dbc.Input(
                    id=EditorIds.EXTRAS,
                    type="text",
                    debounce=300,
                    value=extras or "",
                    placeholder="e.g. 22608-22612, 23001",
                ),
                html.Div(extras_error, id=EditorIds.EXTRAS_FEEDBACK, className="text-danger small"),
                html.H3("Changes so far", className="h6 mt-3"),
                html.Ul(changes, id=EditorIds.CHANGES, className="small"),
                html.Ul(errors, id=EditorIds.FORM_ERRORS, className="text-danger small"),
                html.Div(
                    [
                        dbc.Button("Submit", id=EditorIds.SUBMIT, color="primary", disabled=blocked, className="me-2"),
                        html.A(
                            "Refresh", href=refresh, className="btn btn-outline-secondary me-2 usint-editor-refresh"
                        ),
                        html.Span(reason, id=EditorIds.SUBMIT_REASON, className="small text-muted", role="status"),
                    ],
                    className="d-flex align-items-center flex-wrap",
                ),
            ]
        ),
        className="mb-3",
    )


def section_cards(
    values: Mapping[str, Any], errors: Mapping[str, str], figure: Any = None, built: tuple[str, ...] = OPEN_AT_START
) -> html.Div:
    """Every section card, those in `built` open and filled (a draft restored replaces them all)."""
    shown = sections_shown(values) if values else {}
    cards = [
        section_card(
            key,
            section_body(key, values, errors, figure) if key in built else None,
            is_open=key in built,
            visible=shown.get(key, True),
        )
        for key in FORM_SECTIONS
    ]
    return html.Div(cards, id=EditorIds.SECTIONS)


def editor_form(
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    submit: dbc.Card,
    figure: Any = None,
    built: tuple[str, ...] = OPEN_AT_START,
) -> html.Div:
    """The form: every section card (those in `built` open and filled), then the submit options."""
    return html.Div([section_cards(values, errors, figure, built), submit], id=EditorIds.FORM)


def draft_offer() -> html.Div:
    """Shown when this browser kept unsubmitted edits of the obsid (assets/editor.js): restore or discard them."""
    return html.Div(
        dbc.Alert(
            [
                html.Span(id=EditorIds.DRAFT_TEXT),
                html.Div(
                    [
                        dbc.Button(
                            "Restore my edits", id=EditorIds.DRAFT_RESTORE, color="primary", size="sm", className="me-2"
                        ),
                        dbc.Button(
                            "Discard them", id=EditorIds.DRAFT_DISCARD, color="secondary", size="sm", outline=True
                        ),
                    ],
                    className="mt-2",
                ),
            ],
            color="info",
            className="mb-3",
        ),
        id=EditorIds.DRAFT_OFFER,
        style=HIDE,
    )


def newer_box() -> html.Div:
    """The confirm step's warning that others submitted revisions of this obsid after the page was loaded: who
    and when (filled by the confirm step), Reload, and the box to tick to submit anyway."""
    return html.Div(
        dbc.Alert(
            [
                html.Div(id=EditorIds.NEWER_TEXT),
                dbc.Checklist(
                    id=EditorIds.NEWER_ACK,
                    options=[{"label": "I have seen these revisions; submit mine anyway", "value": "ack"}],
                    value=[],
                    className="mt-2",
                ),
            ],
            color="danger",
        ),
        id=EditorIds.NEWER,
        style=HIDE,
    )


def confirm_frame() -> html.Div:
    """The confirm step, hidden until Submit: the diff and dry run, what others submitted meanwhile, Back and
    Finalize with the reason it is off."""
    return html.Div(
        [
            html.Div(id=EditorIds.CONFIRM_BODY),
            newer_box(),
            dcc.Store(id=EditorIds.CONFIRM_STATE),
            html.Div(
                [
                    dbc.Button("Back", id=EditorIds.BACK, color="secondary", className="me-2"),
                    dbc.Button("Finalize", id=EditorIds.FINALIZE, color="danger", className="me-2"),
                    html.Span(id=EditorIds.FINALIZE_REASON, className="small text-muted"),
                ],
                className="d-flex align-items-center flex-wrap",
            ),
        ],
        id=EditorIds.CONFIRM,
        style=HIDE,
    )
