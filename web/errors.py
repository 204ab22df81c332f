"""Error pages and the one error funnel (E4): friendly text, a reference id, the traceback in the error log."""

from __future__ import annotations

import logging
import secrets
from html import escape

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from data.db import storage_problem
from data.errors import UsintError
from web.logs import ERROR_LOGGER

log = logging.getLogger(ERROR_LOGGER)


def new_reference() -> str:
    """A short id that ties what the user sees to the error log line."""
    return secrets.token_hex(4).upper()


def log_exception(err: BaseException, where: str) -> str:
    """Log `err` with its traceback and return the reference id."""
    ref = new_reference()
    log.error("ref=%s %s: %s", ref, where, err, exc_info=err)
    return ref


DATABASE_MESSAGES = {
    "locked": "The revision database is busy: another writer holds its lock. Nothing was saved; please try again "
    "in a minute.",
    "read-only": "The revision database is read-only: the server cannot write to it. Nothing was saved; please "
    "tell the USINT admin.",
    "full": "The revision database is full and refuses to write. Nothing was saved; please tell the USINT admin.",
}


def database_message(err: BaseException) -> str | None:
    """A clear message when the revision DB is locked/busy, read-only or full (nothing was written: the
    transaction rolled back); None for any other error."""

    if not isinstance(err, DBAPIError):
        return None
    problem = storage_problem(err)
    return DATABASE_MESSAGES.get(problem) if problem else None


def _page(title: str, body: str, status: int) -> Response:
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · USINT</title>
<link rel="stylesheet" href="/assets/usint.css"></head><body class="usint-error-page">
<main class="container py-5"><h1>{escape(title)}</h1><p>{body}</p><p><a href="/">Back to the USINT home page</a></p></main>
</body></html>"""
    return Response(html, status=status, mimetype="text/html")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" or request.is_json


def init_app(server: Flask) -> None:
    """JSON errors for the API, friendly HTML pages elsewhere; never a traceback in the browser."""

    @server.errorhandler(UsintError)
    def usint_error(err: UsintError) -> tuple[Response, int] | Response:
        body = {"error": err.user_message}
        if getattr(err, "errors", None):
            body["errors"] = err.errors
        if wants_json():
            return jsonify(body), err.status
        return _page("Request refused", escape(err.user_message), err.status)

    @server.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> tuple[Response, int] | Response:
        status = err.code or 500
        if wants_json():
            return jsonify({"error": err.description or err.name}), status
        if status == 404:
            return _page("Page Not Found", "Please check the address.", 404)
        return _page(err.name, escape(err.description or ""), status)

    @server.errorhandler(Exception)
    def unexpected(err: Exception) -> tuple[Response, int] | Response:
        ref = log_exception(err, f"{request.method} {request.path}")
        message = f"An unexpected error has occurred. It was logged with reference {ref}."
        if wants_json():
            return jsonify({"error": message, "reference": ref}), 500
        return _page("An unexpected error has occurred", escape(message) + " The administrator can look it up.", 500)

    @server.errorhandler(DBAPIError)
    def database_error(err: DBAPIError) -> tuple[Response, int] | Response:
        message = database_message(err)
        if message is None:
            return unexpected(err)
        ref = log_exception(err, f"{request.method} {request.path}")
        if wants_json():
            return jsonify({"error": message, "reference": ref}), 503
        return _page("The revision database is unavailable", escape(message), 503)
