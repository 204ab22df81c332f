"""The parameter catalogue: the one source of truth for every parameter name (ARCHITECTURE, rules of the house).

Each `Param` carries its label (`reference/labels.json`), editor section, kind, unit, choices, range (v2.1's,
ocat-data-page §3 and §6.1; `v1_note` says where `reference/value_ranges_v1.txt` differs), whether the editor may
change it, the sign-off columns it routes to (`reference/parameter_selections.json`), its ranked set and whether it
is one of the 92 names stored in originals/requests. `PARAMETERS` is in editor order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from data.parameters.values import approx_equals

REFERENCE = Path(__file__).parents[1] / "reference"
LABELS: dict[str, str] = json.loads((REFERENCE / "labels.json").read_text())
SELECTIONS: dict[str, list[str]] = json.loads((REFERENCE / "parameter_selections.json").read_text())
HELP_TEXT: dict[str, str] = json.loads((REFERENCE / "parameter_help.json").read_text())
"""What each field is for, as the help page says it (`description`; the label where there is none)."""

KINDS = ("str", "float", "int", "flag", "choice", "date", "text")
SIGNOFF_COLUMNS = ("general", "acis", "acis_si", "hrc_si", "usint")
SIGNOFF_LABELS = {
    "general": "General",
    "acis": "ACIS",
    "acis_si": "ACIS SI Mode",
    "hrc_si": "HRC SI Mode",
    "usint": "USINT verification",
}
"""Neutral names of the sign-off columns: who may sign one comes from the permissions (`data.users.signers`)."""
PENDING, SIGNED, NOT_REQUIRED, DISCARD = "Pending", "Signed", "Not Required", "Discard"
SIGNOFF_STATUSES = (PENDING, SIGNED, NOT_REQUIRED, DISCARD)
"""What a sign-off column can hold (the `signoffs` table)."""
REVISION_KINDS = ("norm", "asis", "remove", "clone")
"""A revision's kind: a parameter change, approval as is, removal of an approval, a split request."""
NOTE_LABELS: dict[str, str] = {
    "target_name_change": "Target Change",
    "comment_change": "New Comment",
    "instrument_change": "Instrument Change",
    "grating_change": "Grating Change",
    "flag_change": "Constraint Flag Change",
    "large_coordinate_change": "Large Coordinate Shift",
    "obsdate_under10": "Within 10 Days",
    "on_or_list": "On OR List",
}
"""The revision notes (`revisions.notes`, ocat-data-page §9.4) in words, in display order: the one home of these
labels for every page (#17): the board's badges (other-pages §6.5), the check page and the editor's confirm step."""

ACTIVE_STATUSES = frozenset({"unobserved", "scheduled", "untriggered"})
"""Ocat statuses an observation may be changed or approved in (D9, D10, D16)."""
CLOSED_STATUSES = frozenset({"observed", "archived", "canceled", "cancelled", "discarded"})
"""Ocat statuses that end an observation's changes: submissions and express approval skip them (D9, D16)."""


def is_acis(instrument: object) -> bool:
    """ACIS-I or ACIS-S (any case)."""
    return isinstance(instrument, str) and instrument.strip().upper().startswith("ACIS")


def is_hrc(instrument: object) -> bool:
    """HRC-I or HRC-S (any case)."""
    return isinstance(instrument, str) and instrument.strip().upper().startswith("HRC")


SECTIONS: dict[str, str] = {
    "general": "General Parameters",
    "dither": "Dither",
    "time": "Time Constraints",
    "roll": "Roll Constraints",
    "other": "Other Constraints",
    "hrc": "HRC Parameters",
    "acis": "ACIS Parameters",
    "acis_window": "ACIS Window Constraints",
    "too": "TOO Parameters",
    "comments": "Comments and Remarks",
    "record": "Other Ocat Fields",
}
"""Section id → title, in editor order (ocat-data-page §3.1–§3.10); `record`: Ocat keys the editor does not show."""

