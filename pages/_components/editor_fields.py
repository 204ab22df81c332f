"""Editor widgets driven by the parameter catalogue (E9): one `make_field(param, value)` for every field of
ocat-data-page §3, filled with its value when the page is built (no load callback)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from data.parameters.catalogue import HELP_ANCHORS, PARAMETERS, RANK_SETS, Param
from pages._ids import (
    EditorIds,
    editor_feedback,
    editor_field,
    editor_grid,
    editor_grid_add,
    editor_grid_errors,
    editor_grid_remove,
    editor_label,
    editor_part,
)

NULL_OPTION = "__null__"
"""The dropdown value that stands for NULL (Dash options cannot hold None reliably)."""
DEBOUNCE_MS = 300
"""A text field sends its value this long after the last key (dbc counts milliseconds), not only on blur."""
HIDE: dict[str, str] = {"display": "none"}
SHOW: dict[str, str] = {}
OBSID_LISTS = ("group_obsid", "monitor_series")
"""Read-only values that list obsids: each is a link to its editor page (as v2.1)."""
OBSID_FIELDS = ("pre_id",)
"""Editable fields holding an obsid: a link to its editor page under the field."""


def dom_id(component_id: dict[str, str]) -> str:
    """The DOM id Dash gives a pattern-matching id (keys sorted, compact JSON), for `for` attributes."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def options_of(param: Param) -> list[dict[str, Any]]:
    """Dropdown options from the catalogue: NO/YES for rank flags (`P` is rebuilt from the rows, D11)."""
    return [{"label": label, "value": NULL_OPTION if value is None else value} for value, label in param.form_choices]


def widget_value(value: Any, name: str) -> Any:
    """A form value as its widget holds it: NULL_OPTION for a NULL choice, text for everything else."""
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


def shown_value(value: Any) -> str:
    """A value as read-only text: NA for NULL, lists joined."""
    if value is None or value == []:
        return "NA"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _label(param: Param) -> html.Label:
    """The field's label; an editable field's label points at its input (a click focuses it, screen readers
    read it as the field's name)."""
    unit = f" ({param.unit})" if param.unit and "(in " not in param.label else ""
    text = f"{param.label}{unit}"
    if not param.editable:
        return html.Label(text, id=editor_label(param.name), className="form-label small mb-0")
    return html.Label(
        text, id=editor_label(param.name), htmlFor=dom_id(editor_field(param.name)), className="form-label small mb-0"
    )


def _widget(param: Param, value: Any) -> Any:
    shown = widget_value(value, param.name)
    if param.choices:
        # the dropdown's button names itself by its value; the group around it carries the label
        return html.Div(
            dcc.Dropdown(
                id=editor_field(param.name),
                options=options_of(param),
                value=shown,
                clearable=False,
                searchable=False,
                className="usint-editor-select",
            ),
            role="group",
            **{"aria-labelledby": editor_label(param.name)},
        )
    if param.name in ("remarks", "comments"):
        return dbc.Textarea(id=editor_field(param.name), rows=6, debounce=DEBOUNCE_MS, value=shown)
    return dbc.Input(
        id=editor_field(param.name),
        type="text",
        debounce=DEBOUNCE_MS,
        size="sm",
        value=shown,
        placeholder=param.default if isinstance(param.default, str) else None,
    )


def obsid_link(obsid: Any) -> html.A:
    return html.A(str(obsid), href=LINKS["editor"].format(obsid=obsid), className="editor-obsid-link")


def _read_only(param: Param, value: Any) -> html.Div:
    """A read-only value: plain text, or links to the editor pages of the obsids it lists."""
    shown: Any = shown_value(value)
    if param.name in OBSID_LISTS and value not in (None, [], ""):
        shown = []
        for obsid in value if isinstance(value, list) else [value]:
            shown += [obsid_link(obsid), " "]
    return html.Div(shown, className="form-control-plaintext small")


