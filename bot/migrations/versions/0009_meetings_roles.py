"""meetings and roles: a meeting's state/province, a role request's answer, the live check-in card

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=64), nullable=True))
    with op.batch_alter_table('rolerequest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.String(length=200), nullable=True))
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_card_message_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('checkin_card_message_id')
    with op.batch_alter_table('rolerequest', schema=None) as batch_op:
        batch_op.drop_column('answer')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('state')
