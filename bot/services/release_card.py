"""The printable release card: a QR code of the person's single-use link and a few words.

A coordinator prints it (or passes the picture on) before release; the person keeps it
and, once out, scans it with any phone to connect to the bot and to their companion. It
deliberately carries no name, prison or date: a lost card gives nothing away, and the
link works once. Drawn with Pillow from the QR matrix (the `qrcode` package), in a size
that prints well on A6.
"""

from __future__ import annotations

from io import BytesIO

import qrcode  # type: ignore[import-untyped]
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


def render_png(link: str) -> bytes:
    """The card as a PNG: the code on the left, the instructions and the link on the right."""
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
    y = MARGIN + 20
    title, body, small = (ImageFont.load_default(size=s) for s in (64, 28, 24))
    draw.text((text_left, y), texts.RELEASE_CARD_TITLE, font=title, fill="#1b5e20")
    y += 110
    for line in texts.RELEASE_CARD_LINES:
        draw.text((text_left, y), line, font=body, fill="black")
        y += 42
    y += 20
    for part in _wrap(link, 34):
        draw.text((text_left, y), part, font=small, fill="#0d47a1")
        y += 32
    y += 30
    draw.text((text_left, y), texts.RELEASE_CARD_ONCE, font=body, fill="black")
    draw.text((text_left, HEIGHT - MARGIN - 30), texts.RELEASE_CARD_HELP, font=small, fill="#444444")
    draw.rectangle((8, 8, WIDTH - 9, HEIGHT - 9), outline="#9e9e9e", width=3)  # a line to cut along
    out = BytesIO()
    card.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    """A long link broken into lines (it has no spaces to break at)."""
    return [text[i : i + width] for i in range(0, len(text), width)]
