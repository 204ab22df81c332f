"""pandas and numpy, loaded on first use (docs/decisions.md, D23).

Together they are about 50 MiB of every worker's memory, and the status board, the editor and the status API never
use them, nor do the check and history pages (the merge is plain Python): a worker that serves only those never
loads them. The modules that work with frames (analytics) write, at the top of the module,

    if TYPE_CHECKING:
        import pandas as pd
    else:
        pd = lazy_module("pandas")

The module is imported at the first attribute read; its namespace is then copied onto the stand-in, so later
reads cost what any module attribute costs. Nothing is put in `sys.modules` before that (libraries that look there
for pandas, such as plotly, keep finding none).
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for the module `name` until its first attribute read imports it."""

    def __init__(self, name: str) -> None:
        self._lazy_name = name

    def __getattr__(self, attr: str) -> Any:  # called only until the namespace is copied
        module = importlib.import_module(self._lazy_name)
        self.__dict__.update(vars(module))
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._lazy_name!r}>"


def lazy_module(name: str) -> Any:
    """A stand-in for the module `name`, imported when first used."""
    return LazyModule(name)
