"""An article added to the knowledge base answers its own questions with no code change and no edit to
knowledge.yaml / scope.yaml: the corpus is copied, the article added, ingested, and its questions asked."""

from __future__ import annotations

import filecmp

import pytest

from evals.newarticle import ARTICLE, HELD_OUT, run_new_article
from testkit.settings import seeded


@pytest.mark.slow
@pytest.mark.xfail(strict=False, reason="issue 19")
# The held-out articles and the first one added; the articles tuned on are measured by
# ``python -m evals --new-article`` and asked in tests/test_unseen_questions.py (a CI minute each here).
@pytest.mark.parametrize("article", [ARTICLE, *HELD_OUT], ids=lambda p: p.stem)
def test_a_new_article_answers_its_own_questions(settings, corpus_index, embedder, tmp_path, article):
    seeded(corpus_index, tmp_path / "data")  # the packaged articles' vectors are reused, not re-embedded
    run = run_new_article(settings, embedder, tmp_path, article=article)
    copied = tmp_path / "corpus"
    for name in ("knowledge.yaml", "scope.yaml"):  # the data files are the packaged ones, untouched
        assert filecmp.cmp(copied / name, settings.corpus_path / name, shallow=False)
    assert run.metrics["errors"] == 0 and run.metrics["citation_validity"] == 1.0
    refused = [r.id for r in run.cases if r.refused]
    assert refused == [], refused
    assert run.metrics["coverage"] >= 0.80, run.metrics["coverage"]
