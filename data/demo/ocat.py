"""A demo Ocat: the mirror tables of data-layer §1.10 with the real Ocat table and column names, filled with a
deterministic, realistic mix of observations of well-known X-ray targets (SQLite or PostgreSQL).

Fixture obsids (always present, used by tests and docs):

| obsid | what |
|---|---|
| 12345 | Cas A, ACIS-S GO unobserved: 2 time ranks (Y, P), 1 roll rank, 2 ACIS windows, dither Y, planned roll |
| 1001 | PKS 2155-304, HRC-S/LETG GTO unobserved with HRC parameters |
| 1002 | GRB follow-up, ACIS-I TOO untriggered, `too.type='0-5'` (fast TOO path) |
| 1003 | SN 1987A, ACIS-S DDT unobserved with a TOO row (`12-30`) |
| 1004, 1005, 1006 | Cyg X-1 monitor chain via pre_id: 1004 observed, 1005 and 1006 unobserved |
| 1007, 1008, 1009 | group `G1007`: 1007 unobserved, 1008 scheduled, 1009 observed |
| 1010 | Crab, observed |
| 1011 | M87, archived |
| 1012 | Eta Car, joint proposal (`HST`), ACIS-S/HETG unobserved |
| 1013 | Sgr A*, scheduled 3 days after `today`, on `scheduled_obs_list`, planned roll in `mp_long_term` |
| 1014 | Vela pulsar, `rem_exp_time < 0` (read as 0.0) |
| 1015, 1016 | canceled (Tycho), discarded (M31) |
| 1017 | NGC 1068 TOO triggered |
| 1018 | broken record: dither/phase/time flags on but no child rows; missing acisparam, too, prop_info, PI rows |
| 1019 | TOO untriggered, RA/Dec NULL (pointing not yet defined) |
| 1020 → 1021 → 1022 → 1023 | monitor chain across three proposals (1020 observed) |
| 1024 | Her X-1, HRC-I with a phase constraint (Y) |
| 1025 | Jupiter, solar-system object (obj_flag SS, object JUPITER) |
| 1026 | Orion Nebula Cluster, ACIS-I custom subarray, duty cycle, energy filter |
| 1027 | Perseus cluster, time and roll ranks all preferences (flags `P`) |
| 1028 | Coma cluster, ACIS-I GO unobserved, all flags NULL in the Ocat (read as `N`) |
| 1029 | 3C 273, group id holding quotes (`x' OR '1'='1`): group ids are bound, never spliced |

Bulk observations start at obsid 20000. `scheduled_obs_list` and `mp_long_term` are written into `obs_ss`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, Table, Text, create_engine
from sqlalchemy.engine import Engine, make_url

from data.ocat.read import ACIS_COLUMNS, TARGET_COLUMNS

BULK_START = 20000
FIXTURE_OBSIDS = (12345, *range(1001, 1030))

_FLOAT_TARGET = {
    "vmagnitude",
    "ra",
    "dec",
    "est_cnt_rate",
    "forder_cnt_rate",
    "y_det_offset",
    "z_det_offset",
    "approved_exposure_time",
    "pre_min_lead",
    "pre_max_lead",
    "rem_exp_time",
    "total_fld_cnt_rate",
    "multitelescope_interval",
    "split_interval",
}
_INT_TARGET = {"obsid", "targid", "pre_id", "seg_max_num", "ocat_propid", "acisid", "hrcid", "tooid"}
_INT_ACIS = {
    "onchip_row_count",
    "onchip_column_count",
    "subarray_start_row",
    "subarray_row_count",
    "secondary_exp_count",
    "dropped_chip_count",
    "spectra_max_count",
}
_FLOAT_ACIS = {"frame_time", "primary_exp_time", "eventfilter_lower", "eventfilter_higher"}


def _type(name: str, floats: set[str], ints: set[str]) -> Any:
    return Float if name in floats else Integer if name in ints else Text


metadata = MetaData()
TABLES: dict[str, Table] = {
    "target": Table(
        "target",
        metadata,
        *(
            Column(c, _type(c, _FLOAT_TARGET, _INT_TARGET), primary_key=c == "obsid", autoincrement=False)
            for c in TARGET_COLUMNS
        ),
    ),
    "prop_info": Table(
        "prop_info",
        metadata,
        Column("ocat_propid", Integer, primary_key=True, autoincrement=False),
        Column("prop_num", Text),
        Column("title", Text),
        Column("joint", Text),
        Column("ao_str", Text),
    ),
    "view_pi": Table("view_pi", metadata, Column("ocat_propid", Integer), Column("last", Text), Column("first", Text)),
    "view_coi": Table(
        "view_coi", metadata, Column("ocat_propid", Integer), Column("last", Text), Column("first", Text)
    ),
    "acisparam": Table(
        "acisparam",
        metadata,
        Column("acisid", Integer, primary_key=True, autoincrement=False),
        *(Column(c, _type(c, _FLOAT_ACIS, _INT_ACIS)) for c in ACIS_COLUMNS),
    ),
    "hrcparam": Table(
        "hrcparam",
        metadata,
        Column("hrcid", Integer, primary_key=True, autoincrement=False),
        Column("hrc_zero_block", Text),
        Column("timing_mode", Text),
        Column("si_mode", Text),
    ),
    "too": Table(
        "too",
        metadata,
        Column("tooid", Integer, primary_key=True, autoincrement=False),
        Column("type", Text),
        Column("start", Float),
        Column("stop", Float),
        Column("followup", Integer),
        Column("trig", Text),
        Column("remarks", Text),
    ),
    "timereq": Table(
        "timereq",
        metadata,
        Column("timereq_id", Integer, primary_key=True, autoincrement=False),
        Column("obsid", Integer),
        Column("ordr", Integer),
        Column("window_constraint", Text),
        Column("tstart", Text),
        Column("tstop", Text),
    ),
    "rollreq": Table(
        "rollreq",
        metadata,
        Column("rollreq_id", Integer, primary_key=True, autoincrement=False),
        Column("obsid", Integer),
        Column("ordr", Integer),
        Column("roll_constraint", Text),
        Column("roll_180", Text),
        Column("roll", Float),
        Column("roll_tolerance", Float),
    ),
    "aciswin": Table(
        "aciswin",
        metadata,
        Column("aciswin_id", Integer, primary_key=True, autoincrement=False),
        Column("obsid", Integer),
        Column("ordr", Integer),
        Column("chip", Text),
        Column("include_flag", Text),
        Column("start_row", Integer),
        Column("start_column", Integer),
        Column("width", Integer),
        Column("height", Integer),
        Column("lower_threshold", Float),
        Column("pha_range", Float),
        Column("sample", Integer),
    ),
    "phasereq": Table(
        "phasereq",
        metadata,
        Column("obsid", Integer, primary_key=True, autoincrement=False),
        *(
            Column(c, Float)
            for c in (
                "phase_period",
                "phase_epoch",
                "phase_start",
                "phase_end",
                "phase_start_margin",
                "phase_end_margin",
            )
        ),
    ),
    "dither": Table(
        "dither",
        metadata,
        Column("obsid", Integer, primary_key=True, autoincrement=False),
        *(Column(c, Float) for c in ("y_amp", "y_freq", "y_phase", "z_amp", "z_freq", "z_phase")),
    ),
    "sim": Table(
        "sim",
        metadata,
        Column("obsid", Integer, primary_key=True, autoincrement=False),
        Column("trans_offset", Float),
        Column("focus_offset", Float),
    ),
    "soe": Table(
        "soe",
        metadata,
        Column("soe_id", Integer, primary_key=True, autoincrement=False),
        Column("obsid", Integer),
        Column("soe_roll", Float),
        Column("unscheduled", Text),
    ),
}
"""The mirror tables (data-layer §1.10), real Ocat names."""

INDEXES = (
    "CREATE INDEX ix_target_pre_id ON target (pre_id)",
    "CREATE INDEX ix_target_group_id ON target (group_id)",
    "CREATE INDEX ix_target_ocat_propid ON target (ocat_propid)",
    "CREATE INDEX ix_target_seq_nbr ON target (seq_nbr)",
    "CREATE INDEX ix_target_status ON target (status)",
    "CREATE INDEX ix_view_pi_ocat_propid ON view_pi (ocat_propid)",
    "CREATE INDEX ix_view_coi_ocat_propid ON view_coi (ocat_propid)",
    "CREATE INDEX ix_timereq_obsid ON timereq (obsid, ordr)",
    "CREATE INDEX ix_rollreq_obsid ON rollreq (obsid, ordr)",
    "CREATE INDEX ix_aciswin_obsid ON aciswin (obsid, ordr)",
    "CREATE INDEX ix_soe_obsid ON soe (obsid)",
)

# Well-known X-ray targets: name, RA, Dec (degrees, J2000, approximate).
TARGETS: tuple[tuple[str, float, float], ...] = (
    ("Cas A", 350.8500, 58.8150),
    ("Crab Nebula", 83.6331, 22.0145),
    ("Sgr A*", 266.4168, -29.0078),
    ("M87", 187.7059, 12.3911),
    ("Cyg X-1", 299.5903, 35.2016),
    ("Perseus Cluster", 49.9507, 41.5117),
    ("3C 273", 187.2779, 2.0524),
    ("Vela Pulsar", 128.8358, -45.1764),
    ("Eta Car", 161.2648, -59.6844),
    ("Orion Nebula Cluster", 83.8187, -5.3897),
    ("M31", 10.6847, 41.2690),
    ("NGC 1068", 40.6696, -0.0133),
    ("Tycho SNR", 6.3340, 64.1360),
    ("SN 1987A", 83.8667, -69.2697),
    ("Coma Cluster", 194.9531, 27.9807),
    ("Cen A", 201.3651, -43.0191),
    ("M82", 148.9685, 69.6797),
    ("Kepler SNR", 262.6750, -21.4900),
    ("Sco X-1", 244.9795, -15.6402),
    ("Her X-1", 254.4576, 35.3424),
    ("Cyg A", 299.8682, 40.7339),
    ("Abell 1795", 207.2188, 26.5930),
    ("PKS 2155-304", 329.7169, -30.2256),
    ("Mrk 421", 166.1138, 38.2088),
    ("CDFS", 53.1225, -27.8053),
    ("47 Tuc", 6.0236, -72.0812),
    ("Omega Cen", 201.6970, -47.4795),
    ("Proxima Cen", 217.4289, -62.6795),
    ("Capella", 79.1723, 45.9980),
    ("AR Lac", 332.1697, 45.7423),
    ("Bullet Cluster", 104.6294, -55.9469),
    ("NGC 4993", 197.4487, -23.3839),
    ("M101", 210.8023, 54.3489),
    ("Geminga", 98.4756, 17.7703),
    ("RCW 86", 220.7300, -62.4800),
    ("Puppis A", 125.5000, -42.9500),
    ("SS 433", 287.9565, 4.9827),
    ("GX 339-4", 255.7057, -48.7897),
    ("Cir X-1", 230.1702, -57.1669),
    ("NGC 4151", 182.6357, 39.4057),
    ("Abell 2029", 227.7337, 5.7448),
    ("Hydra A", 139.5237, -12.0956),
)
SURNAMES = (
    "Smith",
    "Garcia",
    "Chen",
    "Murray",
    "Kowalski",
    "Okafor",
    "Tanaka",
    "Rossi",
    "Dubois",
    "Novak",
    "Silva",
    "Nakamura",
    "Petrov",
    "Haddad",
    "Larsen",
    "Moreau",
    "Singh",
    "Kim",
    "Fischer",
    "Alvarez",
    "Brown",
    "Ivanova",
    "Ahmed",
    "Bianchi",
    "Walsh",
    "Schmidt",
    "Lopez",
    "Yamada",
    "Kaur",
    "Nguyen",
)
TITLES = ("A Deep Look at", "Variability of", "Spectroscopy of", "Imaging", "Monitoring", "The Environment of")
JOINT = ("HST", "XMM", "NuSTAR", "VLA", "NOAO", "Swift", "HST-XMM", "VLBA")
OBSERVATORIES = ("HST", "XMM-Newton", "NuSTAR", "VLA", "Swift", "NICER", "Gemini", "ALMA")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ACIS_DITHER = (0.002222, 0.36, 0.0, 0.002222, 0.509, 0.0)
_CHILD_KEYS = ("acis", "hrc", "too", "time", "roll", "window", "phase", "dither")
HRC_DITHER = (0.0056, 0.331, 0.0, 0.0056, 0.468, 0.0)


def sybase_date(moment: datetime) -> str:
    """Sybase style 0: `Jan  5 2026  3:15PM` (day and hour space-padded, no seconds)."""
    hour = moment.hour % 12 or 12
    ampm = "AM" if moment.hour < 12 else "PM"
    return f"{MONTHS[moment.month - 1]} {moment.day:>2} {moment.year} {hour:>2}:{moment.minute:02d}{ampm}"


@dataclass
class DemoOcat:
    """What `build_demo_ocat` made."""

    url: str
    counts: dict[str, int]
    obs_ss: Path | None = None
    fixture_obsids: tuple[int, ...] = FIXTURE_OBSIDS


@dataclass
class _Proposal:
    propid: int
    obs_type: str
    ao: int
    targets: list[tuple[str, float, float]] = field(default_factory=list)


class _Builder:
    """Accumulates rows per table; every random draw comes from one seeded generator."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.now = datetime.combine(today, time(12, 0))
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}
        self.ids = {"acis": 1, "hrc": 1, "too": 1, "timereq": 1, "rollreq": 1, "aciswin": 1, "soe": 1, "prop": 1000}
        self.or_list: list[int] = []
        self.rolls: dict[int, tuple[float, float]] = {}

    # ------------------------------------------------------------------ ids and dates
    def next_id(self, key: str) -> int:
        value = self.ids[key]
        self.ids[key] += 1
        return value

    def when(self, days: float, minute_step: int = 5) -> str:
        moment = self.now + timedelta(days=days)
        return sybase_date(moment.replace(minute=moment.minute - moment.minute % minute_step, second=0))

    # ------------------------------------------------------------------ proposals
    def proposal(
        self, propid: int, obs_type: str, ao: int, title: str, pi: str | None, coi: str | None, joint: str | None = None
    ) -> None:
        cat = self.rng.randint(1, 9)
        self.rows["prop_info"].append((propid, f"{ao:02d}{cat}{propid % 100000:05d}", title, joint or "None", str(ao)))
        if pi:
            self.rows["view_pi"].append((propid, pi, self.rng.choice("ABCDEJKLMPRST") + "."))
        if coi:
            self.rows["view_coi"].append((propid, coi, self.rng.choice("ABCDEJKLMPRST") + "."))

    # ------------------------------------------------------------------ observations
    def observation(self, obsid: int, **fields: Any) -> dict[str, Any]:
        """Add one target row (plus children); `fields` override the generated defaults.

        The random draws happen in a fixed order (defaults, dates, extras, children, sim/soe): the same seed gives
        the same Ocat.
        """
        row = self._target_defaults(obsid, fields)
        self._plan_dates(row)
        self._extras(row)
        children = {k: fields.pop(k) for k in _CHILD_KEYS if k in fields}
        row.update(fields)
        self._parameter_rows(row, fields, children)
        self._sim_and_soe(row)
        self.rows["target"].append(tuple(row[c] for c in TARGET_COLUMNS))
        return row

    def _target_defaults(self, obsid: int, fields: dict[str, Any]) -> dict[str, Any]:
        """The generated target row before `fields` override it (pops `seq`, the sequence number, from `fields`)."""
        rng = self.rng
        status = fields.get("status", "unobserved")
        instrument = fields.get("instrument", "ACIS-S")
        obs_type = fields.get("type", "GO")
        acis = instrument.startswith("ACIS")
        grating = fields.get("grating", "NONE")
        exp = fields.get("approved_exposure_time", round(rng.choice((5, 10, 15, 20, 30, 40, 50, 75, 100, 150)), 1))
        rem = exp if status in ("unobserved", "scheduled", "untriggered") else 0.0
        row: dict[str, Any] = {
            "obsid": obsid,
            "targid": obsid + 100000,
            "seq_nbr": str(fields.pop("seq", 100000 + obsid % 900000)),
            "targname": "Target",
            "obj_flag": "NO",
            "object": "NONE",
            "si_mode": (f"TE_{rng.randrange(0x10000, 0xFFFFF):05X}" if acis else "DEFAULT"),
            "photometry_flag": rng.choice(("N", "N", None)),
            "vmagnitude": None,
            "ra": 0.0,
            "dec": 0.0,
            "est_cnt_rate": round(rng.uniform(0.001, 40.0), 3),
            "forder_cnt_rate": round(rng.uniform(0.01, 20.0), 3) if grating != "NONE" else None,
            "y_det_offset": rng.choice((0.0, 0.0, 0.0, -0.5, 1.0, 2.5)),
            "z_det_offset": rng.choice((0.0, 0.0, -1.0)),
            "raster_scan": None,
            "dither_flag": rng.choice((None, None, None, None, "Y", "N")),
            "approved_exposure_time": exp,
            "pre_min_lead": None,
            "pre_max_lead": None,
            "pre_id": None,
            "seg_max_num": rng.choice((0, 0, 1, 2)),
            "aca_mode": rng.choice(("DEFAULT", None)),
            "phase_constraint_flag": rng.choice(("N", "N", None)),
            "ocat_propid": None,
            "acisid": None,
            "hrcid": None,
            "grating": grating,
            "instrument": instrument,
            "rem_exp_time": rem,
            "soe_st_sched_date": None,
            "type": obs_type,
            "lts_lt_plan": None,
            "mpcat_star_fidlight_file": None,
            "status": status,
            "data_rights": None,
            "tooid": None,
            "description": None,
            "total_fld_cnt_rate": round(rng.uniform(0.01, 60.0), 2),
            "extended_src": rng.choice(("N", "Y", None)),
            "uninterrupt": rng.choice(("N", "N", "N", "P", "Y")),
            "multitelescope": "N",
            "observatories": None,
            "constr_in_remarks": rng.choice(("N", "N", "N", "P", "Y")),
            "group_id": None,
            "obs_ao_str": None,
            "roll_flag": rng.choice(("N", None)),
            "window_flag": rng.choice(("N", None)),
            "spwindow_flag": rng.choice(("N", None)),
            "multitelescope_interval": None,
            "pointing_constraint": rng.choice((None, "N", "N", "Y")),
            "split_interval": None,
            "remarks": None,
            "mp_remarks": None,
        }
        return row

    def _plan_dates(self, row: dict[str, Any]) -> None:
        """The scheduled and long-term-plan dates that go with the row's status."""
        rng = self.rng
        status = row["status"]
        if status in ("scheduled",):
            row["soe_st_sched_date"] = self.when(rng.uniform(1, 25))
            row["lts_lt_plan"] = self.when(rng.uniform(-5, 20))
        elif status in ("observed", "archived", "triggered"):
            row["soe_st_sched_date"] = self.when(-rng.uniform(2, 9000))
            row["lts_lt_plan"] = row["soe_st_sched_date"]
        elif status == "unobserved":
            row["lts_lt_plan"] = self.when(rng.uniform(5, 330)) if rng.random() < 0.8 else None

    def _extras(self, row: dict[str, Any]) -> None:
        """Now and then a coordinated observatory, remarks and MP remarks."""
        rng = self.rng
        if rng.random() < 0.05:
            row["multitelescope"] = rng.choice(("Y", "P"))
            row["observatories"] = rng.choice(OBSERVATORIES)
            row["multitelescope_interval"] = round(rng.uniform(0.5, 5.0), 1)
        if rng.random() < 0.1:
            row["remarks"] = rng.choice(
                (
                    "Please observe near the middle of the window.",
                    "Coordinate with the VLA.",
                    "Avoid bright source in the field.",
                    "Split allowed in two segments.",
                )
            )
        if rng.random() < 0.1:
            row["mp_remarks"] = rng.choice(("CDO approved the time window.", "Split per CDO.", "Roll per PI email."))

    def _parameter_rows(self, row: dict[str, Any], fields: dict[str, Any], children: dict[str, Any]) -> None:
        """The instrument, TOO, time/roll/window, phase and dither rows, unless `fields` gave their ids."""
        obsid = row["obsid"]
        acis = row["instrument"].startswith("ACIS")
        if acis and "acisid" not in fields:
            row["acisid"] = self._acis(row["instrument"], children.get("acis", {}))
        if not acis and "hrcid" not in fields:
            row["hrcid"] = self._hrc(children.get("hrc", {}))
        if row["type"] in ("TOO", "DDT") and "tooid" not in fields:
            row["tooid"] = self._too(children.get("too", {}))
        self._ranks(row, children)
        if row["phase_constraint_flag"] in ("Y", "P") and children.get("phase", True):
            self._phase(obsid, children.get("phase"))
        if row["dither_flag"] == "Y" and children.get("dither", True):
            self.rows["dither"].append((obsid, *(ACIS_DITHER if acis else HRC_DITHER)))

    def _sim_and_soe(self, row: dict[str, Any]) -> None:
        """The SIM offsets of every observation; the SOE roll rows of a scheduled or observed one."""
        rng = self.rng
        obsid = row["obsid"]
        self.rows["sim"].append((obsid, rng.choice((0.0, 0.0, 0.0, -3.0, 1.5)), rng.choice((0.0, 0.0, -0.2))))
        if row["soe_st_sched_date"] is not None:
            self.rows["soe"].append((self.next_id("soe"), obsid, round(rng.uniform(0, 360), 2), "N"))
            if rng.random() < 0.03:
                self.rows["soe"].append((self.next_id("soe"), obsid, round(rng.uniform(0, 360), 2), "Y"))

    def _acis(self, instrument: str, opts: dict[str, Any]) -> int:
        rng = self.rng
        acisid = self.next_id("acis")
        chips = {f"ccdi{i}_on": ("Y" if instrument == "ACIS-I" else "N") for i in range(4)}
        chips |= {f"ccds{i}_on": "N" for i in range(6)}
        if instrument == "ACIS-I":
            chips |= {"ccds2_on": rng.choice(("O1", "N")), "ccds3_on": rng.choice(("O2", "N"))}
        else:
            chips |= {
                "ccds1_on": "Y",
                "ccds2_on": "Y",
                "ccds3_on": "Y",
                "ccds4_on": "Y",
                "ccds0_on": "O1",
                "ccds5_on": "O2",
                "ccdi2_on": rng.choice(("N", "O3")),
                "ccdi3_on": rng.choice(("N", "O4")),
            }
        cc = rng.random() < 0.05
        frame = rng.random() < 0.15
        values: dict[str, Any] = {
            **chips,
            "exp_mode": "CC" if cc else "TE",
            "bep_pack": rng.choice(("VF", "VF", "F", "F", "F+B", "G")),
            "onchip_sum": "N",
            "onchip_row_count": None,
            "onchip_column_count": None,
            "frame_time": round(rng.choice((0.4, 0.8, 1.5, 2.2)), 1) if frame else None,
            "subarray": "NONE",
            "subarray_start_row": None,
            "subarray_row_count": None,
            "duty_cycle": "N",
            "secondary_exp_count": None,
            "primary_exp_time": None,
            "eventfilter": "N",
            "eventfilter_lower": None,
            "eventfilter_higher": None,
            "most_efficient": "N" if frame else "Y",
            "dropped_chip_count": rng.choice((0, 0, 1, 2)),
            "multiple_spectral_lines": rng.choice(("N", "Y", None)),
            "spectra_max_count": rng.choice((None, 100, 1000)),
        }
        if rng.random() < 0.08:
            values |= {
                "subarray": "CUSTOM",
                "subarray_start_row": rng.choice((385, 449, 897)),
                "subarray_row_count": rng.choice((128, 256, 512)),
            }
        if rng.random() < 0.05:
            values |= {"eventfilter": "Y", "eventfilter_lower": 0.3, "eventfilter_higher": 11.7}
        values |= opts
        self.rows["acisparam"].append((acisid, *(values[c] for c in ACIS_COLUMNS)))
        return acisid

    def _hrc(self, opts: dict[str, Any]) -> int:
        hrcid = self.next_id("hrc")
        values = {
            "hrc_zero_block": self.rng.choice(("N", "N", "Y", None)),
            "timing_mode": self.rng.choice(("N", "Y")),
            "si_mode": self.rng.choice((None, "DEFAULT", "HRCIEDGE")),
        } | opts
        self.rows["hrcparam"].append((hrcid, values["hrc_zero_block"], values["timing_mode"], values["si_mode"]))
        return hrcid

    def _too(self, opts: dict[str, Any]) -> int:
        rng = self.rng
        tooid = self.next_id("too")
        kind = opts.get("type", rng.choice(("0-4", "4-12", "12-30", ">30", "FAST", "0-5")))
        start = {"0-4": 0.0, "0-5": 0.0, "FAST": 0.0, "4-12": 4.0, "12-30": 12.0, ">30": 30.0}.get(kind, 1.0)
        stop = {"0-4": 4.0, "0-5": 5.0, "FAST": 2.0, "4-12": 12.0, "12-30": 30.0, ">30": 60.0}.get(kind, 10.0)
        values = {
            "type": kind,
            "start": start,
            "stop": stop,
            "followup": rng.choice((0, 0, 1, 2, 3)),
            "trig": rng.choice(
                (
                    "Optical outburst brighter than V=14",
                    "Swift/BAT trigger of a GRB",
                    "Radio flare above 1 Jy",
                    "New X-ray transient in the Galactic plane",
                )
            ),
            "remarks": rng.choice((None, "Follow-ups 10 and 30 days after the trigger.")),
        } | opts
        self.rows["too"].append(
            (
                tooid,
                values["type"],
                values["start"],
                values["stop"],
                values["followup"],
                values["trig"],
                values["remarks"],
            )
        )
        return tooid

    def _phase(self, obsid: int, opts: dict[str, Any] | None) -> None:
        rng = self.rng
        values = {
            "phase_period": round(rng.uniform(0.1, 40.0), 4),
            "phase_epoch": round(rng.uniform(50000, 61000), 3),
            "phase_start": 0.1,
            "phase_end": 0.3,
            "phase_start_margin": 0.05,
            "phase_end_margin": 0.05,
        }
        values |= opts or {}
        self.rows["phasereq"].append((obsid, *values.values()))

    def _ranks(self, row: dict[str, Any], children: dict[str, Any]) -> None:
        obsid = row["obsid"]
        for ordr, (kind, start, days) in enumerate(children.get("time", ()), 1):
            t0 = self.now + timedelta(days=start)
            self.rows["timereq"].append(
                (self.next_id("timereq"), obsid, ordr, kind, sybase_date(t0), sybase_date(t0 + timedelta(days=days)))
            )
        for ordr, (kind, r180, roll, tol) in enumerate(children.get("roll", ()), 1):
            self.rows["rollreq"].append((self.next_id("rollreq"), obsid, ordr, kind, r180, roll, tol))
        for ordr, (chip, srow, scol, width, height, lower, pha, sample) in enumerate(children.get("window", ()), 1):
            self.rows["aciswin"].append(
                (self.next_id("aciswin"), obsid, ordr, chip, "I", srow, scol, width, height, lower, pha, sample)
            )

    # ------------------------------------------------------------------ bulk
    def random_ranks(self, row: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        extra: dict[str, Any] = {}
        if row["status"] not in ("unobserved", "scheduled", "untriggered"):
            return extra
        if rng.random() < 0.12:
            ranks = [
                (rng.choice(("Y", "P")), rng.uniform(10, 300), rng.uniform(1, 30)) for _ in range(rng.randint(1, 3))
            ]
            extra["time"] = ranks
            extra["window_flag"] = "P" if all(r[0] == "P" for r in ranks) else "Y"
        if rng.random() < 0.10:
            ranks = [
                (
                    rng.choice(("Y", "P")),
                    rng.choice(("N", "Y", None)),
                    round(rng.uniform(0, 360), 1),
                    rng.choice((5.0, 10.0, 15.0, 20.0)),
                )
                for _ in range(rng.randint(1, 2))
            ]
            extra["roll"] = ranks
            extra["roll_flag"] = "P" if all(r[0] == "P" for r in ranks) else "Y"
        if row["instrument"].startswith("ACIS") and rng.random() < 0.04:
            chips = ("I0", "I1", "I2", "I3") if row["instrument"] == "ACIS-I" else ("S2", "S3", "S4")
            extra["window"] = [
                (
                    rng.choice(chips),
                    rng.randint(1, 900),
                    rng.randint(1, 900),
                    rng.choice((100, 200, 1023)),
                    rng.choice((100, 200, 1023)),
                    0.08,
                    13.0,
                    rng.choice((0, 1)),
                )
                for _ in range(rng.randint(1, 3))
            ]
            extra["spwindow_flag"] = "Y"
        return extra


_STATUS_GO = (
    ("archived", 35),
    ("observed", 20),
    ("unobserved", 25),
    ("scheduled", 7),
    ("canceled", 8),
    ("discarded", 5),
)
_STATUS_TOO = (("untriggered", 40), ("triggered", 15), ("observed", 15), ("archived", 20), ("canceled", 10))
_TYPES = (
    ("GO", 70),
    ("GTO", 10),
    ("TOO", 7),
    ("DDT", 3),
    ("CAL", 6),
    ("CAL_ER", 1),
    ("ARCHIVE", 1),
    ("CDFS", 1),
    ("CLP", 1),
)
_INSTRUMENTS = (("ACIS-S", 45), ("ACIS-I", 30), ("HRC-I", 12), ("HRC-S", 13))


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _pos(name: str) -> dict[str, Any]:
    """The named target's name and position, as observation keywords."""
    ra, dec = next((ra, dec) for target, ra, dec in TARGETS if target == name)
    return {"targname": name, "ra": ra, "dec": dec}


def _fixtures(b: _Builder) -> None:
    """The hand-made proposals and observations the tests and the README name (12345, 1001–1029)."""
    _fixture_proposals(b)
    _fixtures_featured(b)
    _fixtures_states(b)
    _fixtures_constraints(b)


def _fixture_proposals(b: _Builder) -> None:
    for propid, kind, title, pi, coi, joint in (
        (1, "GO", "The Ejecta of Cas A", "Murray", "Chen", None),
        (2, "GTO", "LETG/HRC-S Spectroscopy of BL Lac Objects", "Brown", None, None),
        (3, "TOO", "X-ray Afterglows of Gamma-Ray Bursts", "Garcia", "Tanaka", None),
        (4, "DDT", "SN 1987A: the Ring Brightening", "Larsen", None, None),
        (5, "GO", "Monitoring the State Changes of Cyg X-1", "Okafor", "Petrov", None),
        (6, "GO", "Calibration-Class Survey of Bright Sources", "Rossi", None, None),
        (7, "GO", "Colliding Winds in Eta Carinae", "Silva", "Walsh", "HST"),
        (8, "GO", "The Galactic Center Flares", "Nakamura", "Haddad", None),
        (9, "CAL", "Orphan Observation", None, None, None),
        (10, "GO", "Chain Part A", "Kim", None, None),
        (11, "GO", "Chain Part B", "Kim", None, None),
        (12, "GO", "Chain Part C", "Kim", None, None),
        (13, "GO", "Pulse-Phase Spectroscopy of Her X-1", "Fischer", None, None),
        (14, "GO", "Aurorae of Jupiter", "Dubois", "Novak", None),
        (15, "GO", "Young Stars in Orion", "Alvarez", "Kaur", None),
    ):
        if propid != 9:
            b.proposal(propid, kind, 27, title, pi, coi, joint)


def _fixtures_featured(b: _Builder) -> None:
    """Cas A (12345), the HRC-S, TOO and DDT observations and the Cyg X-1 chain (1001–1006)."""
    win = (("I3", 1, 1, 200, 300, 0.08, 13.0, 0), ("S2", 100, 200, 1023, 1023, 0.3, 10.0, 1))
    b.observation(
        12345,
        seq=500123,
        ocat_propid=1,
        instrument="ACIS-S",
        type="GO",
        status="unobserved",
        window_flag="Y",
        roll_flag="Y",
        spwindow_flag="Y",
        dither_flag="Y",
        approved_exposure_time=50.0,
        time=(("Y", 30, 10), ("P", 60, 15)),
        roll=(("Y", "N", 120.0, 10.0),),
        window=win,
        lts_lt_plan=b.when(45),
        remarks="Avoid the bright star in the northern rim.",
        **_pos("Cas A"),
    )
    b.observation(
        1001,
        ocat_propid=2,
        instrument="HRC-S",
        grating="LETG",
        type="GTO",
        status="unobserved",
        hrc={"hrc_zero_block": "N", "timing_mode": "Y", "si_mode": "LETG_HRC-S"},
        **_pos("PKS 2155-304"),
    )
    b.observation(
        1002,
        ocat_propid=3,
        instrument="ACIS-I",
        type="TOO",
        status="untriggered",
        too={"type": "0-5", "trig": "Swift/BAT trigger of a GRB", "followup": 2},
        targname="GRB Afterglow",
        ra=0.0,
        dec=0.0,
    )
    b.observation(
        1003,
        ocat_propid=4,
        instrument="ACIS-S",
        type="DDT",
        status="unobserved",
        too={"type": "12-30"},
        **_pos("SN 1987A"),
    )
    b.observation(1004, ocat_propid=5, instrument="ACIS-S", grating="HETG", status="observed", **_pos("Cyg X-1"))
    b.observation(
        1005,
        ocat_propid=5,
        instrument="ACIS-S",
        grating="HETG",
        status="unobserved",
        pre_id=1004,
        pre_min_lead=20.0,
        pre_max_lead=40.0,
        **_pos("Cyg X-1"),
    )
    b.observation(
        1006,
        ocat_propid=5,
        instrument="ACIS-S",
        grating="HETG",
        status="unobserved",
        pre_id=1005,
        pre_min_lead=20.0,
        pre_max_lead=40.0,
        **_pos("Cyg X-1"),
    )


def _fixtures_states(b: _Builder) -> None:
    """A group, every status, a scheduled observation and the odd cases (1007–1019)."""
    for obsid, status in ((1007, "unobserved"), (1008, "scheduled"), (1009, "observed")):
        b.observation(obsid, ocat_propid=6, instrument="ACIS-I", status=status, group_id="G1007", **_pos("Cen A"))
    b.observation(1010, ocat_propid=6, instrument="HRC-I", status="observed", **_pos("Crab Nebula"))
    b.observation(1011, ocat_propid=6, instrument="ACIS-S", status="archived", **_pos("M87"))
    b.observation(1012, ocat_propid=7, instrument="ACIS-S", grating="HETG", status="unobserved", **_pos("Eta Car"))
    b.observation(
        1013,
        ocat_propid=8,
        instrument="ACIS-S",
        status="scheduled",
        soe_st_sched_date=b.when(3),
        lts_lt_plan=b.when(1),
        **_pos("Sgr A*"),
    )
    b.observation(
        1014, ocat_propid=6, instrument="ACIS-S", status="unobserved", rem_exp_time=-1.5, **_pos("Vela Pulsar")
    )
    b.observation(1015, ocat_propid=6, instrument="ACIS-S", status="canceled", **_pos("Tycho SNR"))
    b.observation(1016, ocat_propid=6, instrument="HRC-I", status="discarded", **_pos("M31"))
    b.observation(1017, ocat_propid=3, instrument="ACIS-S", type="TOO", status="triggered", **_pos("NGC 1068"))
    b.observation(
        1018,
        ocat_propid=9,
        instrument="ACIS-I",
        status="unobserved",
        acisid=99999,
        tooid=99999,
        dither_flag="Y",
        dither=False,
        phase_constraint_flag="Y",
        phase=False,
        window_flag="Y",
        **_pos("Kepler SNR"),
    )
    b.observation(
        1019,
        ocat_propid=3,
        instrument="ACIS-S",
        type="TOO",
        status="untriggered",
        targname="New Transient",
        ra=None,
        dec=None,
    )


def _fixtures_constraints(b: _Builder) -> None:
    """A follow-up chain, phase, solar-system, custom subarray and preference constraints (1020–1029)."""
    _fixtures_chain_and_phase(b)
    _fixtures_jupiter_and_subarray(b)
    _fixtures_preferences(b)
    b.or_list.extend((1008, 1013))
    b.rolls[1013] = (265.0, 271.5)
    b.rolls[12345] = (118.5, 122.0)


def _fixtures_chain_and_phase(b: _Builder) -> None:
    """The SS 433 follow-up chain (1020–1023) and the Her X-1 phase constraint (1024)."""
    b.observation(1020, ocat_propid=10, instrument="ACIS-S", status="observed", **_pos("SS 433"))
    b.observation(1021, ocat_propid=11, instrument="ACIS-S", status="unobserved", pre_id=1020, **_pos("SS 433"))
    b.observation(1022, ocat_propid=12, instrument="ACIS-S", status="unobserved", pre_id=1021, **_pos("SS 433"))
    b.observation(1023, ocat_propid=12, instrument="ACIS-S", status="unobserved", pre_id=1022, **_pos("SS 433"))
    b.observation(
        1024,
        ocat_propid=13,
        instrument="HRC-I",
        status="unobserved",
        phase_constraint_flag="Y",
        phase={
            "phase_period": 1.70017,
            "phase_epoch": 50290.3,
            "phase_start": 0.2,
            "phase_end": 0.4,
            "phase_start_margin": 0.05,
            "phase_end_margin": 0.05,
        },
        **_pos("Her X-1"),
    )


def _fixtures_jupiter_and_subarray(b: _Builder) -> None:
    """A solar-system target (Jupiter, 1025) and a custom ACIS subarray (1026)."""
    b.observation(
        1025,
        ocat_propid=14,
        instrument="ACIS-S",
        status="unobserved",
        obj_flag="SS",
        object="JUPITER",
        targname="Jupiter",
        ra=0.0,
        dec=0.0,
    )
    b.observation(
        1026,
        ocat_propid=15,
        instrument="ACIS-I",
        status="unobserved",
        acis={
            "subarray": "CUSTOM",
            "subarray_start_row": 449,
            "subarray_row_count": 128,
            "duty_cycle": "Y",
            "secondary_exp_count": 2,
            "primary_exp_time": 0.3,
            "eventfilter": "Y",
            "eventfilter_lower": 0.3,
            "eventfilter_higher": 11.7,
            "frame_time": None,
            "most_efficient": "Y",
        },
        **_pos("Orion Nebula Cluster"),
    )


def _fixtures_preferences(b: _Builder) -> None:
    """Preference time and roll windows (1027), every flag unset (1028), a quoting-hostile group id (1029)."""
    b.observation(
        1027,
        ocat_propid=6,
        instrument="ACIS-S",
        status="unobserved",
        window_flag="P",
        roll_flag="P",
        time=(("P", 40, 20),),
        roll=(("P", None, 250.0, 15.0),),
        **_pos("Perseus Cluster"),
    )
    b.observation(
        1028,
        ocat_propid=6,
        instrument="ACIS-I",
        status="unobserved",
        dither_flag=None,
        window_flag=None,
        roll_flag=None,
        spwindow_flag=None,
        phase_constraint_flag=None,
        **_pos("Coma Cluster"),
    )
    b.observation(
        1029, ocat_propid=6, instrument="ACIS-S", status="unobserved", group_id="x' OR '1'='1", **_pos("3C 273")
    )


def _bulk(b: _Builder, count: int) -> None:
    rng = b.rng
    obsid = BULK_START
    made = 0
    while made < count:
        propid = b.next_id("prop")
        obs_type = _pick(rng, _TYPES)
        ao = rng.randint(1, 27)
        name, ra0, dec0 = rng.choice(TARGETS)
        joint = rng.choice(JOINT) if rng.random() < 0.08 else None
        title = f"{rng.choice(TITLES)} {name}"
        b.proposal(
            propid,
            obs_type,
            ao,
            title,
            rng.choice(SURNAMES),
            rng.choice(SURNAMES) if rng.random() < 0.5 else None,
            joint,
        )
        n = min(count - made, rng.choice((1, 1, 1, 2, 2, 3, 4, 6, 10)))
        instrument = _pick(rng, _INSTRUMENTS)
        grating = {
            "HRC-S": rng.choice(("LETG", "LETG", "NONE")),
            "ACIS-S": rng.choice(("NONE", "NONE", "NONE", "HETG", "LETG")),
        }.get(instrument, "NONE")
        chain = n >= 2 and rng.random() < 0.25
        group = f"{name.replace(' ', '')}-{propid}" if n >= 2 and not chain and rng.random() < 0.15 else None
        too = obs_type in ("TOO", "DDT")
        prev = None
        for k in range(n):
            if chain:
                status = "archived" if k < n // 2 else "unobserved"
            else:
                status = _pick(rng, _STATUS_TOO if too else _STATUS_GO)
            fields: dict[str, Any] = {
                "ocat_propid": propid,
                "type": obs_type,
                "instrument": instrument,
                "grating": grating,
                "status": status,
                "targname": name if k == 0 and n == 1 else f"{name}-{(obsid % 997) + 1}",
                "ra": round((ra0 + rng.uniform(-0.15, 0.15)) % 360, 6),
                "dec": round(max(-90.0, min(90.0, dec0 + rng.uniform(-0.15, 0.15))), 6),
                "obs_ao_str": str(ao),
            }
            if chain and prev is not None:
                fields |= {"pre_id": prev, "pre_min_lead": float(rng.choice((5, 10, 20))), "pre_max_lead": 45.0}
            if group:
                fields["group_id"] = group
            if rng.random() < 0.01 and status == "unobserved":
                fields["rem_exp_time"] = -round(rng.uniform(0.01, 2.0), 2)
            if rng.random() < 0.03:
                fields["phase_constraint_flag"] = rng.choice(("Y", "P"))
            if instrument == "HRC-S" and rng.random() < 0.2:
                fields["vmagnitude"] = round(rng.uniform(-1.0, 12.0), 2)
            probe = {"status": status, "instrument": instrument}
            fields |= b.random_ranks(probe)
            row = b.observation(obsid, **fields)
            if status == "scheduled":
                b.or_list.append(obsid)
            if status in ("unobserved", "scheduled") and rng.random() < 0.3:
                roll = round(rng.uniform(0, 360), 1)
                b.rolls[obsid] = (roll, round((roll + rng.uniform(0.5, 12.0)) % 360, 1))
            prev = row["obsid"]
            obsid += 1
            made += 1


def build_demo_ocat(
    url_or_path: str | Path,
    *,
    observations: int = 300,
    seed: int = 0,
    obs_ss: Path | None = None,
    today: date | None = None,
) -> DemoOcat:
    """(Re)create the demo Ocat at a SQLite path/URL or a PostgreSQL URL; write the obs_ss files when asked.

    `observations` counts every observation, fixtures included. Deterministic for a given seed and `today`.
    """
    url = str(url_or_path)
    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    b = _Builder(seed, today or date.today())
    _fixtures(b)
    _bulk(b, max(0, observations - len(b.rows["target"])))
    engine = _fresh_engine(url)
    try:
        _load(engine, b.rows)
    finally:
        engine.dispose()
    if obs_ss is not None:
        write_obs_ss(Path(obs_ss), b.or_list, b.rolls, b.rng)
    return DemoOcat(url=url, counts={t: len(r) for t, r in b.rows.items()}, obs_ss=obs_ss)


def write_obs_ss(
    obs_ss: Path, or_list: Iterable[int], rolls: dict[int, tuple[float, float]], rng: random.Random
) -> None:
    """`scheduled_obs_list` (`obsid<TAB>mp_user`) and `mp_long_term` (`obsid:roll:range`) as the legacy writers do."""
    obs_ss.mkdir(parents=True, exist_ok=True)
    users = ("mpuser1", "mpuser2", "tgolden", "jdoe")
    (obs_ss / "scheduled_obs_list").write_text("".join(f"{o}\t{rng.choice(users)}\n" for o in sorted(or_list)))
    (obs_ss / "mp_long_term").write_text("".join(f"{o}:{a}:{b}\n" for o, (a, b) in sorted(rolls.items())))


def _fresh_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = create_engine(url)
    if parsed.get_backend_name() != "sqlite":
        metadata.drop_all(engine)
    return engine


def _load(engine: Engine, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    """Create the tables, bulk insert in one transaction, then index."""
    sqlite = engine.dialect.name == "sqlite"
    metadata.create_all(engine)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if sqlite:
            cur.execute("PRAGMA journal_mode=OFF")
            cur.execute("PRAGMA synchronous=OFF")
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        for name, table_rows in rows.items():
            if not table_rows:
                continue
            table = TABLES[name]
            cols = ", ".join(engine.dialect.identifier_preparer.quote(c.name) for c in table.columns)
            sql = f"INSERT INTO {name} ({cols}) VALUES ({', '.join([mark] * len(table.columns))})"  # noqa: S608 - constant names
            cur.executemany(sql, table_rows)
        for statement in INDEXES:
            cur.execute(statement)
        raw.commit()
        if sqlite:
            cur.execute("PRAGMA journal_mode=DELETE")
    finally:
        raw.close()


def demo_url(path: Path | str) -> str:
    """The SQLAlchemy URL of a demo Ocat file."""
    return f"sqlite:///{Path(path).resolve()}"