def make_field(param: Param, value: Any = None, error: str = "") -> dbc.Col:
    """One labelled field: a read-only value (plain text, no id), or a dropdown (choices), a textarea (free
    text) or an input, with its validation message under it."""
    if not param.editable:
        return dbc.Col([_label(param), _read_only(param, value)], md=3, className="mb-2")
    wide = param.name in ("remarks", "comments")
    extra = []
    if param.name in OBSID_FIELDS and value not in (None, ""):
        extra = [html.Div(["Open ", obsid_link(value), " in the editor"], className="small")]
    return dbc.Col(
        [
            _label(param),
            _widget(param, value),
            *extra,
            html.Div(error, id=editor_feedback(param.name), className="invalid-feedback d-block small"),
        ],
        md=6 if wide else 3,
        className="mb-2",
    )


def make_fields(
    names: Sequence[str], values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None
) -> dbc.Row:
    values, errors = values or {}, errors or {}
    return dbc.Row([make_field(PARAMETERS[n], values.get(n), errors.get(n, "")) for n in names])


def part(name: str, visible: bool, *children: Any) -> html.Div:
    """A block that follows a flag (shown or hidden by the live check)."""
    return html.Div(list(children), id=editor_part(name), style=SHOW if visible else HIDE)


def rank_columns(key: str) -> list[dict[str, Any]]:
    """ag-grid column definitions of a ranked set, from the catalogue (choices → select editor); a cell the
    validator refuses is outlined red and says why in its tooltip."""
    cols: list[dict[str, Any]] = [
        {
            "headerName": "Rank",
            "valueGetter": {"function": "params.node.rowIndex + 1"},
            "width": 80,
            "editable": False,
            "checkboxSelection": True,
        }
    ]
    for name in RANK_SETS[key].columns:
        p = PARAMETERS[name]
        col: dict[str, Any] = {
            "field": name,
            "headerName": p.label + (f" ({p.unit})" if p.unit else ""),
            "editable": True,
            "flex": 1,
            # the validator's message for this cell (assets/dashAgGridFunctions.js)
            "cellClassRules": {"rank-cell-error": f"rankCellError('{key}', params) != null"},
            "tooltipValueGetter": {"function": f"rankCellError('{key}', params)"},
        }
        if p.choices:
            col["cellEditor"] = "agSelectCellEditor"
            col["cellEditorParams"] = {"values": [v for v, _ in p.choices if v is not None]}
        cols.append(col)
    return cols


def make_rank_table(key: str, rows: list[dict[str, Any]], visible: bool, errors: list[Any] | None = None) -> html.Div:
    """A ranked set: editable grid fed with `rowData`, Add / Remove selected buttons, refused cells under it."""
    label = "Window" if key == "window" else RANK_SETS[key].label.split()[0]
    return part(
        f"{key}_ranks",
        visible,
        dag.AgGrid(
            id=editor_grid(key),
            columnDefs=rank_columns(key),
            rowData=rows,
            defaultColDef={"resizable": True, "singleClickEdit": True},
            dashGridOptions={
                "rowSelection": "multiple",
                "stopEditingWhenCellsLoseFocus": True,
                "domLayout": "autoHeight",
            },
            style={"height": None},
            className="ag-theme-alpine",
        ),
        html.Div(
            [
                dbc.Button(f"Add {label} row", id=editor_grid_add(key), size="sm", color="secondary", className="me-2"),
                dbc.Button("Remove selected rows", id=editor_grid_remove(key), size="sm", color="light"),
            ],
            className="my-2",
        ),
        html.Ul(errors or [], id=editor_grid_errors(key), className="text-danger small"),
    )


# ---------------------------------------------------------------------------------------------------- links (data)

LINKS: dict[str, str] = {
    "help": "/help/ocat",
    "target_image": "https://cxc.harvard.edu/targets/{seq_nbr}/{seq_nbr}.{obsid}.{suffix}",
    "chaser": "https://cda.cfa.harvard.edu/chaser/startViewer.do?menuItem=sequenceSummary&obsid={obsid}",
    "peer_review": "https://icxc.cfa.harvard.edu/cgi-bin/cdo/review_report/disp_report.cgi?{proposal_number}",
    "search": "https://cxc.cfa.harvard.edu/cgi-bin/target_search/search.html",
    "express": "/express",
    "history": "/history/{obsid}",
    "check": "/chkupdata/{obsidrev}",
    "editor": "/ocatdatapage/{obsid}",
}
"""The link targets of the editor header and footer (ocat-data-page §2.5, §3.0, §3.12);
external URLs as the spec gives them."""


