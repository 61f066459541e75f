"""Synthetic corpora ×N made of distinct documents recombined from the 4 corpus articles.

Every corpus size contains the original articles unchanged (the golden set's gold spans point into
them) plus synthetic *distractor* documents:

- The pool is every clause of the original articles with every gold span of the golden set cut
  out, so no distractor contains an answer verbatim (a copy of a gold sentence would be a correct
  hit that the span-based relevance labels call wrong) while the vocabulary stays the corpus's own.
- A *unit* is one ``##`` section: a generic heading that names the role its clauses are about (so
  role filters behave as on real articles; see ``LABELS``) and a body of clauses sampled from one
  topic (a top-level section of one article) in shuffled order. Units are sized so that both
  splitters (ours: heading-aware; the baseline's 500-character recursive splitter) cut each unit
  the same way wherever it appears; that is what lets the ×100 corpus reuse vectors through
  :class:`CachingEmbeddings`.
- A document is a unique sequence of units with a unique id and title. Sizes are nested:
  ×100 ⊇ ×10 ⊇ ×1. Every unit of ×10 is unique; ×100 recombines the ×10 units (each appears about
  ten times there, in different documents, orders and neighbours).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from advisor.kb.documents import Document
from advisor.kb.facts import packaged_knowledge
from advisor.text.markdown import split_sections, split_sentences

SYNTH_TITLE = "转型资料汇编·第{n}号"
_TITLE_RE = re.compile(r"转型资料汇编·第\d+号")
# A unit's baseline window ("## heading" + "\n\n" + body) must land in this range: it fits the
# baseline's 500-character chunk and leaves no room for the next heading, so every unit is exactly one
# baseline chunk in every document it appears in.
WINDOW_MIN, WINDOW_MAX = 492, 497
MIN_HEADING, MAX_HEADING = 6, 40


@dataclass(frozen=True)
class Unit:
    heading: str
    body: str
    source: str  # doc id of the article the sentences come from

    def render(self) -> str:
        return f"## {self.heading}\n\n{self.body}"


@dataclass
class SynthCorpus:
    """The files of one corpus size and what it is made of."""

    scale: int
    folder: Path
    documents: int
    synthetic_documents: int
    units: int
    unique_units: int
    chars: int
    files: list[Path] = field(default_factory=list)


def gold_spans(cases) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for case in cases:
        for g in case.gold:
            spans.setdefault(g.doc_id, []).append((g.start, g.end))
    return spans


# Distractor sections get generic, topical headings: the role their sentences are about plus one of a
# few neutral labels. Copying each original heading into a dozen distractors would make every one of
# them look like the gold section to any heading-aware retriever, which real corpora do not do.
LABELS = ("经验之谈", "常见误区", "一点观察", "实操记录", "复盘笔记", "行业观察", "案例拾遗", "答读者问")


def _role_tag(path: tuple[str, ...]) -> str:
    named = [r for r in packaged_knowledge().role_names if any(r in h for h in path)]
    return "、".join(named[:2]) if named else "职场"


def unit_heading(role_tag: str, rng: random.Random) -> str:
    heading = f"{role_tag}转型札记：{rng.choice(LABELS)}"
    return heading[:MAX_HEADING] if len(heading) >= MIN_HEADING else heading.ljust(MIN_HEADING, "·")


_CLAUSE = re.compile(r"[^，,；;：:。！？!?、]+[，,；;：:。！？!?、]*")


def sentence_pool(docs: Sequence[Document], gold: dict[str, list[tuple[int, int]]]):
    """``{topic: [(role_tag, text), ...]}``; a topic is a top-level section of one article.

    Gold spans are cut out of every sentence and what is left is kept clause by clause, so the pool
    holds the corpus's vocabulary but none of the answers. Returns the pool and the
    number of characters removed.
    """
    pool: dict[tuple[str, str], list[tuple[str, str]]] = {}
    removed = 0
    for doc in docs:
        spans = sorted(gold.get(doc.doc_id, []))
        for section in split_sections(doc.body):
            topic = (doc.doc_id, section.path[0] if section.path else "")
            tag = _role_tag(section.path)
            for s, e in split_sentences(doc.body, section.start, section.end):
                keep = [True] * (e - s)
                for gs, ge in spans:
                    for i in range(max(gs, s), min(ge, e)):
                        keep[i - s] = False
                removed += keep.count(False)
                text = "".join(ch if k else "\x00" for ch, k in zip(doc.body[s:e], keep, strict=True))
                for piece in text.split("\x00"):
                    for clause in _CLAUSE.findall(piece):
                        clause = clause.strip().lstrip("-•·|").strip()
                        clause = clause.rstrip("，,；;：:、 ")
                        if len(clause) >= 8 and not clause.startswith("--"):
                            if not clause.endswith(("。", "！", "？", "!", "?")):
                                clause += "。"
                            pool.setdefault(topic, []).append((tag, clause))
    return pool, removed


def make_units(pool, n: int, rng: random.Random) -> list[Unit]:
    """``n`` distinct units; each body is shuffled sentences of one topic (topped up from its article)."""
    topics = sorted(pool)
    by_doc: dict[str, list[tuple[str, str]]] = {}
    for (doc_id, _), items in pool.items():
        by_doc.setdefault(doc_id, []).extend(items)
    weights = [sum(len(t) for _, t in pool[k]) for k in topics]
    units: list[Unit] = []
    seen: set[str] = set()
    attempts = 0
    while len(units) < n:
        attempts += 1
        if attempts > n * 50:  # pragma: no cover - the pool is far larger than needed
            msg = "could not make enough distinct synthetic units"
            raise RuntimeError(msg)
        topic = rng.choices(topics, weights)[0]
        items = list(pool[topic])
        rng.shuffle(items)
        extra = [x for x in by_doc[topic[0]] if x not in items]
        rng.shuffle(extra)
        heading = unit_heading(items[0][0], rng)
        target = rng.randint(WINDOW_MIN, WINDOW_MAX) - len(f"## {heading}\n\n")
        parts: list[str] = []
        size = 0
        for _, text in items + extra:
            parts.append(text)
            size += len(text)
            if size >= target:
                break
        body = "".join(parts)
        if len(body) < target:
            continue
        cut = body[: target - 1]
        if cut[-1].isspace() or cut[-1] in "。！？；，、：":
            cut = cut[:-1] + "等"
        body = cut + "。"
        if body in seen:
            continue
        seen.add(body)
        units.append(Unit(heading, body, topic[0]))
    return units


def _front_matter(doc_id: str, title: str) -> str:
    return f"---\nid: {doc_id}\ntitle: {title}\nroles: [通用]\nsynthetic: true\n---\n\n"


def build_corpora(
    corpus_docs: Sequence[Document],
    corpus_dir: Path,
    cases,
    scales: Sequence[int],
    out: Path,
    seed: int = 20240607,
    unique_up_to: int = 10,
) -> list[SynthCorpus]:
    """Write one folder per scale under ``out`` (the originals copied in) and describe them.

    Sections are distinct up to ×``unique_up_to``; larger sizes recombine those sections.
    """
    rng = random.Random(seed)
    base_chars = sum(len(d.body) for d in corpus_docs)
    pool, _removed = sentence_pool(corpus_docs, gold_spans(cases))
    scales = sorted(set(scales))
    unit_len = (WINDOW_MIN + WINDOW_MAX) // 2 + 2
    # Units: unique up to ×unique_up_to (or the largest scale if smaller); reused beyond.
    unique_scale = max(1, min(max(scales), unique_up_to))
    n_unique = max(0, round(base_chars * (unique_scale - 1) / unit_len))
    units = make_units(pool, n_unique, rng) if n_unique else []

    docs_units: list[list[int]] = []  # document -> unit indices, nested across scales
    seqs: set[tuple[int, ...]] = set()
    used_slots = 0
    corpora: list[SynthCorpus] = []
    # Unique phase: deal out each unit exactly once, in shuffled order.
    order = list(range(len(units)))
    rng.shuffle(order)
    for scale in scales:
        want_slots = max(0, round(base_chars * (scale - 1) / unit_len))
        while used_slots < want_slots:
            k = rng.randint(5, 10)
            if order:
                seq, order = order[:k], order[k:]
            else:  # reuse phase: recombine already-embedded units into new documents
                seq = rng.sample(range(len(units)), min(k, len(units)))
            if tuple(seq) in seqs:
                continue
            seqs.add(tuple(seq))
            docs_units.append(seq)
            used_slots += len(seq)
        corpora.append(write_corpus(out / f"x{scale}", scale, corpus_dir, units, docs_units, base_chars))
    return corpora


def write_corpus(
    folder: Path,
    scale: int,
    corpus_dir: Path,
    units: list[Unit],
    docs_units: list[list[int]],
    base_chars: int,
) -> SynthCorpus:
    """One scale's folder written afresh: the original articles copied in, then one synthetic article per
    unit sequence in ``docs_units``."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    files = []
    for f in sorted(corpus_dir.glob("*.md")):
        if f.name.lower() != "readme.md":
            files.append(Path(shutil.copy2(f, folder / f.name)))
    chars = base_chars
    for n, seq in enumerate(docs_units, 1):
        title = SYNTH_TITLE.format(n=n)
        body = "\n\n".join(units[i].render() for i in seq) + "\n"
        chars += len(body)
        path = folder / "synthetic" / f"syn-{n:05d}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(_front_matter(f"syn-{n:05d}", title) + body, "utf-8")
        files.append(path)
    used = {i for seq in docs_units for i in seq}
    return SynthCorpus(
        scale=scale,
        folder=folder,
        documents=len(files),
        synthetic_documents=len(docs_units),
        units=sum(len(s) for s in docs_units),
        unique_units=len(used),
        chars=chars,
        files=files,
    )


