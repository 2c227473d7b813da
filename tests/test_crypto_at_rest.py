"""Encryption at rest (hardening issue 18): ciphertexts bound to their row, keys that deserve
the name."""

from __future__ import annotations

import base64
import json
import os
import secrets
from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from bot import rotation, texts
from bot.__main__ import main
from bot.config import SettingsError, load_settings
from bot.crypto import (
    CHAT_ID,
    CHECKIN_NOTE,
    ENCRYPTED_FIELDS,
    RELEASE_NOTES,
    RELEASE_PROBATION,
    Undecryptable,
    Vault,
)
from bot.db import Database
from bot.models import AlertRecipient, Checkin, Outbox, Person, ReleaseRequest
from bot.services import outbox
from bot.services.checkins import checkins
from bot.services.release import text as release_text
from tests.conftest import TEST_SECRET
from tests.harness import Harness
from tests.supporters_helpers import add_supporter, invite_link, supporter
from tests.test_onboarding import onboard
from tests.test_privacy import raw_database_dump


async def _person(h: Harness, pseudonym: str) -> Person:
    async with h.db.session() as session:
        return (await session.execute(select(Person).where(Person.pseudonym == pseudonym))).scalar_one()


async def _write_to(h: Harness, person_id: int, text: str) -> None:
    async with h.db.session() as session:
        outbox.enqueue(session, person_id, "test_note", text, now=h.clock.now())


# --- bound ciphertexts ------------------------------------------------------------------------


async def test_a_chat_id_copied_into_someone_elses_row_reaches_nobody_until_they_write_again(h: Harness) -> None:
    sam, eve = await onboard(h, "Sam"), await onboard(h, "Eve")
    sam_row, eve_row = await _person(h, "Sam"), await _person(h, "Eve")
    assert sam_row.id is not None
    async with h.db.session() as session:  # someone with write access redirects Sam's messages
        await session.execute(update(Person).where(Person.id == sam_row.id).values(chat_id_enc=eve_row.chat_id_enc))
    seen_by_eve = len(eve.messages())
    await _write_to(h, sam_row.id, "Your supporter alert for Sam")
    await h.deliver()
    assert len(eve.messages()) == seen_by_eve  # the copied chat id doesn't open in Sam's row
    assert "Your supporter alert for Sam" not in sam.texts()
    async with h.db.session() as session:
        row = (await session.execute(select(Outbox).where(Outbox.kind == "test_note"))).scalar_one()
        assert row.status == "undeliverable" and row.payload == "{}"
        assert (await session.get(Person, sam_row.id)).unreachable_at is not None  # type: ignore[union-attr]
    await sam.send("/start")  # Sam writes again: the chat he writes from is stored, bound to him
    await _write_to(h, sam_row.id, "Welcome back message")
    await h.deliver()
    assert "Welcome back message" in sam.texts()
    assert len(eve.messages()) == seen_by_eve


