"""send budget: Telegram's limits shared by every process (issue 15)

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'sendbudget',
        sa.Column('key', sa.String(length=16), nullable=False),
        sa.Column('tat', sa.Float(), nullable=False),
        sa.Column('bulk_tat', sa.Float(), nullable=False),
        sa.Column('paused_until', sa.Float(), nullable=False),
        sa.Column('taker', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('sendbudget')
