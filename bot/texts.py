"""Every user-facing sentence, in one place so it can be reviewed and translated.

Short, plain, kind English for people who may be in crisis on a cheap phone. HTML parse
mode: anything a person typed must go through `h()` before it is put in a message.

Translation (docs/translation.md): this English is the gettext source. Each upper-case
constant's value is its msgid (`make translations` extracts them all, see
bot/i18n_extract.py), and reading `texts.NAME` answers in the current language
(`bot.i18n.speaking`). So add texts here as plain constants, as before; a text with a count
is a `Plural(singular, plural)`, formatted with `.format(count=n)`.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from typing import Literal

from babel import dates as _babel_dates
from babel import numbers as _babel_numbers

from bot import i18n as _i18n
from bot.i18n import Plural


def h(value: object) -> str:
    """Escape user-provided text for HTML parse mode."""
    return html.escape(str(value or ""), quote=False)


# How much of a value from outside (typed text, a feed field) a message may show, in
# characters: the bounds keep every message we build under Telegram's 4,096.
ECHO_MAX = 80  # typed text named back ("I couldn't find …")
NAME_MAX = 120  # a meeting or group name
PLACE_MAX = 300  # a building, address and town together
NOTES_MAX = 1000  # meeting notes: all a secretary may write; a feed's 5,000 are cut
SHORT_NOTES_MAX = 200  # location and dial-in notes
LIST_PLACE_MAX = 120  # an address in a list of results


def clip(value: object, limit: int) -> str:
    """`h(value)` of at most `limit` characters of the original, ending in "…" when cut.

    Cut before escaping, so an entity (`&amp;`) or a tag is never split, and the message
    after Telegram parses it is never longer than `limit` characters for this value.
    """
    text = str(value or "")
    if len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + "…"
    return h(text)


CRISIS_LINE = "In danger now? Call <b>999</b>. Need to talk? <b>Samaritans 116 123</b> (free, 24/7). Or /sos"

WELCOME_BODY = (
    "👋 <b>Welcome.</b> This bot helps people in recovery and people leaving prison stay connected:\n"
    "• a daily check-in and your clean time\n"
    "• alerts to people you choose if you go quiet or need help\n"
    "• meetings near you, and someone to meet you on release day\n\n"
    "<b>What we keep:</b> a name you choose (not your real one), your settings and check-ins. "
    "We never keep your phone number, username or real name. Your Telegram id is scrambled and "
    "your chat id encrypted. You can see everything (/mydata) or erase it (/forget) at any time."
)
WELCOME = WELCOME_BODY + "\n\nNothing is saved until you press <b>I agree</b>."
AGREED = "✅ Thank you."
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
        ("checkin", "Check in for today"),
        ("progress", "Clean time, streak, meetings and mood chart"),
        ("wellbeing", "Optional monthly wellbeing check"),
        ("sos", "Help numbers, right now"),
        ("meetings", "Find a meeting near you or online"),
        ("supporters", "People alerted if you go quiet or need help"),
        ("supporting", "People you support, and how they are"),
        ("release", "Someone to meet you on release day"),
        ("card", "Type the code from your release card"),
        ("companion", "Volunteer to meet people on release day"),
        ("pause", "Pause daily check-ins (holiday, hospital)"),
        ("resume", "Start daily check-ins again"),
        ("reminder", "A gentle reminder if you haven't checked in"),
        ("settings", "Your name, time zone, check-in time, clean date"),
        ("privacy", "What we keep and who sees it"),
        ("mydata", "Get a copy of everything we hold"),
        ("forget", "Erase everything about you"),
    ],
    "secretary": [
        ("addmeeting", "List a meeting you run"),
        ("mymeetings", "Change, pause or cancel your meetings; tell followers"),
    ],
    "companion": [("releases", "The releases you're meeting")],
    "coordinator": [
        ("coordinators", "What needs you now, who's on call, requests, coordinators"),
        ("releases", "Release requests: new, assign, change, close"),
        ("report", "Anonymous outcome report (PDF, tables, charts)"),
    ],
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
    "Here because: <b>{purpose}</b>\n"
    "Time zone: <b>{zone}</b>\n"
    "Daily check-in: <b>{time}</b>\n"
    "Clean date: <b>{clean}</b>\n"
    "Roles: {roles}\n"
    "Language: <b>{language}</b>\n\n"
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
    "Thanks. Your request to be a {role} is saved. A coordinator will see it when they next open the bot, "
    "and I'll tell you when they decide."
)
ROLE_REQUEST_FOR_COORDINATOR = "📝 <b>{name}</b> asks to be a <b>{role}</b>. Approve?"
ROLE_REQUEST_SAID = "\nThey said: “{answer}”"
ROLE_REQUEST_MESSAGE_THEM = "💬 Message {name}"
ROLE_APPROVED_ADD_MEETING = "➕ Add a meeting"
ROLE_ASK_SECRETARY = (
    "Which group or meeting are you the secretary for? For example “Tuesday Night Group, Headingley”. "
    "The coordinator will see what you write."
)
ROLE_ASK_SKIP = "Skip"
ROLE_ANSWER_EMPTY = "Please type the group or meeting's name, or tap Skip."
ROLE_ANSWER_TOO_LONG = "That's a bit long. Please keep it under {limit} characters: the group's name and where it meets is plenty."
ROLE_APPROVED = "🎉 Good news: you're now a {role}. Send /help to see what you can do."
ROLE_DECLINED = "Your request to be a {role} wasn't approved this time. You can talk to a coordinator about it."
DECISION_DONE = "You {verdict} <b>{name}</b> as a {role}. They've been told."
REQUEST_GONE = "That request no longer exists."
REQUEST_ALREADY_DECIDED = "Someone already dealt with this request (it was {status})."
PENDING_REQUESTS_NONE = "No requests are waiting."

COORDINATORS_HEADER = "<b>Coordinators</b>\n{names}"
ADD_COORDINATOR_BUTTON = "➕ Add a coordinator"
REQUESTS_WAITING_BUTTON = "📝 Requests waiting ({count})"
COORDINATOR_INVITE = (
    "Forward this link to the person you want as a coordinator. It works once and expires in 72 hours:\n{link}"
)
COORDINATOR_INVITE_PROMPT = "You've been invited to be a <b>coordinator</b> by {name}. Coordinators approve secretaries and companions. Accept?"
COORDINATOR_WELCOME = "You're now a coordinator. Send /help to see what you can do."
COORDINATOR_JOINED = "<b>{name}</b> accepted your invitation and is now a coordinator."
COORDINATOR_DECLINED_INVITE = "OK, you stay as you are."

# Roles ending: removed by a coordinator, stepped down from, or no longer in the settings.
ROLES_BUTTON = "👥 People with roles"
ROLES_HEADER = "<b>People with roles</b>\nTap someone to see their roles and history, or to end a role."
ROLES_NONE = "Nobody holds a secretary, companion or coordinator role yet."
ROLE_HOLDER_LINE = "• <b>{name}</b>: {roles}"
ROLE_CARD = "<b>{name}</b>\n{roles}\n\n<b>History</b>\n{history}"
ROLE_CARD_LINE = "• {role} since {since}{source}"
ROLE_FROM_SETTINGS = " (from the bot's settings)"
ROLE_HISTORY_LINE = "• {at}: {role} {change}{by}{reason}"
ROLE_HISTORY_EMPTY = "• nothing recorded"
ROLE_CHANGES = {"granted": "given", "removed": "ended", "stepped_down": "stepped down"}
ROLE_REMOVE_BUTTON = "End {role} role"
ROLE_REMOVE_ASK = "Why is <b>{name}</b>'s {role} role ending? They will be told kindly, without the reason."
REMOVAL_REASONS = {
    "left": "Left the service",
    "asked": "They asked to stop",
    "inactive": "No longer active",
    "concern": "A concern was raised",
}
ROLE_REMOVED_DONE = "<b>{name}</b> is no longer a {role}. They've been told, and it's recorded."
ROLE_REMOVED_NOTICE = (
    "Your {role} role has ended. Thank you for all you gave 💛 "
    "Everything else stays as it was. If you think this is a mistake, please talk to a coordinator."
)
ROLE_NOT_HELD = "They no longer hold that role."
ROLE_FROM_SETTINGS_CANT = (
    "This coordinator role comes from the bot's settings (COORDINATOR_TELEGRAM_IDS). "
    "Whoever runs the bot can remove the id there; it ends at the next start."
)
ROLE_REMOVE_SELF = "To end your own role, use /settings → Your roles → Step down."
ROLES_YOURS_BUTTON = "🎗 Your roles"
ROLES_YOURS = "<b>Your roles</b>\n{roles}\n\nYou can step down from a role at any time. Nothing else changes."
ROLE_STEP_DOWN_BUTTON = "Step down as {role}"
ROLE_STEP_DOWN_ASK = "Step down as {role}? {effect}"
ROLE_STEP_DOWN_EFFECTS = {
    "secretary": "Your meetings stay listed; the coordinators will find them a new secretary.",
    "companion": "Releases you were to meet go back to the coordinators, and the people are told.",
    "coordinator": "You'll no longer see release requests or get alerts passed on to coordinators.",
}
ROLE_STEP_DOWN_YES = "Yes, step down"
ROLE_STEP_DOWN_NO = "No, keep it"
ROLE_STEPPED_DOWN = "Done: you're no longer a {role}. Thank you 💛"
ROLE_STEPPED_DOWN_NOTICE = "<b>{name}</b> stepped down as {role}."
ROLE_LAST_COORDINATOR = "You're the only coordinator. Invite another in /coordinators before you step down."
ROLE_SETTINGS_COORDINATOR = (
    "Your coordinator role comes from the bot's settings. Ask whoever runs the bot to remove your id there."
)
INVITE_EXPIRED = "This link has expired. Please ask the person who sent it for a new one."
INVITE_USED = "This link has already been used. Please ask the person who sent it for a new one."
INVITE_UNKNOWN = "I don't recognise this link. Please check it, or ask for a new one."
INVITE_FINISH_ONBOARDING_FIRST = "Let's set you up first; then open the link again."

NOT_FOR_YOU = "Sorry, that button isn't for you."
STALE_BUTTON = "That button is from an earlier message and no longer works."
NEED_START = "Please send /start first so I can set you up."
UNKNOWN_COMMAND = "I don't know {command}. Send /help to see what you can do."
FREE_TEXT = "I'm not sure what you mean. Send /help to see what you can do.\n\n" + CRISIS_LINE
NEED_START_FREE_TEXT = NEED_START + "\n\n" + CRISIS_LINE
# Under the helplines, after typed words that sound like someone may be struggling.
CRISIS_TYPED_FOOTER = (
    "Tap <b>🆘 I need support now</b> and I'll tell the people who support you at once (if you've added "
    "any in /supporters). For everything else I can do, send /help."
)
MEDIA = "I can only read text and buttons here, not {kind}. Send /help to see what you can do."
LOCATION_NOT_ASKED = "Thanks, but I wasn't expecting a location just now, so I haven't used it. Send /help to see what you can do."
EDITED = "I only read new messages, not edits. Please send it again as a new message."
# Flood limit (bot/flood.py): the one reply to the first update dropped, also the button's toast.
SLOW_DOWN = "🐢 Slow down a moment — I'll read your next message in a few seconds."
SLOW_DOWN_MESSAGE = SLOW_DOWN + "\n\n" + CRISIS_LINE

# Daily caps (bot/services/caps.py): counted over the last 24 hours; `when` is CAP_WHEN_*.
# The invitation one shows in a pop-up, so it stays under 200 characters.
CAP_WHEN_TODAY, CAP_WHEN_TOMORROW = "after {time}", "tomorrow after {time}"
CAP_INVITATIONS = "You've made {count} invitation links in the last day, the most for one day. You can make another {when}."
CAP_RELAY = (
    "This message wasn't sent: you've sent {count} messages through the bot in the last day, the most for "
    "one day. You can send more {when}.\n\n" + CRISIS_LINE
)
CAP_ANNOUNCEMENTS = (
    "📣 You've sent {count} announcements in the last day, the most for one day, so nothing more goes out "
    "now. You can send another {when}."
)
CAP_RELEASE_REQUESTS = (
    "This request wasn't sent yet: you've sent {count} release requests in the last day, the most for one day. "
    "It's kept as a draft: you can send it {when}."
)
TOO_LONG = "That message is too long for me ({length} characters). Please keep it under 4,096."
ERROR = "Sorry, something went wrong on our side. Please try again. If you need help now: call 999 or Samaritans 116 123."
FINISH_ONBOARDING = "Let's finish setting you up first."

COMMAND_MENU = [
    ("start", "Start or restart"),
    ("help", "What you can do"),
    ("checkin", "Check in for today"),
    ("progress", "Your clean time and progress"),
    ("sos", "I need support now"),
    ("meetings", "Find a meeting"),
    ("supporters", "Your supporters"),
    ("supporting", "People you support"),
    ("release", "A companion on release day"),
    ("pause", "Pause or resume check-ins"),
    ("settings", "Your name, time zone and times"),
    ("privacy", "What we keep"),
    ("mydata", "Get a copy of your data"),
    ("forget", "Erase everything about you"),
]


# --- Check-ins (issue 5): daily check-in, progress, pause, reminders, crisis help ---------


# Counted words, by the language's plural rules (Welsh has six forms).
PLURALS = {
    "minute": Plural("{count} minute", "{count} minutes"),
    "hour": Plural("{count} hour", "{count} hours"),
    "day": Plural("{count} day", "{count} days"),
    "month": Plural("{count} month", "{count} months"),
    "year": Plural("{count} year", "{count} years"),
    "companion": Plural("{count} companion", "{count} companions"),
    "follower": Plural("{count} follower", "{count} followers"),
}


def plural(count: int, word: str) -> str:
    """`1 day`, `3 days` (`3 diwrnod`) in the current language; `word` is a PLURALS key."""
    if word in PLURALS:
        return PLURALS[word].format(count=count)
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def format_date(day: date | datetime, pattern: str) -> str:
    """A date by a CLDR pattern in the current language (Babel): `EEE d MMM` is `Tue 24
    Nov` in English and `Maw 24 Tach` in Welsh."""
    return _babel_dates.format_date(day, pattern, locale=_i18n.babel_locale())


def weekday_name(index: int, width: Literal["abbreviated", "wide"] = "wide") -> str:
    """A weekday's name, Monday = 0, in the current language (`abbreviated` for short)."""
    return str(_babel_dates.get_day_names(width, locale=_i18n.babel_locale())[index])


