"""Languages: which one is spoken now, and the gettext catalogs that hold the translations.

English is the source: every text in `bot/texts.py` is its own msgid, so a text another
engineer adds there is translatable as soon as `make translations` extracts it (no marking,
no call site changes). `texts.NAME` answers in the language of the current context
(`speaking`); handlers set it per update from the person's stored language (Telegram's
`language_code` before they exist), and code that writes to somebody else (the outbox)
renders inside `speaking(recipient's language)`.

A missing translation never breaks anything: the English is used and the msgid is logged
once (never personal data: msgids are our own source texts).
"""

from __future__ import annotations

import gettext as _gettext
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from babel import Locale

log = logging.getLogger("fellowship.i18n")

SOURCE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def _languages() -> dict[str, str]:
    """English, and every language with a compiled catalog in bot/locale, each named in
    itself ("Cymraeg"), in code order: adding a language is adding its catalog."""
    codes = sorted({SOURCE, *(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))})
    return {code: (Locale.parse(code).get_display_name(code) or code).capitalize() for code in codes}


# The languages a person can choose, in the order the choice is shown, with their own names.
LANGUAGES: dict[str, str] = _languages()

_current: ContextVar[str] = ContextVar("language", default=SOURCE)
_missing_logged: set[tuple[str, str]] = set()


def current() -> str:
    """The language texts are rendered in right now."""
    return _current.get()


def supported(code: str | None) -> str:
    """`code` if we speak it, else English (an unknown or empty code is never an error)."""
    return code if code in LANGUAGES else SOURCE


def from_telegram(language_code: str | None) -> str:
    """Telegram's `language_code` ("cy", "cy-GB", "en-US", None) to ours: a language we
    have ("cy" means Welsh); anything else, or nothing, means English."""
    base = (language_code or "").strip().lower().replace("_", "-").split("-")[0]
    return supported(base)


def use(code: str | None) -> None:
    """Speak `code` for the rest of this update (the handler task's own context)."""
    _current.set(supported(code))


@contextmanager
def speaking(code: str | None) -> Iterator[None]:
    """Render texts in `code` inside the block: a message to another person is written in
    their language, whatever the acting person speaks."""
    token = _current.set(supported(code))
    try:
        yield
    finally:
        _current.reset(token)


@cache
def catalog(code: str) -> _gettext.GNUTranslations | None:
    """The compiled catalog shipped in the package (bot/locale/<code>/LC_MESSAGES), or None."""
    path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.exists():
        log.warning("no compiled catalog for %s", code)
        return None
    with path.open("rb") as handle:
        return _gettext.GNUTranslations(handle)


def _entries(code: str) -> dict[Any, str]:
    found = catalog(code)
    return found._catalog if found is not None else {}  # type: ignore[attr-defined]


def _missing(code: str, msgid: str) -> None:
    """Log a missing translation once per language and msgid."""
    if (code, msgid) not in _missing_logged:
        _missing_logged.add((code, msgid))
        log.warning("missing %s translation for %r", code, msgid[:80])


def is_text(value: str) -> bool:
    """Only strings with letters are texts; emoji, punctuation and numbers are kept as-is."""
    return any(char.isalpha() for char in value)


def gettext(msgid: str) -> str:
    """`msgid` in the current language; the English itself when untranslated."""
    code = current()
    if code == SOURCE or not is_text(msgid):
        return msgid
    translated = _entries(code).get(msgid)
    if not translated:
        _missing(code, msgid)
        return msgid
    return translated


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` by the current language's plural rule (Welsh has six)."""
    code = current()
    if code == SOURCE:
        return singular if count == 1 else plural
    found = catalog(code)
    if found is None or not _entries(code).get((singular, 0)):
        _missing(code, singular)
        return singular if count == 1 else plural
    return found.ngettext(singular, plural, count)


def babel_locale() -> str:
    """The Babel locale for dates and numbers in the current language."""
    return current()


class Plural:
    """A text with a count, chosen by the language's plural rule at `.format` time:
    `texts.X.format(count=3)` reads like every other text at the call site."""

    def __init__(self, singular: str, plural: str) -> None:
        self.singular, self.plural = singular, plural

    def format(self, count: int, **values: object) -> str:
        return ngettext(self.singular, self.plural, count).format(count=count, **values)


# Dict constants whose KEYS are the labels people see (the values are codes).
LABEL_KEYS = frozenset({"TIMEZONE_CHOICES"})


def translate_value(name: str, value: Any) -> Any:
    """A `texts` constant in the current language, by the rules the extractor uses
    (bot/i18n_extract.py): a str is a msgid; a dict's values (or, for LABEL_KEYS, its
    keys) are translated; in a sequence of tuples only each tuple's last item (the label)
    is; a flat sequence of strings holds codes and is kept; anything else is kept."""
    if isinstance(value, str):
        return gettext(value)
    if isinstance(value, dict):
        if name in LABEL_KEYS:
            return {gettext(key): item for key, item in value.items()}
        return {key: translate_value("", item) for key, item in value.items()}
    if isinstance(value, list | tuple) and value and all(isinstance(item, tuple) for item in value):
        rows = [(*item[:-1], translate_value("", item[-1])) for item in value]
        return rows if isinstance(value, list) else tuple(rows)
    if isinstance(value, list) and value and all(isinstance(item, list) for item in value):
        return [translate_value("", item) for item in value]
    return value


class _Translating(ModuleType):
    """`bot.texts` itself, whose upper-case constants answer in the current language."""

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if not name.isupper() or current() == SOURCE:
            return value
        return translate_value(name, value)


def make_translatable(module_name: str) -> None:
    """Turn the (already executed) module into one whose constants are translated on read."""
    module = sys.modules.get(module_name)
    if module is not None:  # not when the extractor runs the source on its own
        module.__class__ = _Translating