HELP_ANCHORS = {
    "general": "general_parameters",
    "dither": "dither_flag",
    "time": "time_constraints",
    "roll": "roll_constraints",
    "other": "other_constraints",
    "hrc": "hrc_parameters",
    "acis": "acis_parameters",
    "acis_window": "acis_window",
    "too": "too_parameters",
    "comments": "comments",
}

Choice = tuple[str | None, str]
NY: tuple[Choice, ...] = (("N", "NO"), ("Y", "YES"))
NPY: tuple[Choice, ...] = (("N", "NO"), ("P", "PREFERENCE"), ("Y", "YES"))
NNY: tuple[Choice, ...] = ((None, "NA"), ("N", "NO"), ("Y", "YES"))
CHIP: tuple[Choice, ...] = NNY + tuple((f"O{i}", f"OPT{i}") for i in range(1, 6))
RANK_FLAG: tuple[Choice, ...] = NY + (("P", "PREFERENCE"),)
CONSTRAINT: tuple[Choice, ...] = (("Y", "CONSTRAINT"), ("P", "PREFERENCE"))


def _plain(*values: str) -> tuple[Choice, ...]:
    return tuple((v, v) for v in values)


CHOICES: dict[str, tuple[Choice, ...]] = {
    "instrument": _plain("ACIS-I", "ACIS-S", "HRC-I", "HRC-S"),
    "grating": ((None, "None"), ("LETG", "LETG"), ("HETG", "HETG")),
    "obs_type": _plain("GO", "TOO", "GTO", "CAL", "DDT", "CAL_ER", "ARCHIVE", "CDFS", "CLP"),
    "obj_flag": _plain("NO", "MT", "SS"),
    "object": ((None, "NONE"),)
    + _plain("NEW", "ASTEROID", "COMET", "EARTH", "JUPITER", "MARS", "MOON", "NEPTUNE", "PLUTO", "SATURN")
    + _plain("URANUS", "VENUS"),
    "exp_mode": ((None, "NA"), ("TE", "TE"), ("CC", "CC")),
    "bep_pack": ((None, "NA"),) + _plain("F", "VF", "F+B", "G"),
    "subarray": ((None, "NA"), ("CUSTOM", "CUSTOM")),
    "chip": ((None, "NA"),) + _plain("I0", "I1", "I2", "I3", "S0", "S1", "S2", "S3", "S4", "S5"),
}


@dataclass(frozen=True)
class Param:
    """One parameter as every part of the app sees it."""

    name: str
    label: str
    section: str
    kind: str
    unit: str | None = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    editable: bool = False
    signoff: tuple[str, ...] = ()
    rank_set: str | None = None
    stored: bool = False
    v1_note: str | None = None
    required: bool = False
    many: bool = False
    stored_only: tuple[str, ...] = ()
    default: Any = None
    description: str = ""

    @property
    def choice_values(self) -> tuple[str | None, ...]:
        """Every value the parameter may hold (None when the choices have an NA/None entry)."""
        return tuple(v for v, _ in self.choices)

    @property
    def form_choices(self) -> tuple[Choice, ...]:
        """The options the editor offers (a rank flag shows NO/YES; `P` is rebuilt from the ranks, D11)."""
        return tuple(c for c in self.choices if c[0] not in self.stored_only)

    @property
    def null_is_no(self) -> bool:
        """A yes/no flag without an NA option: NULL and `N` are equal (D11)."""
        return self.kind == "flag" and "N" in self.choice_values and None not in self.choice_values

    @property
    def data_type(self) -> str:
        """Text for `parameters.data_type` (data-layer §3.4)."""
        base = {"str": "string", "text": "string", "flag": "flag", "choice": "string", "date": "datetime"}.get(
            self.kind, {"float": "float", "int": "integer"}.get(self.kind, self.kind)
        )
        return f"{base}-list" if self.rank_set or self.many else base


