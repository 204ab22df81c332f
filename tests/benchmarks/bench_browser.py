"""Browser benchmark: time to content of every page in headless Chromium, served by gunicorn, cold and warm cache.

    python -m tests.benchmarks.bench_browser [--runs 5] [--scales demo,100k] [--pages editor,board,...]

For each scale (the 300-observation demo instance; the demo Ocat at --observations with --revisions revisions,
seeded by `usint demo seed`) gunicorn serves the app (its configured workers, signed in as `demo` through
USINT_DEV_USER) and one headless Chromium opens each page --runs times with a cold cache (CDP: browser cache
cleared and disabled) and --runs times with a warm cache (after one unmeasured visit). Time to content: from
navigation start until the page's own content is visible (a selector per page: the editor's target name input
has its value, the board grid has rows, a history figure is drawn, …) and no Dash loading indicator remains
(no pending callback, no spinner), measured inside the page (performance.now(), checked every frame).
Beside it: the server time (request → first byte of the page, /_dash-layout, /_dash-dependencies and every
callback request before content, from Resource Timing), the number of Dash requests and the bytes on the wire.
At each scale the board is also refreshed twice through its interval (nothing changed, then after one sign-off
through the API) and the refresh answer's bytes on the wire are recorded.
Prints a table with the targets (warm ≤ 1.0 s, editor and analytics ≤ 1.5 s; cold ≤ 2.5 s; board refresh
≤ 150 KB on the wire) and writes bench-results/browser.json. Exits 1 when a page never showed its content.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from pages._ids import AnalyticsIds, BoardIds, CheckIds, ExpressIds, HistoryIds, HomeIds, SchedulerIds, UndoIds
from tests.benchmarks.bench_load import Server

ROOT = Path(__file__).resolve().parents[2]
USER = "demo"  # usint, too and admin: every page shows everything
WARM_S, WARM_SLOW_S, COLD_S, REFRESH_KB = 1.0, 1.5, 2.5, 150.0
TIMEOUT_S = 60.0
DASH_CALLS = ("/_dash-layout", "/_dash-dependencies", "/_dash-update-component")

# Helpers every page predicate may use, and "Dash is still busy": the initial "Loading..." or any pending
# callback (the renderer shows ._dash-loading-callback while one is in flight), or a visible spinner.
JS_HELPERS = """
const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
const byId = (id) => document.getElementById(id);
const text = (id) => (byId(id) || {}).textContent || '';
const busy = () => document.querySelector('._dash-loading, ._dash-loading-callback') !== null
  || [...document.querySelectorAll('.dash-spinner, [class^="dash-default-spinner"], .spinner-border, .spinner-grow')]
       .some(visible);
