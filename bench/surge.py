"""09:00: thousands of check-in prompts go out while people answer them, against a stand-in
that enforces Telegram's limits.

2,000 members have their daily check-in due at once. The real application (`fellowship run`
in a process of its own: long polling, its JobQueue, HTTP to the stand-in on loopback,
production settings) sends the prompts through the outbox; half of the members answer
theirs as it arrives, with three taps (a mood, "✅ Yes", "✅ Done"), each waiting for the
bot's answer before the next. The stand-in (`BotApiStandin(enforce_rate_limits=True)`)
answers 429 above ~30 messages/s overall or ~1/s per chat, as Telegram does. Reported, from the stand-in's own record:

- reply latency for the taps (press to the bot's answer), p50 and p95 (target p95 < 1.5 s)
- 429 answers (target 0)
- bulk throughput: prompts per second while they were going out, as a share of what replies
  leave of the send budget: min(OUTBOX_RATE_PER_SECOND, the budget's steady rate minus the
  replies Telegram counts as messages, per second) (target >= 90%)

A tap is answered by editing the check-in card and answering the press; Telegram counts
neither as a message, so they take no turns from the budget, and the budget leaves bulk its
whole steady rate. They still compete with the prompts for the event loop, the database and
the connections to the Bot API.

One process on SQLite, then one process on PostgreSQL when `--postgres URL` is given (that
database is wiped), in the same run:

    .venv/bin/python -m bench.surge [--quick] [--members 2000] [--postgres URL [--workers 3]]

and, with `--workers 3`, three `fellowship serve` processes on that PostgreSQL database behind
Debian's nginx (`tests.workers_cluster`, as the chaos test runs them), fed by the stand-in's
webhook delivery: the same members, the same figures from the stand-in's record.

    .venv/bin/python -m bench.surge --postgres URL --workers 3
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.databases import fresh
from bench.pacing import TOKEN, _members
from bench.updates import Replies
from bot.config import Settings, load_settings, normalise_database_url
from bot.crypto import Vault, generate_secret_key
from bot.services.send_budget import Limits, counts_as_message
from bot.standin import BotApiStandin, serve_standin
from bot.standin.webhook import WebhookPoster
from tests.workers_cluster import Cluster

PROMPT = "How are you feeling today?"
LATE_TURNS = "fellowship_send_turns_late_total"
TAPS = ("🙂 good", "✅ Yes", "✅ Done")


@dataclass
class Surge:
    """What one mode measured."""

    name: str
    members: int
    answering: int
    latencies: list[float] = field(default_factory=list)
    prompts: list[float] = field(default_factory=list)  # when each prompt was accepted
    counted_replies: list[float] = field(default_factory=list)  # other messages (Telegram counts them)
    too_many: int = 0
    late_turns: dict[str, float] = field(default_factory=dict)  # sends that asked again (bot.metrics)
    other_texts: dict[str, int] = field(default_factory=dict)  # the bot's own words, to tell what they were
    crowding: list[str] = field(default_factory=list)  # for each 429, what went before it
    violations: int = 0
    unanswered: int = 0
    steady_rate: float = 0.0
    outbox_rate: float = 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    @property
    def span(self) -> float:
        return self.prompts[-1] - self.prompts[0] if len(self.prompts) > 1 else float("nan")

    @property
    def bulk_rate(self) -> float:
        return (len(self.prompts) - 1) / self.span

    @property
    def replies_rate(self) -> float:
        start, end = self.prompts[0], self.prompts[-1]
        return sum(1 for t in self.counted_replies if start <= t <= end) / self.span

    @property
    def left_for_bulk(self) -> float:
        return min(self.outbox_rate, self.steady_rate - self.replies_rate)


@dataclass
class Mode:
    """A way of running the bot against the stand-in: start it, and stop it afterwards."""

    name: str
    database_url: str
    # Starts the bot; returns what stops it, which returns the bot's count of late turns.
    start: Callable[[Settings, BotApiStandin, Path], Awaitable[Callable[[], Awaitable[dict[str, float]]]]]


def modes(tmp: str, postgres: str | None, workers: int = 0) -> list[Mode]:
    found = [Mode("1 process, SQLite", f"sqlite+aiosqlite:///{tmp}/surge.sqlite3", one_process)]
    if postgres:
        found.append(Mode("1 process, PostgreSQL", normalise_database_url(postgres), one_process))
        if workers:
            found.append(Mode(f"{workers} workers, PostgreSQL", normalise_database_url(postgres), functools.partial(n_workers, workers)))
    return found


async def n_workers(size: int, settings: Settings, standin: BotApiStandin, work: Path) -> Callable[[], Awaitable[dict[str, float]]]:
    """The bot as a region runs it: `size` webhook workers behind nginx, one database."""
    cluster = _cluster(settings, work, size=size)
    poster = WebhookPoster(standin)
    poster.start()
    await cluster.start()

    async def stop() -> dict[str, float]:
        late = await _late_turns(cluster)
        await cluster.stop()
        await poster.stop()
        return late

    return stop


async def one_process(settings: Settings, standin: BotApiStandin, work: Path) -> Callable[[], Awaitable[dict[str, float]]]:
    """The bot as `fellowship run` runs it: one process of its own (long polling, its JobQueue),
    as in production: sharing this process's event loop with the stand-in and a thousand
    members tapping would measure the benchmark as much as the bot."""
    cluster = _cluster(settings, work, size=1, polling=True)
    await cluster.start()

    async def stop() -> dict[str, float]:
        late = await _late_turns(cluster)
        await cluster.stop()
        return late

    return stop


def _cluster(settings: Settings, work: Path, *, size: int, polling: bool = False) -> Cluster:
    key = settings.fellowship_secret_key
    assert key is not None
    return Cluster(work, settings.database_url, settings.telegram_api_url, key.get_secret_value(), TOKEN, size=size, polling=polling)


async def _late_turns(cluster: Cluster) -> dict[str, float]:
    """Sends that asked the budget again, from each process's /metrics, summed as Prometheus would."""
    late: dict[str, float] = {}
    async with httpx.AsyncClient() as client:
        for port in cluster.ports:
            for family in text_string_to_metric_families((await client.get(f"http://127.0.0.1:{port}/metrics")).text):
                for sample in family.samples:
                    if sample.name == LATE_TURNS:
                        late[sample.labels["kind"]] = late.get(sample.labels["kind"], 0.0) + sample.value
    return late


