"""The app as a separate process (``testkit.app_process``) on a fresh data dir: its RSS, and a chat load.

Everything talks to 127.0.0.1 only. The load is bounded in sessions and seconds.
"""

from __future__ import annotations

import time
from pathlib import Path

from advisor.feedback.store import FeedbackStore
from testkit.app_process import APP, AppProcess
from testkit.settings import isolated_settings
from testkit.stats import summary_ms

from .measure import RSSSampler, mb, say


def app_available() -> bool:
    return APP.exists()


def ask_once(client, question: str, history: list, role: str = "全部"):
    job = client.submit(question, history, role, api_name="/chat")
    history, _sources, _box = job.result(timeout=180)
    return history


def stored_votes(app: AppProcess) -> int:
    """Votes in the app's feedback database (SQLite in its data dir by default)."""
    settings = isolated_settings(app.data_dir or app.workdir / "data")
    store = FeedbackStore.from_settings(settings)
    try:
        return len(store.votes())
    finally:
        store.close()


def _probe(app: AppProcess, s: RSSSampler, questions: list[str], out: dict) -> None:
    """Startup figures, then five sequential questions."""
    from gradio_client import Client

    out["startup_seconds"] = round(app.ready_s or 0.0, 1)
    out["rss_peak_startup_mb"] = mb(s.peak())
    time.sleep(2.0)
    out["rss_ready_mb"] = mb(s.sample())
    say(f"app: ready in {app.ready_s:.1f}s, RSS {out['rss_ready_mb']} MB; 5 sequential questions")
    client = Client(app.url, verbose=False)
    t_probe = time.perf_counter() - s.t0
    seq = []
    for q in questions[:5]:
        t0 = time.perf_counter()
        hist = ask_once(client, q, [])
        seq.append(time.perf_counter() - t0)
        assert hist and hist[-1]["role"] == "assistant"
    out["sequential_answer_s"] = [round(x, 3) for x in seq]
    out["rss_after_requests_mb"] = mb(s.sample())
    out["rss_peak_requests_mb"] = mb(s.peak(since=t_probe))


def _load(app: AppProcess, s: RSSSampler, questions: list[str], sessions: int, seconds: float) -> dict:
    """The concurrent chat load with votes; every vote the app acknowledged must be in the database."""
    before = stored_votes(app)
    t_load = time.perf_counter() - s.t0
    load = run_load(app.url, questions, sessions, seconds)
    t_end = time.perf_counter() - s.t0
    time.sleep(1.0)
    after = stored_votes(app)
    samples = [r for t, r in s.samples if t >= t_load]
    out = {
        **{k: v for k, v in load.items() if k not in ("latencies_s", "ttft_s")},
        "feedback_votes_stored": after - before,
        "lost_votes": load.get("feedback_ok", 0) - (after - before),
        "rss_start_mb": mb(samples[0]) if samples else None,
        "rss_peak_mb": mb(max(samples)) if samples else None,
        "rss_end_mb": mb(s.sample()),
        "duration_s": round(t_end - t_load, 1),
        "marks": {"load_start": t_load, "load_end": t_end},
    }
    lat = load.get("latencies_s", [])
    if lat:
        out["answer_latency"] = summary_ms(lat)
        ttft = [x for x in load.get("ttft_s", []) if x is not None]
        if ttft:
            out["first_text_latency"] = summary_ms(ttft)
        out["answers_per_s"] = round(len(lat) / max(t_end - t_load, 1e-9), 2)
    return out


def run_app_checks(workdir: Path, questions: list[str], sessions: int, seconds: float) -> dict:
    """Start the app on an empty data dir (it ingests on first start), probe it, load it, stop it."""
    samplers: list[RSSSampler] = []
    app = AppProcess(
        workdir, on_spawn=lambda pid: samplers.append(RSSSampler(pid, interval=0.25).__enter__())
    )
    out: dict = {"mode": "subprocess: python app.py (extractive)", "sessions": sessions, "seconds": seconds}
    try:
        say("app: starting python app.py on an empty data dir (first start builds the index)")
        app.start()
        s = samplers[0]
        _probe(app, s, questions, out)
        out["load"] = _load(app, s, questions, sessions, seconds)
        out["marks"] = {"ready": app.ready_s, **out["load"].pop("marks")}
        out["rss_timeline"] = [(round(t, 2), mb(r)) for t, r in s.samples]
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        out["app_log_tail"] = app.log_tail(2000)
    finally:
        app.stop()
        for s in samplers:
            s.__exit__(None, None, None)
    return out


def run_load(url: str, questions: list[str], sessions: int, seconds: float) -> dict:
    """The shared concurrent-chat driver (``bench.chat_load``), labelled for the report."""
    from .chat_load import run_load as chat_load_run

    say(f"app: {sessions} sessions × {seconds:.0f}s with feedback (bench.chat_load)")
    res = dict(chat_load_run(url, questions=questions, sessions=sessions, seconds=seconds))
    res["driver"] = "bench.chat_load.run_load"
    return res
