"""A small typing helper for compare-and-set claims (no shared one exists yet)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched: 1 means this process won the claim."""
    return cast(CursorResult[Any], result).rowcount
