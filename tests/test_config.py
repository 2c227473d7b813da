"""Settings are validated once, with messages that say what is wrong and how to fix it."""

import pytest

from bot.config import SettingsError, load_settings

STRONG = "k3Yq9vZ0pLm4Xw7Rt2Bn8Hc5Jd1Fg6Sa-Qe_Uy"


def test_plain_database_urls_get_the_async_driver() -> None:
    assert load_settings(_env_file=None, database_url="sqlite:///x.db").database_url == "sqlite+aiosqlite:///x.db"
    assert (
        load_settings(_env_file=None, database_url="postgresql://u:p@h/db").database_url == "postgresql+asyncpg://u:p@h/db"
    )


def test_an_unknown_database_scheme_is_explained() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL must start with sqlite"):
        load_settings(_env_file=None, database_url="mysql://x")


@pytest.mark.parametrize("weak", ["short", "changeme", "a" * 40])
def test_a_weak_secret_key_is_refused_with_a_way_to_make_one(weak: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, fellowship_secret_key=weak)
    assert "FELLOWSHIP_SECRET_KEY" in str(caught.value)
    assert "token_urlsafe" in str(caught.value)


def test_a_missing_secret_key_or_token_says_how_to_get_one() -> None:
    settings = load_settings(_env_file=None)
    with pytest.raises(SettingsError, match=r"secrets\.token_urlsafe"):
        settings.secret_key()
    with pytest.raises(SettingsError, match="BotFather"):
        settings.bot_token()


def test_coordinator_ids_are_comma_separated_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COORDINATOR_TELEGRAM_IDS", "123, 4567890123")
    assert load_settings(_env_file=None).coordinator_telegram_ids == (123, 4567890123)
    monkeypatch.setenv("COORDINATOR_TELEGRAM_IDS", "123,@bob")
    with pytest.raises(SettingsError, match="'@bob' is not a Telegram user id"):
        load_settings(_env_file=None)


def test_time_zone_and_api_url_are_checked() -> None:
    with pytest.raises(SettingsError, match="Mars/Olympus"):
        load_settings(_env_file=None, default_timezone="Mars/Olympus")
    assert load_settings(_env_file=None, telegram_api_url="http://127.0.0.1:8081/").telegram_api_url == "http://127.0.0.1:8081"
    assert load_settings(_env_file=None, fellowship_secret_key=STRONG).secret_key() == STRONG
