"""The `parameters` table, seeded from the catalogue (D3, K15); ids are always resolved by name."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.errors import ValidationFailed
from data.models import Parameter
from data.parameters import catalogue


def _row(name: str) -> dict[str, object]:
    param = catalogue.PARAMETERS[name]
    data_type = f"{param.kind}-list" if param.rank_set else param.kind
    return {"is_modifiable": bool(param.editable), "data_type": data_type, "description": param.label or name}


def seed_parameters(session: Session) -> int:
    """Insert the catalogue's stored parameters that are missing and refresh changed ones; returns rows touched.

    Idempotent; existing ids are kept (production ids came from v2.1's migration and are never assumed).
    """
    existing = {p.name: p for p in session.scalars(select(Parameter))}
    touched = 0
    for name in catalogue.stored_names():
        values = _row(name)
        row = existing.get(name)
        if row is None:
            session.add(Parameter(name=name, **values))
            touched += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            touched += 1
    session.flush()
    return touched


def _seed_concurrently(session: Session, attempts: int = 5) -> None:
    """Seed inside a SAVEPOINT; when a concurrent session seeded first, its rows are simply used."""
    for _ in range(attempts):
        try:
            with session.begin_nested():
                seed_parameters(session)
            return
        except IntegrityError:
            continue


def parameter_ids(session: Session, names: Iterable[str] | None = None) -> dict[str, int]:
    """`{name: id}` of the `parameters` rows; with `names`, seeds the table if one is missing and checks all exist."""
    ids = dict(session.execute(select(Parameter.name, Parameter.id)).tuples().all())
    if names is None:
        return ids
    wanted = set(names)
    if wanted - ids.keys():
        _seed_concurrently(session)
        ids = dict(session.execute(select(Parameter.name, Parameter.id)).tuples().all())
    missing = sorted(wanted - ids.keys())
    if missing:
        raise ValidationFailed({n: f"{n} is not a known parameter" for n in missing})
    return ids
