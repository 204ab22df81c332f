"""The Ocat read side (data-layer §1.4, D5): full records and basic rows for a list of obsids, batched.

One call takes a small constant number of round trips whatever the number of obsids (chunks of 500):
1. `target` joined with every single-row child (prop_info, too, hrcparam, acisparam, phasereq, dither, sim) plus
   scalar subqueries for soe_roll, the PI, the first CoI and "does anything follow this obsid";
2. the three ranked sets in one `UNION ALL` (only when some obsid has a rank flag on);
3. monitor chains and groups: the (obsid, pre_id, status, group_id) rows of every group id, of every monitor
   obsid's proposal and one link beyond it (only when some obsid is in a group or a chain). Chains that leave the
   proposal by more than one link are finished with a frontier query per extra link (rare).

Every key of data-layer §1.4's key set is present in a record (K2: `window_ordr`); keys whose condition does not
hold are None (rank records `[]`, orders 0). A child row that is missing gives None values, never an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from data.errors import NotFound, ValidationFailed
from data.ids import parse_obsid
from data.ocat import obs_files
from data.ocat.sources import OcatSource
from data.parameters.catalogue import ACTIVE_STATUSES, PARAMETERS, RANK_SETS, rows_to_columns
from data.parameters.values import (
    STORAGE_FORMAT,
    deg_to_arcsec,
    format_dec,
    format_ra,
    is_null,
    normalize_ocat_date,
    null_coerce,
    parse_datetime,
    parse_ocat_date,
)

CHUNK = 500
MAX_CHAIN_ROUNDS = 100

TARGET_COLUMNS = (
    "obsid",
    "targid",
    "seq_nbr",
    "targname",
    "obj_flag",
    "object",
    "si_mode",
    "photometry_flag",
    "vmagnitude",
    "ra",
    "dec",
    "est_cnt_rate",
    "forder_cnt_rate",
    "y_det_offset",
    "z_det_offset",
    "raster_scan",
    "dither_flag",
    "approved_exposure_time",
    "pre_min_lead",
    "pre_max_lead",
    "pre_id",
    "seg_max_num",
    "aca_mode",
    "phase_constraint_flag",
    "ocat_propid",
    "acisid",
    "hrcid",
    "grating",
    "instrument",
    "rem_exp_time",
    "soe_st_sched_date",
    "type",
    "lts_lt_plan",
    "mpcat_star_fidlight_file",
    "status",
    "data_rights",
    "tooid",
    "description",
    "total_fld_cnt_rate",
    "extended_src",
    "uninterrupt",
    "multitelescope",
    "observatories",
    "constr_in_remarks",
    "group_id",
    "obs_ao_str",
    "roll_flag",
    "window_flag",
    "spwindow_flag",
    "multitelescope_interval",
    "pointing_constraint",
    "split_interval",
    "remarks",
    "mp_remarks",
)
"""Q2: the 54 `target` columns, in v2.1's order (data-layer §1.3)."""
ACIS_COLUMNS = (
    "exp_mode",
    "ccdi0_on",
    "ccdi1_on",
    "ccdi2_on",
    "ccdi3_on",
    "ccds0_on",
    "ccds1_on",
    "ccds2_on",
    "ccds3_on",
    "ccds4_on",
    "ccds5_on",
    "bep_pack",
    "onchip_sum",
    "onchip_row_count",
    "onchip_column_count",
    "frame_time",
    "subarray",
    "subarray_start_row",
    "subarray_row_count",
    "duty_cycle",
    "secondary_exp_count",
    "primary_exp_time",
    "eventfilter",
    "eventfilter_lower",
    "eventfilter_higher",
    "most_efficient",
    "dropped_chip_count",
    "multiple_spectral_lines",
    "spectra_max_count",
)
"""Q11: the 29 `acisparam` columns."""
TOO_COLUMNS = {
    "type": "too_type",
    "start": "too_start",
    "stop": "too_stop",
    "followup": "too_followup",
    "trig": "too_trig",
    "remarks": "too_remarks",
}
HRC_COLUMNS = {"hrc_zero_block": "hrc_zero_block", "timing_mode": "hrc_timing_mode", "si_mode": "hrc_si_mode"}
PHASE_COLUMNS = ("phase_period", "phase_epoch", "phase_start", "phase_end", "phase_start_margin", "phase_end_margin")
DITHER_COLUMNS = ("y_amp", "y_freq", "y_phase", "z_amp", "z_freq", "z_phase")
SIM_COLUMNS = ("trans_offset", "focus_offset")

