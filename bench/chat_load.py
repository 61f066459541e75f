"""Chat load benchmark: N concurrent browser-like sessions against the Gradio app, over 127.0.0.1.

``python -m bench.chat_load [--n 1 5 20] [--questions 3]`` starts ``python app.py`` (extractive mode)
on a free loopback port — on the real index in ``data/`` when there is one, else on a temporary data
dir that the app indexes on first start — then, for each N, runs N sessions (one ``gradio_client``
``Client`` per thread, so one Gradio session each) that each ask ``--questions`` questions through
the streaming ``/chat`` endpoint. It prints p50/p95 of

- time to first token: until the first partial output that carries answer text (not the
  "正在检索" placeholder);
- time to full answer: until the job's final output;

Questions are the golden set's single-turn questions, each asked once across all levels (so the
query-embedding cache does not flatter the numbers); each session keeps its history (multi-turn).

plus the error count, and writes everything to ``bench/results/chat_load.json``.

``run_load(url, questions, sessions, seconds)`` is the time-bounded variant (with 👍/👎 feedback after
each answer) used by ``bench.app_probe``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "chat_load.json"
PENDING_PREFIX = "⏳"
QUESTIONS = [
    ("阿里出来的王姐后来做了什么？", "全部"),
    ("产品经理和项目经理有什么区别？", "全部"),
    ("我是做运营的，35岁了该怎么转型？", "运营"),
    ("老张后来怎么样了？", "全部"),
    ("技术中层怎么转AI解决方案架构师？", "技术"),
    ("做市场投放的怎么降低获客成本？", "市场"),
    ("老周现在在做什么？", "全部"),
    ("转型失败了怎么止损？", "全部"),
]
REQUEST_TIMEOUT_S = 60.0
GOLDEN = ROOT / "evals" / "golden.jsonl"


def question_pool() -> list[tuple[str, str]]:
    """Distinct realistic questions: the golden set's single-turn questions (answerable or not), so
    that the levels do not just replay the query-embedding cache; the app's examples otherwise."""
    pool: list[tuple[str, str]] = []
    if GOLDEN.exists():
        for line in GOLDEN.read_text("utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                if case.get("question"):
                    pool.append((case["question"], case.get("role") or "全部"))
    return pool or list(QUESTIONS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return "".join(_text(c) for c in content)
    return ""


def _answer_text(output) -> str:
    """The last assistant message of a /chat output ``(history, sources, box)``."""
    try:
        history = output[0]
        last = history[-1]
    except (TypeError, IndexError, KeyError):
        return ""
    if not isinstance(last, dict) or last.get("role") != "assistant":
        return ""
    return _text(last.get("content"))


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def timed_ask(client, question: str, history: list, role: str) -> tuple[float | None, float, list]:
    """One streamed /chat call: (seconds to first answer text, seconds to final output, history)."""
    t0 = time.perf_counter()
    first = None
    job = client.submit(question, history, role, api_name="/chat")
    for output in job:
        text = _answer_text(output)
        if first is None and text.strip() and not text.startswith(PENDING_PREFIX):
            first = time.perf_counter() - t0
    final = job.result(timeout=REQUEST_TIMEOUT_S)
    full = time.perf_counter() - t0
    text = _answer_text(final)
    if not text.strip() or text.startswith(PENDING_PREFIX):
        msg = "no answer in the final output"
        raise RuntimeError(msg)
    return (first if first is not None else full), full, final[0]


def run_level(url: str, n: int, questions: int, pool: list[tuple[str, str]], offset: int = 0) -> dict:
    """``n`` sessions started together, each asking ``questions`` questions in a row; session ``i``
    asks ``pool[offset + i * questions + j]`` (wrapping around)."""
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(n)]
    barrier = threading.Barrier(n)
    lock = threading.Lock()
    ttft: list[float] = []
    full: list[float] = []
    errors: list[str] = []

    def session(i: int) -> None:
        barrier.wait()
        history: list = []
        for j in range(questions):
            question, role = pool[(offset + i * questions + j) % len(pool)]
            try:
                first, total, history = timed_ask(clients[i], question, history, role)
                with lock:
                    ttft.append(first)
                    full.append(total)
            except Exception as exc:
                with lock:
                    errors.append(f"session {i}: {type(exc).__name__}: {exc}"[:300])
                history = []
            if len(history) >= 6:  # three turns, then a new conversation
                history = []

    t0 = time.perf_counter()
    threads = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=REQUEST_TIMEOUT_S * questions + 30)
    wall = time.perf_counter() - t0
    for c in clients:
        with contextlib.suppress(Exception):
            c.close()
    hung = sum(t.is_alive() for t in threads)
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    return {
        "sessions": n,
        "questions_per_session": questions,
        "requests": n * questions,
        "answers": len(full),
        "errors": len(errors) + hung,
        "error_samples": errors[:5],
        "hung_sessions": hung,
        "ttft_p50_ms": ms(pct(ttft, 50)),
        "ttft_p95_ms": ms(pct(ttft, 95)),
        "full_p50_ms": ms(pct(full, 50)),
        "full_p95_ms": ms(pct(full, 95)),
        "full_max_ms": ms(max(full) if full else None),
        "full_mean_ms": ms(statistics.fmean(full) if full else None),
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(full) / wall, 2) if wall else None,
    }


