"""Pure builders of the analytics figures (E12): the DataFrames of `data.analytics` in, Plotly figures out.

Every title carries the filter it was computed with (`scope`), so a reader (and a test) sees what a figure shows.
Times are converted to the display zone, which the axis titles name (D4).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from data.analytics import AGE_BUCKETS
from data.models import KINDS
from data.parameters.catalogue import SIGNOFF_COLUMNS, SIGNOFF_LABELS

KIND_COLOURS = {"norm": "#1f77b4", "asis": "#2ca02c", "remove": "#d62728", "clone": "#9467bd"}
COLUMN_COLOURS = {"general": "#1f77b4", "acis": "#2ca02c", "acis_si": "#9467bd", "hrc_si": "#8c564b",
                  "usint": "#ff7f0e"}  # fmt: skip
WHITE = pio.templates["plotly_white"]
STATE_COLOURS = {"open": "#fd7e14", "signed": "#0d6efd", "discarded": "#6c757d", "approved": "#198754",
                 "removed": "#dc3545"}  # fmt: skip
SKY_NOTE = "RA increases to the left, RA 0h at the centre (longitude = −RA); Dec is latitude."


def finish(fig: go.Figure) -> dict[str, Any]:
    """The figure as the dict dcc.Graph takes, with the white template attached as is (validating a template on
    every figure costs ~12 ms each)."""
    out = fig.to_plotly_json()
    out["layout"]["template"] = WHITE
    return out


def _layout(fig: go.Figure, title: str, scope: str, **extra: object) -> dict[str, Any]:
    fig.update_layout(
        title={"text": f"{title}<br><sup>{scope}</sup>", "x": 0},
        margin={"l": 60, "r": 20, "t": 70, "b": 50},
        **{"legend": {"orientation": "h", "y": -0.18}, **extra},
    )
    return finish(fig)


def _empty(fig: go.Figure, text: str = "No revisions in this range") -> go.Figure:
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _local(series: pd.Series, zone: str) -> pd.Series:
    return series.dt.tz_convert(zone).dt.tz_localize(None)


def weekly_figure(weeks: pd.DataFrame, scope: str, zone: str) -> dict[str, Any]:
    """Revisions per week, stacked by kind."""
    fig = go.Figure()
    if weeks.empty:
        return _layout(_empty(fig), "Revisions per week", scope)
    for kind in KINDS:
        part = weeks[weeks["kind"] == kind]
        if part["count"].sum() == 0:
            continue
        fig.add_bar(name=kind, x=_local(part["week"], zone), y=part["count"], marker_color=KIND_COLOURS[kind],
                    hovertemplate="week of %{x|%Y-%m-%d}: %{y} " + kind + "<extra></extra>")  # fmt: skip
    fig.update_xaxes(title_text=f"Week starting (UTC Monday, shown in {zone})")
    fig.update_yaxes(title_text="Revisions")
    return _layout(fig, "Revisions per week by kind", scope, barmode="stack")


def turnaround_figure(table: pd.DataFrame, scope: str) -> dict[str, Any]:
    """Median (solid) and 90th percentile (dotted) hours to sign-off per column and month."""
    fig = go.Figure()
    if table.empty:
        return _layout(_empty(fig, "No sign-offs in this range"), "Sign-off turnaround", scope)
    for column in SIGNOFF_COLUMNS:
        part = table[table["column"] == column]
        if part.empty:
            continue
        months = part["month"].dt.tz_localize(None)
        colour = COLUMN_COLOURS[column]
        label = SIGNOFF_LABELS[column]
        fig.add_scatter(
            name=f"{label} median",
            x=months,
            y=part["median_h"],
            mode="lines+markers",
            line={"color": colour},
            legendgroup=column,
            customdata=part["n"],
            hovertemplate=label + " %{x|%b %Y}: median %{y:.1f} h (n=%{customdata})<extra></extra>",
        )
        fig.add_scatter(name=f"{label} p90", x=months, y=part["p90_h"], mode="lines",
                        line={"color": colour, "dash": "dot"}, legendgroup=column,
                        hovertemplate=label + " %{x|%b %Y}: 90th percentile %{y:.1f} h<extra></extra>")  # fmt: skip
    fig.update_xaxes(title_text="Month of submission (UTC)")
    fig.update_yaxes(title_text="Hours from submission to sign-off", rangemode="tozero")
    return _layout(fig, "Sign-off turnaround per column (median and 90th percentile)", scope)


def backlog_figure(series: pd.DataFrame, scope: str, zone: str) -> dict[str, Any]:
    """Open revisions at the end of each day."""
    fig = go.Figure()
    if series.empty:
        return _layout(_empty(fig), "Pending backlog", scope)
    fig.add_scatter(name="open revisions", x=_local(series["at"], zone), y=series["open"], mode="lines",
                    line={"shape": "hv", "color": "#fd7e14"}, fill="tozeroy",
                    hovertemplate="%{x|%Y-%m-%d %H:%M}: %{y} open<extra></extra>")  # fmt: skip
    fig.update_xaxes(title_text=f"Time ({zone})")
    fig.update_yaxes(title_text="Open revisions", rangemode="tozero")
    return _layout(fig, "Pending backlog over time (open revisions at each day's end)", scope)


def age_figure(ages: pd.DataFrame, scope: str) -> dict[str, Any]:
    """Today's pending items by age, stacked by the column they wait on."""
    fig = go.Figure()
    labels = [label for label, _ in AGE_BUCKETS]
    total = int(ages["count"].sum()) if not ages.empty else 0
    if total == 0:
        return _layout(_empty(fig, "Nothing is pending"), "Pending now by age", scope)
    for column in SIGNOFF_COLUMNS:
        part = ages[ages["column"] == column].set_index("bucket").reindex(labels)["count"].fillna(0)
        if part.sum() == 0:
            continue
        fig.add_bar(name=SIGNOFF_LABELS[column], x=labels, y=part.to_numpy(), marker_color=COLUMN_COLOURS[column],
                    hovertemplate="%{x}: %{y} waiting on " + SIGNOFF_LABELS[column] + "<extra></extra>")  # fmt: skip
    fig.update_xaxes(title_text="Age (since submission)", categoryorder="array", categoryarray=labels)
    fig.update_yaxes(title_text="Pending sign-offs")
    return _layout(fig, f"Pending now by age ({total} pending sign-offs)", scope, barmode="stack")


