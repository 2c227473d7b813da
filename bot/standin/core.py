"""In-memory imitation of Telegram's Bot API server: simulated users, chats and the bot's calls.

No HTTP here. :class:`BotApiStandin` answers ``handle(method, params)`` exactly as Telegram
would (status code and JSON body), keeps every call for assertions, and lets tests act as
users (``send_text``, ``press_button``, ``block``...) which produces Telegram-shaped updates
for ``getUpdates``. The same object serves three front ends: the HTTP server the real
``fellowship run`` process polls, the in-process PTB request used by application tests, and
the browser sandbox that renders simulated chats (via :meth:`transcript` and
:meth:`subscribe`).

Faithfulness matters more than convenience: the bot may only write to users who wrote first,
editing without ``reply_markup`` drops the inline keyboard, an identical edit is refused,
a callback query can be answered once, and a user who blocked the bot gives 403. Where the
stand-in is stricter than Telegram (unknown fields), it says so in :attr:`violations`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import math
import mimetypes
import re
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from bot.standin.spec import ApiSpec, EntityParseError, ParsedText, parse_formatted_text, utf16_len

Response = tuple[int, dict[str, Any]]
FileUpload = tuple[str, bytes, str]  # (file name, content, MIME type), as PTB's multipart tuples
FaultHook = Callable[[str, dict[str, Any]], Response | None]
# Seconds to hold an HTTP call and then drop it unprocessed (a timeout), or None.
StallHook = Callable[[str, dict[str, Any]], float | None]
Handler = Callable[[dict[str, Any], dict[str, FileUpload]], Any]

NOT_FOUND: dict[str, Any] = {"ok": False, "error_code": 404, "description": "Not Found"}
UNAUTHORIZED: dict[str, Any] = {"ok": False, "error_code": 401, "description": "Unauthorized"}
DEFAULT_BOT_ID = 7000000001
MEDIA_KINDS = frozenset({"photo", "document", "voice", "sticker"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Telegram's default when allowed_updates was never given: everything except these.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_DELETE_WINDOW_SECONDS = 48 * 3600
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
_WEBHOOK_CONFLICT = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """Raised by a method handler to answer the way Telegram answers a failed call."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def response(self) -> Response:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return self.status, body


class SpecViolation(ApiError):
    """A 400 that is the bot's fault by the letter of the spec; also lands in ``violations``."""

    def __init__(self, problem: str) -> None:
        super().__init__(400, f"Bad Request: {problem}")
        self.problem = problem


class UnknownUserError(LookupError):
    """A simulator action named a user the stand-in has never heard of."""


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def error_body(status: int, description: str, retry_after: int | None = None) -> Response:
    """A Telegram-shaped error answer, for fault hooks."""
    return ApiError(status, description, {"retry_after": retry_after} if retry_after else None).response()


# --------------------------------------------------------------------------- records


@dataclass
class SimUser:
    """A simulated Telegram user; their private chat with the bot has the same id."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str = "en"
    last_name: str | None = None
    blocked: bool = False
    started: bool = False  # has written to the bot, so the bot may write back

    def to_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        user.update(_present(last_name=self.last_name, username=self.username))
        user["language_code"] = self.language_code
        return user

    def to_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        chat.update(_present(last_name=self.last_name, username=self.username))
        return chat

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class StoredFile:
    """A file the bot uploaded or a user sent; downloadable through getFile."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    source_url: str | None = None  # when the bot sent a URL instead of bytes

    def to_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class ChatMessage:
    """A message in a private chat, in either direction, kept current through edits."""

    chat_id: int
    message_id: int
    kind: str  # text, location, venue, photo, document, sticker, voice
    date: int
    text: str | None = None  # what the user sees: the text or the caption, markup parsed away
    entities: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, Any] = field(default_factory=dict)  # Telegram-shaped: {"location": {...}} etc.
    file: StoredFile | None = None
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    reply_to_message_id: int | None = None

    @property
    def caption(self) -> str | None:
        return self.text if self.kind != "text" else None

    @property
    def payload(self) -> dict[str, Any]:
        """The non-text content (location, venue, photo sizes, document...)."""
        return self.media

    def content(self) -> dict[str, Any]:
        """The kind-specific part of the Message object."""
        if self.kind == "text":
            return {"text": self.text or "", **_present(entities=self.entities or None)}
        out = dict(self.media)
        if self.text:
            out["caption"] = self.text
            out.update(_present(caption_entities=self.entities or None))
        return out


@dataclass
class SentMessage(ChatMessage):
    """A message the bot sent, with what it asked for (``source``, ``parse_mode``, ``params``)."""

    source: str | None = None  # text or caption exactly as the bot sent it
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)  # the latest send/edit parameters

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons, row by row, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def button(self, *, label: str | None = None, callback_data: str | None = None) -> dict[str, Any] | None:
        for button in self.buttons:
            if label is not None and button.get("text") != label:
                continue
            if callback_data is not None and button.get("callback_data") != callback_data:
                continue
            return button
        return None


@dataclass
class UserMessage(ChatMessage):
    """A message a simulated user sent to the bot."""


@dataclass
class CallbackPress:
    """A press on an inline button; ``forged`` when no such button was on the message."""

    id: str
    user_id: int
    message_id: int
    data: str
    date: int
    label: str | None
    forged: bool
    answered: bool = False
    answer: dict[str, Any] | None = None


