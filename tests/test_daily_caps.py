"""Daily caps (issue 18): invitation links, relay messages, announcements and release
requests each have a per-person limit over the last 24 hours, so no one can use the bot to
spam someone else. Over a cap the person is told kindly when they can next, nothing is sent
or written, and after 24 hours it works again. A real conversation never comes near it.

The clock starts on Tuesday 24 Nov 2026, 10:00 (London = UTC in winter).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.models import Invitation, Outbox, ReleaseRequest
from bot.services.support.states import OutboxKind
from tests.harness import Harness
from tests.harness import Person as User
from tests.meeting_factory import open_result
from tests.release_steps import coordinator, request_for_someone
from tests.supporters_helpers import add_supporter, person_id, supporter
from tests.test_meetings_secretary import add_tuesday_group, secretary
from tests.test_onboarding import onboard


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The defaults, but release requests capped at 2 (a person) and 3 (a coordinator): each
    request is a dozen steps, so the test reaches the cap sooner, the same way."""
    return settings.model_copy(update={"daily_release_requests": 2, "daily_release_requests_coordinator": 3})


async def count(h: Harness, statement) -> int:  # type: ignore[no-untyped-def]
    async with h.db.session() as session:
        return int((await session.execute(statement)).scalar_one())


# --- invitation links -------------------------------------------------------------------------


async def test_a_coordinator_who_made_ten_invitation_links_today_is_told_when_they_can_make_another(h: Harness) -> None:
    h.clock.set(datetime(2026, 11, 24, 20, 0, tzinfo=UTC))  # Tuesday evening: five links
    casey = await coordinator(h, "Casey")
    await casey.send("/coordinators")
    for _ in range(5):
        await casey.press("➕ Add a coordinator")
    h.clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # Wednesday morning: five more
    for _ in range(5):
        await casey.press("➕ Add a coordinator")
    assert casey.last().text.count("https://t.me/") == 1
    casey_id = await person_id(h, "Casey")
    made = select(func.count()).select_from(Invitation).where(Invitation.created_by_id == casey_id)
    assert await count(h, made) == 10

    await casey.press("➕ Add a coordinator")
    assert casey.last().text == (
        "You've made 10 invitation links in the last day, the most for one day. You can make another after 20:00."
    )
    # A supporter link counts too: refused in the same words, in a pop-up.
    await casey.send("/supporters")
    await casey.press("➕ Add a supporter")
    assert "You can make another after 20:00." in (casey.last_answer() or "")
    assert await count(h, made) == 10

    h.clock.set(datetime(2026, 11, 25, 20, 0, 1, tzinfo=UTC))  # Tuesday's links are a day old
    await casey.send("/coordinators")
    await casey.press("➕ Add a coordinator")
    assert "https://t.me/" in casey.last().text
    assert await count(h, made) == 11


# --- relay messages ---------------------------------------------------------------------------


async def talking(h: Harness) -> tuple[User, User]:
    """Sam and Alex (Sam's supporter) in an open conversation: Alex wrote first."""
    sam = await onboard(h, "Sam")
    alex = await supporter(h, "Alex")
    await add_supporter(h, sam, alex)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send("How are you doing?")
    await h.deliver()
    return sam, alex


def relayed_by(writer_id: int):  # type: ignore[no-untyped-def]
    return select(func.count()).select_from(Outbox).where(Outbox.author_id == writer_id, Outbox.kind == OutboxKind.RELAY_MESSAGE)


async def test_a_real_conversation_of_thirty_messages_each_way_is_never_capped(h: Harness) -> None:
    sam, alex = await talking(h)
    for n in range(30):
        await sam.send(f"Sam {n}")
        assert sam.last().text == "✅ Sent to Alex."
        await alex.send(f"Alex {n}")
        assert alex.last().text == "✅ Sent to Sam."
        h.clock.advance(timedelta(minutes=1))
    await h.deliver()
    # All 30 arrive, in the order Sam wrote them (the sender keeps one person's messages in order).
    assert [t.rsplit("\n", 1)[-1] for t in alex.texts() if "Sam wrote back" in t] == [f"Sam {n}" for n in range(30)]
    assert sum("your supporter, wrote to you" in t for t in sam.texts()) == 31


async def test_a_writer_over_sixty_messages_a_day_is_told_theirs_was_not_sent_and_when_they_can_send_more(h: Harness) -> None:
    sam, alex = await talking(h)
    sam_id = await person_id(h, "Sam")
    for n in range(60):
        await sam.send(f"Message {n}")
    assert sam.last().text == "✅ Sent to Alex."
    await h.deliver()
    assert await count(h, relayed_by(sam_id)) == 60

    await sam.send("Number sixty-one")
    assert sam.last().text.startswith(
        "This message wasn't sent: you've sent 60 messages through the bot in the last day, the most for one day. "
        "You can send more tomorrow after 10:00."
    )
    assert "116 123" in sam.last().text  # the crisis line stays close
    # Crisis words over the cap still get the helplines and the support button at once.
    await sam.send("Honestly I can't cope tonight")
    assert "wasn't sent" in sam.last(1).text
    assert "116 123" in sam.last().text and sam.last().buttons() == ["🆘 I need support now"]
    await h.deliver()
    assert await count(h, relayed_by(sam_id)) == 60
    assert not any("sixty-one" in t or "can't cope" in t for t in alex.texts())

    # A day later the conversation has closed; Reply opens it again and the words go through.
    h.clock.advance(timedelta(hours=24, minutes=1))
    await sam.press("↩️ Reply")
    await sam.send("Back again")
    assert "Sent to Alex" in sam.last().text
    await h.deliver()
    assert alex.last().text.endswith("Back again")
    assert await count(h, relayed_by(sam_id)) == 61


