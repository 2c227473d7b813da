"""Supporters as people use them: a single-use invitation link, yes or no, an order the
member sets, what each supporter sees, /supporting, and either side ending the link."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.models import AlertPlan, AlertRecipient, Checkin, Incident, Invitation, RelaySession, SupportLink
from tests.harness import Harness
from tests.supporters_helpers import add_supporter, invite_link, supporter
from tests.test_onboarding import onboard


async def links(h: Harness) -> list[tuple[int, int, int]]:
    async with h.db.session() as session:
        rows = await session.execute(select(SupportLink.member_id, SupportLink.supporter_id, SupportLink.position).order_by(SupportLink.position))
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def test_a_member_invites_a_supporter_who_accepts_and_both_are_told(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/supporters")
    assert "You haven't added anyone yet" in sam.last().text
    payload = await invite_link(sam)
    assert len(payload) <= 64 and payload.startswith("su_")
    assert "expires in 72 hours" in sam.last().text
    alex = await supporter(h, "Alex")
    await alex.send(f"/start {payload}")
    invite = alex.last()
    assert "Sam</b> would like you to be one of their supporters" in invite.html
    assert "only what else they choose to share" in invite.text
    assert invite.buttons() == ["✅ Yes, I'll support Sam", "No, not now"]
    await alex.press("✅ Yes, I'll support Sam")
    assert "You're now one of Sam's supporters" in alex.last().text
    await h.deliver()
    assert "Alex said yes: they're now your 1st supporter" in sam.last().text
    await sam.send("/supporters")
    assert "1. Alex · sees check-ins" in sam.last().text
    assert "alerted 24 hours after it" in sam.last().text


async def test_someone_new_can_open_the_link_before_they_have_set_up(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    payload = await invite_link(sam)
    newbie = h.user("Newbie")
    await newbie.send(f"/start {payload}")
    await newbie.press("✅ I agree")
    await newbie.send("Nina")
    await newbie.press("I support someone")
    await newbie.send("UK & Ireland")
    assert "would like you to be one of their supporters" in newbie.last().text
    await newbie.press("✅ Yes, I'll support Sam")
    await h.deliver()
    assert "Nina said yes" in sam.last().text


async def test_declining_uses_the_link_up_and_the_member_is_told_kindly(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    payload = await invite_link(sam)
    jo = await supporter(h, "Jo")
    await jo.send(f"/start {payload}")
    await jo.press("No, not now")
    assert "You're not linked with Sam" in jo.last().text
    await h.deliver()
    assert "Jo said no thanks" in sam.last().text
    await jo.send(f"/start {payload}")
    assert "already been used" in jo.last().text
    assert await links(h) == []


async def test_expired_reused_forged_and_own_links_are_refused_clearly(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex, jo = await supporter(h, "Alex"), await supporter(h, "Jo")
    payload = await invite_link(sam)
    await sam.send(f"/start {payload}")
    assert "This is your own invitation link" in sam.last().text
    await alex.send(f"/start {payload}")
    await alex.press("✅ Yes, I'll support Sam")
    await jo.send(f"/start {payload}")
    assert "already been used" in jo.last().text
    await jo.send("/start su_" + "B" * 32)
    assert "don't recognise this link" in jo.last().text
    await jo.send("/start su_<script>")
    assert "don't recognise this link" in jo.last().text
    late = await invite_link(sam)
    h.clock.advance(timedelta(hours=72, seconds=1))
    await jo.send(f"/start {late}")
    assert "expired" in jo.last().text
    # A forged Yes carrying a link instead of a sealed id, and Jo's real Yes pressed by the
    # member themself: neither works (buttons are sealed to the person they were shown to).
    await jo.press_data("v1:su:yes:su_" + "C" * 32)
    assert "no longer works" in (jo.last_answer() or "")
    fresh = await invite_link(sam)
    await jo.send(f"/start {fresh}")
    jos_yes = next(d for d in jo.last().buttons_data() if d.startswith("v1:su:yes:"))
    await sam.press_data(jos_yes)
    assert "no longer works" in (sam.last_answer() or "")
    assert len(await links(h)) == 1


async def test_a_member_has_at_most_five_supporters(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    for name in ("Ann", "Bea", "Cal", "Dee", "Eve"):
        await add_supporter(h, sam, await supporter(h, name))
    await sam.send("/supporters")
    assert "➕ Add a supporter" not in sam.buttons()
    await sam.press_data("v1:su:add")
    assert "You have 5 supporters, the most you can have" in (sam.last_answer() or "")
    # A link made earlier can't make a sixth either.
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(SupportLink))).scalar_one() == 5
    await sam.send("/supporters")
    await sam.press("5. Eve")
    await sam.press("✖ End link with Eve")
    await sam.press("Yes, end it")
    payload = await invite_link(sam)
    await sam.send("/supporters")
    await sam.press("4. Dee")
    await sam.press("✖ End link with Dee")  # so the next accept is the 4th...
    await sam.press("Yes, end it")
    fay = await supporter(h, "Fay")
    await fay.send(f"/start {payload}")
    await fay.press("✅ Yes, I'll support Sam")
    await h.deliver()
    assert "your 4th supporter" in sam.last().text


async def test_too_many_unused_invitations_are_refused(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    for _ in range(5):
        await invite_link(sam)
    await sam.press_data("v1:su:add")
    assert "5 invitation links that haven't been used yet" in (sam.last_answer() or "")
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Invitation))).scalar_one() == 5


async def test_the_member_sets_the_order_and_what_each_supporter_sees(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex, jo = await supporter(h, "Alex"), await supporter(h, "Jo")
    await add_supporter(h, sam, alex)
    await add_supporter(h, sam, jo)
    await sam.send("/supporters")
    assert "1. Alex · sees check-ins\n2. Jo · sees check-ins" in sam.last().text
    await sam.press("2. Jo")
    assert "Jo is your 2nd supporter" in sam.last().text
    await sam.press("⬆️ Ask Jo sooner")
    assert "Jo is your 1st supporter" in sam.last().text
    await sam.press("👁 Share my mood")
    assert "Jo sees whether you're checking in, and your mood" in sam.last().text
    await sam.press("◀ Back")
    assert "1. Jo · sees check-ins, mood\n2. Alex · sees check-ins" in sam.last().text
    sam_id, jo_id = (await links(h))[0][0], (await links(h))[0][1]
    assert (await links(h))[0] == (sam_id, jo_id, 1)


async def test_supporting_shows_only_what_the_member_chose_to_share_and_never_notes(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex, jo = await supporter(h, "Alex"), await supporter(h, "Jo")
    await add_supporter(h, sam, alex)
    await add_supporter(h, sam, jo)
    await alex.send("/supporting")
    assert "No check-in yet" in alex.last().text
    await sam.send("/supporters")
    await sam.press("1. Alex")
    await sam.press("👁 Share my mood")
    await sam.press("👁 Share slips")
    await sam.send("/checkin")
    await sam.press("😟 low")
    await sam.press("Had a slip")
    await sam.press("No, keep it")
    await sam.press("No, just me")
    await sam.press("✍️ Add a private note")
    await sam.send("A secret thought")
    await alex.send("/supporting")
    seen_by_alex = alex.last().text
    assert "✅ Checked in today" in seen_by_alex
    assert "Mood: 😟 low" in seen_by_alex and "Clean and sober: had a slip" in seen_by_alex
    assert "secret" not in seen_by_alex
    await jo.send("/supporting")
    seen_by_jo = jo.last().text
    assert "✅ Checked in today" in seen_by_jo
    assert "Mood" not in seen_by_jo and "slip" not in seen_by_jo and "secret" not in seen_by_jo


async def test_either_side_can_end_the_link_and_the_other_is_told(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex, jo = await supporter(h, "Alex"), await supporter(h, "Jo")
    await add_supporter(h, sam, alex)
    await add_supporter(h, sam, jo)
    await alex.send("/supporting")
    await alex.press("✖ Stop supporting Sam")
    assert "End your link with Sam?" in alex.last().text
    await alex.press("No, keep it")
    assert "Sam" in alex.last().text and len(await links(h)) == 2
    await alex.press("✖ Stop supporting Sam")
    await alex.press("Yes, end it")
    assert "no longer linked with Sam" in alex.last().text
    await h.deliver()
    assert "Alex is no longer one of your supporters" in sam.last().text and "You have 1 left" in sam.last().text
    assert [position for _, _, position in await links(h)] == [1]  # Jo moved up
    await sam.send("/supporters")
    await sam.press("1. Jo")
    await sam.press("✖ End link with Jo")
    await sam.press("Yes, end it")
    await h.deliver()
    assert "Sam has ended your link as a supporter" in jo.last().text
    assert await links(h) == []


async def test_buttons_for_someone_elses_link_or_forged_data_change_nothing(h: Harness) -> None:
    sam, kim = await onboard(h, "Sam"), await onboard(h, "Kim")
    alex = await supporter(h, "Alex")
    await add_supporter(h, sam, alex)
    async with h.db.session() as session:
        link_id = (await session.execute(select(SupportLink.id))).scalar_one()
    for data in (f"v1:su:endok:{link_id}", f"v1:su:share:{link_id}:mood:1", f"v1:su:up:{link_id}", f"v1:su:card:{link_id}"):
        await kim.press_data(data)
        assert kim.last_answer() == "That button is from an earlier message and no longer works."
    await alex.press_data(f"v1:su:share:{link_id}:mood:1")  # a supporter can't change what they see
    await sam.press_data(f"v1:su:share:{link_id}:notes:1")
    await sam.press_data("v1:su:thr:5")
    await sam.press_data("v1:su:card:x")
    async with h.db.session() as session:
        link = (await session.execute(select(SupportLink))).scalar_one()
    assert (link.share_mood, link.share_slips) == (False, False)


async def test_the_member_chooses_how_long_before_a_missed_check_in_alerts_anyone(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await add_supporter(h, sam, await supporter(h, "Alex"))
    await sam.send("/supporters")
    await sam.press("⏰ Alert after 24 hours")
    assert sam.buttons()[:5] == ["12 hours", "24 hours", "36 hours", "48 hours", "72 hours"]
    await sam.press("48 hours")
    assert "alerted 48 hours after a check-in you miss" in sam.last().text
    assert "⏰ Alert after 48 hours" in sam.buttons()


async def test_a_checkin_without_supporters_costs_no_alert_rows(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/checkin")
    await sam.press("🙂 good")
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Checkin))).scalar_one() == 1
        assert (await session.execute(select(func.count()).select_from(AlertPlan))).scalar_one() == 0


async def test_mydata_shows_links_alerts_and_conversations_and_forget_leaves_no_trace(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex = await supporter(h, "Alex")
    await add_supporter(h, sam, alex)
    await sam.send("/sos")
    await h.deliver()
    await alex.press("🤝 I'll reach out")
    await alex.press("💬 Message Sam")
    await alex.send("Here for you")
    await h.deliver()
    await sam.send("/mydata")
    data = json.loads(sam.last().raw.file.data)
    assert data["supporters"]["your_supporters"][0] | {"since": None} == {
        "name": "Alex", "order": 1, "sees_mood": False, "sees_slips": False, "since": None,
    }
    assert data["supporters"]["alert_after_hours_without_a_check_in"] == 24
    assert [a["kind"] for a in data["alerts"]["alerts_about_you"]] == ["sos"]
    assert data["messages_through_the_bot"]["conversations"][0]["with"] == "Alex"
    assert "Here for you" not in json.dumps(data)
    await alex.send("/mydata")
    alex_data = json.loads(alex.last().raw.file.data)
    assert alex_data["supporters"]["people_you_support"][0]["name"] == "Sam"
    assert alex_data["alerts"]["alerts_you_received"][0]["your_answer"] == "reaching_out"
    # Alex leaves: Sam is told only that the link ended; nothing of Alex remains.
    await alex.send("/forget")
    await alex.press("Yes, erase everything")
    await h.deliver()
    assert sam.last().text == "Alex is no longer linked with you on this bot."
    await sam.send("/forget")
    await sam.press("Yes, erase everything")
    async with h.db.session() as session:
        for table in (SupportLink, AlertPlan, Incident, AlertRecipient, RelaySession):
            assert (await session.execute(select(func.count()).select_from(table))).scalar_one() == 0, table
