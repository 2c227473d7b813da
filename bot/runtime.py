"""What every handler and tick needs, built once by the application factory."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.config import Settings
from bot.crypto import Vault
from bot.db import Database
from bot.services.send_budget import Limits, SendBudget


@dataclass
class Runtime:
    settings: Settings
    db: Database
    vault: Vault
    clock: Clock
    # Telegram's limits, shared through the database by every process, replies first.
    budget: SendBudget
    # Hashes of COORDINATOR_TELEGRAM_IDS, so the raw ids are not kept around either.
    coordinator_hashes: frozenset[str] = field(default_factory=frozenset)
    bot_username: str = ""

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock, db: Database | None = None) -> Runtime:
        from bot.wiring import wire_domain  # the composition root; imported late, as it imports every feature

        wire_domain()
        vault = Vault(settings.secret_key(), previous=settings.old_secret_key())
        db = db or Database(settings.database_url)
        db.use_vault(vault)  # the outbox encrypts and decrypts with it
        return cls(
            settings=settings,
            db=db,
            vault=vault,
            clock=clock,
            budget=send_budget(settings, db, vault),
            coordinator_hashes=frozenset(vault.hash_telegram_id(i) for i in settings.coordinator_telegram_ids),
        )

    def deep_link(self, payload: str) -> str:
        return f"https://t.me/{self.bot_username}?start={payload}"


def send_budget(settings: Settings, db: Database, vault: Vault) -> SendBudget:
    """The shared send budget from settings (on real time: Telegram's limits don't follow
    the sandbox's or the tests' clock)."""
    limits = Limits(
        per_second=settings.send_budget_per_second,
        per_chat_per_second=settings.send_budget_per_chat_per_second,
        group_per_minute=settings.send_budget_group_per_minute,
        bulk_per_second=settings.outbox_rate_per_second,
    )
    return SendBudget(db, limits, slot_of=vault.budget_slot)
