"""Release-day buttons after the redesign: every family (cm cv rq rx ro rs ra rk) is defined
once, the data already sitting in people's chats still means the same thing, and a
malformed button of any family is answered kindly as an old one, changing nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.models import ReleaseOffer
from bot.services.release import buttons
from bot.services.release.buttons import (
    AftercareAnswer,
    ApplicationAction,
    DayAction,
    DraftAction,
    ManageAction,
    NewFor,
    OfferAnswer,
)
from tests.harness import Harness
from tests.release_steps import companion, coordinator, request_for_someone, the_request

# Data as the bot sent it before the families were defined (copied from those messages).
ALREADY_SENT = {
    "v1:cm:apply": buttons.application(ApplicationAction.APPLY),
    "v1:cm:a:oLS6": buttons.application(ApplicationAction.ADD_AREA, "oLS6"),
    "v1:cm:g:woman": buttons.application(ApplicationAction.GENDER, "woman"),
    "v1:cv:12": buttons.vetting(12),
    "v1:cv:12:today": buttons.vetting(12, today=True),
    "v1:rq:new:me": buttons.new_request(NewFor.ME),
    "v1:rq:new:other": buttons.new_request(NewFor.SOMEONE_ELSE),
    "v1:rq:7:t:m": buttons.draft(7, DraftAction.MORNING, buttons.MORNING_VALUE),
    "v1:rq:7:n:done": buttons.draft(7, DraftAction.NEED, buttons.NEEDS_DONE),
    "v1:rq:7:x": buttons.draft(7, DraftAction.DISCARD),
    "v1:rq:7:e:date": buttons.draft(7, DraftAction.EDIT_STEP, "date"),
    "v1:rx:7:v": buttons.manage(7, ManageAction.OPEN),
    "v1:rx:7:tm": buttons.manage(7, ManageAction.MORNING),
    "v1:rx:7:to:3": buttons.manage(7, ManageAction.ASSIGN_TO, 3),
    "v1:rx:7:out:cancelled": buttons.manage(7, ManageAction.OUTCOME, "cancelled"),
    "v1:ro:9:a": buttons.offer(9, OfferAnswer.ACCEPT),
    "v1:rs:7:m": buttons.day(7, DayAction.MET),
    "v1:rs:7:t": buttons.day(7, DayAction.WENT_TOGETHER),
    "v1:ra:7:h": buttons.aftercare(7, AftercareAnswer.HAND_OVER),
    "v1:rk:7:3:n": buttons.confirm(7, 3, False),
}


def test_buttons_already_in_peoples_chats_are_made_and_read_exactly_as_before() -> None:
    for old, new in ALREADY_SENT.items():
        assert new == old
    assert buttons.parse_day("v1:rs:7:m") == buttons.Press(7, DayAction.MET)
    assert buttons.parse_offer("v1:ro:9:d") == buttons.Press(9, OfferAnswer.DECLINE)
    assert buttons.parse_aftercare("v1:ra:7:y") == buttons.Press(7, AftercareAnswer.YES)
    assert buttons.parse_manage("v1:rx:7:out:met") == buttons.ManagePress(7, ManageAction.OUTCOME, "met")
    assert buttons.parse_draft("v1:rq:new:other") == buttons.NewRequest(NewFor.SOMEONE_ELSE)
    assert buttons.parse_draft("v1:rq:7:p:LEI") == buttons.DraftPress(7, DraftAction.PRISON, "LEI")
    assert buttons.parse_confirm("v1:rk:7:3:y") == buttons.ConfirmPress(7, 3, True)
    assert buttons.parse_vetting("v1:cv:12:today") == buttons.VettingPress(12, True)
    assert buttons.parse_application("v1:cm:pause") == buttons.ApplicationPress(ApplicationAction.PAUSE)


def test_a_family_never_reads_another_familys_data_or_a_forged_shape() -> None:
    for forged in ("v1:rs:7:m:extra", "v1:rs:7", "v1:rs:x:m", "v1:ro:7:m", "v1:rx:7:m", "v2:rs:7:m", None, 7):
        assert buttons.parse_offer(forged) is None, forged
        assert buttons.parse_manage(forged) is None, forged
    assert buttons.parse_day("v1:ro:9:a") is None
    assert buttons.parse_confirm("v1:rk:7:3:maybe") is None
    assert buttons.parse_draft("v1:rq:new:everyone") is None
    assert buttons.parse_vetting("v1:cv:12:yesterday") is None


async def test_malformed_release_buttons_of_every_family_are_answered_as_old_ones_and_change_nothing(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    await request_for_someone(h, casey)
    await h.deliver()
    number = (await the_request(h)).id
    async with h.db.session() as session:
        offer = (await session.execute(select(ReleaseOffer.id))).scalar_one()
    before = await the_request(h)

    for someone, data in (
        (lee, "v1:cm:fly"), (casey, "v1:cv:soon"), (casey, "v1:rq:new:everyone"), (casey, f"v1:rq:{number}:zz"),
        (casey, f"v1:rx:{number}:explode"), (lee, f"v1:ro:{offer}:maybe"), (lee, f"v1:rs:{number}:zz"),
        (lee, f"v1:ra:{number}:q"), (casey, f"v1:rk:{number}:1:perhaps"),
    ):
        sent = len(someone.messages())
        await someone.press_data(data)
        assert someone.last_answer() == texts.STALE_BUTTON, data
        assert len(someone.messages()) == sent, data  # a toast, not a new message

    after = await the_request(h)
    assert (after.status, after.companion_id, after.updated_at) == (before.status, before.companion_id, before.updated_at)
