"""Pseudonymisation: keyed hashes for lookup, authenticated encryption for chat ids and notes.

A person is found by HMAC-SHA256(key, telegram_user_id); their chat id (needed to write to
them) is stored only encrypted with AES-GCM. Both keys are derived from the one secret with
HKDF so a leaked database without the secret reveals neither ids nor notes.

Bound ciphertexts (issue 18, item 5). The associated data of every encrypted field names its
table, column and row (`associated_data`), so a ciphertext copied into another row -- say one
person's chat id pasted into another's, to redirect their alerts -- fails to decrypt. The row
is named by its integer primary key: it never changes (not even when the key is rotated and
`person.telegram_hash` is re-hashed), and every row is flushed before its field is encrypted
(a person gets a placeholder chat id until the insert gives them an id, see
`people.create_on_consent`). New ciphertexts start with `v2:`; text without the prefix was
written before binding, with only the column's old context as associated data, and is still
read (`EncryptedField.legacy_context`) until `fellowship rotate-key` rewrites it. Whatever
fails to decrypt raises `Undecryptable`, and callers treat it as missing (an unreachable
chat, an empty note) rather than crash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import os
import re
import secrets
import zlib
from collections import Counter
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_SECRET_BYTES = 32
MIN_SECRET_BITS = 128
# Words people reach for when asked for a secret; each counts as one guess from a short list.
COMMON_WORDS = frozenset(
    "password passw0rd secret fellowship changeme letmein welcome admin administrator qwerty "
    "dragon monkey master sunshine shadow football baseball iloveyou trustno default recovery "
    "sober sobriety sponsor meeting prison release telegram token example test demo hello love "
    "key bot fellowshipbot god serenity prayer twelve steps people person".split()
)
_WORD_BITS = 10.0  # generous for a word from a short list of favourites
_DICTIONARY_WORD_BITS = 11.0
BOUND_PREFIX = "v2:"


class Undecryptable(ValueError):
    """A stored ciphertext doesn't open here: copied from another row, altered, or another key."""


@dataclass(frozen=True)
class EncryptedField:
    """One encrypted column; `legacy_context` is the associated data used before binding."""

    table: str
    column: str
    legacy_context: str


CHAT_ID = EncryptedField("person", "chat_id_enc", "chat_id")
CHECKIN_NOTE = EncryptedField("checkin", "note_enc", "checkin_note")
RELEASE_PROBATION = EncryptedField("releaserequest", "probation_enc", "release_probation")
RELEASE_NOTES = EncryptedField("releaserequest", "notes_enc", "release_notes")
RELEASE_PERSON_NOTE = EncryptedField("releaserequest", "person_note_enc", "release_person_note")
# An outbox row's id is not known until its insert, and its text must never reach the database
# (or its WAL) in clear even for a moment, so its payload is bound to the recipient
# (`Outbox.person_id`) instead: copied into a row for someone else, it doesn't decrypt.
OUTBOX_PAYLOAD = EncryptedField("outbox", "payload", "outbox_payload")
# An update a webhook worker stored before answering Telegram (bot/inbox.py), bound to its
# update_id. Not rotated with the others: it lives seconds, and is cleared once handled.
INBOX_PAYLOAD = EncryptedField("inbox", "payload", "inbox_payload")
ENCRYPTED_FIELDS = (CHAT_ID, CHECKIN_NOTE, RELEASE_PROBATION, RELEASE_NOTES, RELEASE_PERSON_NOTE, OUTBOX_PAYLOAD)


def associated_data(field: EncryptedField, row: int | None) -> bytes:
    """The associated data of `field` in row `row`: the one place that names a ciphertext's home."""
    if row is None:
        raise ValueError(f"{field.table}.{field.column}: the row must be flushed (have an id) before encrypting")
    return f"{field.table}.{field.column}#{int(row)}".encode()


def generate_secret_key() -> str:
    """A fresh secret suitable for FELLOWSHIP_SECRET_KEY (256 bits, URL-safe)."""
    return secrets.token_urlsafe(MIN_SECRET_BYTES)


def estimate_secret_bits(value: str) -> float:
    """A deliberately pessimistic guess at how many bits of guessing `value` would take:
    the least of three views, each blind to one trick. Character classes with repeats and
    runs (aaa, abc, 123) nearly free and common words counted as one guess each; the
    spread of the characters (catches "abcabc..."); and how far it compresses (catches any
    repeated pattern). Not a proof of strength, a floor under obvious weakness."""
    value = value.strip()
    if not value:
        return 0.0
    return min(_class_bits(value), _spread_bits(value), _compressed_bits(value))


def _class_bits(value: str) -> float:
    pool = sum(size for pattern, size in ((r"[a-z]", 26), (r"[A-Z]", 26), (r"[0-9]", 10), (r"[^A-Za-z0-9]", 33))
               if re.search(pattern, value))
    per_char = math.log2(pool)
    bits, seen = 0.0, set()
    for piece in re.findall(r"[A-Za-z]+|[^A-Za-z]+", value):
        if piece.lower() in seen:  # said again (a word, a separator): nearly free
            bits += 1.0
            continue
        seen.add(piece.lower())
        bits += _word_bits(piece, per_char) if piece.isalpha() else _chars_bits(piece, per_char)
    return bits


