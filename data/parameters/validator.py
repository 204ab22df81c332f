"""THE validator (D6): one pure function used by the live editor, the confirm step, the final submit and the API.

`validate(original, requested, context)` compares an Ocat record (as `data.ocat.read.read_observation` returns it:
a flat dict plus `time_ranks`/`roll_ranks`/`window_ranks` row lists) with what the user asks for, and returns a
`Report`:

* `errors` — `{name: message}` that block the submission. Rank cells are keyed `tstart[2]` (0-based row index,
  the row number the editor's grid shows), whole sets `time_ranks`; form-level errors use `kind`, `status`,
  `changes`.
* `warnings` — advisory lines (ocat-data-page §6.2 C1–C10, §6.4, D7 separation and Y/Z offsets).
* `notes` — the revision notes of data-layer §3.6 (norm only), D7 great-circle for the coordinate note.
* `signoffs` — the initial sign-off statuses (catalogue.signoff_routing).
* `changes` — `{stored name: (original, requested)}` in storage units (ra/dec degrees, dither degrees,
  ranked sets as column lists), built per ocat-data-page §7 with the flag rules of D11. What a revision requests.

`requested` may be the whole editor form (display units: `ra_hms`, `y_amp_asec`, rank rows with display dates)
or only the changed names (the API): names that are absent keep their original value. Both unit forms are
accepted (`ra` or `ra_hms`, `y_amp` or `y_amp_asec`); ranked sets come as row lists under `time_ranks`, … .
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from data.parameters import values as V
from data.parameters.catalogue import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    PARAMETERS,
    RANK_SETS,
    REVISION_KINDS,
    Param,
    columns_to_rows,
    is_acis,
    is_hrc,
    rows_to_columns,
    signoff_routing,
    values_equal,
)

MAX_RANK_ROWS = 30
LARGE_SHIFT_ARCMIN = 8.0
OFFSET_WARN_ARCMIN = 10.0
OBSDATE_WINDOW_S = 10 * 86400
BLOCKED_STATUSES = CLOSED_STATUSES | {"triggered"}
INSTRUMENT_CHANGES_URL = "https://cxc.cfa.harvard.edu/cus/InstrumentChanges.html"

DITHER_PAIRS = (("y_amp_asec", "y_amp"), ("y_freq_asec", "y_freq"), ("z_amp_asec", "z_amp"), ("z_freq_asec", "z_freq"))
DITHER_OCAT = ("y_amp", "y_freq", "y_phase", "z_amp", "z_freq", "z_phase")
DISPLAY_ONLY = frozenset({"ra_hms", "dec_dms", "y_amp_asec", "y_freq_asec", "z_amp_asec", "z_freq_asec"})
_ASEC_OF = {ocat: asec for asec, ocat in DITHER_PAIRS}
_OCAT_OF = {asec: ocat for asec, ocat in DITHER_PAIRS}
_RECORDS_KEYS = {r.records_key: r for r in RANK_SETS.values()}
_RANK_COLUMNS = frozenset(c for r in RANK_SETS.values() for c in r.columns)
_RANK_FLAGS = frozenset(r.flag for r in RANK_SETS.values())
_DITHER_NAMES = frozenset(DITHER_OCAT) | frozenset(_OCAT_OF)
_IGNORED = frozenset(
    {
        "remove_rank",
        "template_time",
        "template_roll",
        "template_window",
        "refresh",
        "obsid",
        "submit_choice",
        "multiobsid",
        "kind",
    }
)
_NOTE_FLAGS = ("dither_flag", "window_flag", "roll_flag", "spwindow_flag")
_ON = ("Y", "P")
_ACIS_ONLY_KEYS = (
    "exp_mode",
    "bep_pack",
    "frame_time",
    "most_efficient",
    "subarray",
    "duty_cycle",
    "onchip_sum",
    "eventfilter",
)
_CHIPS = tuple(f"ccdi{i}_on" for i in range(4)) + tuple(f"ccds{i}_on" for i in range(6))

# The basic parameters compared one by one (ocat-data-page §7.2 step 1), in editor order;
# ra/dec and dither are handled apart.
BASIC = tuple(
    p.name
    for p in PARAMETERS.values()
    if p.editable and p.rank_set is None and p.name not in DISPLAY_ONLY and p.name not in _DITHER_NAMES
)


@dataclass(frozen=True)
class ValidationContext:
    """What the validator needs besides the two dicts. `now` is an aware or naive-UT datetime."""

    kind: str = "norm"
    now: datetime | None = None
    on_or_list: bool = False
    approved: bool = False
    check_status: bool = True
    extra: bool = False
    """True when validating an extra obsid of a multi-obsid submission (no "nothing changed" error)."""


@dataclass
class Report:
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: dict[str, bool] = field(default_factory=dict)
    signoffs: dict[str, str] = field(default_factory=dict)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    separation_arcmin: float | None = None
    latest: dict[str, Any] = field(default_factory=dict)
    """Every editable parameter's value after the request (storage units), for callers that show it."""

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def requests(self) -> dict[str, Any]:
        """`{name: requested value}` — what the revision's `requests` rows hold."""
        return {k: v[1] for k, v in self.changes.items()}

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": dict(self.errors),
            "warnings": list(self.warnings),
            "notes": dict(self.notes),
            "signoffs": dict(self.signoffs),
            "changes": {k: {"original": o, "requested": r} for k, (o, r) in self.changes.items()},
            "separation_arcmin": self.separation_arcmin,
        }


