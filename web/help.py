"""`/help/ocat`: the help of the Ocat data page. How a change is made, ranked entries, several obsids at once, then
each section with its fields: what each is for (the catalogue's `description`), its allowed values as the validator
checks them, its unit and the sign-offs a change opens. Internal notes of the catalogue (`Param.v1_note`, the v1
ranges) are for developers and never shown here. URLs in the text are links.
"""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response, current_app

from data.parameters.catalogue import HELP_ANCHORS, PARAMETERS, RANK_SETS, SECTIONS, SIGNOFF_LABELS, Param
from data.parameters.validator import INSTRUMENT_CHANGES_URL
from web.text_links import linked_html

bp = Blueprint("help", __name__)

PAGE_CLASS, PAGE_STYLE = "container-fluid px-4", "max-width: 70rem"
"""The page's column: header, help and footer line up."""
USING, RANKED, MULTI = "using", "ranked_entries", "multi_obsids"
"""Anchors of the prose parts (the sections' anchors are `HELP_ANCHORS`)."""

SEE_ALSO = {
    "instrument": f"How instrument changes are handled: {INSTRUMENT_CHANGES_URL}",
    "grating": f"How grating changes are handled: {INSTRUMENT_CHANGES_URL}",
}
"""A further line under a field, with a link."""

SECTION_TEXT = {
    "general": "Who and what the observation is, where it points and how bright the target is. Most proposal fields "
    "are read only; the target name, instrument, grating, type, position, offsets and a few flags can be changed. "
    "Mission Planning is told when the target name, instrument or grating changes.",
    "dither": "During an observation Chandra moves in a small pattern (the dither), so the image does not stay on "
    "single pixels. Leave the flag empty for the standard pattern, and set values of your own only after talking to "
    "CDO. Amplitudes and frequencies are typed in arcseconds; the Ocat's values in degrees are shown beside them.",
    "time": "Time windows in which the observation must (constraint) or should (preference) be made, in UT. They "
    "are ranked entries: see Ranked entries above.",
    "roll": "Roll angles the observation must or should have. They are ranked entries: see Ranked entries above.",
    "other": "Remarks about constraints, phase constraints of periodic sources, monitoring series and groups, "
    "coordination with other observatories, and splits.",
    "hrc": "Settings of the HRC, shown for HRC-I and HRC-S observations.",
    "acis": "Settings of ACIS, shown for ACIS-I and ACIS-S observations: exposure mode, telemetry format, the chips "
    "that are on, subarray, alternating exposures, on-chip summing and the energy filter.",
    "acis_window": "Spatial windows on ACIS chips, as ranked entries. With sample rate 0 (the default) a window "
    "drops the events inside it. To keep only the events inside a window, give that window sample rate 1 and add a "
    "second window with sample rate 0 covering the whole chip (1024 × 1024).",
    "too": "The trigger and response window of a TOO or DDT observation, shown when it has a TOO id. They change "
    "only through CDO.",
    "comments": "Remarks are for constraints; comments say why a change is made and are read by the Ocat staff.",
}
"""What each section of the editor is for, in the help's words."""


def _allowed(param: Param) -> str:
    """Choices or range, as the validator checks them."""
    if param.choices:
        return ", ".join(f"{label} ({'empty' if value is None else value})" for value, label in param.form_choices)
    if param.minimum is not None or param.maximum is not None:
        low = "" if param.minimum is None else f"{param.minimum:g}"
        high = "" if param.maximum is None else f"{param.maximum:g}"
        return f"{low} … {high}"
    return {"date": "a date and time (Mon DD YYYY HH:MM, or ISO)", "text": "free text"}.get(param.kind, "")


def _facts(param: Param) -> str:
    facts = [f"Ocat name <code>{escape(param.name)}</code>"]
    if param.rank_set:
        facts.append(f"one per rank of {escape(RANK_SETS[param.rank_set].label)}")
    if param.editable and (allowed := _allowed(param)):
        facts.append(f"allowed: {escape(allowed)}")
    if param.unit:
        facts.append(f"unit: {escape(param.unit)}")
    if param.required:
        facts.append("required")
    if param.signoff:
        facts.append("a change needs sign-off: " + escape(", ".join(SIGNOFF_LABELS[c] for c in param.signoff)))
    return " · ".join(facts)


