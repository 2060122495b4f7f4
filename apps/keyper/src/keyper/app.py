"""The Flask application factory `create_app()` (gunicorn: `keyper.app:create_app()`)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from keyper.config import Settings
from keyper.context import EXTENSION, Services, close_directory
from keyper.errors import ApiError
from keyper.routes import auth, groups, hosts, public, users
from keyper.sshca import CertificateAuthority
from keyper.tokens import TokenService

log = logging.getLogger("keyper")


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> tuple[Response, int]:
        # method and path only: query strings and bodies may carry passwords or tokens
        level = logging.ERROR if exc.status >= 500 else logging.INFO
        log.log(level, "%s %s -> %d %s", request.method, request.path, exc.status, exc.message)
        return _error(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        status = exc.code or 500
        return _error(status, exc.description or exc.name)

    @app.errorhandler(Exception)
    def internal(exc: Exception) -> tuple[Response, int]:
        log.error("%s %s -> 500 %s", request.method, request.path, type(exc).__name__)
        return _error(500, "internal error")


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app from environment variables (ConfigError names a bad one)."""
    settings = Settings.from_environ(os.environ if environ is None else environ)
    app = Flask("keyper")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    ca = CertificateAuthority(settings)
    tokens = TokenService(settings.token_secret, settings.token_ttl, settings.state_dir)
    app.extensions[EXTENSION] = Services(settings, ca, tokens)
    for blueprint in (public.bp, auth.bp, users.bp, hosts.bp, groups.bp):
        app.register_blueprint(blueprint, url_prefix="/api")
    app.teardown_appcontext(close_directory)
    _register_errors(app)
    return app
