"""Shell callbacks: the obsid quick-jump box."""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update

from data.ids import id_problem, parse_obsid, parse_obsidrev
from pages._ids import ShellIds

JUMP_HELP = "Type an obsid (12345) or an obsid.rev (12345.004)."


def parse_jump(text: str | None) -> tuple[str | None, str | None]:
    """Return (path to open, None) or (None, message saying what the box expects)."""
    value = (text or "").strip()
    if not value:
        return None, JUMP_HELP
    if (obsid := parse_obsid(value)) is not None:
        return f"/ocatdatapage/{obsid}", None
    if (pair := parse_obsidrev(value)) is not None:
        obsid, rev = pair
        if rev == 0:
            return None, "Revision numbers start at 1, e.g. 12345.001."
        return f"/chkupdata/{obsid}.{rev:03d}", None
    if (problem := id_problem(value)) is not None:
        return None, f"“{value[:40]}”: {problem} {JUMP_HELP}"
    return None, f"“{value[:40]}” is neither an obsid nor an obsid.rev. {JUMP_HELP}"


def jump(_clicks: int, _submits: int, text: str | None) -> tuple[str, str]:
    path, message = parse_jump(text)
    if path:
        return path, ""
    return no_update, message or ""


def register(app: Dash) -> None:
    app.callback(
        Output(ShellIds.JUMP_REDIRECT, "href"),
        Output(ShellIds.JUMP_FEEDBACK, "children"),
        Input(ShellIds.JUMP_BUTTON, "n_clicks"),
        Input(ShellIds.JUMP_INPUT, "n_submit"),
        State(ShellIds.JUMP_INPUT, "value"),
        prevent_initial_call=True,
    )(jump)