RECORD_KEYS: tuple[str, ...] = (
    *(c for c in TARGET_COLUMNS if c not in ("type", "mp_remarks", "soe_st_sched_date", "lts_lt_plan")),
    "soe_st_sched_date",
    "obs_type",
    "lts_lt_plan",
    "comments",
    "monitor_flag",
    "group_obsid",
    "monitor_series",
    *TOO_COLUMNS.values(),
    *HRC_COLUMNS.values(),
    *ACIS_COLUMNS,
    "roll_ranks",
    "roll_ordr",
    "time_ranks",
    "time_ordr",
    "window_ranks",
    "window_ordr",
    *PHASE_COLUMNS,
    *DITHER_COLUMNS,
    *SIM_COLUMNS,
    "soe_roll",
    "proposal_number",
    "proposal_title",
    "proposal_joint",
    "pi_name",
    "observer",
    "planned_roll",
)
"""Every key of a full record (data-layer §1.4's key set, `window_ordr` for `window_order`)."""

BASIC_KEYS = (
    "obsid",
    "seq_nbr",
    "status",
    "targname",
    "obs_type",
    "instrument",
    "ocat_propid",
    "prop_num",
    "title",
    "last",
)
_INT_TEXT = ("seq_nbr", "proposal_number", "obs_ao_str", "prop_num")
"""K18: digit-only text in these columns reads as int on every backend, as sqsh + astropy yields it."""


def _select(table: str, columns: Iterable[str], aliases: Mapping[str, str] | None = None) -> list[str]:
    aliases = aliases or {}
    return [f"{table}.{c} AS {aliases[c]}" if c in aliases else f"{table}.{c}" for c in columns]


_MAIN_SQL = (
    "SELECT "  # noqa: S608 - built from the constant column lists above
    + ", ".join(
        [
            *_select("target", TARGET_COLUMNS),
            "prop_info.ocat_propid AS prop_found",
            "prop_info.ao_str AS prop_ao_str",
            "prop_info.prop_num AS prop_num",
            "prop_info.title AS prop_title",
            "prop_info.joint AS prop_joint",
            "too.tooid AS too_found",
            *_select("too", TOO_COLUMNS, TOO_COLUMNS),
            "hrcparam.hrcid AS hrc_found",
            *_select("hrcparam", HRC_COLUMNS, HRC_COLUMNS),
            "acisparam.acisid AS acis_found",
            *_select("acisparam", ACIS_COLUMNS),
            "phasereq.obsid AS phase_found",
            *_select("phasereq", PHASE_COLUMNS),
            "dither.obsid AS dither_found",
            *_select("dither", DITHER_COLUMNS),
            "sim.obsid AS sim_found",
            *_select("sim", SIM_COLUMNS),
            "(SELECT MIN(soe.soe_roll) FROM soe WHERE soe.obsid = target.obsid AND soe.unscheduled = 'N') AS soe_roll",
            "(SELECT MIN(view_pi.last) FROM view_pi WHERE view_pi.ocat_propid = target.ocat_propid) AS pi_last",
            "(SELECT MIN(view_coi.last) FROM view_coi WHERE view_coi.ocat_propid = target.ocat_propid) AS coi_last",
            "(SELECT COUNT(*) FROM target follower WHERE follower.pre_id = target.obsid) AS n_followers",
        ]
    )
    + " FROM target"
    " LEFT JOIN prop_info ON prop_info.ocat_propid = target.ocat_propid"
    " LEFT JOIN too ON too.tooid = target.tooid"
    " LEFT JOIN hrcparam ON hrcparam.hrcid = target.hrcid"
    " LEFT JOIN acisparam ON acisparam.acisid = target.acisid"
    " LEFT JOIN phasereq ON phasereq.obsid = target.obsid"
    " LEFT JOIN dither ON dither.obsid = target.obsid"
    " LEFT JOIN sim ON sim.obsid = target.obsid"
    " WHERE target.obsid IN :obsids"
)


def _typed_null(column: str) -> str:
    """A NULL that PostgreSQL can unite with the column's type (text NULLs stay untyped for Sybase datetimes)."""
    kind = PARAMETERS[column].kind
    return "CAST(NULL AS INTEGER)" if kind == "int" else "CAST(NULL AS FLOAT)" if kind == "float" else "NULL"


