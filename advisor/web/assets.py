"""The page's CSS and script: explicit colours for light and dark, the narrow-screen layout, and the
``[n]`` links (a click scrolls to and flashes the cited source, hovering shows its quote)."""

from __future__ import annotations

FONTS = [
    "PingFang SC",
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
    "sans-serif",
]

# Colours chosen for both themes: Gradio follows the OS (or ``?__theme=dark``) by putting ``.dark``
# on the page, and a highlight or label that only fits one background must not be left to chance.
COLORS = """
:root { --adv-mark-bg: #fde68a; --adv-mark-fg: #1f2937; --adv-flash: #facc15; --adv-cite: #1d4ed8;
  --adv-error: #b91c1c; --adv-card-bg: #ffffff; --adv-soft-bg: #f1f5f9; --adv-soft-fg: #475569; }
.dark { --adv-mark-bg: #713f12; --adv-mark-fg: #fef9c3; --adv-flash: #ca8a04; --adv-cite: #93c5fd;
  --adv-error: #fca5a5; --adv-card-bg: #111827; --adv-soft-bg: #1f2937; --adv-soft-fg: #cbd5e1; }
"""

CSS = (
    COLORS
    + """
.gradio-container { max-width: 1320px !important; margin: 0 auto !important; padding-top: 8px !important;
  overflow: clip !important; }  /* clips like Gradio's "hidden" but is no scroll box: sticky parts work */
#app-title h1 { margin: 0; font-size: 1.6em; }
#app-title p { margin: 2px 0 0; color: var(--adv-soft-fg); }
#intro { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0; }
.intro-item { flex: 1 1 240px; border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 6px 10px; background: var(--adv-soft-bg); font-size: 0.9em; line-height: 1.5;
  color: var(--body-text-color); }
#chatbot { flex-grow: 0 !important; }
#chatbot .message-wrap a.cite { color: var(--adv-cite); text-decoration: none; font-weight: 600;
  cursor: pointer; padding: 0 1px; border-radius: 3px; }
#chatbot .message-wrap a.cite:hover { text-decoration: underline; background: var(--adv-soft-bg); }
#sources-col { position: sticky; top: 8px; align-self: flex-start; }
#sources-panel, #plan-sources, #card-sources { max-height: calc(100vh - 110px); overflow-y: auto; }
#plan-error p { color: var(--adv-error); margin: 4px 0; font-weight: 600; }
.src-head { font-size: 0.85em; color: var(--adv-soft-fg); margin-bottom: 8px; }
.convo-state { font-size: 0.88em; padding: 6px 10px; margin-bottom: 8px; border-radius: 8px;
  background: var(--adv-soft-bg); color: var(--adv-soft-fg); }
.src-empty { color: var(--adv-soft-fg); font-size: 0.92em; padding: 8px 2px; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--adv-card-bg); color: var(--body-text-color); scroll-margin: 16px; }
.src-card.flash { animation: adv-flash 1.6s ease-out; }
@keyframes adv-flash { 0%, 40% { box-shadow: 0 0 0 3px var(--adv-flash); } 100% { box-shadow: none; } }
.src-title { font-weight: 600; line-height: 1.5; }
.src-n { display: inline-block; min-width: 2.2em; color: var(--adv-cite); font-weight: 700; }
.src-path { font-size: 0.85em; color: var(--adv-soft-fg); margin: 2px 0 6px; line-height: 1.5; }
.src-text { font-size: 0.92em; line-height: 1.7; white-space: pre-wrap; word-break: break-word; }
.src-text mark, .answer-sources mark { background: var(--adv-mark-bg); color: var(--adv-mark-fg);
  padding: 0 1px; border-radius: 2px; }
.src-link { font-size: 0.82em; margin-top: 6px; color: var(--adv-soft-fg); word-break: break-all; }
.src-link a { color: var(--adv-cite); }
details.answer-sources { display: none; margin-top: 8px; }
.pending-ghost { display: flex; flex-direction: column; gap: 10px; padding: 8px 4px; }
.ghost-user, .ghost-bot { max-width: 80%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap;
  border: 1px solid var(--border-color-primary); }
.ghost-user { align-self: flex-end; background: var(--adv-soft-bg); }
.ghost-bot { align-self: flex-start; color: var(--adv-soft-fg); }
details.answer-sources summary { cursor: pointer; color: var(--adv-cite); font-weight: 600; }
#card-hint { align-self: flex-start; }
#reason-box { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px; }
#plan-actions { position: sticky; top: 0; z-index: 20; background: var(--background-fill-primary);
  padding: 6px 0; border-bottom: 1px solid var(--border-color-primary); }
#plan-actions a.dl { display: inline-block; margin-right: 10px; padding: 6px 12px; border-radius: 8px;
  border: 1px solid var(--border-color-primary); color: var(--adv-cite); text-decoration: none; }
#plan-timeline { overflow-x: auto; }
#plan-timeline svg { max-width: none; height: auto; display: block; }
#export-links a { color: var(--adv-cite); margin-right: 12px; }
.toast-wrap { top: auto !important; bottom: 16px !important; }
/* Gradio titles its toasts "Info" / "Warning" whatever title is passed: say it in Chinese */
.toast-title { font-size: 0 !important; }
.toast-title::before { font-size: var(--text-md); }
.toast-title.info::before, .toast-title.success::before { content: "提示"; }
.toast-title.warning::before { content: "注意"; }
.toast-title.error::before { content: "出错了"; }
footer { display: none !important; }
@media (max-width: 760px) {
  details.answer-sources { display: block; }
  #sources-panel .sources { display: none; }
  #sources-col { position: static; }
  /* a table quoted from an article (jobs and pay) scrolls sideways rather than wrapping each character */
  #chatbot table { display: block; overflow-x: auto; max-width: calc(100vw - 150px); }
  #chatbot th, #chatbot td { min-width: 7em; }
}
"""
)

