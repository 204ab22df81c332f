"""URLs inside plain text (help, warnings, notes, remarks) found once, so every page can show them as links."""

from __future__ import annotations

import re
from html import escape

URL = re.compile(r"https?://[^\s<>\"'\])]+")
TRAILING = ".,;:!?"
"""Punctuation after a URL ends the sentence, not the URL."""


def split_urls(text: str) -> list[tuple[str, bool]]:
    """`text` as (part, is_url) pieces in order; joined, the parts give `text` back."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for found in URL.finditer(text):
        url = found.group().rstrip(TRAILING)
        if not url.partition("://")[2]:
            continue
        if found.start() > at:
            pieces.append((text[at : found.start()], False))
        pieces.append((url, True))
        at = found.start() + len(url)
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def linked_html(text: str) -> str:
    """`text` escaped for HTML, its URLs as links (opening in a new tab)."""
    return "".join(
        f'<a href="{escape(part)}" target="_blank" rel="noopener">{escape(part)}</a>' if is_url else escape(part)
        for part, is_url in split_urls(text)
    )
