"""`fellowship sandbox` in a real browser: headless Chromium, driven by Playwright.

The real CLI is started as a subprocess (its own SQLite file, key and port), and the test
uses the page as a person would: START, typing, inline buttons, the reply keyboard's
location button with the place picker, the clock control. It saves a screenshot to
test-artifacts/sandbox.png (and to docs/sandbox.png when SANDBOX_DOCS_SCREENSHOT=1).

Skipped, with the reason, only when no Chromium is installed and CI is not set; in CI a
missing browser fails the run (.ci/run installs Debian's chromium).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
# Headless on a machine with no display and no network: without the background-networking
# flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = find_chromium()
    if executable is None:
        reason = "no Chromium found: install Debian's chromium package (or set CHROMIUM_PATH) to run the sandbox browser test"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test, but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """`fellowship sandbox --port 0` in a fresh directory; yields the address it prints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FELLOWSHIP_", "DATABASE_"))}
    env["LOG_LEVEL"] = "INFO"
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "sandbox", "--port", "0"], cwd=tmp_path, env=env, stdout=stdout, stderr=stderr
        )
    try:
        yield _wait_for_address(process, out, err)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, err.read_text()
    logs = out.read_text() + err.read_text()
    # Names, typed text and Telegram ids never reach the logs.
    for private in ("Sam", "xxxxxxxxxx", "onerror", "100000001"):
        assert private not in logs, f"{private!r} was logged"
    assert (tmp_path / "sandbox-data" / "sandbox.sqlite3").exists()


def _wait_for_address(process: subprocess.Popen[bytes], out: Path, err: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"http://127\.0\.0\.1:\d+", out.read_text())
        if found:
            return found.group(0)
        if process.poll() is not None:
            raise AssertionError(f"fellowship sandbox exited with {process.returncode}:\n{err.read_text()}")
        time.sleep(0.1)
    raise AssertionError("fellowship sandbox did not print its address within 60 s")


