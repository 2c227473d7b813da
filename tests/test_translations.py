"""The catalogs (docs/translation.md): every text translated, placeholders and HTML kept,
nothing over Telegram's limits, the shipped .mo compiled from the .po, and a missing
translation falling back to English without breaking anything."""

from __future__ import annotations

import gettext
import io
import logging
import re
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot import i18n, texts
from bot.i18n_extract import constants, messages

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "bot" / "texts.py"
LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.SOURCE]

# The longest realistic value of each placeholder, in characters as Telegram counts them
# (after HTML parsing): names are at most 32, typed text is echoed to texts.ECHO_MAX, and
# the composite parts (a meeting card, a release's details, a list) are bounded where they
# are built. The English must fit with these, so a translation that doesn't is too long.
LONGEST = {
    "name": 32, "helper": 32, "companion": 32, "coordinator": 32, "who": 120, "names": 300,
    "text": texts.ECHO_MAX, "answer": 200, "command": 40, "place": 120, "area": 60, "destination": 60,
    "prison": 60, "address": texts.PLACE_MAX, "notes": texts.NOTES_MAX, "note": 300, "probation": 300,
    "link": 300, "phone": 64, "group": texts.NAME_MAX, "card": 2400, "details": 1600, "meetings": 3000,
    "changes": 1400, "summary": 600, "history": 1500, "roles": 300, "told": 400, "filters": 120,
    "missed": 300, "areas": 300, "counts": 200, "schedule": 120, "when": 40, "day": 20, "date": 20,
    "before": 40, "next": 40, "since": 20, "at": 20, "yours": 20, "expires": 20, "followers": 30,
    "offered": 30, "status": 40, "outcome": 40, "state": 80, "reason": 40, "change": 30, "by": 60,
    "source": 40, "role": 30, "effect": 200, "verdict": 30, "missing": 40, "zone": 40, "extra": 60,
    "what": 30, "sees": 40, "supporter": 200, "period": 20, "greeting": 20, "label": 30, "parts": 60,
    "kind": 30, "current": 30, "first": 300, "others": 300, "last": 32, "second": 60,
    "distance": 20, "attendance": 30, "fellowship": 40, "gender": 20, "needs": 200, "clean_time": 20,
    "vetted": 20, "words": 2000, "face": 2, "word": 20, "hours": 3, "n": 3, "count": 5, "limit": 5, "max": 5,
    "length": 6, "id": 8, "example": 12, "time": 5, "morning": 5, "evening": 5, "clock": 5, "km": 4, "m": 4,
    "bot": 32, "code": 7, "left": 2, "waiting": 3, "language": 10, "phone_number": 20,
}
DEFAULT_LONGEST = 40
MESSAGE_LIMIT, CAPTION_LIMIT, BUTTON_LIMIT, POPUP_LIMIT = 4096, 1024, 64, 200
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def catalog(code: str) -> Catalog:
    with open(ROOT / "bot" / "locale" / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=code)


