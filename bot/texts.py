"""Every user-facing sentence, in one place so it can be reviewed (and later translated).

Short, plain, kind English for people who may be in crisis on a cheap phone. HTML parse
mode: anything a person typed must go through `h()` before it is put in a message.
"""

from __future__ import annotations

import html


def h(value: object) -> str:
    """Escape user-provided text for HTML parse mode."""
    return html.escape(str(value or ""), quote=False)


CRISIS_LINE = "In danger now? Call <b>999</b>. Need to talk? <b>Samaritans 116 123</b> (free, 24/7). Or /sos"

WELCOME = (
    "👋 <b>Welcome.</b> This bot helps people in recovery and people leaving prison stay connected:\n"
    "• a daily check-in and your clean time\n"
    "• alerts to people you choose if you go quiet or need help\n"
    "• meetings near you, and someone to meet you on release day\n\n"
    "<b>What we keep:</b> a name you choose (not your real one), your settings and check-ins. "
    "We never keep your phone number, username or real name. Your Telegram id is scrambled and "
    "your chat id encrypted. You can see everything (/mydata) or erase it (/forget) at any time.\n\n"
    "Nothing is saved until you press <b>I agree</b>."
)
NOT_NOW = "That's fine. Nothing has been saved. Send /start whenever you're ready.\n\n" + CRISIS_LINE
WELCOME_BACK = "Welcome back, {name}. Send /help to see what you can do."

ASK_PSEUDONYM = (
    "What should we call you? A first name or a nickname is perfect, and it doesn't have to be your "
    "real name. (1–32 characters)"
)
ASK_PURPOSE = "Thanks, {name}. What brings you here?"
ASK_TIMEZONE = (
    "Which time zone are you in? It makes sure your daily check-in comes at the right time.\n"
    "Tap <b>📍 Share my location</b> (used once, not stored), or pick one below."
)
SHARE_LOCATION = "📍 Share my location"
TIMEZONE_CHOICES = {
    "UK & Ireland": "Europe/London",
    "Central Europe": "Europe/Berlin",
    "Eastern Europe": "Europe/Athens",
    "US Eastern": "America/New_York",
    "US Central": "America/Chicago",
    "US Pacific": "America/Los_Angeles",
}
TIMEZONE_SET = "Time zone set to <b>{zone}</b>."
TIMEZONE_NOT_FOUND = "I couldn't tell the time zone from that place. Please pick one from the list."
TIMEZONE_UNKNOWN = "I don't know that time zone. Please tap a button, or type one like Europe/London."
ASK_CHECKIN_TIME = "When would you like your daily check-in? Tap a time, or type one like 8:30 or 9pm."
CHECKIN_TIME_SET = "Your daily check-in will come at <b>{time}</b>."
ASK_CLEAN_DATE = (
    "Do you have a clean or sober date? Type it like 14/02/2024, or tap a button. "
    "It's optional, and you can change it later."
)
CLEAN_DATE_SET = "Clean date saved: <b>{date}</b>."
ONBOARDED = (
    "You're all set, {name}. 🌱\n\n"
    "Send /help any time to see what you can do, or /settings to change anything.\n\n" + CRISIS_LINE
)
ROLE_REQUEST_HINT = "I've asked a coordinator to approve you as a {role}. I'll let you know."

HELP_HEADER = "<b>What you can do</b>"
HELP_COMMANDS: dict[str, list[tuple[str, str]]] = {
    "everyone": [
        ("help", "What you can do"),
        ("settings", "Your name, time zone, check-in time, clean date"),
        ("privacy", "What we keep and who sees it"),
        ("mydata", "Get a copy of everything we hold"),
        ("forget", "Erase everything about you"),
    ],
    "secretary": [],
    "companion": [],
    "coordinator": [("coordinators", "See coordinators, add one, see requests")],
}
HELP_FOOTER = "\n" + CRISIS_LINE

PRIVACY = (
    "<b>Your privacy</b>\n\n"
    "<b>What we keep:</b> the name you chose, your time zone and check-in time, your clean date, "
    "and what you tell the bot in check-ins. Private notes are encrypted.\n"
    "<b>What we never keep:</b> your real name, username or phone number. Your Telegram id is "
    "stored only as a scrambled code; your chat id only encrypted.\n"
    "<b>Who sees what:</b> only you see your notes. People you choose as supporters see only "
    "what you let them. Coordinators see requests you make to them.\n"
    "<b>Your choices:</b> /mydata sends you everything we hold. /forget erases it all, and anyone "
    "linked to you is told only that the link ended."
)
MYDATA_CAPTION = "Everything we hold about you, {name}. Keep it somewhere safe, or delete it."
NOTHING_HELD = "We don't hold anything about you. Send /start if you'd like to begin."
FORGET_CONFIRM = (
    "This erases <b>everything</b> about you: your name, settings, check-ins and links to other "
    "people (they're told only that the link ended). It can't be undone.\n\nErase it all?"
)
FORGET_DONE = "Done. Everything about you has been erased. Take care of yourself. Send /start if you ever want to come back."
FORGET_CANCELLED = "Nothing was erased."
LINK_ENDED = "{name} is no longer linked with you on this bot."

