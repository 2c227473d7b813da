"""Storage: migrations match the models, ids fit, times stay UTC, identity is pseudonymous."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlmodel import SQLModel

from bot.crypto import Vault
from bot.db import Database, head_revision
from bot.models import Person
from tests.conftest import TEST_SECRET

BIG_TELEGRAM_ID = 7_999_999_999  # beyond 32 bits: Telegram ids are 52-bit


async def test_the_migrations_create_exactly_the_tables_the_models_describe(db: Database) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)

    async with db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []
    assert (await db.schema_status()) == (head_revision(), head_revision())


async def test_migrating_twice_changes_nothing(db: Database) -> None:
    assert await db.migrate() == (head_revision(), head_revision())


def _person(vault: Vault, telegram_id: int, now: datetime) -> Person:
    return Person(
        telegram_hash=vault.hash_telegram_id(telegram_id),
        chat_id_enc=vault.encrypt_chat_id(telegram_id),
        consented_at=now,
        created_at=now,
    )


async def test_times_come_back_as_utc_whatever_zone_they_were_written_in(db: Database) -> None:
    vault = Vault(TEST_SECRET)
    written = datetime(2026, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))  # 09:00 BST
    async with db.session() as session:
        session.add(_person(vault, BIG_TELEGRAM_ID, written))
    async with db.session() as session:
        person = (await session.execute(select(Person))).scalar_one()
    assert person.created_at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert person.created_at.tzinfo is not None
    assert vault.decrypt_chat_id(person.chat_id_enc) == BIG_TELEGRAM_ID


async def test_naive_datetimes_are_refused_rather_than_guessed(db: Database) -> None:
    vault = Vault(TEST_SECRET)
    with pytest.raises(Exception, match="naive"):
        async with db.session() as session:
            session.add(_person(vault, 1, datetime(2026, 1, 1)))


def test_identity_hash_is_keyed_and_chat_id_encryption_is_authenticated() -> None:
    vault, other = Vault(TEST_SECRET), Vault(TEST_SECRET[::-1])
    assert vault.hash_telegram_id(42) == vault.hash_telegram_id(42)
    assert vault.hash_telegram_id(42) != other.hash_telegram_id(42)
    assert "42" not in vault.hash_telegram_id(42)
    sealed = vault.encrypt_chat_id(BIG_TELEGRAM_ID)
    assert sealed != vault.encrypt_chat_id(BIG_TELEGRAM_ID)  # fresh nonce each time
    assert str(BIG_TELEGRAM_ID) not in sealed
    with pytest.raises(InvalidTag):
        other.decrypt_chat_id(sealed)
    with pytest.raises(InvalidTag):  # a ciphertext from another column can't be swapped in
        vault.decrypt(vault.encrypt("note", context="note"), context="chat_id")