async def test_chat_ids_written_before_binding_still_work_and_are_rewritten_bound(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    sam_row = await _person(h, "Sam")
    assert sam_row.id is not None
    nonce = os.urandom(12)
    legacy = Vault(TEST_SECRET)._aead.encrypt(nonce, str(sam.id).encode(), CHAT_ID.legacy_context.encode())
    async with h.db.session() as session:  # as a database from before this change holds it
        await session.execute(update(Person).where(Person.id == sam_row.id).values(
            chat_id_enc=base64.urlsafe_b64encode(nonce + legacy).decode()))
    await _write_to(h, sam_row.id, "Still reaches you")
    await h.deliver()
    assert "Still reaches you" in sam.texts()
    await sam.send("/start")
    stored = (await _person(h, "Sam")).chat_id_enc
    assert stored.startswith("v2:")
    assert Vault(TEST_SECRET).decrypt_chat_id(stored, person_id=sam_row.id) == sam.id


def test_every_encrypted_field_opens_only_in_its_own_table_column_and_row() -> None:
    vault = Vault(TEST_SECRET)
    for field in ENCRYPTED_FIELDS:
        sealed = vault.encrypt("probation officer: J. Smith, Tuesdays", field=field, row=5)
        assert vault.decrypt(sealed, field=field, row=5) == "probation officer: J. Smith, Tuesdays"
        with pytest.raises(Undecryptable):
            vault.decrypt(sealed, field=field, row=6)
        for other in ENCRYPTED_FIELDS:
            if other != field:
                with pytest.raises(Undecryptable):
                    vault.decrypt(sealed, field=other, row=5)
    with pytest.raises(ValueError, match="flushed"):  # a row without an id can't be bound
        vault.encrypt("x", field=CHECKIN_NOTE, row=None)


def test_the_fields_name_the_tables_and_columns_they_live_in() -> None:
    for field, model in zip(ENCRYPTED_FIELDS, (Person, Checkin, ReleaseRequest, ReleaseRequest, ReleaseRequest, Outbox), strict=True):
        assert field.table == model.__tablename__
        assert field.column in model.model_fields


def test_release_notes_copied_from_another_request_read_as_nothing_rather_than_crash() -> None:
    vault = Vault(TEST_SECRET)
    theirs = ReleaseRequest(id=1, created_by_id=1, on_behalf=False)
    theirs.notes_enc = vault.encrypt("needs a lift from the gate", field=RELEASE_NOTES, row=1)
    mine = ReleaseRequest(id=2, created_by_id=2, on_behalf=False, notes_enc=theirs.notes_enc,
                          probation_enc=theirs.notes_enc)
    assert release_text.private_text(vault, theirs, RELEASE_NOTES) == "needs a lift from the gate"
    assert release_text.private_text(vault, mine, RELEASE_NOTES) == ""
    assert release_text.private_text(vault, mine, RELEASE_PROBATION) == ""


# --- keys that deserve the name ---------------------------------------------------------------


@pytest.mark.parametrize("weak", [
    "password" * 5,
    "a" * 64,
    "my recovery is my secret fellowship password and key",
    "correct horse battery staple correct horse battery",
    "Xk9#mQ2!" * 6,
    "abcdefghijklmnopqrstuvwxyz0123456789",
])
def test_a_guessable_secret_key_is_refused_with_a_generated_example(weak: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, fellowship_secret_key=weak)
    message = str(caught.value)
    assert "too guessable" in message and "128" in message
    example = message.split("FELLOWSHIP_SECRET_KEY=")[-1].split()[0]
    assert load_settings(_env_file=None, fellowship_secret_key=example).secret_key() == example  # the example works
    assert weak not in message  # the refused value is never echoed


@pytest.mark.parametrize("strong", [secrets.token_urlsafe(32) for _ in range(20)] + [TEST_SECRET])
def test_a_random_secret_key_is_accepted(strong: str) -> None:
    assert load_settings(_env_file=None, fellowship_secret_key=strong).secret_key() == strong


# --- the outbox: encrypted until sent ---------------------------------------------------------


async def test_a_waiting_message_is_never_in_clear_in_the_database_file_or_its_wal(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    sam_row = await _person(h, "Sam")
    assert sam_row.id is not None
    words = "Sam-is-struggling-tonight-7Qx"
    async with h.db.session() as session:
        outbox.enqueue(session, sam_row.id, "test_note", words, now=h.clock.now(),
                       reply_markup={"inline_keyboard": [[{"text": "Button-words-4Kz", "callback_data": "v1:xx:1"}]]})
    dump = await raw_database_dump(h.db)
    assert words not in dump and "Button-words-4Kz" not in dump
    assert "test_note" in dump  # the dump is real: the row is there
    await h.deliver()
    assert sam.last().text == words and sam.last().buttons() == ["Button-words-4Kz"]


async def test_a_payload_moved_to_someone_elses_row_is_never_sent_to_them(h: Harness) -> None:
    await onboard(h, "Sam")
    eve = await onboard(h, "Eve")
    sam_row, eve_row = await _person(h, "Sam"), await _person(h, "Eve")
    assert sam_row.id is not None
    await _write_to(h, sam_row.id, "Only for Sam")
    async with h.db.session() as session:
        await session.execute(update(Outbox).where(Outbox.kind == "test_note").values(person_id=eve_row.id))
    await h.deliver()
    assert "Only for Sam" not in eve.texts()
    async with h.db.session() as session:
        row = (await session.execute(select(Outbox).where(Outbox.kind == "test_note"))).scalar_one()
    assert (row.status, row.payload, row.last_error) == ("failed", "{}", "payload unreadable")


async def test_a_message_queued_in_clear_before_the_upgrade_is_still_delivered(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    sam_row = await _person(h, "Sam")
    assert sam_row.id is not None
    async with h.db.session() as session:
        session.add(Outbox(person_id=sam_row.id, kind="test_note", method="sendMessage",
                           payload=json.dumps({"text": "Queued before the upgrade"}),
                           next_attempt_at=h.clock.now(), created_at=h.clock.now()))
    await h.deliver()
    assert "Queued before the upgrade" in sam.texts()


# --- key rotation -----------------------------------------------------------------------------

NEW_SECRET = "rotated-R7vQ2mX9kL4pT8wZ3nB6yH1cF5dJ0sGa"


async def test_rotating_the_key_of_a_populated_database_leaves_everyone_working(h: Harness) -> None:
    sam, alex = await onboard(h, "Sam"), await supporter(h, "Alex")
    await add_supporter(h, sam, alex)
    sam_row, alex_row = await _person(h, "Sam"), await _person(h, "Alex")
    assert sam_row.id is not None and alex_row.id is not None
    old, new, now = Vault(TEST_SECRET), Vault(NEW_SECRET), h.clock.now()
    async with h.db.session() as session:
        checkin = Checkin(person_id=sam_row.id, local_date=date(2026, 1, 5), created_at=now, updated_at=now)
        request = ReleaseRequest(created_by_id=sam_row.id, person_id=sam_row.id, on_behalf=False, created_at=now, updated_at=now)
        session.add_all([checkin, request])
        await session.flush()
        checkin.note_enc = old.encrypt("Hard day, rang my sponsor", field=CHECKIN_NOTE, row=checkin.id)
        request.probation_enc = old.encrypt("Officer Reed, Mondays", field=RELEASE_PROBATION, row=request.id)
        request.notes_enc = old.encrypt("Needs a lift from the gate", field=RELEASE_NOTES, row=request.id)
        ids = (checkin.id, request.id)
    await _write_to(h, alex_row.id, "Waiting for Alex")
    await h.stop()  # rotation runs with the bot stopped

    interrupted = await rotation.rotate(h.db, old, new, batch=1, max_batches=2)
    assert sum(interrupted.rewritten.values()) == 2
    finished = await rotation.rotate(h.db, old, new, batch=1)
    assert finished.already == {"person.chat_id_enc": 2}  # the rerun carries on where it stopped
    assert finished.rewritten == {"checkin.note_enc": 1, "releaserequest.probation_enc": 1,
                                  "releaserequest.notes_enc": 1, "outbox.payload": 1}
    assert finished.unreadable == {}
    assert (await rotation.rotate(h.db, old, new)).rewritten == {}  # nothing left under the old key
    dump = await raw_database_dump(h.db)
    assert "Waiting for Alex" not in dump and "Officer Reed" not in dump

    h.settings = h.settings.model_copy(update={
        "fellowship_secret_key": SecretStr(NEW_SECRET), "old_fellowship_secret_key": SecretStr(TEST_SECRET)})
    h.db = Database(h.db.url, vault=new)
    try:
        await h.start()
        await h.deliver()
        assert "Waiting for Alex" in alex.texts()  # payload and chat id open with the new key
        async with h.db.session() as session:
            checkin_now = await session.get(Checkin, ids[0])
            request_now = await session.get(ReleaseRequest, ids[1])
            assert checkin_now is not None and request_now is not None
            assert checkins.read_note(new, checkin_now) == "Hard day, rang my sponsor"
            assert release_text.private_text(new, request_now, RELEASE_PROBATION) == "Officer Reed, Mondays"
            assert release_text.private_text(new, request_now, RELEASE_NOTES) == "Needs a lift from the gate"
        assert (await _person(h, "Sam")).telegram_hash == old.hash_telegram_id(sam.id)  # not seen since
        await sam.send("/mydata")  # Sam is found by his old hash, and his row upgraded
        assert sam.last().kind == "document"
        assert (await _person(h, "Sam")).telegram_hash == new.hash_telegram_id(sam.id)
        await alex.send("/supporters")  # Alex too is known, not asked to agree again
        assert "Your supporters" in alex.last().text and "✅ I agree" not in alex.last().buttons()
        assert (await _person(h, "Alex")).telegram_hash == new.hash_telegram_id(alex.id)
        await sam.send("/supporters")
        assert "1. Alex" in sam.last().text
    finally:
        await h.stop()
        await h.db.dispose()


def test_rotate_key_takes_both_keys_from_files_and_refuses_a_guessable_new_one(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old_file, new_file, weak_file = tmp_path / "old.key", tmp_path / "new.key", tmp_path / "weak.key"
    old_file.write_text(TEST_SECRET + "\n")
    new_file.write_text(NEW_SECRET + "\n")
    weak_file.write_text("password" * 5)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FELLOWSHIP_SECRET_KEY", TEST_SECRET)
    assert main(["rotate-key", "--old-key-file", str(old_file), "--new-key-file", str(weak_file)]) == 2
    assert "too guessable" in capsys.readouterr().err
    assert main(["rotate-key", "--old-key-file", str(old_file), "--new-key-file", str(new_file)]) == 0
    assert "OLD_FELLOWSHIP_SECRET_KEY" in capsys.readouterr().out


async def test_a_button_sealed_under_the_old_key_is_answered_as_out_of_date_and_the_link_still_works(h: Harness) -> None:
    """The old key is presumed leaked, so tags made with it grant nothing after a rotation
    (whoever holds it could forge them): the press is answered kindly, and the person opens
    the link again to get a button sealed under the new key."""
    sam, alex = await onboard(h, "Sam"), await supporter(h, "Alex")
    payload = await invite_link(sam)
    await alex.send(f"/start {payload}")
    sealed = alex.last().buttons_data()[0]
    await h.stop()
    old, new = Vault(TEST_SECRET), Vault(NEW_SECRET)
    await rotation.rotate(h.db, old, new)
    h.settings = h.settings.model_copy(update={
        "fellowship_secret_key": SecretStr(NEW_SECRET), "old_fellowship_secret_key": SecretStr(TEST_SECRET)})
    h.db = Database(h.db.url, vault=new)
    try:
        await h.start()
        await alex.press_data(sealed)
        assert alex.last_answer() == texts.STALE_BUTTON
        async with h.db.session() as session:
            assert (await session.execute(select(AlertRecipient))).first() is None
        await alex.send(f"/start {payload}")
        await alex.press(alex.last().buttons()[0])
        assert "You're now one of" in alex.last().text
    finally:
        await h.stop()
        await h.db.dispose()
