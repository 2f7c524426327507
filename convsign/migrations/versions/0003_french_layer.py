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
    op.create_table('deliberation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convention_party_id', sa.Integer(), nullable=False),
    sa.Column('session_date', sa.Date(), nullable=False),
    sa.Column('convocation_date', sa.Date(), nullable=True),
    sa.Column('members_in_office', sa.Integer(), nullable=False),
    sa.Column('members_present', sa.Integer(), nullable=False),
    sa.Column('members_represented', sa.Integer(), nullable=False),
    sa.Column('secretary', sa.String(length=200), nullable=False),
    sa.Column('rapporteur', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('unanimous', sa.Boolean(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('abstentions', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('actes_identifier', sa.String(length=64), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('acknowledged_on', sa.Date(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('publication_mode', sa.String(length=100), nullable=True),
    sa.Column('executory_on', sa.Date(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['convention_party_id'], ['convention_party.id'],
                            name=op.f('fk_deliberation_convention_party_id_convention_party')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                            name=op.f('fk_deliberation_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation')),
    sa.UniqueConstraint('convention_party_id', name=op.f('uq_deliberation_convention_party_id'))
    )
    op.create_table('delegation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('delegate_user_id', sa.Integer(), nullable=False),
    sa.Column('delegate_title', sa.String(length=200), nullable=False),
    sa.Column('order_number', sa.String(length=50), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                            name=op.f('fk_delegation_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['delegate_user_id'], ['user_account.id'],
                            name=op.f('fk_delegation_delegate_user_id_user_account')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_delegation_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegation'))
    )
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_delegate_user_id'), ['delegate_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_office_id'), ['office_id'], unique=False)

    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delegation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_signing_key_delegation_id_delegation'), 'delegation',
                                    ['delegation_id'], ['id'])


def downgrade():
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_signing_key_delegation_id_delegation'), type_='foreignkey')
        batch_op.drop_column('delegation_id')

    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegation_office_id'))
        batch_op.drop_index(batch_op.f('ix_delegation_delegate_user_id'))

    op.drop_table('delegation')
    op.drop_table('deliberation')
