// Turning the bot's messages into DOM, the way a Telegram client does.
//
// The stand-in parses the bot's HTML (parse_mode=HTML) into plain text plus entities, exactly
// as Telegram's servers do, and that is what we draw: text nodes for the text, one element per
// entity. No string from the bot ever reaches innerHTML, so a message can't inject markup;
// links keep only http(s), mailto, tel and tg schemes.

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:", "tel:", "tg:"]);

/** A URL safe to put in href, or null. Bare domains get https:// as Telegram assumes. */
export function safeUrl(raw) {
  if (typeof raw !== "string" || !raw.trim()) return null;
  let text = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) text = `https://${text}`;
  try {
    const url = new URL(text);
    return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function linkTo(href, text, handlers) {
  const url = safeUrl(href);
  if (!url) {
    const span = document.createElement("span");
    span.className = "entity-link broken";
    return span;
  }
  const a = document.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.addEventListener("click", (event) => handlers.onLink?.(url, event));
  return a;
}

/** [outer, inner] elements for one entity; children are appended to inner. */
function elementFor(entity, segment, handlers) {
  const make = (tag, className) => {
    const el = document.createElement(tag);
    if (className) el.className = className;
    return [el, el];
  };
  switch (entity.type) {
    case "bold": return make("strong");
    case "italic": return make("em");
    case "underline": return make("u");
    case "strikethrough": return make("s");
    case "code": return make("code");
    case "pre": {
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      if (/^[a-z0-9+#-]{1,32}$/i.test(entity.language || "")) code.className = `language-${entity.language}`;
      pre.append(code);
      return [pre, code];
    }
    case "blockquote": return make("blockquote");
    case "expandable_blockquote": {
      const [quote] = make("blockquote", "expandable");
      quote.title = "Tap to expand";
      quote.addEventListener("click", () => quote.classList.toggle("expanded"));
      return [quote, quote];
    }
    case "spoiler": {
      const [span] = make("span", "spoiler");
      span.addEventListener("click", () => span.classList.add("revealed"));
      return [span, span];
    }
    case "text_link": { const a = linkTo(entity.url, segment, handlers); return [a, a]; }
    case "url": { const a = linkTo(segment, segment, handlers); return [a, a]; }
    case "email": { const a = linkTo(`mailto:${segment}`, segment, handlers); return [a, a]; }
    case "phone_number": { const a = linkTo(`tel:${segment.replace(/[^\d+]/g, "")}`, segment, handlers); return [a, a]; }
    case "bot_command": {
      const [span] = make("span", "entity-link command");
      span.setAttribute("role", "button");
      span.tabIndex = 0;
      span.title = "Send this command";
      span.addEventListener("click", () => handlers.onCommand?.(segment));
      return [span, span];
    }
    case "mention": case "hashtag": case "cashtag": case "text_mention":
      return make("span", "entity-link");
    default:
      return make("span");
  }
}

/** Text plus Bot API entities (UTF-16 offsets, which JS strings use too) as a fragment. */
export function renderEntities(text, entities, handlers = {}) {
  const list = (entities || [])
    .filter((e) => Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0)
    .map((e) => ({ ...e, end: e.offset + e.length }))
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  const fragment = document.createDocumentFragment();
  build(fragment, text || "", 0, (text || "").length, list, handlers, true);
  return fragment;
}

// Entities whose text is shown as it is: no links or commands detected inside them.
const LITERAL = new Set(["code", "pre", "text_link", "url", "email", "phone_number", "bot_command", "mention", "hashtag", "cashtag"]);

function build(parent, text, start, end, list, handlers, detect) {
  let pos = start;
  let i = 0;
  const plain = (from, to) => parent.append(detect ? autolink(text.slice(from, to), handlers) : text.slice(from, to));
  while (i < list.length && list[i].offset < end) {
    const entity = list[i];
    const from = Math.max(entity.offset, pos);
    const to = Math.min(entity.end, end);
    let j = i + 1;
    while (j < list.length && list[j].offset < to) j += 1;
    if (to > from) {
      if (from > pos) plain(pos, from);
      const [outer, inner] = elementFor(entity, text.slice(from, to), handlers);
      // Entities inside this one; one that overlaps its end is cut there (text is never lost).
      build(inner, text, from, to, list.slice(i + 1, j), handlers, detect && !LITERAL.has(entity.type));
      parent.append(outer);
      pos = to;
    }
    i = j;
  }
  if (pos < end) plain(pos, end);
}

// Telegram's servers mark links and /commands in what a bot sends even without markup, and
// clients make them tappable; the stand-in leaves that detection to us.
const DETECT = /(https?:\/\/[^\s<>"]+|\bt\.me\/[^\s<>"]+)|(?<![\w/])(\/[a-zA-Z0-9_]{1,32})(?![\w/])/g;

/** Plain text as a fragment with links and /commands made into their entity elements. */
function autolink(segment, handlers) {
  const fragment = document.createDocumentFragment();
  let pos = 0;
  for (const match of segment.matchAll(DETECT)) {
    let found = match[0];
    if (match[1]) found = found.replace(/[.,;:!?)\]]+$/, ""); // trailing punctuation is not part of a link
    if (match.index > pos) fragment.append(segment.slice(pos, match.index));
    const [element] = elementFor({ type: match[1] ? "url" : "bot_command" }, found, handlers);
    element.append(found);
    fragment.append(element);
    pos = match.index + found.length;
  }
  if (pos < segment.length) fragment.append(segment.slice(pos));
  return fragment;
}

const fileUrl = (fileId, download) =>
  `/api/files/${encodeURIComponent(fileId)}${download ? "?download=1" : ""}`;

function formatBytes(size) {
  if (!Number.isFinite(size)) return "";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

function mapCard(location, title, address) {
  const card = document.createElement("div");
  card.className = "map-card";
  const map = document.createElement("div");
  map.className = "map";
  map.setAttribute("aria-hidden", "true");
  const pin = document.createElement("span");
  pin.className = "pin";
  pin.textContent = "📍";
  map.append(pin);
  const lat = Number(location?.latitude);
  const lon = Number(location?.longitude);
  const label = document.createElement("div");
  label.className = "map-label";
  if (title) {
    const strong = document.createElement("strong");
    strong.textContent = title;
    label.append(strong);
  }
  if (address) {
    const line = document.createElement("div");
    line.textContent = address;
    label.append(line);
  }
  const coords = document.createElement("div");
  coords.className = "coords";
  coords.textContent = `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
  const open = document.createElement("a");
  open.href = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=15/${lat}/${lon}`;
  open.target = "_blank";
  open.rel = "noopener noreferrer";
  open.textContent = "Open map";
  coords.append(" · ", open);
  label.append(coords);
  card.append(map, label);
  return card;
}

/** The body of a bubble for any message kind the bot or a person can send. */
export function renderContent(entry, handlers) {
  const body = document.createElement("div");
  body.className = `content kind-${entry.kind}`;
  const payload = entry.payload || {};
  switch (entry.kind) {
    case "location":
      body.append(mapCard(payload.location));
      break;
    case "venue":
      body.append(mapCard(payload.venue?.location || payload.location, payload.venue?.title, payload.venue?.address));
      break;
    case "photo": {
      const sizes = payload.photo || [];
      const largest = sizes[sizes.length - 1];
      if (largest?.file_id) {
        const img = document.createElement("img");
        img.src = fileUrl(largest.file_id);
        img.alt = "Photo";
        img.loading = "lazy";
        body.append(img);
      }
      break;
    }
    case "document": {
      const doc = payload.document || {};
      const link = document.createElement("a");
      link.className = "document";
      link.href = fileUrl(doc.file_id, true);
      link.download = doc.file_name || "file";
      const icon = document.createElement("span");
      icon.className = "doc-icon";
      icon.textContent = "📄";
      const name = document.createElement("span");
      name.className = "doc-name";
      name.textContent = doc.file_name || "File";
      const size = document.createElement("span");
      size.className = "doc-size";
      size.textContent = `${formatBytes(doc.file_size)} · Download`;
      link.append(icon, name, size);
      body.append(link);
      break;
    }
    case "text":
      break;
    default: {
      const note = document.createElement("em");
      note.className = "other-kind";
      note.textContent = `[${entry.kind}]`;
      body.append(note);
    }
  }
  if (entry.text) {
    const text = document.createElement("div");
    text.className = entry.kind === "text" ? "text" : "text caption";
    text.append(renderEntities(entry.text, entry.entities, handlers));
    body.append(text);
  }
  return body;
}