def decimal(value: float, pattern: str = "0.0") -> str:
    """A number the way the current language writes it."""
    return _babel_numbers.format_decimal(value, format=pattern, locale=_i18n.babel_locale())


def day_label(day: date) -> str:
    """`Tue 24 Nov`: short enough for a button-sized line on a small phone."""
    return format_date(day, "EEE d MMM")


def long_date(day: date) -> str:
    """`24 Nov 2026`."""
    return format_date(day, "d MMM y")


MOOD_FACES = {1: "😢", 2: "😟", 3: "😐", 4: "🙂", 5: "😊"}
MOOD_WORDS = {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "great"}
MOOD_BUTTON = "{face} {word}"
CARD_RETIRED = "This check-in card was replaced by a newer one below. ⬇️"
CLEAN_BUTTONS = {"yes": "✅ Yes", "slip": "Had a slip", "private": "Rather not say"}
CLEAN_WORDS = {"yes": "yes ✅", "slip": "had a slip", "private": "rather not say"}
SOS_BUTTON = "🆘 I need support now"

GREETINGS = ((12, "Good morning"), (18, "Good afternoon"), (24, "Good evening"))
PROMPT = "{greeting}, {name} 🌱"
PROMPT_WELCOME_BACK = "Welcome back, {name}. Your daily check-ins are on again. 🌱"
REMINDER = "Just a gentle reminder, {name} 💛 No pressure. Tap a face whenever you're ready."
REMINDER_STOP_BUTTON = "🔕 No more reminders"
MILESTONE_TODAY = "🎉 <b>{label} clean and sober today!</b> Well done, {name}. One day at a time, and look how far you've come."
MILESTONE_BELATED = "🎉 On {day} you reached <b>{label} clean and sober</b>, {name}. Well done. One day at a time."

CARD_HEADER = "<b>Check-in · {day}</b>"
CARD_MOOD = "Mood: {face} {word}"
CARD_CLEAN = "Clean and sober today: {answer}"
CARD_MEETING = "Meeting: 🤝 went today"
CARD_NOTE = "Private note: 🔒 saved"
ASK_MOOD = "How are you feeling today?\n😢 very low … 😊 great"
ASK_CLEAN = "Did you stay clean and sober today?"
SLIP_KIND = (
    "💛 Thank you for telling me, {name}. A slip doesn't wipe out what you've done, and being "
    "honest about it takes courage. You reached out, and that matters."
)
ASK_RESET = "Would you like to restart your clean date from today? (It's {date} now.)"
ASK_RESET_NO_DATE = "Would you like to start counting clean time from today?"
RESET_YES, RESET_NO = "Yes, from today", "No, keep it"
RESET_DONE = "Your clean date is now today. Every day counts from here."
ASK_TELL = "Would you like your supporters to know, so they can be there for you?"
TELL_YES, TELL_NO = "Yes, tell them", "No, just me"
ASK_EXTRAS = "Anything else for today? Both are optional."
MEETING_BUTTON = "🤝 I went to a meeting today"
NOTE_BUTTON, NOTE_CHANGE_BUTTON = "✍️ Add a private note", "✍️ Change my note"
DONE_BUTTON = "✅ Done"
ASK_NOTE = "✍️ Type your note and send it. Only you can see it, and it's stored encrypted."
SKIP_NOTE_BUTTON = "Skip the note"
NOTE_SAVED = "🔒 Note saved. Only you can see it."
NOTE_EMPTY = "That note is empty. Type a few words, or tap Skip the note."
CHECKIN_DONE = "✅ <b>Checked in for {day}.</b> Thank you, {name}."
STREAK = "🔥 Check-in streak: {days}"
PROGRESS_HINT = "See /progress for your clean time and mood chart."
CHECKIN_UPDATE = "You've already checked in today. Tap to update it."
CHECKIN_PAUSED = "Your daily check-ins are paused until {date}, but you can still check in today."
CHECKIN_CLOSED = "This check-in was for {day} and has closed."
CHECKIN_STALE = "That check-in was for {day}. Here's today's."
ALREADY_SAVED = "Already saved ✓"
SAVED = "Saved ✓"

PROGRESS_HEADER = "<b>Your progress, {name}</b>"
PROGRESS_CLEAN = "🌱 Clean time: <b>{days}</b> since {date}"
PROGRESS_CLEAN_PARTS = "    that's {parts}"
PROGRESS_CLEAN_TODAY = "🌱 Your clean date is today. Day one: well done for starting."
PROGRESS_NO_CLEAN_DATE = "🌱 No clean date set. Add one in /settings if you'd like to count your clean time."
PROGRESS_NEXT_MILESTONE = "🎯 Next milestone: {label} on {date}"
PROGRESS_STREAK = "🔥 Check-in streak: <b>{days}</b>"
PROGRESS_MEETINGS = "🤝 Meetings in the last 90 days: <b>{count}</b> (90 in 90)"
PROGRESS_NO_MOODS = "📈 Check in with /checkin and your mood chart will appear here."
MOOD_CHART_CAPTION = "📈 Your mood over the last 30 days."
ZONE_ASSUMED = "🕘 Times are in {zone} time because you haven't chosen a time zone. You can set it in /settings."

PAUSE_ASK = (
    "⏸ Pause your daily check-ins? Choose when they should start again. Until then I won't send "
    "check-ins or reminders. /sos still works any time."
)
PAUSE_CHOICES = ((3, "3 days"), (7, "1 week"), (14, "2 weeks"), (30, "1 month"))
PAUSE_PICK_DATE = "📅 Type a date"
PAUSE_ASK_DATE = "Which day should check-ins start again? Type a date like {example}."
PAUSE_DATE_NOT_FUTURE = "Please choose a day after today, like {example}."
PAUSE_DATE_TOO_FAR = "Please choose a day within a year. You can always pause again later."
PAUSED = "⏸ Check-ins paused. They'll start again on <b>{date}</b>. Take care of yourself."
PAUSED_ALREADY = "⏸ Your check-ins are paused until <b>{date}</b>."
RESUME_BUTTON = "▶️ Resume now"
CHANGE_DATE_BUTTON = "Change the date"
RESUMED = "▶️ Check-ins are back on. Your next one comes {when}."
NOT_PAUSED = "Your check-ins aren't paused. Your next one comes {when}."
NO_CHECKIN_TIME = "You don't have a daily check-in time yet. Choose one in /settings."
WHEN_TODAY, WHEN_TOMORROW, WHEN_LATER = "today at {time}", "tomorrow at {time}", "on {day} at {time}"

REMINDER_ASK = (
    "🔔 If you haven't checked in a few hours after your daily check-in, I can send one gentle "
    "reminder. Right now: <b>{current}</b>."
)
REMINDER_CURRENT_ON, REMINDER_CURRENT_OFF = "after {hours} hours", "no reminders"
REMINDER_CHOICE = "After {hours} hours"
REMINDER_OFF_BUTTON = "No reminders"
REMINDER_SET = "🔔 Got it: if you haven't checked in, a reminder comes {hours} hours after your check-in."
REMINDER_OFF = "🔕 Reminders are off. Send /reminder to turn them on again."

SOS_HEADER = "🆘 <b>You're not alone. Help is here right now.</b>"
SOS_EMERGENCY = "<b>In danger, or hurt?</b> Call <b>{phone}</b> now."
SOS_TALK = "<b>Need to talk?</b> {service}: {contact}"
SOS_OTHERS = "<b>Other help</b>"
SOS_LINE = "• {service}: {contact}"
SOS_FREE_24_7 = " (free, 24/7)"
SOS_FREE = " (free)"
SOS_24_7 = " (24/7)"
SOS_OUTSIDE_UK = "Outside the UK? Call your local emergency number: 112 in Europe, 911 in North America."
SOS_FOOTER = "If you can, tell someone you trust how you're feeling. I'm here too: /checkin"


# --- Meetings (issue 7): find, follow, remind, "I went"; secretaries' listings -----------