def test_a_member_is_onboarded_in_the_browser_and_the_clock_moves(browser: object, sandbox_url: str) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    expect.set_options(timeout=TIMEOUT_MS)
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"a script opened a {dialog.type}"))
    page.goto(sandbox_url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator(".phone")).to_have_count(5)
    expect(page.locator("#connection")).to_have_attribute("data-status", "live")

    sam = page.locator('[data-person="Sam"]')
    chat = sam.locator(".messages")

    # START, then the welcome: HTML parse mode rendered (bold) with inline buttons.
    sam.get_by_role("button", name="START").click()
    welcome = sam.locator(".msg.out").first
    expect(welcome.locator("strong").first).to_have_text("Welcome.")
    expect(welcome.get_by_role("button", name="✅ I agree")).to_be_visible()

    # An empty message is refused on the page, kindly; nothing is sent.
    sam.get_by_role("button", name="Send").click()
    expect(sam.locator(".composer-error")).to_contain_text("Type a message first")

    # Pressing the inline button: the welcome is edited in place, next question; its buttons
    # are now only the language choice (Cymraeg / English, issue 17).
    welcome.get_by_role("button", name="✅ I agree").click()
    expect(chat).to_contain_text("What should we call you?")
    expect(welcome.get_by_role("button", name="✅ I agree")).to_have_count(0)
    expect(welcome.locator(".inline-button")).to_have_text(["Cymraeg", "English"])
    expect(welcome.locator(".edited")).to_be_visible()

    # Typing a name, then choosing a purpose with an inline button.
    sam.get_by_role("textbox", name="Message").fill("Sam")
    sam.get_by_role("textbox", name="Message").press("Enter")
    expect(sam.locator(".msg.in").last).to_have_text(re.compile(r"^Sam"))
    expect(chat).to_contain_text("What brings you here?")
    sam.get_by_role("button", name="I'm in recovery").click()

    # The reply keyboard's location button opens the place picker.
    keyboard = sam.locator(".reply-keyboard")
    expect(keyboard.get_by_role("button", name="UK & Ireland")).to_be_visible()
    keyboard.get_by_role("button", name="📍 Share my location").click()
    picker = page.locator("#place-picker")
    expect(picker).to_be_visible()
    expect(picker.locator(".who")).to_have_text("Sam")
    # Invalid typed coordinates: a clear message, and the picker stays open.
    picker.get_by_role("tab", name="Coordinates").click()
    picker.get_by_label("Latitude").fill("95")
    picker.get_by_label("Longitude").fill("-1.5")
    picker.get_by_role("button", name="Share location").click()
    expect(picker.locator(".picker-error")).to_contain_text("Latitude must be between -90 and 90")
    # A preset: HMP Leeds.
    picker.get_by_role("tab", name="Prisons").click()
    picker.get_by_role("searchbox").fill("Leeds")
    picker.get_by_role("button", name=re.compile(r"^Leeds \(HMP\)")).click()
    expect(picker).to_be_hidden()
    expect(sam.locator(".msg.in").last.locator(".map-card")).to_be_visible()
    expect(chat).to_contain_text("Time zone set to Europe/London.")
    expect(keyboard).to_be_hidden()  # the bot removed it

    sam.get_by_role("button", name="08:00").click()
    expect(chat).to_contain_text("Your daily check-in will come at 08:00.")
    sam.get_by_role("button", name="Today").click()
    expect(chat).to_contain_text("You're all set, Sam.")

    # The "/" menu lists the bot's commands; /mydata answers with a document to download.
    sam.get_by_role("button", name="Commands").click()
    sam.locator(".command-menu button", has_text="/mydata").click()
    document = sam.locator(".msg.out .document").last
    expect(document).to_contain_text(".json")
    download = page.request.get(sandbox_url + (document.get_attribute("href") or ""))
    assert download.ok and "attachment" in download.headers["content-disposition"]

    # Two people linked by a feature: the seeded coordinator approves a new secretary.
    onboard(page, "Morgan", "I support someone")
    onboard(page, "Priya", "I run a meeting")
    priya = page.locator('[data-person="Priya"]')
    expect(priya.locator(".msg.out").last).to_contain_text("Which group or meeting are you the secretary for?")
    priya.get_by_role("button", name="Skip", exact=True).last.click()
    morgan = page.locator('[data-person="Morgan"]')
    asked = morgan.locator(".msg.out", has_text="asks to be a group secretary")
    request = morgan.locator(f'.msg[data-message-id="{asked.get_attribute("data-message-id")}"]')
    request.get_by_role("button", name="✅ Approve").click()
    expect(request).to_contain_text("You approved Priya as a group secretary")  # edited in place
    expect(request.locator(".inline-button")).to_have_count(0)
    expect(page.locator('[data-person="Priya"] .messages')).to_contain_text("you're now a group secretary")
    # An invitation link in the chat is opened as another person: `/start <payload>` from them.
    # (/help and /coordinators are tapped in the bot's text, as in Telegram.)
    morgan.locator(".messages .command", has_text="/help").last.click()
    expect(morgan.locator(".messages")).to_contain_text("What you can do")
    morgan.locator(".messages .command", has_text="/coordinators").last.click()
    morgan.get_by_role("button", name="➕ Add a coordinator").click()
    invite = morgan.locator(".msg.out", has_text="Forward this link").locator("a").last
    expect(invite).to_have_attribute("href", re.compile(r"^https://t\.me/\w+\?start=co_"))
    invite.click()
    chooser = page.locator("#link-dialog")
    expect(chooser).to_be_visible()
    chooser.get_by_role("button", name="Jordan").click()
    jordan = page.locator('[data-person="Jordan"]')
    expect(jordan.locator(".msg.in").first).to_contain_text("/start co_")
    expect(jordan.locator(".messages")).to_contain_text("Nothing is saved until you press I agree")
    if os.environ.get("SANDBOX_DOCS_SCREENSHOT"):
        page.screenshot(path=str(ROOT / "docs" / "sandbox.png"))

    # Over 4,096 characters: the page warns, sends, and the bot answers kindly.
    sam.get_by_role("textbox", name="Message").fill("x" * 5000)
    expect(sam.locator(".counter")).to_contain_text("5,000 characters")
    sam.get_by_role("button", name="Send").click()
    expect(chat).to_contain_text("That message is too long for me (5000 characters)")

    # The clock: +1 hour, +1 day, a jump to a chosen time, and a refusal to go back.
    clock = page.locator("#clock-now")
    before = int(clock.get_attribute("data-epoch-ms") or 0)
    page.get_by_role("button", name="+1 hour").click()
    _expect_clock_at_least(clock, before + 3_600_000)
    page.get_by_role("button", name="+1 day").click()
    _expect_clock_at_least(clock, before + 25 * 3_600_000)
    year = time.gmtime(before / 1000).tm_year + 1
    # The jump box is UK day/month/year, 24-hour, whatever the browser's locale.
    page.locator("#clock-to").focus()
    expect(page.locator("#clock-to")).to_have_value(re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$"))
    page.locator("#clock-to").fill("31/02/2027 25:00")
    page.get_by_role("button", name="Jump").click()
    expect(page.locator("#clock-error")).to_contain_text("Give the date and time like 01/12/2026 09:00")
    page.locator("#clock-to").fill("tomorrow")
    page.get_by_role("button", name="Jump").click()
    expect(page.locator("#clock-error")).to_contain_text("Type the date and time like 25/12/2026 09:00")
    page.locator("#clock-to").fill(f"02/03/{year} 09:30")
    page.get_by_role("button", name="Jump").click()
    expect(clock).to_contain_text(f"2 Mar {year}, 09:30")
    page.locator("#clock-to").fill(f"02/03/{year - 2} 09:30")
    page.get_by_role("button", name="Jump").click()
    expect(page.locator("#clock-error")).to_contain_text("The clock only moves forward")
    expect(clock).to_contain_text(f"2 Mar {year}")

    # Another person, whose name is HTML: shown as text, never run or rendered as markup.
    alex = page.locator('[data-person="Alex"]')
    alex.get_by_role("button", name="START").click()
    alex.get_by_role("button", name="✅ I agree").click()
    expect(alex.locator(".messages")).to_contain_text("What should we call you?")
    alex.get_by_role("textbox", name="Message").fill("<img src=x onerror=alert(1)>")
    alex.get_by_role("textbox", name="Message").press("Enter")
    expect(alex.locator(".messages")).to_contain_text("Thanks, <img src=x onerror=alert(1)>. What brings you here?")
    expect(alex.locator(".messages img")).to_have_count(0)

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator('[data-person="Sam"] .messages').evaluate("list => list.scrollTop = list.scrollHeight")
    page.screenshot(path=str(ARTIFACTS / "sandbox.png"))

    # A phone-width window: one chat at a time, people chosen with tabs.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("tab", name="Sam").click()
    expect(sam).to_be_visible()
    expect(alex).to_be_hidden()
    page.get_by_role("tab", name="Alex").click()
    expect(alex).to_be_visible()
    expect(sam).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "sandbox-phone.png"))

    assert errors == [], errors