def _rank_sql() -> str:
    everything = [c for r in RANK_SETS.values() for c in r.columns]
    parts = []
    for key, rank in RANK_SETS.items():
        cols = ", ".join(c if c in rank.columns else f"{_typed_null(c)} AS {c}" for c in everything)
        parts.append(
            f"SELECT '{key}' AS rank_set, obsid, ordr, {cols} FROM {rank.table} WHERE obsid IN :{key}_obsids"  # noqa: S608 - constants only
        )
    return " UNION ALL ".join(parts)


_RANK_SQL = _rank_sql()
_RELATED_SQL = (
    "SELECT obsid, pre_id, status, ocat_propid, group_id FROM target"
    " WHERE group_id IN :group_ids OR ocat_propid IN :propids"
    " OR pre_id IN (SELECT obsid FROM target WHERE ocat_propid IN :propids)"
    " OR obsid IN (SELECT pre_id FROM target WHERE ocat_propid IN :propids)"
)
_FRONTIER_SQL = (
    "SELECT obsid, pre_id, status, ocat_propid, group_id FROM target WHERE obsid IN :obsids OR pre_id IN :followed"
)
_BASIC_SQL = (
    "SELECT target.obsid, target.seq_nbr, target.status, target.targname, target.type AS obs_type,"
    " target.instrument, target.ocat_propid, prop_info.prop_num, prop_info.title,"
    " (SELECT MIN(view_pi.last) FROM view_pi WHERE view_pi.ocat_propid = target.ocat_propid) AS last"
    " FROM target LEFT JOIN prop_info ON prop_info.ocat_propid = target.ocat_propid"
    " WHERE target.obsid IN :obsids"
)


# ---------------------------------------------------------------------------------------------------- public API


def read_observation(source: OcatSource, obsid: int | str, obs_ss: Path | str) -> dict[str, Any]:
    """The full record of one obsid; NotFound when the Ocat does not have it."""
    ids = obsid_list([obsid])
    found = read_observations(source, ids, obs_ss=obs_ss)
    if ids[0] not in found:
        raise NotFound(f"Obsid {ids[0]} is not in the Ocat")
    return found[ids[0]]


def read_observations(source: OcatSource, obsids: Iterable[int | str], *, obs_ss: Path | str) -> dict[int, dict]:
    """obsid → full record for every obsid of the list that the Ocat has (in list order; unknown ones absent)."""
    ids = obsid_list(obsids)
    rows: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in source.fetch(_MAIN_SQL, {"obsids": chunk}):
            rows.setdefault(int(row["obsid"]), row)
    if not rows:
        return {}
    records = {obsid: _general(row) for obsid, row in rows.items()}
    _attach_ranks(source, records)
    _attach_monitor_and_group(source, records, rows)
    rolls = obs_files.planned_rolls(obs_ss)
    out = {}
    for obsid in ids:
        if obsid in records:
            rec = null_coerce(records[obsid])
            _normalise_types(rec)
            rec["planned_roll"] = rolls.get(obsid)
            out[obsid] = {k: rec.get(k) for k in RECORD_KEYS}
    return out


def read_basic(source: OcatSource, obsids: Iterable[int | str]) -> dict[int, dict]:
    """obsid → the Q1 row (obsid, seq_nbr, status, targname, obs_type, instrument, ocat_propid, prop_num, title,
    last) for each known obsid; batched. Left joins, so an obsid whose proposal or PI row is missing still shows."""
    ids = obsid_list(obsids)
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in source.fetch(_BASIC_SQL, {"obsids": chunk}):
            rec = null_coerce({k: row.get(k) for k in BASIC_KEYS})
            _normalise_types(rec)
            found.setdefault(int(row["obsid"]), rec)
    return {o: found[o] for o in ids if o in found}


def obsid_list(obsids: Iterable[int | str]) -> list[int]:
    """Validated, de-duplicated obsids (order kept); ValidationFailed for anything that is not a whole number."""
    if isinstance(obsids, str | int):
        obsids = [obsids]
    out: list[int] = []
    seen: set[int] = set()
    for value in obsids:
        obsid = parse_obsid(value)  # data.ids: ASCII digits, at most 9
        if obsid is None:
            raise ValidationFailed({"obsid": f"{str(value)[:40]!r} is not an obsid"})
        if obsid not in seen:
            seen.add(obsid)
            out.append(obsid)
    return out