# name, section, kind, unit, choices (key in CHOICES or a tuple), min, max, editable ("E") / read-only ("R"),
# extra options. Order = editor order (ocat-data-page §3). Ranges are v2.1's (ocat-data-page §3, §6.1).
_ROWS: list[tuple[Any, ...]] = [
    # 3.1 General
    ("seq_nbr", "general", "int", None, None, None, None, "R"),
    ("status", "general", "str", None, None, None, None, "R"),
    ("obsid", "general", "int", None, None, None, None, "R"),
    ("proposal_number", "general", "int", None, None, None, None, "R"),
    ("proposal_title", "general", "str", None, None, None, None, "R"),
    ("obs_ao_str", "general", "str", None, None, None, None, "R"),
    ("targname", "general", "str", None, None, None, None, "E", {"required": True}),
    ("si_mode", "general", "str", None, None, None, None, "R"),
    ("aca_mode", "general", "str", None, None, None, None, "R"),
    ("instrument", "general", "choice", None, "instrument", None, None, "E"),
    ("grating", "general", "choice", None, "grating", None, None, "E"),
    ("obs_type", "general", "choice", None, "obs_type", None, None, "E"),
    ("pi_name", "general", "str", None, None, None, None, "R"),
    ("observer", "general", "str", None, None, None, None, "R"),
    ("approved_exposure_time", "general", "float", "ksec", None, None, None, "R"),
    ("rem_exp_time", "general", "float", "ksec", None, None, None, "R"),
    ("proposal_joint", "general", "str", None, None, None, None, "R"),
    ("proposal_hst", "general", "float", None, None, None, None, "R"),
    ("proposal_noao", "general", "float", None, None, None, None, "R"),
    ("proposal_xmm", "general", "float", None, None, None, None, "R"),
    ("proposal_rxte", "general", "float", None, None, None, None, "R"),
    ("proposal_vla", "general", "float", None, None, None, None, "R"),
    ("proposal_vlba", "general", "float", None, None, None, None, "R"),
    ("soe_st_sched_date", "general", "date", "UT", None, None, None, "R"),
    ("lts_lt_plan", "general", "date", "UT", None, None, None, "R"),
    ("ra_hms", "general", "str", "hh:mm:ss", None, None, None, "E", {"default": "00:00:00.0000"}),
    ("dec_dms", "general", "str", "dd:mm:ss", None, None, None, "E", {"default": "+00:00:00.0000"}),
    ("planned_roll", "general", "str", "deg", None, None, None, "R"),
    ("ra", "general", "float", "deg", None, 0.0, 360.0, "R"),
    ("dec", "general", "float", "deg", None, -90.0, 90.0, "R"),
    ("soe_roll", "general", "float", "deg", None, None, None, "R"),
    ("y_det_offset", "general", "float", "arcmin", None, -120.0, 120.0, "E"),
    ("z_det_offset", "general", "float", "arcmin", None, -120.0, 120.0, "E"),
    ("trans_offset", "general", "float", "mm", None, -190.5, 126.621, "E"),
    ("focus_offset", "general", "float", "mm", None, None, None, "E"),
    ("raster_scan", "general", "flag", None, NNY, None, None, "R"),
    ("uninterrupt", "general", "flag", None, NPY, None, None, "E"),
    ("extended_src", "general", "flag", None, NY, None, None, "E"),
    ("obj_flag", "general", "choice", None, "obj_flag", None, None, "E"),
    ("object", "general", "choice", None, "object", None, None, "E"),
    ("photometry_flag", "general", "flag", None, NY, None, None, "E"),
    ("vmagnitude", "general", "float", "mag", None, -15.0, 20.0, "E"),
    ("est_cnt_rate", "general", "float", "counts/s", None, 0.0, 100000.0, "E"),
    ("forder_cnt_rate", "general", "float", "counts/s", None, 0.0, 100000.0, "E"),
    # 3.2 Dither
    ("dither_flag", "dither", "flag", None, NY, None, None, "E"),
    ("y_amp_asec", "dither", "float", "arcsec", None, None, None, "E"),
    ("y_freq_asec", "dither", "float", "arcsec/s", None, None, None, "E"),
    ("y_phase", "dither", "float", "deg", None, None, None, "E"),
    ("y_amp", "dither", "float", "deg", None, None, None, "R"),
    ("y_freq", "dither", "float", "deg/s", None, None, None, "R"),
    ("z_amp_asec", "dither", "float", "arcsec", None, None, None, "E"),
    ("z_freq_asec", "dither", "float", "arcsec/s", None, None, None, "E"),
    ("z_phase", "dither", "float", "deg", None, None, None, "E"),
    ("z_amp", "dither", "float", "deg", None, None, None, "R"),
    ("z_freq", "dither", "float", "deg/s", None, None, None, "R"),
    # 3.3 Time constraints
    ("window_flag", "time", "flag", None, RANK_FLAG, None, None, "E", {"stored_only": ("P",)}),
    ("time_ordr", "time", "int", None, None, None, None, "R"),
    ("window_constraint", "time", "flag", None, CONSTRAINT, None, None, "E", {"rank_set": "time", "default": "Y"}),
    ("tstart", "time", "date", "UT", None, None, None, "E", {"rank_set": "time"}),
    ("tstop", "time", "date", "UT", None, None, None, "E", {"rank_set": "time"}),
    # 3.4 Roll constraints
    ("roll_flag", "roll", "flag", None, RANK_FLAG, None, None, "E", {"stored_only": ("P",)}),
    ("roll_ordr", "roll", "int", None, None, None, None, "R"),
    ("roll_constraint", "roll", "flag", None, CONSTRAINT, None, None, "E", {"rank_set": "roll", "default": "Y"}),
    ("roll_180", "roll", "flag", None, NNY, None, None, "E", {"rank_set": "roll", "default": "N"}),
    ("roll", "roll", "float", "deg", None, 0.0, 360.0, "E", {"rank_set": "roll", "default": 0.0}),
    ("roll_tolerance", "roll", "float", "deg", None, 0.0, 360.0, "E", {"rank_set": "roll", "default": 0.0}),
    # 3.5 Other constraints
    ("constr_in_remarks", "other", "flag", None, NPY, None, None, "E"),
    ("pointing_constraint", "other", "flag", None, NNY, None, None, "E"),
    ("phase_constraint_flag", "other", "flag", None, ((None, "NA"),) + NPY, None, None, "R"),
    ("phase_epoch", "other", "float", "MJD", None, 46066.0, None, "E"),
    ("phase_period", "other", "float", "days", None, None, None, "E"),
    ("phase_start", "other", "float", None, None, 0.0, 1.0, "E"),
    ("phase_start_margin", "other", "float", None, None, 0.0, 0.5, "E"),
    ("phase_end", "other", "float", None, None, 0.0, 1.0, "E"),
    ("phase_end_margin", "other", "float", None, None, 0.0, 0.5, "E"),
    ("group_id", "other", "str", None, None, None, None, "R"),
    ("monitor_flag", "other", "flag", None, NY, None, None, "E"),
    ("group_obsid", "other", "int", None, None, None, None, "R", {"many": True}),
    ("monitor_series", "other", "int", None, None, None, None, "R", {"many": True}),
    ("pre_id", "other", "int", None, None, None, None, "E"),
    ("pre_min_lead", "other", "float", "days", None, 0.0, None, "E"),
    ("pre_max_lead", "other", "float", "days", None, 0.01, None, "E"),
    ("multitelescope", "other", "flag", None, NPY, None, None, "E"),
    ("observatories", "other", "text", None, None, None, None, "E"),
    ("multitelescope_interval", "other", "float", "days", None, None, None, "E"),
    ("split_interval", "other", "float", "days", None, None, None, "E"),
    # 3.6 HRC
    ("hrc_timing_mode", "hrc", "flag", None, NNY, None, None, "E"),
    ("hrc_zero_block", "hrc", "flag", None, NNY, None, None, "E"),
    ("hrc_si_mode", "hrc", "str", None, None, None, None, "E"),
    # 3.7 ACIS
    ("exp_mode", "acis", "choice", None, "exp_mode", None, None, "E"),
    ("bep_pack", "acis", "choice", None, "bep_pack", None, None, "E"),
    ("frame_time", "acis", "float", "s", None, 0.0, 10.0, "E"),
    ("most_efficient", "acis", "flag", None, NNY, None, None, "E"),
    ("dropped_chip_count", "acis", "int", None, None, None, None, "R"),
    *[(f"ccdi{i}_on", "acis", "flag", None, CHIP, None, None, "E") for i in range(4)],
    *[(f"ccds{i}_on", "acis", "flag", None, CHIP, None, None, "E") for i in range(6)],
    ("subarray", "acis", "choice", None, "subarray", None, None, "E"),
    ("subarray_start_row", "acis", "int", None, None, 1, 925, "E"),
    ("subarray_row_count", "acis", "int", None, None, 101, 1024, "E"),
    ("duty_cycle", "acis", "flag", None, NNY, None, None, "E"),
    ("secondary_exp_count", "acis", "int", None, None, 0, 15, "E"),
    ("primary_exp_time", "acis", "float", "s", None, 0.0, 10.0, "E"),
    ("onchip_sum", "acis", "flag", None, NNY, None, None, "E"),
    ("onchip_row_count", "acis", "int", None, None, 1, 512, "E"),
    ("onchip_column_count", "acis", "int", None, None, 1, 512, "E"),
    ("eventfilter", "acis", "flag", None, NNY, None, None, "E"),
    ("eventfilter_lower", "acis", "float", "keV", None, 0.0, 15.0, "E"),
    ("eventfilter_higher", "acis", "float", "keV", None, 0.0, 15.0, "E"),
    ("multiple_spectral_lines", "acis", "flag", None, NNY, None, None, "E"),
    ("spectra_max_count", "acis", "int", None, None, 1, 100000, "E"),
    # 3.8 ACIS windows
    ("spwindow_flag", "acis_window", "flag", None, NY, None, None, "E"),
    ("window_ordr", "acis_window", "int", None, None, None, None, "R"),
    ("chip", "acis_window", "choice", None, "chip", None, None, "E", {"rank_set": "window", "default": "I0"}),
    ("start_row", "acis_window", "int", None, None, 1, 1024, "E", {"rank_set": "window", "default": 1}),
    ("start_column", "acis_window", "int", None, None, 1, 1024, "E", {"rank_set": "window", "default": 1}),
    ("width", "acis_window", "int", None, None, 1, 1024, "E", {"rank_set": "window", "default": 1023}),
    ("height", "acis_window", "int", None, None, 1, 1024, "E", {"rank_set": "window", "default": 1023}),
    ("lower_threshold", "acis_window", "float", "keV", None, 0.0, 15.0, "E", {"rank_set": "window", "default": 0.08}),
    ("pha_range", "acis_window", "float", "keV", None, 0.0, 15.0, "E", {"rank_set": "window", "default": 13.0}),
    ("sample", "acis_window", "int", None, None, 0, 255, "E", {"rank_set": "window", "default": 0}),
    # 3.9 TOO (read-only)
    ("tooid", "too", "int", None, None, None, None, "R"),
    ("too_trig", "too", "text", None, None, None, None, "R"),
    ("too_type", "too", "str", None, None, None, None, "R"),
    ("too_start", "too", "float", "days", None, None, None, "R"),
    ("too_stop", "too", "float", "days", None, None, None, "R"),
    ("too_followup", "too", "int", None, None, None, None, "R"),
    ("too_remarks", "too", "text", None, None, None, None, "R"),
    # 3.10 Comments and remarks
    ("remarks", "comments", "text", None, None, None, None, "E"),
    ("comments", "comments", "text", None, None, None, None, "E"),
    # Ocat keys of the record that no page shows
    ("targid", "record", "int", None, None, None, None, "R"),
    ("ocat_propid", "record", "int", None, None, None, None, "R"),
    ("acisid", "record", "int", None, None, None, None, "R"),
    ("hrcid", "record", "int", None, None, None, None, "R"),
    ("seg_max_num", "record", "int", None, None, None, None, "R"),
    ("data_rights", "record", "str", None, None, None, None, "R"),
    ("description", "record", "text", None, None, None, None, "R"),
    ("total_fld_cnt_rate", "record", "float", "counts/s", None, None, None, "R"),
    ("mpcat_star_fidlight_file", "record", "str", None, None, None, None, "R"),
]

