"""Every component id of the app, one StrEnum per page (E7), and builders for pattern-matching ids (E8)."""

from __future__ import annotations

from enum import StrEnum


class ShellIds(StrEnum):
    URL = "shell-url"
    NOTICE = "shell-notice"
    IDENTITY_NOTICE = "shell-identity-notice"
    JUMP_INPUT = "shell-jump-input"
    JUMP_BUTTON = "shell-jump-button"
    JUMP_FEEDBACK = "shell-jump-feedback"
    JUMP_REDIRECT = "shell-jump-redirect"
    USER = "shell-user"
    MAIN = "shell-main"
    FOOTER = "shell-footer"


class HomeIds(StrEnum):
    MY_REVISIONS = "home-my-revisions"
    REFERENCE = "home-reference-links"


class CheckIds(StrEnum):
    OBSIDREV = "check-obsidrev"
    FORM = "check-form"
    INPUT = "check-input"
    SUBMIT = "check-submit"
    FEEDBACK = "check-feedback"
    REDIRECT = "check-redirect"
    CONTENT = "check-content"
    HEADING = "check-heading"
    VALUES = "check-values"
    REFRESH = "check-refresh"


class ExpressIds(StrEnum):
    INPUT = "express-input"
    PREVIEW_BUTTON = "express-preview-button"
    FEEDBACK = "express-feedback"
    PREVIEW = "express-preview"
    OBSIDS = "express-obsids"
    FINALIZE = "express-finalize"
    FINALIZE_BAR = "express-finalize-bar"
    RESULT = "express-result"
    APPROVABLE = "express-approvable"
    SKIPPED = "express-skipped"
    APPROVED = "express-approved"


class UndoIds(StrEnum):
    LIST = "undo-list"
    LOAD = "undo-load"
    MODAL = "undo-modal"
    MODAL_BODY = "undo-modal-body"
    CONFIRM = "undo-confirm"
    CANCEL = "undo-cancel"
    TARGET = "undo-target"
    RESULT = "undo-result"
    REMOVE = "undo-remove"
    SHOW_ALL = "undo-show-all"

    @staticmethod
    def remove_button(obsidrev: str, column: str) -> dict[str, str]:
        """The Remove button of one reversible item (`column` is a sign-off column or `revision`)."""
        return {"type": UndoIds.REMOVE.value, "obsidrev": obsidrev, "column": column}


class BoardIds(StrEnum):
    """The status board (`/orupdate`, `/orupdate?kiosk=1`)."""

    GRID = "board-grid"
    TICK = "board-tick"
    TOKEN = "board-token"
    KIOSK = "board-kiosk"
    UPDATED = "board-updated"
    CHECKED = "board-checked"
    RIGHTS = "board-rights"
    TILES = "board-tiles"
    LEGEND = "board-legend"
    SUMMARY = "board-summary"
    OCAT_NOTICE = "board-ocat-notice"
    MINE_FIRST = "board-mine-first"
    QUICK_FILTER = "board-quick-filter"
    CSV = "board-csv"
    RESULT = "board-result"
    MODAL = "board-modal"
    MODAL_BODY = "board-modal-body"
    CONFIRM = "board-confirm"
    CANCEL = "board-cancel"
    PENDING_ACTION = "board-pending-action"
    DONE = "board-done"


class EditorIds(StrEnum):
    IMAGES = "editor-images"
    FOOTER = "editor-footer"
    CONFLICTS = "editor-conflicts"
    CONFLICT_RELOAD = "editor-conflict-reload"
    REFRESHED = "editor-refreshed"
    RECORD = "editor-record"
    TOKEN = "editor-token"
    BUILT = "editor-built"
    PROMPT = "editor-prompt"
    PROMPT_INPUT = "editor-prompt-input"
    PROMPT_GO = "editor-prompt-go"
    PROMPT_FEEDBACK = "editor-prompt-feedback"
    REDIRECT = "editor-redirect"
    BODY = "editor-body"
    HEADER = "editor-header"
    WARNING = "editor-warning"
    FORM = "editor-form"
    CHANGES = "editor-changes"
    FORM_ERRORS = "editor-form-errors"
    KIND = "editor-kind"
    EXTRAS = "editor-extras"
    EXTRAS_FEEDBACK = "editor-extras-feedback"
    SUBMIT = "editor-submit"
    CONFIRM = "editor-confirm"
    CONFIRM_BODY = "editor-confirm-body"
    BACK = "editor-back"
    FINALIZE = "editor-finalize"
    RESULT = "editor-result"
    SEC_HRC = "editor-sec-hrc"
    SEC_ACIS = "editor-sec-acis"
    SEC_WINDOW = "editor-sec-window"
    RANK_CELL_ERRORS = "editor-rank-cell-errors"
    SUBMIT_REASON = "editor-submit-reason"
    FINALIZE_REASON = "editor-finalize-reason"
    REFUSAL = "editor-refusal"
    KIND_WARNING = "editor-kind-warning"
    KIND_WARNING_TEXT = "editor-kind-warning-text"
    KIND_BACK = "editor-kind-back"
    LOADED_REV = "editor-loaded-rev"
    NEWER = "editor-newer"
    NEWER_TEXT = "editor-newer-text"
    NEWER_ACK = "editor-newer-ack"
    CONFIRM_STATE = "editor-confirm-state"
    DRAFT = "editor-draft"
    DRAFT_SAVED = "editor-draft-saved"
    DRAFT_OFFER = "editor-draft-offer"
    DRAFT_TEXT = "editor-draft-text"
    DRAFT_RESTORE = "editor-draft-restore"
    DRAFT_DISCARD = "editor-draft-discard"
    REFUSED = "editor-refused"
    WARNINGS = "editor-warnings"
    NOTES = "editor-notes"
    PENDING = "editor-pending"
    NEWER_RELOAD = "editor-newer-reload"
    UNSEEN = "editor-unseen"
    SECTIONS = "editor-sections"
    DROPPED = "editor-dropped"


