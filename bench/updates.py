"""Update throughput and latency of the real application, next to a bare PTB echo bot.

Both bots long-poll the same HTTP Bot API stand-in on loopback, in the same process and
run, driven by the same simulated users. Each update of ours is an onboarding step that
reads and writes the database and replies (update in -> database write -> reply out); the
echo bot just echoes. Figure of merit: our updates/s as a share of the echo bot's (target >= 50%).
Also counted: errors, i.e. people told "something went wrong" (target 0: nobody gets an
error because the bot is busy).

The stand-in here enforces no limits and the echo bot has no budget, so ours runs with the
send budget (bot/services/send_budget.py) set out of the way: every reply still takes its
turn from the database, but Telegram's ~30 messages/s would make this a measure of that
limit. `--telegram-limits` keeps the real budget (then ours is held to ~26 replies/s).

    .venv/bin/python -m bench.updates [--users 40] [--rounds 3] [--database-url URL] [--telegram-limits]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot import texts
from bot.app import build_application
from bot.clock import SystemClock
from bot.config import load_settings
from bot.crypto import generate_secret_key
from bot.db import Database
from bot.standin import BotApiStandin, serve_standin

TOKEN = "123456:BENCH-token-for-the-stand-in-only"
# The send budget with limits no run here reaches: its statements still run for every reply.
OUT_OF_THE_WAY = {
    "send_budget_per_second": 100_000, "send_budget_per_chat_per_second": 1_000, "send_budget_group_per_minute": 60_000,
}

# One person's onboarding: (action, argument, fragment of the reply that ends the step).
STEPS: list[tuple[str, str, str]] = [
    ("text", "/start", "Nothing is saved until"),
    ("press", "✅ I agree", "What should we call you?"),
    ("text", "{name}", "What brings you here?"),
    ("press", "I'm in recovery", "Which time zone"),
    ("text", "UK & Ireland", "When would you like your daily check-in?"),
    ("press", "09:00", "Do you have a clean"),
    ("press", "No date / skip", "You're all set"),
]


@dataclass
class Result:
    name: str
    updates: int
    seconds: float
    latencies: list[float]
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Replies:
    """Wakes the simulated user whose chat got a new bot message matching what it waits for."""

    def __init__(self, standin: BotApiStandin) -> None:
        self.standin = standin
        self.queue = standin.subscribe(kinds=("message", "edit"))  # only the bot's replies matter
        self.waiting: dict[int, tuple[str, asyncio.Future[None]]] = {}
        self.task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        while True:
            event = await self.queue.get()
            if event["event"] not in ("message", "edit") or event["chat_id"] not in self.waiting:
                continue
            if event["data"].get("direction") != "out":  # the person's own message
                continue
            fragment, future = self.waiting[event["chat_id"]]
            if fragment in (event["data"].get("text") or "") and not future.done():
                future.set_result(None)

    async def wait(self, chat_id: int, fragment: str) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = (fragment, future)
        await asyncio.wait_for(future, timeout=30)
        del self.waiting[chat_id]

    def close(self) -> None:
        """Stop listening, so later runs on the same stand-in don't feed an unread queue."""
        self.task.cancel()
        self.standin.unsubscribe(self.queue)