def _field(param: Param) -> str:
    badge = "" if param.editable else ' <span class="badge text-bg-light border fw-normal">read only</span>'
    see_also = f"<br>{linked_html(SEE_ALSO[param.name])}" if param.name in SEE_ALSO else ""
    return (
        f'<dt id="field-{escape(param.name)}" class="mt-2">{escape(param.label)}{badge}</dt>'
        f"<dd class='mb-1'>{linked_html(param.description or param.label)}{see_also}"
        f"<div class='small text-body-secondary'>{_facts(param)}</div></dd>"
    )


def _section(section: str, title: str) -> str:
    params = [p for p in PARAMETERS.values() if p.section == section]
    anchor = HELP_ANCHORS.get(section, section)
    text = SECTION_TEXT.get(section, "")
    return (
        f'<section id="{escape(anchor)}" class="mt-4" aria-labelledby="{escape(anchor)}-title">'
        f'<h2 id="{escape(anchor)}-title" class="h4">{escape(title)}</h2>'
        f"<p>{linked_html(text)}</p><dl>{''.join(_field(p) for p in params)}</dl></section>"
    )


USING_HTML = f"""
<section id="{USING}" class="mt-4" aria-labelledby="{USING}-title">
<h2 id="{USING}-title" class="h4">How a change is made</h2>
<ol>
<li>Open the observation: type its obsid in the box at the top of every page, or go to
<code>/ocatdatapage/&lt;obsid&gt;</code>. Fields you can change are inputs; the others are shown as they are in the
Ocat, <em>NA</em> when empty. Only unobserved, scheduled and untriggered observations can be changed.</li>
<li>Change what you need. Every change is checked as you type: an error shows next to its field and stops the
submission; a warning (a large move of the position, an instrument change, a constraint that needs CDO) does not.</li>
<li>Choose what to submit. <strong>Normal Change</strong> asks for the changes you made.
<strong>Observation is Approved for flight</strong> changes nothing in the Ocat and puts the obsid on the
<a href="/approved">approved list</a>. <strong>ObsID no longer ready to go</strong> takes it off again.
<strong>Split this ObsID</strong> asks for a split; say why in the comments.</li>
<li><strong>Submit</strong> shows a summary: each change (original → requested), the ranked entries, the warnings,
the sign-offs the change needs and what happens to other obsids you listed. <strong>Confirm</strong> saves it as a
revision, numbered <code>obsid.rev</code> (for example 12345.004).</li>
<li>The revision is on the <a href="/orupdate">status board</a>. ArcOps and the instrument teams make the changes in
the Ocat and sign their columns; USINT then verifies. The <a href="/chkupdata">check page</a> shows each value as it
was, as requested and as it is now, so everyone can see whether a change has been made. Mistakes can be undone on
the <a href="/rm_submission">Remove Accidental Submission</a> page.</li>
</ol>
<p>About values: an empty choice (<em>NA</em>, <em>None</em>) clears the value in the Ocat. For yes/no fields an empty
value and <em>N</em> mean the same. <em>P</em> (preference) is tried but not promised: an observation made without it
still counts as successful. An approval stays until an “ObsID no longer ready to go” revision; later normal changes do
not take it away.</p>
</section>
"""

RANKED_HTML = f"""
<section id="{RANKED}" class="mt-4" aria-labelledby="{RANKED}-title">
<h2 id="{RANKED}-title" class="h4">Ranked entries: time windows, roll constraints and ACIS windows</h2>
<p>Time windows, roll constraints and ACIS windows are lists of rows, the <em>ranks</em>, numbered from 1. Set the
section's flag to YES to show them. <strong>Add</strong> appends a row with default values (a window from now, a roll of
0° with 0° tolerance, an ACIS window on I0 from row and column 1, 1023 × 1023, 0.08 keV and a 13 keV range, sample
rate 0); <strong>Remove</strong> deletes a row and the rows after it move up.</p>
<ul>
<li>Each time window and roll rank is a constraint (Y, only when the TAC or CDO approved it) or a preference (P). The
section's flag follows its rows: it becomes P when every row is a preference and Y when any row is a constraint.</li>
<li>Setting the flag back to NO removes every rank: the revision asks the Ocat to clear them.</li>
<li>For ACIS windows the order matters: for each event, the first window (lowest rank) that contains it decides. At
most six windows per chip.</li>
<li>A revision asks for a ranked set as a whole: when one rank changes, the request holds every rank, and the check
page lists them rank by rank.</li>
<li>When several obsids are changed at once, their ranked entries are replaced by the main obsid's as a whole, not
merged rank by rank.</li>
</ul>
</section>
"""

