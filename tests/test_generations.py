"""Readers follow the live-generation pointer in Chroma: a new generation is loaded completely and
switched in one step, an answer never mixes two generations, a broken pointer never stops a reader."""

from __future__ import annotations

import dataclasses
import time

import pytest
from conftest import write

from advisor import Advisor
from advisor.errors import IndexMissingError
from advisor.index.chroma import Manifest, chunks_name, make_client
from advisor.index.ingest import claim_generation, ingest
from advisor.index.snapshot import load_generation

DOC_A = "---\nid: doc-a\ntitle: 私域笔记\nroles: [运营]\n---\n## 一、私域\n私域流量要靠社群沉淀。获客成本越来越高。\n"
DOC_A2 = DOC_A.replace("获客成本越来越高", "获客成本一年涨了三成")
DOC_C = "---\nid: doc-c\ntitle: 转岗笔记\nroles: [产品]\n---\n## 一、老孙\n测试出身的老孙转做产品经理，先从需求评审做起。\n"


def wait_for_generation(adv: Advisor, generation: int, timeout: float = 20.0) -> float:
    """Keep serving searches until ``adv`` serves ``generation``; seconds it took."""
    t0 = time.monotonic()
    while adv.generation != generation:
        assert time.monotonic() - t0 < timeout, f"still on generation {adv.generation}"
        adv.search("获客成本", k=1)  # requests never wait for the switch
        time.sleep(0.05)
    return time.monotonic() - t0


def test_reader_switches_in_background_and_a_pinned_answer_keeps_its_generation(settings, embedder, tmp_path):
    settings = settings.model_copy(update={"refresh_seconds": 0.2})
    src = tmp_path / "src"
    write(src / "a.md", DOC_A)
    first = ingest(settings, embedder, [src])
    adv = Advisor.load(settings, embedder=embedder)
    assert adv.ask("获客成本怎么样了？").citations  # the scope gate is in use: it is rebuilt before a switch
    pinned = adv.view()

    write(src / "a.md", DOC_A2)
    write(src / "c.md", DOC_C)
    second = ingest(settings, embedder, [src])
    took = wait_for_generation(adv, second.generation)
    assert took < 10

    # New requests see the new generation, text and knowledge alike.
    assert "一年涨了三成" in adv.search("获客成本", k=1)[0].text
    answer = adv.ask("测试出身的老孙后来做什么？")
    assert any(c.doc_id == "doc-c" for c in answer.citations)
    assert adv.snapshot.manifest.generation == second.generation

    # The view taken before the switch still reads the old generation, whole: its passages, its bodies.
    assert pinned.snapshot.manifest.generation == first.generation
    hit = pinned.search("获客成本", k=1)[0]
    assert "越来越高" in hit.text and "越来越高" in pinned.snapshot.bodies["doc-a"]
    assert "doc-c" not in pinned.snapshot.bodies


def test_a_broken_pointer_never_stops_a_reader(settings, embedder, tmp_path):
    settings = settings.model_copy(update={"refresh_seconds": 0.1})
    write(tmp_path / "src" / "a.md", DOC_A)
    ingest(settings, embedder, [tmp_path / "src"])
    adv = Advisor.load(settings, embedder=embedder)
    client = make_client(settings)
    good = Manifest.read(client, settings)

    # A pointer to a generation that is gone, then to one that is incomplete: loaders refuse both.
    gone = dataclasses.replace(good, generation=good.generation + 5, collection="advisor_g99", built_at=1.0)
    with pytest.raises(IndexMissingError, match="已不存在"):
        load_generation(client, gone)
    short = dataclasses.replace(good, chunk_count=good.chunk_count + 1, built_at=2.0)
    with pytest.raises(IndexMissingError, match="不完整"):
        load_generation(client, short)

    short.publish(client, settings)
    time.sleep(0.3)
    for _ in range(5):  # background refreshes fail quietly; the loaded generation keeps answering
        assert adv.search("获客成本", k=1)[0].doc_id == "doc-a"
        time.sleep(0.15)
    assert adv.generation == good.generation
    good.publish(client, settings)


def test_two_ingests_never_share_a_generation(settings, embedder, tmp_path):
    write(tmp_path / "src" / "a.md", DOC_A)
    ingest(settings, embedder, [tmp_path / "src"])
    client = make_client(settings)
    live = Manifest.read(client, settings)
    client.create_collection(chunks_name(settings, live.generation + 1))  # someone else's run in progress
    g1, _ = claim_generation(client, settings, live, {"embedder": "x"})
    g2, _ = claim_generation(client, settings, live, {"embedder": "x"})
    assert live.generation + 1 < g1 < g2
