"""security: session versions, confirmed and superseded deliberations, the audit head's timestamps

Revision ID: 0006_security
Revises: 0005_api
Create Date: 2026-12-03 19:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_security'
down_revision = '0005_api'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('convention', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deliberation_rule', sa.String(length=20), server_default='confirmed',
                                      nullable=False))

    with op.batch_alter_table('deliberation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_deliberation_confirmed_by_id_user_account'), 'user_account',
                                    ['confirmed_by_id'], ['id'])

    op.create_table('deliberation_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deliberation_id', sa.Integer(), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deliberation_id'], ['deliberation.id'],
                            name=op.f('fk_deliberation_correction_deliberation_id_deliberation')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                            name=op.f('fk_deliberation_correction_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation_correction'))
    )
    with op.batch_alter_table('deliberation_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliberation_correction_deliberation_id'), ['deliberation_id'],
                              unique=False)

    op.create_table('audit_timestamp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('tsa_url', sa.String(length=500), nullable=False),
    sa.Column('token', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_timestamp'))
    )


def downgrade():
    op.drop_table('audit_timestamp')
    with op.batch_alter_table('deliberation_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliberation_correction_deliberation_id'))

    op.drop_table('deliberation_correction')
    with op.batch_alter_table('deliberation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deliberation_confirmed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirmed_by_id')

    with op.batch_alter_table('convention', schema=None) as batch_op:
        batch_op.drop_column('deliberation_rule')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_version')
