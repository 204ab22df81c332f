"""Seeding the `parameters` table from the catalogue (D3)."""

from __future__ import annotations

from sqlalchemy import func, select

from data.models import Parameter
from data.parameters import catalogue
from data.parameters.table import parameter_ids, seed_parameters


def test_seed_adds_every_stored_parameter_once(session):
    seed_parameters(session)
    assert seed_parameters(session) == 0
    assert session.scalar(select(func.count()).select_from(Parameter)) == len(catalogue.stored_names())


def test_seed_keeps_existing_ids_and_refreshes_labels(session):
    session.add(Parameter(id=901, name="targname", is_modifiable=False, data_type="?", description="old"))
    session.flush()
    seed_parameters(session)
    row = session.scalar(select(Parameter).where(Parameter.name == "targname"))
    assert row.id == 901
    assert row.description == catalogue.PARAMETERS["targname"].label
    assert parameter_ids(session)["targname"] == 901


def test_rank_columns_are_typed_as_lists(session):
    seed_parameters(session)
    assert session.scalar(select(Parameter.data_type).where(Parameter.name == "tstart")).endswith("-list")
