"""Release details are seen only by the person, their companion and coordinators; /mydata
shows them, /forget erases them (telling the other side only that it ended), free text is
stored encrypted, and the printable card carries the link as a scannable code and nothing
about the person."""

from __future__ import annotations

import json
from io import BytesIO

from PIL import Image
from sqlalchemy import func, select

from bot.models import Outbox, ReleaseRequest, ReleaseTally
from bot.services.release import card as release_card
from tests.harness import Harness
from tests.release_steps import companion, coordinator, request_for_someone, the_request
from tests.test_onboarding import onboard
from tests.test_release_lifecycle import connect_with_card


async def own_request(h: Harness, name: str = "Robin", notes: str = "my brother may come too") -> None:
    robin = await onboard(h, name, purpose="I'm leaving prison soon")
    await robin.press("🚪 Ask for a companion on release day")
    for typed in ("Leeds", "30/11/2026", "9am", "LS6"):
        await robin.send(typed)
    await robin.press("Anyone")
    await robin.press("NA")
    await robin.press("Probation appointment")
    await robin.press("✅ Done")
    await robin.send("3pm, Leeds probation office")
    await robin.send(notes)
    await robin.press("✅ Send")


async def test_mydata_shows_the_person_their_release_in_full_and_a_companion_only_that_they_met_it(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    await own_request(h)
    await h.deliver()
    await lee.press("✅ I can meet them")
    robin = h.user("Robin")

    await robin.send("/mydata")
    mine = json.loads(robin.last().raw.file.data)["release_day"]["about_you"][0]
    assert (mine["prison"], mine["release"], mine["companion"]) == ("Leeds (HMP)", "Mon 30 Nov at 09:00", "Lee")
    assert mine["probation"] == "3pm, Leeds probation office" and mine["notes"] == "my brother may come too"
    assert [event["what"] for event in mine["history"]] == ["submitted", "offered", "accepted"]

    await lee.send("/mydata")
    data = json.loads(lee.last().raw.file.data)
    assert data["companion_profile"]["areas"] == ["LS6 (Leeds)"]
    meeting = data["release_day"]["you_are_or_were_meeting"]
    assert meeting == [{"request": (await the_request(h)).id, "release_date": "2026-11-30", "status": "assigned"}]
    assert "probation office" not in json.dumps(data) and "brother" not in json.dumps(data)


async def test_forget_withdraws_the_persons_request_and_their_companion_is_told_only_that(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    await own_request(h)
    await h.deliver()
    await lee.press("✅ I can meet them")
    robin = h.user("Robin")
    await robin.send("/forget")
    await robin.press("Yes, erase everything")
    await h.deliver()
    assert "has been withdrawn" in lee.last().text and "brother" not in lee.last().text
    assert "was withdrawn: the person erased their data" in casey.last().text
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(ReleaseRequest))).scalar_one() == 0
        tallies = (await session.execute(select(ReleaseTally.outcome, ReleaseTally.count))).all()
    assert tallies == [("withdrawn", 1)]


async def test_a_companion_who_leaves_hands_their_release_back_to_the_coordinators(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    link = await request_for_someone(h, casey)
    await h.deliver()
    await lee.press("✅ I can meet them")
    robin = await connect_with_card(h, "Robin", link)
    await lee.send("/forget")
    await lee.press("Yes, erase everything")
    await h.deliver()
    alert = casey.find("has no companion any more")
    assert "👤 Assign a companion" in alert.buttons()
    assert "can't meet you any more" in robin.last().text
    request = await the_request(h)
    assert (request.status, request.companion_id) == ("open", None)


async def test_free_text_about_a_release_is_stored_encrypted(h: Harness) -> None:
    """Probation details and notes are ciphertext in the request; the outbox holds a notice's
    text only until Telegram has it (see tests/test_privacy.py)."""
    casey = await coordinator(h)
    await request_for_someone(h, casey, probation="Probation at Kirkgate 2pm", notes="Allergic to penicillin")
    await own_request(h, notes="Wears a red coat")
    await h.deliver()
    async with h.db.session() as session:
        rows = (await session.execute(select(ReleaseRequest))).scalars().all()
        stored = " ".join(str(value) for row in rows for value in row.model_dump().values())
        pending = (await session.execute(select(Outbox.payload).where(Outbox.status == "pending"))).scalars().all()
    assert all(row.notes_enc and row.probation_enc for row in rows)
    for secret in ("Kirkgate", "penicillin", "red coat", "Leeds probation office"):
        assert secret not in stored and not any(secret in payload for payload in pending), secret


async def test_the_card_is_a_png_whose_code_is_the_persons_link(h: Harness) -> None:
    casey = await coordinator(h)
    link = await request_for_someone(h, casey)
    card = casey.last()
    assert card.kind == "document" and card.raw.file.data.startswith(b"\x89PNG")
    image = Image.open(BytesIO(card.raw.file.data)).convert("L")
    assert image.size == (release_card.WIDTH, release_card.HEIGHT)
    matrix = release_card.qr_matrix(link)
    left, top, module = release_card.qr_layout(matrix)
    drawn = [[image.getpixel((left + x * module + module // 2, top + y * module + module // 2)) < 128
              for x in range(len(matrix))] for y in range(len(matrix))]
    assert drawn == matrix  # every module of the code for exactly this link
    assert release_card.qr_matrix(link + "x") != matrix
