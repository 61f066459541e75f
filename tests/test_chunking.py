"""Chunking: heading paths, whole sentences, exact offsets, stable ids, role tags."""

import itertools
from pathlib import Path

from conftest import CORPUS

from advisor.index.chunking import chunk_document
from advisor.kb.documents import load_documents, parse_document
from advisor.kb.facts import packaged_knowledge
from advisor.text.markdown import split_sentences

ROLES = packaged_knowledge().role_names


def corpus_chunks():
    docs, skipped = load_documents([CORPUS], ROLES)
    assert not skipped
    return docs, {d.doc_id: chunk_document(d, roles=ROLES) for d in docs}


def test_offsets_are_exact_and_sentences_whole():
    docs, chunks = corpus_chunks()
    for doc in docs:
        sentences = {s for s, _ in split_sentences(doc.body, 0, len(doc.body))}
        ends = {e for _, e in split_sentences(doc.body, 0, len(doc.body))}
        for c in chunks[doc.doc_id]:
            assert doc.body[c.start : c.end] == c.text
            assert c.start in sentences, f"chunk starts mid-sentence: {c.text[:30]}"
            assert c.end in ends, f"chunk ends mid-sentence: {c.text[-30:]}"
            assert len(c.text) <= 700


def test_every_chunk_has_a_heading_path_and_stories_are_separate():
    _, chunks = corpus_chunks()
    stories = chunks["bigtech-stories"]
    by_person = {}
    for name in ("老张", "王姐", "老周"):
        sections = {c.section[-1] for c in stories if c.section and name in c.section[-1]}
        assert len(sections) == 1, name
        by_person[name] = sections.pop()
    assert "老张的县城慢镜头" in by_person["老张"]
    zhang = [c for c in stories if c.section and c.section[-1] == by_person["老张"]]
    assert all("王姐" not in c.text and "老周" not in c.text for c in zhang)
    guide = chunks["transition-guide"]
    assert sum(1 for c in guide if not c.section) <= 1  # only the intro has no heading
    for name in ("老林", "小陈", "小徐", "老郑", "小周"):
        assert any(name in c.text for c in guide), name


def test_roles_come_from_the_outermost_role_heading():
    _, chunks = corpus_chunks()
    guide = chunks["transition-guide"]
    ops = [c for c in guide if any("运营中层" in h for h in c.section[:2])]
    assert ops and all(c.roles == ("运营",) for c in ops)
    tech = [c for c in guide if any(h.startswith("(一)技术中层") for h in c.section)]
    assert tech and all(c.roles == ("技术",) for c in tech)
    pain = [c for c in guide if c.section and c.section[0].startswith("一、")]
    assert pain and all("通用" in c.roles for c in pain)


def test_chunk_ids_are_stable_and_unique():
    _, first = corpus_chunks()
    _, second = corpus_chunks()
    for doc_id in first:
        assert [c.chunk_id for c in first[doc_id]] == [c.chunk_id for c in second[doc_id]]
    all_ids = [c.chunk_id for cs in first.values() for c in cs]
    assert len(all_ids) == len(set(all_ids))


def test_overlap_and_size_on_a_long_section():
    body = "## 一、长段\n" + "".join(f"第{i}句话讲一件具体的事情，内容不短。" for i in range(60))
    doc = parse_document(body, Path("long.md"))
    chunks = chunk_document(doc, size=200, overlap=40)
    assert len(chunks) > 5
    for a, b in itertools.pairwise(chunks):
        assert b.start < a.end, "consecutive chunks should overlap by a sentence"
        assert len(a.text) <= 200


def test_the_overlap_is_embedded_by_default_and_can_be_embedded_once():
    """A sentence carried into the next chunk is embedded with it by default (better ranking among
    near-duplicate passages); with ``embed_overlap=False`` it is embedded once (a cheaper ingest). Either
    way that chunk still matches it by keyword and shows it to the reader."""
    body = "## 一、长段\n" + "".join(f"第{i}句话讲一件具体的事情，内容不短。" for i in range(60))
    doc = parse_document(body, Path("long.md"))
    once = chunk_document(doc, size=200, overlap=40, embed_overlap=False)
    chunks = chunk_document(doc, size=200, overlap=40)
    assert [(c.start, c.end) for c in once] == [(c.start, c.end) for c in chunks]
    embedded = "".join(c.embed_text.split("\n", 1)[1] for c in once)
    for i in range(60):
        assert embedded.count(f"第{i}句话") == 1, i
    for (a, b), b_full in zip(itertools.pairwise(once), chunks[1:], strict=True):
        carried = doc.body[b.start : a.end]
        assert carried in b.text and carried in b.index_text
        assert carried not in b.embed_text
        assert carried in b_full.embed_text and b_full.embed_text == b_full.index_text
        assert b.embed_text.startswith(b.section_path + "\n")
        assert b.chunk_id != b_full.chunk_id  # a changed setting re-embeds, never reuses the other vector
    assert once[0].embed_text == once[0].index_text == chunks[0].embed_text