IMAGE_KINDS = (
    ("dss", "DSS", "soe.dss.gif", "dss.gif", "#ff00ff"),
    ("rosat", "ROSAT", "soe.pspc.gif", "pspc.gif", "#ff8c00"),
    ("rass", "RASS", "soe.rass.gif", "rass.gif", "#ffd700"),
)
"""(key, label, preferred suffix, fallback suffix, link colour on the dark row) of ocat-data-page §2.5."""


def image_links(seq_nbr: Any, obsid: Any, directory: Path) -> list[tuple[str, str, str | None]]:
    """(key, label, url or None) for DSS / ROSAT / RASS (ocat-data-page §2.5): the preferred `soe.` image, else
    the plain one.
    `directory` holds one folder per sequence number (setting `target_image_dir`); no folder → no links."""
    folder = directory / str(seq_nbr)
    try:
        names = {p.name for p in folder.glob("*.gif")} if seq_nbr not in (None, "") and folder.is_dir() else set()
    except OSError:
        names = set()
    out: list[tuple[str, str, str | None]] = []
    for key, label, preferred, fallback, _colour in IMAGE_KINDS:
        url = None
        for suffix in (preferred, fallback):
            if f"{seq_nbr}.{obsid}.{suffix}" in names:
                url = LINKS["target_image"].format(seq_nbr=seq_nbr, obsid=obsid, suffix=suffix)
                break
        out.append((key, label, url))
    return out


def image_row(seq_nbr: Any, obsid: Any, directory: Path) -> html.Div:
    """The dark DSS / ROSAT / RASS row; "No <label> Link" (plain text) when the image does not exist."""
    colours = {k: c for k, _l, _p, _f, c in IMAGE_KINDS}
    items: list[Any] = []
    for key, label, url in image_links(seq_nbr, obsid, directory):
        style = {"color": colours[key], "fontWeight": "bold"}
        if url:
            items.append(
                html.A(f"{label}", href=url, target="_blank", rel="noopener", style=style, id=f"editor-image-{key}")
            )
        else:
            items.append(html.Span(f"No {label} Link", style=style, id=f"editor-image-{key}"))
        items.append(" · ")
    items.append(html.Span("(sky-survey images do not always exist)", className="small text-white-50"))
    return html.Div(items[:-2] + items[-1:], id=EditorIds.IMAGES, className="bg-dark px-2 py-1 rounded small mb-1")


def section_help(key: str) -> html.A | None:
    anchor = HELP_ANCHORS.get(key)
    if anchor is None:
        return None
    return html.A("(Help)", href=f"{LINKS['help']}#{anchor}", target="_blank", className="small ms-2 fw-normal")


def footer_links(record: dict[str, Any]) -> list[Any]:
    """ocat-data-page §3.12: Express Approval, Peer Review Report And Proposal, ChaSeR,
    Chandra User Observation Search."""
    obsid = record.get("obsid")
    links: list[Any] = [html.A("Express Approval", href=LINKS["express"], target="_blank")]
    if record.get("proposal_number") is not None:
        url = LINKS["peer_review"].format(proposal_number=record.get("proposal_number"))
        links.append(html.A("Peer Review Report And Proposal", href=url, target="_blank", rel="noopener"))
    links += [
        html.A(
            "ChaSeR Sequence Summary (with Roll/Pitch/Visibility, etc.)",
            href=LINKS["chaser"].format(obsid=obsid),
            target="_blank",
            rel="noopener",
        ),
        html.A("Chandra User Observation Search", href=LINKS["search"], target="_blank", rel="noopener"),
        html.A("History of this observation", href=LINKS["history"].format(obsid=obsid)),
    ]
    out: list[Any] = []
    for link in links:
        out += [link, html.Span(" | ", className="text-muted")]
    return out[:-1]
