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
from handlers import (
    alerts,
    answers,
    checkins,
    companions,
    coordinators,
    crisis,
    errors,
    fallback,
    help_menu,
    meetings,
    onboarding,
    privacy,
    relay,
    release_day,
    releases,
    role_applications,
    secretary,
    settings,
    supporters,
)

# Groups: -1 guards every update first; in group 0 the first matching handler wins, so
# the fallbacks come last in it and run only when no feature took the update.
GUARDS, FEATURES = -1, 0


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in the order they are tried. Keep this block the only wiring."""
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
    app.add_handler(CallbackQueryHandler(onboarding.on_button, pattern=r"^v1:ob:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(settings.on_button, pattern=r"^v1:set:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(privacy.on_button, pattern=r"^v1:fg:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(coordinators.on_coordinator_button, pattern=r"^v1:co:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(coordinators.on_decision_button, pattern=r"^v1:rr:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(role_applications.on_button, pattern=r"^v1:ap:"), group=FEATURES)

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
    app.add_handler(CallbackQueryHandler(checkins.on_checkin_button, pattern=r"^v1:ci:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(checkins.on_plan_button, pattern=r"^v1:cp:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(crisis.on_sos_button, pattern=r"^v1:sos:"), group=FEATURES)

    # Meetings: find one (place or shared location, typed answers routed above), Follow,
    # Remind me, I went.
    app.add_handler(CommandHandler("meetings", meetings.meetings_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(meetings.on_button, pattern=meeting_buttons.FIND.pattern), group=FEATURES)
    # Secretaries' listings: add (a guided flow), change, pause, cancel a date, announce.
    app.add_handler(CommandHandler("addmeeting", secretary.addmeeting_command), group=FEATURES)
    app.add_handler(CommandHandler("mymeetings", secretary.mymeetings_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(secretary.on_button, pattern=meeting_buttons.LISTING.pattern), group=FEATURES)

    # Supporters and alerts: /supporters (add by a `su_` link, order, what each sees, end),
    # /supporting; alert buttons checked against the presser; coordinators on/off call; the
    # anonymous relay (typed messages routed above; media while writing: see the fallbacks).
    app.add_handler(CommandHandler("supporters", supporters.supporters_command), group=FEATURES)
    app.add_handler(CommandHandler("supporting", supporters.supporting_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(supporters.on_button, pattern=r"^v1:su:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(alerts.on_button, pattern=r"^v1:al:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(alerts.on_duty_button, pattern=r"^v1:oc:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(relay.on_button, pattern=r"^v1:rl:"), group=FEATURES)

    # Release day: companions apply (/companion) and are approved with a vetting date (cv);
    # requests (/release, /releases) drafted (rq) and managed (rx); offers (ro), on-the-day
    # status (rs) and the check-ins question afterwards (ra). Typed answers are routed above.
    app.add_handler(CommandHandler("companion", companions.companion_command), group=FEATURES)
    app.add_handler(CommandHandler("release", releases.release_command), group=FEATURES)
    app.add_handler(CommandHandler("releases", releases.releases_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(companions.on_button, pattern=r"^v1:cm:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(companions.on_vetting_button, pattern=r"^v1:cv:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(releases.on_draft_button, pattern=r"^v1:rq:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(releases.on_manage_button, pattern=r"^v1:rx:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(release_day.on_offer_button, pattern=r"^v1:ro:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(release_day.on_status_button, pattern=r"^v1:rs:"), group=FEATURES)
    app.add_handler(CallbackQueryHandler(release_day.on_aftercare_button, pattern=r"^v1:ra:"), group=FEATURES)
    # The release card typed by hand (/card), and a coordinator confirming who opened it (rk).
    app.add_handler(CommandHandler("card", releases.card_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(releases.on_confirm_button, pattern=r"^v1:rk:"), group=FEATURES)

    # Fallbacks: anything no feature took (keep these last).
    app.add_handler(MessageHandler(filters.COMMAND, fallback.unknown_command), group=FEATURES)
    app.add_handler(CallbackQueryHandler(fallback.stale_button), group=FEATURES)
    # Media: "only text is passed on" to someone writing a relay message, else fallback.media.
    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.LOCATION, relay.on_media), group=FEATURES
    )

    app.add_error_handler(errors.on_error)