def editor_label(name: str) -> str:
    """The label of an editor field (a plain id: `for` and `aria-labelledby` need one)."""
    return f"editor-label-{name}"


def editor_field(name: str) -> dict[str, str]:
    """An editable field of the editor (pattern-matching id)."""
    return {"type": "editor-field", "name": name}


def editor_feedback(name: str) -> dict[str, str]:
    """The error text under an editor field."""
    return {"type": "editor-feedback", "name": name}


def editor_section_toggle(key: str) -> dict[str, str]:
    """The header button that opens or closes an editor section (catalogue section key)."""
    return {"type": "editor-section-toggle", "key": key}


def editor_section_body(key: str) -> dict[str, str]:
    """The collapsible body of an editor section, built on first open."""
    return {"type": "editor-section-body", "key": key}


def editor_part(name: str) -> dict[str, str]:
    """A block inside a section that follows a flag (`dither`, `phase`, `subarray`, `duty`, `<rank key>_ranks`)."""
    return {"type": "editor-part", "name": name}


def editor_grid(key: str) -> dict[str, str]:
    """The ag-grid of a ranked set (`time`, `roll`, `window`)."""
    return {"type": "editor-grid", "key": key}


def editor_grid_add(key: str) -> dict[str, str]:
    return {"type": "editor-grid-add", "key": key}


def editor_grid_remove(key: str) -> dict[str, str]:
    return {"type": "editor-grid-remove", "key": key}


def editor_grid_errors(key: str) -> dict[str, str]:
    """The list of refused cells under a ranked set's grid."""
    return {"type": "editor-grid-errors", "key": key}


def editor_derived(name: str) -> dict[str, str]:
    """A value the live check derives from the fields (`ra`, `dec` in degrees)."""
    return {"type": "editor-derived", "name": name}


def editor_figure(name: str) -> dict[str, str]:
    """A figure of the editor (`focal-plane`), present once its section is open."""
    return {"type": "editor-figure", "name": name}


class SchedulerIds(StrEnum):
    VERSION = "scheduler-version"
    CALENDAR = "scheduler-calendar"
    SUMMARY = "scheduler-summary"
    SELECT = "scheduler-select"
    DETAILS = "scheduler-details"
    ACTIONS = "scheduler-actions"
    READ_ONLY = "scheduler-read-only"
    WHY_DISABLED = "scheduler-why-disabled"
    SIGN_UP = "scheduler-sign-up"
    ASSIGN_USER = "scheduler-assign-user"
    ASSIGN = "scheduler-assign"
    UNASSIGN = "scheduler-unassign"
    START = "scheduler-start"
    STOP = "scheduler-stop"
    CHANGE = "scheduler-change"
    SPLIT = "scheduler-split"
    DELETE = "scheduler-delete"
    EXTEND = "scheduler-extend"
    MESSAGE = "scheduler-message"
    MODAL = "scheduler-modal"
    CONFIRM_TEXT = "scheduler-confirm-text"
    CONFIRM_YES = "scheduler-confirm-yes"
    CONFIRM_NO = "scheduler-confirm-no"
    PENDING = "scheduler-pending"


class HistoryIds(StrEnum):
    OBSID = "history-obsid"
    INPUT = "history-input"
    GO = "history-go"
    FEEDBACK = "history-feedback"
    REDIRECT = "history-redirect"
    CONTENT = "history-content"
    TIMELINE = "history-timeline"
    HEADING = "history-heading"
    BODY = "history-body"
    CURRENT = "history-current"
    CURRENT_GRID = "history-current-grid"
    REVISIONS = "history-revisions"
    REFRESH = "history-refresh"


class AnalyticsIds(StrEnum):
    DATES = "analytics-dates"
    START = "analytics-start"
    END = "analytics-end"
    INSTRUMENTS = "analytics-instruments"
    SUMMARY = "analytics-summary"
    BANNER = "analytics-banner"
    WEEKLY = "analytics-weekly"
    TURNAROUND = "analytics-turnaround"
    BACKLOG = "analytics-backlog"
    AGES = "analytics-ages"
    BY_INSTRUMENT = "analytics-by-instrument"
    BY_SUBMITTER = "analytics-by-submitter"
    SKY = "analytics-sky"
    CSV = "analytics-csv"
    DOWNLOAD = "analytics-download"
    REDIRECT = "analytics-redirect"


class ApprovedIds(StrEnum):
    """Approved for flight (`/approved`)."""

    GRID = "approved-grid"
    SEARCH = "approved-search"
    SUMMARY = "approved-summary"
    NOTICE = "approved-notice"
    CSV = "approved-csv"
    DOWNLOAD = "approved-download"
