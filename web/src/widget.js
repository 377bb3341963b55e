// Kotobotti's web chat widget. One script tag puts it on any page:
//   <script src="http://localhost:8080/widget.js" defer></script>
// It talks to the Rasa server's socket.io channel (rasa_components/socketio_channel.py),
// keeps the conversation for the tab's lifetime (sessionStorage: a shared library
// computer forgets it when the tab closes), reconnects by itself, and shows every text
// with textContent, never as HTML. Its own texts come from the server's Babel catalogs
// (/i18n/<lang>.json), so this file holds none.
import { io } from "socket.io-client";

// Written by the widget's server (bot/widget_server.py): where Rasa listens.
const SERVER_CONFIG = "__KOTOBOTTI_CONFIG__";
const STORE_KEY = "kotobotti-widget";
const MAX_CHARS = 2000; // as rasa_components/socketio_channel.py accepts
const TYPING_TIMEOUT_MS = 30000; // the "writing" notice goes away if no answer comes

const script = document.currentScript;
const home = new URL(script && script.src ? script.src : "/widget.js", location.href);

// -- small helpers ---------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// A speech bubble drawn in SVG (an emoji needs a colour-emoji font the machine may lack).
function bubble() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "24");
  svg.setAttribute("height", "24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H10l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function config() {
  const fromServer = typeof SERVER_CONFIG === "object" ? SERVER_CONFIG : {};
  const own = script && script.dataset ? script.dataset : {};
  if (own.rasaUrl) return own.rasaUrl;
  if (fromServer.rasaUrl) return fromServer.rasaUrl;
  return `${home.protocol}//${home.hostname}:${fromServer.rasaPort || 5005}`;
}

// -- what survives a reload --------------------------------------------------------------
function load() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
    if (saved && typeof saved === "object" && Array.isArray(saved.messages)) return saved;
  } catch (_) {
    /* unreadable: start afresh */
  }
  return null;
}

function fresh(language) {
  return { sessionId: randomId(), messages: [], pending: [], draft: "", open: false, language, started: false };
}