MEETINGS_ASK_PLACE = (
    "🔎 <b>Find a meeting</b>\n"
    "Tap <b>📍 Share my location</b> (used for this search only, never stored), or type a postcode "
    "(LS6, SW1A 1AA) or a town."
)
MEETINGS_SHARE_LOCATION = "📍 Share my location"
MEETINGS_ONLINE_SOON = "💻 Online meetings soon"
MEETINGS_SEARCHING = "🔎 Meetings near <b>{place}</b>"
MEETINGS_SEARCHING_ONLINE = "🔎 Online meetings starting soon"
MEETINGS_YOUR_LOCATION = "you"
MEETINGS_PLACE_CHOICES = "There's more than one “{text}”. Which one?"
MEETINGS_PLACE_SUGGEST = "I don't know “{text}”. Did you mean one of these? Or type another postcode or town."
MEETINGS_PLACE_UNKNOWN = "I couldn't find “{text}”. Try a postcode district like LS6, a full postcode like SW1A 1AA, or a nearby town."
MEETINGS_POSTCODE_SUGGEST = "I don't know the postcode “{text}”. Did you mean one of these? Or type it again."
MEETINGS_BAD_LOCATION = "That location can't be right (latitude goes from -90 to 90, longitude from -180 to 180). Please share it again, or type a postcode."
MEETINGS_NEAR_HEADER = "<b>Meetings near {place}</b>"
MEETINGS_ONLINE_HEADER = "<b>💻 Online meetings</b> (times in {zone})"
MEETINGS_FILTERED = "Showing: {filters}"
MEETINGS_ORDER = {"s": "🕒 What's next first", "n": "📍 Nearest first"}
MEETINGS_PAGE_FOOTER = "Tap a meeting's button below for the map, a reminder, Follow or I went."
# One button per meeting, under the list, naming it: "1. Headingley Tuesday · today 19:30".
MEETINGS_RESULT_BUTTON = "{n}. {name} · {when}"
MEETINGS_NONE_SOON = "Nothing starts in the next 3 hours near {place}. Later today might suit:"
MEETINGS_ONLINE_NONE_SOON = "No online meetings start in the next 3 hours. Later today might suit:"
MEETINGS_FAR = (
    "I couldn't find an in-person meeting within {km} km of {place}. "
    "Online meetings are open to you wherever you are:"
)
MEETINGS_NONE_MATCH = "No meetings within {km} km of {place} match that. Try another choice, or clear the filters."
MEETINGS_ONLINE_NONE = "No online meetings match that just now. Try “Any time”, or clear the filters."
MEETINGS_GONE = "That meeting is no longer listed."
MEETINGS_PICK_DAY = "Which day?"
MEETINGS_PICK_FELLOWSHIP = "Which fellowship?"
MEETINGS_PICK_TYPE = "What kind of meeting?"
MEETINGS_WHEN_LABELS = {"a": "any time", "s": "next 3 hours", "t": "today"}
MEETINGS_BUTTONS = {
    "soon": "⏱ Next 3 hours",
    "today": "📅 Today",
    "day": "🗓 Pick a day",
    "any": "🕒 Any time",
    "online": "💻 Online",
    "in_person": "🏠 In person",
    "fellowship": "🤝 Fellowship",
    "type": "🏷 Type",
    "clear": "✖ Clear filters",
    "prev": "◀ Back",
    "next": "More ▶",
    "all": "All",
    "back": "◀ Back to the list",
    "later_today": "📅 Later today",
    "nearest": "📍 Nearest first",
    "soonest": "🕒 What's next",
}
FELLOWSHIP_NAMES = {
    "AA": "AA",
    "NA": "NA",
    "CA": "CA",
    "CMA": "CMA",
    "other": "Other fellowship",
}
ATTENDANCE_LABELS = {"in_person": "🏠 In person", "online": "💻 Online", "hybrid": "🔀 In person & online"}
# The types people filter by most, with friendlier names than the spec's; other codes use
# the spec's English names (bot/data/meeting_types.json). Note "UK" there means Ukrainian.
KEY_TYPES = {
    "O": "Open",
    "C": "Closed",
    "BE": "Newcomers",
    "W": "Women",
    "M": "Men",
    "LGBTQ": "LGBTQ+",
    "X": "Wheelchair access",
    "SP": "Speaker",
    "D": "Discussion",
    "ST": "Step study",
    "B": "Big Book",
    "Y": "Young people",
    "MED": "Meditation",
}
# What the type codes mean, in words (the Meeting Guide codes: O open, C closed, ...).
# "Closed" depends on the fellowship: whose meeting it is.
TYPE_EXPLANATIONS = {
    "O": "Open: anyone is welcome, including family, friends and the curious",
    "BE": "Newcomers: especially for people new to recovery",
    "W": "Women: for women only",
    "M": "Men: for men only",
    "LGBTQ": "LGBTQ+: for lesbian, gay, bisexual, trans and queer people",
    "X": "Wheelchair access: step-free way in",
    "SP": "Speaker: one person shares their story",
    "D": "Discussion: everyone may share on a topic",
    "ST": "Step study: works through the Twelve Steps",
    "B": "Big Book: reads and discusses the AA Big Book",
    "Y": "Young people: for younger members",
    "MED": "Meditation: a quiet time together",
}
CLOSED_FOR = {
    "AA": "Closed: for people who want to stop drinking",
    "NA": "Closed: for people who want to stop using drugs",
    "CA": "Closed: for people who want to stop using cocaine and other drugs",
    "CMA": "Closed: for people who want to stop using crystal meth",
    "other": "Closed: for people who want to stop, not for visitors",
}
MEETING_OTHER_ZONE = "{when} {zone} time ({yours} your time)"
MEETING_LINE_TITLE = "<b>{n}. {name}</b>{distance}"
MEETING_LINE_WHEN = "{fellowship} · 🕒 {when} · {attendance}"
MEETING_LINE_CANCELLED = "{fellowship} · ❌ <s>{when}</s> cancelled · next {next} · {attendance}"
MEETING_LINE_CANCELLED_NO_NEXT = "{fellowship} · ❌ <s>{when}</s> cancelled · {attendance}"
MEETING_OUT_OF_DATE = "⚠️ may be out of date"
MEETING_CARD_SCHEDULE = "{fellowship} · {schedule}"
MEETING_CARD_NEXT = "🕒 Next: <b>{when}</b>"
MEETING_CARD_NEXT_CANCELLED = "❌ <s>{when}</s> is cancelled. Next: <b>{next}</b>"
MEETING_CARD_NO_NEXT = "🕒 No upcoming date."
MEETING_CARD_WHERE = "📍 {address}"
MEETING_CARD_APPROXIMATE = " (approximate location)"
MEETING_CARD_ONLINE = "💻 {link}"
MEETING_CARD_PHONE = "☎️ {phone}"
MEETING_CARD_NOTES = "📝 {notes}"
MEETING_CARD_GROUP = "👥 {group}"
MEETING_CARD_STALE = "⚠️ This listing may be out of date (last confirmed {date}). Check with the group if you can."
MEETING_CARD_ZONE = " ({zone} time)"
MEETING_JOIN_LINK = "join link"
MEETING_BUTTONS = {
    "map": "🗺 Map",
    "remind": "⏰ Remind me",
    "unremind": "🔕 Stop reminders",
    "follow": "⭐ Follow",
    "unfollow": "✖ Unfollow",
    "went": "✅ I went",
    "join": "💻 Join online",
}
MEETING_FOLLOWING = "⭐ Following: you'll hear about changes, cancellations and announcements."
MEETING_UNFOLLOWED = "You won't hear from this meeting any more."
MEETING_REMINDING = "⏰ I'll remind you an hour before each meeting, starting {when}."
MEETING_NO_REMINDER_DATE = "This meeting has no upcoming date to remind you of."
MEETING_UNREMINDED = "🔕 No more reminders for this meeting."
MEETING_WENT = "✅ Counted: <b>{name}</b>, {when}. That's <b>{count}</b> in the last 90 days. Keep coming back."
MEETING_WENT_ALREADY = "Already counted: {name}, {when}. That's {count} in the last 90 days."
MEETING_WENT_NOT_YET = "I can count a meeting from when it starts until two days after. The next one is {when}."
MEETING_WENT_CANCELLED = "That meeting ({date}) was cancelled, so it can't be counted."
MEETING_NO_VENUE = "This meeting has no address to show on a map."
MEETING_REMINDER = "⏰ <b>{name}</b> starts {when}, in about an hour."
MEETING_REMINDER_CANCELLED = "❌ <b>{name}</b> is cancelled {when}. {next}"
MEETING_NEXT_ONE = "The next one is {when}."
MEETING_REMINDER_STOPPED = "🔕 Reminders for {name} stopped."

# Followers hear of these (through the outbox).
MEETING_NEWS_CHANGED = "✏️ <b>{name}</b> has changed:\n{changes}"
MEETING_NEWS_CANCELLED = "❌ <b>{name}</b> is cancelled on <b>{date}</b>. {next}"
MEETING_NEWS_RESTORED = "✅ <b>{name}</b> is on again on <b>{date}</b>."
MEETING_NEWS_PAUSED = "⏸ <b>{name}</b> is paused for now. You'll hear when it's back."
MEETING_NEWS_RESUMED = "▶️ <b>{name}</b> is back on: {schedule}."
MEETING_NEWS_GONE = "<b>{name}</b> is no longer listed, so you won't hear from it any more."
MEETING_NEWS_ANNOUNCEMENT = "📣 <b>{name}</b>\n{text}"
MEETING_CHANGE_LINE = "• {field}: {value}"
MEETING_FIELD_NAMES = {
    "name": "Name",
    "fellowship": "Fellowship",
    "days": "Days",
    "time": "Starts",
    "end": "Ends",
    "attendance": "How to attend",
    "address": "Address",
    "place": "Postcode or location",
    "link": "Online link",
    "phone": "Dial-in phone",
    "types": "Type",
    "notes": "Notes",
}

# Secretaries: /addmeeting and /mymeetings.
LISTING_NOT_SECRETARY = (
    "Only group secretaries can list meetings. Ask for the role in /settings and a coordinator will approve it."
)
LISTING_RESUME = "You have an unfinished meeting, <b>{name}</b>. Carry on with it, or start again?"
LISTING_CONTINUE = "Carry on"
LISTING_START_AGAIN = "Start again"
LISTING_UNNAMED = "(no name yet)"
LISTING_ASK = {
    "name": "What is the meeting called? For example “Tuesday Night Group” (3–100 characters).",
    "fellowship": "Which fellowship is it?",
    "days": "Which day or days? Tap them, then <b>Done</b>. Or type them, like “Mon, Wed, Fri” or “every day”.",
    "time": "What time does it start? For example 19:30 or 7.30pm.",
    "end": "When does it end? For example 20:30. Or tap Skip if you'd rather not say.",
    "attendance": "How do people attend?",
    "address": "Where is it? The building and street, e.g. “St Mark's Church Hall, 12 Woodhouse Lane, Leeds”.",
    "place": (
        "What's the postcode (e.g. LS6 2AB)? Or send the exact spot on a map: tap 📎, then Location, "
        "then move the pin."
    ),
    "link": "The link people use to join online? It should start with https://",
    "phone": "A phone number to dial in? Type it, or tap Skip.",
    "types": "What kind of meeting? Tap all that apply, then <b>Done</b>.",
    "notes": "Anything people should know: the door to use, parking, a passcode? Type it (up to 1,000 characters), or tap Skip.",
}
LISTING_DONE = "✅ Done"
LISTING_SKIP = "Skip"
LISTING_PREVIEW = "<b>Check your listing</b>\n\n{card}\n\nIs it right?"
LISTING_PUBLISH = "✅ Publish"
LISTING_CHANGE = "✏️ Change something"
LISTING_DISCARD = "🗑 Discard"
LISTING_DISCARDED = "Discarded. Nothing was published."
LISTING_PUBLISHED = "🎉 <b>{name}</b> is published. People searching nearby or online will find it. Change it any time with /mymeetings."
LISTING_INCOMPLETE = "Almost there: please add {missing} first."
LISTING_PICK_FIELD = "What would you like to change?"
LISTING_SAVED = "Saved."
LISTING_SAVED_TOLD = "Saved. Told: {told}."
LISTING_TAP_A_BUTTON = "Please tap one of the buttons above."
LISTING_DAYS_HELP = "I couldn't read those days. Try “Tuesday”, “Mon, Wed, Fri”, “Mon-Fri” or “every day”."
LISTING_NAME_SHORT = "Please give the meeting a name of at least 3 characters."
LISTING_NAME_LONG = "That name is long. Please keep it to 100 characters or fewer."
LISTING_NAME_COMMAND = "Please send just the name, not a command."
LISTING_END_BEFORE_START = "A meeting can't end before it starts (it starts at {start}). Please send the end time, e.g. {example}."
LISTING_LINK_BAD = "That doesn't look like a web link. Please send the full link, starting with https://"
LISTING_PHONE_BAD = "That doesn't look like a phone number. Please use digits, with + for the country code, e.g. +44 20 7946 0000."
LISTING_NOTES_LONG = "That's a bit long. Please keep notes to 1,000 characters or fewer."
LISTING_TEXT_EMPTY = "Please type a few words."
LISTING_POSTCODE_UNKNOWN = "I don't know the postcode “{text}”. Please check it, e.g. LS6 2AB, or send the spot on a map (📎 → Location)."
LISTING_ONLINE_NEEDS_LINK = "An online meeting needs a link or a phone number so people can join."
LISTING_NEEDS_PLACE = "An in-person meeting needs an address and a postcode or location."
MY_MEETINGS_HEADER = "<b>Your meetings</b>\nTap one to change it, pause it, cancel a date or tell its followers something."
MY_MEETINGS_NONE = "You haven't listed a meeting yet. Add one with /addmeeting."
MY_MEETING_STATUS = {"active": "", "paused": " (paused)", "draft": " (unfinished)"}
MANAGE_HEADER = "{card}\n\n⭐ {followers}"
MANAGE_BUTTONS = {
    "edit": "✏️ Edit",
    "pause": "⏸ Pause",
    "resume": "▶️ Resume",
    "cancel": "❌ Cancel a date",
    "announce": "📣 Announce",
    "delete": "🗑 Delete",
    "back": "◀ Back",
}
CANCEL_PICK = (
    "Which date is off? Tap it (tap a ❌ one to put it back on), or type a date like {example}."
)
CANCEL_NOT_A_MEETING_DAY = "{name} doesn't meet on {date}. It meets {days}."
CANCEL_PAST = "That date has passed. Please choose a coming date."
CANCEL_TOO_FAR = "Please choose a date within the next year."
CANCEL_DONE = "❌ {date} is cancelled and shows as cancelled in searches. Told: {told}."
CANCEL_RESTORED = "✅ {date} is on again. Told: {told}."
ANNOUNCE_ASK = "📣 Type your announcement for <b>{name}</b>. It goes to its {followers} as soon as you send it."
ANNOUNCE_NOBODY = "Nobody follows <b>{name}</b> yet, so there's no one to tell. People can tap ⭐ Follow on it in /meetings."
ANNOUNCE_SENT = "📣 Sent to {followers}. They'll get it over the next few moments."
ANNOUNCE_LONG = "That's a bit long. Please keep announcements to 1,000 characters or fewer."
DELETE_CONFIRM = "Delete <b>{name}</b> for good? Its {followers} will be told. This can't be undone."
DELETE_YES, DELETE_NO = "Yes, delete it", "No, keep it"
DELETED = "Deleted. Told: {told}."
LISTING_PAUSED = "⏸ Paused: it won't show in searches until you resume it. Told: {told}."
LISTING_RESUMED = "▶️ Back on and showing in searches. Told: {told}."
CONFIRM_ASK = "📋 <b>Is this listing still right?</b> Every month I check, so nobody turns up to a meeting that has moved.\n\n{card}"
CONFIRM_YES = "✅ Yes, still right"
CONFIRM_CHANGE = "✏️ Change it"
CONFIRM_PAUSE = "⏸ Pause it"
CONFIRMED = "Thank you. Marked as checked today."


