"""The app as a separate process: ``python app.py`` on a fresh data dir, its RSS, and a chat load.

Everything talks to 127.0.0.1 only. The load is bounded in sessions and seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from advisor.config import ROOT

from .measure import RSSSampler, mb, say

APP = ROOT / "app.py"


def app_available() -> bool:
    return APP.exists() and (ROOT / "advisor" / "ui.py").exists()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppProcess:
    """``python app.py`` with its own data dir, port and feedback file; RSS sampled from start."""

    workdir: Path
    proc: subprocess.Popen | None = None
    port: int = 0
    sampler: RSSSampler | None = None
    started_s: float = 0.0
    ready_s: float | None = None
    log_path: Path | None = None
    marks: dict[str, float] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def feedback_path(self) -> Path:
        return self.workdir / "feedback.jsonl"

    def start(self, timeout: float = 300.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")},
            "ADVISOR_DATA_DIR": str(self.workdir / "data"),
            "ADVISOR_FEEDBACK_PATH": str(self.feedback_path),
            "ADVISOR_HOST": "127.0.0.1",
            "ADVISOR_PORT": str(self.port),
            "ADVISOR_LLM": "extractive",
            "GRADIO_ANALYTICS_ENABLED": "False",
            "HF_HUB_OFFLINE": "1",
        }
        self.log_path = self.workdir / "app.log"
        log = self.log_path.open("wb")
        t0 = time.perf_counter()
        # cwd is the work dir so that no developer .env is read; the app ingests corpus/ on first start.
        self.proc = subprocess.Popen(
            [sys.executable, str(APP)], cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        self.sampler = RSSSampler(self.proc.pid, interval=0.25).__enter__()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                msg = f"app exited with {self.proc.returncode}: {self.log_tail()}"
                raise RuntimeError(msg)
            try:
                with urllib.request.urlopen(self.url + "config", timeout=2) as r:
                    if r.status == 200:
                        self.ready_s = time.perf_counter() - t0
                        self.marks["ready"] = self.sampler_time()
                        return
            except OSError:
                pass
            time.sleep(0.5)
        msg = f"app did not answer within {timeout:.0f}s: {self.log_tail()}"
        raise RuntimeError(msg)

    def sampler_time(self) -> float:
        return time.perf_counter() - self.sampler.t0 if self.sampler else 0.0

    def log_tail(self, n: int = 800) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.sampler:
            self.sampler.__exit__(None, None, None)
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def ask_once(client, question: str, history: list, role: str = "全部"):
    job = client.submit(question, history, role, api_name="/chat")
    history, _sources, _box = job.result(timeout=180)
    return history


def feedback_lines(path: Path) -> int:
    if not path.exists():
        return 0
    n = 0
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            json.loads(line)  # every line must be valid JSON
            n += 1
    return n


def run_app_checks(workdir: Path, questions: list[str], sessions: int, seconds: float) -> dict:
    """Start the app on an empty data dir (it ingests on first start), probe it, load it, stop it."""
    from gradio_client import Client

    app = AppProcess(workdir)
    out: dict = {"mode": "subprocess: python app.py (extractive)", "sessions": sessions, "seconds": seconds}
    try:
        say("app: starting python app.py on an empty data dir (first start builds the index)")
        app.start()
        s = app.sampler
        out["startup_seconds"] = round(app.ready_s or 0.0, 1)
        out["rss_peak_startup_mb"] = mb(s.peak())
        time.sleep(2.0)
        out["rss_ready_mb"] = mb(s.sample())
        say(f"app: ready in {app.ready_s:.1f}s, RSS {out['rss_ready_mb']} MB; 5 sequential questions")
        client = Client(app.url, verbose=False)
        t_probe = app.sampler_time()
        seq = []
        for q in questions[:5]:
            t0 = time.perf_counter()
            hist = ask_once(client, q, [])
            seq.append(time.perf_counter() - t0)
            assert hist and hist[-1]["role"] == "assistant"
        out["sequential_answer_s"] = [round(x, 3) for x in seq]
        out["rss_after_requests_mb"] = mb(s.sample())
        out["rss_peak_requests_mb"] = mb(s.peak(since=t_probe))
        before = feedback_lines(app.feedback_path)
        t_load = app.sampler_time()
        load = run_load(app.url, questions, sessions, seconds)
        t_end = app.sampler_time()
        time.sleep(1.0)
        after = feedback_lines(app.feedback_path)
        load_samples = [(t - t_load, r) for t, r in s.samples if t >= t_load]
        out["load"] = {
            **{k: v for k, v in load.items() if k not in ("latencies_s", "ttft_s")},
            "feedback_lines_written": after - before,
            "lost_feedback_lines": load.get("feedback_ok", 0) - (after - before),
            "rss_start_mb": mb(load_samples[0][1]) if load_samples else None,
            "rss_peak_mb": mb(max(r for _, r in load_samples)) if load_samples else None,
            "rss_end_mb": mb(s.sample()),
            "duration_s": round(t_end - t_load, 1),
        }
        lat = load.get("latencies_s", [])
        if lat:
            from .measure import summary_ms

            out["load"]["answer_latency"] = summary_ms(lat)
            ttft = [x for x in load.get("ttft_s", []) if x is not None]
            if ttft:
                out["load"]["first_text_latency"] = summary_ms(ttft)
            out["load"]["answers_per_s"] = round(len(lat) / max(t_end - t_load, 1e-9), 2)
        out["rss_timeline"] = [(round(t, 2), mb(r)) for t, r in s.samples]
        out["marks"] = {"ready": app.marks.get("ready"), "load_start": t_load, "load_end": t_end}
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        out["app_log_tail"] = app.log_tail(2000)
    finally:
        app.stop()
    return out


def run_load(url: str, questions: list[str], sessions: int, seconds: float) -> dict:
    """The shared concurrent-chat driver (``bench.chat_load``), labelled for the report."""
    from .chat_load import run_load as chat_load_run

    say(f"app: {sessions} sessions × {seconds:.0f}s with feedback (bench.chat_load)")
    res = dict(chat_load_run(url, questions=questions, sessions=sessions, seconds=seconds))
    res["driver"] = "bench.chat_load.run_load"
    return res
