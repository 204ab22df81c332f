"""The pages of the app as the navbar and the home page list them: one table, used by both."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageLink:
    path: str
    name: str
    blurb: str
    icon: str


PAGE_LINKS: tuple[PageLink, ...] = (
    PageLink("/ocatdatapage", "Ocat Data Page", "Edit an observation's parameters and submit a revision.", "✎"),
    PageLink("/chkupdata", "Check Page", "Compare a revision's original, requested and current values.", "☑"),
    PageLink("/orupdate", "Status Board", "Open revisions and their sign-offs; refreshes every 3 minutes.", "▦"),
    PageLink("/express", "Express Approval", "Approve a list of observations as is.", "⚡"),
    PageLink("/approved", "Approved", "Observations approved for flight: when, by whom; searchable, as CSV.", "✔"),
    PageLink("/rm_submission", "Undo", "Undo your own accidental sign-offs and submissions.", "↶"),
    PageLink("/scheduler", "TOO Duty", "The TOO point-of-contact duty calendar.", "☎"),
    PageLink("/history", "History", "An observation's revisions and sign-offs over time.", "↺"),
    PageLink("/analytics", "Analytics", "Revisions, turnaround and backlog at a glance.", "∑"),
)
