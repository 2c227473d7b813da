"""The people buttons (set-up, /settings, /forget, coordinators, role decisions, role
applications) are defined once: buttons people already hold keep working, and anything
else is answered as a stale button with nothing changed."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.models import Person, RoleGrant, RoleRequest
from bot.services.people import buttons
from bot.services.people.buttons import (
    ApplicationAction,
    CleanDateChoice,
    CoordinatorAction,
    Decision,
    ForgetAction,
    OnboardingAction,
    SettingsAction,
)
from tests.harness import Harness
from tests.test_onboarding import onboard


def test_buttons_already_sent_to_people_are_packed_exactly_as_before() -> None:
    assert buttons.onboarding(OnboardingAction.AGREE) == "v1:ob:agree"
    assert buttons.onboarding(OnboardingAction.CHECKIN_TIME, "0900") == "v1:ob:time:0900"
    assert buttons.onboarding(OnboardingAction.CLEAN_DATE, CleanDateChoice.CLEAR) == "v1:ob:clean:clear"
    assert buttons.settings(SettingsAction.STEP_DOWN_CONFIRMED, "coordinator") == "v1:set:downok:coordinator"
    assert buttons.settings(SettingsAction.TIMEZONE) == "v1:set:tz"
    assert buttons.forget(ForgetAction.ERASE) == "v1:fg:yes"
    assert buttons.coordinators(CoordinatorAction.REMOVE_FOR, 12, "conduct") == "v1:co:rmr:12:conduct"
    assert buttons.decision(7, Decision.APPROVE) == "v1:rr:7:a"
    assert buttons.application(ApplicationAction.SKIP, "secretary") == "v1:ap:skip:secretary"


def test_old_button_data_parses_to_its_action_and_forged_data_to_nothing() -> None:
    pressed = buttons.parse_coordinators("v1:co:who:42")
    assert pressed is not None and pressed.action == CoordinatorAction.ROLE_CARD and pressed.number() == 42
    assert buttons.parse_settings("v1:set:down:companion") is not None
    assert buttons.parse_decision("v1:rr:7:d") == (7, Decision.DECLINE)
    # Unknown actions, other families, non-numbers and huge ids are all stale.
    assert buttons.parse_settings("v1:set:wizard") is None
    assert buttons.parse_settings("v1:co:invite") is None
    assert buttons.parse_forget(None) is None
    assert buttons.parse_decision("v1:rr:7:x") is None
    assert buttons.parse_decision("v1:rr:abc:a") is None
    assert buttons.parse_decision("v1:rr:7") is None
    forged = buttons.parse_coordinators("v1:co:who:9999999999999")
    assert forged is not None and forged.number() is None


async def test_a_forged_settings_button_is_answered_as_stale_and_changes_nothing(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/settings")
    for data in ("v1:set:wizard", "v1:set:down:wizard", "v1:set:role:coordinator", "v1:set:downok"):
        await sam.press_data(data)
        assert sam.last_answer() == texts.STALE_BUTTON, data
    async with h.db.session() as session:
        assert (await session.execute(select(RoleRequest))).first() is None
        assert (await session.execute(select(RoleGrant))).first() is None
        person = (await session.execute(select(Person))).scalar_one()
        assert person.awaiting is None


async def test_a_coordinator_pressing_a_forged_coordinator_button_is_told_it_no_longer_works(h: Harness) -> None:
    h.user("Casey", coordinator=True)
    casey = await onboard(h, "Casey", purpose="I support someone")
    await casey.send("/coordinators")
    before = len(casey.messages())
    await casey.press_data("v1:co:teleport:1")
    assert casey.last_answer() == texts.STALE_BUTTON
    assert len(casey.messages()) == before


async def test_the_clean_date_button_from_settings_still_removes_the_date(h: Harness) -> None:
    sam = h.user("Sam")
    await sam.send("/start")
    await sam.press("✅ I agree")
    await sam.send("Sam")
    await sam.press("I'm in recovery")
    await sam.send("UK & Ireland")
    await sam.press("09:00")
    await sam.press("Today")
    await sam.send("/settings")
    await sam.press("Clean date")
    await sam.press("Remove it")
    async with h.db.session() as session:
        person = (await session.execute(select(Person))).scalar_one()
        assert person.clean_date is None
        assert person.awaiting is None
