"""The coordinator's view (issue 16): what needs a coordinator now, each item with the buttons
that already do the work; the on-call rota that alerts follow; and the audit log of who
viewed or changed a release request or an escalated alert.

The clock starts on Tuesday 24 Nov 2026, 10:00 (London = UTC in winter)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot import texts
from bot.models import AuditEntry, CoordinatorDuty, Incident, ReleaseRequest
from bot.services.support import escalation
from schedules import storage_hygiene
from tests.harness import Harness
from tests.harness import Person as User
from tests.release_steps import companion, confirm, open_card, request_for_someone, the_request
from tests.release_steps import tick_at as release_tick_at
from tests.supporters_helpers import add_supporter, alerts_about, coordinator, person_id, supporter, tick_at
from tests.test_onboarding import onboard

WED_PROMPT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


async def sos_escalated_to_coordinators(h: Harness, member: str = "Sam", helper: str = "Alex") -> tuple[User, User]:
    """A member with one supporter asks for support; the supporter can't: it goes to the coordinators."""
    sam = await onboard(h, member)
    alex = await supporter(h, helper)
    await add_supporter(h, sam, alex)
    await sam.send("/sos")
    await h.deliver()
    await alex.press("I can't right now")
    await h.deliver()
    return sam, alex


async def audit_rows(h: Harness) -> list[AuditEntry]:
    async with h.db.session() as session:
        return list((await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars())


# --- the view ---------------------------------------------------------------------------------


async def test_the_coordinators_view_counts_and_lists_each_kind_of_item_with_its_buttons(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    await request_for_someone(h, cee)  # nobody covers it: no companion
    pat = await onboard(h, "Pat", purpose="I run a meeting")
    await pat.send("Tuesday Night Group")
    kim = await onboard(h, "Kim")
    await add_supporter(h, kim, await supporter(h, "Jo"))
    h.standin.block(kim.id)
    await tick_at(h, WED_PROMPT)  # Kim's prompt can't be delivered: she can't be reached
    await sos_escalated_to_coordinators(h)

    await cee.send("/coordinators")
    view = cee.last()
    for line in ("Needs a coordinator now", "Alerts waiting for a coordinator: 1", "Releases without a companion: 1",
                 "Applications waiting: 1", "Can't be reached (had supporters): 1", "On call this week"):
        assert line in view.text, line
    assert "Wed 25 Nov: Cee" in view.text
    assert view.buttons()[:3] == ["🔔 Alerts (1)", "🚪 Releases (1)", "📵 Can't be reached (1)"]
    assert "📝 Requests waiting (1)" in view.buttons() and "🗓 My on-call days" in view.buttons()

    await cee.press("🔔 Alerts (1)")
    alerts = cee.last()
    assert alerts.message_id == view.message_id  # the same message, one screen at a time
    assert "Sam</b> asked for support" in alerts.html and "waiting for Cee" in alerts.text
    assert alerts.buttons() == ["🤝 I'll reach out to Sam", "💬 Message Sam", "◀ Back to the overview"]
    await cee.press("🤝 I'll reach out to Sam")  # the alert's own button: it works from here
    (incident,) = await _incidents(h)
    assert (incident.status, incident.acknowledged_by_id) == ("acknowledged", await person_id(h, "Cee"))

    await cee.send("/coordinators")
    assert "Alerts waiting" not in cee.last().text, cee.last().text
    await cee.press("🚪 Releases (1)")
    request = await the_request(h)
    assert f"#{request.id} · Fri 4 Dec, morning" in cee.last().text and "Leeds" in cee.last().text
    assert cee.buttons() == [f"👤 Assign #{request.id}", f"📄 Open #{request.id}", "◀ Back to the overview"]
    await cee.press(f"📄 Open #{request.id}")
    assert f"Release #{request.id}" in cee.last().text

    await cee.send("/coordinators")
    await cee.press("📝 Requests waiting (1)")
    assert "Application 1 of 1" in cee.last().text and "Pat asks to be a group secretary" in cee.last().text
    assert cee.buttons()[:2] == ["✅ Approve", "❌ Decline"]
    await cee.press("✅ Approve")
    assert "approved" in cee.last().text

    await cee.send("/coordinators")
    await cee.press("📵 Can't be reached (1)")
    assert "Kim</b> · since Wed 25 Nov · supporters: Jo" in cee.last().html
    await cee.press("◀ Back to the overview")
    assert "Needs a coordinator now" in cee.last().text


async def test_long_sections_come_a_page_at_a_time_within_telegrams_limits(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    for day in range(7, 19):  # twelve requests nobody covers
        await request_for_someone(h, cee, date=f"{day:02d}/12/2026")
    await cee.send("/coordinators")
    await cee.press("🚪 Releases (12)")
    first = cee.last()
    assert "Page 1 of 3" in first.text and first.text.count("· Leeds") == 5
    assert "Mon 7 Dec" in first.text and "Sat 12 Dec" not in first.text  # soonest first
    assert first.buttons()[-2:] == ["Next ▶", "◀ Back to the overview"]
    await cee.press("Next ▶")
    await cee.press("Next ▶")
    assert "Page 3 of 3" in cee.last().text and cee.last().text.count("· Leeds") == 2
    await cee.press_data("v1:cd:s:rq:9999")  # a page past the end: the last page
    assert "Page 3 of 3" in cee.last().text
    assert len(cee.last().html) < 4096 and len(cee.last().buttons()) <= 100


async def test_a_big_team_still_fits_one_overview_message(h: Harness) -> None:
    team = [await coordinator(h, f"Coordinator{n:02d}-{'x' * 18}") for n in range(22)]
    await team[0].send("/coordinators")
    shown = team[0].last()
    assert "…and 2 more" in shown.text and "and 17 more" in shown.text  # 22 on call each day: five named
    assert len(shown.text) < 4096


async def test_an_empty_service_says_kindly_that_nothing_needs_a_coordinator(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    await cee.send("/coordinators")
    assert "Nothing needs a coordinator right now. 💛" in cee.last().text
    assert "Tue 24 Nov: Cee" in cee.last().text
    assert not any(label.startswith(("🔔 Alerts", "🚪", "📵")) for label in cee.buttons())
    await cee.press_data("v1:cd:s:un:0")
    assert "Nothing here now. 💛" in cee.last().text


async def test_a_member_or_companion_typing_or_pressing_any_of_it_is_refused_kindly_and_shown_nothing(h: Harness) -> None:
    casey = await coordinator(h, "Casey")
    leo = await companion(h, casey, "Leo")
    sam = await onboard(h, "Sam")
    await request_for_someone(h, casey)
    request = await the_request(h)
    for person in (sam, leo):
        await person.send("/coordinators")
        assert person.last().text == texts.UNKNOWN_COMMAND.format(command="/coordinators")
        before = len(person.messages())
        for data in ("v1:cd:home", "v1:cd:s:al:0", "v1:cd:s:rq:0", f"v1:cd:t:r:{request.id}", "v1:oc:days", "v1:oc:day:1"):
            await person.press_data(data)
            assert person.last_answer() == texts.NOT_FOR_YOU, data
        assert len(person.messages()) == before
    async with h.db.session() as session:
        assert (await session.execute(select(CoordinatorDuty))).first() is None


async def test_forged_or_stale_view_buttons_from_a_coordinator_change_nothing(h: Harness) -> None:
    casey = await coordinator(h, "Casey")
    await casey.send("/coordinators")
    before = len(casey.messages())
    for forged in ("v1:cd:s:zz:0", "v1:cd:s:al:x", "v1:cd:t:r:abc", "v1:cd:home:1", "v1:cd:t:q:1", "v1:oc:day:9", "v1:oc:day"):
        await casey.press_data(forged)
        assert casey.last_answer() == texts.STALE_BUTTON, forged
    await casey.press_data("v1:cd:t:r:424242")  # a request that doesn't exist (erased, say)
    assert casey.last_answer() == texts.TRAIL_GONE
    assert len(casey.messages()) == before and await audit_rows(h) == []


# --- the rota ---------------------------------------------------------------------------------


async def test_the_rota_routes_an_escalation_to_the_coordinator_on_call_that_day_only(h: Harness) -> None:
    cee, dee = await coordinator(h, "Cee"), await coordinator(h, "Dee")
    await cee.send("/coordinators")
    await cee.press("🗓 My on-call days")
    assert cee.buttons()[:7] == [f"✅ {d}" for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]
    await cee.press("✅ Tue")  # not on Tuesdays
    assert cee.last_answer() == "Saved." and "▫️ Tue" in cee.buttons()
    await cee.send("/coordinators")
    assert "Tue 24 Nov: Dee" in cee.last().text and "Wed 25 Nov: Cee and Dee" in cee.last().text
    await sos_escalated_to_coordinators(h)  # today is Tuesday
    assert alerts_about(cee, "Sam") == [] and len(alerts_about(dee, "Sam")) == 1


async def test_when_nobody_is_on_call_that_day_every_coordinator_is_alerted(h: Harness) -> None:
    cee, dee = await coordinator(h, "Cee"), await coordinator(h, "Dee")
    for each in (cee, dee):
        await each.send("/coordinators")
        await each.press("🗓 My on-call days")
        await each.press("✅ Tue")
    await cee.send("/coordinators")
    assert "Tue 24 Nov: nobody (alerts go to every coordinator)" in cee.last().text
    await sos_escalated_to_coordinators(h)
    assert len(alerts_about(cee, "Sam")) == 1 and len(alerts_about(dee, "Sam")) == 1


def test_the_rota_day_is_londons_day_not_the_servers() -> None:
    # 23:30 UTC on Monday 1 June 2026 is 00:30 on Tuesday in London (summer time).
    assert escalation.rota_day(datetime(2026, 6, 1, 23, 30, tzinfo=UTC)) == date(2026, 6, 2).weekday()
    assert escalation.rota_day(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == date(2026, 12, 1).weekday()


async def test_ending_a_coordinators_role_takes_them_off_the_rota(h: Harness) -> None:
    morgan = await coordinator(h, "Morgan")
    robin = await supporter(h, "Robin")
    await morgan.send("/coordinators")
    await morgan.press("➕ Add a coordinator")
    await robin.send("/start " + morgan.last().text.split("start=")[1])
    await robin.press("✅ Accept")
    await robin.send("/coordinators")
    await robin.press("🗓 My on-call days")
    await robin.press("✅ Mon")
    await morgan.send("/coordinators")
    await morgan.press("👥 People with roles")
    await morgan.press("Robin")
    await morgan.press("End coordinator role")
    await morgan.press("They asked to stop")
    async with h.db.session() as session:
        assert (await session.execute(select(CoordinatorDuty).where(CoordinatorDuty.person_id == await person_id(h, "Robin")))).first() is None
    await morgan.send("/coordinators")
    assert "Robin" not in morgan.last().text


# --- the audit log ----------------------------------------------------------------------------


async def test_the_audit_trail_records_views_and_changes_and_a_coordinator_can_see_it(h: Harness) -> None:
    casey = await coordinator(h, "Casey")
    leo = await companion(h, casey, "Leo")
    await request_for_someone(h, casey)
    await h.deliver()
    await leo.press("✅ I can meet them")
    request = await the_request(h)
    h.clock.set(h.clock.now() + timedelta(minutes=5))
    await leo.press_data(f"v1:rs:{request.id}:v")  # the companion looks at it again
    h.clock.set(h.clock.now() + timedelta(minutes=5))
    await casey.send("/releases")
    await casey.press(f"📄 #{request.id}")
    assert "🧾 Who viewed or changed this" in casey.buttons()
    await casey.press("🧾 Who viewed or changed this")
    trail = casey.last().text
    assert f"Who viewed or changed release #{request.id}" in trail and "kept 365 days" in trail
    lines = trail.splitlines()[2:]
    assert lines == [
        "24 Nov 10:10 · Casey (coordinator) · opened the details",
        "24 Nov 10:05 · Leo (companion) · opened the details",
        "24 Nov 10:00 · Leo (companion) · said yes to meeting them",
        "24 Nov 10:00 · Casey (coordinator) · sent the request",
    ]
    rows = await audit_rows(h)
    assert {(r.actor_id, r.actor_role, r.subject, r.subject_id) for r in rows} >= {
        (await person_id(h, "Leo"), "companion", "release", request.id)}
    assert rows[-1].action == "viewed_trail"  # looking at the trail is itself recorded
    # The companion can't see the trail, and nor can the member.
    sam = await onboard(h, "Sam")
    for person in (leo, sam):
        before = len(person.messages())
        await person.press_data(f"v1:cd:t:r:{request.id}")
        assert person.last_answer() == texts.NOT_FOR_YOU and len(person.messages()) == before


async def test_a_coordinator_answering_or_seeing_an_escalated_alert_is_audited(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    await sos_escalated_to_coordinators(h)
    await cee.send("/coordinators")
    await cee.press("🔔 Alerts (1)")
    await cee.press("🤝 I'll reach out to Sam")
    (incident,) = await _incidents(h)
    cee_id = await person_id(h, "Cee")
    assert [(r.actor_id, r.subject, r.subject_id, r.action) for r in await audit_rows(h)] == [
        (cee_id, "alert", incident.id, "listed"), (cee_id, "alert", incident.id, "reaching_out")]
    await cee.press_data(f"v1:cd:t:a:{incident.id}")
    assert "Cee (coordinator) · said they'd reach out" in cee.last().text
    # The supporter's own answers are not audited: only coordinators' and companions'.
    assert all(r.actor_id == cee_id for r in await audit_rows(h))


async def test_audit_rows_about_an_alert_go_when_the_member_erases_themselves(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    sam, _ = await sos_escalated_to_coordinators(h)
    await cee.send("/coordinators")
    await cee.press("🔔 Alerts (1)")
    assert len(await audit_rows(h)) == 1
    await sam.send("/forget")
    await sam.press(sam.last().buttons()[0])
    assert await audit_rows(h) == []


async def test_audit_rows_are_erased_with_the_request(h: Harness) -> None:
    casey = await coordinator(h, "Casey")
    await request_for_someone(h, casey)
    request = await the_request(h)
    await casey.send("/releases")
    await casey.press(f"📄 #{request.id}")
    await casey.press("✖ Close the request")
    await casey.press(texts.RELEASE_OUTCOMES[texts.RELEASE_CLOSE_CHOICES[0]])
    assert {r.subject_id for r in await audit_rows(h)} == {request.id}
    await release_tick_at(h, h.clock.now() + timedelta(days=29))
    assert await audit_rows(h) != []
    await release_tick_at(h, h.clock.now() + timedelta(days=2))  # 30 days after it closed: erased
    async with h.db.session() as session:
        assert (await session.execute(select(ReleaseRequest))).first() is None
    assert await audit_rows(h) == []


async def test_audit_rows_are_erased_after_the_retention_time(h: Harness) -> None:
    casey = await coordinator(h, "Casey")
    await request_for_someone(h, casey, date="20/11/2027")
    request = await the_request(h)
    await casey.send("/releases")
    await casey.press(f"📄 #{request.id}")
    old = len(await audit_rows(h))
    h.clock.set(h.clock.now() + timedelta(days=300))
    await casey.press(f"📄 #{request.id}", message=casey.find("Release requests"))
    assert await storage_hygiene.run_once(h.runtime) == 0
    h.clock.set(h.clock.now() + timedelta(days=66))  # the first entries are now 366 days old
    assert await storage_hygiene.run_once(h.runtime) == old
    assert [r.action for r in await audit_rows(h)] == ["viewed"]


async def test_a_companion_who_erases_themselves_stays_in_the_trail_only_as_a_former_companion(h: Harness) -> None:
    casey = await coordinator(h, "Casey")
    leo = await companion(h, casey, "Leo")
    await request_for_someone(h, casey)
    await h.deliver()
    await leo.press("✅ I can meet them")
    request = await the_request(h)
    await leo.send("/forget")
    await leo.press(leo.last().buttons()[0])
    await h.deliver()
    await casey.send("/releases")
    await casey.press(f"📄 #{request.id}")
    await casey.press("🧾 Who viewed or changed this")
    assert "a former companion · said yes to meeting them" in casey.last().text
    assert "Leo" not in casey.last().text


async def test_the_released_person_sees_in_mydata_who_viewed_or_changed_their_request_and_nobody_audits_their_own_steps(
    h: Harness,
) -> None:
    casey = await coordinator(h, "Casey")
    card = await request_for_someone(h, casey)
    ravenna = await open_card(h, "Ravenna", card)
    await confirm(h, casey, "Ravenna")
    before = len(await audit_rows(h))
    await ravenna.send("/release")
    await ravenna.press("🕒 Change the time")
    await ravenna.send("10:30")
    assert len(await audit_rows(h)) == before  # her own change: not an access by anyone else
    await ravenna.send("/mydata")
    exported = json.loads(ravenna.last().raw.file.data)["accountability"]
    seen = [(e["who"], e["as"], e["what"]) for e in exported["who_viewed_or_changed_your_records"]]
    assert seen == [("Casey", "coordinator", "submitted"), ("Casey", "coordinator", "connected")]
    assert exported["what_you_viewed_or_changed"] == []


async def _incidents(h: Harness) -> list[Incident]:
    async with h.db.session() as session:
        return list((await session.execute(select(Incident).order_by(Incident.id))).scalars())
