"""USINT Dash: the application factory, read as a table of contents (E1).

`app = create_app()`, `server = app.server`, `application = server`; `python dashboard.py` runs the
development server on 127.0.0.1:8050.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dash import Dash
from flask import Flask

import api
import cli
from callbacks import (
    analytics,
    approved,
    board,
    chkupdata,
    editor,
    express,
    history,
    home,
    rm_submission,
    scheduler,
    shell,
)
from callbacks._errors import report_error
from data.settings import SettingsError, load_settings
from pages._components import shell as shell_layout
from web import caching, db, errors, headers, health, identity, instance, json_input, logs, plotly_bundle, routing
from web import help as help_pages

HERE = Path(__file__).parent


def create_app(settings: Mapping[str, Any] | None = None) -> Dash:
    """Build the app: settings, instance, logs, DB, identity, Dash pages and callbacks, API, CLI, errors."""
    config = load_settings(settings)
    server = Flask(__name__, instance_path=str(config.instance_path), root_path=str(HERE))
    server.config["USINT"] = config
    instance.prepare_instance(config)
    logs.init_logs(config.log_dir)
    db.init_app(server, config)
    identity.init_app(server)
    caching.configure(server)  # read by flask-compress, which Dash(compress=True) starts

    app = Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        on_error=report_error,
        title="USINT",
        update_title=None,
        compress=True,
    )
    caching.init_app(server)
    plotly_bundle.init_app(app)  # graphs load the basic plotly.js bundle, not the full one
    app.layout = shell_layout.layout
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # screen readers' language
    pages = (shell, home, editor, chkupdata, board, express, rm_submission, scheduler, history, analytics, approved)
    for module in pages:
        module.register(app)

    server.register_blueprint(health.bp)
    server.register_blueprint(help_pages.bp)
    api.init_app(server)
    cli.init_app(server)
    routing.init_app(server)
    json_input.init_app(server)
    errors.init_app(server)
    headers.init_app(app)
    _set_up_now(app)
    return app


def _set_up_now(app: Dash) -> None:
    """Run Dash's first-request set-up (callback map, pages router) now, before any request.

    Dash does it in a `before_request` hook that marks itself done before it has finished, so on a threaded
    worker a second first request could find the pages router not yet registered ("Callback function not
    found"). Here no other thread exists yet."""
    with app.server.test_request_context("/"):
        app.server.preprocess_request()


_APP: Dash | None = None


def __getattr__(name: str) -> Any:
    """`app`, `server` and `application` are made on first use, so importing `create_app` has no side effects."""
    global _APP
    if name in {"app", "server", "application"}:
        if _APP is None:
            try:
                _APP = create_app()
            except SettingsError as err:  # one clear line, no traceback
                print(f"usint: cannot start: {err}", file=sys.stderr)
                raise SystemExit(2) from None
        return _APP if name == "app" else _APP.server
    raise AttributeError(name)


if __name__ == "__main__":
    __getattr__("app").run(host="127.0.0.1", port=8050, debug=False)