# --- Release day (issue 8): companions, release requests, the day itself, aftercare -------

# Companions apply (/companion), a coordinator records vetting and approves.
COMPANION_INTRO = (
    "🤝 <b>Release-day companions</b> meet someone at the prison gate, help with the first hours "
    "(probation, a pharmacy, a meeting) and keep in touch for a couple of weeks. A coordinator "
    "checks every companion before they're asked to help.\n\nI'll ask four short questions."
)
COMPANION_APPLY_BUTTON = "🤝 Apply to be a companion"
COMPANION_ASK_AREAS = (
    "📍 Which areas can you get to on a release morning? Send a postcode district (LS6) or a town "
    "(Leeds). Several are fine, separated by commas."
)
COMPANION_AREAS_NOW = "📍 Your areas: <b>{areas}</b>\nSend another, or tap Done."
COMPANION_AREAS_FULL = "That's as many areas as I can keep ({max}). Tap Done, or Start again to change them."
COMPANION_AREAS_MISSED = "I couldn't find: {missed}."
COMPANION_AREAS_DONE_BUTTON = "✅ Done"
COMPANION_AREAS_CLEAR_BUTTON = "Start again"
COMPANION_AREAS_NONE = "Please send at least one area first."
COMPANION_ASK = {
    "fellowship": "Which fellowship are you in?",
    "gender": "Some people ask to be met by someone of the same gender. How do you describe yourself?",
    "clean_time": "How long have you been clean and sober?",
}
COMPANION_GENDERS = {"woman": "Woman", "man": "Man", "nonbinary": "Non-binary"}
COMPANION_CLEAN_TIMES = {"lt1": "Under a year", "1to2": "1–2 years", "2to5": "2–5 years", "5plus": "5 years or more"}
COMPANION_SUMMARY = "📍 Areas: {areas}\n🤝 Fellowship: {fellowship}\n🙋 Gender: {gender}\n🌱 Clean time: {clean_time}"
COMPANION_REVIEW = (
    "<b>Your application</b>\n{summary}\n\nSend it to a coordinator? They'll talk to you about "
    "references and checks outside the bot; no documents are kept here."
)
COMPANION_SEND_BUTTON = "✅ Send to a coordinator"
COMPANION_CHANGE_AREAS_BUTTON = "📍 Change my areas"
COMPANION_INCOMPLETE = "Your application isn't finished yet. Send /companion to carry on."
COMPANION_PENDING = "Your application is with a coordinator. I'll tell you as soon as they decide."
COMPANION_REQUEST_FOR_COORDINATOR = (
    "📝 <b>{name}</b> asks to be a <b>release-day companion</b>.\n{details}\n\n"
    "Vetting (references, DBS) happens outside the bot. Approve once it's done: only its date is recorded."
)
COMPANION_APPROVE_BUTTON = "✅ Vetted: approve"
VETTING_ASK = "🗓 When was vetting for <b>{name}</b> completed? Tap Today, or type the date like {example}."
VETTING_TODAY_BUTTON = "Today"
VETTING_DATE_FUTURE = "That date is in the future. Please send the day vetting was completed."
VETTING_DATE_OLD = "That's more than three years ago. Please check vetting is up to date, then send the date it was done."
VETTING_RECORDED = "Vetting recorded as done on {date}."
COMPANION_PROFILE = "<b>Your companion profile</b>\n{summary}\n🛡 Vetting recorded: {vetted}\n{state}"
COMPANION_TAKING = "✅ Taking requests in your areas."
COMPANION_PAUSED_STATE = "⏸ Paused: you won't be offered new releases."
COMPANION_PAUSE_BUTTON = "⏸ Pause new requests"
COMPANION_RESUME_BUTTON = "▶️ Take requests again"
COMPANION_PAUSED = "⏸ Paused. You won't be offered releases until you take requests again. Releases you've said yes to still stand."
COMPANION_RESUMED = "▶️ You'll be offered releases in your areas again."
COMPANION_RELEASES = "<b>Releases you're meeting</b>"
COMPANION_RELEASE_LINE = "#{id} · {when} · {prison}"
COMPANION_NO_RELEASES = "You're not meeting anyone at the moment."

# Release requests (/release, /releases).
RELEASE_INTRO_OWN = (
    "🚪 <b>Someone to meet you on release day</b>\nA volunteer from the fellowships can meet you at "
    "the gate, help with the first appointments and go with you to a meeting. Only coordinators and "
    "your companion see what you tell me here."
)
RELEASE_INTRO_BEHALF = (
    "🚪 <b>A release request for someone else</b>\nAnswer for the person leaving prison. At the end "
    "you get a printable card with a link they can use after release to connect."
)
RELEASE_WHO = "Is this for you, or for someone you're helping?"
RELEASE_FOR_ME_BUTTON = "For me"
RELEASE_FOR_SOMEONE_BUTTON = "For someone else"
RELEASE_START_BUTTON = "🚪 Ask for a companion on release day"
RELEASE_AFTER_SETUP = "🚪 Leaving prison soon? A companion from the fellowships can meet you at the gate."
RELEASE_ASK = {
    "prison": "🏢 Which prison? Type its name, like Leeds or Styal.",
    "date": "📅 What's the release date? Type it like {example}.",
    "time": "🕒 What time is release expected? Most are in the morning. Tap a button, or type a time like 9:30.",
    "destination": "🏠 Where is home after release? A postcode district or a town, like LS6 or Leeds. Only the area, never an address.",
    "gender": "🙋 Who should be at the gate: a woman, a man, or anyone?",
    "fellowship": "🤝 Which fellowship, if any?",
    "needs": "🧾 What would help on the day? Tap all that apply, then Done.",
    "probation": "📋 When and where is the probation appointment? For example “2pm, Leeds probation office”. Or tap Skip.",
    "notes": (
        "📝 Notes for the companion and coordinators: anything they should know? For example “no phone yet”. "
        "<b>The person never sees these.</b> Or tap Skip."
    ),
    "person_note": (
        "💬 A note for the person, shown to them once they've connected? For example “Your probation officer is Jo, "
        "at Kirkgate”. Or tap Skip."
    ),
}
RELEASE_PRISON_CHOICES = "More than one prison matches “{text}”. Which one?"
RELEASE_PRISON_SUGGEST = "I don't know a prison called “{text}”. Did you mean one of these? Or type the name again."
RELEASE_PRISON_UNKNOWN = (
    "I don't know a prison called “{text}”, and nothing close to it. Please check the name, like Leeds "
    "or Wandsworth. (Prisons in England and Wales only, for now.)"
)
RELEASE_DATE_PAST = "That date has passed. Please send the release date, like {example}."
RELEASE_DATE_TOO_FAR = "That's more than a year away. Please send a date within the next year; you can ask again nearer the time."
RELEASE_FRIDAY_NOTE = "Note: releases due on a Friday often happen on the Thursday before. You can change the date any time."
RELEASE_MORNING_BUTTON = "🌅 Morning (time not known)"
RELEASE_GENDER_PREFERENCES = {"woman": "A woman", "man": "A man", "any": "Anyone"}
RELEASE_FELLOWSHIP_UNSURE = "Not sure"
RELEASE_NEEDS = {
    "meeting": "a meeting the same day",
    "probation": "probation appointment",
    "pharmacy": "pharmacy or prescription",
    "housing": "housing office",
    "phone": "a phone",
}
RELEASE_NO_NEEDS = "nothing in particular"
RELEASE_DONE_BUTTON = "✅ Done"
RELEASE_SKIP_BUTTON = "Skip"
RELEASE_TEXT_LONG = "That's a bit long. Please keep it to {max} characters."
RELEASE_TEXT_EMPTY = "Please type a few words, or tap Skip."
RELEASE_REVIEW = "<b>Check the request</b>\n\n{details}\n\nSend it to companions?"
RELEASE_SEND_BUTTON = "✅ Send"
RELEASE_CHANGE_BUTTON = "✏️ Change something"
RELEASE_DISCARD_BUTTON = "🗑 Discard"
RELEASE_PICK_FIELD = "What would you like to change?"
RELEASE_FIELD_NAMES = {
    "prison": "Prison", "date": "Date", "time": "Time", "destination": "Home area", "gender": "Who meets",
    "fellowship": "Fellowship", "needs": "Needs", "probation": "Probation", "notes": "Notes",
    "person_note": "Note for them",
}
RELEASE_DISCARDED = "Discarded. Nothing was sent."
RELEASE_INCOMPLETE = "Almost there: please answer “{missing}” first."
RELEASE_SENT_OWN = (
    "✅ Sent. I've asked {offered} near you. I'll tell you as soon as one says yes.\n"
    "Send /release any time to see it or change the date."
)
RELEASE_SENT_BEHALF = (
    "✅ Sent to {offered}. The card for the person is below: print it or pass it on. It works once, until "
    "{expires}. When someone opens it, I'll ask you to confirm it's them (check by phone or with probation) "
    "before they see anything.\nCode to type: <code>{code}</code>\n{link}"
)
RELEASE_CARD_CAPTION = "🪪 Release card #{id}: after release, scan it or type the code to connect. It works once."
RELEASE_NOT_COORDINATOR = "Only coordinators can make a request for someone else."
RELEASE_DRAFT_GONE = "This request was already sent or discarded. Send /release to start a new one."

