// The sandbox page: one phone per simulated person, a clock control, and a live connection.
//
// Everything arrives over one server-sent event stream: a full snapshot first (and again
// after any reconnect, so a restarted sandbox or a sleeping laptop never leaves the page
// stale), then each change as it happens.

import { post } from "./api.js";
import { LinkDialog, PersonDialog, PlacePicker } from "./dialogs.js";
import { Phone } from "./phone.js";

const phones = new Map(); // person id -> Phone
const state = { bot: { username: "" }, commands: [], zone: "Europe/London", clock: null, active: null };
const $ = (selector) => document.querySelector(selector);

// --- time --------------------------------------------------------------------------------

let clockFormat;
let timeFormat;

function setZone(zone) {
  state.zone = zone;
  clockFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  timeFormat = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit" });
}
setZone(state.zone);

/** The bot's clock runs with real time between moves, so we tick it locally. */
function botNow() {
  if (!state.clock) return null;
  return state.clock.epochMs + (performance.now() - state.clock.seenAt);
}

function setClock(view) {
  if (view.zone && view.zone !== state.zone) setZone(view.zone);
  state.clock = { epochMs: view.epoch_ms, seenAt: performance.now() };
  $("#clock-zone").textContent = view.zone.split("/").pop().replace(/_/g, " ");
  drawClock();
}

function drawClock() {
  const now = botNow();
  if (now === null) return;
  const shown = $("#clock-now");
  shown.textContent = clockFormat.format(now);
  shown.dateTime = new Date(now).toISOString();
  shown.dataset.epochMs = String(Math.floor(now));
}
setInterval(drawClock, 1000);

/** "DD/MM/YYYY HH:MM" (UK order, 24-hour) of the bot's time in its zone, for the jump box:
 * the same whatever the browser's own locale, unlike a datetime-local input. */
function localInputValue(epochMs) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: state.zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(epochMs).map((p) => [p.type, p.value]),
  );
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

function showClockError(message) {
  const box = $("#clock-error");
  box.textContent = message || "";
  box.hidden = !message;
  clearTimeout(showClockError.timer);
  if (message) showClockError.timer = setTimeout(() => showClockError(""), 8000);
}

function showClockNote(message) {
  const box = $("#clock-note");
  box.textContent = message || "";
  box.hidden = !message;
  clearTimeout(showClockNote.timer);
  if (message) showClockNote.timer = setTimeout(() => showClockNote(""), 12000);
}

/** Moves can take a moment (the clock stops at every due prompt and alert), so the
 * buttons wait for the answer; a second click would only queue another move. */
async function moveClock(body) {
  showClockError("");
  showClockNote("");
  const buttons = document.querySelectorAll(".clock-controls button");
  buttons.forEach((button) => { button.disabled = true; });
  try {
    const view = await post("/api/clock", body);
    setClock(view);
    showClockNote(view.note);
  } catch (error) {
    showClockError(error.message);
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
  }
}

$("#clock-hour").addEventListener("click", () => moveClock({ hours: 1 }));
$("#clock-day").addEventListener("click", () => moveClock({ days: 1 }));
$("#clock-next").addEventListener("click", () => moveClock({ next: "checkin" }));
$("#clock-jump").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("#clock-to");
  const value = input.value.trim();
  if (!value || !input.checkValidity()) {
    showClockError("Type the date and time like 25/12/2026 09:00 (day/month/year, 24-hour).");
    return;
  }
  moveClock({ to: value });
});
$("#clock-to").addEventListener("focus", () => {
  if (!$("#clock-to").value && botNow()) $("#clock-to").value = localInputValue(botNow() + 86400000);
});

// On a phone-width window the controls fold away behind one button, so the chat has the room.
$("#controls-toggle").addEventListener("click", () => {
  const open = !$("#topbar").classList.contains("open");
  $("#topbar").classList.toggle("open", open);
  $("#controls-toggle").setAttribute("aria-expanded", String(open));
  $("#controls-toggle").textContent = open ? "Controls ▴" : "Controls ▾";
});

// --- people and phones ---------------------------------------------------------------------

const app = {
  formatTime: (seconds) => timeFormat.format(seconds * 1000),
  commands: () => state.commands,
  openPicker: (phone) => picker.open(phone),
  openLink: (url, phone, event, fromButton = false) => openLink(url, phone, event, fromButton),
  activity: (phone) => markUnread(phone),
  focus: (phone) => activate(phone.id),
};

const picker = new PlacePicker();
const personDialog = new PersonDialog([]);
const linkDialog = new LinkDialog();

