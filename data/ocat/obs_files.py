"""The flat files under OBS_SS (data-layer §1.8, ocat-data-page §13): the active OR list and MP planned rolls.

Both are read robustly (K1): every line, a missing file is empty, bad lines are skipped. Results are cached by
file path, modification time and size, so a rewritten file is picked up on the next call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from threading import Lock
from typing import Any

OR_LIST_FILE = "scheduled_obs_list"
PLANNED_ROLL_FILE = "mp_long_term"

log = logging.getLogger(__name__)
_cache: dict[tuple[str, str], tuple[tuple[int, int], Any]] = {}
_lock = Lock()


def or_list(obs_ss: Path | str) -> set[int]:
    """Obsids on the active OR list: the first whitespace-separated token of each line of `scheduled_obs_list`."""
    return set(_cached(Path(obs_ss) / OR_LIST_FILE, "or", _parse_or_list))


def planned_rolls(obs_ss: Path | str) -> dict[int, str]:
    """obsid → planned roll `"<min>-<max>"` from the `obsid:value1:value2` lines of `mp_long_term`."""
    return dict(_cached(Path(obs_ss) / PLANNED_ROLL_FILE, "roll", _parse_planned_rolls))


def _parse_or_list(text: str) -> frozenset[int]:
    obsids = set()
    for line in text.splitlines():
        token = line.split(maxsplit=1)[0] if line.strip() else ""
        if token.isdigit():
            obsids.add(int(token))
    return frozenset(obsids)


def _parse_planned_rolls(text: str) -> dict[int, str]:
    rolls: dict[int, str] = {}
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(":")]
        if len(parts) < 3 or not parts[0].isdigit():
            continue
        try:
            a, b = float(parts[1]), float(parts[2])
        except ValueError:
            continue
        lo, hi = sorted((a, b))
        rolls[int(parts[0])] = f"{lo}-{hi}"
    return rolls


def _cached(path: Path, what: str, parse: Callable[[str], Any]) -> Any:
    try:
        stat = path.stat()
    except OSError:
        return parse("")
    stamp = (stat.st_mtime_ns, stat.st_size)
    key = (str(path), what)
    with _lock:
        hit = _cache.get(key)
    if hit and hit[0] == stamp:
        return hit[1]
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        log.warning("Cannot read %s: %s", path, exc)
        return parse("")
    value = parse(text)
    with _lock:
        _cache[key] = (stamp, value)
    return value