# What each person sees of a request.
RELEASE_WHEN_AT = "{day} at {time}"
RELEASE_WHEN_MORNING = "{day}, morning (time not known yet)"
RELEASE_DETAIL_PRISON = "🏢 {prison}"
RELEASE_DETAIL_WHEN = "📅 {when}"
RELEASE_DETAIL_DESTINATION = "🏠 Home area: {destination}"
RELEASE_DETAIL_FELLOWSHIP = "🤝 Fellowship: {fellowship}"
RELEASE_DETAIL_GENDER = "🙋 Met by: {gender}"
RELEASE_DETAIL_NEEDS = "🧾 Needs: {needs}"
RELEASE_DETAIL_PROBATION = "📋 Probation: {probation}"
RELEASE_DETAIL_NOTES = "📝 Notes for the companion: {notes}"
RELEASE_DETAIL_PERSON_NOTE = "💬 Note for the person: {note}"
RELEASE_DETAIL_NOTE_FOR_YOU = "💬 A note for you from your coordinator: {note}"
RELEASE_DETAIL_CLAIMED = "🔗 <b>{name}</b> opened the card: is it them? Check before you confirm."
RELEASE_DETAIL_COMPANION = "👤 Companion: {companion}"
RELEASE_DETAIL_CONNECTED = "🔗 The person has connected to the bot."
RELEASE_DETAIL_NOT_CONNECTED = "🔗 The person hasn't connected yet (card not used)."
RELEASE_NO_COMPANION_YET = "being found"
RELEASE_YOURS = "<b>Your release-day request</b>\n\n{details}"
RELEASE_VIEW_FOR_COORDINATOR = "<b>Release #{id}</b> · {state}\n\n{details}"
RELEASE_VIEW_FOR_COMPANION = "<b>Release #{id}</b>\n\n{details}\n\nOn the day, tap to say how it's going:"
RELEASE_STATE_OPEN = "waiting for a companion"
RELEASE_STATE_ASSIGNED = "met by {companion}"
RELEASE_OUTCOMES = {
    "met": "met at the gate",
    "not_released": "not released",
    "not_found": "couldn't be found",
    "cancelled": "not needed any more",
    "withdrawn": "withdrawn",
    "not_recorded": "closed without an outcome",
}
RELEASE_MANAGE_BUTTONS = {
    "open": "📄 Open the request",
    "assign": "👤 Assign a companion",
    "date": "📅 Change the date",
    "time": "🕒 Change the time",
    "card": "🪪 New card",
    "close": "✖ Close the request",
}
RELEASE_LIST_HEADER = "<b>Release requests</b>"
RELEASE_LIST_EMPTY = "No release requests are open."
RELEASE_LIST_LINE = "#{id} · {when} · {prison} · {state}"
RELEASE_LIST_MORE = "…and {count} later ones."
RELEASE_COUNTS = "Closed and erased since {since}: {counts}."
RELEASE_NEW_BUTTON = "➕ New request for someone"
RELEASE_PICK_COMPANION = "Who should meet release #{id}? (⏸ = paused)"
RELEASE_NO_COMPANIONS = "There are no approved companions yet. People can apply with /companion."
RELEASE_CLOSE_ASK = "Close release #{id}? What happened?"
RELEASE_CLOSE_CHOICES = ("met", "not_released", "not_found", "cancelled")
RELEASE_CLOSED = "Closed ({outcome}). Its details will be erased on {date}; only an anonymous count is kept."
RELEASE_CANCEL_OWN_BUTTON = "✖ I don't need it any more"
RELEASE_NEW_CARD = (
    "🪪 A new card is below. The old card's link and code no longer work.\nCode to type: <code>{code}</code>\n{link}"
)
RELEASE_ASK_NEW_DATE = "📅 What's the new release date? Type it like {example}."
RELEASE_MOVED = "✅ Saved: now {when}. Everyone involved has been told."

# Offers to companions: area, date, time, fellowship and needs only.
RELEASE_OFFER = (
    "🚪 <b>Can you meet someone on release day?</b>\n"
    "📍 Near {area}, going home to {destination}\n"
    "📅 {when}\n"
    "🤝 {fellowship}\n"
    "🧾 Needs: {needs}\n\n"
    "You'll see the details if you say yes."
)
RELEASE_OFFER_CHANGED = "✏️ <b>The date or time of this release has changed.</b>"
RELEASE_ACCEPT_BUTTON = "✅ I can meet them"
RELEASE_DECLINE_BUTTON = "Not this time"
RELEASE_ACCEPTED = (
    "🙏 Thank you, {name}. It's yours:\n\n{details}\n\n"
    "You'll get a reminder the day before and on the morning, with buttons to say how it's going."
)
RELEASE_TAKEN = "Someone else has already said yes to this one. Thank you for offering. 💛"
RELEASE_TAKEN_NOTICE = "The release on {when} near {area} now has a companion. Thank you for being ready to help. 💛"
RELEASE_ALREADY_YOURS = "You've already said yes to this one. Thank you."
RELEASE_OFFER_GONE = "This request has been closed or withdrawn. Thank you for looking."
RELEASE_DECLINED = "Thanks for letting us know. Someone else will be asked."
RELEASE_ALREADY_ASSIGNED = "This release already has a companion."

# Coordinators hear of everything.
RELEASE_NEW_FOR_COORDINATOR = "🚪 <b>New release request #{id}</b>\n\n{details}\n\nOffered to {offered}."
RELEASE_NOBODY_COVERS = "⚠️ <b>Release #{id}</b> ({when}): no available companion covers the area. Please assign someone."
RELEASE_ACCEPTED_FOR_COORDINATOR = "✅ Release #{id}: <b>{companion}</b> will meet them, {when} ({prison})."
RELEASE_ACCEPTED_FOR_PERSON = "🤝 Good news: <b>{companion}</b> will meet you outside {prison}, {when}. They'll wait at the gate."
RELEASE_ALL_DECLINED = "⚠️ <b>Release #{id}</b> ({when}, {prison}): every companion asked has said no. Please assign someone."
RELEASE_ASSIGNED = "✅ {companion} is now meeting the release, {when}. They've been told."
RELEASE_ASSIGNED_FOR_COMPANION = "🚪 <b>A coordinator has asked you to meet a release.</b>\n\n{details}\n\nIf you can't, please tell them."
RELEASE_REASSIGNED_FOR_COMPANION = "A coordinator has asked someone else to meet the release on {when}. Thank you for being ready to help."
RELEASE_ESCALATION = (
    "⚠️ <b>No companion yet</b> for release #{id} ({when}, {prison}): it's {hours} hours away. "
    "Please assign someone."
)
RELEASE_UNASSIGNED_SOON = "⚠️ <b>Release #{id} is {day}</b> ({when}, {prison}) and nobody is meeting them yet. Please assign someone."
RELEASE_MOVED_FOR_COMPANION = "📅 <b>Change to the release you're meeting</b> ({prison}): now <b>{when}</b> (was {before})."
RELEASE_MOVED_FOR_PERSON = "📅 Your release is now down as <b>{when}</b>."
RELEASE_MOVED_FOR_COORDINATOR = "📅 Release #{id} ({prison}) is now <b>{when}</b> (was {before})."
RELEASE_CLOSED_FOR_COMPANION = "The release on {when} has been closed ({outcome}). Thank you for being there for it."
RELEASE_CLOSED_FOR_PERSON = "Your release-day request for {when} has been closed ({outcome})."
RELEASE_CLOSED_FOR_COORDINATOR = "Release #{id} ({when}) was closed: {outcome}."
RELEASE_CONNECTED_FOR_COMPANION = "🔗 The person you're meeting {when} has connected to the bot."
RELEASE_CONNECTED_FOR_COORDINATOR = "🔗 Release #{id}: the person has connected with their card."
RELEASE_WITHDRAWN_FOR_COMPANION = "The release on {when} that you were meeting has been withdrawn. Thank you for being ready to help."
RELEASE_WITHDRAWN_FOR_COORDINATOR = "Release #{id} ({when}) was withdrawn: the person erased their data."
RELEASE_COMPANION_LEFT = "⚠️ Release #{id} ({when}) has no companion any more: theirs has left the bot. Please assign someone."
RELEASE_COMPANION_LEFT_FOR_PERSON = "Your companion for {when} can't meet you any more. A coordinator is finding someone else."
RELEASE_COMPANION_UNREACHABLE = "⚠️ Release #{id} ({when}): I can't reach its companion on Telegram. Please check with them, or assign someone."

# Reminders.
RELEASE_DAY_BEFORE_COMPANION = (
    "🔔 <b>Tomorrow</b> you're meeting someone on release.\n\n{details}\n\n"
    "Get there a little early: releases often run late. Tomorrow, tap the buttons to say how it's going."
)
RELEASE_DAY_BEFORE_PERSON = "🔔 Tomorrow <b>{companion}</b> will meet you outside {prison}, {when}. Look for them at the gate."
RELEASE_MORNING_COMPANION = "🌅 <b>Today's release</b>\n\n{details}\n\nTap to say how it's going:"
RELEASE_MORNING_PERSON = "🌅 Today's the day. <b>{companion}</b> will be at the gate of {prison}, {when}. 💛"
RELEASE_DAY_WORDS = {"day_before": "tomorrow", "morning": "today"}

# On the day.
RELEASE_STATUS_BUTTONS = {
    "on_way": "🚶 On my way",
    "at_gate": "🚪 At the gate",
    "met": "🤝 Met",
    "delayed": "⏳ Delayed",
    "not_released": "⛔ Not released today",
    "not_found": "❓ Couldn't find them",
}
RELEASE_STATUS_WORDS = {
    "on_way": "on the way",
    "at_gate": "at the gate",
    "met": "met",
    "delayed": "delayed",
    "not_released": "not released today",
    "not_found": "couldn't find them",
    "meeting": "went to a meeting together",
}
RELEASE_STATUS_SAVED = "Saved: <b>{status}</b>. The coordinators can see it."
RELEASE_STATUS_MESSAGE = "🌅 <b>Today's release</b> · {status}\n\n{details}\n\nTap to say how it's going:"
RELEASE_STATUS_WAITING_FOR_TIME = "⏳ Delayed: I've asked for the new time below."
RELEASE_STATUS_TOO_EARLY = "These buttons are for the release day, {day}."
RELEASE_STATUS_CLOSED = "This release is closed, so there's nothing more to report. Thank you."
RELEASE_STATUS_FOR_COORDINATOR = "🚪 Release #{id} ({prison}): {companion} says <b>{status}</b>."
RELEASE_ALERT_FOR_COORDINATOR = "🚨 <b>Release #{id}: {status}.</b> {companion} reported it just now. Please follow up.\n\n{details}"
RELEASE_ALERT_SAVED = "Thank you. The coordinators have been told straight away. Take care of yourself too. 💛"
RELEASE_ON_WAY_FOR_PERSON = "🚶 {companion} is on the way to meet you."
RELEASE_AT_GATE_FOR_PERSON = "🚪 {companion} is at the gate now."
RELEASE_NOT_FOUND_FOR_PERSON = "{companion} couldn't find you at the gate. A coordinator has been told. If you're out, send a message here."
RELEASE_DELAY_ASK = "⏳ What's the new expected time? Type it, like 11:30."
RELEASE_MET = "🤝 Wonderful. Thank you, {name}."
RELEASE_MEETINGS_TODAY = "<b>Meetings later today near {place}</b> (every fellowship)\n\n{meetings}"
RELEASE_NO_MEETINGS_TODAY = "I couldn't find an in-person meeting later today near {place}. /meetings shows online ones too."
RELEASE_WENT_TOGETHER_BUTTON = "🤝 We went to a meeting together"
RELEASE_WENT_TOGETHER_SAVED = "✅ Recorded: you went to a meeting together. What a first day."
RELEASE_WENT_TOGETHER_NOT_YET = "That button works once you've met."

