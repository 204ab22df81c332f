"""Pure figure building for the editor: the ACIS focal plane (I0–I3, S0–S5) with chip states and windows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

CHIP_PX = 1024
GAP = 80
# chip → (x0, y0) of its lower-left corner in the drawing (I array 2×2 above the S row of six)
LAYOUT: dict[str, tuple[int, int]] = {
    "I0": (2 * (CHIP_PX + GAP), 2 * CHIP_PX + 3 * GAP),
    "I1": (3 * (CHIP_PX + GAP), 2 * CHIP_PX + 3 * GAP),
    "I2": (2 * (CHIP_PX + GAP), CHIP_PX + 2 * GAP),
    "I3": (3 * (CHIP_PX + GAP), CHIP_PX + 2 * GAP),
    **{f"S{i}": (i * (CHIP_PX + GAP), 0) for i in range(6)},
}
FIELD_OF = {**{f"I{i}": f"ccdi{i}_on" for i in range(4)}, **{f"S{i}": f"ccds{i}_on" for i in range(6)}}
COLOURS = {"on": "rgba(40,120,200,0.75)", "optional": "rgba(240,170,40,0.6)", "off": "rgba(200,200,200,0.35)"}


def chip_state(value: Any) -> str:
    """`Y` → on, `O1`…`O5` → optional, anything else → off."""
    if value == "Y":
        return "on"
    if isinstance(value, str) and value.startswith("O"):
        return "optional"
    return "off"


def focal_plane_figure(values: Mapping[str, Any], windows: Sequence[Mapping[str, Any]] = ()) -> go.Figure:
    """The ACIS chips shaded from the ccd fields, with the window rows drawn on their chips."""
    shapes: list[dict[str, Any]] = []
    xs, ys, texts = [], [], []
    for chip, (x0, y0) in LAYOUT.items():
        state = chip_state(values.get(FIELD_OF[chip]))
        shapes.append(
            dict(
                type="rect",
                x0=x0,
                y0=y0,
                x1=x0 + CHIP_PX,
                y1=y0 + CHIP_PX,
                line={"color": "#555", "width": 1},
                fillcolor=COLOURS[state],
                layer="below",
            )
        )
        xs.append(x0 + CHIP_PX / 2)
        ys.append(y0 + CHIP_PX / 2)
        label = values.get(FIELD_OF[chip])
        texts.append(f"{chip}<br>{label if label not in (None, '') else 'NA'}")
    for row in windows or ():
        chip = row.get("chip")
        if chip not in LAYOUT:
            continue
        try:
            r0, c0 = float(row.get("start_row") or 1), float(row.get("start_column") or 1)
            w, h = float(row.get("width") or 0), float(row.get("height") or 0)
        except (TypeError, ValueError):
            continue
        x0, y0 = LAYOUT[chip]
        x1, y1 = min(x0 + c0 - 1 + w, x0 + CHIP_PX), min(y0 + r0 - 1 + h, y0 + CHIP_PX)
        shapes.append(
            dict(
                type="rect",
                x0=x0 + c0 - 1,
                y0=y0 + r0 - 1,
                x1=x1,
                y1=y1,
                line={"color": "crimson", "width": 2, "dash": "dot"},
                fillcolor="rgba(220,20,60,0.08)",
            )
        )
    fig = go.Figure(go.Scatter(x=xs, y=ys, text=texts, mode="text", hoverinfo="text", showlegend=False))
    fig.update_layout(
        shapes=shapes,
        xaxis={"visible": False, "range": [-50, 6 * (CHIP_PX + GAP)], "fixedrange": True},
        yaxis={"visible": False, "range": [-50, 3 * CHIP_PX + 3 * GAP + 50], "scaleanchor": "x", "fixedrange": True},
        margin={"l": 0, "r": 0, "t": 24, "b": 0},
        height=300,
        title={
            "text": "ACIS focal plane (blue on, orange optional, grey off; windows dotted)",
            "font": {"size": 12},
            "x": 0.01,
        },
        plot_bgcolor="white",
    )
    return fig
