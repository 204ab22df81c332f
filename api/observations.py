"""API routes: `GET /api/v1/observations/<obsid>` — the Ocat record as the editor sees it (INTERFACE.md)."""

from __future__ import annotations

from flask import jsonify

from api._blueprint import bp
from data.errors import ValidationFailed
from data.events import jsonable
from data.ids import parse_obsid
from data.ocat import read as ocat
from data.parameters.catalogue import RANK_SETS
from data.revisions import store as revisions
from web.db import ocat_source, resources, session_scope


@bp.get("/observations/<text>")
def get_observation(text: str):  # noqa: ANN201 - a Flask response

    obsid = parse_obsid(text)
    if obsid is None:
        raise ValidationFailed({"obsid": f"{text[:40]!r} is not an obsid (1 to 9 digits 0-9)"})
    record = ocat.read_observation(ocat_source(), obsid, resources().settings.obs_ss)
    ranks = {key: jsonable(record.get(rs.records_key) or []) for key, rs in RANK_SETS.items()}
    skip = {rs.records_key for rs in RANK_SETS.values()}
    with session_scope(readonly=True) as session:
        approved = revisions.is_approved(session, obsid)
        open_revs = [r.obsidrev for r in revisions.open_revisions(session, [obsid])]
    return jsonify(
        {
            "obsid": obsid,
            "parameters": jsonable({k: v for k, v in record.items() if k not in skip}),
            "ranks": ranks,
            "approved": approved,
            "open_revisions": open_revs,
        }
    )