def source_messages() -> dict[str | tuple[str, str], str]:
    """Every msgid in bot/texts.py as it is now, with the constant it comes from."""
    found: dict[str | tuple[str, str], str] = {}
    for _, name, value in constants(TEXTS.read_text(encoding="utf-8"), str(TEXTS)):
        for message in messages(name, value):
            found.setdefault(message, name)
    return found


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def sources(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def rendered_length(text: str) -> int:
    """The length Telegram counts: tags gone, entities one character, placeholders at their
    longest realistic value."""
    filled = text
    for field in placeholders(text):
        filled = filled.replace("{" + field + "}", "x" * LONGEST.get(field, DEFAULT_LONGEST))
    plain = TAG.sub("", filled)
    return len(re.sub(r"&[a-z]+;", "&", plain))


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_text_in_texts_py_has_a_translation(code: str) -> None:
    po = catalog(code)
    missing = []
    for msgid, name in source_messages().items():
        found = po.get(msgid)
        if found is None or found.fuzzy or not all(forms(found)):
            missing.append(f"{name}: {msgid!r}"[:120])
    assert missing == [], f"{len(missing)} texts lack a {code} translation; run `make translations` and fill them in:\n" + "\n".join(missing)


@pytest.mark.parametrize("code", LANGUAGES)
def test_welsh_plurals_have_all_six_forms(code: str) -> None:
    po = catalog(code)
    assert po.num_plurals == 6 if code == "cy" else po.num_plurals >= 1
    for message in po:
        if message.id and message.pluralizable:
            assert len(forms(message)) == po.num_plurals and all(forms(message)), message.id


@pytest.mark.parametrize("code", LANGUAGES)
def test_translations_keep_every_placeholder_and_html_tag(code: str) -> None:
    wrong = []
    for message in catalog(code):
        if not message.id:
            continue
        wanted = set().union(*(placeholders(s) for s in sources(message)))
        tags = sorted(TAG.findall(sources(message)[0]))
        for form in forms(message):
            if placeholders(form) != wanted or sorted(TAG.findall(form)) != tags:
                wrong.append(f"{sources(message)[0]!r} -> {form!r}"[:200])
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_translated_text_can_exceed_telegrams_limits(code: str) -> None:
    names = source_messages()
    too_long = []
    for message in catalog(code):
        name = names.get(message.id)
        if not message.id or name is None:
            continue
        limit = (
            POPUP_LIMIT if name in ("CAP_INVITATIONS", "NOT_FOR_YOU", "STALE_BUTTON", "LANGUAGE_SET", "SLOW_DOWN")
            else BUTTON_LIMIT if "BUTTON" in name or name in ("PURPOSES", "MOOD_WORDS", "TIMEZONE_CHOICES", "REMOVAL_REASONS")
            else CAPTION_LIMIT if "CAPTION" in name
            else MESSAGE_LIMIT
        )
        english = max(rendered_length(source) for source in sources(message))
        if limit == BUTTON_LIMIT:  # a button naming something long is as long as its name allows, in any language
            limit = max(limit, english)
        assert english <= limit, f"the English {name} is over its limit: fix LONGEST or the text"
        for form in forms(message):
            if rendered_length(form) > limit:
                too_long.append(f"{name} ({rendered_length(form)} > {limit}): {form!r}"[:160])
    assert too_long == [], "\n".join(too_long)


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_shipped_mo_is_compiled_from_the_po(code: str) -> None:
    """A fresh install reads the committed .mo: it must say what the .po says."""
    compiled = io.BytesIO()
    write_mo(compiled, catalog(code))
    compiled.seek(0)
    from_po = gettext.GNUTranslations(compiled)
    with open(ROOT / "bot" / "locale" / code / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    stale = {k for k in set(from_po._catalog) | set(shipped._catalog) if from_po._catalog.get(k) != shipped._catalog.get(k)}  # type: ignore[attr-defined]
    assert not stale, f"{len(stale)} entries differ: run `make translations-compile` and commit the .mo"


def test_the_compiled_catalogs_ship_in_the_package() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"locale/*/LC_MESSAGES/*.mo"' in pyproject
    assert "Babel==" in pyproject


def test_a_missing_translation_falls_back_to_english_and_is_logged_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(texts, "A_TEXT_ADDED_LATER", "A new sentence nobody has translated yet.", raising=False)
    caplog.set_level(logging.WARNING, logger="fellowship.i18n")
    with i18n.speaking("cy"):
        first, second = texts.A_TEXT_ADDED_LATER, texts.A_TEXT_ADDED_LATER
        assert texts.STALE_BUTTON != "That button is from an earlier message and no longer works."  # the rest is Welsh
    assert first == second == "A new sentence nobody has translated yet."
    logged = [r for r in caplog.records if "A new sentence" in r.getMessage()]
    assert len(logged) == 1


def test_a_language_without_a_catalog_answers_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(i18n.LANGUAGES, "xx", "Test")
    with i18n.speaking("xx"):
        assert texts.STALE_BUTTON == "That button is from an earlier message and no longer works."
        assert texts.plural(3, "day") == "3 days"


def test_only_a_welsh_telegram_language_code_means_welsh() -> None:
    assert [i18n.from_telegram(c) for c in ("cy", "CY", "cy-GB", "cy_GB", "en", "en-GB", "fr", "pt-br", "", None, "💥")] == [
        "cy", "cy", "cy", "cy", "en", "en", "en", "en", "en", "en", "en",
    ]
    assert i18n.supported("de") == "en" and i18n.supported(None) == "en"


def test_welsh_counts_dates_and_lists_follow_welsh_rules() -> None:
    with i18n.speaking("cy"):
        assert [texts.plural(n, "year") for n in (1, 2, 3, 5, 6)] == ["1 flwyddyn", "2 flynedd", "3 blynedd", "5 mlynedd", "6 blynedd"]
        assert texts.day_label(date(2026, 12, 1)) == "Maw 1 Rhag"
        assert texts.long_date(date(2026, 9, 8)) == "8 Medi 2026"
        assert texts.names_list(["Alex", "Jo"]) == "Alex a Jo"
        assert texts.names_list(["Jo", "Alex", "Osian"]) == "Jo, Alex ac Osian"
        assert texts.ago(3 * 3600) == "3 awr yn ôl"
    assert texts.day_label(date(2026, 12, 1)) == "Tue 1 Dec"
    assert texts.names_list(["Jo", "Alex", "Osian"]) == "Jo, Alex and Osian"


def test_constants_with_codes_are_not_translated() -> None:
    """Codes (dict keys, flat tuples, commands) stay as they are in every language."""
    with i18n.speaking("cy"):
        assert texts.RELEASE_CLOSE_CHOICES == ("met", "not_released", "not_found", "cancelled")
        assert [command for command, _ in texts.COMMAND_MENU][:3] == ["start", "help", "checkin"]
        assert set(texts.ROLE_NAMES) == {"member", "supporter", "secretary", "companion", "coordinator"}
        assert set(texts.TIMEZONE_CHOICES.values()) >= {"Europe/London"}


# Read at import only for their keys (codes), never their words.
KEYS_ONLY_AT_IMPORT = {
    ("bot/services/checkins/buttons.py", "MOOD_FACES"),
    ("bot/services/release/requests.py", "RELEASE_NEEDS"),
    ("bot/services/release/requests.py", "RELEASE_GENDER_PREFERENCES"),
    ("bot/services/people/role_changes.py", "REMOVAL_REASONS"),
}


def test_no_module_reads_a_text_when_it_is_imported() -> None:
    """A text read at import (a module constant, a class attribute, a default argument) would
    stay in the language of the moment: always English. Read texts where they are said."""
    import ast

    found = set()
    for folder in ("bot", "handlers", "schedules"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = str(path.relative_to(ROOT))
            if relative == "bot/texts.py" or "migrations" in relative:
                continue
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                parts: list[ast.AST] = []
                if isinstance(node, ast.Assign | ast.AnnAssign | ast.Expr):
                    parts = [node]
                elif isinstance(node, ast.ClassDef):
                    parts = [n for n in node.body if isinstance(n, ast.Assign | ast.AnnAssign)]
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    parts = [d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None]
                for part in parts:
                    for n in ast.walk(part):
                        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "texts" and n.attr.isupper():
                            found.add((relative, n.attr))
    assert found - KEYS_ONLY_AT_IMPORT == set()
