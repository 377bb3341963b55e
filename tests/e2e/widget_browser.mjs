// The web widget in a real browser: Debian's headless Chromium driven by playwright-core,
// against the real servers that tests/e2e/test_widget.py starts. One scenario per run:
//
//   node tests/e2e/widget_browser.mjs SPEC.json
//
// SPEC: {"scenario", "page" (the demo page's URL), "artifacts" (folder for screenshots),
// "steps" (what the person does), "expect" (what must be seen)}. The conversation texts
// come from pytest, which takes them from the catalogs. Exit status 0 when every check
// holds; otherwise the failed check on stderr and status 1.
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(new URL("../../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const spec = JSON.parse(readFileSync(process.argv[2], "utf-8"));
mkdirSync(spec.artifacts, { recursive: true });
const REPLY_MS = 90_000; // Rasa on a busy 2-core machine: generous, never a measure

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function executable() {
  for (const path of [process.env.CHROMIUM_PATH, "/usr/lib/chromium/chromium", "/usr/bin/chromium"]) {
    if (path && existsSync(path)) return path;
  }
  throw new Error("Chromium is missing: run `make install` (it installs Debian's chromium)");
}

// -- the widget, seen from the page --------------------------------------------------------
const widget = (page) => ({
  launcher: page.locator(".launcher"),
  input: page.locator("#kb-input"),
  log: page.locator(".log"),
  botMessages: page.locator(".msg.bot"),
  userMessages: page.locator(".msg.user"),
  cards: page.locator(".card"),
});

// Waits until the assistant has answered the person's latest message with a message
// containing `text` (or with any message when no text is given).
async function waitForAnswer(page, text) {
  await page.waitForFunction(
    (wanted) => {
      const root = document.getElementById("kotobotti-widget")?.shadowRoot;
      if (!root) return false;
      const nodes = Array.from(root.querySelectorAll(".log > .msg"));
      const lastUser = nodes.map((n) => n.classList.contains("user")).lastIndexOf(true);
      const answers = nodes.slice(lastUser + 1).filter((n) => n.classList.contains("bot"));
      return answers.some((n) => !wanted || n.textContent.includes(wanted));
    },
    text || null,
    { timeout: REPLY_MS },
  );
}

async function open(page, url) {
  await page.goto(url);
  const w = widget(page);
  await w.launcher.click();
  await w.input.waitFor();
  return w;
}

async function type(page, w, text, expect) {
  await w.input.fill(text);
  await w.input.press("Enter");
  await waitForAnswer(page, expect);
}

// A step: {"say": text, "expect": text} or {"click": button title, "expect": text}.
async function run(page, w, steps) {
  for (const step of steps) {
    if (step.say !== undefined) await type(page, w, step.say, step.expect);
    else {
      await page.locator(".choices:not([hidden]) .choice", { hasText: step.click }).first().click();
      await waitForAnswer(page, step.expect);
    }
  }
}

async function shot(page, name) {
  await page.screenshot({ path: join(spec.artifacts, `${name}.png`), fullPage: false });
}

// -- scenarios ----------------------------------------------------------------------------
const scenarios = {
  // To the cards: provider, why, tel: and mailto: links, the source; each message in its language.
  async conversation(page) {
    const sockets = [];
    const polls = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    page.on("request", (r) => r.url().includes("transport=polling") && polls.push(r.url()));
    const w = await open(page, spec.page);
    await waitForAnswer(page, spec.expect.welcome);
    await run(page, w, spec.steps);
    await w.cards.first().waitFor({ timeout: REPLY_MS });
    await shot(page, `conversation-${spec.expect.language}`);
    // WebSocket from the start (no long polling): no sticky sessions needed behind a balancer.
    check(sockets.length === 1 && sockets[0].includes("/socket.io/"), `websockets: ${sockets}`);
    check(polls.length === 0, `long polling was used: ${polls.length} requests`);
    const providers = await w.cards.locator("h3").allTextContents();
    check(providers.some((p) => p.includes(spec.expect.provider)), `no card for ${spec.expect.provider}: ${providers}`);
    // Every contact of the payload is there, phone numbers and e-mail addresses tappable.
    const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem("kotobotti-widget")));
    const payload = stored.messages.filter((m) => m.custom).at(-1).custom;
    const links = await w.cards.evaluateAll((cards) =>
      cards.map((c) => Array.from(c.querySelectorAll("a")).map((a) => [a.getAttribute("href"), a.firstChild.textContent])),
    );
    check(links.length === payload.recommendations.length, "not one card per recommendation");
    payload.recommendations.forEach((rec, i) => {
      const has = (href, text) => links[i].some(([h, t]) => h === href && t === text);
      const c = rec.contact || {};
      if (c.phone) check(has(`tel:${c.phone.replace(/[^+\d]/g, "")}`, c.phone), `no tel: link for ${c.phone}`);
      if (c.email) check(has(`mailto:${c.email}`, c.email), `no mailto: link for ${c.email}`);
      if (c.url) check(has(c.url, c.url), `no link to ${c.url}`);
      if (rec.source_url) check(links[i].some(([h]) => h === rec.source_url), `no source link ${rec.source_url}`);
    });
    if (spec.expect.phone) check(links.flat().some(([h]) => h.startsWith("tel:")), "no phone link on any card");
    const why = await w.cards.first().textContent();
    check(why.includes(spec.expect.why_prefix), `the card does not say why: ${why}`);
    const shownSource = await page.locator(".card").evaluateAll((cards) => cards.map((c) => c.textContent).join(" "));
    check(!/\.txt\b|\.md\b/.test(shownSource), "a staff source file name is shown on a card");
    // Every message carries its language and direction; the assistant's are in the expected one.
    const bots = await w.botMessages.evaluateAll((nodes) =>
      nodes.map((n) => ({ lang: n.lang, dir: n.dir, css: getComputedStyle(n.querySelector("p, .answer")).direction })),
    );
    for (const m of bots) {
      check(m.lang === spec.expect.language, `a message in ${m.lang}, not ${spec.expect.language}`);
      check(m.dir === spec.expect.dir && m.css === spec.expect.dir, `a message's direction: ${JSON.stringify(m)}`);
    }
    const users = await w.userMessages.evaluateAll((nodes) => nodes.map((n) => [n.lang, n.dir]));
    check(users.every(([lang, dir]) => lang && dir), `a user message without lang or dir: ${users}`);
    if (spec.expect.dir === "rtl") {
      // Right to left in place: the Arabic card's heading starts at the card's right edge.
      const [card, heading] = await Promise.all([
        w.cards.first().boundingBox(),
        w.cards.first().locator("h3").evaluate((h) => {
          const range = document.createRange();
          range.selectNodeContents(h);
          const r = range.getBoundingClientRect();
          return { x: r.x, width: r.width };
        }),
      ]);
      check(card.x + card.width - (heading.x + heading.width) < 24, "the Arabic card heading is not right-aligned");
    }
    // Save these contacts: the downloaded text has the provider and the number.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator(".save button").first().click(),
    ]);
    const saved = readFileSync(await download.path(), "utf-8");
    check(saved.includes(spec.expect.provider), "the saved contacts miss the provider");
    for (const rec of payload.recommendations) {
      for (const value of Object.values(rec.contact || {})) check(saved.includes(value), `the saved contacts miss ${value}`);
    }
    // Print: only the contacts, as text, in the answer's language and direction.
    await page.locator(".save button").nth(1).click();
    const printed = await page.evaluate(() => {
      const frame = document.getElementById("kotobotti-widget").shadowRoot.querySelector(".print-frame");
      const doc = frame.contentDocument;
      return { text: doc.body.textContent, lang: doc.documentElement.lang, dir: doc.documentElement.dir };
    });
    check(printed.text.includes(spec.expect.provider), "the printed page misses the provider");
    check(printed.lang === spec.expect.language && printed.dir === spec.expect.dir, `printed as ${printed.lang}`);
    await w.cards.first().scrollIntoViewIfNeeded();
    await shot(page, `cards-${spec.expect.language}`);
  },

  // The conversation survives a reload and goes on where it was.
  async reload(page) {
    const w = await open(page, spec.page);
    await waitForAnswer(page, spec.expect.welcome);
    await run(page, w, spec.steps);
    const before = await w.log.locator(".msg").allTextContents();
    await w.input.fill(spec.expect.draft);
    await page.reload();
    await w.input.waitFor();
    const after = await w.log.locator(".msg").allTextContents();
    check(JSON.stringify(after) === JSON.stringify(before), "the messages changed across the reload");
    check((await w.input.inputValue()) === spec.expect.draft, "the typed draft was lost");
    // The same conversation on the server: the next answer follows from the earlier ones.
    await w.input.fill("");
    await type(page, w, spec.expect.next.say, spec.expect.next.expect);
    await shot(page, "reload");
  },

  // Markup a person types is shown as text and never run.
  async markup(page) {
    const w = await open(page, spec.page);
    await waitForAnswer(page, spec.expect.welcome);
    await page.evaluate(() => (window.__kotobottiPwned = false));
    const evil = '<img src=x onerror="window.__kotobottiPwned=true"><b>bold</b>';
    await type(page, w, evil);
    const shown = await w.userMessages.last().locator(".text").textContent();
    check(shown === evil, `the message is not shown as typed: ${shown}`);
    check((await page.locator(".log img, .log b").count()) === 0, "markup became elements");
    check((await page.evaluate(() => window.__kotobottiPwned)) === false, "the onerror handler ran");
    await shot(page, "markup");
  },

  // Keyboard only: Tab to the launcher, Enter, type, choose a button, Escape, focus returns.
  async keyboard(page) {
    await page.goto(spec.page);
    const w = widget(page);
    await w.launcher.waitFor();
    const active = () =>
      page.evaluate(() => {
        const root = document.getElementById("kotobotti-widget").shadowRoot;
        const a = root.activeElement;
        return a ? a.className || a.id || a.tagName : null;
      });
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await page.keyboard.press("Tab");
      found = (await active()) === "launcher";
    }
    check(found, "Tab never reaches the launcher");
    await shot(page, "keyboard-launcher-focus");
    await page.keyboard.press("Enter");
    await w.input.waitFor();
    check((await active()) === "kb-input", "opening does not put focus in the message field");
    await waitForAnswer(page, spec.expect.welcome);
    // Tab from the field reaches the send button; Shift+Tab goes back through the log's buttons.
    await page.keyboard.press("Tab");
    check((await active()) === "send", `Tab from the field goes to ${await active()}`);
    const focusedText = () =>
      page.evaluate(() => document.getElementById("kotobotti-widget").shadowRoot.activeElement.textContent);
    let choice = false;
    for (let i = 0; i < 15 && !choice; i++) {
      await page.keyboard.press("Shift+Tab");
      choice = (await active()) === "choice" && (await focusedText()) === spec.expect.choice;
    }
    check(choice, `Shift+Tab never reaches the button ${spec.expect.choice}`);
    const chosen = await focusedText();
    await page.keyboard.press("Enter");
    await waitForAnswer(page, spec.expect.after_choice);
    check((await w.userMessages.last().textContent()).includes(chosen), "the chosen button is not the person's answer");
    // Focus stays in the dialog: many Tabs never leave it.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      const inside = await page.evaluate(() => {
        const root = document.getElementById("kotobotti-widget").shadowRoot;
        return Boolean(root.activeElement && root.activeElement.closest(".panel"));
      });
      check(inside, "Tab left the open dialog");
    }
    await shot(page, "keyboard-open");
    await page.keyboard.press("Escape");
    check(await page.locator(".panel").isHidden(), "Escape does not close the dialog");
    check((await active()) === "launcher", "focus does not return to the launcher");
  },

  // The connection drops: the person is told, what they send waits, and goes out (and is
  // answered) when the widget has reconnected by itself.
  async reconnect(page) {
    const w = await open(page, spec.page);
    await waitForAnswer(page, spec.expect.welcome);
    await page.context().setOffline(true);
    await page.locator(".status", { hasText: spec.expect.reconnecting }).waitFor({ timeout: REPLY_MS });
    await shot(page, "reconnect-offline");
    await w.input.fill(spec.expect.say);
    await w.input.press("Enter");
    const pending = await page.evaluate(() => JSON.parse(sessionStorage.getItem("kotobotti-widget")).pending);
    check(pending.length === 1 && pending[0] === spec.expect.say, `not kept while offline: ${pending}`);
    check((await page.locator(".status").textContent()).startsWith(spec.expect.reconnecting), "the status forgot the lost connection");
    await page.context().setOffline(false);
    await waitForAnswer(page, spec.expect.answer);
    const left = await page.evaluate(() => JSON.parse(sessionStorage.getItem("kotobotti-widget")).pending);
    check(left.length === 0, "the message was not sent after reconnecting");
  },

  // The language menu: the widget's labels change at once, and the assistant goes on in the
  // chosen language, its message marked as such.
  async language(page) {
    const w = await open(page, spec.page);
    await waitForAnswer(page, spec.expect.welcome);
    await page.locator("#kb-language").selectOption(spec.expect.language);
    await waitForAnswer(page, spec.expect.announcement);
    check((await page.locator(".send").textContent()) === spec.expect.send, "the send button is not translated");
    const frame = await page.locator(".kb").evaluate((n) => [n.lang, n.dir]);
    check(frame[0] === spec.expect.language && frame[1] === spec.expect.dir, `the widget is ${frame}`);
    const last = await w.botMessages.last().evaluate((n) => [n.lang, n.dir, n.textContent]);
    check(last[0] === spec.expect.language && last[1] === spec.expect.dir, `the answer is marked ${last}`);
    const first = await w.botMessages.first().evaluate((n) => n.lang);
    check(first === spec.expect.first, `the earlier message changed its language to ${first}`);
    await shot(page, `language-${spec.expect.language}`);
  },

  // The delete button: Rasa is asked to forget (the old id is printed for pytest to check),
  // the window is emptied, and the next message starts a new conversation.
  async forget(page) {
    const w = await open(page, spec.page);
    await waitForAnswer(page, spec.expect.welcome);
    await run(page, w, spec.steps);
    const old = await page.evaluate(() => JSON.parse(sessionStorage.getItem("kotobotti-widget")).sessionId);
    await page.locator(".tools .tool").click();
    await page.locator(".confirm .danger").click();
    check((await w.log.locator(".msg").count()) === 0, "the window still shows the conversation");
    const fresh = await page.evaluate(() => JSON.parse(sessionStorage.getItem("kotobotti-widget")));
    check(fresh.sessionId !== old && fresh.messages.length === 0, "the conversation was kept under its id");
    check((await page.locator(".notice").textContent()) === spec.expect.deleted, "no word that it was deleted");
    await type(page, w, spec.expect.next.say, spec.expect.next.expect);
    await shot(page, "forget");
    console.log(JSON.stringify({ old, new: fresh.sessionId }));
  },

  // axe-core on the page with the widget closed, open, and showing the cards: no violation.
  async axe(page) {
    const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf-8");
    const scan = async (name) => {
      await page.evaluate(source); // evaluated through the DevTools protocol: the page's CSP allows no inline script
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      const found = result.violations.map((v) => `${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target).join(" | ")}`);
      check(found.length === 0, `axe violations:\n${found.join("\n")}`);
    };
    await page.goto(spec.page);
    await widget(page).launcher.waitFor();
    await scan("closed");
    // No motion for who asked for none: the log jumps instead of scrolling smoothly.
    const behaviour = () => page.locator(".log").evaluate((n) => getComputedStyle(n).scrollBehavior);
    check((await behaviour()) === "smooth", "the log does not scroll smoothly by default");
    await page.emulateMedia({ reducedMotion: "reduce" });
    check((await behaviour()) === "auto", "the log still moves under prefers-reduced-motion");
    const w = await open(page, spec.page);
    await waitForAnswer(page, spec.expect.welcome);
    await scan("open");
    await run(page, w, spec.steps);
    await w.cards.first().waitFor({ timeout: REPLY_MS });
    await scan("cards");
    await shot(page, `axe-${spec.expect.language}`);
  },
};

const browser = await chromium.launch({
  executablePath: executable(),
  args: ["--no-sandbox", "--disable-background-networking"],
});
let failed = null;
try {
  const context = await browser.newContext({
    viewport: { width: 1000, height: 800 },
    acceptDownloads: true,
    reducedMotion: spec.reducedMotion ? "reduce" : "no-preference",
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  try {
    await scenarios[spec.scenario](page);
    check(errors.length === 0, `errors in the page: ${errors.join("; ")}`);
  } catch (error) {
    failed = error;
    await shot(page, `failed-${spec.scenario}`).catch(() => {});
  }
} finally {
  await browser.close();
}
if (failed) {
  console.error(failed.stack || String(failed));
  process.exit(1);
}
console.error(`${spec.scenario}: ok`);