# Set-up questions and how to answer them; which ones are asked depends on the purpose.
SETUP_ANSWERS = {
    "What should we call you?": "type",
    "What brings you here?": "purpose",
    "Which time zone are you in?": "UK & Ireland",
    "When would you like your daily check-in?": "09:00",
    "Do you have a clean or sober date?": "No date / skip",
}


def onboard(page: object, name: str, purpose: str) -> None:
    """Set a person up through the page, answering each question as it comes."""
    phone = page.locator(f'[data-person="{name}"]')  # type: ignore[attr-defined]
    phone.get_by_role("button", name="START").click()
    phone.get_by_role("button", name="✅ I agree").click()
    answered: set[str] = set()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        newest = phone.locator(".msg.out").last.inner_text()
        if "You're all set" in phone.locator(".messages").inner_text():
            return
        question = next((q for q in SETUP_ANSWERS if q not in answered and q in newest), None)
        if question is None:
            time.sleep(0.05)
            continue
        answered.add(question)
        answer = SETUP_ANSWERS[question]
        if answer == "type":
            phone.get_by_role("textbox", name="Message").fill(name)
            phone.get_by_role("textbox", name="Message").press("Enter")
        else:
            phone.get_by_role("button", name=purpose if answer == "purpose" else answer, exact=True).last.click()
    raise AssertionError(f"{name} was not set up through the page")


def _expect_clock_at_least(clock: object, epoch_ms: int) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    shown = 0
    while time.monotonic() < deadline:
        shown = int(clock.get_attribute("data-epoch-ms") or 0)  # type: ignore[attr-defined]
        if shown >= epoch_ms:
            return
        time.sleep(0.05)
    raise AssertionError(f"the page's clock shows {shown}, expected at least {epoch_ms}")


