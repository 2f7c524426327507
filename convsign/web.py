"""Wiring of the web application: extensions, blueprints, hooks, headers and commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from convsign import cli, errors, i18n, schema
from convsign.extensions import babel, csrf, db, limiter, login_manager, migrate
from convsign.i18n_catalogs import compile_catalogs


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["FORCE_SECURE_COOKIES"] or request.is_secure)


def init_app(app: Flask) -> None:
    """Bind everything to `app`."""
    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    app.session_interface = SessionInterface()
    _init_extensions(app)
    _register_blueprints(app)
    errors.register_error_handlers(app)
    app.before_request(errors.refuse_nul_characters)
    i18n.register_template_filters(app)
    cli.register(app)
    app.after_request(security_headers)
    schema.guard_unmigrated(app)


def _init_extensions(app: Flask) -> None:
    compiled = compile_catalogs(Path(app.instance_path) / "translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(compiled))
    db.init_app(app)
    migrate.init_app(app, db, directory=str(schema.MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _tune_sqlite(app)


def _tune_sqlite(app: Flask) -> None:
    """Foreign keys on; write-ahead log; a busy timeout; BEGIN IMMEDIATE for every transaction.

    IMMEDIATE takes SQLite's write lock when a transaction starts, so two writers queue
    (for up to SQLITE_BUSY_TIMEOUT seconds) instead of one failing when it upgrades its lock;
    that is the row lock PostgreSQL gives us with SELECT ... FOR UPDATE.
    """
    timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT"]) * 1000

    @sa.event.listens_for(db.engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(db.engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _register_blueprints(app: Flask) -> None:
    from convsign.admin import bp as admin_bp
    from convsign.api import bp as api_bp
    from convsign.api import pages as api_pages_bp
    from convsign.audit import bp as audit_bp
    from convsign.auth import bp as auth_bp
    from convsign.clauses.blueprint import bp as clauses_bp
    from convsign.conventions import bp as conventions_bp
    from convsign.dashboard import bp as dashboard_bp
    from convsign.deliberations import bp as deliberations_bp
    from convsign.documents import bp as documents_bp
    from convsign.evidence import bp as evidence_bp
    from convsign.followup import bp as followup_bp
    from convsign.home import bp as home_bp
    from convsign.outbox import bp as outbox_bp
    from convsign.signing import bp as signing_bp
    from convsign.trust import bp as trust_bp
    from convsign.verification import bp as verification_bp

    for blueprint in (home_bp, auth_bp, admin_bp, conventions_bp, documents_bp, signing_bp, trust_bp, audit_bp,
                      evidence_bp, verification_bp, dashboard_bp, deliberations_bp, outbox_bp, followup_bp,
                      api_bp, api_pages_bp, clauses_bp):
        app.register_blueprint(blueprint)


def security_headers(response: Response) -> Response:
    """Headers every response carries; no inline script or style anywhere in the templates."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
