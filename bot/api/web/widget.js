/* whosaid chat widget: one <script> tag, no dependencies, no build step.
 *
 *   <script src="https://HOST/widget.js" data-api="https://HOST" data-key="KEY" defer></script>
 *
 * Data attributes: data-api (the API's origin; default: where this script was loaded from),
 * data-key (a public widget key), data-theme (light | dark | auto, default auto), data-accent
 * (a CSS colour), data-position (bottom-right | bottom-left), data-title, data-suggestions
 * ("question | check: a claim | ..." shown while the conversation is empty).
 * CSS custom properties, set on :root or on the whosaid-widget element: --whosaid-accent,
 * --whosaid-accent-text, --whosaid-bg, --whosaid-fg, --whosaid-font, --whosaid-radius,
 * --whosaid-z-index.
 *
 * Everything lives in a shadow root, so page styles do not reach the widget and the widget's
 * styles do not reach the page. Safety rule: every text from the server or the user becomes a
 * text node (textContent, append(string)); no HTML string is ever parsed.
 */
(() => {
  "use strict";

  const script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || document.querySelector("whosaid-widget")) return; // one widget per page

  // -- configuration from the tag ---------------------------------------------------------
  const attr = (name, fallback = "") => (script.getAttribute("data-" + name) || "").trim() || fallback;
  const API = (attr("api") || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  const KEY = attr("key");
  const THEME = ["light", "dark", "auto"].includes(attr("theme")) ? attr("theme") : "auto";
  const POSITION = attr("position") === "bottom-left" ? "left" : "right";
  const TITLE = attr("title", "whosaid");
  const SUGGESTIONS = attr("suggestions").split("|").map((s) => s.trim()).filter(Boolean).slice(0, 6);
  const STORE = "whosaid:v1:" + API; // sessionStorage key: one conversation per API per tab

  const CITE = /\[(\d+)\]/g; // the one pattern for [n] citation markers, as on the server
  const RETRY_DELAYS = [500, 1000, 2000]; // backoff after a network error or a 502/503/504
  const RETRY_STATUS = new Set([502, 503, 504]);
  const CONTEXT_CHARS = 320; // article text shown on each side of a cited passage
  // One label per verdict of bot.model.VERDICTS (a Python test holds the keys equal to it).
  const VERDICTS = {
    supported: "Supported by the sources",
    misattributed: "Misattributed: someone else said it",
    misquoted: "Misquoted: the words on record differ",
    contradicted: "Contradicted by the sources",
    disputed: "Sources disagree",
    unverified: "Not covered by the sources",
  };

  const STYLES = `
:host { all: initial !important; }
*, *::before, *::after { box-sizing: border-box; }
.w {
  --a: var(--whosaid-accent, #1f5bd8); --at: var(--whosaid-accent-text, #fff);
  --bg: var(--whosaid-bg, #fff); --fg: var(--whosaid-fg, #1b1f24); --mu: #59626e; --bd: #d8dde4;
  --sf: #f2f4f7; --ln: var(--whosaid-accent, #1f5bd8); --mk: #ffe27a; --mkfg: #1b1f24;
  --r: var(--whosaid-radius, 14px); --z: var(--whosaid-z-index, 2147483000);
  font: 14px/1.45 var(--whosaid-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--fg);
}
.w[data-theme=dark] {
  --bg: var(--whosaid-bg, #16191e); --fg: var(--whosaid-fg, #e7e9ec); --mu: #a3abb6; --bd: #353b44;
  --sf: #22272e; --ln: #8fb5ff; --mk: #7a5f00; --mkfg: #fff;
}
@media (prefers-color-scheme: dark) {
  .w[data-theme=auto] {
    --bg: var(--whosaid-bg, #16191e); --fg: var(--whosaid-fg, #e7e9ec); --mu: #a3abb6; --bd: #353b44;
    --sf: #22272e; --ln: #8fb5ff; --mk: #7a5f00; --mkfg: #fff;
  }
}
button, textarea { font: inherit; color: inherit; margin: 0; }
button { cursor: pointer; }
button:disabled { cursor: default; opacity: .55; }
:focus-visible { outline: 2px solid var(--a); outline-offset: 2px; }
svg { width: 20px; height: 20px; fill: none; stroke: currentColor; stroke-width: 2;
  stroke-linecap: round; stroke-linejoin: round; display: block; }
[hidden] { display: none !important; }
.launcher { position: fixed; bottom: 20px; right: 20px; z-index: var(--z); width: 56px; height: 56px;
  border: 0; border-radius: 50%; background: var(--a); color: var(--at); display: grid; place-items: center;
  box-shadow: 0 6px 20px rgba(0,0,0,.25); }
.launcher svg { width: 26px; height: 26px; }
.launcher:focus-visible { outline: 3px solid var(--a); outline-offset: 3px; }
.panel { position: fixed; bottom: 88px; right: 20px; z-index: var(--z); width: min(400px, calc(100vw - 40px));
  height: min(640px, calc(100vh - 108px)); display: flex; flex-direction: column; overflow: hidden;
  background: var(--bg); color: var(--fg); border: 1px solid var(--bd); border-radius: var(--r);
  box-shadow: 0 12px 40px rgba(0,0,0,.28); }
.w[data-position=left] .launcher, .w[data-position=left] .panel { right: auto; left: 20px; }
.hd { display: flex; align-items: center; gap: 4px; padding: 10px 8px 10px 16px; border-bottom: 1px solid var(--bd); }
.hd .ttl { flex: 1; min-width: 0; }
h2 { font-size: 16px; font-weight: 700; margin: 0; }
h3 { font-size: 15px; font-weight: 700; margin: 0; }
.sub { margin: 0; font-size: 12px; color: var(--mu); }
.icon { border: 0; background: transparent; border-radius: 8px; padding: 6px; display: grid; place-items: center; }
.icon:hover { background: var(--sf); }
.log { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 12px; }
.msg { max-width: 100%; overflow-wrap: anywhere; }
.msg p { margin: 0; }
.user { align-self: flex-end; max-width: 85%; background: var(--a); color: var(--at); padding: 8px 12px;
  border-radius: var(--r) var(--r) 4px var(--r); white-space: pre-wrap; }
.user .mode { display: block; font-size: 11px; opacity: .85; text-transform: uppercase; letter-spacing: .04em; }
.bot { background: var(--sf); padding: 10px 12px; border-radius: var(--r) var(--r) var(--r) 4px;
  display: flex; flex-direction: column; gap: 8px; }
.bot .text { white-space: pre-wrap; }
.abstained { color: var(--mu); font-style: italic; }
.err { border-left: 3px solid #d1242f; }
.status { color: var(--mu); font-size: 13px; display: flex; align-items: center; gap: 8px; }
.status::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--a);
  animation: pulse 1s ease-in-out infinite alternate; }
@keyframes pulse { from { opacity: .25; } to { opacity: 1; } }
@media (prefers-reduced-motion: reduce) { .status::before { animation: none; } }
.chip { display: inline-block; min-width: 20px; height: 20px; padding: 0 6px; margin: 0 2px; border: 0;
  border-radius: 10px; background: var(--a); color: var(--at); font-size: 11px; font-weight: 700;
  line-height: 20px; text-align: center; vertical-align: 1px; }
.verdict { align-self: flex-start; padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 700; }
.v-supported { background: #d6f5dd; color: #11602a; }
.v-contradicted { background: #fde0de; color: #a11a1a; }
.v-disputed { background: #fff0c2; color: #7a4f00; }
.v-unverified { background: #e4e7eb; color: #3d4550; }
.v-misattributed { background: #ffe2bd; color: #7f3b00; box-shadow: inset 0 0 0 2px #e8871e; }
.v-misquoted { background: #ffd8d1; color: #971b08; box-shadow: inset 0 0 0 2px #e0533a; }
.attr { margin: 0; padding: 6px 10px; border-left: 3px solid #e8871e; background: var(--bg); border-radius: 4px;
  display: flex; flex-direction: column; gap: 4px; }
.attr p { margin: 0; }
.diffs { margin: 0; padding: 0; list-style: none; display: flex; flex-direction: column; gap: 4px; }
.diff { display: grid; grid-template-columns: 1fr auto 1fr; gap: 6px; align-items: start; font-size: 13px; }
.diff span { padding: 2px 6px; border-radius: 4px; background: var(--sf); }
.diff .sep { padding: 2px 0; background: none; color: var(--mu); }
.diff .kind { grid-column: 1 / -1; padding: 0; background: none; font-size: 11px; color: var(--mu);
  text-transform: uppercase; letter-spacing: .04em; }
.note { font-size: 12px; color: var(--mu); }
details { font-size: 13px; }
summary { cursor: pointer; font-weight: 600; }
.who { margin: 6px 0 0; padding-left: 18px; display: flex; flex-direction: column; gap: 6px; }
.fb { display: flex; align-items: center; gap: 4px; font-size: 12px; color: var(--mu); }
.fb .icon { padding: 4px; }
.fb svg { width: 16px; height: 16px; }
.fb .icon[aria-pressed=true] { background: var(--bd); }
.empty { color: var(--mu); display: flex; flex-direction: column; gap: 10px; }
.sugg { display: flex; flex-wrap: wrap; gap: 6px; }
.sug { border: 1px solid var(--bd); background: var(--bg); border-radius: 999px; padding: 5px 11px;
  font-size: 13px; color: var(--fg); text-align: left; }
.sug:hover { border-color: var(--a); }
.src { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.srchd { display: flex; align-items: center; gap: 6px; padding: 8px 12px 8px 8px; border-bottom: 1px solid var(--bd); }
.srcbody { flex: 1; overflow-y: auto; padding: 12px 16px 16px; display: flex; flex-direction: column; gap: 6px; }
.srcbody p { margin: 0; }
.art { font-weight: 700; }
.meta { font-size: 12px; color: var(--mu); }
.ctx { margin-top: 8px !important; white-space: pre-wrap; font-family: Georgia, "Times New Roman", serif;
  font-size: 14px; line-height: 1.6; border-left: 3px solid var(--bd); padding-left: 12px; }
mark { background: var(--mk); color: var(--mkfg); padding: 1px 0; border-radius: 2px; }
a { color: var(--ln); }
.cmp { border-top: 1px solid var(--bd); padding: 8px 10px 10px; display: flex; flex-direction: column; gap: 6px; }
.modes { display: flex; gap: 4px; }
.modes button { border: 1px solid var(--bd); background: transparent; border-radius: 999px; padding: 2px 10px; font-size: 12px; }
.modes button[aria-pressed=true] { background: var(--a); border-color: var(--a); color: var(--at); }
.row { display: flex; gap: 6px; align-items: flex-end; }
textarea { flex: 1; resize: none; min-height: 40px; max-height: 120px; padding: 9px 11px; border: 1px solid var(--bd);
  border-radius: 10px; background: var(--bg); line-height: 1.4; }
textarea:focus-visible { outline: none; border-color: var(--a); box-shadow: 0 0 0 2px var(--a); }
.send { width: 40px; height: 40px; border: 0; border-radius: 10px; background: var(--a); color: var(--at);
  display: grid; place-items: center; }
@media (max-width: 480px) {
  .panel { inset: 0 !important; width: 100%; height: 100%; border: 0; border-radius: 0; }
  .w.open .launcher { display: none; }
}
`;

  // -- DOM helpers: strings always become text nodes ----------------------------------------
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (name === "text") el.textContent = value;
      else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) if (child != null && child !== false) el.append(child);
    return el;
  }

  const ICONS = {
    chat: "M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z M8.5 10.5h7 M8.5 13.5h4",
    close: "M6 6l12 12 M18 6L6 18",
    send: "M5 12h13 M12 5l7 7-7 7",
    back: "M15 5l-7 7 7 7",
    reset: "M1 4v6h6 M3.5 15a9 9 0 1 0 2.1-9.4L1 10",
    up: "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.3a2 2 0 0 0 2-1.7l1.4-9a2 2 0 0 0-2-2.3z M7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3",
    down: "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.7a2 2 0 0 0-2 1.7l-1.4 9a2 2 0 0 0 2 2.3z M17 2h2.7A2.3 2.3 0 0 1 22 4v7a2.3 2.3 0 0 1-2.3 2H17",
  };
  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  /** An http(s) URL as a string, or null: anything else (javascript:, data:) is never a link. */
  function safeUrl(value) {
    try {
      const url = new URL(String(value));
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch {
      return null;
    }
  }

  function formatDate(iso) {
    if (!iso) return "Date unknown";
    const date = new Date(String(iso) + "T00:00:00Z");
    if (isNaN(date)) return String(iso);
    return date.toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
  }

  // -- state, kept in sessionStorage so a reload keeps the conversation ----------------------
  const state = { session: null, mode: "ask", open: false, messages: [], busy: false, blocked: false, controller: null };
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORE) || "{}");
    if (typeof saved.session === "string") state.session = saved.session;
    if (saved.mode === "check") state.mode = "check";
    if (Array.isArray(saved.messages)) state.messages = saved.messages.filter((m) => m && typeof m === "object");
    state.open = saved.open === true;
  } catch {
    /* unreadable storage: start afresh */
  }
  function save() {
    const data = { session: state.session, mode: state.mode, open: state.open, messages: state.messages.slice(-40) };
    try {
      sessionStorage.setItem(STORE, JSON.stringify(data));
    } catch {
      /* storage full or blocked: the conversation just won't survive a reload */
    }
  }

  // -- the network: retries with backoff, errors as one sentence -----------------------------
  class Shown extends Error {} // an error whose message is fit to show to the user

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** fetch with the key; network errors and 502/503/504 are retried after 0.5 s, 1 s, 2 s (never 4xx). */
  async function request(method, path, body, { accept = "application/json", onRetry, signal } = {}) {
    const headers = { Accept: accept };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (KEY) headers["X-Whosaid-Key"] = KEY;
    const init = { method, headers, credentials: "omit", signal };
    if (body !== undefined) init.body = JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(API + path, init);
        if (!RETRY_STATUS.has(res.status) || attempt >= RETRY_DELAYS.length) return res;
      } catch (err) {
        if (err.name === "AbortError") throw err;
        if (attempt >= RETRY_DELAYS.length) {
          throw new Shown("Could not reach the whosaid server; check your connection and try again.");
        }
      }
      if (onRetry) onRetry(attempt + 1);
      await sleep(RETRY_DELAYS[attempt]);
    }
  }

  async function errorText(res) {
    let said = "";
    try {
      said = String((await res.json()).error || "");
    } catch {
      /* not JSON */
    }
    if (res.status === 429) {
      const wait = retryAfter(res);
      blockUntil(wait);
      return `Slow down a little: too many questions in a short time. Please try again in ${wait} second${wait === 1 ? "" : "s"}.`;
    }
    if (res.status >= 500) return said || "The service is having trouble right now; please try again in a moment.";
    return said || `The request was refused (HTTP ${res.status}).`;
  }

  function retryAfter(res) {
    const seconds = parseInt(res.headers.get("Retry-After") || "", 10);
    return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) : 10;
  }

  /** A server-sent-events parser for a fetch body: feed(text) calls onEvent(type, data) per event. */
  function sseParser(onEvent) {
    let buffer = "";
    let type = "";
    let data = [];
    function line(text) {
      if (text === "") {
        if (data.length) onEvent(type || "message", data.join("\n"));
        type = "";
        data = [];
      } else if (text[0] !== ":") {
        const colon = text.indexOf(":");
        const field = colon < 0 ? text : text.slice(0, colon);
        let value = colon < 0 ? "" : text.slice(colon + 1);
        if (value[0] === " ") value = value.slice(1);
        if (field === "event") type = value;
        else if (field === "data") data.push(value);
      }
    }
    return function feed(chunk, final = false) {
      buffer += chunk;
      const eol = /\r\n|\n|\r/g;
      let from = 0;
      let match;
      while ((match = eol.exec(buffer))) {
        // a lone \r at the very end may be the first half of \r\n: wait for the next chunk
        if (match[0] === "\r" && eol.lastIndex === buffer.length && !final) break;
        line(buffer.slice(from, match.index));
        from = eol.lastIndex;
      }
      buffer = buffer.slice(from); // an event cut off by the end of the stream is never dispatched
    };
  }

  /** POST /v1/chat and stream the answer into `view`; resolves with the answer object. */
  async function chat(message, mode, view, signal) {
    const body = { message, session: state.session, mode };
    const options = { accept: "text/event-stream", signal, onRetry: () => view.status("Connection problem; trying again…") };
    let res = await request("POST", "/v1/chat", body, options);
    if (res.status === 404 && body.session) {
      // the server no longer knows this conversation (e.g. a fresh database): start a new one
      state.session = body.session = null;
      res = await request("POST", "/v1/chat", body, options);
    }
    if (!res.ok) throw new Shown(await errorText(res));
    if (!(res.headers.get("Content-Type") || "").includes("text/event-stream")) return res.json();
    return readAnswer(res, view);
  }

  /** Read the event stream: progress and text go to `view`; resolves with the `citations` answer. */
  async function readAnswer(res, view) {
    let answer = null;
    let failure = null;
    const feed = sseParser((type, raw) => {
      let data;
      try {
        data = JSON.parse(raw);
      } catch {
        return;
      }
      if (type === "status") view.status(String(data.message || "Working…"));
      else if (type === "delta") view.append(String(data.text ?? ""));
      else if (type === "citations") answer = data;
      else if (type === "done" && typeof data.session === "string") state.session = data.session;
      else if (type === "error") failure = data;
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        feed(decoder.decode(value, { stream: true }));
      }
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new Shown("The connection was lost before the answer was complete; please ask again.");
    }
    feed(decoder.decode(), true);
    if (failure) throw new Shown(String(failure.error || "The answer could not be completed; please try again."));
    if (!answer) throw new Shown("The connection was lost before the answer was complete; please ask again.");
    return answer;
  }

  const articles = new Map(); // article id -> Promise of the article, so a chip fetches once

  function getArticle(id) {
    if (!articles.has(id)) {
      const load = request("GET", "/v1/articles/" + encodeURIComponent(id)).then(async (res) => {
        if (!res.ok) throw new Shown(await errorText(res));
        return res.json();
      });
      load.catch(() => articles.delete(id)); // a failed fetch may be retried by the next click
      articles.set(id, load);
    }
    return articles.get(id);
  }

  // -- the user interface --------------------------------------------------------------------
  const hostEl = document.createElement("whosaid-widget");
  const shadow = hostEl.attachShadow({ mode: "open" });
  const accent = attr("accent");
  if (accent && window.CSS && window.CSS.supports("color", accent)) hostEl.style.setProperty("--whosaid-accent", accent);

  const launcher = h("button", {
    class: "launcher", type: "button", "aria-controls": "ws-panel", "aria-expanded": "false",
    "aria-label": "Open the whosaid chat", onclick: () => setOpen(!state.open, true),
  }, icon("chat"));
  const resetBtn = h("button", {
    class: "icon", type: "button", "aria-label": "New conversation", title: "New conversation", onclick: reset,
  }, icon("reset"));
  const closeBtn = h("button", {
    class: "icon", type: "button", "aria-label": "Close the chat", title: "Close", onclick: () => setOpen(false, true),
  }, icon("close"));
  const log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "-1" });
  const source = h("div", { class: "src", role: "region", "aria-label": "Source passage", hidden: true });
  const modeButtons = {
    ask: h("button", { type: "button", "aria-pressed": "true", onclick: () => setMode("ask") }, "Ask"),
    check: h("button", { type: "button", "aria-pressed": "false", onclick: () => setMode("check") }, "Fact-check"),
  };
  const input = h("textarea", { id: "ws-input", rows: "1", maxlength: "2000", "aria-label": "Your question" });
  const sendBtn = h("button", { class: "send", type: "submit", "aria-label": "Send" }, icon("send"));
  const composer = h("form", { class: "cmp", onsubmit: (event) => { event.preventDefault(); send(input.value); } },
    h("div", { class: "modes", role: "group", "aria-label": "Mode" }, modeButtons.ask, modeButtons.check),
    h("div", { class: "row" }, input, sendBtn));
  const panel = h("section", { class: "panel", id: "ws-panel", role: "dialog", "aria-labelledby": "ws-title", hidden: true },
    h("header", { class: "hd" },
      h("div", { class: "ttl" }, h("h2", { id: "ws-title", text: TITLE }),
        h("p", { class: "sub", text: "Who said that? Answers cite the exact source passages." })),
      resetBtn, closeBtn),
    log, source, composer);
  const wrap = h("div", { class: "w", "data-theme": THEME, "data-position": POSITION }, launcher, panel);
  shadow.append(h("style", { text: STYLES }), wrap);

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send(input.value);
    }
  });
  input.addEventListener("input", () => {
    input.style.height = "auto"; // grow with the text, up to the CSS max-height
    input.style.height = input.scrollHeight + 2 + "px";
  });
  wrap.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !state.open) return;
    event.preventDefault();
    if (!source.hidden) closeSource();
    else setOpen(false, true);
  });

  function setOpen(open, moveFocus) {
    state.open = open;
    panel.hidden = !open;
    wrap.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", open ? "Close the whosaid chat" : "Open the whosaid chat");
    launcher.replaceChildren(icon(open ? "close" : "chat"));
    if (open) scrollDown(true);
    if (moveFocus) (open ? input : launcher).focus();
    save();
  }

  function setMode(mode) {
    state.mode = mode;
    modeButtons.ask.setAttribute("aria-pressed", String(mode === "ask"));
    modeButtons.check.setAttribute("aria-pressed", String(mode === "check"));
    input.placeholder = mode === "check" ? "Paste a claim to fact-check…" : "Ask who said what…";
    input.setAttribute("aria-label", mode === "check" ? "The claim to fact-check" : "Your question");
    save();
  }

  function reset() {
    if (state.controller) state.controller.abort();
    state.session = null;
    state.messages = [];
    closeSource();
    renderLog();
    save();
    input.focus();
  }

  function scrollDown(force) {
    const near = log.scrollHeight - log.scrollTop - log.clientHeight < 120;
    if (force || near) log.scrollTop = log.scrollHeight;
  }

  function renderLog() {
    log.replaceChildren(...(state.messages.length ? state.messages.map(render) : [emptyState()]));
    scrollDown(true);
  }

  function emptyState() {
    const pick = (text) => {
      const check = /^check:/i.test(text);
      return { text: text.replace(/^(check|ask):\s*/i, ""), mode: check ? "check" : "ask" };
    };
    return h("div", { class: "empty" },
      h("p", { text: "Ask who said what in the indexed news, or fact-check a claim against it." }),
      SUGGESTIONS.length ? h("div", { class: "sugg" }, SUGGESTIONS.map(pick).map((s) =>
        h("button", { class: "sug", type: "button", onclick: () => { setMode(s.mode); send(s.text); } },
          s.mode === "check" ? "Check: " + s.text : s.text))) : null);
  }

  function render(msg) {
    if (msg.role === "user") {
      return h("div", { class: "msg user" },
        msg.mode === "check" ? h("span", { class: "mode", text: "Fact-check" }) : null, String(msg.text || ""));
    }
    if (msg.error) return h("div", { class: "msg bot err" }, h("p", { class: "text", text: String(msg.error) }));
    return renderAnswer(msg);
  }

  /** The final answer: verdict, text with [n] chips, who said what, feedback. */
  function renderAnswer(msg) {
    const answer = msg.answer || {};
    const citations = new Map((Array.isArray(answer.citations) ? answer.citations : []).map((c) => [Number(c.id), c]));
    const attributions = Array.isArray(answer.attributions) ? answer.attributions : [];
    const el = h("div", { class: "msg bot" });
    if (answer.verdict && VERDICTS[answer.verdict]) {
      el.append(h("p", { class: "verdict v-" + answer.verdict, text: VERDICTS[answer.verdict] }),
        h("p", { class: "note", text: "This is what the indexed sources say, not a ruling on the truth." }));
    }
    if (answer.attribution && typeof answer.attribution === "object") {
      el.append(attributionView(answer.attribution, citations, answer));
    }
    const text = String(answer.answer || "");
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(CITE)) {
      const citation = citations.get(Number(match[1]));
      if (!citation) continue; // an unknown marker stays as plain text
      parts.push(text.slice(last, match.index), chip(citation, answer));
      last = match.index + match[0].length;
    }
    parts.push(text.slice(last));
    el.append(h("p", { class: answer.abstained ? "text abstained" : "text" }, parts));
    if (attributions.length) el.append(whoSaidWhat(attributions, citations, answer));
    if (answer.answer_id) el.append(feedback(msg));
    return el;
  }

  function chip(citation, answer) {
    const title = String(citation.title || "an article");
    const button = h("button", {
      class: "chip", type: "button", "aria-label": `Source ${citation.id}: ${title}`, title,
      onclick: () => openSource(citation, answer, button),
    }, String(citation.id));
    return button;
  }

  function speakerName(a) {
    return String(a.speaker || a.speaker_mention || "Unattributed");
  }

  function whoSaidWhat(attributions, citations, answer) {
    const items = attributions.map((a) => {
      const citation = citations.get(Number(a.citation));
      return h("li", null, h("strong", { text: speakerName(a) }), a.role ? ` (${a.role})` : "",
        ` ${a.cue || "said"}: ${a.content || ""} `, citation ? chip(citation, answer) : null);
    });
    // for a fact-check, who said what is the point; for a question it repeats the answer
    return h("details", { open: Boolean(answer.verdict) },
      h("summary", { text: `Who said what (${attributions.length})` }), h("ul", { class: "who" }, items));
  }

  const sameName = (a, b) => String(a).split(/\s+/).join(" ").trim().toLowerCase()
    === String(b).split(/\s+/).join(" ").trim().toLowerCase();

  /** Who is on record with the checked words: the same sentences as the terminal and Slack. */
  function attributionView(check, citations, answer) {
    const claimed = String(check.claimed_speaker || "the named speaker");
    const found = check.found_speaker == null ? null : String(check.found_speaker);
    const citation = citations.get(Number(check.citation));
    const cite = citation ? [" ", chip(citation, answer)] : [];
    const differences = Array.isArray(check.differences) ? check.differences : [];
    const changes = differences.filter((d) => d && d.kind !== "speaker");
    // a "speaker" difference is the server's finding that the words are someone else's
    const elsewhere = changes.length < differences.length;
    let line;
    if (found === null) line = `No indexed source has ${claimed} saying this.`;
    else if (elsewhere) line = `These words are ${found}'s, not ${claimed}'s.`;
    else if (!sameName(claimed, found) && !changes.length) line = `${found} is on record saying this for ${claimed}.`;
    else if (changes.length) line = `${claimed} is on record saying it differently:`;
    else if (check.match === "exact" || check.match === "paraphrase") line = `${claimed} is on record saying this.`;
    else line = `${claimed} is on record saying something different.`;
    const rows = changes.map((d) => h("li", { class: "diff" },
      h("span", { class: "kind", text: d.kind === "cue" ? "reporting verb" : String(d.kind || "") }),
      h("span", { class: "claimed", text: "claimed: " + String(d.claimed || "(not in the claim)") }),
      h("span", { class: "sep", "aria-hidden": "true", text: "/" }),
      h("span", { class: "found", text: "source: " + String(d.found || "(not in the source)") })));
    return h("div", { class: "attr", role: "group", "aria-label": "Attribution" },
      h("p", { class: "attr-line" }, line, ...cite), rows.length ? h("ul", { class: "diffs" }, rows) : null);
  }

  function feedback(msg) {
    const note = h("span", { text: msg.rating ? "Thanks for the feedback." : "Was this helpful?" });
    const up = h("button", { class: "icon", type: "button", "aria-label": "Helpful", "aria-pressed": String(msg.rating === 1) }, icon("up"));
    const down = h("button", { class: "icon", type: "button", "aria-label": "Not helpful", "aria-pressed": String(msg.rating === -1) }, icon("down"));
    up.disabled = down.disabled = Boolean(msg.rating);
    async function rate(rating, button) {
      up.disabled = down.disabled = true;
      try {
        const res = await request("POST", "/v1/feedback", { answer_id: msg.answer.answer_id, rating, comment: null });
        if (!res.ok) throw new Shown(await errorText(res));
        msg.rating = rating;
        button.setAttribute("aria-pressed", "true");
        note.textContent = "Thanks for the feedback.";
        save();
      } catch (err) {
        note.textContent = err instanceof Shown ? err.message : "The feedback could not be sent; please try again.";
        up.disabled = down.disabled = false;
      }
    }
    up.addEventListener("click", () => rate(1, up));
    down.addEventListener("click", () => rate(-1, down));
    return h("div", { class: "fb", role: "group", "aria-label": "Feedback" }, note, up, down);
  }

  /** A bot bubble that shows progress and the streamed text until the answer is complete. */
  function streamingView() {
    const status = h("p", { class: "status", text: "Sending…" });
    const text = h("p", { class: "text", "aria-busy": "true" });
    const el = h("div", { class: "msg bot pending" }, status, text);
    return {
      el,
      status: (message) => { status.textContent = message; },
      append: (piece) => { text.append(piece); scrollDown(false); },
    };
  }

  async function send(raw) {
    const message = raw.trim();
    if (!message || state.busy || sendBtn.disabled) return;
    const mode = state.mode;
    input.value = "";
    input.style.height = "";
    if (!state.messages.length) log.replaceChildren();
    const question = { role: "user", text: message, mode };
    state.messages.push(question);
    save();
    const view = streamingView();
    log.append(render(question), view.el);
    scrollDown(true);
    state.busy = true;
    sendBtn.disabled = true;
    const controller = (state.controller = new AbortController());
    let reply;
    try {
      const answer = await chat(message, mode, view, controller.signal);
      if (typeof answer.session === "string") state.session = answer.session;
      reply = { role: "bot", answer };
    } catch (err) {
      if (err.name === "AbortError") return; // the conversation was reset meanwhile
      reply = { role: "bot", error: err instanceof Shown ? err.message : "Something went wrong; please try again." };
    } finally {
      if (state.controller === controller) state.controller = null;
      state.busy = false;
      if (!state.blocked) sendBtn.disabled = false;
    }
    state.messages.push(reply);
    save();
    view.el.replaceWith(render(reply));
    scrollDown(false);
  }

  /** After a 429, the send button waits out Retry-After. */
  function blockUntil(seconds) {
    state.blocked = true;
    sendBtn.disabled = true;
    setTimeout(() => {
      state.blocked = false;
      sendBtn.disabled = state.busy;
    }, seconds * 1000);
  }

  // -- a citation in context -----------------------------------------------------------------
  let opener = null; // the chip that opened the source view gets the focus back

  async function openSource(citation, answer, button) {
    opener = button;
    const attribution = (answer.attributions || []).find((a) => Number(a.citation) === Number(citation.id));
    const url = safeUrl(citation.url);
    const context = h("p", { class: "ctx" }, h("span", { class: "note", text: "Loading the article…" }));
    const heading = h("h3", { tabindex: "-1", text: `Source ${citation.id}` });
    source.replaceChildren(
      h("div", { class: "srchd" },
        h("button", { class: "icon", type: "button", "aria-label": "Back to the conversation", onclick: closeSource },
          icon("back")), heading),
      h("div", { class: "srcbody" },
        attribution ? h("p", { class: "speaker" }, h("strong", { text: speakerName(attribution) }),
          attribution.role ? `, ${attribution.role}` : "", ` (${attribution.cue || "said"})`) : null,
        h("p", { class: "art", text: String(citation.title || "Untitled article") }),
        h("p", { class: "meta" }, formatDate(citation.published), " · ",
          url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: new URL(url).host })
            : String(citation.source || "").split(/[\\/]/).pop()), // a file's name, not the server's path
        context));
    log.hidden = composer.hidden = true;
    source.hidden = false;
    heading.focus();
    try {
      const article = await getArticle(String(citation.article_id));
      showContext(context, String(article.text ?? ""), citation);
    } catch (err) {
      context.replaceChildren(h("span", { class: "note", text: err instanceof Shown ? err.message
        : "The article could not be loaded; the quoted passage follows." }), "\n", h("mark", { text: String(citation.quote || "") }));
    }
  }

  /** The quote highlighted in a window of its article, cut at word boundaries. */
  function showContext(context, text, citation) {
    const start = Number(citation.start);
    const end = Number(citation.end);
    const quote = String(citation.quote || "");
    if (text.slice(start, end) !== quote) {
      context.replaceChildren(h("span", { class: "note", text: "The article has changed since this answer; the quoted passage follows." }),
        "\n", h("mark", { text: quote }));
      return;
    }
    let from = Math.max(0, start - CONTEXT_CHARS);
    if (from > 0) from = Math.min(start, text.indexOf(" ", from) + 1 || start);
    let to = Math.min(text.length, end + CONTEXT_CHARS);
    if (to < text.length) to = Math.max(end, text.lastIndexOf(" ", to));
    const mark = h("mark", { text: quote });
    context.replaceChildren(from > 0 ? "…" : "", text.slice(from, start), mark, text.slice(end, to), to < text.length ? "…" : "");
    mark.scrollIntoView({ block: "nearest" }); // the speaker and title stay in view when they can
  }

  function closeSource() {
    if (source.hidden) return;
    source.hidden = true;
    log.hidden = composer.hidden = false;
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  }

  // -- start -----------------------------------------------------------------------------------
  setMode(state.mode);
  renderLog();
  const mount = () => {
    document.body.append(hostEl);
    if (state.open) setOpen(true, false); // reopen after a reload, without stealing the focus
  };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
