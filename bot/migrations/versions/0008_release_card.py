"""release card: a typed short code, a coordinator's confirmation of who opened it, a note for the person

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import bot.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cardcodetry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('wrong', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'day')
    )
    with op.batch_alter_table('releaserequest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_note_enc', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('card_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', bot.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_releaserequest_card_code_hash'), ['card_code_hash'], unique=False)
        batch_op.create_foreign_key('fk_releaserequest_claimed_by_id_person', 'person', ['claimed_by_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('releaserequest', schema=None) as batch_op:
        batch_op.drop_constraint('fk_releaserequest_claimed_by_id_person', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_releaserequest_card_code_hash'))
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by_id')
        batch_op.drop_column('card_code_hash')
        batch_op.drop_column('person_note_enc')
    op.drop_table('cardcodetry')
