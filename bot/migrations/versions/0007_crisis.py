"""crisis: when a relay message last went through (a conversation stays open for a day)

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("relaysession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_message_at", bot.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("relaysession", schema=None) as batch_op:
        batch_op.drop_column("last_message_at")
