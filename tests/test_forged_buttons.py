"""Forged button presses, for every callback family the bot defines (issue 12).

Any Telegram client can send any callback data. Here a service is busy (a member with a
supporter and an alert out, a relay conversation, coordinators, secretaries, companions,
meetings, release requests on the day), and a hostile member, Mallory, presses:

- every button anyone else was shown, as it is;
- the tail of every button (and of her own) moved into every other family.

Afterwards nothing about anyone else has changed (every row that differs belongs to Mallory,
directly or through the row it hangs off), nobody else received or saw anything new, and
nothing Mallory was shown names anyone else or any release detail.

The families come from the application's own handler wiring, so a new family with no
button in this scenario fails the test until the scenario shows one.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel
from telegram.ext import CallbackQueryHandler

from tests.conftest import SHARED_TABLES
from tests.harness import Harness
from tests.harness import Person as User
from tests.meeting_factory import LS6, add_meeting, open_result
from tests.release_steps import companion, confirm, open_card, request_for_someone, tick_at, utc
from tests.release_steps import coordinator as release_coordinator
from tests.supporters_helpers import add_supporter, invite_link, supporter
from tests.test_onboarding import onboard

PROBATION = "Probation-Zx91 at the office"
NOTES = "NOTE-Kq77 about them"
VICTIMS = ("Cassius", "Leopold", "Saoirse", "Aurelio", "Priyanka", "Oswin", "Gwendal", "Ravenna", "Thaddeus", "Newbie")
TAILS_PER_FAMILY = 3
ACTIONS_PER_FAMILY = 4


def families(h: Harness) -> set[str]:
    """Every `v1:<family>:` prefix the application routes, read from its handlers."""
    assert h.app is not None
    found = set()
    for group in h.app.handlers.values():
        for handler in group:
            if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
                pattern = handler.pattern.pattern if hasattr(handler.pattern, "pattern") else str(handler.pattern)
                match = re.match(r"\^v1:([a-z]+):", str(pattern))
                assert match, f"callback pattern {pattern!r} is not of the form ^v1:<family>:"
                found.add(match.group(1))
    return found


def transplants(corpus: set[str], every_family: set[str]) -> set[str]:
    """Other families' data moved into each family: whole tails (`v1:co:<su tail>`), and
    each family's own actions with other families' arguments (`v1:co:accept:<su args>`)."""
    tails: dict[str, list[str]] = {}
    actions: dict[str, list[str]] = {}
    for data in sorted(corpus):
        family, _, tail = data[3:].partition(":")
        action = tail.split(":", 1)[0]
        if tail and tail not in tails.setdefault(family, []) and len(tails[family]) < TAILS_PER_FAMILY:
            tails[family].append(tail)
        if action and not action.isdigit() and action not in actions.setdefault(family, []):
            actions[family].append(action)
    made = set()
    for target in every_family:
        for source, found in tails.items():
            if source == target:
                continue
            for tail in found:
                made.add(f"v1:{target}:{tail}")
                arguments = tail.split(":", 1)[1] if ":" in tail and not tail.split(":", 1)[0].isdigit() else tail
                made.update(f"v1:{target}:{action}:{arguments}" for action in actions.get(target, [])[:ACTIONS_PER_FAMILY])
    # Every id written in digits that are not 0-9 ("²" passes `str.isdigit`, `int` refuses it).
    made.update(re.sub(r"[0-9]+", "²", data) for data in corpus)
    return {d for d in made if len(d.encode()) <= 64}


def shown_data(user: User) -> list[str]:
    return [d for m in user.messages() for d in m.buttons_data() if d]


async def busy_service(h: Harness) -> dict[str, User]:
    """Everyone doing everything that shows buttons."""
    cassius = await release_coordinator(h, "Cassius")
    leopold = await companion(h, cassius, "Leopold", fellowship="NA")
    saoirse = await onboard(h, "Saoirse")
    aurelio = await supporter(h, "Aurelio")
    await add_supporter(h, saoirse, aurelio)
    priyanka = await onboard(h, "Priyanka", purpose="I run a meeting")
    await priyanka.send("Headingley Tuesday")
    await h.deliver()
    await cassius.press("✅ Approve", message=cassius.find("Priyanka asks to be a group secretary"))
    oswin = await onboard(h, "Oswin", purpose="I run a meeting")  # left waiting: live rr buttons
    await oswin.send("Oswin's group")
    gwendal = await onboard(h, "Gwendal", purpose="I volunteer as a companion")
    await gwendal.send("LS6")
    await gwendal.press("✅ Done")
    await gwendal.press("NA")
    await gwendal.press("Woman")
    await gwendal.press("2–5 years")
    await gwendal.press("✅ Send to a coordinator")  # not vetted yet: live cv buttons
    await h.deliver()

    await add_meeting(h.db, "Headingley Tuesday", at=LS6, secretary="Priyanka", time="09:00")  # began an hour ago
    await priyanka.send("/mymeetings")
    await saoirse.send("/meetings LS6")
    await saoirse.send("/checkin")
    await saoirse.send("/reminder")
    await saoirse.send("/pause")
    await saoirse.send("/settings")
    await saoirse.send("/forget")
    await saoirse.send("/supporters")
    await saoirse.press(saoirse.last().buttons()[0])  # the supporter's card
    await aurelio.send("/supporting")
    await aurelio.press("💬 Message Saoirse")
    await aurelio.send("Thinking of you")
    await saoirse.send("/sos")
    await h.deliver()
    await open_result(saoirse, "Headingley Tuesday")
    card = saoirse.last()
    for label in ("⭐ Follow", "⏰ Remind me", "✅ I went"):
        await saoirse.press(label, message=card)
    await saoirse.send("/checkin")
    await saoirse.press("😟 low")
    await priyanka.send("/mymeetings")
    await priyanka.press("Headingley Tuesday")
    await priyanka.press("❌ Cancel a date")
    await priyanka.press("Tue 1 Dec")
    await cassius.send("/coordinators")
    await cassius.press("👥 People with roles")
    await cassius.press("Priyanka")
    await cassius.send("/coordinators")  # the list above was replaced: show it again
    await cassius.press("🔔 On call · tap to go off call")
    await cassius.send("/coordinators")

    # Release day: one request Leopold takes and meets on the day, one still on offer, one draft.
    card = await request_for_someone(h, cassius, probation=PROBATION, notes=NOTES)
    await h.deliver()
    await leopold.press("✅ I can meet them")
    second = await request_for_someone(h, cassius, date="10/12/2026", probation=PROBATION, notes=NOTES)
    await h.deliver()
    thaddeus = await open_card(h, "Thaddeus", second)  # not confirmed yet: live rk buttons
    await thaddeus.send("/card ZZZZZZZ")  # a wrong code, counted
    await cassius.send("/release")
    await cassius.press("For someone else")
    await cassius.send("/releases")
    ravenna = await open_card(h, "Ravenna", card)
    await confirm(h, cassius, "Ravenna")
    await tick_at(h, utc(2026, 12, 4, 6, 0))
    await leopold.press("🤝 Met", message=leopold.find("Today's release"))
    await h.deliver()
    await saoirse.send("/checkin")
    await saoirse.press("🙂 good")
    # Issue 16: a coordinator's report periods (rp) and a member's wellbeing check (wb).
    await cassius.send("/report")
    await saoirse.send("/wellbeing")
    await saoirse.press("4 Somewhat agree")

    # Links opened and not yet answered (after the clock moved, so they are live).
    await cassius.press("➕ Add a coordinator", message=cassius.find("Coordinators"))
    await gwendal.send("/start " + cassius.last().text.split("start=")[1])
    newbie = h.user("Newbie")
    await newbie.send("/start " + await invite_link(saoirse))  # never agrees
    # The coordinator's view (issue 16): the rota's days, a section, a request and its audit trail.
    await cassius.send("/coordinators")
    await cassius.press("🗓 My on-call days")
    await cassius.press("✅ Sun")
    await cassius.send("/coordinators")
    await cassius.press("🚪 Releases (1)")
    await cassius.press(next(label for label in cassius.buttons() if label.startswith("📄 Open #")))
    await cassius.press("🧾 Who viewed or changed this")
    await cassius.send("/coordinators")
    return {u.first_name: u for u in (cassius, leopold, saoirse, aurelio, priyanka, oswin, gwendal, ravenna, thaddeus, newbie)}


async def snapshot(h: Harness) -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Every row of every table, by primary key."""
    tables: dict[str, dict[Any, tuple[Any, ...]]] = {}
    async with h.db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in SHARED_TABLES:
                continue
            rows = (await session.execute(select(table))).all()
            tables[table.name] = {row.id: tuple(row) for row in rows}
    return tables


