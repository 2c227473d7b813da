"""Settings from the environment or `.env`, validated once at start.

Every error names the setting, says what is wrong and how to fix it, because the person
starting the bot is often a volunteer, not a developer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.crypto import generate_secret_key, secret_weakness

DEFAULT_SQLITE_PATH = Path("data") / "fellowship.sqlite3"
_LOG_LEVELS = {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"}


class SettingsError(Exception):
    """Settings are missing or wrong; the message is meant for a person to read."""


def secret_key_hint() -> str:
    return (
        "Generate one with:\n"
        '  python -c "import secrets; print(secrets.token_urlsafe(32))"\n'
        f"for example: FELLOWSHIP_SECRET_KEY={generate_secret_key()}\n"
        "Keep it safe and never change it: it unlocks every stored chat id and note."
    )


def normalise_database_url(url: str) -> str:
    """Pick the async driver ourselves so people can paste ordinary URLs."""
    url = url.strip()
    for prefix, driver in (
        ("sqlite+aiosqlite://", "sqlite+aiosqlite://"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql+asyncpg://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
    ):
        if url.startswith(prefix):
            return driver + url[len(prefix) :]
    raise ValueError(
        "DATABASE_URL must start with sqlite:///, sqlite+aiosqlite:///, postgresql:// or "
        f"postgresql+asyncpg:// (got '{url.split(':', 1)[0]}:...')"
    )


class Settings(BaseSettings):
    """The bot's configuration. See `.env.example` for every setting with an explanation."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = Field(default=f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}")
    fellowship_secret_key: SecretStr | None = None
    # After `fellowship rotate-key`: the key before, to find people by their old hash (bot.rotation).
    old_fellowship_secret_key: SecretStr | None = None
    coordinator_telegram_ids: Annotated[tuple[int, ...], NoDecode] = ()
    default_timezone: str = "Europe/London"
    log_level: str = "INFO"
    # Overall pace for bulk sends (prompts, announcements), across all processes; they also
    # get only what replies leave of the send budget below.
    outbox_rate_per_second: float = Field(default=25.0, gt=0)
    # Telegram's limits, kept in the database and shared by every process and by replies and
    # bulk sends alike (bot/services/send_budget.py): messages a second overall, a second in
    # one private chat, and a minute in one group. Replies come first; bulk uses what's left.
    send_budget_per_second: float = Field(default=30.0, gt=5)
    send_budget_per_chat_per_second: float = Field(default=1.0, gt=0)
    send_budget_group_per_minute: float = Field(default=20.0, gt=0)
    # How long an alert waits for "I'll reach out" before it passes to the next person.
    alert_escalation_hours: float = Field(default=4.0, ge=0.25, le=48)
    # The same for an SOS and other immediate alerts (a shared slip, three very low days).
    sos_escalation_minutes: float = Field(default=15.0, ge=1, le=240)
    # Meetings (issue 7): feeds re-imported on a schedule, and the web server for /meetings.json.
    meeting_feeds: Annotated[tuple[str, ...], NoDecode] = ()
    meeting_feed_sync_hours: float = Field(default=6.0, ge=0.25, le=168)
    web_host: str = "127.0.0.1"
    web_port: int | None = Field(default=None, ge=1, le=65535)
    # Webhook workers (`fellowship serve`, issue 15): the public address Telegram posts to
    # (https; http only for a local Bot API server or a stand-in), the secret it sends back in
    # X-Telegram-Bot-Api-Secret-Token, how many connections Telegram may open at once, and
    # how long a worker holds a claimed update before another may take it (bot/inbox.py).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    inbox_lease_seconds: float = Field(default=30.0, ge=1, le=600)
    # Flood limit per person (bot/flood.py): more than FLOOD_MAX_UPDATES updates from one chat
    # in FLOOD_WINDOW_SECONDS are dropped (SOS, alert answers and crisis words never are).
    # Counted in each process's memory: with several processes, each applies it.
    flood_max_updates: int = Field(default=20, ge=5, le=1000)
    flood_window_seconds: float = Field(default=10.0, ge=1, le=3600)
    # Daily caps (bot/services/caps.py), per person over the last 24 hours (rolling), so no
    # one can use the bot to spam someone else. Counted from rows the bot keeps anyway.
    # Invitation links made (supporter and coordinator links together).
    daily_invitations: int = Field(default=10, ge=1, le=1000)
    # Messages one person passes on through the relay, across all their conversations;
    # a real conversation (even a long, hard night) stays well below it.
    daily_relay_messages: int = Field(default=60, ge=10, le=10000)
    # Announcements a secretary sends to followers, across their meetings.
    daily_announcements: int = Field(default=3, ge=1, le=100)
    # Release requests sent: by a person for themselves, and by a coordinator, who sends
    # them on behalf of many people leaving prison (a busy Friday can bring dozens).
    daily_release_requests: int = Field(default=5, ge=1, le=1000)
    daily_release_requests_coordinator: int = Field(default=30, ge=1, le=1000)
    # Accountability (issue 16): how long the audit log of views and changes to release
    # requests and escalated alerts is kept (rows also go with their record).
    audit_retention_days: int = Field(default=365, ge=30, le=3650)
    # Outcome reports (issue 16): counts from 1 up to this are shown as "*" (NHS Digital uses
    # 7 for sub-national health statistics); never below 5, so a setting can't weaken it.
    report_suppression_threshold: int = Field(default=7, ge=5, le=100)

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("coordinator_telegram_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> tuple[int, ...]:
        if value is None or value == "":
            return ()
        if isinstance(value, int):
            return (value,)
        items = value.split(",") if isinstance(value, str) else list(cast(Iterable[object], value))
        ids = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            if not re.fullmatch(r"\d{1,20}", text):
                raise ValueError(
                    f"'{text}' is not a Telegram user id; use numbers separated by commas, e.g. 12345,67890"
                )
            ids.append(int(text))
        return tuple(ids)

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not an IANA time zone; use e.g. Europe/London") from None
        return value

    @field_validator("meeting_feeds", mode="before")
    @classmethod
    def _parse_feeds(cls, value: object) -> tuple[str, ...]:
        """Feeds separated by spaces or commas, each an http(s) URL or a file path, optionally
        prefixed with its fellowship: `NA=https://…`. Commas inside a URL are kept."""
        if value is None or value == "":
            return ()
        items = re.split(r"\s+|,(?=\s*(?:[A-Za-z]+=)?(?:https?://|/))", value) if isinstance(value, str) else list(cast(Iterable[object], value))
        feeds = []
        for item in (str(i).strip() for i in items):
            if not item:
                continue
            match = re.fullmatch(r"(?:(AA|NA|CA|CMA|other)=)?((?:https?://\S+)|/\S+)", item)
            if match is None:
                raise ValueError(
                    f"'{item[:60]}' is not a feed: use an http(s) URL or an absolute file path, optionally "
                    "with the fellowship first, e.g. NA=https://bmlt.example.org/main_server/client_interface/json/?switcher=GetSearchResults"
                )
            feeds.append(item)
        return tuple(feeds)

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _check_webhook_url(cls, value: object) -> object:
        if value is None or value == "":
            return None
        text = str(value).strip()
        if not re.match(r"^https?://[^\s/]+(/\S*)?$", text):
            raise ValueError("must be the https:// address Telegram posts updates to, e.g. https://bot.example.org/telegram/webhook")
        return text

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _check_webhook_secret(cls, value: object) -> object:
        if value is None or value == "":
            return None
        raw = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", raw.strip()):
            raise ValueError(
                "must be 16 to 256 letters, digits, _ or - (Telegram's rule); generate one with:\n"
                '  python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        return raw.strip()

    @field_validator("web_port", mode="before")
    @classmethod
    def _empty_port(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(sorted(_LOG_LEVELS))}")
        return value

    @field_validator("fellowship_secret_key")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        raw = value.get_secret_value().strip()
        weakness = secret_weakness(raw)
        if weakness is not None:
            raise ValueError(f"{weakness}.\n{secret_key_hint()}")
        return SecretStr(raw)

    # --- what each command needs -------------------------------------------------------

    def meeting_feed_specs(self) -> list[tuple[str | None, str]]:
        """(fellowship or None, URL or path) for each of MEETING_FEEDS."""
        specs: list[tuple[str | None, str]] = []
        for item in self.meeting_feeds:
            prefix, sep, rest = item.partition("=")
            is_prefix = bool(sep) and prefix in ("AA", "NA", "CA", "CMA", "other")
            specs.append((prefix, rest) if is_prefix else (None, item))
        return specs

    def old_secret_key(self) -> str | None:
        return self.old_fellowship_secret_key.get_secret_value().strip() if self.old_fellowship_secret_key else None

    def secret_key(self) -> str:
        if self.fellowship_secret_key is None:
            raise SettingsError(f"FELLOWSHIP_SECRET_KEY is not set.\n{secret_key_hint()}")
        return self.fellowship_secret_key.get_secret_value()

    def bot_token(self) -> str:
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value().strip():
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set.\n"
                "Talk to @BotFather in Telegram, send /newbot, and put the token it gives you in .env:\n"
                "  TELEGRAM_BOT_TOKEN=123456:ABC...\n"
                "To try the bot without Telegram, run: fellowship sandbox"
            )
        token = self.telegram_bot_token.get_secret_value().strip()
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters); "
                "copy it again from @BotFather."
            )
        return token

    def webhook(self) -> tuple[str, str, str]:
        """(URL, path the worker serves, secret) for `fellowship serve`; says what to set if
        anything is missing."""
        if not self.webhook_url:
            raise SettingsError(
                "WEBHOOK_URL is not set: the public https:// address Telegram should post updates to,\n"
                "e.g. WEBHOOK_URL=https://bot.example.org/telegram/webhook (see README, Running it for a region)."
            )
        if self.webhook_secret is None:
            raise SettingsError(
                "WEBHOOK_SECRET is not set. Generate one with:\n"
                '  python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        if self.web_port is None:
            raise SettingsError("WEB_PORT is not set: the port this worker listens on (behind the proxy), e.g. WEB_PORT=8081.")
        path = "/" + self.webhook_url.split("://", 1)[1].partition("/")[2].split("?", 1)[0]
        return self.webhook_url, path, self.webhook_secret.get_secret_value()

    def sqlite_path(self) -> Path | None:
        """The SQLite file, if the database is SQLite on disk."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        path = self.database_url[len(prefix) :].split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings, turning pydantic's errors into plain instructions."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = ["The bot's settings need fixing:"]
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"- {name} {message}")
        lines.append("Settings come from the environment or the .env file; see .env.example.")
        raise SettingsError("\n".join(lines)) from None
