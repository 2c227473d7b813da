"""A typed helper for the compare-and-set updates of this package (the lead may merge it
with the same helper in other packages)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.ext.asyncio import AsyncSession


async def changed(session: AsyncSession, statement: Executable) -> int:
    """Run an UPDATE/DELETE and return how many rows it changed: 1 means this process won."""
    return cast(CursorResult[Any], await session.execute(statement)).rowcount
