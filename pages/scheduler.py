"""TOO POC Duty Scheduler: Who is the TOO point of contact, week by week."""

from __future__ import annotations

import dash
from dash import html

from pages._components.cards import coming_card, page_header

dash.register_page(__name__, path="/scheduler", title="TOO POC Duty Scheduler · USINT", name="TOO POC Duty Scheduler")


def layout(**_query: str) -> html.Div:
    return html.Div([page_header("TOO POC Duty Scheduler"), coming_card("TOO POC Duty Scheduler", "Who is the TOO point of contact, week by week.", None)])
