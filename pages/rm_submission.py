"""Remove Accidental Submission: Undo your own recent sign-offs and revisions."""

from __future__ import annotations

import dash
from dash import html

from pages._components.cards import coming_card, page_header

dash.register_page(__name__, path="/rm_submission", title="Remove Accidental Submission · USINT", name="Remove Accidental Submission")


def layout(**_query: str) -> html.Div:
    return html.Div([page_header("Remove Accidental Submission"), coming_card("Remove Accidental Submission", "Undo your own recent sign-offs and revisions.", None)])
