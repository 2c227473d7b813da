"""supporters: links in order with what is shared, lapse plans, incidents and who was alerted,
coordinators on call, relay sessions

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import bot.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "undeliverable" is 13 characters: PostgreSQL refused it in a VARCHAR(12), so a blocked
    # bot could never be recorded and the alert never re-routed (SQLite doesn't check lengths).
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=12), type_=sa.String(length=16), existing_nullable=False)

    op.create_table('alertplan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('threshold_hours', sa.Integer(), nullable=False),
    sa.Column('lapse_day', sa.Date(), nullable=True),
    sa.Column('lapse_due_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id')
    )
    with op.batch_alter_table('alertplan', schema=None) as batch_op:
        batch_op.create_index('ix_alertplan_due', ['lapse_due_at', 'id'], unique=False)

    op.create_table('coordinatorduty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('on_call', sa.Boolean(), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id')
    )
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('opened_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_escalation_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_escalation', ['next_escalation_at', 'id'], unique=False)
        batch_op.create_index('ix_incident_member_status', ['member_id', 'status'], unique=False)

    op.create_table('relaysession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('helper_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('stopped_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['helper_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stopped_by_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'helper_id')
    )
    with op.batch_alter_table('relaysession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relaysession_helper_id'), ['helper_id'], unique=False)

    op.create_table('supportlink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('share_mood', sa.Boolean(), nullable=False),
    sa.Column('share_slips', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supporter_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'supporter_id')
    )
    with op.batch_alter_table('supportlink', schema=None) as batch_op:
        batch_op.create_index('ix_supportlink_member_position', ['member_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_supportlink_supporter_id'), ['supporter_id'], unique=False)

    op.create_table('alertrecipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('alerted_at', bot.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('response', sa.String(length=12), nullable=True),
    sa.Column('responded_at', bot.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('incident_id', 'person_id')
    )
    with op.batch_alter_table('alertrecipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alertrecipient_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=16), type_=sa.String(length=12), existing_nullable=False)

    with op.batch_alter_table('alertrecipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alertrecipient_person_id'))

    op.drop_table('alertrecipient')
    with op.batch_alter_table('supportlink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supportlink_supporter_id'))
        batch_op.drop_index('ix_supportlink_member_position')

    op.drop_table('supportlink')
    with op.batch_alter_table('relaysession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relaysession_helper_id'))

    op.drop_table('relaysession')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_member_status')
        batch_op.drop_index('ix_incident_escalation')

    op.drop_table('incident')
    op.drop_table('coordinatorduty')
    with op.batch_alter_table('alertplan', schema=None) as batch_op:
        batch_op.drop_index('ix_alertplan_due')

    op.drop_table('alertplan')