@dataclass(frozen=True)
class TranscriptEntry:
    """One line of a chat as a client would render it, snapshotted when asked for."""

    direction: str  # "in": user to bot, "out": bot to user
    kind: str  # a message kind, or "callback_query" for a button press
    message_id: int
    date: int
    text: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False
    edits: int = 0
    callback_data: str | None = None
    answer: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RecordedCall:
    """One Bot API call as the stand-in received and answered it."""

    method: str
    params: dict[str, Any]
    status: int
    ok: bool
    description: str | None
    files: tuple[str, ...]
    at: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Violation:
    """A call that broke the published Bot API contract."""

    method: str
    problem: str
    params: dict[str, Any]

    def __str__(self) -> str:
        return self.problem if self.problem.startswith(self.method) else f"{self.method}: {self.problem}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class _Chat:
    """Per-user state: one message-id sequence shared by both directions, as in Telegram."""

    user: SimUser
    next_message_id: int = 1
    log: list[ChatMessage | CallbackPress] = field(default_factory=list)
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None
    chat_action: str | None = None

    def allocate_id(self) -> int:
        self.next_message_id += 1
        return self.next_message_id - 1

    def add(self, message: ChatMessage) -> None:
        self.messages[message.message_id] = message
        self.log.append(message)

    def live(self, message_id: int) -> ChatMessage | None:
        message = self.messages.get(message_id)
        return message if message is not None and not message.deleted else None


@dataclass
class _Call:
    """A call between parsing and answering."""

    method: str
    params: dict[str, Any]
    files: dict[str, FileUpload]
    response: Response | None = None


class _Subscriber(NamedTuple):
    queue: asyncio.Queue[dict[str, Any]]
    loop: asyncio.AbstractEventLoop
    thread: int
    kinds: frozenset[str] | None  # None: every kind


@dataclass
class _ScriptedFault:
    method: str | None  # lower-case name, or None for any method
    response: Response
    remaining: int


# --------------------------------------------------------------------------- rate limits


class RateLimits:
    """Telegram's documented flood limits, simplified.

    Per chat: a token bucket of ``per_chat_burst`` messages refilled at ``per_chat_per_second``
    (about one message a second on average, with the short bursts Telegram tolerates).
    Overall: at most ``global_per_second`` messages in any sliding one-second window.
    """

    def __init__(
        self,
        *,
        per_chat_per_second: float = 1.0,
        per_chat_burst: int = 3,
        global_per_second: int = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = per_chat_burst
        self.global_per_second = global_per_second
        self.clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._recent: deque[float] = deque()

    def acquire(self, chat_id: int) -> int | None:
        """Count one message to ``chat_id``; return ``retry_after`` seconds instead if over a limit."""
        now = self.clock()
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        tokens = self._tokens(chat_id, now)
        waits = []
        if tokens < 1.0:
            waits.append((1.0 - tokens) / self.per_chat_per_second)
        if len(self._recent) >= self.global_per_second:
            waits.append(self._recent[0] + 1.0 - now)
        if waits:
            return max(1, math.ceil(max(waits)))
        self._buckets[chat_id] = (tokens - 1.0, now)
        self._recent.append(now)
        return None

    def _tokens(self, chat_id: int, now: float) -> float:
        tokens, at = self._buckets.get(chat_id, (float(self.per_chat_burst), now))
        return min(float(self.per_chat_burst), tokens + (now - at) * self.per_chat_per_second)


# --------------------------------------------------------------------------- helpers


def _present(**values: Any) -> dict[str, Any]:
    """Only the keys whose value is not None: Telegram omits absent optional fields."""
    return {key: value for key, value in values.items() if value is not None}


def _command_entities(text: str) -> list[dict[str, Any]]:
    """Telegram marks a leading ``/command`` (including ``@botname``) as a bot_command entity."""
    match = re.match(r"/[^\s]+", text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match[0])}]


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG; a plausible default for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 640, 480


_FIXED_EXTENSIONS = {"photo": ".jpg", "sticker": ".webp", "voice": ".oga"}  # Telegram re-encodes these


def _extension(file_name: str | None, mime_type: str | None) -> str:
    """Keep a document's own extension; PTB names anonymous bytes ``application.octet-stream``."""
    suffix = PurePosixPath(file_name or "").suffix
    if suffix and suffix != ".octet-stream":
        return suffix
    return mimetypes.guess_extension(mime_type or "") or ""


