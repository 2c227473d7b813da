"""Words and phrases that mean someone may be in crisis, in every language the bot speaks.

The lists are data (`bot/data/crisis_phrases/<language>.txt`, one phrase a line), so adding
a language is adding a file. Free text the bot did not expect is checked against all of
them: a match shows the helplines and the "I need support now" button at once, and nobody
is alerted unless the person taps it, so the lists lean towards matching too much.

Matching is on whole words: the text and the phrases are lower-cased, apostrophes dropped
(straight or curly: "can't" = "cant") and other punctuation read as a space, so "help"
matches "Help!" and "help me" but not "helpful".
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from bot.data_files import DATA_DIR

PHRASES_DIR = DATA_DIR / "crisis_phrases"
_APOSTROPHES = re.compile(r"['’‘ʼ`´]")
_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, apostrophes removed, with a space at
    each end so a phrase can be found as ` phrase `."""
    words = _NOT_WORD.sub(" ", _APOSTROPHES.sub("", text.casefold())).split()
    return f" {' '.join(words)} "


def languages() -> tuple[str, ...]:
    """The languages with a list (file names without `.txt`)."""
    return tuple(sorted(p.stem for p in PHRASES_DIR.glob("*.txt")))


@cache
def phrases(language: str) -> frozenset[str]:
    """One language's phrases, normalised; lines starting with '#' are comments."""
    lines = (PHRASES_DIR / f"{language}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(normalise(line) for line in lines if line.strip() and not line.lstrip().startswith("#"))


@lru_cache(maxsize=1)
def _all_phrases() -> frozenset[str]:
    return frozenset().union(*(phrases(language) for language in languages()))


def is_distress(text: str) -> bool:
    """Whether the text contains a crisis or distress phrase in any language we speak."""
    words = normalise(text)
    return any(phrase in words for phrase in _all_phrases())
