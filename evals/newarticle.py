"""The new-article check: does an article added to the knowledge base answer its own questions, with no
code change and no edit to ``knowledge.yaml`` or ``scope.yaml``?

``evals/newarticle/data-analyst-guide.md`` (数据分析, in the guide's style, written by a writer who never
read the code) is added to a copy of the corpus, ingested into a fresh index, and its questions
(``questions.jsonl``, the fresh sets' format, all answerable) are asked, replaying turns. Gated by
``NEW_ARTICLE_GATES`` (``tests/test_new_article.py``; ``python -m evals --new-article`` prints it).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from .evaluators import citation_validity, key_points, refusal
from .fresh import by_kind, load_written
from .gates import Gate, check_gates
from .runner import RunResult, evaluate

NEW_ARTICLE_DIR = Path(__file__).with_name("newarticle")
ARTICLE = NEW_ARTICLE_DIR / "data-analyst-guide.md"
QUESTIONS = NEW_ARTICLE_DIR / "questions.jsonl"
NEW_ARTICLE_GATES: tuple[Gate, ...] = (
    Gate("coverage", 0.80),
    Gate("false_refusal_rate", 0.0, lower_is_better=True),  # nothing refused
    Gate("citation_validity", 1.0),
    Gate("errors", 0, lower_is_better=True),
)


def corpus_with_article(corpus: Path, workdir: Path) -> Path:
    """A copy of ``corpus`` (its data files untouched) with the new article beside the others."""
    dest = workdir / "corpus"
    shutil.copytree(corpus, dest, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    shutil.copy2(ARTICLE, dest / ARTICLE.name)
    return dest


def run_new_article(
    settings, embedder, workdir: Path, progress: Callable[[str], None] | None = None
) -> RunResult:
    """Index the corpus plus the article under ``workdir`` (embedded Chroma) and ask its questions."""
    from advisor import Advisor
    from advisor.index.ingest import ingest

    corpus = corpus_with_article(settings.corpus_path, workdir)
    settings = settings.model_copy(
        update={"data_dir": workdir / "data", "corpus_dir": corpus, "chroma_host": None}
    )
    ingest(settings, embedder, [corpus])
    adv = Advisor.load(settings, embedder=embedder)
    cases = load_written(QUESTIONS, split="new-article")
    run = evaluate(
        adv,
        cases,
        label="new-article",
        evaluators=(key_points, refusal, citation_validity),
        progress=progress,
    )
    run.groups, run.splits = by_kind(run.cases, cases), {}
    run.gates, run.failures = check_gates(run.metrics, NEW_ARTICLE_GATES)
    run.gated = "new article: floors in evals/newarticle.py (NEW_ARTICLE_GATES)"
    return run
