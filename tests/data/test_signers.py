"""Sign-off labels and permissions tell one story (#16): `signers` says who may sign, and no label names a team
the permissions do not give the column."""

from __future__ import annotations

from data.parameters.catalogue import SIGNOFF_COLUMNS, SIGNOFF_LABELS
from data.settings import DEFAULT_PERMISSIONS
from data.users import GROUP_NAMES, signers


def test_signers_reads_the_permissions() -> None:
    assert signers("general", DEFAULT_PERMISSIONS) == "ArcOps or USINT"
    assert signers("acis", DEFAULT_PERMISSIONS) == "ACIS or USINT"
    assert signers("acis_si", DEFAULT_PERMISSIONS) == "ACIS or USINT"
    assert signers("hrc_si", DEFAULT_PERMISSIONS) == "HRC or USINT"
    assert signers("usint", DEFAULT_PERMISSIONS) == "USINT"
    assert signers("general", {"general": ("arcops", "acis", "usint")}) == "ArcOps, ACIS or USINT"
    assert signers("general", {}) == "admin"


def test_no_label_names_a_team_that_may_not_sign_its_column() -> None:
    for column in SIGNOFF_COLUMNS:
        label = SIGNOFF_LABELS[column]
        assert "(" not in label, f"{column}: {label!r} names a team; say who signs with signers()"
        allowed = set(DEFAULT_PERMISSIONS[column])
        for group, name in GROUP_NAMES.items():
            if name in label.split() and group not in allowed and name not in ("ACIS", "HRC", "USINT"):
                raise AssertionError(f"{column}: {label!r} names {name}, who may not sign it")