_EXTRA_LABELS = {
    "targid": "Target ID",
    "ocat_propid": "Ocat Proposal ID",
    "acisid": "ACIS ID",
    "hrcid": "HRC ID",
    "seg_max_num": "Max Segments",
    "data_rights": "Data Rights",
    "description": "Description",
    "total_fld_cnt_rate": "Total Field Count Rate",
    "mpcat_star_fidlight_file": "MPCAT Star/Fid Light File",
}


@dataclass(frozen=True)
class RankSet:
    """A ranked set: its flag, its columns (storage order), the record and order keys of the Ocat record."""

    key: str
    flag: str
    columns: tuple[str, ...]
    records_key: str
    order_key: str
    label: str
    table: str

    def new_row(self) -> dict[str, Any]:
        """Defaults of a row added in the editor (ocat-data-page §3.3, §3.4, §3.8);
        tstart/tstop default to None (caller: now)."""
        return {c: PARAMETERS[c].default for c in self.columns}


RANK_SETS: dict[str, RankSet] = {
    "time": RankSet(
        "time",
        "window_flag",
        tuple(SELECTIONS["time_columns"]),
        "time_ranks",
        "time_ordr",
        LABELS["time_ranks"],
        "timereq",
    ),
    "roll": RankSet(
        "roll",
        "roll_flag",
        tuple(SELECTIONS["roll_columns"]),
        "roll_ranks",
        "roll_ordr",
        LABELS["roll_ranks"],
        "rollreq",
    ),
    "window": RankSet(
        "window",
        "spwindow_flag",
        tuple(SELECTIONS["window_columns"]),
        "window_ranks",
        "window_ordr",
        LABELS["window_ranks"],
        "aciswin",
    ),
}
RANK_FLAGS: dict[str, str] = {k: r.flag for k, r in RANK_SETS.items()}


