"""Cymraeg (issue 17): a Welsh speaker uses the bot in Welsh, and everyone hears in their
own language, whoever acts; a change of language takes effect at once; odd input is safe."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models import Person
from tests.harness import Harness
from tests.harness import Person as User
from tests.meeting_factory import LS6, add_meeting
from tests.supporters_helpers import invite_link, tick_at
from tests.test_alerts import THU_PROMPT, WED_PROMPT
from tests.test_onboarding import onboard


async def onboard_in_welsh(h: Harness, name: str, *, purpose: str = "Rwy'n gwella (adferiad)") -> User:
    """Set-up as a Welsh speaker does it, from a phone set to Welsh, pressing Welsh buttons."""
    user = h.user(name, language_code="cy")
    await user.send("/start")
    assert "Croeso" in user.last().text
    assert user.buttons() == ["✅ Rwy'n cytuno", "Dim nawr"]
    await user.press("✅ Rwy'n cytuno")
    assert "Beth hoffech chi i ni eich galw chi?" in user.last().text
    assert user.buttons() == ["Cymraeg", "English"]  # the choice, during set-up
    await user.send(name)
    assert f"Diolch, {name}. Beth sy'n dod â chi yma?" in user.last().text
    await user.press(purpose)
    assert "Ym mha gylchfa amser ydych chi?" in user.last().text
    assert user.keyboard()[:2] == ["📍 Rhannu fy lleoliad", "DU ac Iwerddon"]
    await user.send("DU ac Iwerddon")
    if purpose == "Rwy'n gwella (adferiad)":
        assert "Pryd hoffech chi gael eich gwiriad dyddiol?" in user.last().text
        await user.press("09:00")
        await user.press("Dim dyddiad / hepgor")
    assert f"Dyna ni, {name}. 🌱" in user.last().text
    assert "Samariaid 116 123" in user.last().text
    return user


async def stored_language(h: Harness, pseudonym: str) -> str | None:
    async with h.db.session() as session:
        return (await session.execute(select(Person.language).where(Person.pseudonym == pseudonym))).scalar_one()


async def test_a_welsh_speaker_sets_up_checks_in_and_finds_a_meeting_in_welsh(h: Harness) -> None:
    await add_meeting(h.db, "Headingley Tuesday", at=(53.8213, -1.5780), days="Tuesday", time="19:30", types="O,BE")
    nia = await onboard_in_welsh(h, "Nia")
    assert await stored_language(h, "Nia") == "cy"
    # A check-in.
    await nia.send("/checkin")
    assert "Sut ydych chi'n teimlo heddiw?" in nia.last().text
    assert "🙂 da" in nia.buttons() and "🆘 Mae angen cefnogaeth arna i nawr" in nia.buttons()
    await nia.press("🙂 da")
    assert "Wnaethoch chi aros yn lân ac yn sobr heddiw?" in nia.last().text
    await nia.press("✅ Do")
    await nia.press("✅ Wedi gorffen")
    done = nia.last().text
    assert "Wedi gwirio i mewn am" in done and "Diolch, Nia." in done
    assert "🔥 Rhediad gwirio: 1 diwrnod" in done
    # A meeting search: Welsh words, Welsh day names, the same meetings.
    await nia.send("/meetings")
    assert "Dod o hyd i gyfarfod" in nia.last().text
    await nia.share_location(*LS6)
    results = nia.last().text
    assert results.startswith("Cyfarfodydd ger eich lleoliad"), results
    assert "1. Headingley Tuesday — 487 m" in results and "🕒 heddiw 19:30 · 🏠 Wyneb yn wyneb" in results, results
    assert "📅 Heddiw" in nia.buttons()
    # The command menu for Welsh phones.
    menu = h.standin.my_commands(None, "cy")
    assert ("checkin", "Gwirio i mewn am heddiw") in [(c["command"], c["description"]) for c in menu]
    assert h.standin.my_commands(None, "")[2]["description"] == "Check in for today"


async def test_an_english_speakers_alerts_reach_a_welsh_supporter_in_welsh(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    nia = await onboard_in_welsh(h, "Nia", purpose="Rwy'n cefnogi rhywun")
    payload = await invite_link(sam)
    await nia.send(f"/start {payload}")
    assert "Hoffai Sam i chi fod yn un o'u cefnogwyr." in nia.last().text
    await nia.press("✅ Bydda, fe wna i gefnogi Sam")
    assert "Rydych chi nawr yn un o gefnogwyr Sam" in nia.last().text
    await h.deliver()
    assert "Nia said yes: they're now your 1st supporter." in sam.last().text  # Sam hears in English
    # Sam asks for help (an English update): Nia's alert is Welsh, Sam's replies English.
    await sam.send("/sos")
    assert "You're not alone" in sam.last().text and "Nia has been told you asked for support." in sam.last().text
    await h.deliver()
    alert = nia.last()
    assert "Gofynnodd Sam am gefnogaeth nawr." in alert.text and "ffoniwch 999" in alert.text
    assert alert.buttons() == ["🤝 Bydda i'n estyn allan", "Alla i ddim ar hyn o bryd", "💬 Neges at Sam"]
    await nia.press("🤝 Bydda i'n estyn allan")
    assert "Diolch am estyn allan at Sam." in nia.last().text
    await h.deliver()
    assert "Nia is going to reach out to you." in sam.last().text
    # A missed check-in, found by the schedule (no update at all): still Welsh for Nia.
    await tick_at(h, WED_PROMPT)
    assert sam.last().text.startswith("Good morning, Sam")
    await tick_at(h, THU_PROMPT + timedelta(minutes=1))
    assert "Mae Sam wedi mynd yn dawel." in nia.last().text, nia.last().text


async def test_switching_language_changes_the_next_message_and_old_buttons_still_work(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/checkin")
    card = sam.last()  # an English card, with English buttons
    await sam.send("/settings")
    assert "Language: English" in sam.last().text
    await sam.press("🌐 Cymraeg")
    assert sam.last_answer() == "Iaith: Cymraeg. Anfonwch /settings i'w newid."
    assert "Iaith: Cymraeg" in sam.last().text and "Eich gosodiadau" in sam.last().text
    assert await stored_language(h, "Sam") == "cy"
    await sam.send("/help")
    assert "Beth allwch chi ei wneud" in sam.last().text
    await sam.press("🙂 good", message=card)  # the old words still work; the card answers in Welsh
    assert sam.find("Wnaethoch chi aros yn lân ac yn sobr heddiw?").message_id == card.message_id
    await sam.send("/settings")
    await sam.press("🌐 English")
    assert sam.last_answer() == "Language: English. Send /settings to change it."
    await sam.send("/help")
    assert "What you can do" in sam.last().text


async def test_the_language_can_be_chosen_during_set_up_and_an_old_time_zone_keyboard_still_works(h: Harness) -> None:
    kim = h.user("Kim", language_code="en")
    await kim.send("/start")
    await kim.press("✅ I agree")
    await kim.press("Cymraeg")
    assert "Beth hoffech chi i ni eich galw chi?" in kim.last().text
    await kim.send("Kim")
    await kim.press("Rwy'n gwella (adferiad)")
    await kim.send("UK & Ireland")  # typed from the English keyboard: still understood
    assert "Pryd hoffech chi gael eich gwiriad dyddiol?" in kim.last().text
    assert await stored_language(h, "Kim") == "cy"


async def test_an_unknown_or_missing_telegram_language_means_english(h: Harness) -> None:
    for name, code in (("Ana", "pt-BR"), ("Bo", "zz-!!"), ("Cy", "")):
        user = h.user(name, language_code=code)
        await user.send("/start")
        assert "Welcome." in user.last().text and user.buttons() == ["✅ I agree", "Not now"]
    welsh = h.user("Dai", language_code="cy-GB")
    await welsh.send("/start")
    assert "Croeso." in welsh.last().text


async def test_welsh_crisis_words_get_the_helplines_in_welsh(h: Harness) -> None:
    nia = await onboard_in_welsh(h, "Nia")
    await nia.send("Dwi isio marw heno")
    said = "\n".join(nia.texts()[-2:])
    assert "Dydych chi ddim ar eich pen eich hun" in said and "116 123" in said
    assert "🆘 Mae angen cefnogaeth arna i nawr" in nia.buttons()


def test_a_welsh_secretary_can_type_meeting_days_in_welsh() -> None:
    from bot import i18n
    from bot.services.meetings import times

    read = {typed: times.describe_days(times.parse_days(typed)) for typed in ("Llun, Mer, Gwen", "nos Fawrth", "Llun i Gwener", "bob dydd")}
    assert read == {"Llun, Mer, Gwen": "Mon, Wed, Fri", "nos Fawrth": "Tuesdays", "Llun i Gwener": "weekdays", "bob dydd": "every day"}
    with i18n.speaking("cy"):
        assert times.describe_days(times.parse_days("Mon, Wed, Fri")) == "Llun, Mer, Gwen"
        assert times.describe_days(times.parse_days("tuesday")) == "bob Dydd Mawrth"


def test_the_printed_release_card_draws_welsh_words_without_boxes() -> None:
    from bot import i18n, texts
    from bot.services.release import card

    with i18n.speaking("cy"):
        matched = texts.RELEASE_CARD_MATCHED.format(companion="Siân")
    assert "giât" in matched and card.printable(matched) == "Mae Sian, o'r cymrodoriaethau, yn bwriadu eich cwrdd wrth y giat."


async def test_a_forged_language_button_changes_nothing(h: Harness) -> None:
    from bot.services.people import buttons
    from bot.services.people.buttons import SettingsAction

    sam = await onboard(h, "Sam")
    await sam.send("/settings")
    for forged in ("xx", "", "cy:extra"):
        await sam.press_data(buttons.settings(SettingsAction.LANGUAGE, forged) if ":" not in forged else f"v1:set:lang:{forged}")
        assert sam.last_answer() == "That button is from an earlier message and no longer works."
    assert await stored_language(h, "Sam") == "en"
    stranger = h.user("Zed", language_code="cy")
    await stranger.send("/start")
    await stranger.press_data(buttons.settings(SettingsAction.LANGUAGE, "cy"))
    assert stranger.last_answer() == "Anfonwch /start yn gyntaf er mwyn i mi allu eich gosod chi."
