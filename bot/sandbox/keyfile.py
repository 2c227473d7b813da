"""The sandbox's secret key, generated once and kept in a file only its owner can read.

The sandbox needs no setup, so it cannot ask for FELLOWSHIP_SECRET_KEY. Generating a new key
on every start would make the previous run's database unreadable (every stored chat id is
encrypted with it), so the key is written once and reused.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from bot.crypto import generate_secret_key

log = logging.getLogger("fellowship.sandbox")
OWNER_ONLY = 0o600


def load_or_create_secret(path: Path) -> str:
    """Read the key at `path`, creating it (mode 0600) the first time.

    A key file that others can read is tightened to 0600 rather than refused: it only
    guards the sandbox's own test data, and a clear log line says what was changed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two sandboxes started at once must not both write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    except FileExistsError:
        return _read_existing(path)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(generate_secret_key() + "\n")
    os.chmod(path, OWNER_ONLY)  # the umask may have removed bits; make the mode exact
    log.info("sandbox secret key created")
    return _read_existing(path)


def _read_existing(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode != OWNER_ONLY:
        os.chmod(path, OWNER_ONLY)
        log.warning("sandbox secret key file was mode %o; changed to 600", mode)
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise ValueError(f"The sandbox key file {path} is empty. Delete it (and the sandbox database) to start afresh.")
    return key
