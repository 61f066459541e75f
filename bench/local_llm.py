"""``python -m bench local_llm``: the local model (llama.cpp, in-process) on this machine's CPU.

Separate from ``python -m bench`` because it loads a 1.1 GB model and spends minutes generating.
It measures, in one run:

- load time and memory (RSS after load, peak RSS);
- time to first token and writing speed at fixed prompt sizes (300 / 800 / 1500 tokens), prompt cache
  cold, so the whole prompt is read;
- real questions as the app asks them: the compact prompt (what ``local:`` uses) with its fixed prefix
  cached, as in a running app, next to the plain baseline, the full hosted-model prompt with every
  retrieved passage.

Results: ``bench/results/local_llm.json`` and ``bench/results/local_llm.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime
from pathlib import Path

import psutil

from advisor import Advisor, Settings
from advisor.config import packaged_corpus, quiet_network
from advisor.kb.documents import load_documents
from advisor.llm.prompts import build_messages
from evals.report import md_table

from .measure import RSSSampler, machine, mb, say
from .run import RESULTS, git_rev

SIZES = (300, 800, 1500)
QUESTIONS = ("王姐被裁后做了什么？", "35岁做产品的，想转型有哪些路径？", "产品经理和运营有什么区别？")
NEW_TOKENS = 48


def timed_stream(model, msgs, max_tokens: int = NEW_TOKENS) -> dict:
    """Seconds to the first piece of text, then tokens per second for the rest of the reply."""
    t0 = time.perf_counter()
    first = None
    text = ""
    for chunk in model.stream(msgs, max_tokens=max_tokens):
        if chunk.content and first is None:
            first = time.perf_counter()
        text += str(chunk.content)
    end = time.perf_counter()
    tokens = model.count_tokens(text)
    first = first or end
    rate = (tokens - 1) / (end - first) if tokens > 1 and end > first else None
    return {"ttft_s": round(first - t0, 2), "tokens": tokens, "tokens_per_s": rate and round(rate, 1)}


def filler(model, n_tokens: int, salt: int) -> str:
    """Corpus text cut to about ``n_tokens`` tokens, starting with ``salt`` so no prompt prefix is cached."""
    docs, _ = load_documents([packaged_corpus()])
    text = "\n".join(d.body for d in docs)
    lo, hi = 0, len(text)
    while lo < hi:  # the longest opening that fits
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if model.count_tokens(text[:mid]) <= n_tokens else (lo, mid - 1)
    return f"第{salt}段资料：\n{text[:lo]}"


def prompt_sizes(model) -> list[dict]:
    rows = []
    for i, n in enumerate(SIZES):
        body = filler(model, n - 20, i)
        msgs = [("human", f"{body}\n问题：这段资料主要讲了什么？用一句话回答。")]
        tokens = model.count_tokens(body) + 20
        say(f"prompt of ~{tokens} tokens, cache cold")
        rows.append({"prompt_tokens": tokens, **timed_stream(model, msgs)})
    return rows


def real_questions(adv: Advisor, model) -> list[dict]:
    """Each question with the compact prompt (prefix cached by the question before) and the full one."""
    rows = []
    warm = adv.answerer.fit(QUESTIONS[-1], adv.search(QUESTIONS[-1]), [])[0]
    timed_stream(model, warm, max_tokens=1)  # caches the compact prompt's fixed prefix
    for q in QUESTIONS:
        passages = adv.search(q, k=adv.settings.top_k)
        compact, shown = adv.answerer.fit(q, passages, [])
        full = build_messages(q, passages, [], None, style="full")
        for name, msgs, n in (
            ("compact (local)", compact, len(shown)),
            ("full (baseline)", full, len(passages)),
        ):
            tokens = model.count_tokens("\n".join(str(m.content) for m in msgs))
            say(f"{q} · {name}: {tokens} tokens")
            rows.append({"question": q, "prompt": name, "passages": n, "prompt_tokens": tokens})
            rows[-1].update(timed_stream(model, msgs))
        timed_stream(model, compact, max_tokens=1)  # the app's next question finds the prefix cached
    return rows


def report(result: dict) -> str:
    sizes = [[r["prompt_tokens"], r["ttft_s"], r["tokens_per_s"]] for r in result["prompt_sizes"]]
    real = [
        [r["question"], r["prompt"], r["passages"], r["prompt_tokens"], r["ttft_s"], r["tokens_per_s"]]
        for r in result["questions"]
    ]
    load = result["load"]
    lines = [
        "# Local model benchmark",
        "",
        f"{result['model']} · {result['created']} · git {result['git']} · "
        f"{result['machine']['cpus']} cores, load average {result['machine']['loadavg_1_5_15']}",
        "",
        f"Load {load['seconds']} s · RSS after load {load['rss_mb']} MB · peak RSS {result['peak_rss_mb']} MB",
        "",
        "## Prompt size (cache cold)",
        "",
        md_table(["prompt tokens", "first token s", "tokens/s"], sizes),
        "",
        "## Real questions: compact prompt (prefix cached) vs the full prompt",
        "",
        md_table(["question", "prompt", "passages", "prompt tokens", "first token s", "tokens/s"], real),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    quiet_network()
    p = argparse.ArgumentParser(prog="python -m bench local_llm", description=__doc__.splitlines()[0])
    p.add_argument("--llm", default="local:qwen2.5-1.5b")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    settings = Settings(llm=args.llm)
    with RSSSampler() as rss:
        t0 = time.perf_counter()
        adv = Advisor.load(settings)
        model = adv.answerer.chat_model
        load = {
            "seconds": round(time.perf_counter() - t0, 1),
            "rss_mb": mb(psutil.Process().memory_info().rss),
        }
        say(f"loaded {adv.backend} in {load['seconds']} s")
        result = {
            "created": datetime.now().isoformat(timespec="seconds"),
            "git": git_rev(),
            "model": adv.backend,
            "machine": machine(),
            "load": load,
            "prompt_budget": model.prompt_budget,
            "prompt_sizes": prompt_sizes(model),
            "questions": real_questions(adv, model),
        }
    result["peak_rss_mb"] = mb(rss.peak())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "local_llm.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    md = report(result)
    (args.out / "local_llm.md").write_text(md, "utf-8")
    print(md)
    return 0