async def run(mode: Mode, members: int, work: Path) -> Surge:
    standin = BotApiStandin(token=TOKEN, enforce_rate_limits=True)
    server = await serve_standin(standin)
    secret = generate_secret_key()
    settings = load_settings(
        _env_file=None, database_url=mode.database_url, fellowship_secret_key=secret,
        telegram_api_url=server.url, log_level="WARNING",
    )
    answering = members // 2
    result = Surge(mode.name, members, answering, steady_rate=1 / _steady_interval(settings), outbox_rate=settings.outbox_rate_per_second)
    user_ids = [standin.add_user(f"User{n}").id for n in range(members)]
    for user_id in user_ids:  # Telegram lets a bot write only to people who wrote to it first
        standin.send_text(user_id, "/start")
    standin.take_updates(offset=10**9)  # those /starts were only to open the chats
    async with fresh(settings.database_url) as db:  # emptied again when the run ends
        await _members(db, Vault(secret), user_ids)
        await _surge(mode, settings, standin, user_ids, result, work)
    await server.stop()
    _read_record(standin, result)
    return result


async def _surge(mode: Mode, settings: Settings, standin: BotApiStandin, user_ids: list[int], result: Surge, work: Path) -> None:
    """Start the bot, answer prompts as they arrive (every other member), wait for the rest."""
    replies = Replies(standin)
    prompts = standin.subscribe(kinds=("message",))
    stop = await mode.start(settings, standin, work)
    # As `fellowship run` and `serve` do once started: what exists now (the members, the
    # stand-in's chats) is kept out of the collector's sight, so its full collections don't
    # stall this process: the stand-in would then stamp the requests that waited meanwhile
    # as arriving together, and answer some with a 429 Telegram would not have sent.
    gc.collect()
    gc.freeze()
    try:
        answerers = set(user_ids[::2])
        tasks: list[asyncio.Task[None]] = []
        deadline = time.monotonic() + len(user_ids) / settings.outbox_rate_per_second * 2 + 120
        while len(tasks) < result.answering and time.monotonic() < deadline:
            try:
                event = await asyncio.wait_for(prompts.get(), 1)
            except TimeoutError:
                continue
            chat = event["chat_id"]
            if chat in answerers and PROMPT in (event["data"].get("text") or ""):
                answerers.discard(chat)
                tasks.append(asyncio.create_task(_answer(standin, replies, chat, result)))
        while True:  # the other half's prompts
            if _delivered(standin) >= len(user_ids) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        await asyncio.gather(*tasks)
    finally:
        gc.unfreeze()
        replies.close()
        standin.unsubscribe(prompts)
        result.late_turns = await stop()


