"""Pieces every USINT message shares: the header lines (labels of labels.json) and the page links."""

from __future__ import annotations


def header_lines(obsid: int, sequence_number: object, target_name: object, username: str) -> list[str]:
    """`Obsid = …`, `Sequence Number = …`, `Target Name = …`, `User = …` as v2.1 writes them."""
    return [
        f"Obsid = {obsid}",
        f"Sequence Number = {sequence_number if sequence_number is not None else ''}",
        f"Target Name = {target_name if target_name is not None else ''}",
        f"User = {username}",
    ]


def status_page_link(base_url: str) -> str:
    return f"Parameter Status Page: {base_url.rstrip('/')}/orupdate"


def check_page_link(base_url: str, obsidrev: str) -> str:
    return f"Parameter Check Page: {base_url.rstrip('/')}/chkupdata/{obsidrev}"


def links(base_url: str, obsidrev: str) -> list[str]:
    """The two links at the foot of every revision message."""
    return ["", status_page_link(base_url), check_page_link(base_url, obsidrev)]
