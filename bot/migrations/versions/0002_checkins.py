"""checkins: daily plans, check-ins, milestones, crisis requests

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import bot.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('mood', sa.Integer(), nullable=True),
    sa.Column('clean', sa.String(length=8), nullable=True),
    sa.Column('note_enc', sa.Text(), nullable=True),
    sa.Column('went_to_meeting', sa.Boolean(), nullable=False),
    sa.Column('slip_reset_clean_date', sa.Boolean(), nullable=True),
    sa.Column('clean_date_before_slip', sa.Date(), nullable=True),
    sa.Column('slip_tell_supporters', sa.Boolean(), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'local_date')
    )
    op.create_table('checkinplan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('next_prompt_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_prompt_date', sa.Date(), nullable=True),
    sa.Column('remind_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminder_hours', sa.Integer(), nullable=True),
    sa.Column('paused_until', sa.Date(), nullable=True),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id')
    )
    with op.batch_alter_table('checkinplan', schema=None) as batch_op:
        batch_op.create_index('ix_checkinplan_due', ['next_prompt_at', 'id'], unique=False)
        batch_op.create_index('ix_checkinplan_reminder', ['remind_at', 'id'], unique=False)

    op.create_table('crisisrequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('alerted_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crisisrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crisisrequest_person_id'), ['person_id'], unique=False)

    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('clean_date', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=8), nullable=False),
    sa.Column('reached_on', sa.Date(), nullable=False),
    sa.Column('congratulated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'clean_date', 'key')
    )


def downgrade() -> None:
    op.drop_table('milestone')
    with op.batch_alter_table('crisisrequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crisisrequest_person_id'))

    op.drop_table('crisisrequest')
    with op.batch_alter_table('checkinplan', schema=None) as batch_op:
        batch_op.drop_index('ix_checkinplan_reminder')
        batch_op.drop_index('ix_checkinplan_due')

    op.drop_table('checkinplan')
    op.drop_table('checkin')
