"""Pure shaping for the Parameter Check Page (other-pages §4, D18): rows, colours, rank tables. No Dash, no DB.

Inputs are plain mappings: `original` and `requested` as stored in the revision DB (a ranked column holds a list
over ranks), `current` as the Ocat record (ranked sets either as column lists or as `*_ranks` records). Every
parameter name, label, unit and section comes from `data.parameters.catalogue`; values are compared with the catalogue's
`values_equal` (`approx_equals`, plus NULL = `N` for yes/no flags).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from data.parameters.catalogue import COMPARE_BUT_UNEDITABLE, PARAMETERS, RANK_SETS, SECTIONS, Param, values_equal

APPLIED = "applied"
"""A change was requested and the Ocat now holds the requested value (green)."""
NOT_APPLIED = "not-applied"
"""A change was requested and the Ocat does not hold it yet (orange-red)."""
DRIFTED = "drifted"
"""No change was requested but the Ocat value differs from the original (fuchsia)."""

COLOURS: dict[str, str] = {
    APPLIED: "rgba(124,252,0,0.3)",
    DRIFTED: "rgba(255,0,255,0.3)",
    NOT_APPLIED: "rgba(255,69,0,0.3)",
}
"""Cell backgrounds of other-pages §4.3."""

LEGEND: tuple[tuple[str, str], ...] = (
    (APPLIED, "Requested value is in the database."),
    (NOT_APPLIED, "Requested value is not in the database yet."),
    (DRIFTED, "There was no request for the update, but the database value is changed."),
)

NOT_AVAILABLE = "n/a"
"""What the Original column shows for a revision that has no originals (express approvals, D18)."""
EMPTY = "—"
UNAVAILABLE = "unavailable"
"""What the Current column shows while the Ocat cannot be read."""

ACIS_INSTRUMENTS = frozenset({"ACIS-I", "ACIS-S"})
HRC_INSTRUMENTS = frozenset({"HRC-I", "HRC-S"})

# Editor-only unit forms of stored values: the check page shows the stored form (ra/dec in degrees, dither in deg).
_EDITOR_FORMS = frozenset({"ra_hms", "dec_dms", "y_amp_asec", "y_freq_asec", "z_amp_asec", "z_freq_asec"})
_ORDER_KEYS = frozenset(r.order_key for r in RANK_SETS.values())
_SKIPPED_SECTIONS = frozenset({"record"})


def cell_colour(
    original: Any,
    requested: Any,
    current: Any,
    *,
    change_requested: bool,
    has_originals: bool = True,
    name: str | None = None,
) -> str | None:
    """The colour class of a Current cell (other-pages §4.3, first match wins), or None for no colour.

    Equality is approximate (D18). A revision without originals never shows "drifted": there is nothing to drift
    from (other-pages §12 #17).
    """
    same = (lambda a, b: values_equal(name, a, b)) if name else _approx
    if change_requested and same(requested, current):
        return APPLIED
    if not change_requested and has_originals and not same(original, current):
        return DRIFTED
    if change_requested:
        return NOT_APPLIED
    return None


def _approx(a: Any, b: Any) -> bool:
    return values_equal("", a, b)


def show(value: Any) -> str:
    """A value as cell text: None as a dash, lists comma-separated, floats without noise."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value) if value else EMPTY
    return str(value)


@dataclass(frozen=True)
class Row:
    """One line of a parameter table."""

    name: str
    label: str
    unit: str | None
    original: str
    requested: str
    current: str
    colour: str | None = None
    requested_change: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "unit": self.unit,
            "original": self.original,
            "requested": self.requested,
            "current": self.current,
            "colour": self.colour,
            "requested_change": self.requested_change,
        }


@dataclass(frozen=True)
class Table:
    """One titled table: a catalogue section or a ranked set."""

    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    ranked: bool = False


