"""Pseudonymisation: keyed hashes for lookup, authenticated encryption for chat ids and notes.

A person is found by HMAC-SHA256(key, telegram_user_id); their chat id (needed to write to
them) is stored only encrypted with AES-GCM. Both keys are derived from the one secret with
HKDF so a leaked database without the secret reveals neither ids nor notes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_SECRET_BYTES = 32


def generate_secret_key() -> str:
    """A fresh secret suitable for FELLOWSHIP_SECRET_KEY (256 bits, URL-safe)."""
    return secrets.token_urlsafe(MIN_SECRET_BYTES)


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fellowship-bot/v1", info=purpose).derive(secret)


class Vault:
    """Holds the derived keys; the only place that hashes ids or encrypts personal text."""

    def __init__(self, secret_key: str) -> None:
        raw = secret_key.encode()
        self._hash_key = _derive(raw, b"telegram-id-hash")
        self._code_key = _derive(raw, b"short-code-hash")
        self._aead = AESGCM(_derive(raw, b"field-encryption"))
        self._seal_key = _derive(raw, b"button-seal")

    def hash_telegram_id(self, telegram_id: int) -> str:
        """Stable pseudonymous lookup key (hex) for a Telegram user id."""
        return hmac.new(self._hash_key, str(int(telegram_id)).encode(), hashlib.sha256).hexdigest()

    def hash_code(self, code: str) -> str:
        """Keyed hash (hex) of a short typed code: a few billion possible codes are quick to
        try against a plain hash, so a leaked database must not be enough to find one."""
        return hmac.new(self._code_key, code.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt text; `context` binds the ciphertext to its column so it can't be swapped."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str, *, context: str) -> str:
        blob = base64.urlsafe_b64decode(token.encode())
        return self._aead.decrypt(blob[:12], blob[12:], context.encode()).decode()

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

    def encrypt_chat_id(self, chat_id: int) -> str:
        return self.encrypt(str(int(chat_id)), context="chat_id")

    def decrypt_chat_id(self, token: str) -> int:
        return int(self.decrypt(token, context="chat_id"))
