"""API routes: the status board as JSON and CSV, and the approved obsids (INTERFACE.md).

`/status` and `/status.csv` read this worker's live board, as the board page does (`data.board.live`: read in
full once, then kept current from the `changes` rows). `ETag` is the change token the rows are as of (weak: the
waits grow with the clock), plus the moment the next closed row leaves the window when one will; a request whose
`If-None-Match` names it is answered 304 after the token query alone while the token has not moved and no row has
aged out (the board page's own refresh rule). Each body, and its gzip, is built once per board the live board hands
out (the same `BoardData` until the token or the minute changes).
"""

from __future__ import annotations

import gzip
import re
import time
import weakref
from collections.abc import Callable
from typing import Any

import orjson
from flask import Response, current_app, jsonify, request
from sqlalchemy.orm import Session

from api._blueprint import bp
from data import clock
from data.board.rows import COLUMNS, FIELD_INDEX, BoardData, change_token
from data.csv_export import csv_text
from data.revisions.store import approved_obsids
from web.db import ocat_source, resources, session_scope

CSV_COLUMNS = (
    "obsidrev",
    "obsid",
    "revision_number",
    "sequence_number",
    "target",
    "pi",
    "kind",
    "user",
    "time",
    "state",
    "closed_at",
    "notes",
    *(f"{c}_{part}" for c in COLUMNS for part in ("status", "user", "time", "waited_h")),
)


_ISO: list[dict[Any, str]] = [{}, {}]
"""Texts of times: [those of the board being converted, those of the board before] (the same times come back on
every refresh; keeping only two boards' worth bounds the memory)."""


def _iso(seconds: Any) -> str | None:
    """Epoch seconds as the API's UTC text (`2026-06-01T12:00:00Z`), None for None."""
    if seconds is None:
        return None
    now, before = _ISO
    text = now.get(seconds)
    if text is None:
        text = before.get(seconds) or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
        now[seconds] = text
    return text


_F = FIELD_INDEX
_OBSIDREV, _OBSID, _REV, _SEQ = _F["obsidrev"], _F["obsid"], _F["revision_number"], _F["sequence_number"]
_TARGET, _PI, _KIND, _USER, _TIME = _F["target"], _F["pi"], _F["kind"], _F["submitter"], _F["submitted"]
_OPEN, _CLOSED, _BADGES, _APPROVED, _COLOR = _F["is_open"], _F["closed_at"], _F["badges"], _F["approved"], _F["color"]
_CELLS = tuple((c, _F[f"{c}_status"]) for c in COLUMNS)
"""Each sign-off column and where its cell starts: status, signer, time, waited hours, in that order."""


def status_row(rec: tuple[Any, ...]) -> dict[str, Any]:
    """One board record (`data.board.rows.BoardData`) as the API shows it: INTERFACE fields plus target, PI,
    waits and colour."""
    return {
        "obsidrev": rec[_OBSIDREV],
        "obsid": int(rec[_OBSID]),
        "revision_number": int(rec[_REV]),
        "sequence_number": rec[_SEQ],
        "target": rec[_TARGET],
        "pi": rec[_PI],
        "kind": rec[_KIND],
        "user": rec[_USER],
        "time": _iso(rec[_TIME]),
        "state": "open" if rec[_OPEN] else "closed",
        "closed_at": _iso(rec[_CLOSED]),
        "notes": list(rec[_BADGES] or ()),
        "approved": bool(rec[_APPROVED]),
        "color": rec[_COLOR],
        "signoff": {
            c: {"status": rec[i], "user": rec[i + 1], "time": _iso(rec[i + 2]), "waited_h": rec[i + 3]}
            for c, i in _CELLS
        },
    }


def board_rows(board: BoardData) -> list[dict[str, Any]]:
    """The API rows of `board` (not kept: the bodies made of them are)."""
    _ISO[:] = [{}, _ISO[0]]
    return [status_row(rec) for rec in board.records]


def _ocat_or_none() -> Any:
    try:
        return ocat_source()
    except Exception:
        return None


def _board(session: Session) -> BoardData:
    """This worker's live board (`data.board.live`), as the board page reads it."""
    res = resources()
    return res.boards.current(
        session,
        now=clock.now(),
        closed_window_h=res.settings.closed_window_h,
        ocat=_ocat_or_none(),
        lookups=res.lookups,
    )


def status_rows() -> list[dict[str, Any]]:
    """The board's rows as the API shows them (`status_row`)."""
    with session_scope(readonly=True) as session:
        return board_rows(_board(session))


# ---------------------------------------------------------------------------------------------- validators


