"""Bot API calls share a few kept-open connections (bot.api_connections), against the
stand-in served over real HTTP."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot
from telegram.error import TimedOut

from bot.api_connections import ApiConnections
from bot.standin import BotApiStandin, RunningServer, SimUser
from tests.harness import TOKEN


def _bot(server: RunningServer, connections: ApiConnections) -> Bot:
    return Bot(
        TOKEN,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=connections,
        get_updates_request=connections,
    )


async def test_many_sends_at_once_all_arrive_over_no_more_than_the_given_connections(
    server: RunningServer, standin: BotApiStandin, ada: SimUser
) -> None:
    async with _bot(server, ApiConnections(2)) as bot:
        await asyncio.gather(*(bot.send_message(ada.id, f"message {n}") for n in range(20)))
        open_connections = len(server.http.server.server_state.connections)

    assert sorted(t for t in standin.texts(ada.id) if t.startswith("message")) == sorted(
        f"message {n}" for n in range(20)
    )
    assert 1 <= open_connections <= 2


async def test_a_call_that_finds_every_connection_busy_too_long_times_out_unsent_and_later_ones_go(
    server: RunningServer, standin: BotApiStandin, ada: SimUser
) -> None:
    async with _bot(server, ApiConnections(1)) as bot:
        start = await bot.get_updates()
        poll = asyncio.create_task(bot.get_updates(offset=start[-1].update_id + 1, timeout=5))
        await asyncio.sleep(0.2)  # the long poll holds the only connection

        with pytest.raises(TimedOut, match="Pool timeout"):
            await bot.send_message(ada.id, "too soon", pool_timeout=0.2)

        standin.send_text(ada.id, "hello")  # the poll returns, freeing the connection
        assert [u.message.text for u in await asyncio.wait_for(poll, 5) if u.message] == ["hello"]
        await bot.send_message(ada.id, "now")

    assert [t for t in standin.texts(ada.id) if t in ("too soon", "now")] == ["now"]


async def test_replies_that_wait_over_a_second_for_a_busy_connection_are_all_sent_first_come_first_served(
    server: RunningServer, standin: BotApiStandin, ada: SimUser
) -> None:
    async with _bot(server, ApiConnections(1)) as bot:
        start = await bot.get_updates()
        poll = asyncio.create_task(bot.get_updates(offset=start[-1].update_id + 1, timeout=5))
        await asyncio.sleep(0.2)  # the long poll holds the only connection
        replies = []
        for n in range(5):
            replies.append(asyncio.create_task(bot.send_message(ada.id, f"reply {n}")))
            await asyncio.sleep(0.01)
        await asyncio.sleep(1.5)  # longer than a pool wait used to be allowed (1 s: TimedOut)
        standin.send_text(ada.id, "hello")  # the poll returns, freeing the connection
        await asyncio.wait_for(poll, 5)
        await asyncio.wait_for(asyncio.gather(*replies), 10)  # no TimedOut: nobody is told "something went wrong"

    assert [t for t in standin.texts(ada.id) if t.startswith("reply")] == [f"reply {n}" for n in range(5)]
