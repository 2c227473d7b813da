// One simulated person's phone: their chat with the bot, reply keyboard and composer.
//
// A phone never changes its own messages after an action: it sends the action to the server
// and draws whatever the stand-in then reports (message, edit, delete), so the page shows
// what really happened, including the bot's edits and deletions, in place.

import { people as api } from "./api.js";
import { renderContent } from "./render.js";

const TELEGRAM_LIMIT = 4096;
const UNSUPPORTED_REQUESTS = ["request_contact", "request_poll", "request_users", "request_chat", "web_app"];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class Phone {
  /** `app` gives: formatTime(epochSeconds), commands(), openPicker(phone), openLink(url, phone, event), activity(phone). */
  constructor(person, app) {
    this.app = app;
    this.id = person.id;
    this.items = new Map(); // message_id -> <li>
    this.root = document.getElementById("phone-template").content.firstElementChild.cloneNode(true);
    this.q = (selector) => this.root.querySelector(selector);
    this.list = this.q(".messages");
    this.textarea = this.q("textarea");
    this.wire();
    this.update(person);
  }

  // --- identity ------------------------------------------------------------------------

  update(person) {
    this.person = person;
    this.root.dataset.personId = String(person.id);
    this.root.dataset.person = person.name;
    this.root.setAttribute("aria-label", `Chat of ${person.name}`);
    this.q(".avatar").textContent = person.name.slice(0, 1).toUpperCase();
    this.q(".avatar").dataset.role = person.role;
    this.q(".name").textContent = person.name;
    this.q(".role").textContent = person.role_label;
    this.q(".hint").textContent = person.hint;
  }

  // --- messages ------------------------------------------------------------------------

  load(person) {
    this.update(person);
    this.list.replaceChildren();
    this.items.clear();
    for (const entry of person.chat) this.upsert(entry, { quiet: true });
    this.setKeyboard(person.keyboard);
    this.refreshEmpty();
    this.scrollToEnd();
  }

  upsert(entry, { quiet = false } = {}) {
    if (entry.kind === "callback_query") return; // a press is not a message in Telegram either
    const item = this.renderItem(entry);
    const old = this.items.get(entry.message_id);
    if (old) {
      old.replaceWith(item);
    } else {
      this.list.append(item);
      if (entry.direction === "out") this.setTyping(null);
      if (!quiet) {
        this.scrollToEnd();
        if (entry.direction === "out") this.app.activity(this);
      }
    }
    this.items.set(entry.message_id, item);
    this.refreshEmpty();
  }

  renderItem(entry) {
    const item = el("li", `msg ${entry.direction}`);
    item.dataset.messageId = String(entry.message_id);
    item.dataset.kind = entry.kind;
    const bubble = el("div", "bubble");
    if (entry.deleted) {
      item.classList.add("deleted");
      bubble.append(el("em", "deleted-note", "Message deleted"));
      item.append(bubble);
      return item;
    }
    bubble.append(
      renderContent(entry, {
        onCommand: (command) => this.send(command),
        onLink: (url, event) => this.app.openLink(url, this, event),
      }),
    );
    const meta = el("span", "meta");
    if (entry.edits) meta.append(el("span", "edited", "edited"));
    meta.append(el("time", "", this.app.formatTime(entry.date)));
    bubble.append(meta);
    item.append(bubble);
    const rows = entry.direction === "out" ? entry.reply_markup?.inline_keyboard : null;
    if (rows?.length) item.append(this.inlineKeyboard(entry.message_id, rows));
    return item;
  }

  inlineKeyboard(messageId, rows) {
    const board = el("div", "inline-keyboard");
    for (const row of rows) {
      const line = el("div", "row");
      for (const button of row) {
        const b = el("button", "inline-button", button.text);
        b.type = "button";
        if (typeof button.callback_data === "string") {
          b.addEventListener("click", () => this.press(b, messageId, button.callback_data));
        } else if (button.url) {
          b.classList.add("url");
          b.addEventListener("click", (event) => this.app.openLink(button.url, this, event, true));
        } else {
          b.disabled = true;
          b.title = "This kind of button isn't simulated in the sandbox";
        }
        line.append(b);
      }
      board.append(line);
    }
    return board;
  }

  refreshEmpty() {
    const empty = this.items.size === 0;
    this.q(".empty").hidden = !empty;
  }

  scrollToEnd() {
    requestAnimationFrame(() => {
      this.list.scrollTop = this.list.scrollHeight;
    });
  }

  // --- what the bot does besides messages -----------------------------------------------

  setKeyboard(markup) {
    const box = this.q(".reply-keyboard");
    box.replaceChildren();
    const rows = markup?.keyboard || [];
    box.hidden = rows.length === 0;
    this.textarea.placeholder = markup?.input_field_placeholder || "Message";
    for (const row of rows) {
      const line = el("div", "row");
      for (const raw of row) {
        const button = typeof raw === "string" ? { text: raw } : raw;
        const b = el("button", "keyboard-button", button.text);
        b.type = "button";
        if (button.request_location) {
          b.classList.add("location");
          b.addEventListener("click", () => this.app.openPicker(this));
        } else if (UNSUPPORTED_REQUESTS.some((key) => key in button)) {
          b.disabled = true;
          b.title = "This kind of button isn't simulated in the sandbox";
        } else {
          b.addEventListener("click", () => this.send(button.text));
        }
        line.append(b);
      }
      box.append(line);
    }
  }

  showAnswer(press) {
    const item = this.items.get(press.message_id);
    item?.querySelectorAll(".inline-button.pending").forEach((b) => b.classList.remove("pending"));
    const text = press.answer?.text;
    if (!text) return;
    if (press.answer.show_alert) {
      const alert = this.q(".alert");
      alert.querySelector(".alert-text").textContent = text;
      alert.hidden = false;
      alert.querySelector("button").focus();
      return;
    }
    const toast = this.q(".toast");
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { toast.hidden = true; }, 3500);
  }

  setTyping(action) {
    const status = this.q(".status-line");
    clearTimeout(this.typingTimer);
    const words = { typing: "typing…", upload_photo: "sending a photo…", upload_document: "sending a file…", find_location: "finding a location…" };
    status.textContent = action ? words[action] || "busy…" : "bot";
    status.classList.toggle("busy", Boolean(action));
    if (action) this.typingTimer = setTimeout(() => this.setTyping(null), 5000);
  }

  // --- acting --------------------------------------------------------------------------

  wire() {
    const form = this.q(".composer");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send(this.textarea.value, { fromComposer: true });
    });
    this.textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    this.textarea.addEventListener("input", () => this.updateCounter());
    this.q(".location-btn").addEventListener("click", () => this.app.openPicker(this));
    this.q(".start").addEventListener("click", () => this.send("/start"));
    this.q(".menu-btn").addEventListener("click", () => this.toggleMenu());
    this.q(".alert button").addEventListener("click", () => { this.q(".alert").hidden = true; });
  }

  updateCounter() {
    const length = this.textarea.value.length;
    const counter = this.q(".counter");
    counter.hidden = length <= TELEGRAM_LIMIT;
    counter.textContent = `${length.toLocaleString("en-GB")} characters: over Telegram's ${TELEGRAM_LIMIT.toLocaleString("en-GB")}, so the bot should say it's too long.`;
  }

  toggleMenu(force) {
    const menu = this.q(".command-menu");
    const open = force ?? menu.hidden;
    menu.replaceChildren();
    for (const { command, description } of this.app.commands()) {
      const item = el("li");
      const b = el("button", "", "");
      b.type = "button";
      b.append(el("span", "command", `/${command}`), el("span", "description", description));
      b.addEventListener("click", () => { this.toggleMenu(false); this.send(`/${command}`); });
      item.append(b);
      menu.append(item);
    }
    menu.hidden = !open;
  }

  setError(message) {
    const box = this.q(".composer-error");
    box.textContent = message || "";
    box.hidden = !message;
    clearTimeout(this.errorTimer);
    if (message) this.errorTimer = setTimeout(() => this.setError(""), 6000);
  }

  async send(text, { fromComposer = false } = {}) {
    if (!text.trim()) {
      this.setError("Type a message first: Telegram doesn't send empty messages.");
      this.textarea.focus();
      return;
    }
    this.setError("");
    try {
      await api.text(this.id, text);
      if (fromComposer) {
        this.textarea.value = "";
        this.updateCounter();
      }
    } catch (error) {
      this.setError(error.message);
    }
  }

  async shareLocation(latitude, longitude) {
    await api.location(this.id, latitude, longitude); // errors are shown by the picker
  }

  async press(button, messageId, data) {
    button.classList.add("pending");
    setTimeout(() => button.classList.remove("pending"), 4000);
    try {
      await api.press(this.id, messageId, data);
    } catch (error) {
      button.classList.remove("pending");
      this.setError(error.message);
    }
  }
}
