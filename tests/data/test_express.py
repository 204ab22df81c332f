"""Express approval (other-pages §5, D16): parsing the pasted list, the preview's reasons, finalize's re-check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from data.demo.ocat import build_demo_ocat
from data.errors import Forbidden, ValidationFailed
from data.models import Outbox, Revision
from data.ocat.sources import make_source
from data.revisions.express import ALREADY_APPROVED, MAX_OBSIDS, NOT_IN_OCAT, finalize, parse_obsids, preview
from data.revisions.store import create_revision, get_revision, history, is_approved
from data.settings import load_settings

# ------------------------------------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345, 12346", [12345, 12346]),
        ("12345:12346", [12345, 12346]),
        ("12345 ; 12346", [12345, 12346]),
        ("12345: 12346; 12347, 12348 12349", [12345, 12346, 12347, 12348, 12349]),
        (
            "12345-12349 12352 - 12357,12359- 12362",
            [12345, 12346, 12347, 12348, 12349, 12352, 12353, 12354, 12355, 12356, 12357, 12359, 12360, 12361, 12362],
        ),
        ("12345\n12346\t12347", [12345, 12346, 12347]),
        (" ,;: 7 ,,;; ", [7]),
    ],
)
def test_parse_accepts_the_help_text_examples(text, expected):
    assert parse_obsids(text) == expected


def test_parse_removes_duplicates_and_sorts():
    assert parse_obsids("300 100 200 100 150-201") == [100] + list(range(150, 202)) + [300]


def test_parse_reads_a_reversed_range_as_the_same_range():
    assert parse_obsids("205-200") == [200, 201, 202, 203, 204, 205]
    assert parse_obsids("7-7") == [7]


@pytest.mark.parametrize("text", ["", "   ", None, " , ; "])
def test_parse_of_nothing_is_an_empty_list(text):
    assert parse_obsids(text) == []


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("abc", "'abc'"),
        ("12345 abc", "'abc'"),
        ("12345-", "'12345-'"),
        ("-12345", "'-12345'"),
        ("1-2-3", "'1-2-3'"),
        ("12.5", "'12.5'"),
        ("0", "'0'"),
        ("١٢٣", "'١٢٣'"),
    ],
)
def test_parse_names_the_piece_it_cannot_read(text, piece):
    with pytest.raises(ValidationFailed) as err:
        parse_obsids(text)
    assert piece in err.value.errors["obsids"]


def test_parse_accepts_exactly_the_cap():
    assert len(parse_obsids(f"1-{MAX_OBSIDS}")) == 500


def test_parse_refuses_one_more_than_the_cap():
    with pytest.raises(ValidationFailed) as err:
        parse_obsids(f"1-{MAX_OBSIDS + 1}")
    assert "501" in err.value.errors["obsids"] and "500" in err.value.errors["obsids"]


def test_parse_refuses_the_cap_reached_by_several_pieces():
    with pytest.raises(ValidationFailed) as err:
        parse_obsids("1-400 1000-1100 5000")
    assert "limit is 500" in err.value.errors["obsids"]


def test_parse_refuses_a_huge_range_without_building_it():
    with pytest.raises(ValidationFailed):
        parse_obsids("1-999999999999")


def test_parse_counts_duplicates_once_against_the_cap():
    assert len(parse_obsids("1-500 1-500 250")) == 500


# ------------------------------------------------------------------------------------------------ preview / finalize

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ocat(tmp_path_factory):
    """The demo Ocat (fixture obsids of data/demo_ocat.py) as a read-only source."""
    path = tmp_path_factory.mktemp("express-ocat")
    demo = build_demo_ocat(path / "ocat.db", observations=40, obs_ss=path / "obs_ss")
    return make_source(demo.url)


@pytest.fixture
def config(tmp_path):
    return load_settings({"instance_path": tmp_path, "base_url": "https://usint.example/usint"}, environ={})


def _asis(session, obsid, user, when=NOW - timedelta(days=2)):
    return create_revision(
        session, obsid, kind="asis", sequence_number=1, originals={}, requests={}, notes=None, user=user, now=when
    )


def _norm(session, obsid, user, when=NOW - timedelta(days=1)):
    return create_revision(
        session,
        obsid,
        kind="norm",
        sequence_number=1,
        originals={"targname": "Old"},
        requests={"targname": "New"},
        notes=None,
        user=user,
        now=when,
    )


def test_preview_splits_approvable_and_skipped_with_reasons(session, ocat, people):
    _asis(session, 1001, people["alice"])
    _norm(session, 12345, people["alice"])
    found = preview(session, ocat, [12345, 1001, 1005, 1008, 1010, 1011, 1015, 1016, 999])
    assert found.approvable_obsids == [1005, 1008, 12345]
    reasons = {i.obsid: i.reason for i in found.skipped}
    assert reasons == {
        999: NOT_IN_OCAT,
        1001: ALREADY_APPROVED,
        1010: "Status: observed",
        1011: "Status: archived",
        1015: "Status: canceled",
        1016: "Status: discarded",
    }


def test_preview_marks_an_open_revision_without_blocking(session, ocat, people):
    rev = _norm(session, 12345, people["alice"])
    found = preview(session, ocat, [12345, 1005])
    by_obsid = {i.obsid: i for i in found.approvable}
    assert by_obsid[12345].open_revisions == (rev.obsidrev,) and rev.obsidrev in by_obsid[12345].note
    assert by_obsid[1005].open_revisions == () and by_obsid[1005].note == ""
    assert by_obsid[12345].target_name == "Cas A" and by_obsid[12345].pi_name == "Murray"


def test_preview_of_a_removed_approval_is_approvable_again(session, ocat, people):
    _asis(session, 1005, people["alice"], NOW - timedelta(days=3))
    create_revision(
        session,
        1005,
        kind="remove",
        sequence_number=1,
        originals={},
        requests={},
        notes=None,
        user=people["alice"],
        now=NOW - timedelta(days=2),
    )
    assert preview(session, ocat, [1005]).approvable_obsids == [1005]


def test_finalize_writes_one_asis_revision_per_obsid_signed_by_the_user(session, ocat, people, config):
    result = finalize(session, ocat, [1005, 1008], user=people["alice"], now=NOW, settings=config)
    assert result.approved == {1005: "1005.001", 1008: "1008.001"} and result.skipped == []
    for obsid in (1005, 1008):
        view = get_revision(session, obsid, 1)
        assert view.kind == "asis" and view.user == "alice" and view.originals == {} and view.requests == {}
        assert view.signoff["usint"] == {"status": "Signed", "user": "alice", "time": NOW}
        assert {view.signoff[c]["status"] for c in ("general", "acis", "acis_si", "hrc_si")} == {"Not Required"}
        assert is_approved(session, obsid)


def test_finalize_queues_one_approval_mail_per_obsid(session, ocat, people, config):
    finalize(session, ocat, [12345, 1005], user=people["alice"], now=NOW, settings=config)
    mails = session.scalars(select(Outbox).order_by(Outbox.id)).all()
    assert [m.subject for m in mails] == [
        "Parameter Change Log: 1005.001 (Approved)",
        "Parameter Change Log: 12345.001 (Approved)",
    ]
    assert all(m.recipients == ["alice@demo.usint.invalid"] for m in mails)
    body = mails[1].body
    assert "Obsid = 12345" in body and "Target Name = Cas A" in body and "User = alice" in body
    assert "VERIFIED OK AS IS" in body and "PAST REMARKS = Avoid the bright star" in body
    assert "https://usint.example/usint/chkupdata/12345.001" in body and "{obsidrev}" not in body


def test_finalize_rechecks_what_changed_since_the_preview(session, ocat, people, config):
    seen = preview(session, ocat, [1005, 1008, 12345])
    assert seen.approvable_obsids == [1005, 1008, 12345]
    _asis(session, 1008, people["demo"], NOW - timedelta(minutes=5))  # someone approved it meanwhile
    result = finalize(session, ocat, seen.approvable_obsids, user=people["alice"], now=NOW, settings=config)
    assert sorted(result.approved) == [1005, 12345]
    assert [(i.obsid, i.reason) for i in result.skipped] == [(1008, ALREADY_APPROVED)]
    assert [r.kind for r in history(session, 1008)] == ["asis"]  # no duplicate asis revision
    assert len(session.scalars(select(Outbox)).all()) == 2


def test_finalize_skips_obsids_not_in_the_ocat_or_closed(session, ocat, people, config):
    result = finalize(session, ocat, [999, 1010], user=people["alice"], now=NOW, settings=config)
    assert result.approved == {} and {i.obsid for i in result.skipped} == {999, 1010}
    assert session.scalars(select(Revision)).all() == []


@pytest.mark.parametrize("who", ["bob", "frank"])
def test_finalize_needs_the_approve_permission(session, ocat, people, config, who):
    with pytest.raises(Forbidden):
        finalize(session, ocat, [1005], user=people[who], now=NOW, settings=config)
    assert session.scalars(select(Revision)).all() == []


def test_finalize_refuses_more_than_the_cap(session, ocat, people, config):
    with pytest.raises(ValidationFailed):
        finalize(session, ocat, list(range(1, 502)), user=people["alice"], now=NOW, settings=config)
