"""french layer: deliberations, delegations

Revision ID: 0003_french_layer
Revises: 3d9903d5d28d
Create Date: 2026-11-28 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_french_layer'
down_revision = '3d9903d5d28d'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