def board_etag(board: BoardData) -> str | None:
    """The validator of a body built from `board`: its change token, then `.<epoch>` when a closed row will leave the
    window at that second. None when the Ocat could not be read (a body without target and PI is never kept)."""
    meta = board.meta
    if meta.token is None or not meta.ocat_ok:
        return None
    if meta.next_expiry is None:
        return meta.token
    return f"{meta.token}.{int(meta.next_expiry.timestamp())}"


_TAG = re.compile(r"([0-9-]+?)(?:\.([0-9]+))?(?:[-:;][a-z]+)?")
"""`board_etag`'s form, allowing a coding suffix a proxy may add (`-gzip`)."""


def matching_tag(token: str, now_s: float) -> str | None:
    """The request's If-None-Match tag that still describes the board: same change token, no row aged out since."""
    tags = request.if_none_match
    if tags.star_tag:
        return token
    for tag in tags.as_set(include_weak=True):
        found = _TAG.fullmatch(tag)
        if found and found[1] == token and (found[2] is None or now_s < int(found[2])):
            return tag
    return None


# ---------------------------------------------------------------------------------------------- answers

_BODIES: dict[str, tuple[weakref.ref[BoardData], bytes]] = {}


def _body(kind: str, board: BoardData, build: Callable[[BoardData], bytes]) -> bytes:
    """`build(board)`, built once per board object (the live board hands out the same one until it changes)."""
    hit = _BODIES.get(kind)
    if hit is not None and hit[0]() is board:
        return hit[1]
    body = build(board)
    _BODIES[kind] = (weakref.ref(board), body)
    return body


def _answer(kind: str, build: Callable[[BoardData], bytes], mimetype: str, **headers: str) -> Response:
    """The board as `build` writes it, or 304 when If-None-Match names a body that is still current."""
    with session_scope(readonly=True) as session:
        token = change_token(session)
        same = matching_tag(token, clock.now().timestamp()) if request.if_none_match else None
        board = None if same else _board(session)
    if board is None:
        response = Response(status=304)
        response.set_etag(same or token, weak=True)
    else:
        body = _body(kind, board, build)
        if request.accept_encodings["gzip"] and len(body) >= current_app.config.get("COMPRESS_MIN_SIZE", 500):
            body = _body(f"{kind}.gz", board, lambda b: _gzip(_body(kind, b, build)))
            headers["Content-Encoding"] = "gzip"  # flask-compress leaves an encoded answer as it is
        response = Response(body, mimetype=mimetype, headers=headers)
        etag = board_etag(board)
        if etag:
            response.set_etag(etag, weak=True)
    response.vary.add("Accept-Encoding")
    response.cache_control.no_cache = True  # keep it, but ask again each time (a 304 is cheap)
    response.cache_control.private = True
    return response


def _gzip(body: bytes) -> bytes:
    """gzip at flask-compress's level, once per board: compressing 1.5 MB on every request cost more than the rest."""
    return gzip.compress(body, compresslevel=current_app.config.get("COMPRESS_LEVEL", 6), mtime=0)


def _json_body(board: BoardData) -> bytes:
    return orjson.dumps(board_rows(board), option=orjson.OPT_SORT_KEYS)  # keys sorted, as Flask's jsonify


@bp.get("/status")
def status() -> Response:
    """Every open revision plus those closed within the window (D12), as a list of rows; 304 when unchanged."""
    return _answer("json", _json_body, "application/json")


def status_csv_text(rows: list[dict[str, Any]]) -> str:
    """The status rows as CSV (data.csv_export: formula-looking text neutralised), one column group per sign-off."""
    flat_rows = []
    for row in rows:
        flat = {k: v for k, v in row.items() if k != "signoff"}
        flat["notes"] = ";".join(row["notes"])
        for c, s in row["signoff"].items():
            for part in ("status", "user", "time", "waited_h"):
                flat[f"{c}_{part}"] = s[part]
        flat_rows.append([flat.get(k) for k in CSV_COLUMNS])
    return csv_text(CSV_COLUMNS, flat_rows)


@bp.get("/status.csv")
def status_csv() -> Response:
    """The same rows as CSV, one sign-off column group per column; 304 when unchanged."""
    return _answer("csv", _csv_body, "text/csv", **{"Content-Disposition": 'attachment; filename="usint-status.csv"'})


def _csv_body(board: BoardData) -> bytes:
    return status_csv_text(board_rows(board)).encode()


@bp.get("/approved")
def approved() -> Response:
    """Every approved obsid (integers, ascending)."""
    with session_scope(readonly=True) as session:
        return jsonify([int(o) for o in approved_obsids(session)])