async def drive(standin: BotApiStandin, users: int, steps: list[tuple[str, str, str]], label: str) -> Result:
    """Warm up (caches, compiled SQL, connections) with a few people, then measure `users`."""
    await _drive(standin, max(2, users // 10), steps, f"warm-{label}")
    return await _drive(standin, users, steps, label)


async def _drive(standin: BotApiStandin, users: int, steps: list[tuple[str, str, str]], label: str) -> Result:
    replies = Replies(standin)
    latencies: list[float] = []

    async def one_person(index: int) -> None:
        user = standin.add_user(f"{label}{index}")
        for action, argument, fragment in steps:
            started = time.perf_counter()
            if action == "text":
                standin.send_text(user.id, argument.format(name=f"P{index}"))
            elif action == "press":
                standin.press(user.id, argument)
            else:  # the echo bot sends no buttons: tap its last message with some data
                last = standin.last_message(user.id)
                assert last is not None
                standin.press_button(user.id, last.message_id, argument)
            await replies.wait(user.id, fragment)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    before = _errors(standin)
    await asyncio.gather(*(one_person(i) for i in range(users)))
    elapsed = time.perf_counter() - started
    replies.close()
    return Result(label, len(latencies), elapsed, latencies, _errors(standin) - before)


def _errors(standin: BotApiStandin) -> int:
    """People told "something went wrong" so far (the error handler's reply)."""
    marker = texts.ERROR[:40]
    return sum(1 for c in standin.calls if c.method == "sendMessage" and marker in str(c.params.get("text", "")))


async def run_polling(app: Application, body: Callable[[], Awaitable[Result]]) -> Result:  # type: ignore[type-arg]
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=10)
    try:
        return await body()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def echo_app(base: str, concurrent: bool) -> Application:  # type: ignore[type-arg]
    """The bare baseline: python-telegram-bot's echo bot. `concurrent` gives it the same
    freedom ours has (updates from different people at once), so the ratio is fair."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "?")

    async def echo_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await context.bot.send_message(query.from_user.id, query.data or "?")

    builder = Application.builder().token(TOKEN).base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    app = builder.concurrent_updates(32 if concurrent else False).build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.add_handler(CallbackQueryHandler(echo_press))
    return app


def echo_steps() -> list[tuple[str, str, str]]:
    """The same mix of updates as ours (3 texts, 4 button presses, in the same order); the
    echo bot replies with the text or the button's data."""
    kinds = {"text": "text", "press": "tap"}
    return [(kinds[action], f"step{i}", f"step{i}") for i, (action, _, _) in enumerate(STEPS)]



async def measure(users: int, database_url: str | None, telegram_limits: bool = False) -> tuple[Result, Result, Result]:
    standin = BotApiStandin(token=TOKEN)
    server = await serve_standin(standin)
    try:
        echo = await run_polling(echo_app(server.url, False), lambda: drive(standin, users, echo_steps(), "echo"))
        echo_c = await run_polling(echo_app(server.url, True), lambda: drive(standin, users, echo_steps(), "echo-c"))
        with tempfile.TemporaryDirectory() as tmp:
            url = database_url or f"sqlite:///{tmp}/bench.sqlite3"
            settings = load_settings(
                _env_file=None,
                database_url=url,
                fellowship_secret_key=generate_secret_key(),
                telegram_api_url=server.url,
                **({} if telegram_limits else OUT_OF_THE_WAY),
            )
            db = Database(settings.database_url)
            await db.migrate()
            app = build_application(settings, token=TOKEN, clock=SystemClock(), database=db)
            ours = await run_polling(app, lambda: drive(standin, users, STEPS, "ours"))
    finally:
        await server.stop()
    assert not standin.violations, standin.violations
    return echo, echo_c, ours


def report(rows: list[tuple[Result, Result, Result]]) -> None:
    print("echo = PTB's echo bot as in its examples (one update at a time); echo-c = the same with")
    print("concurrent updates; ours = the fellowship bot, each update an onboarding step with a database write.")
    print(f"{'bot':<8}{'updates':>9}{'upd/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for row in rows:
        for result in row:
            print(
                f"{result.name:<8}{result.updates:>9}{result.rate:>9.1f}"
                f"{result.percentile(0.5):>9.1f}{result.percentile(0.99):>9.1f}{result.errors:>8}"
            )
    print(f"people told 'something went wrong': {sum(r.errors for row in rows for r in row)} (target 0)")
    for index, label in ((0, "echo"), (1, "echo-c")):
        shares = [row[2].rate / row[index].rate for row in rows]
        print(f"ours / {label}: {statistics.median(shares):.0%} (median of {len(rows)} rounds; target >= 50%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=40, help="simulated people onboarding at once")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--telegram-limits", action="store_true", help="keep the send budget at Telegram's limits")
    args = parser.parse_args()
    rows = [asyncio.run(measure(args.users, args.database_url, args.telegram_limits)) for _ in range(args.rounds)]
    report(rows)


if __name__ == "__main__":
    main()
