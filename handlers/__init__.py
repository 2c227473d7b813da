"""Thin Telegram handlers, one module per feature. `register(app)` wires them all."""

from __future__ import annotations

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.services.meetings import buttons as meeting_buttons
from bot.services.people import buttons as people_buttons
from bot.services.release import buttons as release_buttons
from bot.services.release import connect as release_connect
from bot.services.reports import buttons as report_buttons
from bot.services.support import buttons as support_buttons
from bot.services.support import supporters as supporter_service
from handlers import answers, errors, fallback, follow_ups, reports
from handlers.answers import register_answer, register_free_text, register_location_answer
from handlers.checkins import checkin as checkins
from handlers.deeplinks import register_deep_link, register_typed_code
from handlers.meetings import meetings, secretary
from handlers.people import coordinators, help_menu, onboarding, privacy, role_applications, settings
from handlers.release import companions, release_day, releases
from handlers.support import alerts, crisis, relay, supporters

# Groups: -1 guards every update first; in group 0 the first matching handler wins, so
# the fallbacks come last in it and run only when no feature took the update.
GUARDS, FEATURES = -1, 0


def route_conversations() -> None:
    """What each awaited answer, shared location, deep link and follow-up goes to. The
    person's `awaiting` names the question (see handlers/answers.py); calling this again
    changes nothing."""
    # Set-up and /settings.
    register_answer("pseudonym", onboarding.answer_pseudonym)
    register_answer("timezone", onboarding.answer_timezone)
    register_answer("checkin_time", onboarding.answer_checkin_time)
    register_answer("clean_date", onboarding.answer_clean_date)
    register_location_answer("timezone", onboarding.answer_location)
    # Check-ins: a private note, a pause until a date.
    register_answer(checkins.NOTE_AWAITING, checkins.answer_note)
    register_answer(checkins.PAUSE_AWAITING, checkins.answer_pause_date)
    # Meetings: the place to search near; a secretary's listing being written.
    register_answer(meetings.AWAITING_PLACE, meetings.answer_place)
    register_location_answer(meetings.AWAITING_PLACE, meetings.answer_location)
    register_answer(secretary.KIND, secretary.answer_text)
    register_location_answer(secretary.KIND, secretary.answer_location)
    # Roles: a secretary's "which group?", a companion's areas and a coordinator's vetting date.
    register_answer(role_applications.AWAITING, role_applications.answer_text)
    register_answer(companions.AREAS, companions.answer_areas)
    register_answer(companions.VETTING, companions.answer_vetting_date)
    follow_ups.register_application(role_applications.ROLE, role_applications.start_secretary_application)
    follow_ups.register_application("companion", companions.start_application)
    # The relay: a message being written, and plain text in an open conversation.
    register_answer(relay.AWAITING, relay.answer_text)
    register_location_answer(relay.AWAITING, relay.answer_location)
    register_free_text(relay.conversation_text)
    # Release day: the request's questions, a moved date, a delay, a card's typed code.
    register_answer(releases.DRAFT, releases.answer_draft)
    register_answer(releases.MOVE, releases.answer_move)
    register_answer(releases.CODE, releases.answer_code)
    register_answer(release_day.DELAY, release_day.answer_delay)
    follow_ups.register_after_setup("prison", releases.offer_after_setup)
    follow_ups.register_short_setup(releases.card_setup)
    # Deep links (`/start <kind>_<token>`) by the invitation's kind, and codes typed by hand.
    register_deep_link(coordinators.INVITE_KIND, coordinators.open_invitation)
    register_deep_link(supporter_service.INVITE_KIND, supporters.open_invitation)
    register_deep_link(release_connect.CARD_KIND, releases.open_card)
    register_typed_code(release_connect.TYPED_CODE, releases.open_code, release_connect.invitation_for_code)


