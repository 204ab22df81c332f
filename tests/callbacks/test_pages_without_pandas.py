"""D23: the check page and the history page read the one merge's rows (plain Python), so a worker that serves them
never loads pandas (about 50 MiB with numpy, 0.3-2 s to import); the analytics page still does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

WORKER = """
import json, sys
from dashboard import create_app
from tests.factories import page_route_request

client = create_app(json.loads(sys.argv[1])).server.test_client()


def answer(path):
    reply = client.post("/_dash-update-component", json=page_route_request(path, ""))
    assert reply.status_code == 200, (path, reply.status_code)
    return reply.get_data(as_text=True)


def props(node, key, found=None):  # every value of `key` in the answer's JSON, depth first
    found = [] if found is None else found
    if isinstance(node, list):
        for item in node:
            props(item, key, found)
    elif isinstance(node, dict):
        if key in node:
            found.append(node[key])
        for value in node.values():
            props(value, key, found)
    return found


def component(text, comp_id):
    return next(p for p in props(json.loads(text), "props") if p.get("id") == comp_id)


check = answer("/chkupdata/12345.001")
history = answer("/history/12345")
facts = {
    "check_rows": len(component(check, "check-values")["rowData"]),
    "history_revisions": props(component(history, "history-current-grid"), "revision"),
    "pandas_after_check_and_history": "pandas" in sys.modules,
}
answer("/analytics")
facts["pandas_after_analytics"] = "pandas" in sys.modules
print(json.dumps(facts))
"""


def test_the_check_and_history_pages_never_load_pandas_analytics_does(settings: dict[str, Any]) -> None:
    """A fresh interpreter on a copy of the demo instance: the two pages arrive filled from the merge's rows with
    pandas still unloaded; the analytics page then loads it (so the check can fail)."""
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(settings)], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    facts = json.loads(done.stdout.splitlines()[-1])
    assert facts["check_rows"] > 50  # the merge's rows, laid out
    assert facts["history_revisions"] and all(r.startswith("12345.") for r in facts["history_revisions"] if r)
    assert facts["pandas_after_check_and_history"] is False
    assert facts["pandas_after_analytics"] is True