# After release: the card, and check-ins with the companion as a temporary supporter.
RELEASE_CARD_USED = "This card has already been used to connect. If that wasn't you, please ask a coordinator for a new card."
RELEASE_CARD_EXPIRED = "This card has expired. Please ask a coordinator for a new one."
RELEASE_CARD_REPLACED = (
    "This card has been replaced by a newer one, so it no longer works. Please use the new card, or ask a "
    "coordinator (your probation officer can reach them)."
)
RELEASE_CONNECTED = "✅ You're connected, {name}. A coordinator has confirmed it's you. 💛"
RELEASE_CLAIM_GREETING = (
    "👋 Hello, {name}, and welcome. Your card worked.\n\n"
    "To keep your details safe, a coordinator will check it's really you (they may phone you or ask your "
    "probation officer). Then your release details and who's meeting you will appear here.\n\n" + CRISIS_LINE
)
RELEASE_CLAIM_WAITING = "You've opened this card already. A coordinator will confirm it's you soon; then your details will appear here. 💛"
RELEASE_CLAIM_FOR_COORDINATOR = (
    "🔗 <b>Release #{id}: someone opened the card</b> and chose the name <b>{name}</b>. Is this the person? "
    "Check with them or their probation officer before you confirm: until then they see nothing about the release."
)
RELEASE_CLAIM_YES_BUTTON = "✅ Yes, it's them"
RELEASE_CLAIM_NO_BUTTON = "❌ Not them"
RELEASE_CLAIM_DECIDED = "This has already been answered, or the card was replaced."
RELEASE_CLAIM_CONFIRMED = "✅ {name} is connected to release #{id}. They can see it now (not the notes for the companion)."
RELEASE_CLAIM_REJECTED = (
    "❌ {name} is not connected to release #{id} and saw nothing about it. The card works again for the right "
    "person. If you think it was copied, make a new one:"
)
RELEASE_CLAIM_REJECTED_FOR_PERSON = (
    "A coordinator couldn't confirm that card is yours, so it isn't connected. If it is your card, please ask "
    "your probation officer to contact the coordinator.\n\n" + CRISIS_LINE
)
RELEASE_CLAIM_REJECTED_FOR_COORDINATOR = "Release #{id}: another coordinator said the person who opened the card was not them."
RELEASE_CODE_ASK = "🪪 Please type the code from your release card. It has 7 letters and numbers, like ABC2345."
RELEASE_CODE_WRONG = "I don't recognise that code. Please check it and type it again. ({left} tries left today.)"
RELEASE_CODE_LOCKED = (
    "That's too many tries for today, so I've stopped checking codes until tomorrow. Your probation officer can "
    "reach a coordinator.\n\n" + CRISIS_LINE
)
# How long check-ins come twice a day after release, in words (`aftercare.TWICE_DAILY_DAYS`
# decides; any other number of days is said as "<n> days").
RELEASE_TWICE_DAILY_PERIODS = {7: "a week", 14: "two weeks", 21: "three weeks", 28: "four weeks"}
RELEASE_AFTERCARE_ASK = (
    "🌱 Welcome, {name}. Would you like daily check-ins? For the first {period} I'll check in twice "
    "a day, morning and evening, then once a day. <b>{companion}</b> would be your supporter for now: "
    "they'd hear if you go quiet or ask for help. You can pause any time with /pause."
)
RELEASE_AFTERCARE_YES_BUTTON = "🌱 Yes please"
RELEASE_AFTERCARE_NO_BUTTON = "Not now"
RELEASE_AFTERCARE_ON = (
    "✅ You're set up: check-ins at {morning} and {evening} for {period}, then at {morning}.{supporter} "
    "Send /checkin any time, and /sos if you need help now."
)
RELEASE_AFTERCARE_NO = "That's fine. Send /checkin whenever you like, and /sos if you need help. 💛"
RELEASE_AFTERCARE_ANSWERED = "You've already answered this. Send /settings to change your check-ins."
RELEASE_AFTERCARE_FOR_COMPANION = (
    "🌱 {name} said yes to daily check-ins, with you as their supporter for now. When they have "
    "a sponsor, you can hand over."
)
RELEASE_HANDOVER_BUTTON = "🤝 Hand over to a sponsor"
RELEASE_HANDOVER_LINK = (
    "🤝 Send this link to {name}'s sponsor (or ask {name} to). It works once and expires in 72 hours. "
    "When the sponsor says yes, you'll step back as {name}'s supporter:\n{link}"
)
RELEASE_HANDOVER_DONE = "You've already handed over. Thank you for walking with them."
RELEASE_HANDED_OVER = "🤝 {name}'s sponsor has said yes, so you've stepped back as their supporter. Thank you for walking with them. 💛"

RELEASE_AFTERCARE_SUPPORTER = " {companion} is your supporter for now: they'll hear if you go quiet or ask for help."

# The printable card (drawn, so no HTML here). Only what is true when it is printed.
RELEASE_CARD_TITLE = "Release day"
RELEASE_CARD_DATE = "Release: {when}"
RELEASE_CARD_MATCHED = "{companion}, from the fellowships, plans to meet you at the gate."
RELEASE_CARD_UNMATCHED = "We're looking for someone from the fellowships to meet you. Connect to hear who."
RELEASE_CARD_HOW = "After release, open Telegram on any phone. Scan the square, or find @{bot} and send:"
RELEASE_CARD_CODE = "/start {code}"
RELEASE_CARD_ONCE = "Works once. A coordinator checks it's you before you see any details."
RELEASE_CARD_CONTACT = "Stuck? Ask your probation officer to contact coordinator {coordinator} about card #{id}."
RELEASE_CARD_HELP = "Emergency 999 · Samaritans 116 123 (free, 24/7)"


# --- Supporters and alerts (issue 6): invitations, alerts, relay --------------------------

ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th"}
SUPPORTERS_HEADER = "<b>Your supporters</b>"
SUPPORTERS_EXPLAIN = (
    "If you miss a check-in, they're alerted <b>{hours} hours</b> after it, one at a time in this order. "
    "If you ask for help with /sos, they're alerted at once."
)
SUPPORTERS_NONE = (
    "<b>Your supporters</b>\n"
    "You haven't added anyone yet. A supporter is someone you trust, like a sponsor, a friend or family, who "
    "gets an alert if you go quiet or ask for help, and can message you through the bot. They see whether "
    "you're checking in, and only what else you choose. Neither of you sees the other's Telegram account."
)
SUPPORTER_LINE = "{n}. <b>{name}</b> · sees {sees}"
SEES_CHECKINS = "check-ins"
SEES = {"mood": "mood", "slips": "slips"}
ADD_SUPPORTER_BUTTON = "➕ Add a supporter"
THRESHOLD_BUTTON = "⏰ Alert after {hours} hours"
SUPPORTERS_FULL = "You have {limit} supporters, the most you can have. To add someone else, end a link first."
SUPPORT_TOO_MANY_INVITES = (
    "You have {limit} invitation links that haven't been used yet. Please wait until one is used or expires (72 hours)."
)
SUPPORT_INVITE = (
    "Forward this link to the person you'd like as a supporter. It works once and expires in 72 hours. "
    "They'll see your name, {name}, and can say yes or no:\n{link}"
)
SUPPORT_INVITE_PROMPT = (
    "💛 <b>{name}</b> would like you to be one of their supporters.\n\n"
    "If {name} goes quiet or asks for help, you may get an alert and can reach out to them through the bot. "
    "You'll see whether {name} is checking in, and only what else they choose to share. Neither of you sees "
    "the other's Telegram account, and either of you can end this at any time.\n\nWill you be {name}'s supporter?"
)
SUPPORT_ACCEPT_BUTTON = "✅ Yes, I'll support {name}"
SUPPORT_DECLINE_BUTTON = "No, not now"
SUPPORT_OWN_LINK = "This is your own invitation link. Forward it to the person you'd like as a supporter."
SUPPORT_ALREADY = "You already support {name}. See /supporting."
SUPPORT_MEMBER_FULL = "{name} already has 5 supporters, so this link can't be used. You could let them know."
SUPPORTING_WELCOME = (
    "🎉 Thank you. You're now one of <b>{name}</b>'s supporters. If an alert comes, you can tap "
    "<b>I'll reach out</b> or <b>I can't right now</b>; it's OK to say you can't. See how {name} is with /supporting."
)
SUPPORT_DECLINED_DONE = "OK. You're not linked with {name}. They'll be told, kindly."
SUPPORTER_ACCEPTED = "🎉 <b>{name}</b> said yes: they're now your {place} supporter. See /supporters."
SUPPORTER_DECLINED = "{name} said no thanks to being a supporter this time. You can ask someone else in /supporters."
SUPPORTER_CARD = "<b>{name}</b> is your {place} supporter.\n\n{name} sees whether you're checking in{extra}."
SUPPORTER_CARD_EXTRA = ", and your {what}"
SUPPORTER_CARD_NOTHING_MORE = ", and nothing else"
SHARE_BUTTONS = {
    ("mood", True): "👁 Share my mood",
    ("mood", False): "🙈 Stop sharing my mood",
    ("slips", True): "👁 Share slips",
    ("slips", False): "🙈 Stop sharing slips",
}
MOVE_UP_BUTTON = "⬆️ Ask {name} sooner"
END_LINK_BUTTON = "✖ End link with {name}"
BACK_BUTTON = "◀ Back"
END_LINK_CONFIRM = "End your link with <b>{name}</b>? They'll be told. This can't be undone, but you can invite them again."
END_LINK_YES = "Yes, end it"
END_LINK_NO = "No, keep it"
LINK_ENDED_DONE = "Done. You're no longer linked with {name}."
SUPPORT_ENDED_BY_MEMBER = "{name} has ended your link as a supporter. Thank you for being there for them."
SUPPORT_ENDED_BY_SUPPORTER = "{name} is no longer one of your supporters."
SUPPORTERS_LEFT = "You have {count} left. See /supporters."
SUPPORTERS_NONE_LEFT = "You have no supporters now. You can add someone any time in /supporters."
THRESHOLD_ASK = (
    "⏰ If you miss a check-in, how long should I wait before alerting your supporters? Right now: "
    "<b>{hours} hours</b> after the check-in you missed."
)
THRESHOLD_CHOICE = "{hours} hours"
THRESHOLD_SET = "⏰ Got it: your supporters are alerted {hours} hours after a check-in you miss."

SUPPORTING_HEADER = "<b>People you support</b>"
SUPPORTING_NONE = (
    "You're not supporting anyone yet. When someone sends you a supporter link, open it and say yes."
)
STOP_SUPPORTING_BUTTON = "✖ Stop supporting {name}"
STATUS_CHECKED_IN_TODAY = "✅ Checked in today"
STATUS_LAST_CHECKIN = "Last check-in: {day}"
STATUS_NO_CHECKIN = "No check-in yet"
STATUS_PAUSED = "⏸ Check-ins paused until {day}"
STATUS_MOOD = "Mood: {face} {word}"
STATUS_CLEAN = "Clean and sober: {answer}"
STATUS_ALERT_OPEN = "🔔 An alert is open"
STATUS_REACHING_OUT = "🤝 {helper} is reaching out"

