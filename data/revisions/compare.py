"""The three-way merge (D18): each parameter as loaded (original), as requested and in the Ocat now, and its state.

The one home of the rule that the check page, the history page and the editor's notice of open revisions read:

- `state(name, original, requested, current)`: `applied` (a request the Ocat now holds), `pending` (a request not in
  the Ocat yet), `drifted` (no request, but the Ocat moved away from the original), `unknown` (a request, but the
  Ocat could not be read), else "". Values compare with the catalogue's `values_equal` (approximate, NULL = `N` for
  yes/no flags). An original that is n/a (`pd.NA`: the revision stored no originals, e.g. an express approval)
  never drifts.
- `merge(current, revisions)`: the pure merge of some revisions (oldest first) over one obsid's current values,
  one row per parameter (catalogue order, then requested names the catalogue lacks), as a DataFrame of `COLUMNS`.
  With `split_ranks` a ranked set becomes its order row (the number of ranks) and one row per rank and column.
  `records(frame)` gives its rows as dicts that keep `pd.NA` (n/a, none, unknown) apart from None (NULL).
- `requested_rows(current, revisions)`: only the rows some revision requests (history page, editor notice).
- `observation_frame(session, source, obsids, obs_ss=)`: `merge` of every obsid's open revisions over the Ocat.

Columns: obsid, name, rank_set, rank (0, or 1… for a split rank cell), label, section, unit,
- `revision`: the obsid.rev the requested value comes from (the latest revision that requests it), else the latest
  revision given; NA without revisions.
- `original`: what that revision stored in `originals` (an absent row is None, D2); `pd.NA` (n/a) when it stored
  no originals at all; the current value for frozen names.
- `requested`: the latest requested value (None means "clear it"); `pd.NA` when nothing requests the parameter.
- `current`: the Ocat value now (rank columns as lists); `pd.NA` when the Ocat could not be read.
- `asked`: a request exists (for a split rank cell: its column is requested and the cell differs from the original).
- `changed`: asked, and the request differs from the original (or the original is n/a).
- `frozen`: not kept in originals/requests, or read-only in the Ocat (`compare_but_uneditable`, TOO block): the
  original is the current value and the state is always "" (other-pages §4.2).
- `state`: the rule above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from data.lazy_modules import lazy_module
from data.ocat.read import obsid_list, parameter_values, read_observations
from data.ocat.sources import OcatSource
from data.parameters.catalogue import COMPARE_BUT_UNEDITABLE, PARAMETERS, RANK_SETS, values_equal
from data.revisions.store import open_revisions

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

APPLIED = "applied"
PENDING = "pending"
DRIFTED = "drifted"
UNKNOWN = "unknown"

COLUMNS = (
    "obsid",
    "name",
    "rank_set",
    "rank",
    "label",
    "section",
    "unit",
    "revision",
    "original",
    "requested",
    "current",
    "asked",
    "changed",
    "frozen",
    "state",
)
_TYPED = {"rank": "int64", "asked": "bool", "changed": "bool", "frozen": "bool"}
"""Every other column holds Python objects: None ("clear", NULL) stays apart from pd.NA ("none"), text stays str."""
_ORDER_KEYS = {r.order_key: key for key, r in RANK_SETS.items()}


class RevisionValues(Protocol):
    """What the merge reads of a revision (`data.revisions.store.RevisionView` read `with_values=True`)."""

    @property
    def obsidrev(self) -> str: ...

    originals: dict[str, Any]
    requests: dict[str, Any]


def is_na(value: Any) -> bool:
    """True for `pd.NA` (n/a, no request, unknown); None is a value (NULL)."""
    return value is pd.NA


def state(name: str, original: Any, requested: Any, current: Any, *, current_known: bool = True) -> str:
    """The merge rule for one value (first match wins): applied, pending, unknown, drifted or ""."""
    if not is_na(requested):
        if not current_known:
            return UNKNOWN
        return APPLIED if values_equal(name, requested, current) else PENDING
    if is_na(original) or not current_known:
        return ""
    return "" if values_equal(name, original, current) else DRIFTED


def differs(name: str, original: Any, requested: Any) -> bool:
    """A request that changes something: it differs from the original, or the original is n/a."""
    return not is_na(requested) and (is_na(original) or not values_equal(name, requested, original))


def frozen(name: str) -> bool:
    """Not kept in originals/requests, or read-only in the Ocat: compared as the current value throughout."""
    param = PARAMETERS.get(name)
    return param is not None and (not param.stored or name in COMPARE_BUT_UNEDITABLE or param.section == "too")


def merge(
    current: Mapping[str, Any] | None,
    revisions: Sequence[RevisionValues],
    *,
    obsid: int | None = None,
    split_ranks: bool = False,
) -> pd.DataFrame:
    """The merge of `revisions` (oldest first) over one obsid's current values (`parameter_values` of its Ocat
    record; None when the Ocat could not be read): one row per parameter, `COLUMNS`."""
    known = current is not None
    now = current if current is not None else {}
    extra = sorted({n for r in revisions for n in r.requests if n not in PARAMETERS})
    rows = []
    for name in (*PARAMETERS, *extra):
        param = PARAMETERS.get(name)
        if split_ranks and param is not None and (param.rank_set or name in _ORDER_KEYS):
            continue
        rows.append(_row(obsid, name, revisions, now.get(name) if known else pd.NA, known))
    if split_ranks:
        for key in RANK_SETS:
            rows += _rank_rows(obsid, key, revisions, now, known)
    return _frame(rows)


def requested_rows(
    current: Mapping[str, Any] | None, revisions: Sequence[RevisionValues], *, obsid: int | None = None
) -> pd.DataFrame:
    """Only the merge's rows that some revision requests: the latest request, its revision, the Ocat value now and
    the state (applied, pending; unknown without the Ocat). Over every revision for the history page; over the
    open revisions (`store.open_revisions(..., with_values=True)`) for the editor's notice of open revisions."""
    frame = merge(current, revisions, obsid=obsid)
    return frame[frame.asked].reset_index(drop=True)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts that keep `pd.NA` apart from None (`DataFrame.to_dict` turns NA into None)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in frame.itertuples(index=False, name=None)]


