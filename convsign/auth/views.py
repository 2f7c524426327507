"""Account pages: thin views over convsign.auth.services."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from convsign.auth import services
from convsign.auth.blueprint import bp
from convsign.auth.forms import LoginForm, PasswordResetRequestForm, ProfileForm, SetPasswordForm
from convsign.auth.tokens import Purpose, resolve_link_token
from convsign.extensions import db, limiter, login_manager
from convsign.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: an active user by id."""
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


login_manager.login_view = "auth.login"
login_manager.login_message = None


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _reset_limit() -> str:
    return str(current_app.config["RESET_RATE_LIMIT"])


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything pointing elsewhere goes home."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("home.index")


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response:
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            chosen = session.get("lang")  # the language picked on the login page, before logging in
            session.clear()  # a fresh session at login: nothing carried over from before
            login_user(user)
            services.keep_chosen_language(user, chosen, current_app.config["LANGUAGES"])
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        db.session.commit()
        form.password.errors.append(_("Adresse électronique ou mot de passe incorrect."))
    return render_template("auth/login.html", form=form)


@bp.post("/deconnexion")
@login_required
def logout() -> Response:
    """Log out and forget the session."""
    logout_user()
    session.clear()
    flash(_("Déconnexion effectuée."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password() -> str | Response:
    """Ask for a reset link; the answer is the same whether the address is known or not."""
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        user = services.request_password_reset(form.email.data or "")
        if user is not None:
            services.send_link(user, "reset")
        db.session.commit()
        flash(_("Si un compte correspond à cette adresse, un lien de réinitialisation vient d'y être envoyé."),
              "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reinitialisation/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str) -> str | Response:
    """Choose a new password from a reset link."""
    return _set_password_from_link(token, "reset")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def accept_invitation(token: str) -> str | Response:
    """Choose a first password from an invitation link."""
    return _set_password_from_link(token, "invitation")


def _set_password_from_link(token: str, purpose: Purpose) -> str | Response:
    user = resolve_link_token(token, purpose)
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data or "")
        db.session.commit()
        flash(_("Votre mot de passe est enregistré. Vous pouvez vous connecter."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user, purpose=purpose)


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """Name and language of the logged-in person."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.name = form.name.data
        current_user.preferred_language = form.preferred_language.data
        db.session.commit()
        flash(_("Profil enregistré."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)


@bp.post("/langue/<lang>")
def choose_language(lang: str) -> Response:
    """Switch the interface language for this session (and the profile when logged in)."""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.preferred_language = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))