# -- vector reuse ----------------------------------------------------------------------------------
def cache_key(text: str) -> str:
    """Synthetic documents differ only by title in what gets embedded; that part is not keyed."""
    return _TITLE_RE.sub("转型资料汇编", text)


class CachingEmbeddings(Embeddings):
    """Wraps an embedder; remembers passage vectors by :func:`cache_key` and (when ``reuse``) serves them.

    ``reuse=False`` still records vectors (so a later, larger corpus can reuse them) but embeds every
    text for real, so timings stay measured. Counters say what was embedded and what was reused.
    """

    def __init__(self, inner: Embeddings, store: dict[str, list[float]] | None = None, reuse: bool = False):
        self.inner = inner
        self.store = store if store is not None else {}
        self.reuse = reuse
        self.model_id = getattr(inner, "model_id", type(inner).__name__)
        self.dim = getattr(inner, "dim", None)
        self.embedded = 0
        self.embedded_chars = 0
        self.reused = 0
        self.embed_seconds = 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [cache_key(t) for t in texts]
        todo = [i for i, k in enumerate(keys) if not (self.reuse and k in self.store)]
        # Identical texts in one batch are embedded once when reusing.
        first: dict[str, int] = {}
        if self.reuse:
            todo = [i for i in todo if first.setdefault(keys[i], i) == i]
        if todo:
            t0 = time.perf_counter()
            vecs = self.inner.embed_documents([texts[i] for i in todo])
            self.embed_seconds += time.perf_counter() - t0
            for i, v in zip(todo, vecs, strict=True):
                self.store[keys[i]] = v
            fresh = dict(zip(todo, vecs, strict=True))
        else:
            fresh = {}
        self.embedded += len(todo)
        self.embedded_chars += sum(len(texts[i]) for i in todo)
        self.reused += len(texts) - len(todo)
        return [fresh[i] if i in fresh else self.store[k] for i, k in enumerate(keys)]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def load_vectors(path: Path | None, pipelines) -> dict[str, dict[str, list[float]]]:
    """Per pipeline, the vector store kept by an earlier run in ``path`` (empty stores without one)."""
    stores: dict[str, dict[str, list[float]]] = {name: {} for name in pipelines}
    if path is None or not Path(path).exists():
        return stores
    with np.load(path, allow_pickle=False) as z:
        for name in stores:
            if f"{name}_keys" in z:
                keys = json.loads(str(z[f"{name}_keys"]))
                stores[name] = dict(zip(keys, z[f"{name}_vectors"].tolist(), strict=True))
    return stores


def save_vectors(path: Path | None, stores: dict[str, dict[str, list[float]]]) -> None:
    """Write the stores to ``path`` (``.npz``: keys as JSON, vectors as float32 matrices)."""
    if path is None:
        return
    arrays = {}
    for name, store in stores.items():
        if store:
            arrays[f"{name}_keys"] = np.array(json.dumps(list(store), ensure_ascii=False))
            arrays[f"{name}_vectors"] = np.asarray(list(store.values()), dtype=np.float32)
    tmp = Path(path).with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)
