"""releases: companions and their areas, release requests, offers, history, timed duties, counts

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import bot.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('releasetally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'outcome')
    )
    op.create_table('companionprofile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('fellowship', sa.String(length=8), nullable=True),
    sa.Column('gender', sa.String(length=12), nullable=True),
    sa.Column('clean_time', sa.String(length=8), nullable=True),
    sa.Column('submitted_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('vetted_on', sa.Date(), nullable=True),
    sa.Column('vetted_by_id', sa.Integer(), nullable=True),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vetted_by_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id')
    )
    op.create_table('companionarea',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('companion_id', sa.Integer(), nullable=False),
    sa.Column('place_key', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['companion_id'], ['companionprofile.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('companion_id', 'place_key')
    )
    with op.batch_alter_table('companionarea', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_companionarea_companion_id'), ['companion_id'], unique=False)
        batch_op.create_index('ix_companionarea_position', ['latitude', 'longitude'], unique=False)

    op.create_table('releaserequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('companion_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('day_status', sa.String(length=16), nullable=True),
    sa.Column('prison_code', sa.String(length=8), nullable=True),
    sa.Column('release_date', sa.Date(), nullable=True),
    sa.Column('release_time', sa.String(length=5), nullable=True),
    sa.Column('destination_key', sa.String(length=16), nullable=True),
    sa.Column('destination_label', sa.String(length=100), nullable=True),
    sa.Column('destination_latitude', sa.Float(), nullable=True),
    sa.Column('destination_longitude', sa.Float(), nullable=True),
    sa.Column('gender_preference', sa.String(length=8), nullable=True),
    sa.Column('fellowship', sa.String(length=8), nullable=True),
    sa.Column('needs', sa.String(length=64), nullable=True),
    sa.Column('probation_enc', sa.Text(), nullable=True),
    sa.Column('notes_enc', sa.Text(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('aftercare', sa.String(length=8), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assigned_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['companion_id'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('releaserequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_releaserequest_companion_id'), ['companion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_releaserequest_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_releaserequest_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_releaserequest_status_date', ['status', 'release_date'], unique=False)

    op.create_table('releaseduty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('due_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['releaserequest.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id', 'kind')
    )
    with op.batch_alter_table('releaseduty', schema=None) as batch_op:
        batch_op.create_index('ix_releaseduty_due', ['due_at', 'id'], unique=False)

    op.create_table('releaseevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.String(length=32), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['releaserequest.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('releaseevent', schema=None) as batch_op:
        batch_op.create_index('ix_releaseevent_request_at', ['request_id', 'at'], unique=False)

    op.create_table('releaseoffer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('companion_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['companion_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['releaserequest.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id', 'companion_id')
    )
    with op.batch_alter_table('releaseoffer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_releaseoffer_companion_id'), ['companion_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('releaseoffer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_releaseoffer_companion_id'))

    op.drop_table('releaseoffer')
    with op.batch_alter_table('releaseevent', schema=None) as batch_op:
        batch_op.drop_index('ix_releaseevent_request_at')

    op.drop_table('releaseevent')
    with op.batch_alter_table('releaseduty', schema=None) as batch_op:
        batch_op.drop_index('ix_releaseduty_due')

    op.drop_table('releaseduty')
    with op.batch_alter_table('releaserequest', schema=None) as batch_op:
        batch_op.drop_index('ix_releaserequest_status_date')
        batch_op.drop_index(batch_op.f('ix_releaserequest_person_id'))
        batch_op.drop_index(batch_op.f('ix_releaserequest_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_releaserequest_companion_id'))

    op.drop_table('releaserequest')
    with op.batch_alter_table('companionarea', schema=None) as batch_op:
        batch_op.drop_index('ix_companionarea_position')
        batch_op.drop_index(batch_op.f('ix_companionarea_companion_id'))

    op.drop_table('companionarea')
    op.drop_table('companionprofile')
    op.drop_table('releasetally')