function upsertPerson(person, { reload = true } = {}) {
  let phone = phones.get(person.id);
  if (!phone) {
    phone = new Phone(person, app);
    phones.set(person.id, phone);
    $("#phones").append(phone.root);
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "tab";
    tab.dataset.personId = String(person.id);
    tab.setAttribute("role", "tab");
    tab.addEventListener("click", () => activate(person.id));
    $("#tabs").append(tab);
  }
  const tab = $(`#tabs [data-person-id="${person.id}"]`);
  tab.textContent = person.name;
  if (reload) phone.load(person);
  else phone.update(person);
  if (state.active === null) activate(person.id);
}

function activate(id) {
  state.active = id;
  for (const [personId, phone] of phones) {
    const on = personId === id;
    phone.root.classList.toggle("active", on);
    const tab = $(`#tabs [data-person-id="${personId}"]`);
    tab.setAttribute("aria-selected", String(on));
    if (on) tab.classList.remove("unread");
  }
  // On a wide screen every phone is visible: bring the chosen one into view.
  phones.get(id)?.root.scrollIntoView({ behavior: "smooth", block: "nearest", inline: "nearest" });
}

function markUnread(phone) {
  if (phone.id !== state.active) $(`#tabs [data-person-id="${phone.id}"]`)?.classList.add("unread");
}

function loadSnapshot(snapshot) {
  state.bot = snapshot.bot;
  state.commands = snapshot.commands;
  personDialog.setRoles(snapshot.roles);
  setClock(snapshot.clock);
  setStandin(snapshot.standin.up);
  const seen = new Set();
  for (const person of snapshot.people) {
    upsertPerson(person);
    seen.add(person.id);
  }
  for (const [id, phone] of phones) {
    if (!seen.has(id)) {
      phone.root.remove();
      $(`#tabs [data-person-id="${id}"]`)?.remove();
      phones.delete(id);
    }
  }
  if (!phones.has(state.active) && phones.size) activate(phones.keys().next().value);
  document.body.dataset.ready = "true";
}

/** Links to our own bot (`t.me/<bot>?start=...`) are invitations: choose who opens them. */
function openLink(url, phone, event, fromButton) {
  const parsed = new URL(url);
  const bot = state.bot.username.toLowerCase();
  const host = parsed.hostname.toLowerCase();
  const path = parsed.pathname.replace(/^\/+/, "").toLowerCase();
  const isOurBot =
    (["t.me", "telegram.me"].includes(host) && path === bot) ||
    (parsed.protocol === "tg:" && parsed.searchParams.get("domain")?.toLowerCase() === bot);
  if (isOurBot) {
    event?.preventDefault();
    linkDialog.open(parsed.searchParams.get("start") || "", [...phones.values()], phone);
  } else if (fromButton) {
    window.open(url, "_blank", "noopener,noreferrer");
  }
}

// --- the stand-in and the connection ------------------------------------------------------

function setStandin(up) {
  const banner = $("#standin-banner");
  banner.hidden = up;
  $("#restart-standin").disabled = !up;
}

function setConnection(status) {
  const badge = $("#connection");
  badge.dataset.status = status;
  badge.textContent = { live: "● live", connecting: "● connecting…", lost: "● reconnecting…" }[status];
}

function handle(event) {
  const phone = event.chat_id !== null ? phones.get(event.chat_id) : null;
  switch (event.event) {
    case "state": loadSnapshot(event.data); break;
    case "clock": setClock(event.data); break;
    case "standin": setStandin(event.data.up); break;
    case "commands": state.commands = event.data.commands; break;
    case "person": upsertPerson(event.data); break;
    case "message":
    case "edit":
    case "delete":
      phone?.upsert(event.data);
      if (phone && "keyboard" in event) phone.setKeyboard(event.keyboard);
      break;
    case "callback_answer": phone?.showAnswer(event.data); break;
    case "chat_action": phone?.setTyping(event.data.action); break;
    default: break;
  }
}

function connect() {
  setConnection("connecting");
  const source = new EventSource("/api/events");
  source.addEventListener("open", () => setConnection("live"));
  source.addEventListener("message", (message) => {
    try {
      handle(JSON.parse(message.data));
    } catch (error) {
      console.error("sandbox: could not show an event", error);
    }
  });
  // EventSource reconnects by itself; the server then sends a fresh snapshot.
  source.addEventListener("error", () => setConnection("lost"));
}

$("#add-person").addEventListener("click", () => personDialog.open());
$("#restart-standin").addEventListener("click", async () => {
  $("#restart-standin").disabled = true;
  try {
    await post("/api/standin/restart");
  } catch (error) {
    showClockError(error.message);
  } finally {
    $("#restart-standin").disabled = false;
  }
});

connect();