def run_load(url: str, questions: list[str] | None = None, sessions: int = 5, seconds: float = 30.0) -> dict:
    """Time-bounded load for ``bench.app_probe``: ``sessions`` sessions ask until ``seconds`` pass,
    voting 👍/👎 through ``/feedback`` after each answer."""
    from gradio_client import Client

    pool = list(questions) if questions else [q for q, _ in QUESTIONS]
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    stats: dict = {
        "answers": 0,
        "errors": [],
        "feedback_calls": 0,
        "feedback_ok": 0,
        "latencies_s": [],
        "ttft_s": [],
    }

    def session(i: int) -> None:
        rng = random.Random(7 + i)
        try:
            client = Client(url, verbose=False)
        except Exception as exc:
            with lock:
                stats["errors"].append(f"session {i}: connect: {type(exc).__name__}: {exc}"[:300])
            return
        history: list = []
        while time.monotonic() < deadline:
            try:
                first, total, history = timed_ask(client, rng.choice(pool), history, "全部")
                status = client.predict(len(history) - 1, rng.choice(["up", "down"]), api_name="/feedback")
                with lock:
                    stats["answers"] += 1
                    stats["latencies_s"].append(total)
                    stats["ttft_s"].append(first)
                    stats["feedback_calls"] += 1
                    stats["feedback_ok"] += "已记录" in str(status)
            except Exception as exc:
                with lock:
                    stats["errors"].append(f"session {i}: {type(exc).__name__}: {exc}"[:300])
                history = []
            if len(history) >= 6:
                history = []

    threads = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + REQUEST_TIMEOUT_S + 30)
    stats["hung_sessions"] = sum(t.is_alive() for t in threads)
    return stats


class AppServer:
    """``python app.py`` in extractive mode on a free loopback port (SIGINT to stop)."""

    def __init__(self, data_dir: Path, workdir: Path) -> None:
        self.data_dir, self.workdir = data_dir, workdir
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = workdir / "app.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def __enter__(self) -> AppServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
        env.update(
            {
                "ADVISOR_DATA_DIR": str(self.data_dir),
                "ADVISOR_FEEDBACK_PATH": str(self.workdir / "feedback.jsonl"),
                "ADVISOR_HOST": "127.0.0.1",
                "ADVISOR_PORT": str(self.port),
                "ADVISOR_LLM": "extractive",
                "GRADIO_ANALYTICS_ENABLED": "False",
                "HF_HUB_OFFLINE": "1",
            }
        )
        with self.log_path.open("wb") as log:
            # cwd = workdir: no developer .env is read.
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "app.py")],
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                msg = f"app exited with {self.proc.returncode}:\n{self.log_tail()}"
                raise RuntimeError(msg)
            try:
                with urllib.request.urlopen(self.url + "config", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.__exit__(None, None, None)
        msg = f"app did not start within 600 s:\n{self.log_tail()}"
        raise RuntimeError(msg)

    def log_tail(self, n: int = 1500) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")[-n:]
        except OSError:
            return ""

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Concurrent chat sessions against the app (127.0.0.1 only)")
    parser.add_argument("--n", type=int, nargs="+", default=[1, 5, 20], help="concurrent sessions per level")
    parser.add_argument("--questions", type=int, default=3, help="questions per session")
    parser.add_argument(
        "--data-dir", type=Path, help="index to serve (default: data/ if built, else a temp dir)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="chat_load_") as tmp:
        workdir = Path(tmp)
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = ROOT / "data" if (ROOT / "data" / "manifest.json").exists() else workdir / "data"
        print(f"starting python app.py (extractive) on index {data_dir} …", file=sys.stderr, flush=True)
        load_start = os.getloadavg()
        t0 = time.perf_counter()
        levels = []
        with AppServer(Path(data_dir), workdir) as app:
            startup = time.perf_counter() - t0
            print(f"app ready at {app.url} in {startup:.1f} s", file=sys.stderr, flush=True)
            pool = question_pool()
            run_level(app.url, 1, 1, list(QUESTIONS))  # one warm request (connection setup), not counted
            offset = 0
            for n in args.n:
                res = run_level(app.url, n, args.questions, pool, offset)
                offset += n * args.questions
                levels.append(res)
                print(
                    f"N={n:>3}  requests={res['requests']:>3}  errors={res['errors']}  "
                    f"first token p50={res['ttft_p50_ms']} ms p95={res['ttft_p95_ms']} ms  "
                    f"full answer p50={res['full_p50_ms']} ms p95={res['full_p95_ms']} ms  "
                    f"({res['answers_per_s']} answers/s)",
                    flush=True,
                )
    report = {
        "benchmark": "chat_load",
        "mode": "python app.py, extractive, gradio_client sessions over 127.0.0.1",
        "index": str(data_dir),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "loadavg_1_5_15": {
            "start": [round(x, 2) for x in load_start],
            "end": [round(x, 2) for x in os.getloadavg()],
        },
        "startup_s": round(startup, 1),
        "questions": f"{len(pool)} distinct questions ({'evals/golden.jsonl' if GOLDEN.exists() else 'app examples'})",
        "target": "p95 full answer <= 2000 ms at N=5",
        "levels": levels,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0 if all(lv["errors"] == 0 for lv in levels) else 1


if __name__ == "__main__":
    sys.exit(main())
