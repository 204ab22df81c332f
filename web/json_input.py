"""JSON request bodies, read once and strictly, for the API and for Dash's callback POSTs alike.

Refused with a 400 and a message before any handler or callback runs:
- nesting deeper than `MAX_DEPTH` (counted on the text, brackets inside strings ignored, before parsing);
- `NaN`, `Infinity`, `-Infinity` and numbers too large for a float (`1e999`): Python's json reads them as floats,
  so a NaN used to clear a value silently; only an explicit `null` clears one;
- text (keys or values) holding a NUL character (PostgreSQL cannot store one) or a lone UTF-16 surrogate (no
  database or mail can encode one), whether escaped (`\\u0000`, `\\ud800`) or raw in the bytes.

`init_app` makes the server's requests parse JSON this way (`request.get_json()` of Dash and the API) and parses
every JSON write body in a `before_request`, so the refusal is a clean 400 wherever the body goes next.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from flask import Flask, Request, request

from data.errors import UsintError, ValidationFailed

MAX_DEPTH = 64
"""Deepest accepted nesting of arrays and objects (Dash's callback bodies need about 10)."""

_KEEP = b'[]{}"'
_DELETE = bytes(b for b in range(256) if b not in _KEEP)
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_SUSPECT_ESCAPES = ("\\u0000", "\\ud", "\\uD")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RefusedJSON(ValueError):
    """A JSON body the app does not accept; the message says why, `field` where (a path such as `changes.remarks`)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def nesting_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in the UTF-8 JSON `raw`, brackets inside strings ignored; without parsing
    (C-speed byte operations, then one pass over the brackets outside strings)."""
    raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")  # escaped backslashes, then escaped quotes
    kept = raw.translate(None, _DELETE)  # brackets and the quotes that open and close strings
    outside = b"".join(kept.split(b'"')[::2])
    return max(accumulate(map(_STEP.__getitem__, outside)), default=0)


def _refuse_constant(name: str) -> Any:
    raise RefusedJSON(f"{name} is not a number here: send null to clear a value, or a finite number")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise RefusedJSON(f"The number {text[:40]} is too large: send null to clear a value, or a finite number")
    return value


def _bad_text(item: Any) -> str | None:
    """What is wrong with a string (a NUL, a lone surrogate), or None; None for anything but a string."""
    found = _BAD_TEXT.search(item) if isinstance(item, str) else None
    if found is None:
        return None
    return "a NUL character" if found.group() == "\x00" else "a lone UTF-16 surrogate"


def _check_text(value: Any) -> None:
    """Refuse a NUL or a lone surrogate in any key or string of the parsed body (an iterative walk)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif _bad_text(item):
            field, what = _locate(value)
            raise RefusedJSON(f"Text may not contain {what}", field)


def _locate(value: Any) -> tuple[str, str]:
    """(path, problem) of the first bad key or string; walked again only when there is one."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                if what := _bad_text(key):
                    return path or "body", what
                stack.append((f"{path}.{key[:40]}" if path else key[:40], sub))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", sub) for i, sub in enumerate(item))
        elif what := _bad_text(item):
            return path or "body", what
    return "body", "a character it cannot hold"


def strict_loads(data: str | bytes | bytearray) -> Any:
    """Parse a JSON body, refusing (RefusedJSON) deep nesting, NaN/Infinity, NUL and lone surrogates; other
    malformed JSON (or text that is not UTF-8/16/32, raw surrogates included) raises json's own ValueError."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    encoding = json.detect_encoding(data)
    text = bytes(data).decode(encoding)  # strict: a raw surrogate or broken UTF-8 is a UnicodeDecodeError
    if nesting_depth(bytes(data) if encoding == "utf-8" else text.encode()) > MAX_DEPTH:
        raise RefusedJSON(f"The request body nests too deep: at most {MAX_DEPTH} levels of arrays and objects")
    value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    if any(escape in text for escape in _SUSPECT_ESCAPES):  # only escapes can put these in a parsed string
        _check_text(value)
    return value


class _StrictJSON:
    """The `json_module` of `StrictRequest`: werkzeug's `get_json` calls its `loads`."""

    loads = staticmethod(strict_loads)
    dumps = staticmethod(json.dumps)


class StrictRequest(Request):
    """Flask's request, with JSON bodies parsed by `strict_loads`; a bad body is a UsintError (400, JSON)."""

    @property  # type: ignore[override]
    def json_module(self) -> Any:
        return _StrictJSON

    @json_module.setter
    def json_module(self, _provider: Any) -> None:
        """Flask's request context assigns `app.json` to each request; the request keeps parsing strictly."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, RefusedJSON) and e.field:
            raise ValidationFailed({e.field: str(e)}, f"{e.field}: {e}")
        if isinstance(e, RefusedJSON):
            raise UsintError(str(e), 400)
        if e is not None:
            raise UsintError(f"The request body is not valid JSON ({e})", 400)
        return super().on_json_loading_failed(e)


def init_app(server: Flask) -> None:
    """Parse JSON strictly everywhere, and refuse a bad JSON write body before any handler or callback runs."""
    server.request_class = StrictRequest

    @server.before_request
    def refuse_bad_json() -> None:
        if request.method in _WRITES and request.is_json:
            request.get_json()  # parsed once and cached for the handler (silent or not) or Dash