// -- the widget --------------------------------------------------------------------------
class Widget {
  constructor() {
    const hint = (document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
    this.state = load() || fresh(hint);
    this.texts = null;
    this.bundles = {};
    this.socket = null;
    this.ready = false; // connected and in the conversation's room
    this.forgotten = false; // deleted, and the person has not written since
    this.typingTimer = null;
  }

  save() {
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify(this.state));
    } catch (_) {
      /* storage full or off: the conversation still works, it just will not survive a reload */
    }
  }

  async bundle(language) {
    if (!this.bundles[language]) {
      const response = await fetch(new URL(`/i18n/${language}.json`, home), { credentials: "omit" });
      if (!response.ok) throw new Error(`no texts for ${language}`);
      this.bundles[language] = await response.json();
    }
    return this.bundles[language];
  }

  async start() {
    try {
      this.texts = await this.bundle(this.state.language);
    } catch (_) {
      this.state.language = "en";
      this.texts = await this.bundle("en");
    }
    this.dirs = Object.fromEntries(this.texts.languages.map((l) => [l.code, l.dir]));
    await this.ensureBundles(this.state.messages.filter((m) => m.custom).map((m) => m.language));
    this.build();
    this.applyTexts();
    for (const message of this.state.messages) this.log.append(this.render(message));
    this.refreshChoices();
    if (this.state.open) this.open(false);
  }

  dirOf(language) {
    return this.dirs[language] || "ltr";
  }

  // The DOM, in a shadow root so the host page's styles and ours stay apart.
  build() {
    this.host = el("div", { id: "kotobotti-widget" });
    const root = this.host.attachShadow({ mode: "open" });
    const css = el("link", { rel: "stylesheet", href: new URL("/widget.css", home).href });
    this.frame = el("div", { class: "kb", hidden: true });
    css.addEventListener("load", () => (this.frame.hidden = false));
    css.addEventListener("error", () => (this.frame.hidden = false));

    this.launcher = el("button", {
      type: "button",
      class: "launcher",
      "aria-expanded": "false",
      "aria-controls": "kb-panel",
      onclick: () => (this.isOpen() ? this.close() : this.open(true)),
    });
    this.launcherText = el("span", { class: "launcher-text" });
    this.launcher.append(bubble(), this.launcherText);

    this.title = el("h2", { id: "kb-title", class: "title" });
    this.languageLabel = el("label", { for: "kb-language", class: "language-label" });
    this.languageSelect = el("select", {
      id: "kb-language",
      onchange: () => this.chooseLanguage(this.languageSelect.value),
    });
    this.closeButton = el("button", { type: "button", class: "close", onclick: () => this.close() });
    this.closeButton.append(el("span", { "aria-hidden": "true", text: "×" }));

    this.log = el("div", {
      class: "log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-labelledby": "kb-log-label",
      tabindex: "0",
    });
    this.logLabel = el("span", { id: "kb-log-label", class: "sr-only" });
    this.status = el("p", { class: "status", role: "status", "aria-live": "polite" });

    this.deleteButton = el("button", { type: "button", class: "tool", onclick: () => this.askDelete() });
    this.confirmBox = el("div", { class: "confirm", hidden: true, role: "group", "aria-labelledby": "kb-confirm-text" });
    this.confirmText = el("p", { id: "kb-confirm-text", tabindex: "-1" });
    this.confirmYes = el("button", { type: "button", class: "danger", onclick: () => this.forget() });
    this.confirmNo = el("button", { type: "button", class: "tool", onclick: () => this.cancelDelete() });
    this.confirmBox.append(this.confirmText, el("div", { class: "row" }, this.confirmYes, this.confirmNo));

    this.inputLabel = el("label", { for: "kb-input", class: "sr-only" });
    this.input = el("textarea", { id: "kb-input", rows: "2", maxlength: String(MAX_CHARS), autocomplete: "off" });
    this.input.value = this.state.draft || "";
    this.input.addEventListener("input", () => {
      this.state.draft = this.input.value;
      this.save();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.sendButton = el("button", { type: "submit", class: "send" });
    const form = el("form", { class: "composer", onsubmit: (event) => (event.preventDefault(), this.submit()) });
    form.append(this.inputLabel, this.input, this.sendButton);

    this.panel = el("section", {
      id: "kb-panel",
      class: "panel",
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": "kb-title",
      hidden: true,
    });
    this.panel.addEventListener("keydown", (event) => this.onKey(event));
    const header = el(
      "div",
      { class: "header" },
      this.title,
      el("div", { class: "header-tools" }, this.languageLabel, this.languageSelect, this.closeButton),
    );
    const tools = el("div", { class: "tools" }, this.deleteButton);
    this.panel.append(header, this.logLabel, this.log, this.status, this.confirmBox, tools, form);
    this.frame.append(this.panel, this.launcher);
    root.append(css, this.frame);
    document.body.append(this.host);
  }

  // Every label in the widget's language; the frame's lang and dir follow it.
  applyTexts() {
    const t = this.texts.labels;
    this.frame.setAttribute("lang", this.texts.language);
    this.frame.setAttribute("dir", this.texts.dir);
    this.launcherText.textContent = t.open;
    this.title.textContent = t.title;
    this.languageLabel.textContent = t.language;
    this.closeButton.setAttribute("aria-label", t.close);
    this.logLabel.textContent = t.conversation;
    this.deleteButton.textContent = t.delete;
    this.confirmText.textContent = t.delete_confirm;
    this.confirmYes.textContent = t.delete_yes;
    this.confirmNo.textContent = t.cancel;
    this.inputLabel.textContent = t.message;
    this.input.setAttribute("placeholder", t.placeholder);
    this.sendButton.textContent = t.send;
    this.languageSelect.replaceChildren(
      ...this.texts.languages.map((l) =>
        el("option", { value: l.code, lang: l.code, dir: l.dir, selected: l.code === this.texts.language, text: l.name }),
      ),
    );
  }

  isOpen() {
    return !this.panel.hidden;
  }

  open(focus) {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.hidden = true;
    this.state.open = true;
    this.save();
    this.scrollDown();
    if (focus) this.input.focus();
    this.connect();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.state.open = false;
    this.save();
    this.launcher.focus();
  }

  // Escape closes; Tab stays inside the dialog (it is modal), as Bürokratt's widget does.
  onKey(event) {
    if (event.key === "Escape") {
      event.stopPropagation();
      if (!this.confirmBox.hidden) this.cancelDelete();
      else this.close();
      return;
    }
    if (event.key !== "Tab") return;
    const focusable = Array.from(
      this.panel.querySelectorAll("button:not([disabled]), select, textarea, a[href], [tabindex='0']"),
    ).filter((node) => !node.closest("[hidden]"));
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = this.host.shadowRoot.activeElement;
    if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  // -- the connection --------------------------------------------------------------------
  connect() {
    if (this.socket) return;
    this.setStatus(this.texts.labels.connecting);
    // WebSocket first: a single long-lived connection needs no sticky sessions when
    // several Rasa servers stand behind one address; long polling only as a fallback.
    this.socket = io(config(), { transports: ["websocket", "polling"], tryAllTransports: true });
    this.socket.on("connect", () => this.socket.emit("session_request", { session_id: this.state.sessionId }));
    this.socket.on("session_confirm", (id) => {
      const hadLost = this.lost;
      this.ready = true;
      this.lost = false;
      if (typeof id === "string" && id && id !== this.state.sessionId) {
        this.state.sessionId = id;
        this.save();
      }
      this.setStatus(hadLost ? this.texts.labels.connected : "");
      if (!this.state.started) {
        this.state.started = true;
        this.save();
        this.send(this.texts.payloads.start);
      }
      this.flush();
    });
    this.socket.on("bot_uttered", (event) => this.receive(event));
    this.socket.on("disconnect", (reason) => {
      this.ready = false;
      this.lost = true;
      this.setStatus(this.texts.labels.reconnecting);
      // The server closed on purpose: the client does not retry by itself then.
      if (reason === "io server disconnect") this.socket.connect();
    });
  }

  // A message to Rasa, kept in the queue (and in sessionStorage) until the room is joined.
  send(text) {
    this.forgotten = false; // the new conversation has begun: its answers are shown
    this.state.pending.push(text);
    this.save();
    this.flush();
  }

  // While the connection is lost the status keeps saying so; "writing…" only once sent.
  flush() {
    if (!this.ready || !this.socket || !this.state.pending.length) return;
    this.showTyping();
    while (this.state.pending.length) {
      const message = this.state.pending.shift();
      this.socket.emit("user_uttered", {
        message,
        session_id: this.state.sessionId,
        metadata: { language: this.state.language },
      });
    }
    this.save();
  }

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.state.draft = "";
    this.say(text, text);
    this.input.focus();
  }

  // What the person said (typed, or a button's title) shown as theirs; the payload to Rasa.
  say(shown, sent) {
    this.add({ from: "user", text: shown, language: this.state.language });
    this.send(sent);
  }

  async receive(event) {
    if (!event || typeof event !== "object") return;
    // After "delete", what still arrives belongs to the deleted conversation (Rasa's
    // confirmation, a late answer): it must not reappear in the emptied window.
    if (this.forgotten) return;
    this.hideTyping();
    const metadata = event.metadata && typeof event.metadata === "object" ? event.metadata : {};
    const custom = event.custom && typeof event.custom === "object" ? event.custom : null;
    const buttons = (event.quick_replies || event.buttons || [])
      .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
      .map((b) => ({ title: b.title, payload: b.payload }));
    const language = (custom && custom.language) || metadata.language || this.state.language;
    const message = { from: "bot", language, buttons };
    if (custom && Array.isArray(custom.recommendations)) message.custom = custom;
    else if (typeof event.text === "string") message.text = event.text;
    else return;
    if (message.custom) await this.ensureBundles([language]);
    this.add(message);
    if (language !== this.texts.language && this.dirs[language]) await this.useLanguage(language);
  }

  // The texts of the languages some cards are in (they are rendered in their own language).
  async ensureBundles(languages) {
    for (const language of new Set(languages)) {
      if (!this.dirs[language]) continue;
      try {
        await this.bundle(language);
      } catch (_) {
        /* the cards fall back to the widget's language */
      }
    }
  }

  add(message) {
    this.state.messages.push(message);
    this.save();
    this.log.append(this.render(message));
    this.refreshChoices();
    this.scrollDown();
  }

  // Only the buttons since the person last spoke answer anything; older ones would answer
  // out of turn, so they are hidden (what was chosen stays in the log as the person's message).
  refreshChoices() {
    let current = true;
    for (const node of Array.from(this.log.children).reverse()) {
      if (node.classList.contains("user")) current = false;
      const group = node.querySelector(".choices");
      if (group) group.hidden = !current;
    }
  }

  scrollDown() {
    const reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.log.scrollTo({ top: this.log.scrollHeight, behavior: reduce ? "auto" : "smooth" });
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  showTyping() {
    clearTimeout(this.typingTimer);
    this.setStatus(this.texts.labels.typing);
    this.status.classList.add("typing");
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_TIMEOUT_MS);
  }

  hideTyping() {
    clearTimeout(this.typingTimer);
    this.status.classList.remove("typing");
    if (this.status.textContent === this.texts.labels.typing) this.setStatus("");
  }

  // -- rendering (textContent only) ------------------------------------------------------
  render(message) {
    const t = this.texts.labels;
    const own = message.from === "user";
    const node = el("div", {
      class: `msg ${own ? "user" : "bot"}`,
      lang: message.language,
      dir: own ? "auto" : this.dirOf(message.language),
    });
    node.append(el("span", { class: "sr-only", lang: this.texts.language, text: own ? t.you : t.bot }));
    if (message.custom) node.append(this.cards(message.custom, message.language));
    else node.append(el("p", { class: "text", text: message.text }));
    if (message.buttons && message.buttons.length) {
      const group = el("div", { class: "choices" });
      for (const button of message.buttons) {
        const chosen = this.texts.languages.find((l) => l.payload === button.payload);
        group.append(
          el("button", {
            type: "button",
            class: "choice",
            lang: chosen ? chosen.code : null,
            dir: chosen ? chosen.dir : null,
            text: button.title,
            onclick: () => this.say(button.title, button.payload),
          }),
        );
      }
      node.append(group);
    }
    return node;
  }

  // The recommendations (contract §3) as cards: who, why, tappable contacts, the source.
  cards(custom, language) {
    const words = this.bundles[language] || this.texts;
    const a = words.answer;
    const box = el("div", { class: "answer" });
    box.append(el("p", { class: "text heading", text: a.heading }));
    const list = el("ol", { class: "cards" });
    for (const rec of custom.recommendations) {
      const card = el("li", { class: "card" });
      const service = words.services[rec.service] || rec.service;
      card.append(el("h3", { text: `${service}: ${rec.provider}` }));
      card.append(el("p", { class: rec.statutory ? "badge statutory" : "badge", text: rec.statutory ? a.statutory : a.suggestion }));
      if (rec.reason) card.append(el("p", { text: format(a.why, { reason: rec.reason }) }));
      if (Array.isArray(rec.assumed) && rec.assumed.length) card.append(el("p", { class: "note", text: a.assumed }));
      const contact = rec.contact || {};
      const details = el("ul", { class: "contact" });
      const item = (key, value, href, external) => {
        const link = href
          ? el("a", { href, target: external ? "_blank" : null, rel: external ? "noopener noreferrer" : null, text: value })
          : el("span", { text: value });
        if (external) link.append(el("span", { class: "sr-only", text: ` ${words.labels.new_tab}` }));
        details.append(el("li", {}, el("span", { class: "label", text: `${a[key]}: ` }), link));
      };
      if (contact.phone) item("phone", contact.phone, `tel:${contact.phone.replace(/[^+\d]/g, "")}`);
      if (contact.email && /^[^\s@?&:/]+@[^\s@?&:/]+$/.test(contact.email)) item("email", contact.email, `mailto:${contact.email}`);
      if (contact.url && /^https?:\/\//.test(contact.url)) item("url", contact.url, contact.url, true);
      if (contact.address) item("address", contact.address);
      card.append(details);
      // The public page a person can open; the staff `source` file name is never shown.
      const title = rec.source_title || rec.source_url;
      if (title) {
        const source = el("p", { class: "source" });
        const [before, after] = a.source.split("{source}");
        source.append(before);
        if (rec.source_url && /^https?:\/\//.test(rec.source_url)) {
          const link = el("a", { href: rec.source_url, target: "_blank", rel: "noopener noreferrer", text: title });
          link.append(el("span", { class: "sr-only", text: ` ${words.labels.new_tab}` }));
          source.append(link);
        } else source.append(title);
        source.append(after || "");
        card.append(source);
      }
      list.append(card);
    }
    box.append(list);
    box.append(el("p", { class: "note", text: a.interpreter }));
    const rules = custom.rules || {};
    const law = words.rulesets && words.rulesets[rules.id];
    if (law && rules.valid_from) {
      const date = new Intl.DateTimeFormat(language, { dateStyle: "long" }).format(new Date(`${rules.valid_from}T12:00:00`));
      box.append(el("p", { class: "note", text: format(a.rules, { date, law }) }));
    }
    const save = el("div", { class: "save", role: "group", "aria-label": words.labels.save });
    save.append(
      el("span", { class: "save-label", "aria-hidden": "true", text: words.labels.save }),
      el("button", { type: "button", class: "tool", text: words.labels.download, onclick: () => this.download(custom, language) }),
      el("button", { type: "button", class: "tool", text: words.labels.print, onclick: () => this.print(custom, language) }),
    );
    box.append(save);
    return box;
  }

  // The contacts as plain text lines, in the answer's language: for the file and for print.
  contactLines(custom, language) {
    const words = this.bundles[language] || this.texts;
    const a = words.answer;
    const lines = [words.labels.contacts_file, "", a.heading, ""];
    custom.recommendations.forEach((rec, index) => {
      const service = words.services[rec.service] || rec.service;
      lines.push(`${index + 1}. ${service}: ${rec.provider} (${rec.statutory ? a.statutory : a.suggestion})`);
      if (rec.reason) lines.push(`   ${format(a.why, { reason: rec.reason })}`);
      for (const key of ["phone", "email", "url", "address"]) {
        if (rec.contact && rec.contact[key]) lines.push(`   ${a[key]}: ${rec.contact[key]}`);
      }
      const source = [rec.source_title, rec.source_url].filter(Boolean).join(" – ");
      if (source) lines.push(`   ${format(a.source, { source })}`);
      lines.push("");
    });
    lines.push(a.interpreter);
    return lines;
  }

  download(custom, language) {
    const blob = new Blob([this.contactLines(custom, language).join("\r\n") + "\r\n"], { type: "text/plain;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: "kotobotti-contacts.txt" });
    this.host.shadowRoot.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // Prints only the contacts: a hidden frame holding them as text.
  print(custom, language) {
    const frame = el("iframe", { title: this.texts.labels.print, class: "print-frame", "aria-hidden": "true", tabindex: "-1" });
    this.host.shadowRoot.append(frame);
    const doc = frame.contentDocument;
    doc.documentElement.setAttribute("lang", language);
    doc.documentElement.setAttribute("dir", this.dirOf(language));
    const body = doc.body || doc.documentElement.appendChild(doc.createElement("body"));
    const pre = doc.createElement("pre");
    pre.textContent = this.contactLines(custom, language).join("\n");
    body.append(pre);
    frame.contentWindow.focus();
    frame.contentWindow.print();
    setTimeout(() => frame.remove(), 60000);
  }

  // -- language and deletion -------------------------------------------------------------
  // The widget's own labels in another language (the assistant's answers are their own).
  async useLanguage(code) {
    try {
      this.texts = await this.bundle(code);
    } catch (_) {
      return false;
    }
    this.state.language = code;
    this.save();
    const focused = this.host.shadowRoot.activeElement === this.languageSelect;
    this.applyTexts();
    if (focused) this.languageSelect.focus();
    return true;
  }

  // The language menu: the widget's labels now, and the assistant's language by the same
  // payload as its own language buttons.
  async chooseLanguage(code) {
    if (code === this.texts.language || !(await this.useLanguage(code))) return;
    const choice = this.texts.languages.find((l) => l.code === code);
    if (this.state.started && choice) this.say(choice.name, choice.payload);
  }

  askDelete() {
    this.confirmBox.hidden = false;
    this.confirmText.focus();
  }

  cancelDelete() {
    this.confirmBox.hidden = true;
    this.deleteButton.focus();
  }

  // Asks Rasa to forget the conversation, then starts a new one under a new id.
  forget() {
    if (this.ready) {
      this.socket.emit("user_uttered", {
        message: this.texts.payloads.forget,
        session_id: this.state.sessionId,
        metadata: { language: this.state.language },
      });
    }
    // A new conversation under a new id, which starts when the person writes again.
    this.forgotten = true;
    this.state = { ...fresh(this.state.language), open: true, started: true };
    this.save();
    this.log.replaceChildren();
    this.log.append(el("p", { class: "notice", text: this.texts.labels.deleted }));
    this.input.value = "";
    this.confirmBox.hidden = true;
    this.hideTyping();
    if (this.socket) {
      this.ready = false;
      this.socket.emit("session_request", { session_id: this.state.sessionId });
    }
    this.input.focus();
  }
}

function boot() {
  if (document.getElementById("kotobotti-widget")) return; // the tag twice on one page
  new Widget().start().catch((error) => console.error("Kotobotti widget:", error));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