ALERT_HEADLINES = {
    "lapse": "🔔 <b>{name} has gone quiet.</b> They missed their check-in and haven't checked in since.",
    "sos": "🆘 <b>{name} asked for support {ago}.</b> If you think they're in danger, call 999.",
    "slip": "💛 <b>{name} had a slip</b> and wanted you to know. A kind word can mean a lot right now.",
    "low_mood": "💛 <b>{name} has felt very low three days in a row.</b>",
}
ALERT_RAISED = "This alert was raised {ago}."
ALERT_LAST_CHECKIN = "Last check-in: {day}."
ALERT_NO_CHECKIN_YET = "No check-in yet."
ALERT_FOR_COORDINATOR = "{name}'s supporters couldn't respond, so this comes to you as a coordinator."
ALERT_COORDINATOR_PRIVATE = (
    "🔔 <b>{name} may need support.</b> Their supporters couldn't respond to an alert, so this comes to you "
    "as a coordinator."
)
ALERT_ASK = "Could you reach out to {name}? If you can't right now, that's OK: tell me and I'll pass it on if anyone else can take it."
ALERT_ASK_COORDINATOR = "Could you reach out to {name}? Every coordinator on call has this; the first to answer takes it."
ALERT_REACH_OUT = "🤝 I'll reach out"
ALERT_CANT = "I can't right now"
ALERT_THANKS = "🤝 Thank you for reaching out to {name}. Everyone else alerted has been told. You can message {name} through the bot; they won't see your Telegram account."
ALERT_THANKS_ONLY_YOU = "🤝 Thank you for reaching out to {name}. You can message {name} through the bot; they won't see your Telegram account."
ALERT_PASSED_ON = "Thanks for letting me know. I've asked someone else. 💛"
ALERT_PASSED_TO = "Thanks for letting me know. I've asked {who} instead. 💛"
ALERT_PASSED_TO_NOBODY = (
    "Thanks for letting me know. There's nobody else I can ask: everyone has had this alert. I've told "
    "{name} and given them the helplines (Samaritans 116 123, or 999 in danger). 💛"
)
ALERT_OTHERS_HAVE_IT = "Thanks for letting me know. The other coordinators on call have it too, so one of them can answer. 💛"
ALERT_ALREADY_PASSED_ON = "Thanks. This alert has already gone to someone else."
ALERT_ALREADY_UNANSWERED = "Thanks. Nobody could answer this alert in time, so {name} was given the helplines."
ALERT_SOMEONE_REACHING_OUT = "🤝 <b>{helper}</b> is reaching out to {name}. Thank you."
ALERT_ALREADY_REACHING_OUT = "{helper} is already reaching out to {name}. Thank you."
ALERT_YOU_ARE_REACHING_OUT = "You've already said you'll reach out to {name}. Thank you."
ALERT_MEMBER_TOLD = "💛 {helper} is going to reach out to you."
ALERT_CHECKED_IN = "✅ {name} has checked in. Thank you for being there."
ALERT_ALREADY_CHECKED_IN = "{name} has checked in since, so this alert is closed."
ALERT_SUPPORTER_UNREACHABLE = (
    "I couldn't get a message to <b>{name}</b>: they may have blocked the bot or left Telegram. You might "
    "check in with {name}, or add someone in /supporters."
)
ALERT_NOBODY_REACHED = (
    "I couldn't reach anyone else just now. Please don't wait: call <b>Samaritans on 116 123</b> "
    "(free, 24/7), or <b>999</b> if you're in danger."
)
# What the member hears when an alert about them moves on: why, then who has it now.
ALERT_MEMBER_ABOUT = {
    "lapse": "About your missed check-in:",
    "sos": "About your call for support:",
    "slip": "About what you shared:",
    "low_mood": "About your last few days:",
}
ALERT_MEMBER_CANT = "{helper} can't respond right now."
ALERT_MEMBER_NO_ANSWER = "Nobody has answered yet."
ALERT_MEMBER_ASKED_NOW = "I've asked <b>{who}</b> now."
ALERT_COORDINATORS_NAMED = "the coordinators on call ({names})"
# The reply to /sos or the button: who knows (after the helplines).
SOS_TOLD = Plural("<b>{names}</b> has been told you asked for support.", "<b>{names}</b> have been told you asked for support.")
SOS_TOLD_COORDINATORS = "Your supporters couldn't answer, so the coordinators on call ({names}) have been told."
SOS_JUST_TOLD = "💛 {told}"
SOS_ALREADY_KNOW = "💛 Your supporters already know: {told}"
SOS_HELPER_COMING = "💛 <b>{helper}</b> is going to reach out to you."
SOS_NOBODY_REACHED = "I couldn't reach any of your supporters just now, so please call one of the numbers above."
SOS_NO_SUPPORTERS = "No one has been alerted: you haven't added any supporters yet. You can in /supporters."


# "Alex, Jo and Sam"; the second is for a last name starting with a vowel (Welsh "ac"), its
# placeholder named differently only so the two are separate msgids.
NAMES_AND = "{first} and {last}"
NAMES_AND_VOWEL = "{others} and {last}"


def names_list(names: list[str]) -> str:
    """`Alex`, `Alex and Jo`, `Alex, Jo and Sam` (already escaped names)."""
    if len(names) == 1:
        return names[0]
    last = names[-1]
    vowel = last[:1].lower() in "aeiouwyâêîôûŵŷ"
    both = _i18n.gettext(NAMES_AND_VOWEL if vowel else NAMES_AND)
    first = ", ".join(names[:-1])
    return both.format(first=first, others=first, last=last)


JUST_NOW = "just now"
AGO = {
    "minute": Plural("{count} minute ago", "{count} minutes ago"),
    "hour": Plural("{count} hour ago", "{count} hours ago"),
    "day": Plural("{count} day ago", "{count} days ago"),
}


