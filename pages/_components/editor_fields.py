"""Editor widgets driven by the parameter catalogue (E9): one `make_field(param)` for every field of §3."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from data.catalogue import PARAMETERS, RANK_SETS, Param
from pages._ids import EditorIds, editor_feedback, editor_field, editor_readonly

NULL_OPTION = "__null__"
"""The dropdown value that stands for NULL (Dash options cannot hold None reliably)."""


def options_of(param: Param) -> list[dict[str, Any]]:
    """Dropdown options from the catalogue: NO/YES for rank flags (`P` is rebuilt from the rows, D11)."""
    return [{"label": label, "value": NULL_OPTION if value is None else value} for value, label in param.form_choices]


def _label(param: Param) -> html.Label:
    unit = f" ({param.unit})" if param.unit and "(in " not in param.label else ""
    return html.Label(
        f"{param.label}{unit}", htmlFor=str(editor_field(param.name)["name"]), className="form-label small mb-0"
    )


def make_field(param: Param) -> dbc.Col:
    """One labelled field: a read-only value, a dropdown (choices), a textarea (free text) or an input."""
    if not param.editable:
        return dbc.Col(
            [_label(param), html.Div("NA", id=editor_readonly(param.name), className="form-control-plaintext small")],
            md=3,
            className="mb-2",
        )
    if param.choices:
        widget: Any = dcc.Dropdown(
            id=editor_field(param.name), options=options_of(param), clearable=False, searchable=False,
            className="usint-editor-select",
        )  # fmt: skip
    elif param.name in ("remarks", "comments"):
        widget = dbc.Textarea(id=editor_field(param.name), rows=6, debounce=True)
    else:
        widget = dbc.Input(
            id=editor_field(param.name), type="text", debounce=True, size="sm",
            placeholder=param.default if isinstance(param.default, str) else None,
        )  # fmt: skip
    return dbc.Col(
        [
            _label(param),
            widget,
            html.Div(id=editor_feedback(param.name), className="invalid-feedback d-block small"),
        ],
        md=6 if param.name in ("remarks", "comments") else 3,
        className="mb-2",
    )


def make_fields(names: list[str] | tuple[str, ...]) -> dbc.Row:
    return dbc.Row([make_field(PARAMETERS[n]) for n in names])


def rank_columns(key: str) -> list[dict[str, Any]]:
    """ag-grid column definitions of a ranked set, from the catalogue (choices → select editor)."""
    cols: list[dict[str, Any]] = [{"headerName": "Rank", "valueGetter": {"function": "params.node.rowIndex + 1"},
                                   "width": 80, "editable": False, "checkboxSelection": True}]  # fmt: skip
    for name in RANK_SETS[key].columns:
        p = PARAMETERS[name]
        col: dict[str, Any] = {"field": name, "headerName": p.label + (f" ({p.unit})" if p.unit else ""),
                               "editable": True, "flex": 1}  # fmt: skip
        if p.choices:
            col["cellEditor"] = "agSelectCellEditor"
            col["cellEditorParams"] = {"values": [v for v, _ in p.choices if v is not None]}
        cols.append(col)
    return cols


def make_rank_table(key: str) -> html.Div:
    """A ranked set: editable grid, Add / Remove selected buttons, per-cell errors under it."""
    rs = RANK_SETS[key]
    return html.Div(
        [
            dag.AgGrid(
                id=EditorIds.grid(key),
                columnDefs=rank_columns(key),
                rowData=[],
                defaultColDef={"resizable": True, "singleClickEdit": True},
                dashGridOptions={
                    "rowSelection": "multiple",
                    "stopEditingWhenCellsLoseFocus": True,
                    "domLayout": "autoHeight",
                },  # fmt: skip
                style={"height": None},
                className="ag-theme-alpine",
            ),
            html.Div(
                [
                    dbc.Button(
                        f"Add {rs.label.split()[0] if key != 'window' else 'Window'} row",
                        id=EditorIds.add(key),
                        size="sm",
                        color="secondary",
                        className="me-2",
                    ),  # fmt: skip
                    dbc.Button("Remove selected rows", id=EditorIds.remove(key), size="sm", color="light"),
                ],
                className="my-2",
            ),
            html.Ul(id=EditorIds.grid_errors(key), className="text-danger small"),
        ],
        id=EditorIds.rank_block(key),
    )
