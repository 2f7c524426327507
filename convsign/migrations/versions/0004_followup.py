"""follow-up: outbox of e-mails and webhooks

Revision ID: 0004_followup
Revises: 0003_french_layer
Create Date: 2026-11-28 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_followup'
down_revision = '0003_french_layer'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