def ago(seconds: float) -> str:
    """`just now`, `43 minutes ago`, `5 hours ago`, `2 days ago`."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return _i18n.gettext(JUST_NOW)
    if minutes < 120:
        return AGO["minute"].format(count=minutes)
    if minutes < 48 * 60:
        return AGO["hour"].format(count=minutes // 60)
    return AGO["day"].format(count=minutes // (24 * 60))
ON_CALL_BUTTON = "🔔 On call · tap to go off call"
OFF_CALL_BUTTON = "🔕 Off call · tap to go on call"
ON_CALL_SET = "🔔 You're on call: on your on-call days (🗓 in /coordinators), alerts that every supporter has passed on will come to you."
OFF_CALL_SET = "🔕 You're off call. (If no coordinator is on call, alerts still come to every coordinator.)"

RELAY_MESSAGE_BUTTON = "💬 Message {name}"
RELAY_ASK = (
    "✍️ Type your message to <b>{name}</b> and send it. I'll pass it on; {name} won't see your Telegram "
    "account. Only text is passed on."
)
RELAY_CANCEL = "Cancel"
RELAY_CANCELLED = "Nothing was sent."
RELAY_SENT = "✅ Sent to {name}. It isn't kept once delivered. For the next day, anything you type goes to {name} too."
RELAY_SENT_PLAIN = "✅ Sent to {name}."
RELAY_AGAIN = "✍️ Write again"
RELAY_FROM_SUPPORTER = "💬 <b>{name}</b>, your supporter, wrote to you through the bot:"
RELAY_FROM_COORDINATOR = "💬 <b>{name}</b>, a coordinator, wrote to you through the bot:"
RELAY_FROM_MEMBER = "💬 <b>{name}</b> wrote back through the bot:"
RELAY_REPLY = "↩️ Reply"
RELAY_STOP = "🛑 Stop messages"
RELAY_EMPTY = "That message is empty. Please type a few words, or tap Cancel."
RELAY_TOO_LONG = "That's a bit long to pass on. Please keep it under {limit} characters."
RELAY_TEXT_ONLY = (
    "I can only pass on typed text, so that wasn't sent (it keeps you both private). Please type your "
    "message, or tap Cancel."
)
RELAY_EXPIRED = "Your message wasn't sent: it's been a while since you tapped Message. Tap it again to send it."
RELAY_NOT_LINKED = "You can only message people you support, or who support you."
RELAY_ENDED = "This conversation has ended, so nothing can be sent."
RELAY_STOPPED = "Messages with {name} are stopped."
RELAY_STOPPED_BY_OTHER = "{name} has stopped messages through the bot for now."
RELAY_STOPPED_DONE = "🛑 Stopped. No more messages with {name} through the bot unless you start them again."
RELAY_STOPPED_NOTICE = "{name} has stopped messages through the bot for now."
RELAY_UNDELIVERED = "Your message to {name} couldn't be delivered: they may have blocked the bot. It wasn't kept."
RELAY_EXPORT_NOTE = "Messages passed through the bot are not kept once delivered; only who you've written with."

# --- The coordinator's view (/coordinators), the on-call rota and the audit trail (issue 16) ---
DESK_NOW = "<b>Needs a coordinator now</b>"
DESK_NOTHING_NOW = "Nothing needs a coordinator right now. 💛"
DESK_COUNTS = {
    "al": "🔔 Alerts waiting for a coordinator: <b>{count}</b>",
    "rq": "🚪 Releases without a companion: <b>{count}</b>",
    "ap": "📝 Applications waiting: <b>{count}</b>",
    "un": "📵 Can't be reached (had supporters): <b>{count}</b>",
}
DESK_SECTION_BUTTONS = {
    "al": "🔔 Alerts ({count})",
    "rq": "🚪 Releases ({count})",
    "ap": "📝 Applications ({count})",
    "un": "📵 Can't be reached ({count})",
}
DESK_SECTION_TITLES = {
    "al": "🔔 <b>Alerts waiting for a coordinator</b>",
    "rq": "🚪 <b>Releases without a companion</b> (soonest first)",
    "ap": "📝 <b>Applications waiting</b>",
    "un": "📵 <b>People who can't be reached</b> (they blocked the bot or their chat is gone; they had supporters)",
}
DESK_SECTION_EMPTY = "Nothing here now. 💛"
DESK_PAGE = "Page {page} of {pages}"
DESK_PREVIOUS = "◀ Previous"
DESK_NEXT = "Next ▶"
DESK_BACK = "◀ Back to the overview"
DESK_ON_CALL_WEEK = "<b>On call this week</b>"
DESK_ON_CALL_DAY = "{day}: {names}"
DESK_ON_CALL_NOBODY = "nobody (alerts go to every coordinator)"
DESK_SOME_NAMES = "{names} and {count} more"
DESK_MORE_PEOPLE = "…and {count} more"
DESK_ALERT_LINE = "{icon} <b>{name}</b> {what} · {ago} · {state}"
DESK_ALERT_ICONS = {"lapse": "🔕", "sos": "🆘", "slip": "💛", "low_mood": "💛"}
DESK_ALERT_WHAT = {"lapse": "has gone quiet", "sos": "asked for support", "slip": "may need support",
                   "low_mood": "may need support"}
DESK_ALERT_WAITING = "waiting for {names}"
DESK_ALERT_UNANSWERED = "nobody answered"
DESK_ALERT_NOT_YOURS = "(You weren't alerted, so the buttons are with {names}.)"
DESK_REACH_OUT_BUTTON = "🤝 I'll reach out to {name}"
DESK_RELEASE_LINE = "#{id} · {when} · {prison} · {area}"
DESK_ASSIGN_BUTTON = "👤 Assign #{id}"
DESK_OPEN_BUTTON = "📄 Open #{id}"
DESK_APPLICATION_OF = "Application {number} of {count}:"
DESK_UNREACHABLE_LINE = "<b>{name}</b> · since {since} · supporters: {supporters}"
DESK_UNREACHABLE_HINT = "Their alerts can't reach them. Their supporters may know how they are."
DESK_NO_SUPPORTERS_NOW = "none now"
ROTA_BUTTON = "🗓 My on-call days"
ROTA_ASK = (
    "🗓 <b>Your on-call days</b>\nOn these days (UK time), alerts that every supporter has passed on come to you "
    "(while you're on call). If nobody is on call on a day, they go to every coordinator. Tap a day to change it."
)
ROTA_DAY_ON = "✅ {day}"
ROTA_DAY_OFF = "▫️ {day}"
ROTA_SAVED = "Saved."
TRAIL_BUTTON = "🧾 Who viewed or changed this"
TRAIL_HEADER = "🧾 <b>Who viewed or changed {what}</b> (UK time, newest first; kept {days} days)"
TRAIL_OF = {"r": "release #{id}", "a": "this alert"}
TRAIL_LINE = "{at} · {who} ({role}) · {action}"
TRAIL_MORE = "…and {count} earlier."
TRAIL_EMPTY = "Nobody has viewed or changed it yet (apart from this)."
TRAIL_FORMER_LINE = "{at} · a former {role} · {action}"
TRAIL_GONE = "That record no longer exists: it was erased or closed long ago."
TRAIL_ROLES = {"coordinator": "coordinator", "companion": "companion"}
TRAIL_ACTIONS = {
    "viewed": "opened the details", "viewed_trail": "looked at this list", "listed": "saw it in the coordinator's view",
    "reaching_out": "said they'd reach out", "cant": "couldn't right now", "submitted": "sent the request",
    "accepted": "said yes to meeting them", "assigned": "assigned a companion", "moved": "moved the date or time",
    "new_card": "made a new card", "connected": "confirmed who opened the card",
    "card_rejected": "said who opened the card wasn't them", "closed": "closed it", "handover": "handed over to a sponsor",
    "escalated": "was asked to assign", **{k: f"reported: {v}" for k, v in RELEASE_STATUS_WORDS.items()},
}

# --- Languages (issue 17) -------------------------------------------------------------------

# The toast after choosing a language (in the language chosen).
LANGUAGE_SET = "Language: English. Send /settings to change it."

# Buttons and short replies that used to live in the handlers.
AGREE_BUTTON = "✅ I agree"
NOT_NOW_BUTTON = "Not now"
CLEAN_DATE_TODAY_BUTTON = "Today"
CLEAN_DATE_SKIP_BUTTON = "No date / skip"
PURPOSES = {
    "recovery": "I'm in recovery",
    "prison": "I'm leaving prison soon",
    "support": "I support someone",
    "meeting": "I run a meeting",
    "companion": "I volunteer as a companion",
}
SETTINGS_BUTTONS = {
    "name": "Name",
    "timezone": "Time zone",
    "checkin_time": "Check-in time",
    "clean_date": "Clean date",
    "purpose": "What brings you here",
}
SETTINGS_ASK_ROLE_BUTTON = "Ask to be a {role}"
CLEAN_DATE_REMOVE_ASK = "Or remove your clean date:"
CLEAN_DATE_REMOVE_BUTTON = "Remove it"
FORGET_YES_BUTTON = "Yes, erase everything"
FORGET_NO_BUTTON = "No, keep it"
COORDINATOR_ADD_BUTTON = "➕ Add a coordinator"
COORDINATOR_REQUESTS_BUTTON = "📝 Requests waiting ({waiting})"
ACCEPT_BUTTON = "✅ Accept"
NO_THANKS_BUTTON = "No thanks"
APPROVE_BUTTON = "✅ Approve"
DECLINE_BUTTON = "❌ Decline"
MEDIA_NAMES = {
    "sticker": "stickers",
    "photo": "photos",
    "voice": "voice messages",
    "video": "videos",
    "video_note": "video messages",
    "audio": "audio",
    "animation": "GIFs",
    "document": "files",
    "contact": "contacts",
    "poll": "polls",
    "dice": "dice",
    "other": "that",
}

# Meeting times and distances.
WHEN_TODAY_CLOCK = "today {clock}"
WHEN_TOMORROW_CLOCK = "tomorrow {clock}"
WHEN_DAY_CLOCK = "{day} {clock}"
DAYS_EVERY_DAY = "every day"
DAYS_WEEKDAYS = "weekdays"
DAYS_WEEKENDS = "weekends"
DAYS_ONE = "{day}s"
DISTANCE_M = " — {m} m"
DISTANCE_KM = " — {km} km"
NEVER = "never"
# Typed answers that can't be used (bot/services/validation.py).
PSEUDONYM_EMPTY = "Please send a first name or nickname."
PSEUDONYM_TOO_LONG = "That's a bit long. Please use {max} characters or fewer."
PSEUDONYM_NOT_A_NAME = "Please use just a name, without links, @ or /."
PSEUDONYM_NO_LETTER = "Please use a name with at least one letter."
TIME_UNREADABLE = "I couldn't read that time. Try something like 9:00, 9am or 21:30."
TIME_AM_PM = "With am or pm, the hour should be 1 to 12. Try 9am or 21:30."
TIME_IMPOSSIBLE = "That time doesn't exist. Hours go 0–23 and minutes 0–59, like 21:30."
DATE_UNREADABLE = "I couldn't read that date. Please write it like 14/02/2024."
CLEAN_DATE_FUTURE = "That date is in the future. Please send the day your clean time started."
CLEAN_DATE_TOO_OLD = "That date looks too long ago. Please check the year."
MOOD_CHART_TITLE = "Mood, last 30 days"
# A role request's status, named in a sentence.
REQUEST_STATUSES = {"pending": "waiting", "approved": "approved", "declined": "declined"}
# Helplines (bot/data/helplines_uk.csv) by id: their names and text-message instructions.
HELPLINE_NAMES = {
    "samaritans": "Samaritans",
    "shout": "Shout 85258",
    "nhs_111": "NHS 111 (mental health option)",
    "emergency_999": "Emergency services",
    "frank": "FRANK",
    "aa_gb": "Alcoholics Anonymous National Helpline",
    "na_uk": "Narcotics Anonymous UK Helpline",
    "ca_uk": "Cocaine Anonymous UK",
    "gambling_helpline": "National Gambling Helpline",
    "prisoners_families": "Prisoners' Families Helpline",
}
HELPLINE_SMS = {"shout": "Text SHOUT to 85258", "frank": "Text 82111"}
SOS_OR = "{first}, or {second}"


_i18n.make_translatable(__name__)

# --- Outcome reports and the monthly wellbeing check (issue 16) ---------------------------

REPORT_TITLE = "Outcome report: anonymous figures"
REPORT_PERIOD = "Period: {start} to {end} · Made on {made}"
REPORT_EMPTY = (
    "No activity was recorded in this period: nobody joined, checked in, raised an alert or "
    "was released. There are no figures or charts to show."
)
REPORT_HEADLINES = "Headline figures"
REPORT_DEFINITIONS_TITLE = "Definitions"
REPORT_DEFINITIONS = (
    "Joined: agreed to use the bot in the period. A check-in: any answer to the daily check-in "
    "that day. Still checking in at N days: a check-in on day N to N+6 after joining (or after "
    "release), counted only for people whose day N+6 falls in the period. Clean at N days (self-"
    "reported): checked in on day N to N+6 and reported no slip from joining until then. Alerts: "
    "went quiet, asked for help, shared a slip, three very low days; time to acknowledge is "
    "from the alert to the first \"I'll reach out\". Meetings: \"I went\" and check-in meeting "
    "ticks, one per person per day. Wellbeing: the Brief Assessment of Recovery Capital "
    "(BARC-10, total 10-60), optional, at most once a month; change is latest minus first "
    "score in the period, by month joined. Weeks start on the period's first day. Days are UTC dates "
    "(check-ins: the member's own date)."
)
REPORT_NOTES_TITLE = "Notes"
REPORT_NOTES = (
    "Abstinence figures are self-reports from people's own check-ins and clean-date resets; "
    "they are not tested or verified. People who stop checking in are not counted as clean. "
    "No claim about reoffending is made from these figures: that needs the Ministry of "
    "Justice's Justice Data Lab, which compares cohorts of at least 60 people with matched "
    "comparison groups. Release requests are erased 30 days after they close; for those only a "
    "count per month closed and outcome remains, shown separately. Whether someone who left "
    "prison reoffended, was recalled or found housing is not recorded by the bot. The report "
    "holds no names, pseudonyms, Telegram ids, notes, prisons of individuals or free text."
)
REPORT_SUPPRESSION_TITLE = "Small numbers"

REPORT_CHOOSE = "📊 <b>Outcome report</b>\nWhich period? You'll get a PDF summary and a ZIP of tables (CSV) and charts. Only anonymous totals, small numbers hidden."
REPORT_LAST_MONTH = "Last month"
REPORT_LAST_MONTHS = "Last {months} months"
REPORT_MAKING = "⏳ Making the report for {start} to {end}…"
REPORT_CAPTION_PDF = "Outcome report, {start} to {end} (anonymous totals)."
REPORT_CAPTION_ZIP = "Tables (CSV) and charts (PNG) for {start} to {end}."
REPORT_COORDINATORS_ONLY = "Sorry, reports are for coordinators."
REPORT_FAILED = "Sorry, the report couldn't be made just now. Please try again in a few minutes."
REPORT_BUTTON = "📊 Outcome report"
REPORT_BAD_DATE = "{value} isn't a date I can read. Please write it as YYYY-MM-DD, e.g. 2026-01-31."
REPORT_REVERSED = "The period ends before it starts. Please give the earlier date first."
REPORT_FUTURE = "The period can't end after today ({today}): there is nothing to count yet."
REPORT_TOO_LONG = "A report covers at most {years} years. Please choose a shorter period."

WELLBEING_OFFER = (
    "🌱 <b>Monthly wellbeing check</b> (optional)\n"
    "Ten short statements about your life and recovery, answered with buttons. About two minutes. "
    "It helps show what support does; only totals for everyone are ever shared, never yours."
)
WELLBEING_START = "✅ Start"
WELLBEING_NOT_NOW = "Not this month"
WELLBEING_STOP = "🔕 Don't ask me again"
WELLBEING_STATEMENT = "<b>{number} of {count}</b>\n{statement}\n\nHow much do you agree?"
WELLBEING_SCALE = ("Strongly disagree", "Disagree", "Somewhat disagree", "Somewhat agree", "Agree", "Strongly agree")
WELLBEING_DONE = "🙏 Thank you. Your score is {total} out of 60. I'll ask again next month; /wellbeing any time."
WELLBEING_SKIPPED = "No problem. I'll ask again next month. /wellbeing whenever you like."
WELLBEING_STOPPED = "Okay, I won't ask again. You can still send /wellbeing whenever you like."
WELLBEING_ALREADY = "You've done this month's wellbeing check, thank you. The next one is in {month}."
WELLBEING_UNAVAILABLE = "The wellbeing check isn't available yet."
WELLBEING_EXPORT_NOTE = "Your monthly wellbeing checks (BARC-10): the month and your answers (1-6 each)."

# The report's tables, rows and charts (CSV titles and row labels, chart words, the PDF's
# headlines). CSV column names are machine identifiers and stay in English.
REPORT_TABLE_TITLES = {
    "engagement": "Engagement",
    "active_per_week": "Active people per week",
    "checkin_share": "Share of days with a check-in (people who checked in)",
    "still_checking_in": "Still checking in after joining",
    "self_reported_clean": "Self-reported: clean after joining (from their own check-ins)",
    "slips_and_milestones": "Self-reported slips and clean-time milestones",
    "alerts": "Alerts to supporters and coordinators",
    "release_by_month": "Release day, by month of release",
    "release_closed_and_erased": "Release requests closed and erased, by month closed and outcome",
    "wellbeing_by_cohort": "Monthly wellbeing check (BARC-10, 10–60), by month joined",
}
REPORT_ROWS = {
    "joined": "People who joined",
    "checked_in": "People who checked in at least once",
    "median_share": "Median share of days with a check-in (%)",
    "meetings": "Meetings attended (recorded)",
    "meeting_people": "People who recorded a meeting",
    "all_checked_in": "All who checked in",
    "answered_clean": "Check-ins answering 'clean today?' (yes or slip)",
    "slips": "Slips reported",
    "slip_people": "People who reported a slip",
    "restarted": "Clean dates restarted after a slip",
    "lapse": "Went quiet (lapse)",
    "sos": "Asked for help (SOS)",
    "slip": "Shared a slip",
    "low_mood": "Three very low days",
    "all_alerts": "All alerts",
    "all_months": "All months",
}
REPORT_ROW_NINETY = "People with {meetings} meetings in the last 90 days of the period"
REPORT_ROW_MILESTONE = "Milestone reached: {key}"
REPORT_CLOSED_OUTCOMES = {
    "met": "met",
    "not_released": "not released",
    "not_found": "not found",
    "cancelled": "cancelled",
    "not_recorded": "not recorded",
}
REPORT_CHART_TITLES = {
    "chart_active_per_week": "People checking in, per week (week starting)",
    "chart_checkin_share": "Share of days with a check-in (people)",
    "chart_follow_up": "After joining: followed, still checking in, reporting clean (self-reported)",
    "chart_alerts": "Alerts raised and acknowledged, by kind",
    "chart_release_by_month": "Release day, by month of release",
}
REPORT_SERIES = {
    "people": "people",
    "followed": "followed",
    "still": "still checking in",
    "clean": "reporting clean (self-report)",
    "raised": "raised",
    "acknowledged": "acknowledged",
    "never": "never acknowledged",
    "requests": "requests",
    "matched": "matched",
    "met": "met at the gate",
}
REPORT_CHART_DAYS = Plural("{count} day", "{count} days")
REPORT_CHART_HIDDEN = "* hidden (small number)"
REPORT_CONTINUED = "{title} (continued)"
REPORT_HEADLINE_STILL = "Still checking in {days} days after joining: {still} of {followed} ({percent})"
REPORT_HEADLINE_CLEAN = "Self-reported clean {days} days after joining: {clean} of {followed} ({percent})"
REPORT_HEADLINE_ALERTS = (
    "Alerts raised: {raised}; never acknowledged: {never} ({percent}); "
    "median minutes to acknowledge: {median}, 90th percentile: {p90}"
)
REPORT_HEADLINE_RELEASE = "Release requests: {requests}; matched: {matched}; met at the gate: {met}; enrolled in check-ins: {enrolled}"
REPORT_HEADLINE_WELLBEING = "Wellbeing (BARC-10) median change by month joined: {cohorts}"
REPORT_SUPPRESSION_RULE = (
    "Counts from 1 to {threshold} are shown as *; other counts are rounded to the nearest 5 "
    "(so rows may not add up to their totals). Where a hidden count could be worked out from "
    "a total, another count is hidden too. Percentages are shown only for groups of 10 or "
    "more, medians and 90th percentiles likewise; – means the group was too small."
)
WELLBEING_ENGLISH_NOTE = "(The statements are in English: the questionnaire has only been tested in English.)"
