"""security: no live token in person rows, role sources and changes, outbox authors, no kept texts

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import bot.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A raw invitation token may sit in person.pending_link: drop the column (and with it
    # every such token) rather than convert it; the person opens their link again.
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('pending_link')
        batch_op.add_column(sa.Column('pending_invitation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_person_pending_invitation', 'invitation', ['pending_invitation_id'], ['id'],
                                    ondelete='SET NULL', use_alter=True)
    with op.batch_alter_table('rolegrant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=12), server_default='granted', nullable=False))
    op.create_table('rolechange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('change', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rolechange', schema=None) as batch_op:
        batch_op.create_index('ix_rolechange_person_at', ['person_id', 'at'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_author_id'), ['author_id'], unique=False)
        batch_op.create_foreign_key('fk_outbox_author', 'person', ['author_id'], ['id'], ondelete='CASCADE')
    # Texts of rows that can never be sent again are not kept (issue 12).
    op.execute("UPDATE outbox SET payload = '{}' WHERE status <> 'pending'")


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_author', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_author_id'))
        batch_op.drop_column('author_id')
    with op.batch_alter_table('rolechange', schema=None) as batch_op:
        batch_op.drop_index('ix_rolechange_person_at')
    op.drop_table('rolechange')
    with op.batch_alter_table('rolegrant', schema=None) as batch_op:
        batch_op.drop_column('source')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint('fk_person_pending_invitation', type_='foreignkey')
        batch_op.drop_column('pending_invitation_id')
        batch_op.add_column(sa.Column('pending_link', sa.String(length=64), nullable=True))
