"""Pure builders of the analytics figures (E12): the DataFrames of `data.analytics` in, Plotly figure dicts out.

Figures are built as plain dicts (what `dcc.Graph` takes), not `go.Figure`: validating every trace cost ~150 ms
per request for nothing, as the browser's Plotly checks them anyway. Columns go out as lists, times as ISO text.
Every title carries the filter it was computed with (`scope`), so a reader (and a test) sees what a figure shows.
Times are converted to the display zone, which the axis titles name (D4).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from data.analytics import AGE_BUCKETS
from data.lazy_modules import lazy_module
from data.models import KINDS
from data.parameters.catalogue import SIGNOFF_COLUMNS, SIGNOFF_LABELS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

KIND_COLOURS = {"norm": "#1f77b4", "asis": "#2ca02c", "remove": "#d62728", "clone": "#9467bd"}
COLUMN_COLOURS = {
    "general": "#1f77b4",
    "acis": "#2ca02c",
    "acis_si": "#9467bd",
    "hrc_si": "#8c564b",
    "usint": "#ff7f0e",
}
STATE_COLOURS = {
    "open": "#fd7e14",
    "signed": "#0d6efd",
    "discarded": "#6c757d",
    "approved": "#198754",
    "removed": "#dc3545",
}
SKY_NOTE = "RA increases to the left, RA 0h at the centre (longitude = −RA); Dec is latitude."

_GRID = {
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "ticks": "",
    "title": {"standoff": 15},
    "zerolinecolor": "#EBF0F8",
    "automargin": True,
    "zerolinewidth": 2,
}
WHITE: dict[str, Any] = {
    "data": {
        "bar": [
            {
                "type": "bar",
                "marker": {"line": {"color": "white", "width": 0.5}},
                "error_x": {"color": "#2a3f5f"},
                "error_y": {"color": "#2a3f5f"},
            }
        ],
        "scatter": [{"type": "scatter", "fillpattern": {"fillmode": "overlay", "size": 10, "solidity": 0.2}}],
    },
    "layout": {
        "autotypenumbers": "strict",
        "colorway": [
            "#636efa",
            "#EF553B",
            "#00cc96",
            "#ab63fa",
            "#FFA15A",
            "#19d3f3",
            "#FF6692",
            "#B6E880",
            "#FF97FF",
            "#FECB52",
        ],
        "font": {"color": "#2a3f5f"},
        "hovermode": "closest",
        "hoverlabel": {"align": "left"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": _GRID,
        "yaxis": _GRID,
        "annotationdefaults": {"arrowcolor": "#2a3f5f", "arrowhead": 0, "arrowwidth": 1},
        "title": {"x": 0.05},
    },
}
"""The parts of Plotly's `plotly_white` template that bar and scatter charts use (the whole one is 7 kB a figure)."""


def _figure(data: list[dict[str, Any]], title: str, scope: str, **layout: Any) -> dict[str, Any]:
    """The figure dict: traces, the titled layout with the house margins and legend, the white template."""
    base = {
        "template": WHITE,
        "title": {"text": f"{title}<br><sup>{scope}</sup>", "x": 0},
        "margin": {"l": 60, "r": 20, "t": 70, "b": 50},
        "legend": {"orientation": "h", "y": -0.18},
    }
    return {"data": data, "layout": {**base, **layout}}


def _note(text: str) -> dict[str, Any]:
    return {
        "text": text,
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5,
        "font": {"size": 14},
    }


def _empty(title: str, scope: str, text: str = "No revisions in this range") -> dict[str, Any]:
    return _figure([], title, scope, annotations=[_note(text)], xaxis={"visible": False}, yaxis={"visible": False})


def _local(series: pd.Series, zone: str) -> list[str]:
    """Aware times → wall-clock ISO text in `zone` (how Plotly reads dates)."""
    return series.dt.tz_convert(zone).dt.strftime("%Y-%m-%dT%H:%M:%S").tolist()


def _naive(series: pd.Series) -> list[str]:
    return series.dt.strftime("%Y-%m-%dT%H:%M:%S").tolist()


def _values(series: pd.Series | np.ndarray) -> list[Any]:
    return np.asarray(series).tolist()


def weekly_figure(weeks: pd.DataFrame, scope: str, zone: str) -> dict[str, Any]:
    """Revisions per week, stacked by kind."""
    if weeks.empty:
        return _empty("Revisions per week", scope)
    data = []
    for kind in KINDS:
        part = weeks[weeks["kind"] == kind]
        if part["count"].sum() == 0:
            continue
        data.append(
            {
                "type": "bar",
                "name": kind,
                "x": _local(part["week"], zone),
                "y": _values(part["count"]),
                "marker": {"color": KIND_COLOURS[kind]},
                "hovertemplate": "week of %{x|%Y-%m-%d}: %{y} " + kind + "<extra></extra>",
            }
        )
    return _figure(
        data,
        "Revisions per week by kind",
        scope,
        barmode="stack",
        xaxis={"title": {"text": f"Week starting (UTC Monday, shown in {zone})"}},
        yaxis={"title": {"text": "Revisions"}},
    )