def observation_frame(
    session: Session, source: OcatSource, obsids: Iterable[int | str], *, obs_ss: Path | str
) -> pd.DataFrame:
    """`merge` of every obsid's open revisions over its Ocat record, obsids in list order (those the Ocat lacks
    are left out): one row per obsid × parameter."""
    records = read_observations(source, obsid_list(obsids), obs_ss=obs_ss)
    by_obsid: dict[int, list[Any]] = {}
    for view in open_revisions(session, list(records), with_values=True):
        by_obsid.setdefault(view.obsid, []).append(view)
    frames = [merge(parameter_values(rec), by_obsid.get(obsid, []), obsid=obsid) for obsid, rec in records.items()]
    return pd.concat(frames, ignore_index=True) if frames else _frame([])


def _source(name: str, revisions: Sequence[RevisionValues]) -> tuple[RevisionValues | None, Any]:
    """The latest revision requesting `name` and its request, else the latest revision and NA."""
    for rev in reversed(revisions):
        if name in rev.requests:
            return rev, rev.requests[name]
    return (revisions[-1] if revisions else None), pd.NA


def _original(name: str, rev: RevisionValues | None, current: Any) -> Any:
    if rev is None or frozen(name):
        return current
    if not rev.originals:
        return pd.NA
    return rev.originals.get(name)


def _row(
    obsid: int | None, name: str, revisions: Sequence[RevisionValues], current: Any, known: bool
) -> dict[str, Any]:
    rev, requested = _source(name, revisions)
    original = _original(name, rev, current)
    still = frozen(name)
    return _record(
        obsid,
        name,
        None,
        0,
        rev,
        original,
        requested,
        current,
        not is_na(requested),
        differs(name, original, requested),
        still,
        "" if still else state(name, original, requested, current, current_known=known),
    )


