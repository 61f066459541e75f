"""The kind of a question by meaning: labelled example questions, the real e5 embedder."""

from __future__ import annotations

import yaml
from conftest import CORPUS

from advisor.answering.kinds import KindReader


def shipped_examples() -> dict[str, list[str]]:
    return yaml.safe_load((CORPUS / "scope.yaml").read_text("utf-8"))["kinds"]


def test_a_worry_reads_as_a_pain_and_a_request_for_a_form_as_the_toolkit(embedder):
    reader = KindReader(embedder, shipped_examples())
    assert reader.read("我就只会一块业务，现在招聘都要全能的，感觉自己要被淘汰了").kind == "pains"
    assert reader.read("有没有现成的表，我想每周填一下看看转型进度").kind == "toolkit"
    assert reader.read("做用户运营的平时具体都干些啥").kind == "explain"


def test_a_narrow_lead_is_no_reading(embedder):
    """e5's similarities are compressed: without a clear lead over the runner-up the reading is None,
    and the cue words and retrieval decide alone."""
    reader = KindReader(embedder, shipped_examples(), lead=1.0)
    reading = reader.read("我就只会一块业务，现在招聘都要全能的，感觉自己要被淘汰了")
    assert reading.kind is None and 0 < reading.lead < 1.0


def test_without_examples_nothing_is_read(embedder):
    assert KindReader(embedder, {}).read("我该怎么转型").kind is None
    assert (
        KindReader(embedder, {"pains": ["好焦虑"]}).read("我该怎么转型").kind is None
    )  # one kind: no contrast
