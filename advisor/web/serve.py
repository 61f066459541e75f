"""Serving the page: first-start indexing, warm-up, and ``launch`` on 127.0.0.1 unless configured."""

from __future__ import annotations

import logging
import signal

import gradio as gr

from advisor.config import Settings
from advisor.console import console_progress, say
from advisor.database import database_url
from advisor.errors import IndexMissingError
from advisor.index.embeddings import make_embedder
from advisor.index.ingest import ingest
from advisor.service import Advisor
from advisor.web.assets import CSS, FONTS, HEAD
from advisor.web.render import status_text

log = logging.getLogger(__name__)


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="blue", font=FONTS, font_mono=["DejaVu Sans Mono", "monospace"])


def launch(demo: gr.Blocks, settings: Settings, **overrides):
    """Serve ``demo`` on the configured host/port with the app's theme and CSS (no analytics, no share
    unless configured). ``overrides`` go to ``Blocks.launch`` (e.g. ``prevent_thread_lock=True``)."""
    kwargs = {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": settings.share,
        "css": CSS,
        "head": HEAD,
        "theme": theme(),
        "footer_links": [],
        "show_error": False,
        "max_threads": max(40, 4 * settings.concurrency),
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
    }
    kwargs.update(overrides)
    return demo.launch(**kwargs)


def check_settings(settings: Settings) -> None:
    """What serving needs, checked before anything loads: a malformed feedback database URL (a port
    that is not a number, a SQLite path under a file) is a ``ConfigError`` now, not a lost vote later."""
    database_url(settings.database)


def load_advisor(settings: Settings) -> Advisor:
    """``Advisor.load`` that builds the index from the corpus on a fresh machine first."""
    check_settings(settings)
    embedder = make_embedder(settings.embedder)
    try:
        return Advisor.load(settings, embedder=embedder)
    except IndexMissingError:
        say("首次启动：正在建立索引…")
        with console_progress() as progress:
            report = ingest(settings, embedder, [settings.corpus_path], progress=progress, notify=say)
        say(f"索引已建立：{report.documents} 篇文档，{report.chunks} 个文本块。")
        return Advisor.load(settings, embedder=embedder)


def warm_up(adv: Advisor) -> None:
    """Retrieve for the example questions once (no LLM calls) so the first visitor does not pay for
    lazy loading (jieba dictionary, scope gate, vector index, the answer path's look-ups)."""
    try:
        adv.derived.warm()
    except Exception as exc:  # warming up must never stop the app from starting
        log.warning("warm-up failed: %s", exc)
    for question, role in adv.snapshot.knowledge.example_questions():
        try:
            adv.scope.decide(question, adv.search(question, k=adv.settings.top_k, role=role))
        except Exception as exc:  # warming up must never stop the app from starting
            log.warning("warm-up failed: %s", exc)
            break


def stop_on_signals() -> None:
    """Ctrl-C and SIGTERM stop the server cleanly, even when started from a background shell (which
    leaves SIGINT ignored)."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)


def main(demo: gr.Blocks, adv: Advisor) -> int:
    """Warm up, then serve until stopped (``python app.py``)."""
    settings = adv.settings
    say(status_text(adv.backend))
    say("正在预热检索模型…")
    warm_up(adv)
    stop_on_signals()
    say(f"转型顾问已启动：http://{settings.host}:{settings.port}")
    launch(demo, settings)
    return 0