def current_columns(current: Mapping[str, Any]) -> dict[str, Any]:
    """`current` with every ranked set also as column lists (from `*_ranks` records when the columns are absent)."""
    out = dict(current)
    for rank in RANK_SETS.values():
        records = current.get(rank.records_key)
        for column in rank.columns:
            if column in out and isinstance(out[column], list | tuple):
                continue
            if isinstance(records, list | tuple):
                out[column] = [(r or {}).get(column) for r in records] if records else None
            elif column not in out:
                out[column] = None
    return out


def instruments(*records: Mapping[str, Any]) -> set[str]:
    return {str(r.get("instrument")) for r in records if r.get("instrument")}


def visible_sections(
    original: Mapping[str, Any], requested: Mapping[str, Any], current: Mapping[str, Any]
) -> list[str]:
    """Sections to show: ACIS ones only for an ACIS instrument (in any of the three), HRC for HRC, TOO when the
    current record has a `tooid` (other-pages §4.2 item 7)."""
    used = instruments(original, requested, current)
    out = []
    for section in SECTIONS:
        if section in _SKIPPED_SECTIONS:
            continue
        if section in ("acis", "acis_window") and not used & ACIS_INSTRUMENTS:
            continue
        if section == "hrc" and not used & HRC_INSTRUMENTS:
            continue
        if section == "too" and current.get("tooid") in (None, ""):
            continue
        out.append(section)
    return out


def frozen(param: Param) -> bool:
    """Not kept in originals/requests (read-only Ocat fields, TOO block): shown with the current value throughout."""
    return not param.stored or param.name in COMPARE_BUT_UNEDITABLE or param.section == "too"


def parameter_row(
    param: Param,
    original: Mapping[str, Any],
    requested: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    has_originals: bool,
) -> Row:
    """One standard row. Requested shows the request when there is one, else the original (v2.1)."""
    name = param.name
    cur = current.get(name)
    if frozen(param):
        # Not kept in originals/requests: v2.1 shows the current value in all three columns, never coloured.
        text = show(cur)
        return Row(name, param.label, param.unit, text, text, text)
    asked = name in requested
    org = original.get(name)
    req = requested[name] if asked else org
    colour = cell_colour(org, req, cur, change_requested=asked, has_originals=has_originals, name=name)
    org_text = show(org) if has_originals else NOT_AVAILABLE
    req_text = show(req) if (asked or has_originals) else NOT_AVAILABLE
    return Row(name, param.label, param.unit, org_text, req_text, show(cur), colour, asked)


def _at(values: Any, index: int) -> Any:
    if isinstance(values, list | tuple) and index < len(values):
        return values[index]
    return None


def _count(values: Mapping[str, Any], columns: Sequence[str]) -> int:
    return max((len(v) for c in columns if isinstance(v := values.get(c), list | tuple)), default=0)


def rank_rows(
    key: str,
    original: Mapping[str, Any],
    requested: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    has_originals: bool,
) -> list[Row]:
    """The rows of one ranked set: the order (number of ranks), then `<Label> (rank i)` per column per rank.

    A requested column replaces the whole list (ranked sets are replaced wholesale, D10); a cell is a requested
    change when its column was requested and its value differs from the original at that rank.
    """
    rank = RANK_SETS[key]
    cur = current_columns(current)
    req_cols = {c: (requested[c] if c in requested else original.get(c)) for c in rank.columns}
    n_org, n_req, n_cur = _count(original, rank.columns), _count(req_cols, rank.columns), _count(cur, rank.columns)
    order = PARAMETERS[rank.order_key]
    order_changed = n_org != n_req
    rows = [
        Row(
            rank.order_key,
            order.label,
            None,
            str(n_org) if has_originals else NOT_AVAILABLE,
            str(n_req) if (has_originals or order_changed) else NOT_AVAILABLE,
            str(n_cur),
            cell_colour(n_org, n_req, n_cur, change_requested=order_changed, has_originals=has_originals),
            order_changed,
        )
    ]
    for i in range(max(n_org, n_req, n_cur)):
        for column in rank.columns:
            param = PARAMETERS[column]
            org, req, now = _at(original.get(column), i), _at(req_cols[column], i), _at(cur.get(column), i)
            asked = column in requested and not values_equal(column, org, req)
            colour = cell_colour(org, req, now, change_requested=asked, has_originals=has_originals, name=column)
            rows.append(
                Row(
                    f"{column}.{i + 1}",
                    f"{param.label} (rank {i + 1})",
                    param.unit,
                    show(org) if has_originals else NOT_AVAILABLE,
                    show(req) if (has_originals or column in requested) else NOT_AVAILABLE,
                    show(now),
                    colour,
                    asked,
                )
            )
    return rows


