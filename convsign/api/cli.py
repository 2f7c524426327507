"""`flask --app app token create EMAIL [--name NAME] [--days N]`: a personal access token, for an admin."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from convsign.errors import ValidationFailed
from convsign.extensions import db
from convsign.models import User
from convsign.models.types import utcnow
from convsign.terminal import fail, require_migrated

token_group = click.Group("token", help="Les jetons d'accès personnels à l'API.")


@token_group.command("create")
@click.argument("email")
@click.option("--name", default="Créé en ligne de commande", show_default=True, help="Nom du jeton.")
@click.option("--days", type=int, default=None, help="Durée de validité en jours (sans limite par défaut).")
@with_appcontext
def create_command(email: str, name: str, days: int | None) -> None:
    """Create a token for EMAIL's account and print it (it is shown this once only)."""
    from convsign.api.tokens import create_token

    require_migrated()
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        fail(f"Aucun compte actif pour {email}.")
    assert user is not None
    try:
        created = create_token(user, name, days, utcnow())
    except ValidationFailed as error:
        db.session.rollback()
        fail(error.message)
    db.session.commit()
    click.echo(created.secret)
    expiry = f"jusqu'au {created.token.expires_at:%Y-%m-%d}" if created.token.expires_at else "sans date d'expiration"
    click.echo(f"Jeton « {name} » créé pour {user.email}, {expiry}. Il ne sera plus jamais affiché.", err=True)
