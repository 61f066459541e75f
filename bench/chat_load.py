"""Chat load benchmark: N concurrent browser-like sessions against the Gradio app, over 127.0.0.1.

``python -m bench chat_load [--n 1 5 20] [--questions 3]`` starts ``python app.py`` (extractive mode)
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
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from advisor.kb.facts import packaged_knowledge
from testkit.app_process import AppProcess
from testkit.chat import REQUEST_TIMEOUT_S, timed_ask
from testkit.stats import percentile

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "chat_load.json"
GOLDEN = ROOT / "evals" / "golden.jsonl"


def example_questions() -> list[tuple[str, str]]:
    """The app's own example questions (from the knowledge data), role 全部 where none is given."""
    return [(q, r or "全部") for q, r in packaged_knowledge().example_questions()]


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
    return pool or example_questions()


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
        "ttft_p50_ms": ms(percentile(ttft, 50)),
        "ttft_p95_ms": ms(percentile(ttft, 95)),
        "full_p50_ms": ms(percentile(full, 50)),
        "full_p95_ms": ms(percentile(full, 95)),
        "full_max_ms": ms(max(full) if full else None),
        "full_mean_ms": ms(statistics.fmean(full) if full else None),
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(full) / wall, 2) if wall else None,
    }


def run_load(url: str, questions: list[str] | None = None, sessions: int = 5, seconds: float = 30.0) -> dict:
    """Time-bounded load for ``bench.app_probe``: ``sessions`` sessions ask until ``seconds`` pass,
    voting 👍/👎 through ``/feedback`` after each answer."""
    from gradio_client import Client

    pool = list(questions) if questions else [q for q, _ in example_questions()]
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


def run_levels(url: str, ns: list[int], questions: int, pool: list[tuple[str, str]]) -> list[dict]:
    """One load level per session count in ``ns``, each on fresh questions from ``pool``; a line each."""
    levels, offset = [], 0
    for n in ns:
        res = run_level(url, n, questions, pool, offset)
        offset += n * questions
        levels.append(res)
        print(
            f"N={n:>3}  requests={res['requests']:>3}  errors={res['errors']}  "
            f"first token p50={res['ttft_p50_ms']} ms p95={res['ttft_p95_ms']} ms  "
            f"full answer p50={res['full_p50_ms']} ms p95={res['full_p95_ms']} ms  "
            f"({res['answers_per_s']} answers/s)",
            flush=True,
        )
    return levels


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench chat_load",
        description="Concurrent chat sessions against the app (127.0.0.1 only)",
    )
    parser.add_argument("--n", type=int, nargs="+", default=[1, 5, 20], help="concurrent sessions per level")
    parser.add_argument("--questions", type=int, default=3, help="questions per session")
    parser.add_argument(
        "--data-dir", type=Path, help="index to serve (default: data/ if built, else a temp dir)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="chat_load_") as tmp:
        workdir = Path(tmp)
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = ROOT / "data" if (ROOT / "data" / "chroma").exists() else workdir / "data"
        print(f"starting python app.py (extractive) on index {data_dir} …", file=sys.stderr, flush=True)
        load_start = os.getloadavg()
        t0 = time.perf_counter()
        with AppProcess(workdir, data_dir=Path(data_dir)) as app:
            startup = app.ready_s or (time.perf_counter() - t0)
            print(f"app ready at {app.url} in {startup:.1f} s", file=sys.stderr, flush=True)
            pool = question_pool()
            run_level(app.url, 1, 1, example_questions())  # one warm request (connection setup), not counted
            levels = run_levels(app.url, args.n, args.questions, pool)
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
