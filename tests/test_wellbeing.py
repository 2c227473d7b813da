"""The monthly wellbeing check (BARC-10, issue 16): optional, offered at most once a month
after a check-in, answered with buttons, skippable, never nagging; erased by /forget."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import i18n
from bot.models import WellbeingCheck
from bot.services.reports import wellbeing
from tests.harness import Harness
from tests.harness import Person as User
from tests.test_onboarding import onboard

OFFER = "Monthly wellbeing check"


async def check_in(user: User) -> None:
    await user.send("/checkin")
    await user.press("🙂 good")
    await user.press("✅ Yes")
    await user.press("✅ Done")


async def rows(h: Harness) -> list[WellbeingCheck]:
    async with h.db.session() as session:
        return list((await session.execute(select(WellbeingCheck).order_by(WellbeingCheck.id))).scalars())


def test_the_ten_statements_are_shipped_with_their_source() -> None:
    items = wellbeing.statements()
    assert len(items) == 10 and items[0].startswith("There are more important things")


def test_welsh_readers_get_the_validated_english_statements_and_are_told_why() -> None:
    """The BARC-10 is validated in English; a translation of it would not be (docs/translation.md),
    so Welsh readers see the English statements and answers, with a note in Welsh."""
    english = wellbeing._statement("2026-01", 0)
    with i18n.speaking("cy"):
        welsh = wellbeing._statement("2026-01", 0)
    assert wellbeing.statements()[0] in welsh.text and "1 o 10" in welsh.text
    assert "dim ond yn Saesneg mae'r holiadur wedi'i brofi" in welsh.text
    assert "questionnaire" not in english.text and "1 of 10" in english.text
    assert welsh.markup is not None and english.markup is not None
    scale = [row[0]["text"] for row in welsh.markup["inline_keyboard"]]
    assert scale[:6] == [row[0]["text"] for row in english.markup["inline_keyboard"]][:6]  # the questionnaire's own answers
    assert scale[0] == "1 Strongly disagree" and scale[6] == "Dim y mis hwn"


async def test_a_new_member_is_not_asked_in_their_first_week(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await check_in(sam)
    assert OFFER not in sam.last().text and await rows(h) == []


async def test_a_member_answers_all_ten_statements_and_gets_their_total(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    h.clock.advance(timedelta(days=8))
    await check_in(sam)
    assert OFFER in sam.last().text
    assert sam.buttons() == ["✅ Start", "Not this month", "🔕 Don't ask me again"]
    await sam.press("✅ Start")
    for number in range(1, 11):
        assert f"{number} of 10" in sam.last().text
        await sam.press("5 Agree" if number % 2 else "4 Somewhat agree")
    assert "Your score is 45 out of 60" in sam.last().text
    [row] = await rows(h)
    assert (row.status, row.answers, row.total) == ("done", "5454545454", 45)
    await sam.send("/wellbeing")
    assert "You've done this month's wellbeing check" in sam.last().text
    h.clock.advance(timedelta(hours=2))
    await check_in(sam)  # the same month: not asked again
    assert OFFER not in sam.last().text


async def test_a_double_tap_or_an_old_statement_changes_nothing(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/wellbeing")
    first = sam.last()
    await sam.press("2 Disagree", message=first)
    await sam.press("6 Strongly agree", message=first)  # the first statement again
    assert sam.last_answer() == "That button is from an earlier message and no longer works."
    [row] = await rows(h)
    assert row.answers == "2"


async def test_not_this_month_waits_until_next_month_and_dont_ask_stops_the_offers(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    h.clock.advance(timedelta(days=8))  # 2 December
    await check_in(sam)
    await sam.press("Not this month")
    assert "I'll ask again next month" in sam.last().text
    h.clock.advance(timedelta(days=1))
    await check_in(sam)
    assert OFFER not in sam.last().text
    h.clock.advance(timedelta(days=31))  # January
    await check_in(sam)
    await sam.press("🔕 Don't ask me again")
    h.clock.advance(timedelta(days=31))  # February
    await check_in(sam)
    assert OFFER not in sam.last().text
    await sam.send("/wellbeing")  # still there when they want it
    assert "1 of 10" in sam.last().text


async def test_forget_erases_the_wellbeing_checks(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/wellbeing")
    await sam.press("3 Somewhat disagree")
    await sam.send("/forget")
    await sam.press(sam.buttons()[0])
    assert await rows(h) == []
