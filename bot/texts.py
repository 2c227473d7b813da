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
        ("checkin", "Check in for today"),
        ("progress", "Clean time, streak, meetings and mood chart"),
        ("sos", "Help numbers, right now"),
        ("pause", "Pause daily check-ins (holiday, hospital)"),
        ("resume", "Start daily check-ins again"),
        ("reminder", "A gentle reminder if you haven't checked in"),
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
    ("checkin", "Check in for today"),
    ("progress", "Your clean time and progress"),
    ("sos", "I need support now"),
    ("pause", "Pause or resume check-ins"),
    ("settings", "Your name, time zone and times"),
    ("privacy", "What we keep"),
    ("mydata", "Get a copy of your data"),
    ("forget", "Erase everything about you"),
]


# --- Check-ins (issue 5): daily check-in, progress, pause, reminders, crisis help ---------


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def day_label(day: object) -> str:
    """`Tue 24 Nov`: short enough for a button-sized line on a small phone."""
    return f"{day:%a} {day.day} {day:%b}"  # type: ignore[attr-defined]


def long_date(day: object) -> str:
    return f"{day.day} {day:%b %Y}"  # type: ignore[attr-defined]


MOOD_FACES = {1: "😢", 2: "😟", 3: "😐", 4: "🙂", 5: "😊"}
MOOD_WORDS = {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "great"}
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
MEETINGS_YOUR_LOCATION = "you"
MEETINGS_PLACE_CHOICES = "There's more than one “{text}”. Which one?"
MEETINGS_PLACE_SUGGEST = "I don't know “{text}”. Did you mean one of these? Or type another postcode or town."
MEETINGS_PLACE_UNKNOWN = "I couldn't find “{text}”. Try a postcode district like LS6, a full postcode like SW1A 1AA, or a nearby town."
MEETINGS_POSTCODE_SUGGEST = "I don't know the postcode “{text}”. Did you mean one of these? Or type it again."
MEETINGS_BAD_LOCATION = "That location can't be right (latitude goes from -90 to 90, longitude from -180 to 180). Please share it again, or type a postcode."
MEETINGS_NEAR_HEADER = "<b>Meetings near {place}</b>"
MEETINGS_ONLINE_HEADER = "<b>💻 Online meetings</b> (times in {zone})"
MEETINGS_FILTERED = "Showing: {filters}"
MEETINGS_PAGE_FOOTER = "Tap a number for the map, a reminder, Follow or I went."
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
MEETING_CARD_TYPES = "🏷 {types}"
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
MEETING_WENT_NOT_YET = "This meeting hasn't started yet. Tap again once you're there."
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
