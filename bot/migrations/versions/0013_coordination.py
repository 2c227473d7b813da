"""coordination: the on-call rota's weekdays, and the audit log of views and changes

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('coordinatorduty', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days', sa.Integer(), server_default='127', nullable=False))
    op.create_table('auditentry',
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_role', sa.String(length=12), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=8), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.create_index('ix_auditentry_subject', ['subject', 'subject_id', 'at'], unique=False)
        batch_op.create_index('ix_auditentry_at', ['at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_actor_id'), ['actor_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditentry_actor_id'))
        batch_op.drop_index('ix_auditentry_at')
        batch_op.drop_index('ix_auditentry_subject')
    op.drop_table('auditentry')
    with op.batch_alter_table('coordinatorduty', schema=None) as batch_op:
        batch_op.drop_column('days')
