"""outcome reports and the monthly wellbeing check: the wellbeingcheck table, indexes for reports

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'wellbeingcheck',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('answers', sa.String(length=10), nullable=False),
        sa.Column('total', sa.Integer(), nullable=True),
        sa.Column('offered_at', bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('completed_at', bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id', 'month'),
    )
    op.create_index('ix_wellbeingcheck_month', 'wellbeingcheck', ['month'], unique=False)
    op.create_index('ix_person_created_at', 'person', ['created_at'], unique=False)
    op.create_index('ix_checkin_day_person', 'checkin', ['local_date', 'person_id', 'clean', 'went_to_meeting'], unique=False)
    op.create_index('ix_incident_opened_at', 'incident', ['opened_at'], unique=False)
    op.create_index('ix_releaserequest_release_date', 'releaserequest', ['release_date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_releaserequest_release_date', table_name='releaserequest')
    op.drop_index('ix_incident_opened_at', table_name='incident')
    op.drop_index('ix_checkin_day_person', table_name='checkin')
    op.drop_index('ix_person_created_at', table_name='person')
    op.drop_index('ix_wellbeingcheck_month', table_name='wellbeingcheck')
    op.drop_table('wellbeingcheck')
