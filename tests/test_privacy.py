"""What a person can see and erase, and what the database must never contain."""

from __future__ import annotations

import asyncio
import json
import os

from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from bot.db import Database
from bot.models import Outbox, Person
from tests.conftest import SHARED_TABLES
from tests.harness import Harness
from tests.test_onboarding import onboard


async def test_privacy_explains_what_is_kept_and_who_sees_it(h: Harness) -> None:
    visitor = h.user("Visitor")
    await visitor.send("/privacy")
    assert "What we never keep" in visitor.last().text
    assert "/forget" in visitor.last().text


async def test_mydata_sends_everything_held_as_a_json_document(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/mydata")
    document = sam.last()
    assert document.kind == "document"
    assert document.raw.file.file_name == "my-data.json"
    data = json.loads(document.raw.file.data)
    assert data["profile"]["pseudonym"] == "Sam"
    assert data["profile"]["checkin_time"] == "09:00"
    assert data["profile"]["chat_id"] == sam.id


async def test_mydata_for_a_stranger_says_nothing_is_held(h: Harness) -> None:
    stranger = h.user("Stranger")
    await stranger.send("/mydata")
    assert "don't hold anything" in stranger.last().text


async def test_forget_asks_first_then_erases_everything(h: Harness) -> None:
    sam = await onboard(h, "Sam", purpose="I run a meeting")
    await sam.send("Tuesday Night Group")  # leaves a role request too
    await sam.send("/forget")
    assert "can't be undone" in sam.last().text
    await sam.press("No, keep it")
    assert "Nothing was erased" in sam.last().text
    await sam.send("/forget")
    await sam.press("Yes, erase everything")
    assert "Everything about you has been erased" in sam.last().text
    async with h.db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in SHARED_TABLES:
                continue
            count = (await session.execute(select(func.count()).select_from(table))).scalar_one()
            assert count == 0, f"{table.name} still has {count} rows"
    await sam.send("/mydata")
    assert "don't hold anything" in sam.last().text


async def test_erasing_a_coordinator_leaves_other_peoples_data_alone(h: Harness) -> None:
    h.user("Coordinator", coordinator=True)
    coordinator = await onboard(h, "Coordinator", purpose="I support someone")
    await onboard(h, "Pat", purpose="I run a meeting")
    await coordinator.send("/forget")
    await coordinator.press("Yes, erase everything")
    async with h.db.session() as session:
        names = (await session.execute(select(Person.pseudonym))).scalars().all()
    assert names == ["Pat"]


async def test_the_database_holds_no_telegram_ids_names_or_usernames(h: Harness) -> None:
    """After several people use the bot, the raw stored bytes contain none of their identity."""
    h.user("Coordinator", coordinator=True)
    users = [
        await onboard(h, "Coordinator", purpose="I support someone", pseudonym="Cee"),
        await onboard(h, "Samantha", pseudonym="Sam"),
        await onboard(h, "Patricia", purpose="I run a meeting", pseudonym="Pat"),
        await onboard(h, "Leonard", purpose="I volunteer as a companion", pseudonym="Lenny"),
    ]
    await users[2].press("Skip")  # which group: not asked about here
    await h.deliver()
    await users[0].press("✅ Approve", message=users[0].find("Pat"))
    await users[1].send("/mydata")
    await h.deliver()
    secrets = set()
    for user in users:
        secrets |= {str(user.id), user.first_name, user.first_name.lower() + "_tg"}
    dump = await raw_database_dump(h.db)
    leaked = sorted(s for s in secrets if s in dump)
    assert leaked == [], f"found in the database: {leaked}"
    assert "Sam" in dump  # the chosen pseudonym is stored, so the dump is real


def _read_sqlite_files(path: str) -> str:
    chunks = []
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            with open(path + suffix, "rb") as f:
                chunks.append(f.read().decode("latin-1"))
    return "\n".join(chunks)


async def raw_database_dump(db: Database) -> str:
    """Every stored byte: the SQLite file(s) on disk, or every row's text on PostgreSQL."""
    if db.dialect == "sqlite":
        await db.dispose()  # close connections so the file is complete
        return await asyncio.to_thread(_read_sqlite_files, db.url.split(":///", 1)[1])
    async with db.session() as session:
        rows = []
        for table in SQLModel.metadata.sorted_tables:
            result = await session.execute(text(f'SELECT CAST(t.* AS text) FROM "{table.name}" t'))
            rows += [r[0] for r in result]
        return "\n".join(rows)


async def test_messages_to_other_people_are_not_kept_after_delivery(h: Harness) -> None:
    h.user("Coordinator", coordinator=True)
    await onboard(h, "Coordinator", purpose="I support someone")
    pat = await onboard(h, "Pat", purpose="I run a meeting")
    await pat.send("Tuesday Night Group")  # which group: passed on to the coordinator
    await h.deliver()
    async with h.db.session() as session:
        rows = (await session.execute(select(Outbox))).scalars().all()
    assert rows and all(r.status == "sent" and r.payload == "{}" for r in rows)


async def test_texts_cleared_after_delivery_leave_no_trace_in_the_sqlite_files(h: Harness) -> None:
    import pytest

    from bot.services import outbox

    if h.db.dialect != "sqlite":
        pytest.skip("SQLite files only; PostgreSQL rows are checked above")
    sam = await onboard(h, "Sam")
    secret = "Meet me by the blue door at nine"
    async with h.db.session() as session:
        person = (await session.execute(select(Person).where(Person.pseudonym == "Sam"))).scalar_one()
        outbox.enqueue(session, person.id, "test_note", secret, now=h.clock.now())  # type: ignore[arg-type]
    await h.deliver()
    assert sam.last().text == secret
    await h.runtime.db.truncate_write_ahead_log()
    await h.db.truncate_write_ahead_log()
    assert secret not in await raw_database_dump(h.db)
