"""The app shell (E2): location, navbar with quick-jump and identity, notices, the page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from pages._components.nav import PAGE_LINKS
from pages._components.reference_links import contacts_footer
from pages._ids import ShellIds
from web.identity import current_identity


def identity_badge() -> html.Div:
    """The signed-in user's name and groups, or what they are when not registered."""
    who = current_identity()
    if who.anonymous:
        text, detail = "Anonymous", "read only"
    else:
        text = who.full_name or who.username
        detail = ", ".join(who.groups) if who.registered else "not registered"
        if who.registered and not who.active:
            detail += " (inactive)"
    return html.Div(
        [html.Div(text, className="fw-semibold lh-sm"), html.Small(detail, className="opacity-75 d-block lh-sm")],
        id=ShellIds.USER,
        className="text-light text-nowrap ms-xl-3",
        title=who.username or "anonymous",
    )


def quick_jump() -> html.Div:
    """`12345` opens the editor, `12345.004` the check page; anything else says what it expects."""
    return html.Div(
        [
            dbc.InputGroup(
                [
                    dbc.InputGroupText(html.Label("Open", htmlFor=ShellIds.JUMP_INPUT, className="m-0")),
                    dbc.Input(
                        id=ShellIds.JUMP_INPUT,
                        placeholder="obsid or obsid.rev",
                        type="text",
                        debounce=False,
                        size="sm",
                        autoComplete="off",
                        n_submit=0,
                        style={"width": "9.5rem"},
                    ),
                    dbc.Button("Go", id=ShellIds.JUMP_BUTTON, size="sm", color="light", n_clicks=0),
                ],
                size="sm",
                className="flex-nowrap",
            ),
            # In the navbar's flow, as wide as the box and wrapped, so a message never spills onto the page.
            html.Div(
                id=ShellIds.JUMP_FEEDBACK,
                className="small text-warning lh-sm mt-1 text-wrap",
                style={"maxWidth": "15rem", "overflowWrap": "anywhere"},
                role="alert",
            ),
        ],
        className="position-relative ms-lg-3 my-2 my-lg-0",
    )


def navbar() -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(p.name, href=p.path, active="partial", className="text-nowrap px-2 usint-navlink"))
        for p in PAGE_LINKS
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("USINT", href="/", className="fw-bold"),
                dbc.NavbarToggler(id="shell-toggler"),
                dbc.Collapse(
                    [dbc.Nav(links, navbar=True, className="me-auto"), quick_jump(), identity_badge()],
                    navbar=True,
                    is_open=True,
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        expand="xl",
        className="mb-3 usint-navbar",
    )


def layout() -> html.Div:
    """Called per page load, so the identity is the one of this request."""
    who = current_identity()
    notice = (
        dbc.Alert(who.notice, id=ShellIds.IDENTITY_NOTICE, color="warning", className="py-2 mb-3")
        if who.notice
        else html.Div(id=ShellIds.IDENTITY_NOTICE)
    )
    return html.Div(
        [
            dcc.Location(id=ShellIds.URL, refresh="callback-nav"),
            dcc.Location(id=ShellIds.JUMP_REDIRECT, refresh="callback-nav"),
            navbar(),
            dbc.Container(
                [
                    notice,
                    dbc.Toast(
                        id=ShellIds.NOTICE,
                        header="USINT",
                        is_open=False,
                        dismissable=True,
                        duration=12000,
                        icon="danger",
                        className="position-fixed top-0 end-0 m-3 usint-toast",
                    ),
                    html.Main(dash.page_container, id=ShellIds.MAIN),
                ],
                fluid=True,
                className="usint-main",
            ),
            contacts_footer(),
        ]
    )