def _chat_id(value: Any) -> int:
    """Private chats are addressed by user id; ``@username`` never resolves to a user."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise bad_request("chat not found")


# --------------------------------------------------------------------------- the stand-in


class BotApiStandin:
    """Telegram's Bot API server in miniature: state, rules and answers, without HTTP."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "fellowship_sandbox_bot",
        spec: ApiSpec | None = None,
        now: Callable[[], float] = time.time,
        enforce_rate_limits: bool = False,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.token = token
        self.spec = spec or ApiSpec.load()
        self.now = now
        prefix = (token or "").split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(prefix) if prefix.isdigit() else DEFAULT_BOT_ID,
            "is_bot": True,
            "first_name": "Fellowship",
            "username": bot_username,
        }
        self.calls: list[RecordedCall] = []
        self.violations: list[Violation] = []
        self.presses: list[CallbackPress] = []
        self.unsupported: list[str] = []
        self.fault: FaultHook | None = None
        # Only the HTTP server honours it: the call waits, is never carried out, and ends in
        # 504, by which time the client has given up (as with a request lost on the way).
        self.stall: StallHook | None = None
        self.rate_limits = rate_limits or (RateLimits(clock=now) if enforce_rate_limits else None)
        self.rate_limited = 0
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_max_connections = 40
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.profile: dict[tuple[str, str], str] = {}
        self._lock = threading.RLock()
        self._users: dict[int, _Chat] = {}
        self._pending: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._files: dict[str, StoredFile] = {}
        self._callbacks: dict[str, CallbackPress] = {}
        self._scripted: list[_ScriptedFault] = []
        self._counter = 0
        self._update_event: asyncio.Event | None = None
        self._loop: tuple[asyncio.AbstractEventLoop, int] | None = None
        self._poll_ticket = 0
        self._release_ticket = 0
        self._closing = False
        self._subscribers: list[_Subscriber] = []
        self._handlers: dict[str, Handler] = self._build_handlers()

    # ------------------------------------------------------------------ simulated users

    def add_user(
        self,
        first_name: str,
        *,
        username: str | None = None,
        user_id: int | None = None,
        language_code: str = "en",
        last_name: str | None = None,
    ) -> SimUser:
        """Create a user who can then write to the bot. Ids count up from 100000001."""
        with self._lock:
            if user_id is None:
                user_id = 100000001 + len(self._users)
                while user_id in self._users:
                    user_id += 1
            if user_id in self._users or user_id <= 0:
                raise ValueError(f"user id {user_id} is taken or not a valid private chat id")
            user = SimUser(user_id, first_name, username, language_code, last_name)
            self._users[user_id] = _Chat(user)
        self._publish("user", user_id, user.to_dict)
        return user

    def user(self, user_id: int) -> SimUser:
        return self._chat_of(user_id).user

    @property
    def users(self) -> list[SimUser]:
        return [chat.user for chat in self._users.values()]

    def send_text(self, user_id: int, text: str) -> dict[str, Any]:
        """The user types ``text``; a leading ``/command`` gets its bot_command entity."""
        if not text:
            raise ValueError("Telegram clients cannot send an empty message")
        return self._user_message(user_id, "text", text=text, entities=_command_entities(text))

    def send_location(self, user_id: int, latitude: float, longitude: float) -> dict[str, Any]:
        if not -90 <= latitude <= 90:
            raise ValueError(f"latitude must be between -90 and 90, not {latitude}")
        if not -180 <= longitude <= 180:
            raise ValueError(f"longitude must be between -180 and 180, not {longitude}")
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        return self._user_message(user_id, "location", media={"location": location})

    def send_sticker(self, user_id: int, emoji: str = "👍") -> dict[str, Any]:
        stored = self._store_file("sticker", b"RIFF\x00\x00\x00\x00WEBP", "sticker.webp", "image/webp")
        sticker = {
            **self._file_ids(stored),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        return self._user_message(user_id, "sticker", media={"sticker": sticker}, file=stored)

    def send_photo(
        self, user_id: int, data: bytes = b"\x89PNG\r\n\x1a\n", *, caption: str | None = None
    ) -> dict[str, Any]:
        stored = self._store_file("photo", data, "photo.jpg", "image/jpeg")
        return self._user_message(
            user_id, "photo", text=caption, media={"photo": self._photo_sizes(stored)}, file=stored
        )

    def send_voice(self, user_id: int, data: bytes = b"OggS", *, duration: int = 3) -> dict[str, Any]:
        stored = self._store_file("voice", data, "voice.ogg", "audio/ogg")
        voice = {
            **self._file_ids(stored),
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self._user_message(user_id, "voice", media={"voice": voice}, file=stored)

    def edit_text(self, user_id: int, message_id: int, new_text: str) -> dict[str, Any]:
        """The user edits one of their text messages: an ``edited_message`` update."""
        with self._lock:
            chat = self._chat_of(user_id)
            message = chat.live(message_id)
            if not isinstance(message, UserMessage) or message.kind != "text":
                raise ValueError(f"user {user_id} has no text message {message_id} to edit")
            message.text, message.entities = new_text, _command_entities(new_text)
            message.edits += 1
            message.edit_date = int(self.now())
            update = self._enqueue("edited_message", self._message_dict(chat, message))
        self._publish("edit", user_id, self._entry(message).to_dict)
        return update

    def press_button(self, user_id: int, message_id: int, callback_data: str) -> dict[str, Any]:
        """The user taps an inline button. Any data is accepted (tests forge some on purpose);
        a press that matches no button on the message is recorded with ``forged=True``."""
        with self._lock:
            chat = self._chat_of(user_id)
            message = chat.live(message_id)
            if not isinstance(message, SentMessage):
                raise ValueError(f"chat {user_id} has no bot message {message_id} to press a button on")
            button = message.button(callback_data=callback_data)
            press = CallbackPress(
                id=self._next_callback_id(),
                user_id=user_id,
                message_id=message_id,
                data=callback_data,
                date=int(self.now()),
                label=button.get("text") if button else None,
                forged=button is None,
            )
            self._callbacks[press.id] = press
            self.presses.append(press)
            chat.log.append(press)
            query = {
                "id": press.id,
                "from": chat.user.to_user(),
                "message": self._message_dict(chat, message),
                "chat_instance": str(-(user_id * 7919 % 10**12) - 1),
                "data": callback_data,
            }
            update = self._enqueue("callback_query", query)
        self._publish("callback", user_id, self._press_entry(press).to_dict)
        return update

    def press(self, user_id: int, label: str, *, message_id: int | None = None) -> dict[str, Any]:
        """Tap the inline button labelled ``label`` on the newest message that has one."""
        chat = self._chat_of(user_id)
        candidates: list[Any] = [chat.live(message_id)] if message_id is not None else chat.log[::-1]
        for message in candidates:
            if isinstance(message, SentMessage) and not message.deleted:
                button = message.button(label=label)
                if button is not None and "callback_data" in button:
                    return self.press_button(user_id, message.message_id, button["callback_data"])
        labels = [
            b.get("text") for m in chat.log if isinstance(m, SentMessage) and not m.deleted for b in m.buttons
        ]
        raise LookupError(f"no callback button {label!r} in chat {user_id}; visible buttons: {labels}")

    def block(self, user_id: int) -> dict[str, Any]:
        """The user blocks the bot: sends fail with 403 and a my_chat_member update arrives."""
        return self._set_blocked(user_id, True)

    def unblock(self, user_id: int) -> dict[str, Any]:
        return self._set_blocked(user_id, False)

    # ------------------------------------------------------------------ what the bot did

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Everything the bot sent to this chat, in order, deleted ones included (flagged)."""
        return [m for m in self._chat_of(chat_id).log if isinstance(m, SentMessage)]

    def last_message(self, chat_id: int) -> SentMessage | None:
        """The newest bot message still visible in the chat."""
        visible = [m for m in self.messages(chat_id) if not m.deleted]
        return visible[-1] if visible else None

    def texts(self, chat_id: int) -> list[str]:
        """Visible texts and captions of the bot's messages, as the user reads them."""
        return [m.text for m in self.messages(chat_id) if not m.deleted and m.text is not None]

    def transcript(self, chat_id: int) -> list[TranscriptEntry]:
        """The whole conversation in order, both directions and button presses."""
        with self._lock:
            return [
                self._press_entry(item) if isinstance(item, CallbackPress) else self._entry(item)
                for item in self._chat_of(chat_id).log
            ]

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The custom reply keyboard the user currently sees, if any."""
        return self._chat_of(chat_id).reply_keyboard

    def chat_action(self, chat_id: int) -> str | None:
        return self._chat_of(chat_id).chat_action

    def calls_to(self, method: str) -> list[RecordedCall]:
        canonical = self.spec.method_name(method) or method
        return [call for call in self.calls if call.method == canonical]

    def stored_file(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self._files.values() if f.file_path == file_path), None)

    def my_commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        return list(self.commands.get(self._commands_key(scope, language_code), []))

    def accepts_token(self, token: str) -> bool:
        return self.token is None or token == self.token

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str | None = None,
        *,
        status: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (any method if None) with an error."""
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after or 1}",
                403: "Forbidden: bot was blocked by the user",
                400: "Bad Request: injected failure",
                502: "Bad Gateway",
            }.get(status, "Internal Server Error")
        if status == 429 and retry_after is None:
            retry_after = 1
        response = error_body(status, description, retry_after)
        with self._lock:
            self._scripted.append(_ScriptedFault(method.lower() if method else None, response, times))

    # ------------------------------------------------------------------ answering calls

    def handle(
        self, method: str, params: Mapping[str, Any], files: Mapping[str, FileUpload] | None = None
    ) -> Response:
        """Answer one call synchronously, exactly as Telegram would: (HTTP status, JSON body).

        ``params`` may hold JSON-encoded strings for nested values, as form posts do.
        getUpdates never waits here; use :meth:`handle_async` for long polling.
        """
        call = self._prepare(method, params, files)
        return self._finish(call, call.response or self._execute(call))

    async def handle_async(
        self, method: str, params: Mapping[str, Any], files: Mapping[str, FileUpload] | None = None
    ) -> Response:
        """Like :meth:`handle`, but getUpdates with a ``timeout`` long-polls like Telegram."""
        call = self._prepare(method, params, files)
        if call.response is None and call.method == "getUpdates":
            return self._finish(call, await self._long_poll(call))
        return self._finish(call, call.response or self._execute(call))

    def take_updates(self, offset: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Confirm updates below ``offset`` (forgetting them) and return up to ``limit`` pending ones."""
        with self._lock:
            if offset is not None and offset < 0:
                self._pending = self._pending[offset:]
            elif offset:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            if self._allowed_updates is not None:
                self._pending = [u for u in self._pending if self._update_type(u) in self._allowed_updates]
            else:
                self._pending = [u for u in self._pending if self._update_type(u) not in _OPT_IN_UPDATES]
            return [dict(u) for u in self._pending[: max(1, min(limit, 100))]]

    @property
    def updates_made(self) -> int:
        """How many updates users have made so far (update ids count up from 1)."""
        return self._next_update_id - 1

    def confirm_update(self, update_id: int) -> None:
        """A webhook delivery was answered 200: Telegram forgets that update."""
        with self._lock:
            self._pending = [u for u in self._pending if u["update_id"] != update_id]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._pending)

    def crowding(self) -> list[str]:
        """For each 429 answered: the method, and how many messages had gone to that chat in
        the 3 s before (how long before, in s) and to anyone in the second before. Tells a
        chat's burst from the whole bot's rate when a test or benchmark saw 429s."""
        sent = [c for c in self.calls if c.status == 200 and c.method.startswith("send")]
        found = []
        for refused in (c for c in self.calls if c.status == 429):
            chat = refused.params.get("chat_id")
            overall = sum(1 for c in sent if refused.at - 1.0 <= c.at <= refused.at)
            to_chat = [round(refused.at - c.at, 2) for c in sent if c.params.get("chat_id") == chat and refused.at - 3 <= c.at <= refused.at]
            found.append(f"{refused.method}: overall {overall} in the second before; to the chat in the 3 s before {to_chat}")
        return found

    async def wait_for_updates(
        self,
        offset: int | None = None,
        limit: int = 100,
        timeout: float = 0,  # noqa: ASYNC109 - getUpdates' own long-poll duration, not a deadline
    ) -> list[dict[str, Any]]:
        """Pending updates now, or the first to arrive within ``timeout`` seconds, or []."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        release = self._release_ticket
        while True:
            signal = self._signal()
            updates = self.take_updates(offset, limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or release != self._release_ticket or self._closing:
                return updates
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except TimeoutError:
                pass

    def release_waiters(self, *, closing: bool = False) -> None:
        """End every pending long poll now (with no updates), e.g. before the server stops.
        With `closing`, later polls return at once too, so a bot still polling while the
        server shuts down isn't left waiting to be cancelled."""
        self._closing = self._closing or closing
        self._release_ticket += 1
        self._wake()

    # ------------------------------------------------------------------ observers

    def subscribe(self, kinds: Collection[str] | None = None) -> asyncio.Queue[dict[str, Any]]:
        """A queue of events (message, edit, delete, callback, callback_answer, chat_action,
        user, call) for live views; only `kinds`, if given (events nobody wants are never
        built). Call from the event loop that will read the queue."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        wanted = frozenset(kinds) if kinds is not None else None
        self._subscribers.append(_Subscriber(queue, asyncio.get_running_loop(), threading.get_ident(), wanted))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers = [s for s in self._subscribers if s.queue is not queue]

    # ================================================================== internals: calls

    def _prepare(
        self, method: str, params: Mapping[str, Any], files: Mapping[str, FileUpload] | None
    ) -> _Call:
        canonical = self.spec.method_name(method)
        uploads = dict(files or {})
        if canonical is None:
            self._violate(method, f"unknown method '{method}'", dict(params))
            return _Call(method, dict(params), uploads, (404, dict(NOT_FOUND)))
        call = _Call(canonical, self.spec.decode_params(canonical, params), uploads)
        call.response = self._injected_fault(call)
        if call.response is None:
            problems = self.spec.check_call(canonical, call.params, uploaded=uploads.keys())
            for problem in problems:
                self._violate(canonical, problem, call.params)
            if problems:
                call.response = bad_request(problems[0]).response()
        return call

    def _execute(self, call: _Call) -> Response:
        handler = self._handlers.get(call.method)
        if handler is None:
            self.unsupported.append(call.method)
            return bad_request(f"{call.method} is valid but not simulated by the Bot API stand-in").response()
        try:
            with self._lock:
                return 200, {"ok": True, "result": handler(call.params, call.files)}
        except SpecViolation as exc:
            self._violate(call.method, exc.problem, call.params)
            return exc.response()
        except ApiError as exc:
            return exc.response()

    def _finish(self, call: _Call, response: Response) -> Response:
        status, body = response
        record = RecordedCall(
            method=call.method,
            params=call.params,
            status=status,
            ok=bool(body.get("ok")),
            description=body.get("description"),
            files=tuple(call.files),
            at=self.now(),
        )
        self.calls.append(record)
        if call.method != "getUpdates":
            self._publish("call", None, record.to_dict)
        return response

    def _injected_fault(self, call: _Call) -> Response | None:
        if call.method in ("getUpdates", "getMe"):
            return None
        if self.fault is not None:
            response = self.fault(call.method, call.params)
            if response is not None:
                return response
        with self._lock:
            for scripted in self._scripted:
                if scripted.method in (None, call.method.lower()) and scripted.remaining > 0:
                    scripted.remaining -= 1
                    return scripted.response[0], dict(scripted.response[1])
        return None

    def _violate(self, method: str, problem: str, params: dict[str, Any]) -> None:
        self.violations.append(Violation(method, problem, dict(params)))

    async def _long_poll(self, call: _Call) -> Response:
        """getUpdates with a timeout: wait for updates; a newer poll ends this one with 409."""
        self._poll_ticket += 1
        ticket = self._poll_ticket
        self._wake()  # an older poll still waiting is now the one to lose
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0, int(call.params.get("timeout") or 0))
        release = self._release_ticket
        while True:
            signal = self._signal()
            response = self._execute(call)
            remaining = deadline - loop.time()
            if (
                response[0] != 200
                or response[1]["result"]
                or remaining <= 0
                or release != self._release_ticket
            ):
                return response
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except TimeoutError:
                pass
            if ticket != self._poll_ticket:
                return 409, {"ok": False, "error_code": 409, "description": _POLL_CONFLICT}

    # ================================================================== internals: handlers

    def _build_handlers(self) -> dict[str, Handler]:
        def simple_ok(params: dict[str, Any], files: dict[str, FileUpload]) -> bool:
            return True  # logOut, close: nothing to simulate

        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": simple_ok,
            "close": simple_ok,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda p, f: self.my_commands(p.get("scope"), p.get("language_code") or ""),
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._profile_setter("description"),
            "setMyShortDescription": self._profile_setter("short_description"),
            "setMyName": self._profile_setter("name"),
            "getMyDescription": self._profile_getter("description"),
            "getMyShortDescription": self._profile_getter("short_description"),
            "getMyName": self._profile_getter("name"),
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": lambda p, f: self.menu_buttons.get(p.get("chat_id"), {"type": "default"}),
            "getChat": self._get_chat,
            "sendChatAction": self._send_chat_action,
            "sendMessage": self._send_message,
            "sendLocation": self._send_location,
            "sendVenue": self._send_venue,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
        }

    # -- updates and webhooks

    def _get_me(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, p: dict[str, Any], files: dict[str, FileUpload]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(409, _WEBHOOK_CONFLICT)
        if "allowed_updates" in p:
            self._allowed_updates = frozenset(p["allowed_updates"]) or None
        return self.take_updates(p.get("offset"), p.get("limit", 100))

    def _set_webhook(self, p: dict[str, Any], files: dict[str, FileUpload]) -> bool:
        self.webhook_url = p["url"]
        self.webhook_secret = p.get("secret_token")
        self.webhook_max_connections = int(p.get("max_connections") or 40)
        if "allowed_updates" in p:
            self._allowed_updates = frozenset(p["allowed_updates"]) or None
        self._wake()  # a webhook poster waiting for work (bot.standin.webhook) starts posting
        if p.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _delete_webhook(self, p: dict[str, Any], files: dict[str, FileUpload]) -> bool:
        self.webhook_url = ""
        self.webhook_secret = None
        if p.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    # -- bot profile

    @staticmethod
    def _commands_key(scope: Mapping[str, Any] | None, language_code: str) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        return repr(sorted(scope.items())), language_code

    def _set_my_commands(self, p: dict[str, Any], files: dict[str, FileUpload]) -> bool:
        self.commands[self._commands_key(p.get("scope"), p.get("language_code") or "")] = list(p["commands"])
        return True

    def _delete_my_commands(self, p: dict[str, Any], files: dict[str, FileUpload]) -> bool:
        self.commands.pop(self._commands_key(p.get("scope"), p.get("language_code") or ""), None)
        return True

    def _profile_setter(self, name: str) -> Handler:
        def handler(p: dict[str, Any], files: dict[str, FileUpload]) -> bool:
            self.profile[(name, p.get("language_code") or "")] = p.get(name) or ""
            return True

        return handler

    def _profile_getter(self, name: str) -> Handler:
        return lambda p, f: {name: self.profile.get((name, p.get("language_code") or ""), "")}

    def _set_chat_menu_button(self, p: dict[str, Any], files: dict[str, FileUpload]) -> bool:
        self.menu_buttons[p.get("chat_id")] = p.get("menu_button") or {"type": "default"}
        return True

    # -- chats

    def _known_chat(self, chat_id: Any) -> _Chat:
        """The chat, if the bot may know it exists: the user must have written first."""
        chat = self._users.get(_chat_id(chat_id))
        if chat is None or not chat.user.started:
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, chat_id: Any) -> _Chat:
        chat = self._known_chat(chat_id)
        if chat.user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _get_chat(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        chat = self._known_chat(p["chat_id"])
        gifts = (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        )
        return {
            **chat.user.to_chat(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, False),
        }

    def _send_chat_action(self, p: dict[str, Any], files: dict[str, FileUpload]) -> bool:
        chat = self._writable_chat(p["chat_id"])
        if p["action"] not in CHAT_ACTIONS:
            raise SpecViolation(f"wrong parameter action in request ({p['action']!r})")
        chat.chat_action = p["action"]
        self._publish("chat_action", chat.user.id, functools.partial(dict, action=p["action"]))
        return True

    # -- sending

    def _send_message(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        chat = self._writable_chat(p["chat_id"])
        return self._deliver(chat, p, "text", self._formatted(p, "text", "entities"))

    def _send_location(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        chat = self._writable_chat(p["chat_id"])
        location = self._location(p)
        extras = ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius")
        location.update({key: p[key] for key in extras if key in p})
        return self._deliver(chat, p, "location", None, media={"location": location})

    def _send_venue(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        chat = self._writable_chat(p["chat_id"])
        location = self._location(p)
        extras = ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type")
        venue = {"location": location, "title": p["title"], "address": p["address"]}
        venue.update({key: p[key] for key in extras if key in p})
        return self._deliver(chat, p, "venue", None, media={"venue": venue, "location": location})

    def _send_photo(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        chat = self._writable_chat(p["chat_id"])
        stored = self._input_file(p, files, "photo", "image/jpeg")
        caption = self._formatted(p, "caption", "caption_entities")
        media = {"photo": self._photo_sizes(stored)}
        return self._deliver(chat, p, "photo", caption, media=media, file=stored)

    def _send_document(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        chat = self._writable_chat(p["chat_id"])
        stored = self._input_file(p, files, "document", "application/octet-stream")
        document = {**self._file_ids(stored), "file_size": len(stored.data)}
        document.update(_present(file_name=stored.file_name, mime_type=stored.mime_type))
        caption = self._formatted(p, "caption", "caption_entities")
        return self._deliver(chat, p, "document", caption, media={"document": document}, file=stored)

    def _deliver(
        self,
        chat: _Chat,
        p: dict[str, Any],
        kind: str,
        parsed: ParsedText | None,
        *,
        media: dict[str, Any] | None = None,
        file: StoredFile | None = None,
    ) -> dict[str, Any]:
        """Store a new bot message after the checks every send shares; return its Message."""
        reply_to = self._reply_target(chat, p.get("reply_parameters"))
        self._throttle(chat)
        text_key = "text" if kind == "text" else "caption"
        message = SentMessage(
            chat_id=chat.user.id,
            message_id=chat.allocate_id(),
            kind=kind,
            date=int(self.now()),
            text=parsed.text if parsed else None,
            entities=parsed.entities if parsed else [],
            media=media or {},
            file=file,
            reply_to_message_id=reply_to,
            source=p.get(text_key),
            parse_mode=p.get("parse_mode"),
            reply_markup=p.get("reply_markup"),
            params=dict(p),
        )
        chat.add(message)
        self._track_reply_keyboard(chat, message.reply_markup)
        self._publish("message", chat.user.id, self._entry(message).to_dict)
        return self._message_dict(chat, message)

    def _formatted(self, p: dict[str, Any], text_key: str, entities_key: str) -> ParsedText | None:
        text = p.get(text_key)
        if text is None:
            return None
        if entities_key in p:
            return ParsedText(text, list(p[entities_key]))
        try:
            return parse_formatted_text(text, p.get("parse_mode"))
        except EntityParseError as exc:
            raise SpecViolation(f"can't parse entities: {exc}") from exc

    @staticmethod
    def _location(p: dict[str, Any]) -> dict[str, Any]:
        latitude, longitude = p["latitude"], p["longitude"]
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise SpecViolation(f"wrong location: latitude {latitude}, longitude {longitude}")
        return {"latitude": float(latitude), "longitude": float(longitude)}

    def _reply_target(self, chat: _Chat, reply: dict[str, Any] | None) -> int | None:
        if not reply or reply.get("chat_id") not in (None, chat.user.id):
            return None
        if chat.live(reply["message_id"]) is not None:
            return int(reply["message_id"])
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    def _throttle(self, chat: _Chat) -> None:
        if self.rate_limits is None:
            return
        retry_after = self.rate_limits.acquire(chat.user.id)
        if retry_after is not None:
            self.rate_limited += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    @staticmethod
    def _track_reply_keyboard(chat: _Chat, markup: dict[str, Any] | None) -> None:
        if not markup:
            return
        if "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None

    # -- files

    def _input_file(self, p: dict[str, Any], files: dict[str, FileUpload], key: str, mime: str) -> StoredFile:
        """Resolve an InputFile parameter: an upload, an attach:// reference, a file_id or a URL."""
        value = p.get(key)
        if value is None or value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://") if value else key)
            if upload is None:
                raise bad_request(f"there is no {key} in the request")
            name, data, content_type = upload
            return self._store_file(key, data, name, content_type or mime)
        if value in self._files:
            return self._files[value]
        if value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or key
            stored = self._store_file(key, b"", name, mimetypes.guess_type(name)[0] or mime)
            stored.source_url = value
            return stored
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _store_file(self, kind: str, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        self._counter += 1
        number = self._counter
        extension = _FIXED_EXTENSIONS.get(kind) or _extension(file_name, mime_type)
        folder = {"photo": "photos", "document": "documents", "sticker": "stickers"}.get(kind, kind)
        stored = StoredFile(
            file_id=f"standin-{kind}-{number:06d}",
            file_unique_id=f"u{number:06d}",
            file_path=f"{folder}/file_{number}{extension}",
            data=bytes(data),
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        return stored

    @staticmethod
    def _file_ids(stored: StoredFile) -> dict[str, Any]:
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}

    def _photo_sizes(self, stored: StoredFile) -> list[dict[str, Any]]:
        width, height = _image_size(stored.data)
        return [{**self._file_ids(stored), "width": width, "height": height, "file_size": len(stored.data)}]

    def _get_file(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        stored = self._files.get(p["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.to_file()

    # -- editing and deleting

    def _edit_target(self, p: dict[str, Any]) -> tuple[_Chat, SentMessage]:
        if "inline_message_id" in p:
            raise bad_request("MESSAGE_ID_INVALID")
        if p.get("chat_id") is None or p.get("message_id") is None:
            raise SpecViolation("chat_id and message_id are required when inline_message_id is not specified")
        chat = self._writable_chat(p["chat_id"])
        message = chat.live(p["message_id"])
        if isinstance(message, UserMessage):
            raise bad_request("message can't be edited")
        if not isinstance(message, SentMessage):
            raise bad_request("message to edit not found")
        return chat, message

    def _apply_edit(
        self,
        chat: _Chat,
        message: SentMessage,
        p: dict[str, Any],
        parsed: ParsedText | None,
    ) -> dict[str, Any]:
        """Replace content and markup, unless nothing would change (Telegram refuses that)."""
        markup = p.get("reply_markup")
        current = (message.text or None, message.entities)
        if (
            parsed is None or (parsed.text or None, parsed.entities) == current
        ) and markup == message.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        if parsed is not None:
            message.text = parsed.text if parsed.text or message.kind == "text" else None
            message.entities = parsed.entities
            message.source = p.get("text", p.get("caption"))
            message.parse_mode = p.get("parse_mode")
        message.reply_markup = markup  # omitting reply_markup removes the inline keyboard
        message.edits += 1
        message.edit_date = int(self.now())
        message.params = dict(p)
        self._publish("edit", chat.user.id, self._entry(message).to_dict)
        return self._message_dict(chat, message)

    def _edit_message_text(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        chat, message = self._edit_target(p)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        return self._apply_edit(chat, message, p, self._formatted(p, "text", "entities"))

    def _edit_message_caption(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        chat, message = self._edit_target(p)
        if message.kind not in MEDIA_KINDS:
            raise bad_request("there is no caption in the message to edit")
        parsed = self._formatted(p, "caption", "caption_entities") or ParsedText("")
        return self._apply_edit(chat, message, p, parsed)

    def _edit_message_reply_markup(self, p: dict[str, Any], files: dict[str, FileUpload]) -> dict[str, Any]:
        chat, message = self._edit_target(p)
        return self._apply_edit(chat, message, p, None)

    def _delete_message(self, p: dict[str, Any], files: dict[str, FileUpload]) -> bool:
        chat = self._known_chat(p["chat_id"])
        message = chat.live(p["message_id"])
        if message is None:
            raise bad_request("message to delete not found")
        if self.now() - message.date > _DELETE_WINDOW_SECONDS:
            raise bad_request("message can't be deleted for everyone")
        message.deleted = True
        self._publish("delete", chat.user.id, self._entry(message).to_dict)
        return True

    # -- callback queries

    def _answer_callback_query(self, p: dict[str, Any], files: dict[str, FileUpload]) -> bool:
        press = self._callbacks.get(p["callback_query_id"])
        if press is None or press.answered:
            raise bad_request(_QUERY_INVALID)
        press.answered = True
        press.answer = {key: value for key, value in p.items() if key != "callback_query_id"}
        self._publish("callback_answer", press.user_id, self._press_entry(press).to_dict)
        return True

    # ================================================================== internals: users

    def _chat_of(self, user_id: int) -> _Chat:
        chat = self._users.get(user_id)
        if chat is None:
            raise UnknownUserError(f"no simulated user with id {user_id}")
        return chat

    def _user_message(
        self,
        user_id: int,
        kind: str,
        *,
        text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        media: dict[str, Any] | None = None,
        file: StoredFile | None = None,
    ) -> dict[str, Any]:
        """A user writes: the chat becomes known to the bot and an update is queued."""
        if self._chat_of(user_id).user.blocked:
            self.unblock(user_id)  # writing to a blocked bot restarts it, as in Telegram clients
        with self._lock:
            chat = self._chat_of(user_id)
            chat.user.started = True
            if chat.reply_keyboard and chat.reply_keyboard.get("one_time_keyboard"):
                chat.reply_keyboard = None
            message = UserMessage(
                chat_id=user_id,
                message_id=chat.allocate_id(),
                kind=kind,
                date=int(self.now()),
                text=text,
                entities=entities or [],
                media=media or {},
                file=file,
            )
            chat.add(message)
            update = self._enqueue("message", self._message_dict(chat, message))
        self._publish("message", user_id, self._entry(message).to_dict)
        return update

    def _set_blocked(self, user_id: int, blocked: bool) -> dict[str, Any]:
        with self._lock:
            chat = self._chat_of(user_id)
            chat.user.blocked = blocked
            statuses = ({"status": "member"}, {"status": "kicked", "until_date": 0})
            old, new = statuses if blocked else statuses[::-1]
            member_update = {
                "chat": chat.user.to_chat(),
                "from": chat.user.to_user(),
                "date": int(self.now()),
                "old_chat_member": {**old, "user": dict(self.bot_user)},
                "new_chat_member": {**new, "user": dict(self.bot_user)},
            }
            update = self._enqueue("my_chat_member", member_update)
        self._publish("user", user_id, chat.user.to_dict)
        return update

    def _next_callback_id(self) -> str:
        self._counter += 1
        return f"{self.bot_user['id']}{self._counter:08d}"

    # ================================================================== internals: shapes

    def _message_dict(self, chat: _Chat, message: ChatMessage, *, nested: bool = False) -> dict[str, Any]:
        """The Message object Telegram would return or deliver for ``message``."""
        sender = dict(self.bot_user) if isinstance(message, SentMessage) else chat.user.to_user()
        out: dict[str, Any] = {
            "message_id": message.message_id,
            "from": sender,
            "chat": chat.user.to_chat(),
            "date": message.date,
        }
        if message.edit_date is not None:
            out["edit_date"] = message.edit_date
        if message.reply_to_message_id is not None and not nested:
            target = chat.messages.get(message.reply_to_message_id)
            if target is not None:
                out["reply_to_message"] = self._message_dict(chat, target, nested=True)
        out.update(message.content())
        markup = message.reply_markup if isinstance(message, SentMessage) else None
        if markup and "inline_keyboard" in markup:  # only inline keyboards are part of a Message
            out["reply_markup"] = markup
        return out

    @staticmethod
    def _entry(message: ChatMessage) -> TranscriptEntry:
        markup = message.reply_markup if isinstance(message, SentMessage) else None
        return TranscriptEntry(
            direction="out" if isinstance(message, SentMessage) else "in",
            kind=message.kind,
            message_id=message.message_id,
            date=message.date,
            text=message.text,
            entities=list(message.entities),
            reply_markup=markup,
            payload=dict(message.media),
            deleted=message.deleted,
            edits=message.edits,
        )

    @staticmethod
    def _press_entry(press: CallbackPress) -> TranscriptEntry:
        return TranscriptEntry(
            direction="in",
            kind="callback_query",
            message_id=press.message_id,
            date=press.date,
            text=press.label,
            entities=[],
            callback_data=press.data,
            answer=press.answer,
        )

    @staticmethod
    def _update_type(update: Mapping[str, Any]) -> str:
        return next(key for key in update if key != "update_id")

    # ================================================================== internals: signalling

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._pending.append(update)
        self._wake()
        return update

    def _signal(self) -> asyncio.Event:
        """The event the next wake-up will set; created on the loop that waits on it."""
        loop = asyncio.get_running_loop()
        if self._update_event is None or self._loop is None or self._loop[0] is not loop:
            self._update_event = asyncio.Event()
            self._loop = (loop, threading.get_ident())
        return self._update_event

    def _wake(self) -> None:
        event, self._update_event = self._update_event, None
        if event is not None and self._loop is not None:
            self._call_soon(self._loop[0], self._loop[1], event.set)

    def _publish(self, kind: str, chat_id: int | None, data: Callable[[], dict[str, Any]]) -> None:
        """Tell subscribers; `data` snapshots the event's data, now, if anyone wants this kind."""
        subscribers = [s for s in self._subscribers if s.kinds is None or kind in s.kinds]
        if not subscribers:
            return
        event = {"event": kind, "chat_id": chat_id, "data": data()}
        for queue, loop, thread, _ in subscribers:
            self._call_soon(loop, thread, functools.partial(queue.put_nowait, event))

    @staticmethod
    def _call_soon(loop: asyncio.AbstractEventLoop, thread: int, callback: Callable[[], Any]) -> None:
        """Run ``callback`` on ``loop``: directly from its own thread, else thread-safely."""
        if threading.get_ident() == thread:
            callback()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(callback)
