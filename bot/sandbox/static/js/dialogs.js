// The page's dialogs: the place picker (what a `request_location` button opens), adding a
// person, and choosing who opens a t.me link to the bot (how invitations reach a person).

import { get, people as api } from "./api.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showError(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}

/** Presets (prisons, towns, postcode districts) or typed coordinates, shared as one person. */
export class PlacePicker {
  constructor() {
    this.dialog = document.getElementById("place-picker");
    this.search = this.dialog.querySelector("input[type=search]");
    this.list = this.dialog.querySelector(".place-list");
    this.error = this.dialog.querySelector(".picker-error");
    this.kind = "prison";
    this.dialog.querySelectorAll("[data-kind]").forEach((tab) =>
      tab.addEventListener("click", () => this.showKind(tab.dataset.kind)),
    );
    this.search.addEventListener("input", () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.refresh(), 150);
    });
    this.dialog.querySelector(".coords-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target;
      const value = (name) => form.elements.namedItem(name).value.trim();
      this.share(value("latitude"), value("longitude"));
    });
    this.dialog.querySelector(".cancel").addEventListener("click", () => this.dialog.close());
  }

  open(phone) {
    this.phone = phone;
    this.dialog.querySelector(".who").textContent = phone.person.name;
    showError(this.error, "");
    this.search.value = "";
    this.showKind(this.kind);
    this.dialog.showModal();
    (this.kind === "coords" ? this.dialog.querySelector("[name=latitude]") : this.search).focus();
  }

  showKind(kind) {
    this.kind = kind;
    this.dialog.querySelectorAll("[data-kind]").forEach((tab) =>
      tab.setAttribute("aria-selected", String(tab.dataset.kind === kind)),
    );
    const typed = kind === "coords";
    this.dialog.querySelector(".coords-form").hidden = !typed;
    this.dialog.querySelector(".preset-area").hidden = typed;
    const names = { prison: "prisons", town: "towns", postcode: "postcode districts, e.g. LS1" };
    this.search.placeholder = `Search ${names[kind] || ""}`;
    showError(this.error, "");
    if (!typed) this.refresh();
  }

  async refresh() {
    const query = new URLSearchParams({ kind: this.kind, q: this.search.value });
    try {
      const { places } = await get(`/api/places?${query}`);
      this.list.replaceChildren(
        ...places.map((place) => {
          const item = el("li");
          const b = el("button", "place");
          b.type = "button";
          b.append(el("span", "place-name", place.name), el("span", "place-detail", place.detail));
          b.addEventListener("click", () => this.share(place.latitude, place.longitude));
          item.append(b);
          return item;
        }),
      );
      if (places.length === 0) this.list.append(el("li", "nothing", "Nothing matches. Try another word."));
    } catch (error) {
      showError(this.error, error.message);
    }
  }

  async share(latitude, longitude) {
    try {
      await this.phone.shareLocation(latitude, longitude);
      this.dialog.close();
    } catch (error) {
      showError(this.error, error.message);
    }
  }
}

/** Add a simulated person (they appear in every open page). */
export class PersonDialog {
  constructor(roles) {
    this.dialog = document.getElementById("person-dialog");
    this.form = this.dialog.querySelector("form");
    this.error = this.dialog.querySelector(".dialog-error");
    this.setRoles(roles);
    this.form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api.add(this.field("person_name").value, this.field("person_role").value, this.field("person_language").value);
        this.dialog.close();
      } catch (error) {
        showError(this.error, error.message);
      }
    });
    this.dialog.querySelector(".cancel").addEventListener("click", () => this.dialog.close());
  }

  field(name) {
    return this.form.elements.namedItem(name);
  }

  setRoles(roles) {
    const select = this.field("person_role");
    const chosen = select.value || "person";
    select.replaceChildren(...roles.map(({ key, label }) => {
      const option = el("option", "", label);
      option.value = key;
      return option;
    }));
    select.value = chosen;
  }

  open() {
    this.form.reset();
    this.field("person_role").value = "person";
    showError(this.error, "");
    this.dialog.showModal();
    this.field("person_name").focus();
  }
}

/** A t.me link to the bot (an invitation): pick who opens it, which sends `/start <payload>`. */
export class LinkDialog {
  constructor() {
    this.dialog = document.getElementById("link-dialog");
    this.list = this.dialog.querySelector(".people-list");
    this.dialog.querySelector(".cancel").addEventListener("click", () => this.dialog.close());
  }

  open(payload, phones, from) {
    this.dialog.querySelector(".payload").textContent = payload ? `/start ${payload}` : "/start";
    this.list.replaceChildren(
      ...phones.map((phone) => {
        const item = el("li");
        const b = el("button", "", phone.person.name + (phone === from ? " (who got the link)" : ""));
        b.type = "button";
        b.addEventListener("click", () => {
          this.dialog.close();
          phone.send(payload ? `/start ${payload}` : "/start");
          phone.app.focus(phone);
        });
        item.append(b);
        return item;
      }),
    );
    this.dialog.showModal();
  }
}
