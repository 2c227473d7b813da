"""The wiring is explicit and complete: nothing registers itself on import, every table that
holds a person is covered by /forget and /mydata, and a process running only the schedules
is wired exactly as the whole bot."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from sqlalchemy import select
from sqlmodel import SQLModel

from bot.models import Milestone, Person
from tests.harness import Harness
from tests.test_forged_buttons import busy_service

PROBE = """
import json, sys
{imports}
from bot.config import load_settings
from bot.runtime import Runtime
from bot.clock import SystemClock
from bot.services import outbox
from bot.services.people import privacy, roles
from bot.services.support import crisis, supporters
Runtime.build(load_settings(_env_file=None, database_url="sqlite+aiosqlite:///:memory:",
                            fellowship_secret_key="{secret}", coordinator_telegram_ids=""), clock=SystemClock())
name = lambda f: f.__module__ + "." + f.__qualname__
print(json.dumps({{
    "exporters": sorted(privacy._exporters), "erasers": sorted(map(name, privacy._erasers)),
    "link_enders": sorted(map(name, privacy._link_enders)), "rerouters": sorted(outbox._rerouters),
    "crisis": sorted(map(name, crisis._hooks)), "linked": sorted(map(name, supporters._link_listeners)),
    "views": sorted(roles._viewers),
}}))
"""


def wired(imports: str) -> dict[str, list[str]]:
    from tests.conftest import TEST_SECRET

    code = PROBE.format(imports=imports, secret=TEST_SECRET)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_a_module_registers_nothing() -> None:
    code = (
        "import handlers, schedules, bot.app\n"
        "from bot.services.people import privacy\nfrom bot.services import outbox\nfrom handlers import answers, deeplinks\n"
        "print(len(privacy._erasers), len(privacy._exporters), len(outbox._rerouters), len(answers._text_answers), len(deeplinks._routes))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "0", "0", "0", "0"]


def test_a_process_running_only_the_schedules_is_wired_as_the_whole_bot() -> None:
    only_schedules = wired("import schedules")
    whole_bot = wired("import bot.app, handlers, schedules")
    assert only_schedules == whole_bot
    assert len(only_schedules["erasers"]) == 9  # the audit log keeps its rows without the actor; wellbeing checks go
    assert "alert" in only_schedules["rerouters"]
    assert "relay_message" in only_schedules["rerouters"] or any("relay" in r for r in only_schedules["rerouters"])


def person_columns() -> list[tuple[str, str]]:
    """(table, column) of every column that refers to a person."""
    return [
        (table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "person" for fk in column.foreign_keys)
    ]


async def test_forget_leaves_no_row_that_refers_to_the_person_in_any_table(h: Harness) -> None:
    people = await busy_service(h)
    async with h.db.session() as session:  # the one kind of row the scenario doesn't reach in a day
        saoirse = (await session.execute(select(Person).where(Person.pseudonym == "Saoirse"))).scalar_one()
        session.add(Milestone(person_id=saoirse.id, clean_date=date(2026, 11, 17), key="7d", reached_on=date(2026, 11, 24),
                              congratulated_at=h.clock.now()))
    columns = person_columns()
    async with h.db.session() as session:
        ids = {name: (await session.execute(
            select(SQLModel.metadata.tables["person"].c.id).where(SQLModel.metadata.tables["person"].c.pseudonym == name)
        )).scalar() for name in people}
    ids = {name: pid for name, pid in ids.items() if pid is not None}
    async with h.db.session() as session:
        held = {table for table, column in columns
                if (await session.execute(select(SQLModel.metadata.tables[table].c[column])
                                          .where(SQLModel.metadata.tables[table].c[column].in_(ids.values())).limit(1))).first()}
    assert {t for t, _ in columns} == held, f"no row of these tables in the scenario: {sorted({t for t, _ in columns} - held)}"
    for name, user in people.items():
        if name not in ids:
            continue
        await user.send("/forget")
        await user.press(user.last().buttons()[0])
    await h.deliver()
    async with h.db.session() as session:
        for table, column in columns:
            column_ = SQLModel.metadata.tables[table].c[column]
            left = (await session.execute(select(column_).where(column_.in_(ids.values())))).all()
            assert not left, f"{table}.{column} still refers to an erased person"


# Where /mydata shows the rows of each table that holds a person (the section of the export).
# A new table that refers to a person fails the test below until it is placed here.
SHOWN_IN = {
    "person": "profile", "rolegrant": "roles", "rolerequest": "role_requests", "rolechange": "roles",
    "invitation": "invitations_made", "outbox": "messages_waiting_to_be_sent_to_you",
    "checkinplan": "checkins", "checkin": "checkins", "milestone": "checkins", "crisisrequest": "checkins",
    "meeting": "meetings", "meetingfollow": "meetings", "meetingreminder": "meetings", "meetingattendance": "meetings",
    "meetingcancellation": "meetings", "supportlink": "supporters", "alertplan": "supporters", "incident": "alerts",
    "alertrecipient": "alerts", "coordinatorduty": "alerts", "relaysession": "messages_through_the_bot",
    "companionprofile": "companion_profile", "releaserequest": "release_day", "releaseoffer": "release_day",
    "releaseevent": "release_day", "cardcodetry": "release_day", "auditentry": "accountability", "wellbeingcheck": "wellbeing_checks",
}


async def test_mydata_shows_a_section_for_every_table_that_holds_the_person(h: Harness) -> None:
    people = await busy_service(h)
    tables = {table for table, _ in person_columns()} | {"person"}
    assert tables <= set(SHOWN_IN), f"place these tables in SHOWN_IN: {sorted(tables - set(SHOWN_IN))}"
    for name, user in people.items():
        if name == "Newbie":
            continue
        await user.send("/mydata")
        exported = json.loads(user.last().raw.file.data)
        assert set(SHOWN_IN.values()) <= set(exported), f"{name}: missing {sorted(set(SHOWN_IN.values()) - set(exported))}"
