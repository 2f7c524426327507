"""clause models: versioned default models per convention type, each draft's articles and action plan

Revision ID: 0007_clause_models
Revises: 0006_security
Create Date: 2026-12-03 20:10:00

Seeds version 1 of the CTG and generic partnership models from convsign.clauses.defaults (its
text is never edited in place: a new default is a new version saved in the app). Drafts made
before this migration have no clauses: they get the default model when first edited or opened.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_clause_models'
down_revision = '0006_security'
branch_labels = None
depends_on = None


def upgrade():
    model = op.create_table('convention_model',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('ctg', 'autre', name='conventionkind', native_enum=False, length=30), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title_pattern', sa.String(length=300), nullable=False),
    sa.Column('preamble', sa.Text(), nullable=False),
    sa.Column('visas', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_convention_model_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convention_model')),
    sa.UniqueConstraint('kind', 'version', name=op.f('uq_convention_model_kind_version'))
    )
    article = op.create_table('model_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['convention_model.id'], name=op.f('fk_model_article_model_id_convention_model')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_article'))
    )
    with op.batch_alter_table('model_article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_article_model_id'), ['model_id'], unique=False)
    op.create_table('convention_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convention_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['convention_id'], ['convention.id'], name=op.f('fk_convention_article_convention_id_convention')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convention_article'))
    )
    with op.batch_alter_table('convention_article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convention_article_convention_id'), ['convention_id'], unique=False)
    op.create_table('convention_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convention_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('lead', sa.String(length=200), nullable=False),
    sa.Column('calendar', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['convention_id'], ['convention.id'], name=op.f('fk_convention_action_convention_id_convention')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convention_action'))
    )
    with op.batch_alter_table('convention_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convention_action_convention_id'), ['convention_id'], unique=False)
    op.create_table('convention_clauses',
    sa.Column('convention_id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('visas', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('diagnostic', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['convention_id'], ['convention.id'], name=op.f('fk_convention_clauses_convention_id_convention')),
    sa.ForeignKeyConstraint(['model_id'], ['convention_model.id'], name=op.f('fk_convention_clauses_model_id_convention_model')),
    sa.PrimaryKeyConstraint('convention_id', name=op.f('pk_convention_clauses'))
    )
    with op.batch_alter_table('convention_clauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convention_clauses_model_id'), ['model_id'], unique=False)
    _seed(model, article)


def _seed(model, article):
    from convsign.clauses.defaults import DEFAULTS

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    bind = op.get_bind()
    for default in DEFAULTS.values():
        bind.execute(model.insert().values(kind=default.kind, version=1, title_pattern=default.title_pattern,
                                           preamble=default.preamble, visas=default.visas, place=default.place,
                                           created_at=now, created_by_id=None))
        model_id = bind.scalar(sa.select(model.c.id).where(model.c.kind == default.kind, model.c.version == 1))
        op.bulk_insert(article, [dict(model_id=model_id, position=i, title=title, text=text)
                                 for i, (title, text) in enumerate(default.articles)])


def downgrade():
    with op.batch_alter_table('convention_clauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convention_clauses_model_id'))
    op.drop_table('convention_clauses')
    with op.batch_alter_table('convention_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convention_action_convention_id'))
    op.drop_table('convention_action')
    with op.batch_alter_table('convention_article', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convention_article_convention_id'))
    op.drop_table('convention_article')
    with op.batch_alter_table('model_article', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_article_model_id'))
    op.drop_table('model_article')
    op.drop_table('convention_model')
