"""`fellowship rotate-key`: move every encrypted field to a new FELLOWSHIP_SECRET_KEY.

Run it while the bot is stopped, with both keys in files (never on the command line):

    fellowship rotate-key --old-key-file old.key --new-key-file new.key

Every encrypted column (`bot.crypto.ENCRYPTED_FIELDS`) is re-encrypted, bound to its row, in
batches of `BATCH` rows per table, each committed on its own. It needs no progress table to
resume: a value that already opens with the new key is skipped, so a rerun after an
interruption just carries on (and also upgrades ciphertexts written before row binding).

Identity hashes are NOT re-hashed here: `person.telegram_hash` is HMAC(key, Telegram id)
and the Telegram id itself is never stored, so it can't be recomputed. Rather than store the
ids (even encrypted), the upgrade is lazy: with OLD_FELLOWSHIP_SECRET_KEY set, `people.find`
tries the new hash, then the old one, and rewrites the row's hash when it finds a person that
way (the next time they write). Card codes (`card_code_hash`) are looked up the same way.
Chat ids are re-encrypted eagerly, so alerts reach everyone straight away. Keep the old key
set until everyone has been back (or the cards have expired); then remove it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from bot.config import SettingsError
from bot.crypto import ENCRYPTED_FIELDS, EncryptedField, Undecryptable, Vault, secret_weakness
from bot.db import Database

BATCH = 500
CLEARED = "{}"  # an outbox row's payload once final: nothing to re-encrypt


@dataclass
class Rotated:
    """How many values were rewritten (and skipped as already rotated), by table.column."""

    rewritten: dict[str, int] = field(default_factory=dict)
    already: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)


def read_key_file(path: Path) -> str:
    """A key from a file (first line, trimmed): keys never go on a command line."""
    try:
        key = path.read_text().strip()
    except OSError as exc:
        raise SettingsError(f"Can't read the key file {path}: {exc.strerror}") from exc
    if not key:
        raise SettingsError(f"The key file {path} is empty.")
    return key


async def rotate(db: Database, old: Vault, new: Vault, *, batch: int = BATCH, max_batches: int | None = None) -> Rotated:
    """Re-encrypt every encrypted field under `new`; `max_batches` stops early (for tests of
    an interrupted run). Safe to run again: what `new` already opens is left alone."""
    report = Rotated()
    left = max_batches
    for enc in ENCRYPTED_FIELDS:
        last = 0
        while left is None or left > 0:
            rows = await _batch(db, enc, after=last, size=batch)
            if not rows:
                break
            await _rewrite(db, enc, rows, old, new, report)
            last = rows[-1][0]
            left = None if left is None else left - 1
    return report


def _row_of(enc: EncryptedField, row_id: int, person_id: int | None) -> int | None:
    """The row a value is bound to: its id, or the recipient for outbox payloads."""
    return person_id if enc.table == "outbox" else row_id


async def _batch(db: Database, enc: EncryptedField, *, after: int, size: int) -> list[tuple[int, int | None, str]]:
    owner = "person_id" if enc.table == "outbox" else "id"
    query = text(
        f"SELECT id, {owner}, {enc.column} FROM {enc.table} "  # names from our own constants
        f"WHERE id > :after AND {enc.column} IS NOT NULL AND {enc.column} <> '' ORDER BY id LIMIT :size"
    )
    async with db.session() as session:
        return [(int(r[0]), r[1], str(r[2])) for r in await session.execute(query, {"after": after, "size": size})]


async def _rewrite(db: Database, enc: EncryptedField, rows: list[tuple[int, int | None, str]], old: Vault, new: Vault,
                   report: Rotated) -> None:
    name = f"{enc.table}.{enc.column}"
    update = text(f"UPDATE {enc.table} SET {enc.column} = :value WHERE id = :id AND {enc.column} = :was")
    async with db.session() as session:
        for row_id, owner, value in rows:
            bound = _row_of(enc, row_id, owner)
            if value == CLEARED and enc.table == "outbox":
                continue
            plain = _open(new, value, enc, bound)
            if plain is not None and Vault.is_bound(value):
                report.already[name] = report.already.get(name, 0) + 1
                continue
            plain = plain if plain is not None else _open(old, value, enc, bound)
            if plain is None:
                report.unreadable[name] = report.unreadable.get(name, 0) + 1
                continue
            await session.execute(update, {"value": new.encrypt(plain, field=enc, row=bound), "id": row_id, "was": value})
            report.rewritten[name] = report.rewritten.get(name, 0) + 1


def _open(vault: Vault, value: str, enc: EncryptedField, row: int | None) -> str | None:
    if enc.table == "outbox" and value.startswith("{"):
        return value  # queued in clear before outbox encryption
    try:
        return vault.decrypt(value, field=enc, row=row)
    except Undecryptable:
        return None


def check_new_key(key: str) -> None:
    weakness = secret_weakness(key)
    if weakness is not None:
        raise SettingsError(f"The new key {weakness}.")
