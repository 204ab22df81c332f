"""Pure shaping for the Parameter Check Page (other-pages §4, D18): the one merge's rows as grid rows. No Dash, no DB.

The merge (`data.revisions.compare.merge_rows`, ranked sets split per rank) decides original, requested, current and the
state of every value; this module only lays its rows out: which sections show, their order, titles, labels with
units, and cell text (n/a, unavailable, lists, floats). Names, labels, units and sections come from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from data.parameters.catalogue import PARAMETERS, RANK_SETS, SECTIONS
from data.revisions.compare import APPLIED, DRIFTED, PENDING, MergedRow, is_na

LEGEND: tuple[tuple[str, str], ...] = (
    (APPLIED, "Requested value is in the database."),
    (PENDING, "Requested value is not in the database yet."),
    (DRIFTED, "There was no request for the update, but the database value is changed."),
)
"""The states the Current column colours (other-pages §4.3), with the legend's words; colours in assets/merge.css."""

NOT_AVAILABLE = "n/a"
"""What the Original column shows for a revision that has no originals (express approvals, D18)."""
EMPTY = "—"
UNAVAILABLE = "unavailable"
"""What the Current column shows while the Ocat cannot be read."""

ACIS_INSTRUMENTS = frozenset({"ACIS-I", "ACIS-S"})
HRC_INSTRUMENTS = frozenset({"HRC-I", "HRC-S"})

# Editor-only unit forms of stored values: the check page shows the stored form (ra/dec in degrees, dither in deg).
_EDITOR_FORMS = frozenset({"ra_hms", "dec_dms", "y_amp_asec", "y_freq_asec", "z_amp_asec", "z_freq_asec"})
_SKIPPED_SECTIONS = frozenset({"record"})
_CHANGE_TITLES = {"general": "General Changes", "acis": "ACIS Changes", "window": "ACIS Window Changes"}


def show(value: Any) -> str:
    """A value as cell text: n/a for NA, None as a dash, lists comma-separated, floats without noise."""
    if is_na(value):
        return NOT_AVAILABLE
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value) if value else EMPTY
    return str(value)


def _label(label: str, unit: str | None) -> str:
    return f"{label} ({unit})" if unit else label


def visible_sections(instruments: set[str], *, too: bool) -> list[str]:
    """Sections to show: ACIS ones only for an ACIS instrument (original, requested or current), HRC for HRC, TOO
    when the current record has a `tooid` (other-pages §4.2 item 7)."""
    out = []
    for section in SECTIONS:
        if section in _SKIPPED_SECTIONS:
            continue
        if section in ("acis", "acis_window") and not instruments & ACIS_INSTRUMENTS:
            continue
        if section == "hrc" and not instruments & HRC_INSTRUMENTS:
            continue
        if section == "too" and not too:
            continue
        out.append(section)
    return out


def _title_row(key: str, title: str) -> dict[str, Any]:
    return {"id": f"section:{key}", "section_row": True, "parameter": title}


def value_row(row: Mapping[str, Any], *, current_known: bool) -> dict[str, Any]:
    """One merge row as the grid shows it. Requested shows the request when there is one, else the original (v2.1);
    frozen names show the current value in all three columns, uncoloured."""
    name, rank = row["name"], int(row["rank"])
    label = f"{row['label']} (rank {rank})" if rank else row["label"]
    out = {"id": f"{name}.{rank}" if rank else name, "name": name, "parameter": _label(label, row["unit"])}
    if row["frozen"]:
        text = show(row["current"]) if current_known else UNAVAILABLE
        return {**out, "original": text, "requested": text, "current": text, "state": "", "asked": False}
    asked = bool(row["asked"])
    return {
        **out,
        "original": show(row["original"]),
        "requested": show(row["requested"] if asked else row["original"]),
        "current": show(row["current"]) if current_known else UNAVAILABLE,
        "state": row["state"] if current_known else "",
        "asked": asked,
    }


def value_rows(rows: Sequence[MergedRow], *, current_known: bool = True) -> list[dict[str, Any]]:
    """The "All Parameters" grid: per visible section a title row and its parameters (catalogue order), each of
    its ranked sets right after it as a titled block (the number of ranks, then each rank's columns)."""
    by_name = {r["name"]: r for r in rows if not r["rank"]}
    instrument: Mapping[str, Any] = by_name.get("instrument", {})
    used = {str(instrument.get(k)) for k in ("original", "requested", "current") if _given(instrument.get(k))}
    tooid = by_name.get("tooid", {}).get("current")
    out: list[dict[str, Any]] = []
    for section in visible_sections(used, too=current_known and _given(tooid) and tooid != ""):
        plain = [
            r
            for r in rows
            if r["section"] == section
            and r["rank_set"] is None
            and r["name"] in PARAMETERS
            and r["name"] not in _EDITOR_FORMS
        ]
        if plain:
            out.append(_title_row(section, SECTIONS[section]))
            out += [value_row(r, current_known=current_known) for r in plain]
        for key, rank in RANK_SETS.items():
            if PARAMETERS[rank.columns[0]].section == section:
                out.append(_title_row(f"rank-{key}", rank.label))
                out += [value_row(r, current_known=current_known) for r in rows if r["rank_set"] == key]
    return out


def _given(value: Any) -> bool:
    return value is not None and not is_na(value)


def change_groups(original: Mapping[str, Any], requested: Mapping[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """ "Change Requested Parameters" (other-pages §4.2 item 5): (title, rows) for General, ACIS and ACIS Window
    changes, catalogue order, each row label | original | requested. Empty groups are left out; the original is n/a
    for a revision without originals (D18)."""
    window = set(RANK_SETS["window"].columns)
    groups: dict[str, list[dict[str, Any]]] = {"general": [], "acis": [], "window": []}
    for name, param in PARAMETERS.items():
        if name not in requested:
            continue
        row = {
            "name": name,
            "label": param.label,
            "unit": param.unit,
            "original": show(original.get(name)) if original else NOT_AVAILABLE,
            "requested": show(requested[name]),
        }
        if name in window:
            groups["window"].append(row)
        elif "acis" in param.signoff:
            groups["acis"].append(row)
        elif "general" in param.signoff or "hrc_si" in param.signoff:
            groups["general"].append(row)
    return [(_CHANGE_TITLES[key], rows) for key, rows in groups.items() if rows]


def text_block(name: str, original: Mapping[str, Any], requested: Mapping[str, Any]) -> dict[str, Any] | None:
    """The remarks/comments summary (`check_two_entries`): past text, and the new text when one was requested."""
    label = PARAMETERS[name].label
    past, new = original.get(name), requested.get(name)
    if past in (None, "") and not new:
        return None
    return {
        "name": name,
        "past_label": f"Past {label}",
        "past": past or "NA",
        "new_label": f"New {label}" if new else None,
        "new": new or None,
    }


__all__ = [
    "EMPTY",
    "LEGEND",
    "NOT_AVAILABLE",
    "UNAVAILABLE",
    "change_groups",
    "show",
    "text_block",
    "value_row",
    "value_rows",
    "visible_sections",
]
