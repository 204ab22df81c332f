"""What the board and the analytics show of an obsid from the Ocat (target, PI, type, instrument), read in one
batch through `data.ocat.read.read_basic` and kept `TTL_S` seconds in a `data.ocat.cache` cache: in this process by
default, in Redis (shared by workers and hosts) when `USINT_CACHE_URL` names one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from data.ocat.cache import Cache, LocalCache
from data.ocat.read import read_basic

TTL_S = 600.0
LOCAL = LocalCache()
"""The cache of callers that give none (this process only)."""


class Basics(NamedTuple):
    """One obsid as the board and the analytics show it."""

    target: str | None = None
    pi: str | None = None
    obs_type: str | None = None
    instrument: str | None = None


NO_BASICS = Basics()


def source_key(ocat: Any) -> str:
    """A short, stable name for an Ocat source that holds no password (SQLAlchemy URL or the sqsh repr)."""
    return hashlib.sha1(str(getattr(ocat, "url", None) or repr(ocat)).encode()).hexdigest()[:12]


def lookup(ocat: Any, obsids: Iterable[int], cache: Cache | None = None) -> dict[int, Basics]:
    """`Basics` for each of `obsids` (empty ones for obsids the Ocat does not know): kept ones from `cache`, the
    rest in one batched read. Raises what the Ocat read raises (`OcatUnavailable`) when that read fails."""
    store = cache if cache is not None else LOCAL
    source = source_key(ocat)  # one cache per Ocat, never mixing two sources' names
    keys = {int(obsid): f"usint:basics:{source}:{int(obsid)}" for obsid in obsids}
    kept = store.get_many(keys.values())
    # The local cache hands back the Basics it was given; Redis a JSON list.
    found = {obsid: _basics(kept[key]) for obsid, key in keys.items() if key in kept}
    missing = [obsid for obsid in keys if obsid not in found]
    if not missing:
        return found
    fresh = read_basic(ocat, missing)
    new: dict[str, Basics] = {}
    for obsid in missing:
        record = fresh.get(obsid) or {}
        basics = Basics(
            target=_pick(record, "targname"),
            pi=_pick(record, "last"),
            obs_type=_pick(record, "obs_type"),
            instrument=_pick(record, "instrument"),
        )
        found[obsid] = basics
        new[keys[obsid]] = basics
    store.set_many(new, TTL_S)
    return found


def _basics(value: Any) -> Basics:
    return value if type(value) is Basics else Basics(*value)


def _pick(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    return None if value in (None, "") else str(value)
