"""Plain text with its URLs as links, for any page showing text that may hold one (warnings, notes, remarks)."""

from __future__ import annotations

from dash import html

from web.text_links import split_urls


def linked(text: str | None) -> list[str | html.A]:
    """`text` as Dash children: its URLs become links opening in a new tab, the rest stays text."""
    return [
        html.A(part, href=part, target="_blank", rel="noopener") if is_url else part
        for part, is_url in split_urls(text or "")
    ]