def turnaround_figure(table: pd.DataFrame, scope: str) -> dict[str, Any]:
    """Median (solid) and 90th percentile (dotted) hours to sign-off per column and month."""
    if table.empty:
        return _empty("Sign-off turnaround", scope, "No sign-offs in this range")
    data = []
    for column in SIGNOFF_COLUMNS:
        part = table[table["column"] == column]
        if part.empty:
            continue
        months = _naive(part["month"].dt.tz_localize(None))
        colour = COLUMN_COLOURS[column]
        label = SIGNOFF_LABELS[column]
        data.append(
            {
                "type": "scatter",
                "name": f"{label} median",
                "x": months,
                "y": _values(part["median_h"]),
                "mode": "lines+markers",
                "line": {"color": colour},
                "legendgroup": column,
                "customdata": _values(part["n"]),
                "hovertemplate": label + " %{x|%b %Y}: median %{y:.1f} h (n=%{customdata})<extra></extra>",
            }
        )
        data.append(
            {
                "type": "scatter",
                "name": f"{label} p90",
                "x": months,
                "y": _values(part["p90_h"]),
                "mode": "lines",
                "line": {"color": colour, "dash": "dot"},
                "legendgroup": column,
                "hovertemplate": label + " %{x|%b %Y}: 90th percentile %{y:.1f} h<extra></extra>",
            }
        )
    return _figure(
        data,
        "Sign-off turnaround per column (median and 90th percentile)",
        scope,
        xaxis={"title": {"text": "Month of submission (UTC)"}},
        yaxis={"title": {"text": "Hours from submission to sign-off"}, "rangemode": "tozero"},
    )


def backlog_figure(series: pd.DataFrame, scope: str, zone: str) -> dict[str, Any]:
    """Open revisions at the end of each day."""
    if series.empty:
        return _empty("Pending backlog", scope)
    trace = {
        "type": "scatter",
        "name": "open revisions",
        "x": _local(series["at"], zone),
        "y": _values(series["open"]),
        "mode": "lines",
        "line": {"shape": "hv", "color": "#fd7e14"},
        "fill": "tozeroy",
        "hovertemplate": "%{x|%Y-%m-%d %H:%M}: %{y} open<extra></extra>",
    }
    return _figure(
        [trace],
        "Pending backlog over time (open revisions at each day's end)",
        scope,
        xaxis={"title": {"text": f"Time ({zone})"}},
        yaxis={"title": {"text": "Open revisions"}, "rangemode": "tozero"},
    )


def age_figure(ages: pd.DataFrame, scope: str) -> dict[str, Any]:
    """Today's pending items by age, stacked by the column they wait on."""
    labels = [label for label, _ in AGE_BUCKETS]
    total = int(ages["count"].sum()) if not ages.empty else 0
    if total == 0:
        return _empty("Pending now by age", scope, "Nothing is pending")
    data = []
    for column in SIGNOFF_COLUMNS:
        part = ages[ages["column"] == column].set_index("bucket").reindex(labels)["count"].fillna(0)
        if part.sum() == 0:
            continue
        label = SIGNOFF_LABELS[column]
        data.append(
            {
                "type": "bar",
                "name": label,
                "x": labels,
                "y": _values(part),
                "marker": {"color": COLUMN_COLOURS[column]},
                "hovertemplate": "%{x}: %{y} waiting on " + label + "<extra></extra>",
            }
        )
    return _figure(
        data,
        f"Pending now by age ({total} pending sign-offs)",
        scope,
        barmode="stack",
        xaxis={"title": {"text": "Age (since submission)"}, "categoryorder": "array", "categoryarray": labels},
        yaxis={"title": {"text": "Pending sign-offs"}},
    )


def counts_figure(table: pd.DataFrame, key: str, title: str, scope: str, *, top: int = 20) -> dict[str, Any]:
    """Horizontal bars of revisions by `key`, stacked by kind (the `top` largest)."""
    if table.empty:
        return _empty(title, scope)
    order = table.groupby(key, sort=False)["count"].sum()
    keep = list(order.sort_values(ascending=False, kind="stable").index[:top])
    data = []
    for kind in KINDS:
        part = table[(table["kind"] == kind) & table[key].isin(keep)]
        if part["count"].sum() == 0:
            continue
        data.append(
            {
                "type": "bar",
                "name": kind,
                "y": part[key].astype(str).tolist(),
                "x": _values(part["count"]),
                "orientation": "h",
                "marker": {"color": KIND_COLOURS[kind]},
                "hovertemplate": "%{y}: %{x} " + kind + "<extra></extra>",
            }
        )
    return _figure(
        data,
        title,
        scope,
        barmode="stack",
        height=max(300, 110 + 26 * len(keep)),
        legend={"orientation": "h", "y": -0.3},
        xaxis={"title": {"text": "Revisions"}},
        yaxis={"categoryorder": "array", "categoryarray": [str(k) for k in reversed(keep)]},
    )