def parameter_values(record: Mapping[str, Any]) -> dict[str, Any]:
    """Catalogue parameter → value for a record, as the editor and the diffs compare them: rank columns as lists
    (columns orientation, None when the set is empty), `ra_hms`/`dec_dms`, dither in arcsec, proposal_* None."""
    values: dict[str, Any] = {}
    for name in PARAMETERS:
        values[name] = record.get(name)
    for rank in RANK_SETS.values():
        records = record.get(rank.records_key) or []
        for col, column in rows_to_columns(records, rank.columns).items():
            values[col] = column if records else None
        values[rank.order_key] = len(records)
    ra, dec = record.get("ra"), record.get("dec")
    if ra is not None and dec is not None:
        values["ra_hms"], values["dec_dms"] = format_ra(ra), format_dec(dec)
    else:
        values["ra_hms"] = values["dec_dms"] = None
    for axis in ("y", "z"):
        for part in ("amp", "freq"):
            values[f"{axis}_{part}_asec"] = deg_to_arcsec(record.get(f"{axis}_{part}"))
    return values


# ---------------------------------------------------------------------------------------------------- assembly


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _on(flag: Any) -> bool:
    """Any value other than 'N' or null means 'present, go fetch' (data-layer §1.6)."""
    return not is_null(flag) and flag != "N"


def _general(row: Mapping[str, Any]) -> dict[str, Any]:
    rec: dict[str, Any] = {c: row.get(c) for c in TARGET_COLUMNS}
    rec["obs_type"] = rec.pop("type")
    rec["comments"] = rec.pop("mp_remarks")
    rec["soe_st_sched_date"] = normalize_ocat_date(rec["soe_st_sched_date"])
    rec["lts_lt_plan"] = normalize_ocat_date(rec["lts_lt_plan"])
    for flag in ("dither_flag", "window_flag", "roll_flag", "spwindow_flag"):
        if is_null(rec[flag]):
            rec[flag] = "N"
    if isinstance(rec["rem_exp_time"], int | float) and rec["rem_exp_time"] < 0:
        rec["rem_exp_time"] = 0.0
    rec["monitor_flag"] = "N"
    if rec["tooid"] is not None:
        rec.update({k: row.get(k) for k in TOO_COLUMNS.values()})
    if rec["hrcid"] is not None:
        rec.update({k: row.get(k) for k in HRC_COLUMNS.values()})
    if rec["acisid"] is not None:
        rec.update({k: row.get(k) for k in ACIS_COLUMNS})
    if _on(rec["phase_constraint_flag"]):
        rec.update({k: row.get(k) for k in PHASE_COLUMNS})
    if _on(rec["dither_flag"]):
        rec.update({k: row.get(k) for k in DITHER_COLUMNS})
    rec.update({k: row.get(k) for k in SIM_COLUMNS})
    rec["soe_roll"] = row.get("soe_roll")
    if row.get("prop_found") is not None:
        rec["obs_ao_str"] = row.get("prop_ao_str")
    rec["proposal_number"] = row.get("prop_num")
    rec["proposal_title"] = row.get("prop_title")
    rec["proposal_joint"] = row.get("prop_joint")
    rec["pi_name"] = row.get("pi_last")
    rec["observer"] = row.get("coi_last") if row.get("coi_last") is not None else row.get("pi_last")
    for rank in RANK_SETS.values():
        rec[rank.records_key], rec[rank.order_key] = [], 0
    return rec


def _attach_ranks(source: OcatSource, records: dict[int, dict[str, Any]]) -> None:
    wanted = {key: [o for o, r in records.items() if _on(r[rank.flag])] for key, rank in RANK_SETS.items()}
    if not any(wanted.values()):
        return
    rows = []
    for chunk in _chunks(sorted(records)):
        members = set(chunk)
        params = {f"{key}_obsids": [o for o in ids if o in members] for key, ids in wanted.items()}
        if any(params.values()):
            rows.extend(source.fetch(_RANK_SQL, params))
    rows.sort(key=lambda r: (r["rank_set"], int(r["obsid"]), r["ordr"] if r["ordr"] is not None else 0))
    for row in rows:
        rank = RANK_SETS[row["rank_set"]]
        rec = records[int(row["obsid"])]
        cells = {c: row.get(c) for c in rank.columns}
        if rank.key == "time":
            cells["tstart"], cells["tstop"] = _storage_date(cells["tstart"]), _storage_date(cells["tstop"])
        rec[rank.records_key].append(cells)
    for rec in records.values():
        for rank in RANK_SETS.values():
            rec[rank.order_key] = len(rec[rank.records_key])


