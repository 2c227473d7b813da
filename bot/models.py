"""Tables. Every Telegram id is BigInteger, every datetime aware UTC (`UTCDateTime`).

No table holds a Telegram user id, username, real name or phone number: a person is found
by `telegram_hash` (HMAC of the id) and written to through `chat_id_enc` (AES-GCM).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db import UTCDateTime


def _utc(*, nullable: bool = True, index: bool = False) -> object:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _person_fk(*, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> object:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete=ondelete), nullable=nullable, index=index),
    )


class Person(SQLModel, table=True):
    """Someone who agreed to use the bot. Created only when they press Agree."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_hash: str = Field(sa_type=String(64), unique=True, index=True)
    chat_id_enc: str = Field(sa_type=Text)
    pseudonym: str | None = Field(default=None, sa_type=String(32))
    purpose: str | None = Field(default=None, sa_type=String(20))
    timezone: str | None = Field(default=None, sa_type=String(64))
    checkin_time: str | None = Field(default=None, sa_type=String(5))  # "HH:MM" local
    clean_date: date | None = None
    # Which typed answer we wait for ("pseudonym", "checkin_time", ...); lives here, not in
    # memory, so a restart or a second process continues the same conversation.
    awaiting: str | None = Field(default=None, sa_type=String(32))
    # A deep link opened before onboarding finished, followed once set-up is done.
    pending_link: str | None = Field(default=None, sa_type=String(64))
    onboarded_at: datetime | None = _utc()  # type: ignore[assignment]
    consented_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    unreachable_at: datetime | None = _utc()  # type: ignore[assignment]


class RoleGrant(SQLModel, table=True):
    """A role someone holds beyond member/supporter, which anyone may be."""

    __table_args__ = (UniqueConstraint("person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()  # type: ignore[assignment]
    role: str = Field(sa_type=String(20))
    granted_at: datetime = Field(sa_type=UTCDateTime)
    granted_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)  # type: ignore[assignment]


class RoleRequest(SQLModel, table=True):
    """A request to be a secretary or companion, decided by a coordinator."""

    __table_args__ = (Index("ix_rolerequest_status_role", "status", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()  # type: ignore[assignment]
    role: str = Field(sa_type=String(20))
    status: str = Field(default="pending", sa_type=String(12))  # pending/approved/declined
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = _utc()  # type: ignore[assignment]
    decided_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)  # type: ignore[assignment]


class Invitation(SQLModel, table=True):
    """A single-use deep link (`/start <payload>`). Only a hash of the token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(20))
    token_hash: str = Field(sa_type=String(64), unique=True, index=True)
    created_by_id: int | None = _person_fk(nullable=True)  # type: ignore[assignment]
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = _utc()  # type: ignore[assignment]
    used_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)  # type: ignore[assignment]


class Outbox(SQLModel, table=True):
    """A message that must reach a person: written with the change that causes it.

    The sender tick claims due rows (compare-and-set on `claimed_until`), calls the Bot API
    and marks the row sent only after Telegram answers ok. The payload is cleared once sent.
    """

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()  # type: ignore[assignment]
    kind: str = Field(sa_type=String(32))  # what it is about, for re-routing and counts
    method: str = Field(sa_type=String(32))
    payload: str = Field(sa_type=Text)  # JSON params without chat_id
    status: str = Field(default="pending", sa_type=String(12))  # pending/sent/undeliverable
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_until: datetime | None = _utc()  # type: ignore[assignment]
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = _utc()  # type: ignore[assignment]
    last_error: str | None = Field(default=None, sa_type=String(200))
