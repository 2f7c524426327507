"""token signing: trusted roots, registered fingerprints, prepared signatures, revocation material

Revision ID: 0009_token_signing
Revises: 0007_clause_models
Create Date: 2026-12-03 19:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_token_signing'
down_revision = '0007_clause_models'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('trusted_root',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_der', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('not_after', sa.DateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_trusted_root_added_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_root')),
    sa.UniqueConstraint('sha256', name=op.f('uq_trusted_root_sha256'))
    )
    op.create_table('certificate_fingerprint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_certificate_fingerprint_user_id_user_account')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_certificate_fingerprint_registered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_fingerprint')),
    sa.UniqueConstraint('user_id', 'sha256', name=op.f('uq_certificate_fingerprint_user_id_sha256'))
    )
    with op.batch_alter_table('certificate_fingerprint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_fingerprint_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_fingerprint_sha256'), ['sha256'], unique=False)

    op.create_table('prepared_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('revision_sha256', sa.String(length=64), nullable=False),
    sa.Column('tbs_pdf', sa.LargeBinary(), nullable=False),
    sa.Column('reserved_start', sa.Integer(), nullable=False),
    sa.Column('reserved_end', sa.Integer(), nullable=False),
    sa.Column('document_digest', sa.LargeBinary(), nullable=False),
    sa.Column('signed_attrs', sa.LargeBinary(), nullable=False),
    sa.Column('chain_der', sa.LargeBinary(), nullable=False),
    sa.Column('certificate_sha256', sa.String(length=64), nullable=False),
    sa.Column('crls_der', sa.LargeBinary(), nullable=False),
    sa.Column('ocsps_der', sa.LargeBinary(), nullable=False),
    sa.Column('revocation_checked', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_prepared_signature_user_id_user_account')),
    sa.ForeignKeyConstraint(['slot_id'], ['signatory.id'], name=op.f('fk_prepared_signature_slot_id_signatory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prepared_signature')),
    sa.UniqueConstraint('token', name=op.f('uq_prepared_signature_token'))
    )
    with op.batch_alter_table('prepared_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prepared_signature_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prepared_signature_slot_id'), ['slot_id'], unique=False)

    op.create_table('revocation_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convention_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('der', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['convention_id'], ['convention.id'], name=op.f('fk_revocation_material_convention_id_convention')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revocation_material'))
    )
    with op.batch_alter_table('revocation_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revocation_material_convention_id'), ['convention_id'], unique=False)


def downgrade():
    with op.batch_alter_table('revocation_material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revocation_material_convention_id'))
    op.drop_table('revocation_material')
    with op.batch_alter_table('prepared_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prepared_signature_slot_id'))
        batch_op.drop_index(batch_op.f('ix_prepared_signature_user_id'))
    op.drop_table('prepared_signature')
    with op.batch_alter_table('certificate_fingerprint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_fingerprint_sha256'))
        batch_op.drop_index(batch_op.f('ix_certificate_fingerprint_user_id'))
    op.drop_table('certificate_fingerprint')
    op.drop_table('trusted_root')
