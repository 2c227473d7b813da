"""Who reacts to what, across features: the one place it is declared.

Features never register themselves when imported; `wire_domain` below says, in one
block, which feature exports and erases what for `/mydata` and `/forget`, who tells the
other side of a link that it ended, who takes a message that couldn't be delivered, and
who reacts when someone asks for help, links a supporter or applies for a role.
`Runtime.build` calls it, so every process that builds a runtime (the bot, a process
running only the schedules, the sandbox, the tests) is wired the same. Calling it again
changes nothing. The handlers' own routing (typed answers, deep links, follow-ups) is
declared the same way in `handlers/__init__.py`.
"""

from __future__ import annotations

from bot.services import audit, outbox
from bot.services.checkins import checkins
from bot.services.meetings import search as meetings
from bot.services.people import privacy, roles
from bot.services.release import aftercare, companions, duties
from bot.services.release import requests as releases
from bot.services.reports import wellbeing
from bot.services.support import alerts, crisis, relay, supporters


def wire_domain() -> None:
    """Every cross-feature hook of the services, in one readable block."""
    # /mydata: each feature's section of the export.
    privacy.register_exporter("checkins", checkins.export)
    privacy.register_exporter("meetings", meetings._export)
    privacy.register_exporter("supporters", supporters.export)
    privacy.register_exporter("alerts", alerts.export)
    privacy.register_exporter("messages_through_the_bot", relay.export)
    privacy.register_exporter("companion_profile", companions._export)
    privacy.register_exporter("release_day", releases._export)
    privacy.register_exporter("accountability", audit.export)
    privacy.register_exporter("wellbeing_checks", wellbeing.export)

    # /forget: first the other side of every link hears it ended, then each feature's rows go.
    privacy.register_link_ender(supporters.end_every_link)
    privacy.register_link_ender(releases._end_links)
    privacy.register_eraser(checkins.erase)
    privacy.register_eraser(meetings._erase)
    privacy.register_eraser(supporters.erase)
    privacy.register_eraser(alerts.erase)
    privacy.register_eraser(relay.erase)
    privacy.register_eraser(companions._erase)
    privacy.register_eraser(releases._erase)
    privacy.register_eraser(audit.forget_actor)  # kept without them: it is about the record's person
    privacy.register_eraser(wellbeing.erase)

    # A message that can never be delivered (blocked bot, chat gone, refused) is handed on.
    outbox.on_undeliverable(alerts.ALERT, alerts.reroute)  # to the next person in the chain
    outbox.on_undeliverable(relay.MESSAGE, relay.reroute)  # the writer is told
    outbox.on_undeliverable("release_companion", duties.reroute_companion_message)  # to the coordinators

    # Someone asks for help (/sos, the button, crisis words): their supporters are alerted.
    crisis.on_crisis(alerts._on_crisis)
    # A supporter says yes: a release companion standing in for them steps back.
    supporters.on_linked(aftercare._step_back)
    # Coordinators see a companion's request as their application, approved with a vetting date.
    roles.register_request_view("companion", companions.request_view)
