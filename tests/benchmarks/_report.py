"""What the benchmarks share: timing summaries and the printed/JSON report."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any


def ms(samples: list[float]) -> dict[str, float]:
    """Median, min and max of `samples` (seconds) in milliseconds, with the count."""
    return {
        "median_ms": round(statistics.median(samples) * 1000, 3),
        "min_ms": round(min(samples) * 1000, 3),
        "max_ms": round(max(samples) * 1000, 3),
        "n": len(samples),
    }


def report(results: dict[str, Any], targets: dict[str, float], out: str | Path, width: int = 28) -> dict[str, Any]:
    """Print one line per figure (with its target where it has one) and write the results as JSON."""
    for key, value in results.items():
        if isinstance(value, dict) and "median_ms" in value:
            goal = f" (target < {targets[key]:g} ms)" if key in targets else ""
            print(
                f"{key:{width}s} median {value['median_ms']:9.2f} ms  min {value['min_ms']:.2f}  n={value['n']}{goal}"
            )
        else:
            print(f"{key:{width}s} {value}")
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    print(f"written {path}")
    return results
