"""The printable release card: a QR code of the person's single-use link and a few words.

A coordinator prints it (or passes the picture on) before release; the person keeps it
and, once out, scans it (or types its short code) to connect to the bot. It says only what
is true when printed: the release date, who plans to meet them if someone has said yes
(a reprint after matching names them), how to connect, a coordinator to reach through
probation, and the helplines. It carries no prison, name or notes, and opening it shows
nothing until a coordinator confirms it is the person. Drawn with Pillow from the QR
matrix (the `qrcode` package), in a size that prints well on A6.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from io import BytesIO

import qrcode
from PIL import Image, ImageDraw, ImageFont

from bot import texts

WIDTH, HEIGHT = 1240, 874  # A6 landscape at 150 dpi
MARGIN = 60
QR_SIZE = 500
QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


def qr_matrix(link: str) -> list[list[bool]]:
    """The code's modules (True = dark), quiet zone included. Medium error correction
    survives a crease or a smudge on a card carried in a pocket."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(link)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def qr_layout(matrix: list[list[bool]]) -> tuple[int, int, int]:
    """Where the code is drawn: (left, top, pixels per module), centred on the left."""
    module = QR_SIZE // len(matrix)
    return MARGIN, (HEIGHT - module * len(matrix)) // 2, module


@dataclass(frozen=True)
class Words:
    """What the card says, decided when it is printed."""

    when: str  # "Fri 4 Dec, morning (time not known yet)"
    companion: str | None  # who said yes, if anyone has yet
    code: str
    bot: str  # the bot's username, for typing the code by hand
    coordinator: str  # a coordinator's pseudonym, to reach through probation
    number: int  # the request's number, which a coordinator can look up


def lines(words: Words) -> list[tuple[str, str]]:
    """(style, text) from top to bottom: "title", "body", "code" or "small"."""
    who = texts.RELEASE_CARD_MATCHED.format(companion=words.companion) if words.companion else texts.RELEASE_CARD_UNMATCHED
    return [
        ("title", texts.RELEASE_CARD_TITLE),
        ("body", texts.RELEASE_CARD_DATE.format(when=words.when)),
        ("body", who),
        ("body", texts.RELEASE_CARD_HOW.format(bot=words.bot)),
        ("code", texts.RELEASE_CARD_CODE.format(code=words.code)),
        ("small", texts.RELEASE_CARD_ONCE),
        ("small", texts.RELEASE_CARD_CONTACT.format(coordinator=words.coordinator, id=words.number)),
        ("small", texts.RELEASE_CARD_HELP),
    ]


_STYLE = {"title": (56, "#1b5e20", 24), "body": (26, "black", 34), "code": (40, "#0d47a1", 46), "small": (22, "#333333", 40)}


def printable(text: str) -> str:
    """The words as the built-in font can draw them: it has no accented letters, so the
    Welsh "giât" and a name like "Siân" print as "giat" and "Sian", never as boxes."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def render_png(link: str, words: Words) -> bytes:
    """The card as a PNG: the code on the left, the words on the right, wrapped to fit."""
    card = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(card)
    matrix = qr_matrix(link)
    left, top, module = qr_layout(matrix)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                x0, y0 = left + x * module, top + y * module
                draw.rectangle((x0, y0, x0 + module - 1, y0 + module - 1), fill="black")
    text_left = left + module * len(matrix) + MARGIN // 2
    room = WIDTH - text_left - MARGIN // 2
    y = MARGIN
    for style, text in lines(words):
        text = printable(text)
        size, colour, width = _STYLE[style]
        font = ImageFont.load_default(size=size)
        for part in textwrap.wrap(text, width) or [""]:
            while draw.textlength(part, font=font) > room and size > 14:  # a long name or bot username
                size -= 2
                font = ImageFont.load_default(size=size)
            draw.text((text_left, y), part, font=font, fill=colour)
            y += int(size * 1.3)
        y += 14
    draw.rectangle((8, 8, WIDTH - 9, HEIGHT - 9), outline="#9e9e9e", width=3)  # a line to cut along
    out = BytesIO()
    card.save(out, format="PNG", optimize=True)
    return out.getvalue()