def _word_bits(letters: str, per_char: float) -> float:
    """Letters: favourite words are one guess each; a lower-case run of 3+ letters is
    priced as a dictionary word (about 2**11 likely ones) when that is cheaper."""
    bits = 0.0
    for word in sorted(COMMON_WORDS, key=len, reverse=True):
        found = re.findall(word, letters, flags=re.IGNORECASE)
        bits += _WORD_BITS * len(found)
        letters = re.sub(word, " ", letters, flags=re.IGNORECASE)
    for rest in letters.split():
        chars = _chars_bits(rest, per_char)
        bits += min(chars, _DICTIONARY_WORD_BITS) if len(rest) >= 3 and rest.islower() else chars
    return bits


def _chars_bits(chars: str, per_char: float) -> float:
    """Each character a full guess, except the third and later of a repeat or a run (aaa, 123)."""
    bits = 0.0
    for i, char in enumerate(chars):
        run = i >= 2 and abs(ord(char) - ord(chars[i - 1])) <= 1 and abs(ord(chars[i - 1]) - ord(chars[i - 2])) <= 1
        bits += 1.0 if run else per_char
    return bits


def _spread_bits(value: str) -> float:
    counts = Counter(value)
    return -sum(n * math.log2(n / len(value)) for n in counts.values())


def _compressed_bits(value: str) -> float:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    size = len(squeeze.compress(value.encode()) + squeeze.flush())
    return max(0, size - 2) * 8.0


def secret_weakness(value: str) -> str | None:
    """Why `value` is too weak for FELLOWSHIP_SECRET_KEY, or None when it will do."""
    if len(value.strip()) < MIN_SECRET_BYTES:
        return f"is too weak: too short, use at least {MIN_SECRET_BYTES} random characters"
    bits = estimate_secret_bits(value)
    if bits < MIN_SECRET_BITS:
        return (f"is too weak: too guessable (about {int(bits)} bits; at least {MIN_SECRET_BITS} needed): repeated "
                "patterns, runs and ordinary words add little")
    return None


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fellowship-bot/v1", info=purpose).derive(secret)


class Vault:
    """Holds the derived keys; the only place that hashes ids or encrypts personal text."""

    def __init__(self, secret_key: str, *, previous: str | None = None) -> None:
        """`previous`: the key before a rotation (OLD_FELLOWSHIP_SECRET_KEY), used only to
        find identities and card codes hashed under it (see `bot.rotation`)."""
        self.previous = Vault(previous) if previous else None
        raw = secret_key.encode()
        self._hash_key = _derive(raw, b"telegram-id-hash")
        self._code_key = _derive(raw, b"short-code-hash")
        self._aead = AESGCM(_derive(raw, b"field-encryption"))
        self._seal_key = _derive(raw, b"button-seal")
        self._slot_key = _derive(raw, b"send-budget-slot")

    def hash_telegram_id(self, telegram_id: int) -> str:
        """Stable pseudonymous lookup key (hex) for a Telegram user id."""
        return hmac.new(self._hash_key, str(int(telegram_id)).encode(), hashlib.sha256).hexdigest()

    def budget_slot(self, chat_id: int | str) -> int:
        """A chat's slot in the shared send budget (bot.services.send_budget): a keyed hash
        cut to 14 bits, so a budget row never names a chat and can't be tied to a person."""
        digest = hmac.new(self._slot_key, str(chat_id).encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:2], "big") >> 2

    def hash_code(self, code: str) -> str:
        """Keyed hash (hex) of a short typed code: a few billion possible codes are quick to
        try against a plain hash, so a leaked database must not be enough to find one."""
        return hmac.new(self._code_key, code.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: str, *, field: EncryptedField, row: int | None) -> str:
        """Encrypt text bound to its table, column and row, so it can't be moved elsewhere."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), associated_data(field, row))
        return BOUND_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str, *, field: EncryptedField, row: int | None) -> str:
        """The plaintext of `field` in `row`; raises Undecryptable when it doesn't belong there.
        Unprefixed (pre-binding) ciphertexts are read with the column's legacy context."""
        bound = token.startswith(BOUND_PREFIX)
        data = associated_data(field, row) if bound else field.legacy_context.encode()
        try:
            blob = base64.urlsafe_b64decode(token.removeprefix(BOUND_PREFIX).encode())
            return self._aead.decrypt(blob[:12], blob[12:], data).decode()
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise Undecryptable(f"{field.table}.{field.column} does not decrypt in this row") from exc

    @staticmethod
    def is_bound(token: str) -> bool:
        """Written with row binding (not a legacy, context-only ciphertext)."""
        return token.startswith(BOUND_PREFIX)

    def seal(self, subject: str, telegram_id: int) -> str:
        """A short tag binding a button to what it acts on and to the one person it was shown
        to (`subject` names the kind and the object, e.g. "su:17"). Callback data can be
        forged by any client, so a button that redeems something carries an opaque id and
        this tag instead of a credential: copied to another person, another object or another
        kind of button, the tag no longer matches. 64 bits: far beyond what presses can guess."""
        mac = hmac.new(self._seal_key, f"{subject}|{int(telegram_id)}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:8]).decode().rstrip("=")

    def seal_matches(self, subject: str, telegram_id: int, tag: str) -> bool:
        return hmac.compare_digest(self.seal(subject, telegram_id), tag)

    def encrypt_chat_id(self, chat_id: int, *, person_id: int | None) -> str:
        return self.encrypt(str(int(chat_id)), field=CHAT_ID, row=person_id)

    def decrypt_chat_id(self, token: str, *, person_id: int | None) -> int:
        """The person's chat id; raises Undecryptable when it was not written for this person."""
        return int(self.decrypt(token, field=CHAT_ID, row=person_id))