def _storage_date(value: Any) -> Any:
    """An Ocat time-rank date → ISO storage text; null → None; unreadable text is kept as it is."""
    if is_null(value):
        return None
    try:
        parsed = value if isinstance(value, datetime) else parse_ocat_date(str(value))
    except ValueError:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            return value
    return parsed.strftime(STORAGE_FORMAT)


class _Chains:
    """(obsid → pre_id, status, group_id) rows known so far, and which obsids' followers are all known."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Any]] = {}
        self.followers_known: set[int] = set()
        self.absent: set[int] = set()
        self._followers: dict[int, list[int]] | None = None

    def add(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.rows[int(row["obsid"])] = dict(row)
        self._followers = None

    def followers(self, obsid: int) -> list[int]:
        if self._followers is None:
            index: dict[int, list[int]] = {}
            for o, row in self.rows.items():
                if row.get("pre_id") is not None:
                    index.setdefault(int(row["pre_id"]), []).append(o)
            self._followers = {k: sorted(v) for k, v in index.items()}
        return self._followers.get(obsid, [])

    def walk(self, obsid: int) -> tuple[list[int], set[int], set[int]]:
        """v2.1's walk: back along pre_id, then forward through the followers of the last hit (cycle-safe).
        Returns the chain and the rows / follower lists still needed."""
        need_rows: set[int] = set()
        need_followers: set[int] = set()
        chain, seen, cur = [obsid], {obsid}, obsid
        while True:
            pre = self.rows[cur].get("pre_id")
            if pre is None or int(pre) in seen or int(pre) in self.absent:
                break
            pre = int(pre)
            if pre not in self.rows:
                need_rows.add(pre)
                break
            chain.insert(0, pre)
            seen.add(pre)
            cur = pre
        cur = obsid
        while True:
            if cur not in self.followers_known:
                need_followers.add(cur)
                break
            nxt = [o for o in self.followers(cur) if o not in seen]
            if not nxt:
                break
            chain.extend(nxt)
            seen.update(nxt)
            cur = nxt[-1]
        return chain, need_rows, need_followers


def _attach_monitor_and_group(
    source: OcatSource, records: dict[int, dict[str, Any]], rows: Mapping[int, Mapping[str, Any]]
) -> None:
    grouped = {o: str(r["group_id"]) for o, r in records.items() if not is_null(r["group_id"])}
    monitors = [
        o for o, r in records.items() if o not in grouped and (r["pre_id"] is not None or rows[o].get("n_followers"))
    ]
    if not grouped and not monitors:
        return
    chains = _Chains()
    chains.add(
        {"obsid": o, **{k: records[o][k] for k in ("pre_id", "status", "ocat_propid", "group_id")}} for o in records
    )
    propids = sorted({int(records[o]["ocat_propid"]) for o in monitors if records[o]["ocat_propid"] is not None})
    fetched = source.fetch(_RELATED_SQL, {"group_ids": sorted(set(grouped.values())), "propids": propids})
    chains.add(fetched)
    in_props = set(propids)
    chains.followers_known.update(o for o, r in chains.rows.items() if r.get("ocat_propid") in in_props)
    for obsid, gid in grouped.items():
        members = [o for o, r in chains.rows.items() if _group_of(r) == gid and r.get("status") in ACTIVE_STATUSES]
        records[obsid]["group_obsid"] = sorted(members)
    series: dict[int, list[int]] = {}
    for _ in range(MAX_CHAIN_ROUNDS):
        need_rows: set[int] = set()
        need_followers: set[int] = set()
        for obsid in monitors:
            chain, more_rows, more_followers = chains.walk(obsid)
            series[obsid] = chain
            need_rows |= more_rows
            need_followers |= more_followers
        if not need_rows and not need_followers:
            break
        found = source.fetch(_FRONTIER_SQL, {"obsids": sorted(need_rows), "followed": sorted(need_followers)})
        chains.add(found)
        chains.followers_known |= need_followers
        chains.absent |= need_rows - chains.rows.keys()
    for obsid in monitors:
        records[obsid]["monitor_flag"] = "Y"
        active = {o for o in series[obsid] if chains.rows.get(o, {}).get("status") in ACTIVE_STATUSES}
        records[obsid]["monitor_series"] = sorted(active)


def _group_of(row: Mapping[str, Any]) -> str | None:
    gid = row.get("group_id")
    return None if is_null(gid) else str(gid)


def _normalise_types(rec: dict[str, Any]) -> None:
    for key in _INT_TEXT:
        value = rec.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            rec[key] = int(value)
    if isinstance(rec.get("group_id"), int):
        rec["group_id"] = str(rec["group_id"])
