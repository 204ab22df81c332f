"""Guard against Dash's renderer regression of 4.2.0-4.4.1 (plotly/dash issue 3846, fixed by pull request 3881).

Those releases unmount and remount every subtree a callback returns instead of updating it: a 600-row
`html.Table` takes ~1 s to show in Chromium on Dash 4.1.0 and 30-40 s on 4.4.1. The app here is not USINT's,
only a button whose callback returns such a table, so the test measures Dash's renderer alone.
"""

from __future__ import annotations

import time
from typing import Any

from dash import Dash, Input, Output, html
from dash.version import __version__ as DASH_VERSION

from tests.browser.conftest import free_port, wait_until

ROWS = 600
LIMIT_S = 5.0  # Dash 4.1.0 shows the table in ~0.2-1 s here; 4.4.1 takes well over 10 s
AFFECTED = ((4, 2), (4, 3), (4, 4))  # no release up to 4.4.1 has the fix


def table_app() -> Dash:
    """A button and a callback that returns a ROWS-row table naming the click count in every row."""
    app = Dash(__name__)
    app.layout = html.Div([html.Button("Render", id="go", n_clicks=0), html.Div(id="out")])

    @app.callback(Output("out", "children"), Input("go", "n_clicks"), prevent_initial_call=True)
    def render(n: int) -> html.Table:
        rows = [
            html.Tr([html.Td(f"row {i}"), html.Td(f"value {i}"), html.Td(f"click {n}", className="click")])
            for i in range(ROWS)
        ]
        return html.Table(html.Tbody(rows), id="table")

    return app


def rendered_s(duo: Any, clicks: int) -> float:
    """Seconds from the click until the last row shows this click's number."""
    last = f"#table tr:nth-child({ROWS}) .click"
    started = time.perf_counter()
    duo.find_element("#go").click()
    wait_until(
        duo,
        lambda d: d.execute_script(
            "const c = document.querySelector(arguments[0]); return c !== null && c.textContent === arguments[1];",
            last,
            f"click {clicks}",
        ),
        timeout=60,
        message=f"the {ROWS}-row table never showed click {clicks}",
    )
    return time.perf_counter() - started


def test_grd001_a_callback_returning_600_rows_renders_within_seconds(dash_duo: Any) -> None:
    dash_duo.start_server(table_app(), port=free_port())
    dash_duo.wait_for_element("#go", timeout=10)
    first = rendered_s(dash_duo, 1)
    again = rendered_s(dash_duo, 2)  # the same table with new values: an update in place, not a remount
    print(f"dash {DASH_VERSION}: {ROWS} rows first render {first:.2f} s, re-render {again:.2f} s")
    for label, seconds in (("first render", first), ("re-render", again)):
        assert seconds < LIMIT_S, (
            f"Dash {DASH_VERSION}: the {ROWS}-row table's {label} took {seconds:.1f} s (limit {LIMIT_S:g} s). "
            "Dash 4.2.0-4.4.1 remount callback output (plotly/dash issue 3846); pin dash==4.1.0 or a release "
            "with plotly/dash pull request 3881."
        )


def test_grd002_dash_is_not_a_release_with_the_remount_regression() -> None:
    major_minor = tuple(int(x) for x in DASH_VERSION.split(".")[:2])
    assert major_minor not in AFFECTED, (
        f"Dash {DASH_VERSION} remounts every subtree a callback returns (plotly/dash issue 3846, no fix up to "
        "4.4.1): pages take seconds to draw in Chromium. Keep dash==4.1.0 (requirements.txt), or move to a "
        "release with plotly/dash pull request 3881 and check tests/browser/test_renderer_guard.py still passes."
    )