# --- announcements ----------------------------------------------------------------------------


async def test_a_secretary_who_sent_three_announcements_today_is_told_before_typing_a_fourth(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    await pat.press("✅ Publish")
    ann = await onboard(h, "Ann")
    await ann.send("/meetings LS6")
    await open_result(ann, 1)
    await ann.press("⭐ Follow")
    pat_id = await person_id(h, "Pat")
    announced = select(func.count()).select_from(Outbox).where(Outbox.author_id == pat_id, Outbox.kind == "meeting_announcement")
    await pat.send("/mymeetings")
    await pat.press("Tuesday Night Group")
    for n in range(3):
        await pat.press("📣 Announce")
        await pat.send(f"News {n}")
        assert "Sent to 1 follower" in pat.last().text
        h.clock.advance(timedelta(minutes=10))
    assert await count(h, announced) == 3

    await pat.press("📣 Announce")
    assert pat.last().text == (
        "📣 You've sent 3 announcements in the last day, the most for one day, so nothing more goes out now. "
        "You can send another tomorrow after 10:00."
    )
    await pat.send("News 3")  # not taken as an announcement: it wasn't asked for
    await h.deliver()
    assert await count(h, announced) == 3
    assert not any("News 3" in t for t in ann.texts())

    h.clock.advance(timedelta(hours=24))  # the first is a day old
    await pat.press("📣 Announce")
    await pat.send("News 4")
    assert "Sent to 1 follower" in pat.last().text
    await h.deliver()
    assert ann.last().text.endswith("News 4")


# --- release requests -------------------------------------------------------------------------


async def test_a_coordinator_over_the_day_s_release_requests_keeps_the_draft_and_sends_it_a_day_later(h: Harness) -> None:
    casey = await coordinator(h, "Casey")
    for _ in range(3):
        await request_for_someone(h, casey)
    sent = select(func.count()).select_from(ReleaseRequest).where(ReleaseRequest.submitted_at.is_not(None))  # type: ignore[union-attr]
    assert await count(h, sent) == 3
    cards = sum("The card for the person" in t for t in casey.texts())

    await request_for_someone(h, casey)
    assert casey.last().text == (
        "This request wasn't sent yet: you've sent 3 release requests in the last day, the most for one day. "
        "It's kept as a draft: you can send it tomorrow after 10:00."
    )
    assert await count(h, sent) == 3
    assert sum("The card for the person" in t for t in casey.texts()) == cards  # no card
    drafts = select(func.count()).select_from(ReleaseRequest).where(ReleaseRequest.status == "draft")
    assert await count(h, drafts) == 1

    h.clock.advance(timedelta(hours=24))
    await casey.press("✅ Send")
    assert sum("The card for the person" in t for t in casey.texts()) == cards + 1
    assert await count(h, sent) == 4


async def own_request(robin: User, *, first: bool = False) -> None:
    """Robin asks for a companion for themselves, up to the Send button."""
    if first:
        await robin.press("🚪 Ask for a companion on release day")
    else:
        await robin.send("/release")
    for typed in ("HMP Leeds", "30/11/2026", "9.30am", "Leeds"):
        await robin.send(typed)
    for label in ("A man", "Not sure", "✅ Done", "Skip"):
        await robin.press(label)
    await robin.press("✅ Send")


async def test_someone_who_sent_their_own_request_twice_today_is_told_when_they_can_again(h: Harness) -> None:
    robin = await onboard(h, "Robin", purpose="I'm leaving prison soon")
    for n in range(2):
        await own_request(robin, first=n == 0)
        assert robin.last().text.startswith("✅ Sent.")
        await robin.send("/release")
        await robin.press("✖ I don't need it any more")
    await own_request(robin)
    assert robin.last().text.startswith("This request wasn't sent yet: you've sent 2 release requests in the last day")
    sent = select(func.count()).select_from(ReleaseRequest).where(ReleaseRequest.submitted_at.is_not(None))  # type: ignore[union-attr]
    assert await count(h, sent) == 2

    before = sum(t.startswith("✅ Sent.") for t in robin.texts())

    h.clock.advance(timedelta(hours=24))
    await robin.press("✅ Send")  # the kept draft, a day later: its review now says Sent
    assert sum(t.startswith("✅ Sent.") for t in robin.texts()) == before + 1
    assert await count(h, sent) == 3