# ``[n]`` in an answer become links; a click shows that answer's source n (folded under the answer on
# a narrow screen, in the panel beside the chat otherwise) and flashes it; the title is the quote.
HEAD = """
<script>
(() => {
  const CITE = /\\[(\\d{1,2})\\]/g;
  const SKIP = "a, summary, details, code, pre, button, textarea";
  function botMessages() {
    return document.querySelectorAll("#chatbot .message.bot, #chatbot [data-testid='bot']");
  }
  function quoteOf(msg, n) {
    const mark = msg.querySelector(`details.answer-sources .src-card.src-${n} mark`);
    return mark ? mark.textContent.trim() : "";
  }
  function linkify(msg) {
    const walker = document.createTreeWalker(msg, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (CITE.test(t.nodeValue) && !t.parentElement.closest(SKIP)) nodes.push(t);
      CITE.lastIndex = 0;
    }
    for (const t of nodes) {
      const frag = document.createDocumentFragment();
      let last = 0;
      t.nodeValue.replace(CITE, (m, n, at) => {
        frag.append(t.nodeValue.slice(last, at));
        const a = document.createElement("a");
        a.className = "cite"; a.href = "#"; a.dataset.n = n; a.textContent = m;
        frag.append(a);
        last = at + m.length;
        return m;
      });
      frag.append(t.nodeValue.slice(last));
      t.replaceWith(frag);
    }
    msg.querySelectorAll("a.cite").forEach((a) => {  // the sources arrive after the streamed text
      const q = quoteOf(msg, a.dataset.n);
      const title = q ? `来源 ${a.dataset.n}：${q}` : `来源 ${a.dataset.n}`;
      if (a.title !== title) a.title = title;
    });
  }
  // The question and a searching line the moment it is sent, drawn here before Gradio's own update
  // arrives (that one replaces it): a user never wonders whether the question was taken.
  let ghostRows = -1;
  function rows() { return document.querySelectorAll("#chatbot .message-row").length; }
  function ghost(text) {
    if (!text.trim()) return;
    document.querySelectorAll(".pending-ghost").forEach((g) => g.remove());
    const log = document.querySelector("#chatbot .message-wrap") || document.querySelector("#chatbot [role='log']");
    if (!log) return;
    const g = document.createElement("div");
    g.className = "pending-ghost";
    const u = document.createElement("div"); u.className = "ghost-user"; u.textContent = text.trim();
    const b = document.createElement("div"); b.className = "ghost-bot"; b.textContent = "⏳ 正在检索资料……";
    g.append(u, b);
    log.append(g);
    ghostRows = rows();
    g.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (ev) => {
    const box = ev.target.closest && ev.target.closest("#question-box textarea");
    if (box && ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) ghost(box.value);
  }, true);
  document.addEventListener("click", (ev) => {
    if (ev.target.closest && ev.target.closest("#send-btn")) {
      const box = document.querySelector("#question-box textarea");
      if (box) ghost(box.value);
    }
  }, true);
  let queued = false;
  function refresh() {
    queued = false;
    if (ghostRows >= 0 && rows() > ghostRows) {
      document.querySelectorAll(".pending-ghost").forEach((g) => g.remove());
      ghostRows = -1;
    }
    botMessages().forEach(linkify);
  }
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(refresh); }
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  function show(card) {
    if (!card) return;
    card.scrollIntoView({ block: "center", behavior: "instant" });
    card.classList.remove("flash"); void card.offsetWidth; card.classList.add("flash");
    // once more after the chat has re-laid out (an opened fold can make it scroll to its end)
    setTimeout(() => card.scrollIntoView({ block: "center", behavior: "instant" }), 250);
  }
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest && ev.target.closest("a.cite");
    if (!a) return;
    ev.preventDefault(); ev.stopPropagation();
    const n = a.dataset.n;
    const msg = a.closest(".message, [data-testid='bot']") || document;
    const own = msg.querySelector("details.answer-sources");
    if (own && getComputedStyle(own).display !== "none") {
      own.open = true;
      show(own.querySelector(`.src-card.src-${n}`));
      return;
    }
    const panel = document.querySelector("#sources-panel .sources");
    const mine = own && own.querySelector(".sources");
    if (mine && panel && panel.className !== mine.className) {  // an earlier answer's [n]
      panel.innerHTML = mine.innerHTML.replaceAll("<br>", "\\n"); panel.className = mine.className;
    }
    show(document.querySelector(`#sources-panel .src-card.src-${n}`));
  }, true);
})();
</script>
"""
