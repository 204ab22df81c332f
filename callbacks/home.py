"""Home: the signed-in user's open revisions, read by the page layout as it is served (no callback at load)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, html

from callbacks._context import current_user, session_scope
from data.revisions.store import count_open, open_revisions

SHOWN = 50
"""How many open revisions the home page lists; the rest are counted and left to the status board."""


def list_my_revisions() -> html.Div | html.P:
    who = current_user()
    if who.anonymous or not who.registered:
        return html.P("Sign in as a registered USINT user to see your open revisions.", className="text-muted")
    with session_scope(readonly=True) as session:
        mine = open_revisions(session, submitter_id=who.user_id, limit=SHOWN)
        total = count_open(session, submitter_id=who.user_id) if len(mine) == SHOWN else len(mine)
    if not mine:
        return html.P("You have no open revisions.", className="text-muted")
    items = [
        dbc.ListGroupItem(
            [
                html.A(r.obsidrev, href=f"/chkupdata/{r.obsidrev}", className="fw-semibold me-2"),
                html.Span(r.kind, className="badge bg-secondary me-2"),
                html.Small(
                    "waiting for " + ", ".join(c for c, s in r.signoff.items() if s["status"] == "Pending"),
                    className="text-muted",
                ),
            ]
        )
        for r in mine
    ]
    more = (
        html.P(
            [f"and {total - len(mine)} more on the ", html.A("status board", href="/orupdate"), "."], className="small"
        )
        if total > len(mine)
        else None
    )
    return html.Div([dbc.ListGroup(items), more])


def register(app: Dash) -> None:
    """Nothing to bind: the home page arrives filled (`pages/home.py`)."""
