"""The three-way merge (D18): each parameter as loaded (original), as requested and in the Ocat now, and its state.

The one home of the rule that the check page, the history page and the editor's notice of open revisions read:

- `state(name, original, requested, current)`: `applied` (a request the Ocat now holds), `pending` (a request not in
  the Ocat yet), `drifted` (no request, but the Ocat moved away from the original), `unknown` (a request, but the
  Ocat could not be read), else "". Values compare with the catalogue's `values_equal` (approximate, NULL = `N` for
  yes/no flags). An original that is n/a (`NA`: the revision stored no originals, e.g. an express approval)
  never drifts.
- `merge_rows(current, revisions)`: the pure merge of some revisions (oldest first) over one obsid's current
  values, one `MergedRow` per parameter (catalogue order, then requested names the catalogue lacks). With
  `split_ranks` a ranked set becomes its order row (the number of ranks) and one row per rank and column.
- `requested_rows(current, revisions)`: only the rows some revision requests (history page, editor notice).
- `observation_rows(session, source, obsids, obs_ss=)`: `merge_rows` of every obsid's open revisions over the Ocat.

Plain Python throughout, no pandas (D23): the check and history pages read these rows directly. `NA` (n/a, no
request, unknown; `is_na`) is this module's own marker and stays apart from None (NULL, "clear it").

Columns (the keys of a `MergedRow`): obsid, name, rank_set, rank (0, or 1… for a split rank cell), label, section, unit,
- `revision`: the obsid.rev the requested value comes from (the latest revision that requests it), else the latest
  revision given; NA without revisions.
- `original`: what that revision stored in `originals` (an absent row is None, D2); `NA` (n/a) when it stored
  no originals at all; the current value for frozen names.
- `requested`: the latest requested value (None means "clear it"); `NA` when nothing requests the parameter.
- `current`: the Ocat value now (rank columns as lists); `NA` when the Ocat could not be read.
- `asked`: a request exists (for a split rank cell: its column is requested and the cell differs from the original).
- `changed`: asked, and the request differs from the original (or the original is n/a).
- `frozen`: not kept in originals/requests, or read-only in the Ocat (`compare_but_uneditable`, TOO block): the
  original is the current value and the state is always "" (other-pages §4.2).
- `state`: the rule above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Protocol, TypedDict

from sqlalchemy.orm import Session

from data.ocat.read import obsid_list, parameter_values, read_observations
from data.ocat.sources import OcatSource
from data.parameters.catalogue import COMPARE_BUT_UNEDITABLE, PARAMETERS, RANK_SETS, values_equal
from data.revisions.store import open_revisions

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
_ORDER_KEYS = {r.order_key: key for key, r in RANK_SETS.items()}


class _NotAvailable:
    """The type of `NA`: one instance, kept by copies and pickles; its truth is ambiguous (as pandas' NA's is)."""

    _instance: _NotAvailable | None = None

    def __new__(cls) -> _NotAvailable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        raise TypeError("the truth of NA is ambiguous: test it with is_na")

    def __reduce__(self) -> str:
        return "NA"

    def __repr__(self) -> str:
        return "NA"


NA: Final = _NotAvailable()
"""n/a: no originals stored, nothing requested, the Ocat not read, no revision. None is a value (NULL, "clear")."""


class MergedRow(TypedDict):
    """One row of the merge (`COLUMNS`, described in the module docstring)."""

    obsid: int | None
    name: str
    rank_set: str | None
    rank: int
    label: str
    section: str | None
    unit: str | None
    revision: str | _NotAvailable
    original: Any
    requested: Any
    current: Any
    asked: bool
    changed: bool
    frozen: bool
    state: str


class RevisionValues(Protocol):
    """What the merge reads of a revision (`data.revisions.store.RevisionView` read `with_values=True`)."""

    @property
    def obsidrev(self) -> str: ...

    originals: dict[str, Any]
    requests: dict[str, Any]


def is_na(value: Any) -> bool:
    """True for `NA` (n/a, no request, unknown); None is a value (NULL)."""
    return value is NA


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


def merge_rows(
    current: Mapping[str, Any] | None,
    revisions: Sequence[RevisionValues],
    *,
    obsid: int | None = None,
    split_ranks: bool = False,
) -> list[MergedRow]:
    """The merge of `revisions` (oldest first) over one obsid's current values (`parameter_values` of its Ocat
    record; None when the Ocat could not be read): one row per parameter."""
    known = current is not None
    now = current if current is not None else {}
    extra = sorted({n for r in revisions for n in r.requests if n not in PARAMETERS})
    rows: list[MergedRow] = []
    for name in (*PARAMETERS, *extra):
        param = PARAMETERS.get(name)
        if split_ranks and param is not None and (param.rank_set or name in _ORDER_KEYS):
            continue
        rows.append(_row(obsid, name, revisions, now.get(name) if known else NA, known))
    if split_ranks:
        for key in RANK_SETS:
            rows += _rank_rows(obsid, key, revisions, now, known)
    return rows


def requested_rows(
    current: Mapping[str, Any] | None, revisions: Sequence[RevisionValues], *, obsid: int | None = None
) -> list[MergedRow]:
    """Only the merge's rows that some revision requests: the latest request, its revision, the Ocat value now and
    the state (applied, pending; unknown without the Ocat). Over every revision for the history page; over the
    open revisions (`store.open_revisions(..., with_values=True)`) for the editor's notice of open revisions."""
    return [row for row in merge_rows(current, revisions, obsid=obsid) if row["asked"]]


