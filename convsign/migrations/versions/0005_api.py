"""api: personal access tokens, webhook endpoints

Revision ID: 0005_api
Revises: 0004_followup
Create Date: 2026-11-28 06:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_api'
down_revision = '0004_followup'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
