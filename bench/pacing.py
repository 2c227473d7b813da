"""A burst of due check-in prompts, delivered by the real bot against a stand-in that
enforces Telegram's flood limits.

N members all have their daily prompt due at once. The real application (the one factory,
its real JobQueue, HTTP to the stand-in on loopback) runs as in production: the prompt tick
claims the members into the outbox and the outbox sender tick delivers them, paced at
OUTBOX_RATE_PER_SECOND. The stand-in answers 429 to anything over ~30 messages/s overall or
~1 message/s per chat, as Telegram does. Reported from the stand-in's own record:

- achieved rate (messages / time from the first delivery to the last) against the configured rate (target >= 90%)
- the highest rate to any one chat (target <= 1/s) and the busiest second overall
- 429 answers (target 0)

    .venv/bin/python -m bench.pacing [--quick] [--prompts 10000] [--rate 25] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import logging
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.app import build_application
from bot.clock import SystemClock
from bot.config import load_settings
from bot.crypto import Vault, generate_secret_key
from bot.db import Database
from bot.models import CheckinPlan, Person
from bot.standin import BotApiStandin, serve_standin

TOKEN = "123456:BENCH-token-for-the-stand-in-only"


async def _members(db: Database, vault: Vault, user_ids: list[int]) -> None:
    """Members whose prompt (at 00:00 London, so always passed today) is due now."""
    now = SystemClock().now()
    async with db.session() as session:
        people = [
            Person(
                telegram_hash=vault.hash_telegram_id(user_id), chat_id_enc="",
                pseudonym=f"Member {n}", purpose="recovery", timezone="Europe/London", checkin_time="00:00",
                consented_at=now, created_at=now, onboarded_at=now,
            )
            for n, user_id in enumerate(user_ids)
        ]
        session.add_all(people)
        await session.flush()
        for person, user_id in zip(people, user_ids, strict=True):
            person.chat_id_enc = vault.encrypt_chat_id(user_id, person_id=person.id)  # bound to the row
        session.add_all(
            CheckinPlan(person_id=p.id, next_prompt_at=now - timedelta(minutes=1), updated_at=now)  # type: ignore[arg-type]
            for p in people
        )


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most events in any `window`-second span."""
    best = 0
    for i, start in enumerate(times):
        best = max(best, bisect.bisect_left(times, start + window, lo=i) - i)
    return best


Seed = Callable[[Database, Vault, list[int]], Awaitable[None]]


async def run(prompts: int, rate: float, database_url: str, *, seed: Seed = _members) -> dict[str, float]:
    """`seed` writes rows that make one message due for each stand-in user (by default a
    check-in prompt; bench.lapse_scan passes lapsed members, so each user gets an alert)."""
    standin = BotApiStandin(token=TOKEN, enforce_rate_limits=True)
    server = await serve_standin(standin)
    secret = generate_secret_key()
    settings = load_settings(
        _env_file=None, database_url=database_url, fellowship_secret_key=secret,
        telegram_api_url=server.url, outbox_rate_per_second=rate, log_level="WARNING",
    )
    db = Database(settings.database_url)
    await db.migrate()
    user_ids = [standin.add_user(f"User{n}").id for n in range(prompts)]
    for user_id in user_ids:  # Telegram lets a bot write only to people who wrote to it first
        standin.send_text(user_id, "/start")
    await seed(db, Vault(secret), user_ids)
    await db.dispose()
    app = build_application(settings, token=TOKEN)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()  # the JobQueue: the prompt tick and the outbox sender tick
    started = time.monotonic()
    try:
        deadline = started + prompts / rate * 2 + 120
        while time.monotonic() < deadline:
            delivered = sum(1 for c in standin.calls if c.method == "sendMessage" and c.ok)
            if delivered >= prompts:
                break
            await asyncio.sleep(0.5)
    finally:
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
        await server.stop()
    sends = [c for c in standin.calls if c.method == "sendMessage"]
    ok = sorted(c.at for c in sends if c.ok)
    by_chat: dict[int, list[float]] = defaultdict(list)
    for call in sends:
        if call.ok:
            by_chat[int(call.params["chat_id"])].append(call.at)
    closest = min((b - a for times in by_chat.values() for a, b in zip(sorted(times), sorted(times)[1:], strict=False)), default=None)
    span = ok[-1] - ok[0] if len(ok) > 1 else float("nan")
    return {
        "delivered": len(ok),
        "seconds": span,
        "rate": (len(ok) - 1) / span if len(ok) > 1 else float("nan"),
        "busiest_second": _max_in_window(ok),
        "max_per_chat_in_a_second": max((_max_in_window(sorted(t)) for t in by_chat.values()), default=0),
        "closest_same_chat": closest if closest is not None else float("inf"),
        "429": sum(1 for c in sends if c.status == 429),
        "violations": len(standin.violations),
    }


def main() -> None:
    # A run still sending makes APScheduler skip (and warn about) the next one, every second.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 prompts instead of 10,000")
    parser.add_argument("--prompts", type=int, help="how many members are due at once")
    parser.add_argument("--rate", type=float, default=25.0, help="OUTBOX_RATE_PER_SECOND (default 25)")
    parser.add_argument("--database-url", help="database to use (default: a temporary SQLite file); it is filled")
    args = parser.parse_args()
    prompts = args.prompts or (1_000 if args.quick else 10_000)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{os.path.join(tmp, 'pacing.sqlite3')}"
        print(f"{prompts:,} prompts due at once, outbox rate {args.rate:g}/s; expect about {prompts / args.rate:.0f} s")
        r = asyncio.run(run(prompts, args.rate, url))
    share = r["rate"] / args.rate * 100
    print(f"{'delivered':<34} {r['delivered']:,} of {prompts:,} in {r['seconds']:.1f} s")
    print(f"{'achieved rate':<34} {r['rate']:.2f}/s = {share:.1f}% of {args.rate:g}/s  (target >= 90%)")
    print(f"{'busiest second, all chats':<34} {r['busiest_second']} messages")
    print(f"{'most to one chat in any second':<34} {r['max_per_chat_in_a_second']}  (target <= 1)")
    print(f"{'429 Too Many Requests':<34} {r['429']}  (target 0)")
    print(f"{'Bot API spec violations':<34} {r['violations']}")


if __name__ == "__main__":
    main()
