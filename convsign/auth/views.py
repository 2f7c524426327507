"""Account pages: thin views over convsign.auth.services."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from convsign.auth import services
from convsign.auth.blueprint import bp
from convsign.auth.forms import LoginForm, LogoutEverywhereForm, PasswordResetRequestForm, ProfileForm, SetPasswordForm
from convsign.auth.tokens import InvalidLink, Purpose, resolve_link_token
from convsign.extensions import db, limiter, login_manager
from convsign.models import User


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: an active user whose session version still matches ("id:version")."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None  # a cookie from before session versions, or forged: log in again
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


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
    """Log out: every session of this person ends (a copied cookie dies with it), and this one is forgotten."""
    current_user.end_sessions()  # not audited: a logout is routine, as it was before
    db.session.commit()
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


@bp.get("/reinitialisation/<token>")
def reset_password(token: str) -> Response:
    """Land from a reset link: the token moves into the session, the address bar loses it."""
    return _land(token, "reset", "auth.reset_password_form")


@bp.route("/reinitialisation", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password_form() -> str | Response:
    """Choose a new password, the reset link's token being in the session."""
    return _set_password_from_link("reset")


@bp.get("/invitation/<token>")
def accept_invitation(token: str) -> Response:
    """Land from an invitation link: the token moves into the session, the address bar loses it."""
    return _land(token, "invitation", "auth.invitation_form")


@bp.route("/invitation", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def invitation_form() -> str | Response:
    """Choose a first password, the invitation's token being in the session."""
    return _set_password_from_link("invitation")


_LINK_KEY = "link_token"


def _land(token: str, purpose: Purpose, endpoint: str) -> Response:
    """Check the link, keep its token in the (signed) session and redirect to an address without it.

    The token then appears in no further request line, Referer or browser history: only the
    landing request itself carries it, and it stops working once the password is set.
    """
    resolve_link_token(token, purpose)
    session[_LINK_KEY] = {"purpose": purpose, "token": token}
    return redirect(url_for(endpoint))


def _set_password_from_link(purpose: Purpose) -> str | Response:
    kept = session.get(_LINK_KEY)
    if not isinstance(kept, dict) or kept.get("purpose") != purpose:
        raise InvalidLink(_("Ouvrez le lien reçu par courriel pour choisir votre mot de passe."))
    user = resolve_link_token(str(kept.get("token", "")), purpose)
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data or "")
        db.session.commit()
        session.pop(_LINK_KEY, None)
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
    return render_template("auth/profile.html", form=form, everywhere_form=LogoutEverywhereForm())


@bp.post("/profil/deconnexion-partout")
@login_required
def logout_everywhere() -> Response:
    """End every session of this person, on every device, this one included."""
    if not LogoutEverywhereForm().validate_on_submit():
        raise BadRequest()
    services.end_sessions(current_user, "everywhere")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté de tous vos appareils."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/langue/<lang>")
def choose_language(lang: str) -> Response:
    """Switch the interface language for this session (and the profile when logged in)."""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.preferred_language = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))