def counts_figure(table: pd.DataFrame, key: str, title: str, scope: str, *, top: int = 20) -> dict[str, Any]:
    """Horizontal bars of revisions by `key`, stacked by kind (the `top` largest)."""
    fig = go.Figure()
    if table.empty:
        return _layout(_empty(fig), title, scope)
    order = table.groupby(key, sort=False)["count"].sum()
    keep = list(order.sort_values(ascending=False, kind="stable").index[:top])
    for kind in KINDS:
        part = table[(table["kind"] == kind) & table[key].isin(keep)]
        if part["count"].sum() == 0:
            continue
        fig.add_bar(name=kind, y=part[key].astype(str), x=part["count"], orientation="h",
                    marker_color=KIND_COLOURS[kind],
                    hovertemplate="%{y}: %{x} " + kind + "<extra></extra>")  # fmt: skip
    fig.update_yaxes(categoryorder="array", categoryarray=[str(k) for k in reversed(keep)])
    fig.update_xaxes(title_text="Revisions")
    return _layout(
        fig,
        title,
        scope,
        barmode="stack",
        height=max(300, 110 + 26 * len(keep)),
        legend={"orientation": "h", "y": -0.3},
    )


def sky_longitude(ra: pd.Series | np.ndarray) -> np.ndarray:
    """RA (degrees) → map longitude: −RA wrapped into [−180, 180), so RA grows to the left with 0h at the centre."""
    values = np.asarray(ra, dtype="float64")
    return -(((values + 180.0) % 360.0) - 180.0)


