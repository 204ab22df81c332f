"""The ORM models: v2.1 tables and columns, named constraints, cascades, the additive tables."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from data.models import Base, Event, Original, Outbox, Request, Revision, Signoff
from tests.factories import NOW, make_revision, make_user

V21_COLUMNS = {
    "users": {"id", "username", "is_active", "email", "groups", "full_name"},
    "revisions": {"id", "obsid", "revision_number", "kind", "sequence_number", "time", "notes", "user_id"},
    "parameters": {"id", "name", "is_modifiable", "data_type", "description"},
    "originals": {"id", "revision_id", "parameter_id", "value"},
    "requests": {"id", "revision_id", "parameter_id", "value"},
    "schedules": {"id", "order_id", "user_id", "start", "stop", "assigner_id"},
}


@pytest.mark.parametrize("table", sorted(V21_COLUMNS))
def test_models_keep_the_v21_columns(table):
    assert set(Base.metadata.tables[table].columns.keys()) == V21_COLUMNS[table]


def test_signoffs_have_three_columns_per_prefix():
    columns = set(Base.metadata.tables["signoffs"].columns.keys())
    for prefix in ("general", "acis", "acis_si", "hrc_si", "usint"):
        assert {f"{prefix}_status", f"{prefix}_signoff_id", f"{prefix}_time"} <= columns


def test_constraints_are_named_by_the_convention(engine):
    uniques = {u["name"] for u in inspect(engine).get_unique_constraints("revisions")}
    assert "uq_revisions_obsid_revision_number" in uniques
    indexes = {i["name"] for i in inspect(engine).get_indexes("revisions")}
    assert {"ix_revisions_obsid_kind", "ix_revisions_time"} <= indexes


def test_obsidrev_pads_the_revision_number_to_three_digits():
    assert Revision(obsid=12345, revision_number=4).obsidrev == "12345.004"
    assert Revision(obsid=7, revision_number=1234).obsidrev == "7.1234"


def test_duplicate_obsid_and_revision_number_is_refused(session):
    rev = make_revision(session)
    session.add(
        Revision(
            obsid=rev.obsid,
            revision_number=rev.revision_number,
            kind="norm",
            sequence_number=1,
            time=0,
            user_id=rev.user_id,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_deleting_a_revision_cascades_to_signoff_originals_and_requests(session):
    rev = make_revision(session)
    session.execute(Revision.__table__.delete().where(Revision.id == rev.id))
    for model in (Signoff, Original, Request):
        assert session.scalar(select(func.count()).select_from(model).where(model.revision_id == rev.id)) == 0


def test_events_and_outbox_hold_json(session):
    user = make_user(session)
    session.add(
        Event(
            time=1, user_id=user.id, username="alice", action="x", target="1.001", before={"a": [1, None]}, after=None
        )
    )
    session.add(
        Outbox(
            created=int(NOW.timestamp()), subject="s", recipients=["a@b"], cc=[], body="b", status="queued", attempts=0
        )
    )
    session.flush()
    session.expire_all()
    assert session.scalar(select(Event.before)) == {"a": [1, None]}
    assert session.scalar(select(Outbox.recipients)) == ["a@b"]
