"""The status board as a pandas DataFrame, for analysis and the tests of the board's rules.

A module of its own so that pandas (about 50 MiB per worker) is loaded only where a frame is wanted: the board
page, the status API and the live board read `data.board.rows` and never import this.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from data.board.rows import COLUMNS, FIELDS, TIME_COLUMNS, BoardData, board_data
from data.ocat.cache import Cache


def frame_columns() -> list[str]:
    """The record's fields (`data.board.rows.FIELDS`) with `mine` after the colour."""
    at = FIELDS.index("color_name") + 1
    return [*FIELDS[:at], "mine", *FIELDS[at:]]


def board_frame(
    session: Session,
    *,
    now: datetime,
    closed_window_h: float,
    user: Any = None,
    ocat: Any = None,
    lookups: Cache | None = None,
) -> pd.DataFrame:
    """`board_data` as a DataFrame (columns of `frame_columns()`, times as UTC Timestamps, NaT when missing),
    `mine` marked for `user`, and the `BoardMeta` in `frame.attrs["meta"]`."""
    data = board_data(session, now=now, closed_window_h=closed_window_h, ocat=ocat, lookups=lookups)
    return data_frame(data, user=user)


def data_frame(data: BoardData, *, user: Any = None) -> pd.DataFrame:
    """A `BoardData` as the board DataFrame (see `board_frame`)."""
    frame = pd.DataFrame.from_records(data.records, columns=list(FIELDS), nrows=len(data))
    frame["mine"] = data.mine(user)
    for col in TIME_COLUMNS:
        frame[col] = pd.to_datetime(pd.Series(data.column(col), dtype="float64"), unit="s", utc=True)
    for col in (f"{c}_waited_h" for c in COLUMNS):
        frame[col] = frame[col].astype("float64")
    frame["badges"] = [list(b) for b in data.column("badges")]
    frame = frame[frame_columns()]
    frame.attrs["meta"] = data.meta
    return frame
