"""meetings: listings, follows, reminders, attendance, cancellations, feed sources

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import bot.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('meetingsource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('fellowship', sa.String(length=8), nullable=False),
    sa.Column('etag', sa.String(length=200), nullable=True),
    sa.Column('last_modified', sa.String(length=64), nullable=True),
    sa.Column('body_sha256', sa.String(length=64), nullable=True),
    sa.Column('meeting_count', sa.Integer(), nullable=False),
    sa.Column('last_synced_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('next_sync_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meetingsource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetingsource_next_sync_at'), ['next_sync_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetingsource_url'), ['url'], unique=True)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('fellowship', sa.String(length=8), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.String(length=5), nullable=True),
    sa.Column('end_time', sa.String(length=5), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('types', sa.String(length=255), nullable=False),
    sa.Column('attendance', sa.String(length=10), nullable=False),
    sa.Column('location', sa.String(length=255), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('postal_code', sa.String(length=16), nullable=True),
    sa.Column('country', sa.String(length=64), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('approximate', sa.Boolean(), nullable=False),
    sa.Column('location_notes', sa.Text(), nullable=True),
    sa.Column('conference_url', sa.String(length=500), nullable=True),
    sa.Column('conference_url_notes', sa.Text(), nullable=True),
    sa.Column('conference_phone', sa.String(length=64), nullable=True),
    sa.Column('conference_phone_notes', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('group_name', sa.String(length=255), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('secretary_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('source_key', sa.String(length=64), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirm_due_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['secretary_id'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['meetingsource.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'source_key')
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_confirm_due_at'), ['confirm_due_at'], unique=False)
        batch_op.create_index('ix_meeting_position', ['latitude', 'longitude'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_secretary_id'), ['secretary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_slug'), ['slug'], unique=True)
        batch_op.create_index(batch_op.f('ix_meeting_source_id'), ['source_id'], unique=False)

    op.create_table('meetingattendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('attended_on', sa.Date(), nullable=False),
    sa.Column('attended_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'meeting_id', 'attended_on')
    )
    with op.batch_alter_table('meetingattendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetingattendance_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('ix_meetingattendance_person_when', ['person_id', 'attended_at'], unique=False)

    op.create_table('meetingcancellation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'on_date')
    )
    op.create_table('meetingfollow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'person_id')
    )
    with op.batch_alter_table('meetingfollow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetingfollow_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetingfollow_person_id'), ['person_id'], unique=False)

    op.create_table('meetingreminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('due_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'person_id')
    )
    with op.batch_alter_table('meetingreminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetingreminder_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetingreminder_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetingreminder_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('meetingreminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetingreminder_person_id'))
        batch_op.drop_index(batch_op.f('ix_meetingreminder_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meetingreminder_due_at'))

    op.drop_table('meetingreminder')
    with op.batch_alter_table('meetingfollow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetingfollow_person_id'))
        batch_op.drop_index(batch_op.f('ix_meetingfollow_meeting_id'))

    op.drop_table('meetingfollow')
    op.drop_table('meetingcancellation')
    with op.batch_alter_table('meetingattendance', schema=None) as batch_op:
        batch_op.drop_index('ix_meetingattendance_person_when')
        batch_op.drop_index(batch_op.f('ix_meetingattendance_meeting_id'))

    op.drop_table('meetingattendance')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_source_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_slug'))
        batch_op.drop_index(batch_op.f('ix_meeting_secretary_id'))
        batch_op.drop_index('ix_meeting_position')
        batch_op.drop_index(batch_op.f('ix_meeting_confirm_due_at'))

    op.drop_table('meeting')
    with op.batch_alter_table('meetingsource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetingsource_url'))
        batch_op.drop_index(batch_op.f('ix_meetingsource_next_sync_at'))

    op.drop_table('meetingsource')