def sky_longitude(ra: pd.Series | np.ndarray) -> np.ndarray:
    """RA (degrees) → map longitude: −RA wrapped into [−180, 180), so RA grows to the left with 0h at the centre."""
    values = np.asarray(ra, dtype="float64")
    return -(((values + 180.0) % 360.0) - 180.0)


def aitoff(lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Aitoff projection (degrees in, plane coordinates out; x in [−2, 2]·90/π·…, here in degrees-like units).

    x = 2 cos φ sin(λ/2) / sinc α, y = sin φ / sinc α with α = arccos(cos φ cos(λ/2)) and sinc α = sin α / α.
    Drawn with plain scatter traces, so the map needs no topojson download (Scattergeo fetches one from a CDN)."""
    lam = np.radians(np.asarray(lon_deg, dtype="float64"))
    phi = np.radians(np.asarray(lat_deg, dtype="float64"))
    alpha = np.arccos(np.clip(np.cos(phi) * np.cos(lam / 2.0), -1.0, 1.0))
    sinc = np.where(alpha == 0, 1.0, np.sin(alpha) / np.where(alpha == 0, 1.0, alpha))
    x = 2.0 * np.cos(phi) * np.sin(lam / 2.0) / sinc
    y = np.sin(phi) / sinc
    return np.degrees(x), np.degrees(y)


@functools.cache
def _graticule() -> tuple[dict[str, Any], ...]:
    """Meridians every 2h of RA, parallels every 30° of Dec, the outline, and RA/Dec labels (two traces); the same
    for every map, so made once per process (the traces are only serialised, never changed)."""
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
    grid = {
        "type": "scatter",
        "x": [_round(v) for v in xs],
        "y": [_round(v) for v in ys],
        "mode": "lines",
        "line": {"color": "#dee2e6", "width": 1},
        "hoverinfo": "skip",
        "showlegend": False,
        "name": "grid",
    }
    ra_hours = list(range(0, 24, 4))
    lx, ly = aitoff(sky_longitude(np.array([h * 15.0 for h in ra_hours])), np.zeros(len(ra_hours)))
    dec_marks = [-60, -30, 30, 60]
    dx, dy = aitoff(np.full(len(dec_marks), 180.0), np.array(dec_marks, dtype="float64"))
    labels = {
        "type": "scatter",
        "x": [_round(v) for v in (*lx, *dx)],
        "y": [_round(v) for v in (*ly, *dy)],
        "mode": "text",
        "text": [f"{h}h" for h in ra_hours] + [f"{d:+d}°" for d in dec_marks],
        "textposition": ["top center"] * len(ra_hours) + ["middle right"] * len(dec_marks),
        "textfont": {"color": "#6c757d", "size": 10},
        "hoverinfo": "skip",
        "showlegend": False,
        "name": "labels",
    }
    return grid, labels


def _round(value: float | None) -> float | None:
    """Map coordinates to 0.01° (the graticule has ~2,500 points; full doubles only make the answer longer)."""
    return None if value is None else round(float(value), 2)


def sky_figure(points: pd.DataFrame, scope: str) -> dict[str, Any]:
    """Targets of recent revisions on an Aitoff map (RA, Dec), coloured by revision state; customdata[0] is the
    obsid (click-through)."""
    title = "Targets of recent revisions"
    data = list(_graticule())
    notes = [] if not points.empty else [_note("No positions to show (no revisions, or the Ocat is unavailable)")]
    for state, colour in STATE_COLOURS.items():
        part = points[points["state"] == state] if not points.empty else points
        if part.empty:
            continue
        x, y = aitoff(sky_longitude(part["ra"]), part["dec"].to_numpy())
        customdata = [
            [int(obsid), str(obsidrev), str(target), round(float(ra), 3), round(float(dec), 3)]
            for obsid, obsidrev, target, ra, dec in zip(
                part["obsid"], part["obsidrev"], part["targname"], part["ra"], part["dec"], strict=True
            )
        ]
        data.append(
            {
                "type": "scatter",
                "name": state,
                "x": _values(x),
                "y": _values(y),
                "mode": "markers",
                "marker": {"color": colour, "size": 8, "opacity": 0.85, "line": {"width": 0.5, "color": "white"}},
                "customdata": customdata,
                "hovertemplate": "%{customdata[1]} · %{customdata[2]}<br>RA %{customdata[3]}°, Dec %{customdata[4]}°"
                "<br>click to open its history<extra>" + state + "</extra>",
            }
        )
    count = 0 if points.empty else len(points)
    extra = {"annotations": notes} if notes else {}
    return _figure(
        data,
        f"{title} ({count} obsids)",
        f"{scope} · {SKY_NOTE}",
        height=480,
        **extra,
        xaxis={"visible": False, "range": [-185, 185]},
        yaxis={"visible": False, "range": [-95, 95], "scaleanchor": "x", "scaleratio": 1},
    )


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
