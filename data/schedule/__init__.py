"""The TOO point-of-contact duty calendar (other-pages §8, data-layer §3.7, D14, D19, D20).

Rows of the v2.1 `schedules` table are duty periods: `start` and `stop` are naive midnights of the first and
last duty day (the duty runs to the end of `stop`), `user_id` NULL means "TBD" (nobody yet), `assigner_id`
is who put the user there. A standard period is Monday to Sunday: 7 days, `stop - start` = 6 days.

Every function is session first, takes the acting `User` (`user=`; `calendar_actor` turns the web identity
into one, checked for the `schedule` permission) and the clock (`now=`), flushes but never commits, writes one
`events` row per change and raises typed errors (`ValidationFailed`, `Conflict`, `Forbidden`, `NotFound`) whose messages the pages
show as they are. The caller writes the operation log line (`data.oplog`).

Neighbours are the rows just before and after a period in time order (start, then id), so legacy rows with a
NULL `order_id` and the first and last rows of the table never break an action (K10, other-pages §12 #20);
`order_id` is still kept up to date as v2.1 does (split: later rows +1, delete: later rows -1).

`periods` reads the calendar, `edits` changes it; both are re-exported here.
"""

from data.schedule.edits import (
    assign,
    calendar_actor,
    change_dates,
    delete_period,
    extend_horizon,
    sign_up,
    split,
    unassign,
)
from data.schedule.periods import (
    ACTION,
    DUTY_GROUP,
    HORIZON_DAYS,
    LOOK_BACK_DAYS,
    MAX_SPAN,
    SPLIT_MIN_SPAN,
    WEEK_SPAN,
    Change,
    Period,
    as_date,
    duty_candidates,
    fmt,
    fmt_range,
    get_period,
    list_periods,
    local_today,
    midnight,
    monday_of,
    on_duty,
    unfilled_within,
)

__all__ = [
    "ACTION",
    "DUTY_GROUP",
    "HORIZON_DAYS",
    "LOOK_BACK_DAYS",
    "MAX_SPAN",
    "SPLIT_MIN_SPAN",
    "WEEK_SPAN",
    "Change",
    "Period",
    "as_date",
    "assign",
    "calendar_actor",
    "change_dates",
    "delete_period",
    "duty_candidates",
    "extend_horizon",
    "fmt",
    "fmt_range",
    "get_period",
    "list_periods",
    "local_today",
    "midnight",
    "monday_of",
    "on_duty",
    "sign_up",
    "split",
    "unassign",
    "unfilled_within",
]