def observation_rows(
    session: Session, source: OcatSource, obsids: Iterable[int | str], *, obs_ss: Path | str
) -> list[MergedRow]:
    """`merge_rows` of every obsid's open revisions over its Ocat record, obsids in list order (those the Ocat
    lacks are left out): one row per obsid × parameter."""
    records = read_observations(source, obsid_list(obsids), obs_ss=obs_ss)
    by_obsid: dict[int, list[Any]] = {}
    for view in open_revisions(session, list(records), with_values=True):
        by_obsid.setdefault(view.obsid, []).append(view)
    return [
        row
        for obsid, rec in records.items()
        for row in merge_rows(parameter_values(rec), by_obsid.get(obsid, []), obsid=obsid)
    ]


def _source(name: str, revisions: Sequence[RevisionValues]) -> tuple[RevisionValues | None, Any]:
    """The latest revision requesting `name` and its request, else the latest revision and NA."""
    for rev in reversed(revisions):
        if name in rev.requests:
            return rev, rev.requests[name]
    return (revisions[-1] if revisions else None), NA


def _original(name: str, rev: RevisionValues | None, current: Any) -> Any:
    if rev is None or frozen(name):
        return current
    if not rev.originals:
        return NA
    return rev.originals.get(name)


def _row(obsid: int | None, name: str, revisions: Sequence[RevisionValues], current: Any, known: bool) -> MergedRow:
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
) -> MergedRow:
    param = PARAMETERS.get(name)
    return {
        "obsid": obsid,
        "name": name,
        "rank_set": rank_set,
        "rank": rank,
        "label": param.label if param else name,
        "section": param.section if param else None,
        "unit": param.unit if param else None,
        "revision": rev.obsidrev if rev is not None else NA,
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
        return NA
    if isinstance(values, list | tuple) and index < len(values):
        return values[index]
    return None


def _count(columns: Iterable[Any]) -> int:
    return max((len(v) for v in columns if isinstance(v, list | tuple)), default=0)


def _rank_rows(
    obsid: int | None, key: str, revisions: Sequence[RevisionValues], current: Mapping[str, Any], known: bool
) -> list[MergedRow]:
    """A ranked set split: the order row (number of ranks), then per rank each column. A requested column replaces
    the whole list (D10); a cell is asked when its column is requested and the cell differs from its original."""
    rank = RANK_SETS[key]
    sources = {c: _source(c, revisions) for c in rank.columns}
    cur = {c: current.get(c) if known else NA for c in rank.columns}
    org = {c: _original(c, sources[c][0], cur[c]) for c in rank.columns}
    asked_cols = {c for c in rank.columns if not is_na(sources[c][1])}
    req = {c: (sources[c][1] if c in asked_cols else org[c]) for c in rank.columns}
    n_org, n_req = _count(org.values()), _count(req.values())
    n_cur: Any = _count(cur.values()) if known else NA
    no_originals = all(is_na(v) for v in org.values()) and bool(revisions)
    order_org: Any = NA if no_originals else n_org
    order_asked = n_org != n_req
    order_req: Any = n_req if order_asked else NA
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
            requested = r if asked else NA
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


__all__ = [
    "APPLIED",
    "COLUMNS",
    "DRIFTED",
    "PENDING",
    "NA",
    "UNKNOWN",
    "MergedRow",
    "RevisionValues",
    "differs",
    "frozen",
    "is_na",
    "merge_rows",
    "observation_rows",
    "requested_rows",
    "state",
]
