"""`/help/ocat`: the field reference of the Ocat data page, generated from the parameter catalogue."""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response

from data.parameters.catalogue import HELP_ANCHORS, PARAMETERS, SECTIONS, Param

bp = Blueprint("help", __name__)


def _allowed(param: Param) -> str:
    """Choices or range, as the validator enforces them."""
    if param.choices:
        return ", ".join(f"{label} ({'blank' if value is None else value})" for value, label in param.form_choices)
    if param.minimum is not None or param.maximum is not None:
        low = "" if param.minimum is None else f"{param.minimum:g}"
        high = "" if param.maximum is None else f"{param.maximum:g}"
        return f"{low} … {high}"
    return {"date": "a date (Mon DD YYYY HH:MM, or ISO)", "text": "free text"}.get(param.kind, "")


def _row(param: Param) -> str:
    cells = [
        f'<td id="{escape(param.name)}"><strong>{escape(param.label)}</strong></td>',
        f"<td><code>{escape(param.name)}</code></td>",
        f"<td>{escape(param.unit or '')}</td>",
        f"<td>{escape(_allowed(param))}</td>",
        f"<td>{'yes' if param.editable else 'read only'}</td>",
        f"<td>{escape(', '.join(param.signoff))}</td>",
        f"<td class='small'>{escape(param.description or '')}{'<br><em>v1: ' + escape(param.v1_note) + '</em>' if param.v1_note else ''}</td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def render() -> str:
    parts = []
    for section, title in SECTIONS.items():
        params = [p for p in PARAMETERS.values() if p.section == section]
        if section == "record" or not params:
            continue
        anchor = HELP_ANCHORS.get(section, section)
        rows = "".join(_row(p) for p in params)
        parts.append(
            f'<h2 id="{escape(anchor)}" class="h4 mt-4">{escape(title)}</h2>'
            '<table class="table table-sm table-striped align-top"><thead><tr><th>Field</th><th>Ocat name</th>'
            "<th>Unit</th><th>Allowed values</th><th>Editable</th><th>Sign-off</th><th>Notes</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    toc = " · ".join(
        f'<a href="#{escape(HELP_ANCHORS.get(s, s))}">{escape(t)}</a>' for s, t in SECTIONS.items() if s != "record"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ocat Data Page help · USINT</title>'
        '<link rel="stylesheet" href="/assets/00_bootstrap-5.3.6.min.css"></head><body><main class="container-fluid p-4">'
        "<h1 class='h3'>Ocat Data Page: field reference</h1><p>Every field of the editor with its allowed values, as the "
        "validator checks them, and the sign-off columns a change to it opens. A blank choice clears the value in the "
        f"Ocat. <a href='/ocatdatapage'>Back to the editor</a></p><p>{toc}</p>{''.join(parts)}</main></body></html>"
    )


@bp.get("/help/ocat")
def ocat_help() -> Response:
    return Response(render(), mimetype="text/html")