SETTINGS = (
    "<b>Your settings</b>\n"
    "Name: <b>{name}</b>\n"
    "Time zone: <b>{zone}</b>\n"
    "Daily check-in: <b>{time}</b>\n"
    "Clean date: <b>{clean}</b>\n"
    "Roles: {roles}\n\n"
    "Tap what you'd like to change."
)
NOT_SET = "not set"
SETTINGS_SAVED = "Saved."

ROLE_NAMES = {
    "member": "member",
    "supporter": "supporter",
    "secretary": "group secretary",
    "companion": "release-day companion",
    "coordinator": "coordinator",
}
UNKNOWN_ROLE = "That role can't be requested."
ROLE_ALREADY_HELD = "You're already a {role}."
ROLE_ALREADY_REQUESTED = "You've already asked to be a {role}. A coordinator will decide soon."
ROLE_REQUESTED = "Thanks. I've asked a coordinator to approve you as a {role}. I'll tell you when they decide."
ROLE_REQUESTED_NO_COORDINATOR = (
    "Thanks. Your request to be a {role} is saved. There's no coordinator yet; they'll see it when one joins."
)
ROLE_REQUEST_FOR_COORDINATOR = "📝 <b>{name}</b> asks to be a <b>{role}</b>. Approve?"
ROLE_APPROVED = "🎉 Good news: you're now a {role}. Send /help to see what you can do."
ROLE_DECLINED = "Your request to be a {role} wasn't approved this time. You can talk to a coordinator about it."
DECISION_DONE = "You {verdict} <b>{name}</b> as a {role}. They've been told."
REQUEST_GONE = "That request no longer exists."
REQUEST_ALREADY_DECIDED = "Someone already dealt with this request (it was {status})."
PENDING_REQUESTS_NONE = "No requests are waiting."

COORDINATORS_HEADER = "<b>Coordinators</b>\n{names}"
COORDINATOR_INVITE = (
    "Forward this link to the person you want as a coordinator. It works once and expires in 72 hours:\n{link}"
)
COORDINATOR_INVITE_PROMPT = "You've been invited to be a <b>coordinator</b> by {name}. Coordinators approve secretaries and companions. Accept?"
COORDINATOR_WELCOME = "You're now a coordinator. Send /help to see what you can do."
COORDINATOR_JOINED = "<b>{name}</b> accepted your invitation and is now a coordinator."
COORDINATOR_DECLINED_INVITE = "OK, you stay as you are."
INVITE_EXPIRED = "This link has expired. Please ask the person who sent it for a new one."
INVITE_USED = "This link has already been used. Please ask the person who sent it for a new one."
INVITE_UNKNOWN = "I don't recognise this link. Please check it, or ask for a new one."
INVITE_FINISH_ONBOARDING_FIRST = "Let's set you up first; then open the link again."

NOT_FOR_YOU = "Sorry, that button isn't for you."
STALE_BUTTON = "That button is from an earlier message and no longer works."
NEED_START = "Please send /start first so I can set you up."
UNKNOWN_COMMAND = "I don't know {command}. Send /help to see what you can do."
FREE_TEXT = "I'm not sure what you mean. Send /help to see what you can do.\n\n" + CRISIS_LINE
MEDIA = "I can only read text and buttons here, not {kind}. Send /help to see what you can do."
LOCATION_NOT_ASKED = "Thanks, but I wasn't expecting a location just now, so I haven't used it. Send /help to see what you can do."
EDITED = "I only read new messages, not edits. Please send it again as a new message."
TOO_LONG = "That message is too long for me ({length} characters). Please keep it under 4,096."
ERROR = "Sorry, something went wrong on our side. Please try again. If you need help now: call 999 or Samaritans 116 123."
FINISH_ONBOARDING = "Let's finish setting you up first."

COMMAND_MENU = [
    ("start", "Start or restart"),
    ("help", "What you can do"),
    ("settings", "Your name, time zone and times"),
    ("privacy", "What we keep"),
    ("mydata", "Get a copy of your data"),
    ("forget", "Erase everything about you"),
]