def rows_to_columns(rows: Iterable[Mapping[str, Any]] | None, columns: Iterable[str]) -> dict[str, list[Any]]:
    """Rank rows → storage orientation `{column: [values]}` (ocat-data-page §4.6): one list per column, a
    missing cell None; no rows give empty lists."""
    rows = list(rows or [])
    return {c: [r.get(c) for r in rows] for c in columns}


def columns_to_rows(cols: Mapping[str, Any], columns: Iterable[str]) -> list[dict[str, Any]]:
    """Storage orientation → rank rows, as many as the longest column; a short, missing or NULL column gives
    None cells, a single value (not a list) counts as a one-row column."""
    lists = {c: _as_list(cols.get(c)) for c in columns}
    size = max((len(v) for v in lists.values()), default=0)
    return [{c: (v[i] if i < len(v) else None) for c, v in lists.items()} for i in range(size)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


_SIGNOFF_LISTS = {
    "general": SELECTIONS["general_signoff_params"],
    "acis": SELECTIONS["acis_signoff_params"],
    "acis_si": SELECTIONS["acis_si_signoff_params"],
    "hrc_si": SELECTIONS["hrc_si_signoff_params"],
}
_STORED = frozenset(n for names in _SIGNOFF_LISTS.values() for n in names)
_RANK_OF = {c: k for k, r in RANK_SETS.items() for c in r.columns}


def _read_v1_ranges(path: Path) -> dict[str, tuple[float, float, bool]]:
    """value_ranges_v1.txt → name → (min, max, enabled)."""
    ranges: dict[str, tuple[float, float, bool]] = {}
    for line in path.read_text().splitlines():
        parts = [p.strip() for p in line.split(":")]
        if len(parts) != 4 or not parts[0] or parts[0].startswith("# "):
            continue
        name, enabled = parts[0].lstrip("#").strip(), not parts[0].startswith("#")
        try:
            ranges[name] = (float(parts[1]), float(parts[2]), enabled)
        except ValueError:
            continue
    return ranges


V1_RANGES = _read_v1_ranges(REFERENCE / "value_ranges_v1.txt")


def _v1_note(name: str, minimum: float | None, maximum: float | None) -> str | None:
    if name not in V1_RANGES:
        return None
    lo, hi, enabled = V1_RANGES[name]
    if not enabled:
        return f"v1 did not check this range ({lo:g} … {hi:g} commented out)"
    if minimum == lo and maximum == hi:
        return None
    return f"v1 range {lo:g} … {hi:g}; v2.1 uses {_fmt(minimum)} … {_fmt(maximum)}"


def _fmt(x: float | None) -> str:
    return "no limit" if x is None else f"{x:g}"


def _build() -> dict[str, Param]:
    params: dict[str, Param] = {}
    for row in _ROWS:
        name, section, kind, unit, choices, lo, hi, edit, *extra = row
        options: dict[str, Any] = dict(extra[0]) if extra else {}
        params[name] = Param(
            name=name,
            label=LABELS.get(name) or _EXTRA_LABELS[name],
            section=section,
            kind=kind,
            unit=unit,
            choices=CHOICES[choices] if isinstance(choices, str) else (choices or ()),
            minimum=lo,
            maximum=hi,
            editable=edit == "E",
            signoff=tuple(col for col, names in _SIGNOFF_LISTS.items() if name in names),
            rank_set=options.pop("rank_set", _RANK_OF.get(name)),
            stored=name in _STORED,
            v1_note=_v1_note(name, lo, hi),
            description=HELP_TEXT.get(name) or LABELS.get(name) or _EXTRA_LABELS[name],
            **options,
        )
    return params


PARAMETERS: dict[str, Param] = _build()

COMPARE_BUT_UNEDITABLE: tuple[str, ...] = tuple(SELECTIONS["compare_but_uneditable"])
ACIS_WINDOW_COLUMNS: tuple[str, ...] = RANK_SETS["window"].columns


def stored_names() -> tuple[str, ...]:
    """The 92 names written to originals/requests and seeded into `parameters`, in editor order."""
    return tuple(n for n, p in PARAMETERS.items() if p.stored)


def signoff_names(column: str) -> tuple[str, ...]:
    """The parameter names that route to one sign-off column (v2.1 list order)."""
    return tuple(_SIGNOFF_LISTS[column]) if column in _SIGNOFF_LISTS else ()


def section_params(section: str) -> tuple[Param, ...]:
    """The parameters of one section, in editor order."""
    return tuple(p for p in PARAMETERS.values() if p.section == section)


def signoff_routing(kind: str, requested_names: Iterable[str]) -> dict[str, str]:
    """Initial status of each sign-off column for a new revision (data-layer §3.5).

    norm: a column is Pending iff a requested name is in its list, usint always Pending. clone: general and usint
    Pending. asis/remove: all Not Required and usint Signed (by the submitter, at creation).
    """
    if kind == "norm":
        names = set(requested_names)
        routing = {col: PENDING if names & set(_SIGNOFF_LISTS[col]) else NOT_REQUIRED for col in _SIGNOFF_LISTS}
        return {**routing, "usint": PENDING}
    if kind == "clone":
        return {
            "general": PENDING,
            "acis": NOT_REQUIRED,
            "acis_si": NOT_REQUIRED,
            "hrc_si": NOT_REQUIRED,
            "usint": PENDING,
        }
    if kind in ("asis", "remove"):
        return {**{col: NOT_REQUIRED for col in _SIGNOFF_LISTS}, "usint": SIGNED}
    raise ValueError(f"Unknown revision kind {kind!r}; expected norm, asis, remove or clone")


def values_equal(name: str, a: Any, b: Any) -> bool:
    """`approx_equals` plus the catalogue's own rules: for yes/no flags without an NA option NULL equals `N` (D11);
    a rank column with no rows (an empty list) equals NULL."""
    param = PARAMETERS.get(name)
    if param is not None and param.null_is_no:
        a, b = ("N" if a is None else a), ("N" if b is None else b)
    if param is not None and param.rank_set is not None:
        a, b = (None if a == [] else a), (None if b == [] else b)
    return approx_equals(a, b)