async def _answer(standin: BotApiStandin, replies: Replies, chat: int, result: Surge) -> None:
    """One member answering the prompt that just arrived: three taps, each after the answer."""
    for label in TAPS:
        started = time.perf_counter()
        try:
            answered = replies.wait(chat, "")
            standin.press(chat, label)
            await answered
        except (TimeoutError, LookupError):
            result.unanswered += 1
            return
        result.latencies.append(time.perf_counter() - started)


def _delivered(standin: BotApiStandin) -> int:
    return sum(1 for c in standin.calls if c.method == "sendMessage" and c.ok and PROMPT in str(c.params.get("text", "")))


def _read_record(standin: BotApiStandin, result: Surge) -> None:
    for call in standin.calls:
        if call.status == 429:
            result.too_many += 1
        if not call.ok or not counts_as_message(call.method):
            continue
        if call.method == "sendMessage" and PROMPT in str(call.params.get("text", "")):
            result.prompts.append(call.at)
        else:
            result.counted_replies.append(call.at)
            text = str(call.params.get("text", ""))[:60]
            result.other_texts[text] = result.other_texts.get(text, 0) + 1
    result.prompts.sort()
    result.violations = len(standin.violations)
    result.crowding = standin.crowding()


def _steady_interval(settings: Settings) -> float:
    return Limits(per_second=settings.send_budget_per_second).interval


def report(results: list[Surge]) -> bool:
    print(f"{'mode':<24}{'taps':>7}{'p50 s':>8}{'p95 s':>8}{'429s':>6}{'prompts/s':>11}{'left by replies':>17}{'bulk share':>12}")
    ok = True
    for r in results:
        share = r.bulk_rate / r.left_for_bulk
        print(
            f"{r.name:<24}{len(r.latencies):>7}{r.percentile(0.5):>8.2f}{r.percentile(0.95):>8.2f}{r.too_many:>6}"
            f"{r.bulk_rate:>11.2f}{r.left_for_bulk:>17.2f}{share:>11.1%}"
        )
        print(
            f"{'':<24}{len(r.prompts):,} prompts in {r.span:.1f} s; {r.answering:,} answering, {r.unanswered} taps unanswered; "
            f"other messages {r.replies_rate:.2f}/s; spec violations {r.violations}; "
            f"late turns asked again: {r.late_turns.get('bulk', 0):.0f} bulk, {r.late_turns.get('reply', 0):.0f} replies"
        )
        if 0 < len(r.other_texts) <= 5:
            print(f"{'':<24}other messages: {r.other_texts}")
        for line in r.crowding:
            print(f"{'':<24}429 on {line}")
        ok &= r.too_many == 0 and r.percentile(0.95) < 1.5 and share >= 0.9 and r.unanswered == 0
    print("targets: 0 × 429; reply p95 < 1.5 s; bulk >= 90% of what replies leave" + ("" if ok else "  -- MISSED"))
    return ok


def main() -> None:
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="500 members instead of 2,000")
    parser.add_argument("--members", type=int, help="members due at 09:00 (half of them answer)")
    parser.add_argument("--postgres", help="also run on this PostgreSQL database (it is wiped)")
    parser.add_argument("--workers", type=int, default=0, help="with --postgres: also run this many webhook workers behind nginx")
    args = parser.parse_args()
    members = args.members or (500 if args.quick else 2_000)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, mode in enumerate(modes(tmp, args.postgres, args.workers)):
            print(f"{mode.name}: {members:,} prompts due, {members // 2:,} members answering ...", flush=True)
            work = Path(tmp) / f"mode-{number}"
            work.mkdir()
            results.append(asyncio.run(run(mode, members, work)))
    raise SystemExit(0 if report(results) else 1)


if __name__ == "__main__":
    main()
