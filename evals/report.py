"""Reports of an eval run: aligned text tables on the console, and ``report.md`` / ``report.json``
(with charts, see ``charts.py``) written atomically."""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from advisor.grounding.format import answer_body

from .golden import GROUPS, golden_digest
from .runner import CaseResult, RunResult, aggregate

log = logging.getLogger(__name__)


def _fmt(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and math.isnan(x):
        return "-"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float) and abs(x) >= 10:
        return f"{x:.0f}"
    return f"{x:.2f}" if isinstance(x, float) else str(x)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def text_table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers))]

    def line(r):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), sep, *(line(r) for r in cells[1:])])


def md_table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    def esc(v) -> str:
        return _fmt(v).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(esc(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


METRIC_ROWS = (
    ("hit@1", "retrieval: gold passage ranked 1st (answer passages)"),
    ("hit@3", "retrieval: gold in top 3"),
    ("hit@5", "retrieval: gold in top 5"),
    ("mrr", "retrieval: mean reciprocal rank"),
    ("ndcg@5", "retrieval: nDCG@5"),
    ("coverage", "key-point coverage (any alternative in answer)"),
    ("coverage_in_budget", "key-point coverage within the first 450 characters"),
    ("answer_length", "characters of the answer body (median; no markers, notices, bullets)"),
    ("gold_precision", "answer sentences that speak about the case's gold passages"),
    ("repeated_heading", "answers with a heading shown twice"),
    ("rouge_l", "char-level ROUGE-L F1 vs reference answer"),
    ("citation_validity", "citations in range, quote == body[start:end]"),
    ("citation_recall", "claims entailed by their cited passages (independent judge: evals/support.py)"),
    ("citation_precision", "citations that entail / are needed (independent judge)"),
    ("refusal_accuracy", "out-of-scope questions refused"),
    ("false_refusal_rate", "answerable questions refused"),
    ("honest_rate", "near-domain questions the articles don't answer: refused or 文章没有讲到…"),
    ("false_not_covered", "answerable questions refused or marked 文章没有讲到…"),
    ("chinese", "model-written answers that are Chinese text"),
    ("model_answered", "answered questions the model answered (not the excerpt fallback)"),
    ("refusal_without_model", "refusals decided before any model call"),
    ("plan_sections", "plans: required sections present, absent ones absent"),
    ("plan_order", "plans: the goal's path order"),
    ("plan_faithful", "plans: numbers and names of quoted parts in their cited passages"),
    ("plan_honest", "plans: the expected 文章没有讲到… lines present"),
    ("errors", "cases that crashed"),
    ("fallbacks", "LLM answers replaced by the extractive fallback"),
    ("latency_mean_s", "seconds per case (mean)"),
    ("latency_p50_s", "seconds per case (median)"),
    ("judge_faithfulness", "LLM judge 1-5 (not gated)"),
    ("judge_correctness", "LLM judge 1-5 (not gated)"),
)
GROUP_COLUMNS = (
    ("n", "cases"),
    ("hit@5", "hit@5"),
    ("mrr", "mrr"),
    ("ndcg@5", "ndcg@5"),
    ("cov", "coverage"),
    ("len", "answer_length"),
    ("goldP", "gold_precision"),
    ("cit_ok", "citation_validity"),
    ("cit_R", "citation_recall"),
    ("cit_P", "citation_precision"),
    ("refuse_ok", "refusal_accuracy"),
    ("honest", "honest_rate"),
    ("false_nc", "false_not_covered"),
)


def metric_rows(run: RunResult) -> list[list]:
    gate = {g["metric"]: g for g in run.gates}
    rows = []
    for key, desc in METRIC_ROWS:
        if key not in run.metrics:
            continue
        g = gate.get(key, {})
        rows.append(
            [key, run.metrics[key], g.get("floor") or "", g.get("baseline"), g.get("status", ""), desc]
        )
    known = {key for key, _ in METRIC_ROWS}  # a dataset's own gated metrics (e.g. the journeys')
    for g in run.gates:
        if g["metric"] not in known and g["metric"] in run.metrics:
            rows.append([g["metric"], run.metrics[g["metric"]], g.get("floor") or "", None, g["status"], ""])
    return rows


def split_rows(run: RunResult) -> list[list]:
    """Tune vs held-out cases: the held-out part was never looked at while tuning."""
    return [[name, *(m.get(key) for _, key in GROUP_COLUMNS)] for name, m in run.splits.items()]


def group_rows(run: RunResult) -> list[list]:
    names = {**dict(GROUPS), "all": "全部"}
    rows = []
    for code, m in [*run.groups.items(), ("all", run.metrics)]:
        label = f"{code} {names.get(code, '')}".strip()
        rows.append([label, *(m.get(key) for _, key in GROUP_COLUMNS)])
    return rows


def comparable(runs: Sequence[RunResult]) -> list[RunResult]:
    """The runs that answered some of the first run's cases (the plan cases are another set)."""
    first = {r.id for r in runs[0].cases} if runs else set()
    return [run for run in runs if first & {r.id for r in run.cases}]


def side_by_side(runs: Sequence[RunResult]) -> tuple[list[str], list[list], int]:
    """Every metric of every run on the cases all runs share, one column per run: (headers, rows, n).

    Metrics are recomputed over the shared cases, so a small generative run is set against the excerpt
    mode on the same questions, whatever metrics the evaluators produced.
    """
    shared = set.intersection(*({r.id for r in run.cases} for run in runs))
    metrics = [aggregate([r for r in run.cases if r.id in shared]) for run in runs]
    described = dict(METRIC_ROWS)
    keys = [k for k, _ in METRIC_ROWS if any(k in m for m in metrics)]
    keys += dict.fromkeys(k for m in metrics for k in m if k not in described)
    rows = [[k, *(m.get(k) for m in metrics), described.get(k, "")] for k in keys]
    return ["metric", *(run.label for run in runs), "what"], rows, len(shared)


def print_side_by_side(runs: Sequence[RunResult], out=sys.stdout) -> None:
    runs = comparable(runs)
    if len(runs) < 2:
        return
    headers, rows, n = side_by_side(runs)
    print(f"\n== side by side on the {n} cases every run answered ==", file=out)
    print(text_table(headers, rows), file=out)


def _side_by_side_md(runs: Sequence[RunResult]) -> list[str]:
    runs = comparable(runs)
    if len(runs) < 2:
        return []
    headers, rows, n = side_by_side(runs)
    return [
        "",
        "## Side by side",
        "",
        f"Every metric recomputed on the {n} cases all runs answered (quality not gated here).",
        "",
        md_table(headers, rows),
    ]


DATASET_ROWS = (
    "cases coverage false_not_covered answer_length honest_rate refusal_accuracy citation_validity errors"
)


def datasets(runs: Sequence[RunResult]) -> tuple[list[str], list[list]]:
    """One column per dataset run (golden, plans, each fresh set…): its main scores and its own gate."""
    rows = [[key, *(run.metrics.get(key) for run in runs)] for key in DATASET_ROWS.split()]
    status = [
        "FAIL" if any(g["status"] == "FAIL" for g in run.gates) else "ok" if run.gates else "-"
        for run in runs
    ]
    rows.append(["gates", *status])
    return ["metric", *(run.label for run in runs)], rows


def print_datasets(runs: Sequence[RunResult], out=sys.stdout) -> None:
    if len({run.label for run in runs}) > 1:
        print("\n== datasets ==\n" + text_table(*datasets(runs)), file=out)


def _datasets_md(runs: Sequence[RunResult]) -> list[str]:
    if len({run.label for run in runs}) < 2:
        return []
    return [
        "",
        "## Datasets",
        "",
        "Each set is gated on its own (see its section).",
        "",
        md_table(*datasets(runs)),
    ]


def print_run(run: RunResult, out=sys.stdout) -> None:
    print(f"\n== {run.label}: {len(run.cases)} cases, backend {run.backend}, {run.seconds:.1f}s ==", file=out)
    print(text_table(["metric", "value", "floor", "baseline", "gate", "what"], metric_rows(run)), file=out)
    print("", file=out)
    print(text_table(["group", *(h for h, _ in GROUP_COLUMNS)], group_rows(run)), file=out)
    if run.splits:
        print("", file=out)
        print(text_table(["split", *(h for h, _ in GROUP_COLUMNS)], split_rows(run)), file=out)
    if run.gated:
        print(f"\n({run.gated})", file=out)


def excerpt(text: str, n: int = 160) -> str:
    body = " ".join(answer_body(text).split())
    return body[:n] + ("…" if len(body) > n else "")


def worst_cases(run: RunResult, n: int = 8) -> dict[str, list[CaseResult]]:
    ans = [r for r in run.cases if r.answerable and r.error is None and not r.refused]
    low = sorted(
        (r for r in ans if (r.score("coverage") or 0) < 1.0), key=lambda r: (r.score("coverage") or 0, r.id)
    )[:n]
    return {
        "errors": [r for r in run.cases if r.error],
        "wrong_refusals": [r for r in run.cases if r.error is None and not r.refusal_ok],
        "invalid_citations": [r for r in run.cases if r.error is None and r.score("citation_validity") < 1],
        "lowest_coverage": low,
    }


SMALL_RUN = 12  # runs this small list every case in the report
CASE_HEADERS = ("case", "refused", "answered by", "notice", "cov", "rougeL", "cit_ok", "cit_R", "hit@5", "s")


def case_row(r: CaseResult) -> list:
    return [
        r.id,
        "yes" if r.refused else "no",
        r.backend or "-",
        r.error or r.notice or "",
        r.score("coverage"),
        r.score("rouge_l"),
        r.score("citation_validity"),
        r.score("citation_recall"),
        r.score("hit@5"),
        round(r.seconds, 1),
    ]


def _case_md(r: CaseResult, why: str) -> str:
    q = " → ".join(r.turns) if r.turns else r.question
    lines = [f"- **{r.id}** ({', '.join(r.groups) or '-'}) — {why}", f"  - 问：{q}"]
    if r.notice:
        lines.append(f"  - 提示：{r.notice}")
    if r.error:
        lines.append(f"  - 错误：`{r.error}`")
    else:
        lines.append(f"  - 答：{excerpt(r.text)}")
    return "\n".join(lines)


def _worst_md(run: RunResult) -> list[str]:
    worst = worst_cases(run)
    out = ["### Worst cases", ""]
    if not any(worst.values()):
        out += ["(none)", ""]
    out += [_case_md(r, "crashed") for r in worst["errors"]]
    for r in worst["wrong_refusals"]:
        out.append(_case_md(r, "answerable but refused" if r.answerable else "out of scope but answered"))
    for r in worst["invalid_citations"]:
        out.append(_case_md(r, "invalid citations: " + "; ".join(r.details.get("citation_problems", []))))
    for r in worst["lowest_coverage"]:
        scores = ", ".join(f"{k} {_fmt(r.score(k))}" for k in ("coverage", "rouge_l", "hit@5"))
        out.append(_case_md(r, f"{scores}; missing: {'、'.join(r.details.get('missing', [])) or '-'}"))
    return out


def _judge_md(run: RunResult) -> list[str]:
    judged = [(r.id, r.details["judge"]) for r in run.cases if r.details.get("judge")]
    if not judged:
        return []
    rows = [
        [
            cid,
            j["faithfulness"],
            j["correctness"],
            f"{j['n']}/{j['n'] + j['failures']}",
            (j["reasons"] or [""])[0][:80],
        ]
        for cid, j in judged
    ]
    return [
        "",
        "### LLM judge (not gated)",
        "",
        md_table(["case", "faithfulness", "correctness", "parsed", "reason"], rows),
    ]


def _run_md(run: RunResult, charts: list[str]) -> list[str]:
    s = run.settings
    out = [
        "",
        f"## {run.label}",
        "",
        f"{len(run.cases)} cases · backend `{run.backend}` · top_k {s.get('top_k')} · "
        f"{s.get('retrieval_mode')} · {run.seconds:.1f}s"
        + (f" · max_tokens {s.get('max_tokens')}" if run.backend != "extractive" else ""),
        "",
    ]
    if run.gated:
        out += [f"_{run.gated}_", ""]
    out += [md_table(["metric", "value", "floor", "baseline", "gate", "what"], metric_rows(run)), ""]
    out += ["### By group", "", md_table(["group", *(h for h, _ in GROUP_COLUMNS)], group_rows(run)), ""]
    if run.splits:
        out += [
            "### Tune vs held-out",
            "",
            md_table(["split", *(h for h, _ in GROUP_COLUMNS)], split_rows(run)),
            "",
        ]
    for name in charts:
        out += [f"![{name}]({name})", ""]
    if run.private:
        return [
            *out,
            "_Questions and answers of this set are not shown (per-case detail: evals/reports/fresh/)._",
            "",
        ]
    if len(run.cases) <= SMALL_RUN:
        out += ["### Cases", "", md_table(CASE_HEADERS, [case_row(r) for r in run.cases]), ""]
    return [*out, *_worst_md(run), *_judge_md(run), ""]


def render_markdown(runs: Sequence[RunResult], charts: dict[str, list[str]], failures: list[str]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# 评测报告 / Eval report",
        "",
        f"- 时间：{when}；黄金集 `evals/golden.jsonl`（sha256 {golden_digest()}）",
        f"- 结果：{'**FAILED**' if failures else '**PASSED**'}",
    ]
    out += [f"  - `{f}`" for f in failures]
    out += _datasets_md(runs)
    out += _side_by_side_md(runs)
    for run in runs:
        out += _run_md(run, charts.get(run.label, []))
    return "\n".join(out)


def _write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``path.tmp`` then rename, so a crashed run never leaves a half-written report."""
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(data, str):
        tmp.write_text(data, "utf-8")
    else:
        tmp.write_bytes(data)
    os.replace(tmp, path)


def write_report(runs: Sequence[RunResult], out: Path, failures: list[str], charts: bool = True) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[str]] = {}
    if charts and runs and runs[0].cases:
        try:
            from .charts import write_charts

            written[runs[0].label] = write_charts(runs[0], out)
        except ImportError:  # matplotlib is an optional extra
            log.warning("matplotlib not installed: no charts")
    _write_atomic(out / "report.md", render_markdown(runs, written, failures))
    data = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "golden_sha256": golden_digest(),
        "passed": not failures,
        "failures": failures,
        "charts": written,
        "runs": [r.to_dict(with_cases=not r.private) for r in runs],
    }
    _write_atomic(out / "report.json", json.dumps(data, ensure_ascii=False, indent=1))
    return out / "report.md"