def _record(
    obsid: int | None,
    name: str,
    rank_set: str | None,
    rank: int,
    rev: RevisionValues | None,
    original: Any,
    requested: Any,
    current: Any,
    asked: bool,
    changed: bool,
    still: bool,
    st: str,
) -> dict[str, Any]:
    param = PARAMETERS.get(name)
    return {
        "obsid": obsid,
        "name": name,
        "rank_set": rank_set,
        "rank": rank,
        "label": param.label if param else name,
        "section": param.section if param else None,
        "unit": param.unit if param else None,
        "revision": rev.obsidrev if rev is not None else pd.NA,
        "original": original,
        "requested": requested,
        "current": current,
        "asked": bool(asked),
        "changed": bool(changed),
        "frozen": still,
        "state": st,
    }


def _at(values: Any, index: int) -> Any:
    if is_na(values):
        return pd.NA
    if isinstance(values, list | tuple) and index < len(values):
        return values[index]
    return None


def _count(columns: Iterable[Any]) -> int:
    return max((len(v) for v in columns if isinstance(v, list | tuple)), default=0)


def _rank_rows(
    obsid: int | None, key: str, revisions: Sequence[RevisionValues], current: Mapping[str, Any], known: bool
) -> list[dict[str, Any]]:
    """A ranked set split: the order row (number of ranks), then per rank each column. A requested column replaces
    the whole list (D10); a cell is asked when its column is requested and the cell differs from its original."""
    rank = RANK_SETS[key]
    sources = {c: _source(c, revisions) for c in rank.columns}
    cur = {c: current.get(c) if known else pd.NA for c in rank.columns}
    org = {c: _original(c, sources[c][0], cur[c]) for c in rank.columns}
    asked_cols = {c for c in rank.columns if not is_na(sources[c][1])}
    req = {c: (sources[c][1] if c in asked_cols else org[c]) for c in rank.columns}
    n_org, n_req = _count(org.values()), _count(req.values())
    n_cur: Any = _count(cur.values()) if known else pd.NA
    no_originals = all(is_na(v) for v in org.values()) and bool(revisions)
    order_org: Any = pd.NA if no_originals else n_org
    order_asked = n_org != n_req
    order_req: Any = n_req if order_asked else pd.NA
    latest = revisions[-1] if revisions else None
    order = rank.order_key
    rows = [
        _record(
            obsid,
            order,
            key,
            0,
            latest,
            order_org,
            order_req,
            n_cur,
            order_asked,
            order_asked,
            False,
            state(order, order_org, order_req, n_cur, current_known=known),
        )
    ]
    n_rows = max(n_org, n_req, 0 if is_na(n_cur) else n_cur)
    for i in range(n_rows):
        for column in rank.columns:
            o, r, c = _at(org[column], i), _at(req[column], i), _at(cur[column], i)
            asked = column in asked_cols and differs(column, o, r)
            requested = r if asked else pd.NA
            rows.append(
                _record(
                    obsid,
                    column,
                    key,
                    i + 1,
                    sources[column][0],
                    o,
                    requested,
                    c,
                    asked,
                    asked,
                    False,
                    state(column, o, requested, c, current_known=known),
                )
            )
    return rows


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    data = {col: [row[col] for row in rows] for col in COLUMNS}
    return pd.DataFrame(
        {col: pd.Series(data[col], dtype=_TYPED.get(col, object)) for col in COLUMNS}, columns=list(COLUMNS)
    )


__all__ = [
    "APPLIED",
    "COLUMNS",
    "DRIFTED",
    "PENDING",
    "UNKNOWN",
    "RevisionValues",
    "differs",
    "frozen",
    "is_na",
    "merge",
    "observation_frame",
    "records",
    "requested_rows",
    "state",
]