def test_the_readme_walkthrough_ends_with_the_sponsor_seeing_the_alert(browser: object, sandbox_url: str) -> None:
    """README "Walkthrough: a missed check-in alerts the sponsor", step by step, at 1,400 px
    (all five phones in view), then the same page at phone width (compact controls)."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    expect.set_options(timeout=TIMEOUT_MS)
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")  # a US browser still sees UK dates
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(sandbox_url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    _expect_side_by_side(page, 1400)
    page.set_viewport_size({"width": 1000, "height": 900})  # narrower: the row of phones scrolls, not the page
    _expect_no_sideways_scroll(page)
    assert page.locator(".phones").evaluate("row => row.scrollWidth > row.clientWidth")
    page.set_viewport_size({"width": 1400, "height": 900})
    sam, alex = page.locator('[data-person="Sam"]'), page.locator('[data-person="Alex"]')

    # 1. Sam sets up, with a daily check-in at 08:00.
    sam.get_by_role("button", name="START").click()
    sam.get_by_role("button", name="✅ I agree").click()
    _type(sam, "Sam")
    sam.get_by_role("button", name="I'm in recovery").click()
    sam.locator(".reply-keyboard").get_by_role("button", name="UK & Ireland").click()
    sam.get_by_role("button", name="08:00").click()
    sam.get_by_role("button", name="No date / skip").click()
    expect(sam.locator(".messages")).to_contain_text("You're all set, Sam.")

    # 2. Sam adds a supporter; the link is opened as Alex.
    _type(sam, "/supporters")
    sam.get_by_role("button", name="➕ Add a supporter").click()
    sam.locator(".msg.out", has_text="Forward this link").locator("a").last.click()
    page.locator("#link-dialog").get_by_role("button", name="Alex").click()

    # 3. Alex sets up as a supporter and says yes.
    alex.get_by_role("button", name="✅ I agree").click()
    _type(alex, "Alex")
    alex.get_by_role("button", name="I support someone").click()
    alex.locator(".reply-keyboard").get_by_role("button", name="UK & Ireland").click()
    alex.get_by_role("button", name="✅ Yes, I'll support Sam").click()
    expect(alex.locator(".messages")).to_contain_text("You're now one of Sam's supporters")
    expect(sam.locator(".messages")).to_contain_text("Alex said yes")

    # 4. Next check-in: 08:00, and Sam's prompt arrives (left unanswered).
    page.get_by_role("button", name="⏭ Next check-in").click()
    expect(page.locator("#clock-now")).to_contain_text("08:00:")
    expect(sam.locator(".messages")).to_contain_text("Good morning, Sam")
    expect(alex.locator(".messages")).not_to_contain_text("has gone quiet")

    # 5. +1 day: a reminder on the way, and the next morning Alex gets the alert.
    page.get_by_role("button", name="+1 day").click()
    expect(sam.locator(".messages")).to_contain_text("Just a gentle reminder, Sam")
    alert = alex.locator(".msg.out", has_text="Sam has gone quiet.")
    expect(alert).to_be_visible()
    expect(alert.get_by_role("button", name="🤝 I'll reach out")).to_be_visible()
    page.screenshot(path="/tmp/sandbox-walkthrough-1400.png")

    # At phone width: one slim bar, the controls fold away, and nothing is wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("tab", name="Alex").click()
    expect(alert).to_be_visible()
    assert page.get_by_role("button", name="+1 day").is_hidden()
    assert (page.locator(".topbar").bounding_box() or {"height": 999})["height"] <= 844 * 0.08
    _expect_no_sideways_scroll(page)
    page.screenshot(path="/tmp/sandbox-walkthrough-390.png")
    page.get_by_role("button", name="Controls ▾").click()
    expect(page.get_by_role("button", name="+1 day")).to_be_visible()
    expect(page.locator("#clock-to")).to_have_attribute("placeholder", "dd/mm/yyyy hh:mm")
    _expect_no_sideways_scroll(page)
    page.screenshot(path="/tmp/sandbox-walkthrough-390-open.png")
    assert errors == [], errors


def _type(phone: object, text: str) -> None:
    box = phone.get_by_role("textbox", name="Message")  # type: ignore[attr-defined]
    box.fill(text)
    box.press("Enter")


def _expect_side_by_side(page: object, width: int) -> None:
    """Every phone entirely inside the window: none cut off at the right edge."""
    from playwright.sync_api import expect

    phones = page.locator(".phone")  # type: ignore[attr-defined]
    expect(phones).to_have_count(5)
    for index in range(5):
        box = phones.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (index, box)
    _expect_no_sideways_scroll(page)


def _expect_no_sideways_scroll(page: object) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[attr-defined]
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"
