"""`make bench`: run every `bench_*.py` of this folder in turn and print a summary of bench-results/*.json."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE.parents[1] / "bench-results"


def main(names: list[str]) -> int:
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    chosen = [m for m in modules if not names or any(n in m for n in names)]
    failed = []
    for module in chosen:
        print(f"\n=== {module} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"tests.benchmarks.{module}"], cwd=HERE.parents[1])
        print(f"--- {module}: exit {code} in {time.perf_counter() - started:.1f} s", flush=True)
        if code:
            failed.append(module)
    print("\n=== summary (bench-results/) ===")
    for path in sorted(RESULTS.glob("*.json")):
        print(f"{path.name}: {json.dumps(json.loads(path.read_text()), default=str)[:600]}")
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