# ---------------------------------------------------------------------------------------------------- helpers


def _naive_ut(moment: datetime | None) -> datetime:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _label(name: str) -> str:
    p = PARAMETERS.get(name)
    if p is not None:
        return p.label
    rs = _RECORDS_KEYS.get(name)
    return rs.label if rs else name


def _fmt_num(x: float | None) -> str:
    return "no limit" if x is None else f"{x:g}"


def original_ranks(original: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The rank rows of an Ocat record, with dates in storage format."""
    rs = RANK_SETS[key]
    rows = original.get(rs.records_key)
    if rows is None and any(original.get(c) is not None for c in rs.columns):
        rows = columns_to_rows(original, rs.columns)
    out = []
    for row in rows or []:
        clean = {c: V.null_coerce(row.get(c)) for c in rs.columns}
        for c in ("tstart", "tstop"):
            if c in clean and clean[c] is not None:
                try:
                    clean[c] = V.to_storage(clean[c])
                except ValueError:
                    pass
        out.append(clean)
    return out


def stored_originals(original: Mapping[str, Any]) -> dict[str, Any]:
    """Every stored parameter (the 92 names) with a non-NULL original, ranked sets as column lists
    (ocat-data-page §9.3). A set whose flag is on keeps its columns even with no rows (empty lists): v2.1's check
    page rebuilds the rows of an on flag from the original columns and fails when they are missing."""
    out: dict[str, Any] = {}
    for key, rs in RANK_SETS.items():
        rows = original_ranks(original, key)
        if rows or V.null_coerce(original.get(rs.flag)) in _ON:
            out.update(rows_to_columns(rows, rs.columns))
    for name, p in PARAMETERS.items():
        if p.stored and p.rank_set is None:
            value = V.null_coerce(original.get(name))
            if value is not None:
                out[name] = value
    return out


def form_values(original: Mapping[str, Any]) -> dict[str, Any]:
    """The editor's starting values (display units): ra_hms/dec_dms, dither in arcsec, a rank flag `P` shown
    as `Y` (ocat-data-page §2.4), rank rows with dates in the display format. Read-only names are included for
    display."""
    out: dict[str, Any] = {}
    for name in PARAMETERS:
        if name in DISPLAY_ONLY or PARAMETERS[name].rank_set:
            continue
        out[name] = V.null_coerce(original.get(name))
    ra, dec = out.get("ra"), out.get("dec")
    out["ra_hms"] = V.format_ra(ra) if ra is not None else None
    out["dec_dms"] = V.format_dec(dec) if dec is not None else None
    for asec, ocat in DITHER_PAIRS:
        value = out.get(ocat)
        out[asec] = None if value is None else round(value * V.ARCSEC_PER_DEG, 6)
    for key, rs in RANK_SETS.items():
        flag = out.get(rs.flag)
        out[rs.flag] = "Y" if flag in _ON else "N"
        rows = original_ranks(original, key)
        for row in rows:
            for c in ("tstart", "tstop"):
                if c in row and row[c] is not None:
                    row[c] = V.to_display(row[c])
        out[rs.records_key] = rows
    return out


# ---------------------------------------------------------------------------------------------------- parsing


MAX_TEXT = 20_000
"""The longest remarks / comments text accepted (the v2.1 Ocat text columns hold a few thousand characters)."""
MAX_STR = 1_000
"""The longest one-line text value (target name, observatories, SI mode)."""


def _parse_scalar(p: Param, raw: Any) -> Any:
    """One requested value by its catalogue entry → storage value; ValueError with a message."""
    if isinstance(raw, str):
        raw = raw.strip() if p.kind not in ("text",) else raw
    if p.choices:
        value = None if V.is_null(raw) or (isinstance(raw, str) and not raw.strip()) else raw
        if isinstance(value, str) and value not in p.choice_values and value.upper() in p.choice_values:
            value = value.upper()
        if value is None and p.null_is_no:
            return None
        if value not in p.choice_values:
            shown = ", ".join(label if v is None else str(v) for v, label in p.choices)
            raise ValueError(f"must be one of {shown}")
        return value
    if p.kind in ("text", "str"):
        if raw is None:
            return None
        text = raw if isinstance(raw, str) else str(raw)
        limit = MAX_TEXT if p.kind == "text" else MAX_STR
        if len(text) > limit:
            raise ValueError(f"is too long: at most {limit:,} characters (got {len(text):,})")
        if p.kind == "str":
            text = text.strip()
        return None if (not text.strip() or (p.kind == "str" and V.is_null(text))) else text
    value = V.parse_typed(p.kind, raw)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if p.minimum is not None and value < p.minimum:
            raise ValueError(_range_message(p))
        if p.maximum is not None and value > p.maximum:
            raise ValueError(_range_message(p))
    return value


def _same_as_original(name: str, orig: Any, raw: Any) -> bool:
    """An untouched form value (the original, or its text) is never an error, even when the Ocat holds an odd one."""
    value = V.null_coerce(raw.strip() if isinstance(raw, str) else raw)
    if values_equal(name, orig, value):
        return True
    return orig is not None and isinstance(value, str) and not isinstance(orig, str) and value == str(orig)


def _range_message(p: Param) -> str:
    unit = f" {p.unit}" if p.unit else ""
    if p.minimum is not None and p.maximum is not None:
        return f"must be between {_fmt_num(p.minimum)} and {_fmt_num(p.maximum)}{unit}"
    if p.minimum is not None:
        return f"must be at least {_fmt_num(p.minimum)}{unit}"
    return f"must be at most {_fmt_num(p.maximum)}{unit}"


def _type_message(p: Param, exc: ValueError) -> str:
    text = str(exc)
    if p.kind == "int" and "whole number" in text:
        return "must be a whole number" + (f" ({_range_message(p)[5:]})" if p.minimum is not None else "")
    if p.kind == "float" and "not a number" in text:
        return "must be a number"
    return text


# ---------------------------------------------------------------------------------------------------- validate


def validate(original: Mapping[str, Any], requested: Mapping[str, Any], context: ValidationContext) -> Report:
    """Check `requested` against `original`; see the module docstring for the report's parts.

    The steps, in order: the kind and the observation's status, unknown or read-only names, (1) basic parameters,
    (2) RA/Dec, (3) dither, (4) ranked sets, (5) the changes, (6) the kind's rules (D9), (7) separation, warnings
    and notes."""
    report = Report()
    kind = context.kind
    if kind not in REVISION_KINDS:
        report.errors["kind"] = f"Unknown submission kind {kind!r}: use norm, asis, remove or clone"
        return report
    _check_status(report.errors, original, context)
    _check_names(report.errors, original, requested)
    latest: dict[str, Any] = {}
    _basic(report.errors, latest, original, requested)
    coord_changed = _position(report.errors, latest, original, requested)
    _dither(report.errors, latest, original, requested)
    new_rows = {key: _ranked_rows(report.errors, original, requested, key, rs) for key, rs in RANK_SETS.items()}
    _rank_flags(report.errors, latest, original, requested, new_rows)
    changes = _changes(original, latest, new_rows)
    report.changes = _kind_rules(report, original, changes, context)
    report.latest = latest
    report.signoffs = signoff_routing(kind, report.changes)
    orig_ra, orig_dec = V.null_coerce(original.get("ra")), V.null_coerce(original.get("dec"))
    if coord_changed and None not in (orig_ra, orig_dec, latest["ra"], latest["dec"]):
        report.separation_arcmin = round(V.separation_arcmin(orig_ra, orig_dec, latest["ra"], latest["dec"]), 3)
    if kind == "norm":
        _warnings(report, original, latest, report.changes)
        report.notes = _notes(original, report.changes, report.separation_arcmin, context, _naive_ut(context.now))
    return report


def _check_status(errors: dict[str, str], original: Mapping[str, Any], context: ValidationContext) -> None:
    """D9: no change for an observation that is observed, archived, canceled or discarded (or not active)."""
    status = (original.get("status") or "").lower() if isinstance(original.get("status"), str) else None
    if context.check_status and status and (status in BLOCKED_STATUSES or status not in ACTIVE_STATUSES):
        errors["status"] = (
            f"Obsid {original.get('obsid')} was {'already ' if status in ('observed', 'archived', 'triggered') else ''}"
            f"{status.upper()}: its parameters can no longer be changed"
        )


def _check_names(errors: dict[str, str], original: Mapping[str, Any], requested: Mapping[str, Any]) -> None:
    """Unknown names, and read-only parameters requested with a value other than the original."""
    for name in requested:
        if name in _IGNORED or name in _RECORDS_KEYS or name in DISPLAY_ONLY:
            continue
        p = PARAMETERS.get(name)
        if p is None:
            errors[name] = "unknown parameter"
        elif not p.editable and name not in ("ra", "dec", *DITHER_OCAT):
            if not values_equal(name, V.null_coerce(original.get(name)), V.null_coerce(requested[name])):
                errors[name] = f"{p.label} cannot be changed here"


def _basic(
    errors: dict[str, str], latest: dict[str, Any], original: Mapping[str, Any], requested: Mapping[str, Any]
) -> None:
    """Step 1: every basic parameter parsed by its kind; an unparsable one keeps its original and gets an error."""
    for name in BASIC:
        p = PARAMETERS[name]
        orig = V.null_coerce(original.get(name))
        if p.rank_set is None and name in _RANK_FLAGS:
            orig = orig if orig in _ON else "N"
        if name not in requested or _same_as_original(name, orig, requested[name]):
            latest[name] = orig
            continue
        try:
            value = _parse_scalar(p, requested[name])
        except ValueError as exc:
            errors[name] = _type_message(p, exc)
            latest[name] = orig
            continue
        if name in _RANK_FLAGS and value is None:
            value = "N"
        latest[name] = value
    if "targname" in requested and latest.get("targname") in (None, ""):
        errors["targname"] = "Target Name is required"


def _coordinate(
    errors: dict[str, str], requested: Mapping[str, Any], orig_val: Any, deg_name: str, text_name: str
) -> Any:
    """One of RA/Dec, typed as text (`ra_hms`, `dec_dms`) or in degrees; the original when not requested."""
    parse, fmt = (V.parse_ra, V.format_ra) if deg_name == "ra" else (V.parse_dec, V.format_dec)
    raw_key = text_name if text_name in requested else deg_name if deg_name in requested else None
    if raw_key is None:
        return orig_val
    raw = requested[raw_key]
    shown_orig = fmt(orig_val) if orig_val is not None else None
    if raw_key == text_name and isinstance(raw, str) and shown_orig is not None and raw.strip() == shown_orig:
        return orig_val  # untouched display text: keep full precision of the Ocat value
    if orig_val is None and isinstance(raw, str) and raw.strip() in ("00:00:00.0000", "+00:00:00.0000"):
        return None  # v2.1's default text for a NULL position is not a request (defect 10)
    try:
        return parse(raw)
    except ValueError as exc:
        errors[text_name] = str(exc)
        return orig_val


def _position(
    errors: dict[str, str], latest: dict[str, Any], original: Mapping[str, Any], requested: Mapping[str, Any]
) -> bool:
    """Step 2: RA and Dec (either unit form); True when the position changed."""
    orig_ra, orig_dec = V.null_coerce(original.get("ra")), V.null_coerce(original.get("dec"))
    new_ra = _coordinate(errors, requested, orig_ra, "ra", "ra_hms")
    new_dec = _coordinate(errors, requested, orig_dec, "dec", "dec_dms")
    latest["ra"], latest["dec"] = new_ra, new_dec
    changed = not values_equal("ra", orig_ra, new_ra) or not values_equal("dec", orig_dec, new_dec)
    if changed and (new_ra is None) != (new_dec is None) and "ra_hms" not in errors and "dec_dms" not in errors:
        errors["ra_hms" if new_ra is None else "dec_dms"] = "RA and Dec must both be given, or both be empty"
    return changed


def _dither(
    errors: dict[str, str], latest: dict[str, Any], original: Mapping[str, Any], requested: Mapping[str, Any]
) -> None:
    """Step 3: dither amplitudes and frequencies (arcsec or degree forms) and phases."""
    for asec, ocat in DITHER_PAIRS:
        orig = V.null_coerce(original.get(ocat))
        value = orig
        key = asec if asec in requested else ocat if ocat in requested else None
        if key is not None:
            try:
                parsed = V.parse_typed("float", requested[key])
            except ValueError:
                errors[asec] = "must be a number"
                parsed = None if orig is None else (orig * V.ARCSEC_PER_DEG if key == asec else orig)
            if key == asec:
                shown = None if orig is None else round(orig * V.ARCSEC_PER_DEG, 6)
                value = orig if values_equal(asec, shown, parsed) else V.arcsec_to_deg(parsed)
            else:
                value = parsed
        latest[ocat] = value
    for name in ("y_phase", "z_phase"):
        orig = V.null_coerce(original.get(name))
        value = orig
        if name in requested:
            try:
                value = V.parse_typed("float", requested[name])
            except ValueError:
                errors[name] = "must be a number"
                value = orig
        latest[name] = value


def _requested_rows(original: Mapping[str, Any], requested: Mapping[str, Any], key: str, rs: Any) -> Any:
    """The rows requested for one ranked set: as rows, or built from column lists (the API's form); None when
    the request does not name the set."""
    rows_in = requested.get(rs.records_key)
    if rows_in is None and any(c in requested for c in rs.columns):
        orig_cols = rows_to_columns(original_ranks(original, key), rs.columns)
        given = {c: requested[c] if c in requested else orig_cols[c] for c in rs.columns}
        rows_in = columns_to_rows(given, rs.columns)
        for row in rows_in:
            for c in ("tstart", "tstop"):
                if c in row and row[c] is not None:
                    row[c] = str(row[c])
    return rows_in


def _ranked_rows(
    errors: dict[str, str], original: Mapping[str, Any], requested: Mapping[str, Any], key: str, rs: Any
) -> list[dict[str, Any]]:
    """Step 4: one ranked set's rows, each cell parsed; errors keyed `column[row]`."""
    orig_rows = original_ranks(original, key)
    rows_in = _requested_rows(original, requested, key, rs)
    if rows_in is None:
        return orig_rows
    if not isinstance(rows_in, list) or not all(isinstance(r, Mapping) for r in rows_in):
        errors[rs.records_key] = f"{rs.label} must be a list of rows"
        return orig_rows
    if len(rows_in) > MAX_RANK_ROWS:
        errors[rs.records_key] = f"{rs.label}: at most {MAX_RANK_ROWS} rows (got {len(rows_in)})"
    return [_ranked_row(errors, key, rs, i, row) for i, row in enumerate(rows_in[:MAX_RANK_ROWS])]


def _ranked_row(errors: dict[str, str], key: str, rs: Any, i: int, row: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for c in rs.columns:
        p = PARAMETERS[c]
        try:
            value = _parse_scalar(p, row.get(c))
        except ValueError as exc:
            errors[f"{c}[{i}]"] = _type_message(p, exc)
            value = None
        else:
            if value is None and c != "roll_180" and c != "chip":
                errors[f"{c}[{i}]"] = f"{p.label} is required"
        clean[c] = value
    if key == "time" and clean.get("tstart") and clean.get("tstop"):
        if V.parse_datetime(clean["tstart"]) >= V.parse_datetime(clean["tstop"]):
            errors[f"tstop[{i}]"] = "Stop Time must be after Start Time"
    if key == "window" and clean.get("chip") is None and f"chip[{i}]" not in errors:
        errors[f"chip[{i}]"] = "Chip is required"
    return clean


def _rank_flags(
    errors: dict[str, str],
    latest: dict[str, Any],
    original: Mapping[str, Any],
    requested: Mapping[str, Any],
    new_rows: Mapping[str, list[dict[str, Any]]],
) -> None:
    """D11: a roll/time flag that is on follows its rows (P if all rows P, Y if any Y); a flag on needs rows."""
    for key, rs in RANK_SETS.items():
        unchanged = V.null_coerce(original.get(rs.flag)) in _ON and values_equal(
            rs.key,
            rows_to_columns(original_ranks(original, key), rs.columns),
            rows_to_columns(new_rows[key], rs.columns),
        )
        if key in ("time", "roll") and latest.get(rs.flag) in _ON and new_rows[key] and not unchanged:
            kinds = [r.get(rs.columns[0]) for r in new_rows[key]]
            latest[rs.flag] = "P" if all(k == "P" for k in kinds) else "Y"
        if latest.get(rs.flag) in _ON and not new_rows[key] and rs.flag in requested:
            errors[rs.records_key] = f"{rs.label}: add at least one row, or set {_label(rs.flag)} to NO"


def _changes(
    original: Mapping[str, Any], latest: dict[str, Any], new_rows: Mapping[str, list[dict[str, Any]]]
) -> dict[str, tuple[Any, Any]]:
    """Step 5: name → (original, requested) for every changed parameter (ocat-data-page §7.2, D11); the ranked
    sets' rows go into `latest` under their records keys."""
    changes: dict[str, tuple[Any, Any]] = {}
    for name in BASIC:
        if name in ("remarks", "comments"):
            continue
        orig = V.null_coerce(original.get(name))
        if name in _RANK_FLAGS:
            orig = orig if orig is not None else "N"
        if not values_equal(name, orig, latest.get(name)):
            changes[name] = (orig, latest.get(name))
    for name in ("ra", "dec"):
        orig = V.null_coerce(original.get(name))
        if not values_equal(name, orig, latest[name]):
            changes[name] = (orig, latest[name])
    orig_dither = {n: V.null_coerce(original.get(n)) for n in DITHER_OCAT}
    new_dither = {n: latest[n] for n in DITHER_OCAT}
    _flag_set_changes(changes, "dither_flag", original, latest, DITHER_OCAT, orig_dither, new_dither)
    for key, rs in RANK_SETS.items():
        orig_cols = rows_to_columns(original_ranks(original, key), rs.columns)
        new_cols = rows_to_columns(new_rows[key], rs.columns)
        _flag_set_changes(changes, rs.flag, original, latest, rs.columns, orig_cols, new_cols)
        latest[rs.records_key] = new_rows[key]
    for name in ("remarks", "comments"):
        orig = V.null_coerce(original.get(name))
        if not values_equal(name, orig, latest.get(name)):
            changes[name] = (orig, latest.get(name))
    return changes


def _kind_rules(
    report: Report, original: Mapping[str, Any], changes: dict[str, tuple[Any, Any]], context: ValidationContext
) -> dict[str, tuple[Any, Any]]:
    """Step 6 (D9): what each kind submits: a split only its comment, approve/remove nothing, a normal change at
    least one changed parameter. Returns the changes the kind keeps."""
    errors, warnings, kind = report.errors, report.warnings, context.kind
    if kind == "clone":
        comment = changes.get("comments")
        if comment is None or not (comment[1] or "").strip():
            errors["comments"] = "A split request needs a comment explaining why the split is needed"
        if set(changes) - {"comments"}:
            warnings.append("A split request submits only the comment; the other edits are not submitted.")
        return {"comments": comment} if comment is not None else {}
    if kind in ("asis", "remove"):
        if changes:
            warnings.append(
                "Parameter edits are not submitted with "
                + ("an approval" if kind == "asis" else "a removal from the approved list")
                + "; choose Normal Change to submit them."
            )
        if kind == "asis" and context.approved:
            warnings.append(f"Obsid {original.get('obsid')} is already on the approved list.")
        if kind == "remove" and not context.approved:
            warnings.append(f"Obsid {original.get('obsid')} is not on the approved list yet.")
        return {}
    if not changes and not context.extra and not any(k.endswith("]") or k in PARAMETERS for k in errors):
        errors["changes"] = "Nothing changed: a normal change needs at least one changed parameter"
    return changes


def _flag_set_changes(
    changes: dict[str, tuple[Any, Any]],
    flag: str,
    original: Mapping[str, Any],
    latest: Mapping[str, Any],
    names: tuple[str, ...],
    orig_values: Mapping[str, Any],
    new_values: Mapping[str, Any],
) -> None:
    """D11 / ocat-data-page §6.5: off→off nothing; off→on every value; on→off every value requested NULL;
    on→on the diffs."""
    was_on = V.null_coerce(original.get(flag)) in _ON
    is_on = latest.get(flag) in _ON
    if not was_on and not is_on:
        return
    for name in names:
        orig = orig_values.get(name)
        if isinstance(orig, list) and not orig:
            orig = None
        new = new_values.get(name) if is_on else None
        if isinstance(new, list) and not new:
            new = None
        if not was_on:
            if new is not None:
                changes[name] = (orig, new)
        elif not is_on:
            if orig is not None:
                changes[name] = (orig, None)
        elif not values_equal(name, orig, new):
            changes[name] = (orig, new)


Warnings = list[str]


def _warnings(report: Report, original: Mapping[str, Any], latest: Mapping[str, Any], changes: Mapping) -> None:
    """The warnings of a normal change: each rule below adds what it finds, in the order the page shows them."""
    for rule in _WARNING_RULES:
        report.warnings.extend(rule(report, original, latest, changes))


def _warn_notified(report: Report, original: Mapping, latest: Mapping, changes: Mapping) -> Warnings:
    """Target, instrument and grating changes: MP is told; switching ACIS↔HRC leaves the other's parameters."""
    out = []
    if "targname" in changes:
        out.append("Target name changed: MP will be notified.")
    if "instrument" in changes:
        out.append(
            f"Instrument changed: MP will be notified. See Instrument Changes Explanation: {INSTRUMENT_CHANGES_URL}"
        )
        old = changes["instrument"][0]
        if is_acis(old) != is_acis(latest.get("instrument")):
            other = "ACIS" if is_acis(old) else "HRC"
            out.append(
                f"The {other} parameters of this observation stay as they are; clear them if they no longer apply."
            )
    if "grating" in changes:
        out.append(
            f"Grating changed: MP will be notified. See Instrument Changes Explanation: {INSTRUMENT_CHANGES_URL}"
        )
    return out


def _warn_pointing(report: Report, original: Mapping, latest: Mapping, changes: Mapping) -> Warnings:
    """D7: a large coordinate move, or a detector offset moved by more than 10 arcmin, needs CDO approval."""
    out = []
    if report.separation_arcmin is not None and report.separation_arcmin > LARGE_SHIFT_ARCMIN:
        out.append(
            f"Coordinates moved by {report.separation_arcmin:.2f} arcmin (more than {LARGE_SHIFT_ARCMIN:g} arcmin): "
            "CDO approval is needed."
        )
    for name in ("y_det_offset", "z_det_offset"):
        if name in changes:
            old, new = changes[name]
            if abs((new or 0.0) - (old or 0.0)) > OFFSET_WARN_ARCMIN:
                out.append(
                    f"{_label(name)} changed by more than {OFFSET_WARN_ARCMIN:g} arcmin: CDO approval is needed."
                )
    return out


def _warn_acis_setup(report: Report, original: Mapping, latest: Mapping, changes: Mapping) -> Warnings:
    """ACIS frame time, chips, subarray, duty cycle and on-chip summing."""
    if not is_acis(latest.get("instrument")):
        return []
    out = []
    frame_time, most_eff = latest.get("frame_time"), latest.get("most_efficient")
    if frame_time is not None and most_eff == "Y":
        out.append("Frame Time is set, so Most Efficient must be NO (or NA).")
    elif frame_time is None and most_eff != "Y":
        out.append("Frame Time is not set, so Most Efficient should be YES.")
    on = sum(1 for c in _CHIPS if latest.get(c) not in (None, "N"))
    if on > 6:
        out.append(f"{on} ACIS chips are on or optional: at most 6 may be used.")
    start, rows = latest.get("subarray_start_row"), latest.get("subarray_row_count")
    if latest.get("subarray") == "CUSTOM" and (start is None or rows is None):
        out.append("Use Subarray is CUSTOM: Start and Rows are needed.")
    if latest.get("subarray") != "CUSTOM" and (start is not None or rows is not None):
        out.append("Subarray Start/Rows are set but Use Subarray is not CUSTOM.")
    if latest.get("duty_cycle") == "Y" and (
        latest.get("secondary_exp_count") is None or latest.get("primary_exp_time") is None
    ):
        out.append("Duty Cycle is YES: Number and Tprimary are needed (recommended 2 and 0.3 s).")
    summing = (latest.get("onchip_row_count"), latest.get("onchip_column_count"))
    if latest.get("onchip_sum") == "Y" and summing != (2, 2):
        out.append("Onchip Summing is normally 2 × 2 rows/columns; contact CDO for other values.")
    return out


def _warn_acis_energy(report: Report, original: Mapping, latest: Mapping, changes: Mapping) -> Warnings:
    """ACIS energy filter, spectra, Z-Sim and windows per chip."""
    instrument = latest.get("instrument")
    if not is_acis(instrument):
        return []
    out = []
    lower, higher = latest.get("eventfilter_lower"), latest.get("eventfilter_higher")
    if latest.get("eventfilter") == "Y" and (lower is None or higher is None):
        out.append("Energy Filter is YES: Lowest Energy and Energy Range are needed.")
    touched = any(n in changes for n in ("eventfilter", "eventfilter_lower", "eventfilter_higher"))
    if latest.get("eventfilter") != "Y" and (lower is not None or higher is not None) and touched:
        out.append("Lowest Energy/Energy Range are set but Energy Filter is not YES.")
    if (higher or 0) > 13:
        out.append("An energy range above 13 keV risks telemetry saturation.")
    spectra = (latest.get("multiple_spectral_lines"), latest.get("spectra_max_count"))
    if instrument == "ACIS-I" and latest.get("grating") is None and None in spectra and changes:
        out.append("ACIS-I without a grating: Multi Spectral Lines and Spectra Max Count are needed.")
    offset = latest.get("trans_offset")
    if instrument == "ACIS-S" and offset is not None and offset > -8 and "trans_offset" in changes:
        out.append("Z-Sim above -8 mm is not allowed for ACIS-S.")
    per_chip: dict[Any, int] = {}
    for row in latest.get("window_ranks") or []:
        per_chip[row.get("chip")] = per_chip.get(row.get("chip"), 0) + 1
    out.extend(f"{n} windows on chip {chip}: at most 6 windows per chip." for chip, n in per_chip.items() if n > 6)
    return out


def _warn_rates(report: Report, original: Mapping, latest: Mapping, changes: Mapping) -> Warnings:
    """HRC SI mode, count rates for gratings."""
    out = []
    if is_hrc(latest.get("instrument")) and latest.get("hrc_si_mode") in (None, ""):
        out.append("HRC SI Mode is not provided.")
    rates_missing = latest.get("est_cnt_rate") is None or latest.get("forder_cnt_rate") is None
    if "grating" in changes and latest.get("grating") is not None and rates_missing:
        out.append("A grating is used: Count Rate and 1st Order Rate are needed.")
    elif latest.get("est_cnt_rate") is None and "est_cnt_rate" in changes:
        out.append("Count Rate is needed.")
    return out


def _warn_constraints(report: Report, original: Mapping, latest: Mapping, changes: Mapping) -> Warnings:
    """Phase constraint, monitoring intervals, dither rate, constraint (Y) rows and flags that need CDO."""
    out = []
    if V.null_coerce(original.get("phase_constraint_flag")) in _ON:
        names = ("phase_epoch", "phase_period", "phase_start", "phase_start_margin", "phase_end", "phase_end_margin")
        missing = [_label(n) for n in names if latest.get(n) is None]
        if missing and any(n in changes for n in names):
            out.append("Phase constraint: " + ", ".join(missing) + " needed.")
    if (latest.get("pre_min_lead") or 0) > 364 and "pre_min_lead" in changes:
        out.append("Follows Obs Min Int is normally at most 364 days.")
    if (latest.get("pre_max_lead") or 0) > 365 and "pre_max_lead" in changes:
        out.append("Follows Obs Max Int is normally at most 365 days.")
    monitoring = latest.get("pre_id") is not None and latest.get("window_flag") in _ON
    if monitoring and ("pre_id" in changes or "window_flag" in changes):
        out.append("Monitoring observations (Follows ObsID# set) cannot have time constraints.")
    if latest.get("dither_flag") == "Y":
        rate = _peak_dither_rate(latest)
        if rate is not None and rate >= 0.22 and any(n in changes for n in DITHER_OCAT):
            out.append(f"Peak dither rate {rate:.3f}″/s: it must stay below 0.22″/s.")
    for key, rs in RANK_SETS.items():
        if key == "window":
            continue
        col = rs.columns[0]
        if any(c in changes for c in rs.columns) and any(r.get(col) == "Y" for r in latest.get(rs.records_key) or []):
            out.append(f"{rs.label}: CONSTRAINT (Y) only if TAC/CDO approved; otherwise use PREFERENCE.")
    out.extend(
        f"{_label(flag)} changed: this needs CDO approval; note an existing approval in the comments."
        for flag in _NOTE_FLAGS
        if flag in changes
    )
    return out


_WARNING_RULES = (_warn_notified, _warn_pointing, _warn_acis_setup, _warn_acis_energy, _warn_rates, _warn_constraints)


def _peak_dither_rate(latest: Mapping[str, Any]) -> float | None:
    """√((y_amp·2π/y_period)² + (z_amp·2π/z_period)²) in arcsec/s, from amp (deg) and freq (deg/s → period)."""
    ya, yf, za, zf = (latest.get(n) for n in ("y_amp", "y_freq", "z_amp", "z_freq"))
    if None in (ya, yf, za, zf):
        return None
    # v2.1's freq is an angular rate in deg/s; ω = freq, so peak = amp·ω (in arcsec/s after ·3600, ω in rad/s)
    return math.hypot(ya * 3600 * math.radians(yf), za * 3600 * math.radians(zf))


def _notes(
    original: Mapping[str, Any],
    changes: Mapping[str, Any],
    separation: float | None,
    context: ValidationContext,
    now: datetime,
) -> dict[str, bool]:
    """data-layer §3.6 notes, with D7's great-circle large coordinate change."""
    notes: dict[str, bool] = {}
    obs_date = V.null_coerce(original.get("soe_st_sched_date")) or V.null_coerce(original.get("lts_lt_plan"))
    if obs_date is not None:
        try:
            when = V.parse_datetime(obs_date)
        except ValueError:
            when = None
        if when is not None and (when - now).total_seconds() < OBSDATE_WINDOW_S:
            notes["obsdate_under10"] = True
    if context.on_or_list:
        notes["on_or_list"] = True
    if "targname" in changes:
        notes["target_name_change"] = True
    if "comments" in changes:
        notes["comment_change"] = True
    if "instrument" in changes:
        notes["instrument_change"] = True
    if "grating" in changes:
        notes["grating_change"] = True
    if any(f in changes for f in _NOTE_FLAGS):
        notes["flag_change"] = True
    ra0, dec0 = V.null_coerce(original.get("ra")), V.null_coerce(original.get("dec"))
    if (
        ("ra" in changes or "dec" in changes)
        and separation is not None
        and not (ra0 == 0 and dec0 == 0)
        and separation > LARGE_SHIFT_ARCMIN
    ):
        notes["large_coordinate_change"] = True
    return notes


def is_blocked_status(status: Any) -> bool:
    """True when no revision may be submitted for an observation with this Ocat status (D9, D10)."""
    return isinstance(status, str) and bool(status) and status.lower() not in ACTIVE_STATUSES
