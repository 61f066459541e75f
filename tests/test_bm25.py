"""The BM25 index (bm25s) is built once per generation by the ingest, stored with it in Chroma, and
loaded as it is by every reader; it ranks exactly as Okapi BM25 over the passages' jieba tokens."""

import math
from collections import Counter

import bm25s
import pytest
from conftest import write

from advisor import Advisor
from advisor.index import snapshot
from advisor.index.bm25 import BM25
from advisor.index.chroma import Manifest, make_client
from advisor.index.ingest import ingest
from advisor.text.tokens import tokenize
from testkit.chroma_server import ChromaServer
from testkit.settings import isolated_settings

DOCS = {
    "a.md": "---\nid: doc-a\ntitle: 私域笔记\nroles: [运营]\n---\n## 一、私域\n私域流量要靠社群沉淀。获客成本越来越高。\n"
    "## 二、社群\n社群运营每天发券，私域复购率提升了两成。\n",
    "b.md": "---\nid: doc-b\ntitle: 架构笔记\nroles: [技术]\n---\n## 一、云原生\n后端中层要学 K8s 容器化部署。\n"
    "## 二、大模型\n技术中层补大模型 API 集成，做私域客服机器人。\n",
}
QUERIES = ["私域怎么做", "获客成本太高", "容器化部署", "大模型和私域客服", "社群复购"]


def okapi(tokens: list[list[str]], query: str, k1: float = 1.5, b: float = 0.75) -> list[int]:
    """Passage positions by plain Okapi BM25 (non-negative idf), best first: the reference ranking."""
    n, avgdl = len(tokens), sum(map(len, tokens)) / len(tokens)
    df = Counter(t for doc in tokens for t in set(doc))
    scores = {}
    for i, doc in enumerate(tokens):
        tf = Counter(doc)
        s = 0.0
        for t in dict.fromkeys(tokenize(query)):
            if tf[t]:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                s += idf * tf[t] * (k1 + 1) / (tf[t] + k1 * (1 - b + b * len(doc) / avgdl))
        if s > 0:
            scores[i] = s
    return sorted(scores, key=lambda i: (-scores[i], i))


def test_bm25_ranks_as_okapi_bm25_and_survives_its_stored_form():
    texts = [
        "私域运营要降低获客成本",
        "技术中层学习云原生和大模型",
        "老张回到襄阳做收银系统",
        "私域流量靠社群，社群靠内容，内容靠私域",
        "",
    ]
    tokens = [tokenize(t) for t in texts]
    bm25 = BM25(tokens)
    stored = BM25.from_state(*bm25.to_state())
    for query in ("私域社群", "获客成本", "大模型", "老张去哪了", "完全无关的词", "私域私域获客"):
        expected = okapi(tokens, query)
        assert [i for i, _ in bm25.top(query, 10)] == expected, query
        assert stored.top(query, 10) == bm25.top(query, 10), query
        assert [i for i, _ in bm25.top(query, 1)] == expected[:1], query
    assert stored.idf_of("私域") == bm25.idf_of("私域") < bm25.idf_of("从未出现的词")


def test_empty_index_matches_nothing():
    assert BM25([]).top("私域", 5) == [] and BM25([[], []]).top("私域", 5) == []


@pytest.fixture
def small_pieces(monkeypatch):
    """Store the index in many small records, as a large knowledge base's is."""
    monkeypatch.setattr(snapshot, "BM25_PIECE", 64)


def test_a_replica_on_a_chroma_server_loads_the_stored_index_and_never_rebuilds_it(
    tmp_path, embedder, small_pieces, monkeypatch
):
    for name, text in DOCS.items():
        write(tmp_path / "src" / name, text)
    with ChromaServer(tmp_path / "server") as server:
        settings = isolated_settings(tmp_path / "meta", chroma_host="127.0.0.1", chroma_port=server.port)
        ingest(settings, embedder, [tmp_path / "src"])
        builds = []
        real_index = bm25s.BM25.index
        monkeypatch.setattr(
            bm25s.BM25, "index", lambda self, *a, **kw: builds.append(1) or real_index(self, *a, **kw)
        )
        adv = Advisor.load(settings, embedder=embedder)
        assert builds == []  # loaded as stored, not rebuilt from the passages' tokens
        tokens = [tokenize(c.index_text) for c in adv.snapshot.chunks]
        for query in QUERIES:
            expected = okapi(tokens, query)[:5]
            assert [i for i, _ in adv.retriever.lexical(query, 5)] == expected, query
            assert [p.chunk_id for p in adv.search(query, k=5, mode="bm25")] == [
                adv.snapshot.chunks[i].chunk_id for i in expected
            ]
        # The role filter: a 运营 question never gets the 技术 article's passages.
        assert all(p.doc_id == "doc-a" for p in adv.search("私域", k=5, role="运营", mode="bm25"))


def test_a_generation_stored_without_its_bm25_index_still_serves(settings, embedder, tmp_path, monkeypatch):
    for name, text in DOCS.items():
        write(tmp_path / "src" / name, text)
    ingest(settings, embedder, [tmp_path / "src"])
    before = Advisor.load(settings, embedder=embedder)
    expected = {q: [p.chunk_id for p in before.search(q, k=5, mode="bm25")] for q in QUERIES}
    client = make_client(settings)
    docs = client.get_collection(Manifest.read(client, settings).docs_collection, embedding_function=None)
    docs.delete(where={"kind": "bm25"})  # as written before the index was stored
    builds = []
    real_index = bm25s.BM25.index
    monkeypatch.setattr(
        bm25s.BM25, "index", lambda self, *a, **kw: builds.append(1) or real_index(self, *a, **kw)
    )
    after = Advisor.load(settings, embedder=embedder)
    assert builds == [1]  # built once, from the stored tokens
    assert {q: [p.chunk_id for p in after.search(q, k=5, mode="bm25")] for q in QUERIES} == expected