def aitoff(lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Aitoff projection (degrees in, plane coordinates out; x in [−2, 2]·90/π·…, here in degrees-like units).

    x = 2 cos φ sin(λ/2) / sinc α, y = sin φ / sinc α with α = arccos(cos φ cos(λ/2)) and sinc α = sin α / α.
    Drawn with plain `go.Scatter`, so the map needs no topojson download (Scattergeo fetches one from a CDN)."""
    lam = np.radians(np.asarray(lon_deg, dtype="float64"))
    phi = np.radians(np.asarray(lat_deg, dtype="float64"))
    alpha = np.arccos(np.clip(np.cos(phi) * np.cos(lam / 2.0), -1.0, 1.0))
    sinc = np.where(alpha == 0, 1.0, np.sin(alpha) / np.where(alpha == 0, 1.0, alpha))
    x = 2.0 * np.cos(phi) * np.sin(lam / 2.0) / sinc
    y = np.sin(phi) / sinc
    return np.degrees(x), np.degrees(y)


def _graticule(fig: go.Figure) -> None:
    """Meridians every 2h of RA, parallels every 30° of Dec, the outline, and RA/Dec labels."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    lat = np.linspace(-90, 90, 61)
    for lon in range(-180, 181, 30):
        x, y = aitoff(np.full_like(lat, lon), lat)
        xs += [*x, None]
        ys += [*y, None]
    lon_line = np.linspace(-180, 180, 121)
    for par in range(-60, 61, 30):
        x, y = aitoff(lon_line, np.full_like(lon_line, par))
        xs += [*x, None]
        ys += [*y, None]
    fig.add_scatter(x=xs, y=ys, mode="lines", line={"color": "#dee2e6", "width": 1}, hoverinfo="skip",
                    showlegend=False, name="grid")  # fmt: skip
    ra_hours = list(range(0, 24, 4))
    lx, ly = aitoff(sky_longitude(np.array([h * 15.0 for h in ra_hours])), np.zeros(len(ra_hours)))
    dec_marks = [-60, -30, 30, 60]
    dx, dy = aitoff(np.full(len(dec_marks), 180.0), np.array(dec_marks, dtype="float64"))
    fig.add_scatter(
        x=[*lx, *dx], y=[*ly, *dy], mode="text", text=[f"{h}h" for h in ra_hours] + [f"{d:+d}°" for d in dec_marks],
        textposition=["top center"] * len(ra_hours) + ["middle right"] * len(dec_marks),
        textfont={"color": "#6c757d", "size": 10}, hoverinfo="skip", showlegend=False, name="labels",
    )  # fmt: skip


def sky_figure(points: pd.DataFrame, scope: str) -> dict[str, Any]:
    """Targets of recent revisions on an Aitoff map (RA, Dec), coloured by revision state; customdata[0] is the
    obsid (click-through)."""
    fig = go.Figure()
    title = "Targets of recent revisions"
    _graticule(fig)
    if points.empty:
        fig.add_annotation(text="No positions to show (no revisions, or the Ocat is unavailable)", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 14})  # fmt: skip
    for state, colour in STATE_COLOURS.items():
        part = points[points["state"] == state] if not points.empty else points
        if part.empty:
            continue
        x, y = aitoff(sky_longitude(part["ra"]), part["dec"].to_numpy())
        fig.add_scatter(
            name=state,
            x=x,
            y=y,
            mode="markers",
            marker={"color": colour, "size": 8, "opacity": 0.85, "line": {"width": 0.5, "color": "white"}},
            customdata=np.stack(
                [
                    part["obsid"].to_numpy(),
                    part["obsidrev"].to_numpy(),
                    part["targname"].astype(str).to_numpy(),
                    part["ra"].round(3).to_numpy(),
                    part["dec"].round(3).to_numpy(),
                ],
                axis=1,
            ),  # fmt: skip
            hovertemplate="%{customdata[1]} · %{customdata[2]}<br>RA %{customdata[3]}°, Dec %{customdata[4]}°"
            "<br>click to open its history<extra>" + state + "</extra>",
        )
    fig.update_xaxes(visible=False, range=[-185, 185])
    fig.update_yaxes(visible=False, range=[-95, 95], scaleanchor="x", scaleratio=1)
    count = 0 if points.empty else len(points)
    return _layout(fig, f"{title} ({count} obsids)", f"{scope} · {SKY_NOTE}", height=480)


def scope_text(start: str, stop: str, instruments: list[str] | None) -> str:
    inst = ", ".join(instruments) if instruments else "all instruments"
    return f"{start} to {stop} · {inst}"


__all__ = [
    "SKY_NOTE",
    "age_figure",
    "backlog_figure",
    "counts_figure",
    "scope_text",
    "aitoff",
    "sky_figure",
    "sky_longitude",
    "turnaround_figure",
    "weekly_figure",
]
