"""Wiring of the application: extensions, blueprints, event subscribers, hooks, headers and commands.

The top of the layers (see README, "Layout"): it may import every feature; none imports it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from convsign import cli, errors, events, i18n, routing, schema
from convsign.admin import delegation_views as _admin_delegation_pages
from convsign.admin import trust_root_views as _admin_trust_root_pages
from convsign.admin import views as _admin_pages
from convsign.admin.blueprint import bp as admin_bp
from convsign.api import bearer as _api_bearer
from convsign.api import conventions as _api_conventions
from convsign.api import decisions as _api_decisions
from convsign.api import deliberations as _api_deliberations
from convsign.api import pages as _api_pages
from convsign.api import problems as _api_problems
from convsign.api import slots as _api_slots
from convsign.api import token_signing as _api_token_signing
from convsign.api import verification as _api_verification
from convsign.api import webhook_events
from convsign.api.blueprint import bp as api_bp
from convsign.api.blueprint import pages as api_pages_bp
from convsign.audit import services as audit
from convsign.auth import views as _auth_pages
from convsign.auth.blueprint import bp as auth_bp
from convsign.conventions import clause_views as _convention_clause_pages
from convsign.conventions import document_views as _convention_document_pages
from convsign.conventions import views as _convention_pages
from convsign.conventions.blueprint import bp as conventions_bp
from convsign.conventions.clause_blueprint import bp as clauses_bp
from convsign.dashboard import views as _dashboard_pages
from convsign.dashboard.blueprint import bp as dashboard_bp
from convsign.deliberations import gate
from convsign.deliberations import views as _deliberation_pages
from convsign.deliberations.blueprint import bp as deliberations_bp
from convsign.evidence import views as _evidence_pages
from convsign.evidence.blueprint import bp as evidence_bp
from convsign.extensions import babel, csrf, db, limiter, login_manager, migrate
from convsign.followup import notifications
from convsign.followup import reminder_views as _followup_reminder_pages
from convsign.followup import views as _followup_pages
from convsign.followup.blueprint import bp as followup_bp
from convsign.home import views as _home_pages
from convsign.home.blueprint import bp as home_bp
from convsign.i18n_catalogs import compile_catalogs
from convsign.models import OutboxKind
from convsign.outbox import delivery
from convsign.outbox import views as _outbox_pages
from convsign.outbox.blueprint import bp as outbox_bp
from convsign.signing import token_views as _signing_token_pages
from convsign.signing import views as _signing_pages
from convsign.signing.blueprint import bp as signing_bp
from convsign.trust import views as _trust_pages
from convsign.trust.blueprint import bp as trust_bp
from convsign.verification import views as _verification_pages
from convsign.verification.blueprint import bp as verification_bp

# The view modules above are imported for their routes, which attach to their feature's blueprint.
VIEW_MODULES = (
    _admin_delegation_pages, _admin_pages, _admin_trust_root_pages, _api_bearer, _api_conventions, _api_decisions,
    _api_deliberations, _api_pages, _api_problems, _api_slots, _api_token_signing, _api_verification, _auth_pages,
    _convention_clause_pages, _convention_document_pages, _convention_pages, _dashboard_pages, _deliberation_pages,
    _evidence_pages, _followup_pages, _followup_reminder_pages, _home_pages, _outbox_pages, _signing_pages,
    _signing_token_pages, _trust_pages, _verification_pages,
)
BLUEPRINTS = (home_bp, auth_bp, admin_bp, conventions_bp, signing_bp, trust_bp, evidence_bp,
              verification_bp, dashboard_bp, deliberations_bp, outbox_bp, followup_bp, api_bp, api_pages_bp, clauses_bp)


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["FORCE_SECURE_COOKIES"] or request.is_secure)


def init_app(app: Flask) -> None:
    """Bind everything to `app`."""
    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        # X-Forwarded-Host is never trusted: links come from EXTERNAL_URL, hosts from TRUSTED_HOSTS.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0)  # type: ignore[method-assign]
    app.session_interface = SessionInterface()
    _init_extensions(app)
    app.url_map.converters["int"] = routing.IdConverter  # before any route is added
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    connect_subscribers()
    errors.register_error_handlers(app)
    app.before_request(errors.refuse_nul_characters)
    app.before_request(note_audit_origin)
    app.teardown_request(forget_audit_origin)
    i18n.register_template_filters(app)
    cli.register(app)
    app.after_request(security_headers)
    app.after_request(delivery.deliver_after_response)
    schema.guard_unmigrated(app)


def connect_subscribers() -> None:
    """Who reacts to which event (convsign.events), in one place. Connecting twice is harmless.

    Subscribers run in the sender's transaction: what they queue commits with the action.
    """
    events.slot_gate.connect(gate.deliberation_gate)
    events.statuses_prefetch.connect(gate.prefetch_deliberations)
    events.slots_invited.connect(notifications.on_slots_invited)
    events.slot_refused.connect(notifications.on_slot_refused)
    events.convention_completed.connect(notifications.on_convention_completed)
    events.convention_cancelled.connect(notifications.on_convention_cancelled)
    for event in (events.signature_created, events.slot_refused, events.convention_completed,
                  events.convention_cancelled):
        event.connect(webhook_events.queue_event)
    delivery.SENDERS[OutboxKind.WEBHOOK.value] = webhook_events.send_webhook


def note_audit_origin() -> None:
    """The audit entries this request writes name its client's address and user agent."""
    audit.set_origin(audit.Origin(request.remote_addr, request.user_agent.string or None))


def forget_audit_origin(_error: BaseException | None) -> None:
    """After the request: what a command or a test does next has no client."""
    audit.set_origin(None)


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


# PDF.js ships as ES modules (.mjs), which browsers run only when served as JavaScript: do not rely
# on the host's /etc/mime.types for it.
mimetypes.add_type("text/javascript", ".mjs")


def security_headers(response: Response) -> Response:
    """Headers every response carries; no inline script or style anywhere in the templates."""
    agent = f"http://127.0.0.1:{int(current_app.config['AGENT_PORT'])}"  # the local signing agent
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        f"form-action 'self'; frame-ancestors 'none'; connect-src 'self' {agent}",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if _private(response):
        # A shared or back-button cache must not keep a page shown to a logged-in person
        # (the API token page shows a new token once), nor any API answer.
        response.headers["Cache-Control"] = "no-store"
    return response


def _private(response: Response) -> bool:
    """An API answer, or an HTML page rendered for a logged-in person."""
    if request.blueprint == "api":
        return True
    if response.mimetype != "text/html":
        return False
    from flask_login import current_user

    return bool(current_user.is_authenticated)
