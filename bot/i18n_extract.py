"""The Babel extractor for bot/texts.py (babel.cfg): every constant's English is a msgid.

`pybabel extract` calls `extract_texts` with the file. It runs the module on its own (the
values, including texts composed from others like `WELCOME = WELCOME_BODY + ...`) and
yields the strings by the same rules `bot.i18n.translate_value` reads them with, each with
its constant's name as a comment for the translator. So a text another engineer adds to
texts.py is extracted with no marking.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import IO, Any

from bot.i18n import LABEL_KEYS, Plural, is_text

Message = tuple[int, str | None, str | tuple[str, str], list[str]]


def messages(name: str, value: Any) -> Iterator[str | tuple[str, str]]:
    """The msgids in one constant (plural pairs as tuples), mirroring `translate_value`."""
    if isinstance(value, Plural):
        yield (value.singular, value.plural)
    elif isinstance(value, str):
        if is_text(value):
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from messages("", key if name in LABEL_KEYS else item)
    elif isinstance(value, list | tuple) and value and all(isinstance(item, tuple) for item in value):
        for item in value:
            yield from messages("", item[-1])
    elif isinstance(value, list) and value and all(isinstance(item, list) for item in value):
        for item in value:
            yield from messages("", item)


def constants(source: str, filename: str) -> Iterator[tuple[int, str, Any]]:
    """(line, name, value) of each upper-case module constant, in source order."""
    namespace: dict[str, Any] = {"__name__": "_texts_source", "__file__": filename}
    exec(compile(source, filename, "exec"), namespace)
    seen: set[str] = set()
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            names = [t.id for t in ast.walk(target) if isinstance(t, ast.Name)]
            for name in names:
                if name.isupper() and name not in seen:
                    seen.add(name)
                    yield node.lineno, name, namespace[name]


def extract_texts(fileobj: IO[bytes], keywords: object, comment_tags: object, options: object) -> Iterator[Message]:
    """Babel's extractor interface: (line, function, message, comments)."""
    source = fileobj.read().decode("utf-8")
    for lineno, name, value in constants(source, getattr(fileobj, "name", "bot/texts.py")):
        for message in messages(name, value):
            yield lineno, "ngettext" if isinstance(message, tuple) else None, message, [name]
