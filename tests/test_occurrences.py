"""Word look-ups over the whole knowledge base answer exactly what a scan of every text would, so the
answer path can ask them per question at ×100 without scanning the corpus each time."""

from __future__ import annotations

import random

import jieba

from advisor.text.occurrences import Occurrences


def _scan_where(texts: list[str], word: str) -> tuple[int, ...]:
    return tuple(i for i, t in enumerate(texts) if word in t)


def test_lookups_agree_with_a_scan_of_every_text(adv):
    bodies = list(adv.derived.bodies.values())
    random.seed(7)
    texts = [b[(k := random.randrange(len(b) - 300)) : k + 300] for b in bodies for _ in range(60)]
    occ = Occurrences(texts)
    words = {w for w in jieba.lcut("".join(bodies[:2])[:4000]) if w.strip()}
    words |= {"私域增长顾问", "提高效率", "all in", "AI", "PMP", "不存在的说法", "。", "6-12 个月"}
    for word in sorted(words):
        assert occ.where(word) == _scan_where(texts, word), word
        assert occ.count(word) == sum(t.count(word) for t in texts), word
    assert occ.contains("") and occ.count("") == 0


def test_the_answer_paths_lookups_are_built_before_the_first_visitor(adv):
    derived = adv.derived
    derived.warm()
    built = vars(derived)
    assert {"kmap", "answerability", "scope", "chunk_texts"} <= set(built)
    assert "words" in vars(derived.chunk_texts) and "corpus_lower" in vars(derived.kmap)


def test_the_stories_sentences_are_embedded_before_the_first_visitor(adv, embedder):
    """A story's detail is found by meaning, sentence by sentence (``answering/sentence_meaning.py``): warming up
    embeds every story's sentences, so a visitor's first question about a story embeds none (it waited
    about a second per story)."""
    from advisor.answering.derived import Derived

    class Counting(type(embedder)):
        def __init__(self) -> None:
            self.__dict__.update(embedder.__dict__)
            self.documents = 0

        def embed_documents(self, texts):
            self.documents += len(texts)
            return super().embed_documents(texts)

    counting = Counting()
    derived = Derived(adv.derived.snapshot, counting, adv.settings.refusal_threshold)
    derived.warm()
    warmed = counting.documents
    assert warmed >= 20, warmed  # the three stories' sentences
    story = derived.story_sentences()
    assert any("收银系统" in s for s in story) and any("码农阿宅" in s for s in story)
    derived.sentence_meaning("老张回县城以后心情咋样", story)
    assert counting.documents == warmed