def register(app: Application) -> None:
    """Every handler, in the order they are tried. Keep this block the only wiring."""
    route_conversations()
    # Guards: group chats ignored, edited messages and over-long text answered.
    app.add_handler(TypeHandler(object, fallback.guard), group=GUARDS)

    # Commands.
    app.add_handler(CommandHandler("start", onboarding.start), group=FEATURES)
    app.add_handler(CommandHandler("help", help_menu.help_command), group=FEATURES)
    app.add_handler(CommandHandler("settings", settings.settings_command), group=FEATURES)
    app.add_handler(CommandHandler("privacy", privacy.privacy_command), group=FEATURES)
    app.add_handler(CommandHandler("mydata", privacy.mydata_command), group=FEATURES)
    app.add_handler(CommandHandler("forget", privacy.forget_command), group=FEATURES)
    app.add_handler(CommandHandler("coordinators", coordinators.coordinators_command), group=FEATURES)

    # Buttons, by their `v1:<feature>:` prefix (the rest is checked server-side).
    app.add_handler(CallbackQueryHandler(onboarding.on_button, pattern=people_buttons.ONBOARDING.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(settings.on_button, pattern=people_buttons.SETTINGS.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(privacy.on_button, pattern=people_buttons.FORGET.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(coordinators.on_coordinator_button, pattern=people_buttons.COORDINATORS.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(coordinators.on_decision_button, pattern=people_buttons.ROLE_DECISION.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(role_applications.on_button, pattern=people_buttons.APPLICATION.pattern), group=FEATURES)
    # The coordinator's view: its sections page by page, and a record's audit trail (issue 16).
    app.add_handler(CallbackQueryHandler(coordinators.on_desk_button, pattern=people_buttons.DESK.pattern), group=FEATURES)

    # Typed answers and shared locations, routed by what the person was asked.
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE, answers.on_text), group=FEATURES)
    app.add_handler(MessageHandler(filters.LOCATION & filters.UpdateType.MESSAGE, answers.on_location), group=FEATURES)

    # Check-ins and crisis help (/sos works for anyone, even before /start).
    app.add_handler(CommandHandler("checkin", checkins.checkin_command), group=FEATURES)
    app.add_handler(CommandHandler("progress", checkins.progress_command), group=FEATURES)
    app.add_handler(CommandHandler("pause", checkins.pause_command), group=FEATURES)
    app.add_handler(CommandHandler("resume", checkins.resume_command), group=FEATURES)
    app.add_handler(CommandHandler("reminder", checkins.reminder_command), group=FEATURES)
    app.add_handler(CommandHandler("sos", crisis.sos_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(checkins.on_checkin_button, pattern=checkins.buttons.CARD.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(checkins.on_plan_button, pattern=checkins.buttons.PLAN.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(crisis.on_sos_button, pattern=support_buttons.SOS.pattern), group=FEATURES)

    # Meetings: find one (place or shared location, typed answers routed above), Follow,
    # Remind me, I went.
    app.add_handler(CommandHandler("meetings", meetings.meetings_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(meetings.on_button, pattern=meeting_buttons.FIND.pattern), group=FEATURES)
    # Secretaries' listings: add (a guided flow), change, pause, cancel a date, announce.
    app.add_handler(CommandHandler("addmeeting", secretary.addmeeting_command), group=FEATURES)
    app.add_handler(CommandHandler("mymeetings", secretary.mymeetings_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(secretary.on_button, pattern=meeting_buttons.LISTING.pattern), group=FEATURES)

    # Supporters and alerts: /supporters (add by a `su_` link, order, what each sees, end),
    # /supporting; alert buttons checked against the presser; coordinators on/off call and their
    # rota days; the anonymous relay (typed messages routed above; media while writing: see the
    # fallbacks).
    app.add_handler(CommandHandler("supporters", supporters.supporters_command), group=FEATURES)
    app.add_handler(CommandHandler("supporting", supporters.supporting_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(supporters.on_button, pattern=support_buttons.SUPPORTERS.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(alerts.on_button, pattern=support_buttons.ALERTS.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(alerts.on_duty_button, pattern=support_buttons.ON_CALL.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(relay.on_button, pattern=support_buttons.RELAY.pattern), group=FEATURES)

    # Release day: companions apply (/companion) and are approved with a vetting date (cv);
    # requests (/release, /releases) drafted (rq) and managed (rx); offers (ro), on-the-day
    # status (rs) and the check-ins question afterwards (ra). Typed answers are routed above.
    app.add_handler(CommandHandler("companion", companions.companion_command), group=FEATURES)
    app.add_handler(CommandHandler("release", releases.release_command), group=FEATURES)
    app.add_handler(CommandHandler("releases", releases.releases_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(companions.on_button, pattern=release_buttons.CM.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(companions.on_vetting_button, pattern=release_buttons.CV.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(releases.on_draft_button, pattern=release_buttons.RQ.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(releases.on_manage_button, pattern=release_buttons.RX.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(release_day.on_offer_button, pattern=release_buttons.RO.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(release_day.on_status_button, pattern=release_buttons.RS.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(release_day.on_aftercare_button, pattern=release_buttons.RA.pattern), group=FEATURES)
    # The release card typed by hand (/card), and a coordinator confirming who opened it (rk).
    app.add_handler(CommandHandler("card", releases.card_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(releases.on_confirm_button, pattern=release_buttons.RK.pattern), group=FEATURES)

    # Outcome reports for coordinators (rp) and the monthly wellbeing check (wb): issue 16.
    app.add_handler(CommandHandler("report", reports.report_command), group=FEATURES)
    app.add_handler(CommandHandler("wellbeing", reports.wellbeing_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(reports.on_report_button, pattern=report_buttons.REPORT.pattern), group=FEATURES)
    app.add_handler(CallbackQueryHandler(reports.on_wellbeing_button, pattern=report_buttons.WELLBEING.pattern), group=FEATURES)

    # Fallbacks: anything no feature took (keep these last).
    app.add_handler(MessageHandler(filters.COMMAND, fallback.unknown_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(fallback.stale_button), group=FEATURES)
    # Media: "only text is passed on" to someone writing a relay message, else fallback.media.
    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.LOCATION, relay.on_media), group=FEATURES
    )

    app.add_error_handler(errors.on_error)