MULTI_HTML = f"""
<section id="{MULTI}" class="mt-4" aria-labelledby="{MULTI}-title">
<h2 id="{MULTI}-title" class="h4">Changing several obsids at once</h2>
<p>The <strong>Multi-Obsid</strong> box, next to the submit options, applies the same request to other obsids. List
them separated by spaces, commas, colons or semicolons; ranges such as <code>22608-22612</code> include both ends. The
obsid on the page is left out, each obsid counts once, and at most 500 can be listed.</p>
<ul>
<li><strong>Normal Change</strong>: each listed obsid gets a revision of its own with the values you changed (the new
values, not the differences), checked against its own record, with its own originals and sign-offs. ACIS changes do
not reach HRC observations and HRC changes do not reach ACIS observations. An obsid that already has those values is
left alone.</li>
<li><strong>Approved for flight</strong> and <strong>no longer ready to go</strong> apply to every listed obsid; those
already approved (or not approved) are skipped.</li>
<li><strong>Split</strong> applies to the obsid on the page only.</li>
<li>An obsid that is not in the Ocat, not unobserved, scheduled or untriggered, or whose values fail a check is
skipped, with the reason; the others still get their revisions.</li>
</ul>
<p>The summary before you confirm says what will happen to each listed obsid.</p>
</section>
"""


def _contents() -> str:
    parts = [(USING, "How a change is made"), (RANKED, "Ranked entries"), (MULTI, "Several obsids at once")]
    parts += [(HELP_ANCHORS.get(s, s), t) for s, t in SECTIONS.items() if s != "record"]
    items = "".join(f'<li class="list-inline-item"><a href="#{escape(a)}">{escape(t)}</a></li>' for a, t in parts)
    return f'<nav aria-label="Contents"><ul class="list-inline">{items}</ul></nav>'


def _contacts() -> str:
    try:
        config = current_app.config["USINT"]
        admin, tech = config.admin_email, config.tech_email
    except (RuntimeError, KeyError, AttributeError):
        return ""
    return (
        '<footer class="border-top mt-4 pt-3 small text-body-secondary">Questions about USINT: Admin '
        f'<a href="mailto:{escape(admin)}">{escape(admin)}</a> · Tech <a href="mailto:{escape(tech)}">{escape(tech)}</a>'
        "</footer>"
    )


def render() -> str:
    sections = "".join(_section(s, t) for s, t in SECTIONS.items() if s != "record")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Ocat Data Page help · USINT</title>"
        '<link rel="stylesheet" href="/assets/00_bootstrap-5.3.6.min.css">'
        '<link rel="stylesheet" href="/assets/usint.css"></head><body>'
        f'<header class="{PAGE_CLASS} pt-3" style="{PAGE_STYLE}"><a href="/">USINT</a> · '
        '<a href="/ocatdatapage">Ocat Data Page</a></header>'
        f'<main class="{PAGE_CLASS} pb-4" style="{PAGE_STYLE}">'
        "<h1 class='h3 mt-2'>Ocat Data Page help</h1>"
        "<p>How to change an observation's parameters, and what each field of the Ocat Data Page is for, with the "
        "values it accepts and who signs off a change to it.</p>"
        f"{_contents()}{USING_HTML}{RANKED_HTML}{MULTI_HTML}{sections}</main>"
        f'<div class="{PAGE_CLASS} pb-3" style="{PAGE_STYLE}">{_contacts()}</div></body></html>'
    )


@bp.get("/help/ocat")
def ocat_help() -> Response:
    return Response(render(), mimetype="text/html")
