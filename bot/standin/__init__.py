"""A local stand-in for Telegram's Bot API server, strict about the published spec.

Used by end-to-end tests (a real ``fellowship run`` polls it over HTTP), by application
tests in-process (:class:`StandinRequest`), and by the browser sandbox that shows simulated
users' chats. See :mod:`bot.standin.core` for the rules it enforces.
"""

from bot.standin.core import (
    ApiError,
    BotApiStandin,
    CallbackPress,
    RateLimits,
    RecordedCall,
    SentMessage,
    SimUser,
    TranscriptEntry,
    UnknownUserError,
    UserMessage,
    Violation,
    error_body,
)
from bot.standin.request import StandinRequest
from bot.standin.server import RunningServer, create_standin_app, serve_standin
from bot.standin.spec import ApiSpec, EntityParseError, ParsedText, parse_formatted_text

__all__ = [
    "ApiError",
    "ApiSpec",
    "BotApiStandin",
    "CallbackPress",
    "EntityParseError",
    "ParsedText",
    "RateLimits",
    "RecordedCall",
    "RunningServer",
    "SentMessage",
    "SimUser",
    "StandinRequest",
    "TranscriptEntry",
    "UnknownUserError",
    "UserMessage",
    "Violation",
    "create_standin_app",
    "error_body",
    "parse_formatted_text",
    "serve_standin",
]