def parameter_tables(
    original: Mapping[str, Any],
    requested: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    has_originals: bool | None = None,
    current_known: bool = True,
) -> list[Table]:
    """All tables of the page, in catalogue order: each visible section's standard rows, its ranked set as its own
    table right after it. `has_originals` defaults to "the revision stored any original". With `current_known`
    False (the Ocat is down) the Current column says so and nothing is coloured."""
    if has_originals is None:
        has_originals = bool(original)
    tables = _tables(original, requested, current, has_originals)
    if current_known:
        return tables
    return [Table(t.key, t.title, [_unknown(r) for r in t.rows], t.ranked) for t in tables]


def _unknown(row: Row) -> Row:
    param = PARAMETERS.get(row.name)
    if param is not None and frozen(param):
        return replace(row, original=UNAVAILABLE, requested=UNAVAILABLE, current=UNAVAILABLE, colour=None)
    return replace(row, current=UNAVAILABLE, colour=None)


def _tables(
    original: Mapping[str, Any], requested: Mapping[str, Any], current: Mapping[str, Any], has_originals: bool
) -> list[Table]:
    cur = current_columns(current)
    tables: list[Table] = []
    for section in visible_sections(original, requested, cur):
        params = [
            p
            for p in PARAMETERS.values()
            if p.section == section and p.rank_set is None and p.name not in _EDITOR_FORMS
            and p.name not in _ORDER_KEYS
        ]  # fmt: skip
        rows = [parameter_row(p, original, requested, cur, has_originals=has_originals) for p in params]
        if rows:
            tables.append(Table(section, SECTIONS[section], rows))
        for key, rank in RANK_SETS.items():
            if PARAMETERS[rank.columns[0]].section == section:
                rows = rank_rows(key, original, requested, cur, has_originals=has_originals)
                tables.append(Table(f"rank-{key}", rank.label, rows, ranked=True))
    return tables


def change_groups(original: Mapping[str, Any], requested: Mapping[str, Any]) -> list[Table]:
    """ "Change Requested Parameters" (other-pages §4.2 item 5): General, ACIS and ACIS Window changes, catalogue
    order, each row label | original | requested. Empty groups are left out."""
    window = set(RANK_SETS["window"].columns)
    groups: dict[str, list[Row]] = {"general": [], "acis": [], "window": []}
    for name, param in PARAMETERS.items():
        if name not in requested:
            continue
        org, req = show(original.get(name)), show(requested[name])
        row = Row(name, param.label, param.unit, org, req, "", None, True)
        if name in window:
            groups["window"].append(row)
        elif "acis" in param.signoff:
            groups["acis"].append(row)
        elif "general" in param.signoff or "hrc_si" in param.signoff:
            groups["general"].append(row)
    titles = {"general": "General Changes", "acis": "ACIS Changes", "window": "ACIS Window Changes"}
    return [Table(k, titles[k], rows) for k, rows in groups.items() if rows]


def text_block(name: str, original: Mapping[str, Any], requested: Mapping[str, Any]) -> dict[str, Any] | None:
    """The remarks/comments summary (`check_two_entries`): past text, and the new text when one was requested."""
    label = PARAMETERS[name].label
    past, new = original.get(name), requested.get(name)
    if past in (None, "") and not new:
        return None
    return {"name": name, "past_label": f"Past {label}", "past": past or "NA",
            "new_label": f"New {label}" if new else None, "new": new or None}  # fmt: skip