"""

# Installed in every new document before its scripts run (CDP Page.addScriptToEvaluateOnNewDocument): records
# when the page's predicate first holds (`content`) and when it holds with Dash idle (`ready`, the figure).
WATCHER = """
(() => {
  if (location.protocol === 'about:') return;
  %(helpers)s
  const ready = () => { %(predicate)s };
  window.__bench = {content: null, ready: null};
  const tick = () => {
    try {
      if (document.body && ready()) {
        if (window.__bench.content === null) window.__bench.content = performance.now();
        if (!busy()) { window.__bench.ready = performance.now(); return; }
      }
    } catch (e) {}
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""

# Resource Timing of the navigation and of Dash's requests up to `until` (ms since navigation start).
TIMINGS = """
const until = arguments[0];
const calls = arguments[1];
const nav = performance.getEntriesByType('navigation')[0];
const res = performance.getEntriesByType('resource');
const dash = res.filter((e) => calls.some((c) => e.name.includes(c)) && e.responseEnd <= until + 1);
const ttfb = (e) => Math.max(0, e.responseStart - e.requestStart);
return {
  server_ms: ttfb(nav) + dash.reduce((s, e) => s + ttfb(e), 0),
  document_ms: ttfb(nav),
  dash_requests: dash.length,
  dash_server_ms: dash.map(ttfb),
  wire_kb: (nav.transferSize + res.reduce((s, e) => s + (e.transferSize || 0), 0)) / 1024,
  dash_wire_kb: dash.reduce((s, e) => s + (e.transferSize || 0), 0) / 1024,
  dash_body_kb: dash.reduce((s, e) => s + (e.decodedBodySize || 0), 0) / 1024,
};
"""


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # may hold {obsidrev}, {obsid}
    predicate: str  # JS returning true once the page shows its real content
    warm_target_s: float = WARM_S


def field_js(name: str) -> str:
    """The editor field's input (pattern-matching id, keys sorted as Dash writes them)."""
    return json.dumps(json.dumps({"name": name, "type": "editor-field"}, separators=(",", ":"), sort_keys=True))


def editor_predicate(obsid: int) -> str:
    return (
        f"const f = byId({field_js('targname')}); "
        f"return visible(f) && !!f.value && text('editor-header').includes('{obsid}');"
    )


PAGES = (
    Page(
        "home",
        "/",
        f"const l = byId('{HomeIds.MY_REVISIONS}'); return visible(l) && l.textContent.trim() !== '' "
        "&& !l.textContent.includes('Loading');",
    ),
    Page("editor ACIS-S", "/ocatdatapage/12345", editor_predicate(12345), WARM_SLOW_S),
    Page("editor HRC-S", "/ocatdatapage/1001", editor_predicate(1001), WARM_SLOW_S),
    Page(
        "check page",
        "/chkupdata/{obsidrev}",
        f"return text('{CheckIds.HEADING}').includes('{{obsidrev}}') && visible(document.querySelector('#check-values .ag-center-cols-container [row-id]'));",
    ),
    Page(
        "status board",
        "/orupdate",
        f"return visible(document.querySelector('#{BoardIds.GRID} .ag-center-cols-container [role=row]'));",
    ),
    Page("express", "/express", f"return visible(byId('{ExpressIds.INPUT}'));"),
    Page(
        "history",
        "/history/{obsid}",
        f"return text('{HistoryIds.HEADING}').includes('{{obsid}}') "
        f"&& visible(document.querySelector('#{HistoryIds.TIMELINE} .main-svg'));",
    ),
    Page(
        "analytics",
        "/analytics",
        f"return text('{AnalyticsIds.SUMMARY}').trim() !== '' "
        f"&& visible(document.querySelector('#{AnalyticsIds.WEEKLY} .main-svg .gtitle'));",
        WARM_SLOW_S,
    ),
    Page(
        "scheduler",
        "/scheduler",
        f"return visible(document.querySelector('#{SchedulerIds.CALENDAR} .scheduler-segment'));",
    ),
    Page(
        "rm_submission",
        "/rm_submission",
        f"const l = byId('{UndoIds.LIST}'); return visible(l) && l.textContent.trim() !== '';",
    ),
)


# ------------------------------------------------------------------------------------------------------ the browser


def chromium() -> Any:
    options = webdriver.ChromeOptions()
    if Path("/usr/bin/chromium").exists():
        options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000",
    ):
        options.add_argument(arg)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(TIMEOUT_S + 5)
    driver.set_page_load_timeout(TIMEOUT_S)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Performance.enable", {})
    return driver


def visit(driver: Any, url: str) -> dict[str, Any]:
    """Open `url` (from about:blank) and wait for the watcher's ready mark; the figures of this visit."""
    driver.get("about:blank")
    driver.get(url)
    marks = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const limit = performance.now() + arguments[0];
        const wait = () => {
          const b = window.__bench;
          if (b && b.ready !== null) return done(b);
          if (performance.now() > limit) return done(b || {content: null, ready: null});
          setTimeout(wait, 20);
        };
        wait();
        """,
        TIMEOUT_S * 1000,
    )
    if marks.get("ready") is None:
        return {"ready_s": None, "content_s": marks.get("content")}
    timing = driver.execute_script(TIMINGS, marks["ready"], list(DASH_CALLS))
    return {"ready_s": marks["ready"] / 1000, "content_s": (marks["content"] or marks["ready"]) / 1000, **timing}


def measure_page(driver: Any, base: str, page: Page, context: dict[str, Any], runs: int) -> dict[str, Any]:
    predicate = page.predicate.replace("{obsidrev}", str(context["obsidrev"])).replace("{obsid}", str(context["obsid"]))
    url = base + page.path.format(**context)
    script = WATCHER % {"helpers": JS_HELPERS, "predicate": predicate}
    handle = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": script})["identifier"]
    try:
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        visit(driver, url)  # fills the browser cache, and gets the server past its first request for the page
        warm = [visit(driver, url) for _ in range(runs)]
        cold = []
        for _ in range(runs):
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
            cold.append(visit(driver, url))
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": handle})
    return {"url": url, "cold": summary(cold), "warm": summary(warm)}


def summary(visits: list[dict[str, Any]]) -> dict[str, Any]:
    done = [v for v in visits if v.get("ready_s") is not None]
    out: dict[str, Any] = {"n": len(visits), "timeouts": len(visits) - len(done)}
    if not done:
        return out

    def med(key: str) -> float:
        return round(statistics.median(v[key] for v in done), 3)

    out.update(
        median_s=med("ready_s"),
        min_s=round(min(v["ready_s"] for v in done), 3),
        max_s=round(max(v["ready_s"] for v in done), 3),
        content_s=med("content_s"),
        server_ms=round(statistics.median(v["server_ms"] for v in done), 1),
        document_ms=round(statistics.median(v["document_ms"] for v in done), 1),
        dash_requests=int(statistics.median(v["dash_requests"] for v in done)),
        wire_kb=round(statistics.median(v["wire_kb"] for v in done), 1),
        dash_wire_kb=round(statistics.median(v["dash_wire_kb"] for v in done), 1),
        dash_body_kb=round(statistics.median(v["dash_body_kb"] for v in done), 1),
    )
    return out


# ------------------------------------------------------------------------------------------------------ board refresh

REFRESH_ENTRY = """
const after = arguments[0];
const done = arguments[arguments.length - 1];
const limit = performance.now() + arguments[1];
const wait = () => {
  const hits = performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/_dash-update-component') && e.startTime >= after && e.responseEnd > 0);
  const idle = document.querySelector('._dash-loading-callback') === null;
  if (hits.length && idle) {
    return done(hits.map((e) => ({wire: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize,
                                  ms: e.responseEnd - e.startTime, server_ms: e.responseStart - e.requestStart})));
  }
  if (performance.now() > limit) return done([]);
  setTimeout(wait, 20);
};
wait();
"""


def tick(driver: Any, n: int) -> dict[str, Any] | None:
    """Fire the board's interval as a tick would and return its callback answer's size and time."""
    after = driver.execute_script(
        f"const t = performance.now(); window.dash_clientside.set_props('{BoardIds.TICK}', {{n_intervals: {n}}}); "
        "return t;"
    )
    hits = driver.execute_async_script(REFRESH_ENTRY, after, TIMEOUT_S * 1000)
    if not hits:
        return None
    hit = max(hits, key=lambda h: h["decoded"])
    return {
        "wire_kb": round(hit["wire"] / 1024, 1),
        "body_kb": round(hit["encoded"] / 1024, 1),
        "json_kb": round(hit["decoded"] / 1024, 1),
        "ms": round(hit["ms"], 1),
        "server_ms": round(hit["server_ms"], 1),
    }


def sign_one(base: str) -> str | None:
    """Sign one pending column of an open revision through the API (so the board's change token moves)."""
    http = requests.Session()
    http.headers.update({"Remote-User": USER})
    for row in http.get(f"{base}/api/v1/status", timeout=60).json():
        if row["state"] != "open":
            continue
        for column, state in row["signoff"].items():
            if state["status"] != "Pending":
                continue
            body = {"obsidrev": row["obsidrev"], "column": column, "action": "sign", "expected": "Pending"}
            if http.post(f"{base}/api/v1/signoffs", json=body, timeout=60).status_code == 200:
                return f"{row['obsidrev']} {column}"
    return None


def measure_refresh(driver: Any, base: str) -> dict[str, Any]:
    page = next(p for p in PAGES if p.name == "status board")
    script = WATCHER % {"helpers": JS_HELPERS, "predicate": page.predicate}
    handle = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": script})["identifier"]
    try:
        loaded = visit(driver, base + page.path)
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": handle})
    if loaded["ready_s"] is None:
        return {"error": "the board never showed rows"}
    unchanged = tick(driver, 1)
    signed = sign_one(base)
    changed = tick(driver, 2)
    rows = driver.execute_script(
        f"return document.querySelectorAll('#{BoardIds.GRID} .ag-center-cols-container [role=row]').length;"
    )
    return {"unchanged": unchanged, "signed": signed, "after_change": changed, "rendered_rows": rows}


# ------------------------------------------------------------------------------------------------------ a scale


def context_of(base: str) -> dict[str, Any]:
    """An existing obsid.rev for the check page (the newest of obsid 12345), and the history's obsid."""
    answer = requests.get(
        f"{base}/api/v1/revisions", params={"obsid": 12345}, headers={"Remote-User": USER}, timeout=60
    )
    answer.raise_for_status()
    found = answer.json()
    listed = found.get("revisions", found) if isinstance(found, dict) else found
    names = [r["obsidrev"] if isinstance(r, dict) else str(r) for r in listed]
    newest = max(names, key=lambda n: int(n.split(".")[1]), default="12345.001")
    return {"obsidrev": newest, "obsid": 12345}


def seed_scale(instance: Path, observations: int, revisions: int) -> float:
    """`usint demo seed` into a fresh instance (the demo first, then the Ocat and revisions at scale)."""
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if not k.startswith("USINT_")}
    env["USINT_INSTANCE_PATH"] = str(instance)
    flask = Path(sys.executable).with_name("flask")
    command = [str(flask), "--app", "dashboard:server", "usint", "demo", "seed"]
    command += ["--observations", str(observations), "--revisions", str(revisions)]
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def run_scale(name: str, args: argparse.Namespace, pages: list[Page]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"usint-browser-{name}-") as tmp:
        instance = Path(tmp) / "instance"
        instance.mkdir()
        seeded_s = None
        if name != "demo":
            print(f"[{name}] seeding {args.observations} observations, {args.revisions} revisions …", flush=True)
            seeded_s = round(seed_scale(instance, args.observations, args.revisions), 1)
            print(f"[{name}] seeded in {seeded_s} s", flush=True)
        load_start = round(os.getloadavg()[0], 1)  # other work on the machine slows every figure
        server = Server(instance, None)
        server.env["USINT_DEV_USER"] = USER
        driver = None
        try:
            boot_s = server.start()
            server.warm()
            print(f"[{name}] gunicorn up on {server.base} with {server.workers} workers in {boot_s:.1f} s", flush=True)
            context = context_of(server.base)
            driver = chromium()
            results = {}
            for page in pages:
                started = time.perf_counter()
                results[page.name] = measure_page(driver, server.base, page, context, args.runs)
                line(name, page, results[page.name], time.perf_counter() - started)
            refresh = measure_refresh(driver, server.base)
            print(f"[{name}] board refresh: {refresh}", flush=True)
        finally:
            if driver is not None:
                with contextlib.suppress(Exception):
                    driver.quit()
            server.stop()
    return {
        "scale": name,
        "seeded_s": seeded_s,
        "workers": server.workers,
        "loadavg_1min": {"start": load_start, "end": round(os.getloadavg()[0], 1)},
        "pages": results,
        "board_refresh": refresh,
    }


def line(scale: str, page: Page, result: dict[str, Any], spent: float) -> None:
    cold, warm = result["cold"], result["warm"]
    print(
        f"[{scale}] {page.name:<14} cold {fmt(cold.get('median_s'))} s  warm {fmt(warm.get('median_s'))} s  "
        f"server {warm.get('server_ms', '-')} ms  ({spent:.0f} s)",
        flush=True,
    )


def fmt(value: float | None) -> str:
    return "timeout" if value is None else f"{value:5.2f}"


def mark(value: float | None, target: float) -> str:
    if value is None:
        return "timeout"
    return f"{value:.2f}{' ' if value <= target else '!'}"


def table(results: list[dict[str, Any]], pages: list[Page]) -> None:
    """One row per page: each scale's cold and warm median beside the target, and the server time."""
    print("\nTime to content, median s (! = over target); server = request to first byte, summed, ms")
    head = f"{'page':<15}"
    for r in results:
        head += f" | {r['scale'] + ' cold':>11} {r['scale'] + ' warm':>11} {'server':>7}"
    print(head + " | targets cold/warm")
    for page in pages:
        row = f"{page.name:<15}"
        for r in results:
            got = r["pages"].get(page.name, {})
            cold, warm = got.get("cold", {}), got.get("warm", {})
            row += f" | {mark(cold.get('median_s'), COLD_S):>11} {mark(warm.get('median_s'), page.warm_target_s):>11}"
            row += f" {warm.get('server_ms', '-'):>7}"
        print(row + f" | ≤ {COLD_S:g} / ≤ {page.warm_target_s:g}")
    for r in results:
        load = r["loadavg_1min"]
        print(
            f"[{r['scale']}] machine load average {load['start']} at start, {load['end']} at end ({os.cpu_count()} CPUs)"
        )
        changed = (r.get("board_refresh") or {}).get("after_change") or {}
        kb = changed.get("wire_kb")
        verdict = "" if kb is None else (" (over target)" if kb > REFRESH_KB else "")
        print(
            f"board refresh after a change [{r['scale']}]: {kb} KB on the wire "
            f"({changed.get('json_kb')} KB JSON, {changed.get('ms')} ms) target ≤ {REFRESH_KB:g} KB{verdict}"
        )


# ------------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="visits per page and cache state (median)")
    parser.add_argument("--scales", default="demo,100k", help="demo (300 observations) and/or 100k")
    parser.add_argument("--observations", type=int, default=3000, help="demo Ocat size at the large scale")
    parser.add_argument("--revisions", type=int, default=100_000, help="revisions at the large scale")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--out", default="bench-results/browser.json")
    args = parser.parse_args(argv)

    wanted = [p.strip() for p in args.pages.split(",") if p.strip()]
    pages = [p for p in PAGES if not wanted or any(w in p.name for w in wanted)]
    started = time.perf_counter()
    results = [run_scale(s.strip(), args, pages) for s in args.scales.split(",") if s.strip()]
    table(results, pages)
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    targets = {
        "warm_s": WARM_S,
        "warm_editor_analytics_s": WARM_SLOW_S,
        "cold_s": COLD_S,
        "board_refresh_kb": REFRESH_KB,
    }
    out.write_text(json.dumps({"args": vars(args), "targets": targets, "results": results}, indent=2, default=str))
    print(f"written {out.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    timeouts = [
        f"{r['scale']} {name}"
        for r in results
        for name, got in r["pages"].items()
        if got["cold"]["timeouts"] or got["warm"]["timeouts"]
    ]
    if timeouts:
        print("content never shown:", ", ".join(timeouts))
    return 1 if timeouts else 0


if __name__ == "__main__":
    sys.exit(main())
