"""One long DataFrame of parameter values per obsid: as loaded, as requested, and in the Ocat now (D18).

Columns: obsid, name, label, section, unit, revision, original, requested, current, changed, state.
- `current`: the Ocat value now (`data.ocat.read.parameter_values`: rank columns as lists, ra/dec in degrees).
- `requested`: the latest requested value among the obsid's open revisions (a None request means "clear it");
  `pd.NA` when no open revision requests the parameter. `revision` names the revision it comes from (or the
  latest open revision when none requests it; NA without open revisions).
- `original`: the value that revision stored in `originals` (an absent row is None, D2; NA when the revision has
  no originals at all, e.g. an express approval); the current value when there is no open revision or the name
  is not a stored parameter.
- `changed`: a change is requested (requested present and not equal to original, `values_equal`).
- `state` (the check page colours): `applied` (requested, equal to current), `pending` (requested, not yet in the
  Ocat), `ocat_changed` (no request but the Ocat moved away from original), else "".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from data.models import SIGNOFF_PREFIXES, Original, Parameter, Request, Revision, Signoff
from data.ocat.read import obsid_list, parameter_values, read_observations
from data.ocat.sources import OcatSource
from data.parameters.catalogue import PARAMETERS, values_equal

COLUMNS = ("obsid", "name", "label", "section", "unit", "revision", "original", "requested", "current", "changed",
           "state")  # fmt: skip


def observation_frame(
    session: Session, source: OcatSource, obsids: Iterable[int | str], *, obs_ss: Path | str
) -> pd.DataFrame:
    """One row per known obsid × catalogue parameter (catalogue order); obsids the Ocat lacks are left out."""
    ids = obsid_list(obsids)
    records = read_observations(source, ids, obs_ss=obs_ss)
    revisions = open_revisions(session, list(records))
    stored = _stored_values(session, [r.id for revs in revisions.values() for r in revs])
    rows: list[dict[str, Any]] = []
    for obsid, record in records.items():
        current = parameter_values(record)
        revs = revisions.get(obsid, [])
        for name, param in PARAMETERS.items():
            source_rev = next((r for r in reversed(revs) if name in stored["requests"].get(r.id, {})), None)
            requested: Any = pd.NA
            if source_rev is not None:
                requested = stored["requests"][source_rev.id][name]
            else:
                source_rev = revs[-1] if revs else None
            original = _original(name, source_rev, stored["originals"], current[name])
            changed = requested is not pd.NA and (original is pd.NA or not values_equal(name, requested, original))
            rows.append({
                "obsid": obsid, "name": name, "label": param.label, "section": param.section, "unit": param.unit,
                "revision": source_rev.obsidrev if source_rev is not None else pd.NA,
                "original": original, "requested": requested, "current": current[name], "changed": bool(changed),
                "state": _state(name, original, requested, current[name]),
            })  # fmt: skip
    data = {col: [row[col] for row in rows] for col in COLUMNS}
    objects = ("revision", "original", "requested", "current")  # keep None ("clear") apart from pd.NA ("no value")
    return pd.DataFrame(
        {col: pd.Series(data[col], dtype=object if col in objects else None) for col in COLUMNS}, columns=list(COLUMNS)
    )


def open_revisions(session: Session, obsids: list[int]) -> dict[int, list[Revision]]:
    """obsid → its open revisions (any sign-off column Pending), oldest first."""
    if not obsids:
        return {}
    pending = or_(*(getattr(Signoff, f"{p}_status") == "Pending" for p in SIGNOFF_PREFIXES))
    stmt = (
        select(Revision)
        .join(Signoff, Signoff.revision_id == Revision.id)
        .where(Revision.obsid.in_(obsids), pending)
        .order_by(Revision.obsid, Revision.revision_number)
    )
    out: dict[int, list[Revision]] = {}
    for rev in session.scalars(stmt):
        out.setdefault(rev.obsid, []).append(rev)
    return out


def _stored_values(session: Session, revision_ids: list[int]) -> dict[str, dict[int, dict[str, Any]]]:
    found: dict[str, dict[int, dict[str, Any]]] = {"originals": {}, "requests": {}}
    if not revision_ids:
        return found
    for key, model in (("originals", Original), ("requests", Request)):
        stmt = (
            select(model.revision_id, Parameter.name, model.value)
            .join(Parameter, Parameter.id == model.parameter_id)
            .where(model.revision_id.in_(revision_ids))
        )
        for rev_id, name, value in session.execute(stmt):
            found[key].setdefault(rev_id, {})[name] = _decode(value)
    return found


def _decode(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def _original(name: str, rev: Revision | None, originals: dict[int, dict[str, Any]], current: Any) -> Any:
    if rev is None or not PARAMETERS[name].stored:
        return current
    if rev.id not in originals:
        return pd.NA
    return originals[rev.id].get(name)


def _state(name: str, original: Any, requested: Any, current: Any) -> str:
    if requested is not pd.NA:
        return "applied" if values_equal(name, requested, current) else "pending"
    if original is not pd.NA and not values_equal(name, original, current):
        return "ocat_changed"
    return ""
