"""The home page's reference links (v2.1's organisational page): sections of links to procedures, letters, mail
archives, schedules and instrument pages, kept as data so an instance can change them (`USINT_REFERENCE_LINKS`).

A value is a list of sections `{"title": str, "links": [link, ...]}`; a link is `{"text": str, "url": str,
"note": str, "internal": bool, "links": [link, ...]}` where only `text` is required (a link without `url` is a
heading for its own `links`, one level deep). `internal` marks pages reachable only inside the CfA network (v2.1's
red [i]). URLs are `http(s)://…`, `mailto:…` or a path of this app (`/approved`); anything else is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULTS_PATH = Path(__file__).parent / "reference" / "home_links.json"
URL_STARTS = ("https://", "http://", "mailto:", "/")


@dataclass(frozen=True)
class Link:
    """One link; `links` are the ones listed under it."""

    text: str
    url: str | None = None
    note: str = ""
    internal: bool = False
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Section:
    """A titled list of links (a card on the home page)."""

    title: str
    links: tuple[Link, ...]


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"{where}: '{key}' must be {'a non-empty' if required else 'a'} string")
    return value.strip()


def _link(raw: Any, where: str, depth: int) -> Link:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected an object with 'text' and 'url'")
    text = _text(raw, "text", where, required=True)
    url = _text(raw, "url", where, required=False) or None
    if url is not None and (not url.startswith(URL_STARTS) or url.startswith("//") or any(c.isspace() for c in url)):
        raise ValueError(f"{where}: url {url!r} must start with https://, http://, mailto: or /")
    children = raw.get("links") or ()
    if children and depth > 0:
        raise ValueError(f"{where}: links nest one level only")
    if url is None and not children:
        raise ValueError(f"{where}: a link needs a 'url' or 'links'")
    return Link(
        text=text,
        url=url,
        note=_text(raw, "note", where, required=False),
        internal=bool(raw.get("internal", False)),
        links=_links(children, f"{where} > {text}", depth + 1),
    )


def _links(raw: Any, where: str, depth: int) -> tuple[Link, ...]:
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise ValueError(f"{where}: 'links' must be a list")
    return tuple(_link(item, f"{where} #{i + 1}", depth) for i, item in enumerate(raw))


def parse_sections(value: Any) -> tuple[Section, ...]:
    """Sections from their data (a list, or its JSON text); ValueError names the first bad entry."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as err:
            raise ValueError(f"not valid JSON ({err.msg})") from None
    if isinstance(value, Sequence) and all(isinstance(s, Section) for s in value):
        return tuple(value)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError("expected a list of sections")
    sections = []
    for i, raw in enumerate(value):
        where = f"section #{i + 1}"
        if not isinstance(raw, Mapping):
            raise ValueError(f"{where}: expected an object with 'title' and 'links'")
        title = _text(raw, "title", where, required=True)
        sections.append(Section(title=title, links=_links(raw.get("links", ()), where, 0)))
    return tuple(sections)


def default_sections() -> tuple[Section, ...]:
    """v2.1's home page links (`reference/home_links.json`)."""
    return parse_sections(DEFAULTS_PATH.read_text())


__all__ = ["Link", "Section", "default_sections", "parse_sections"]