def belongs_to(person_ids: set[int], table: str, row_id: Any, world: dict[str, dict[Any, tuple[Any, ...]]], depth: int = 0) -> bool:
    """Whether a row is the person's own: it is them, names them in a column that refers to a
    person, or hangs off a row that is theirs."""
    if table == "person":
        return row_id in person_ids
    row = world.get(table, {}).get(row_id)
    if row is None or depth > 3:
        return False
    columns = SQLModel.metadata.tables[table].columns
    for value, column in zip(row, columns, strict=True):
        for fk in column.foreign_keys:
            target = fk.column.table.name
            if value is not None and ((target == "person" and value in person_ids) or
                                      (target != "person" and belongs_to(person_ids, target, value, world, depth + 1))):
                return True
    return False


def seen_by(user: User) -> list[tuple[int, str, str, bool]]:
    """What the person has in their chat now: every message, its text and buttons."""
    return [(m.message_id, m.source or m.text or "", str(m.reply_markup), m.deleted) for m in user.h.standin.messages(user.id)]


async def test_no_forged_or_copied_button_changes_or_reveals_anything_of_anyone_else(h: Harness) -> None:
    people = await busy_service(h)
    mallory = await onboard(h, "Mallory")
    # Mallory is asked to be someone's supporter: she holds a live, legitimately sealed
    # invitation button of her own, the raw material of the reported attack.
    await mallory.send("/start " + await invite_link(people["Saoirse"]))
    await mallory.send("/supporters")
    await mallory.press("➕ Add a supporter")
    for command in ("/checkin", "/settings", "/meetings LS6", "/sos", "/release", "/companion", "/supporting"):
        await mallory.send(command)
    await h.deliver()

    theirs = {d for user in people.values() for d in shown_data(user)}
    mine = set(shown_data(mallory))
    every_family = families(h)
    uncovered = sorted(f for f in every_family if not any(d.startswith(f"v1:{f}:") for d in theirs))
    assert not uncovered, f"no button of these families is shown in the scenario: {uncovered}"

    forged = sorted((theirs | transplants(theirs | mine, every_family)) - mine)

    before = await snapshot(h)
    others_before = {name: seen_by(user) for name, user in people.items()}
    first_call = len(h.standin.calls)
    # Mallory may erase herself with a copied /forget button and start again (that is hers
    # to do): every person row with her Telegram hash is hers.
    her_hash = h.runtime.vault.hash_telegram_id(mallory.id)
    for data in forged:
        await mallory.press_data(data, message=mallory.last())
    await h.deliver()
    after = await snapshot(h)
    mallory_ids = {row_id for world in (before, after) for row_id, row in world["person"].items() if her_hash in row}

    grants = [row for row in after["rolegrant"].values() if row[1] in mallory_ids]
    assert not grants, "a forged press gave Mallory a role"
    changed = []
    for table, rows in after.items():
        for row_id in set(rows) | set(before[table]):
            if rows.get(row_id) == before[table].get(row_id):
                continue
            ours = belongs_to(mallory_ids, table, row_id, after) or belongs_to(mallory_ids, table, row_id, before)
            if table == "outbox" and not ours:
                # A message to someone else is fine only if it is about Mallory's own doing
                # (her own SOS reaching a coordinator, her own role request).
                text = str(rows.get(row_id) or before[table][row_id])
                ours = "Mallory" in text
            if not ours:
                changed.append((table, row_id))
    assert not changed, f"forged presses changed other people's rows: {[(t, i, before[t].get(i), after[t].get(i)) for t, i in changed[:10]]}"
    for name, user in people.items():
        new = [m for m in seen_by(user) if m not in others_before[name]]
        assert all("Mallory" in text for _, text, _, _ in new), f"{name} was sent or shown something: {new[:2]}"

    shown_to_mallory = " ".join(
        str(call.params.get("text") or call.params.get("caption") or "")
        for call in h.standin.calls[first_call:]
        if call.method in ("sendMessage", "editMessageText", "answerCallbackQuery", "sendDocument", "sendPhoto")
        and (str(call.params.get("chat_id")) == str(mallory.id) or call.method == "answerCallbackQuery")
    )
    for secret in (*VICTIMS, PROBATION, NOTES, "Leeds (HMP)"):
        assert secret not in shown_to_mallory, f"Mallory was shown {secret!r}"


# Digits that `str.isdigit` accepts and `int` refuses, and other non-ASCII digits.
ODD_DIGITS = ("²", "¹", "①", "١٢", "𝟕")


async def test_ids_in_odd_digits_are_answered_as_stale_buttons_for_every_family_and_role(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the long fuzz run: `v1:rs:²` passed `str.isdigit` and `int("²")` raised, so a
    coordinator pressing it was told "something went wrong". Each family, each shape, pressed
    by a coordinator, a companion and a member: answered, and nothing logged as an error."""
    cassius = await release_coordinator(h, "Cassius")
    leopold = await companion(h, cassius, "Leopold", fellowship="NA")
    saoirse = await onboard(h, "Saoirse")
    for family in sorted(families(h)):
        for odd in ODD_DIGITS:
            for shape in (f"{odd}", f"{odd}:{odd}", f"{odd}:x", f"x:{odd}", f"x:{odd}:{odd}", f"{odd}:today"):
                for person in (cassius, leopold, saoirse):
                    await person.press_data(f"v1:{family}:{shape}")
                    failed = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
                    assert not failed, (f"v1:{family}:{shape}", failed)
    for person in (cassius, leopold, saoirse):
        assert not any("went wrong" in m.text.lower() for m in person.messages()), person.name
