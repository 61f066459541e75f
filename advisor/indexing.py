"""Ingest: documents in, a new index generation out, switched in atomically.

The steps, in order: read the knowledge data and the documents, compare with the live generation,
chunk, reuse the vectors of unchanged documents and embed the rest into a fresh collection, write the
passage store, switch the manifest, sweep old generations. An interrupted or failed run never touches
the live generation, so the previous index keeps serving.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .chunking import Chunk, chunk_document
from .config import Settings
from .corpus import Document, Skipped, load_documents
from .embeddings import embedder_id, embedding_dim
from .errors import CorpusError
from .knowledge import KNOWLEDGE_FILE, SCOPE_FILE, Knowledge, read_data_file
from .lexical import tokenize
from .store import Manifest, collection_names, make_client, sweep, vector_store, write_store

EMBED_BATCH = 16
Progress = Callable[[int, int], None]


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


def next_generation(client, settings: Settings, old: Manifest | None) -> int:
    """One past the live generation and past leftovers of interrupted runs, so names never collide."""
    generation = (old.generation if old else 0) + 1
    existing = collection_names(client)
    while f"{settings.collection}_g{generation}" in existing:
        generation += 1
    return generation


def reuse_vectors(client, old: Manifest | None, collection, chunks: list[Chunk]) -> bool:
    """Copy an unchanged document's vectors from the live collection; False if any is missing."""
    if old is None:
        return False
    try:
        got = client.get_collection(old.collection).get(
            ids=[c.chunk_id for c in chunks], include=["embeddings"]
        )
    except Exception:  # the old collection is gone: embed again
        return False
    vectors = dict(zip(got["ids"], got["embeddings"], strict=True))
    if len(vectors) != len(chunks):
        return False
    collection.add(
        ids=[c.chunk_id for c in chunks],
        embeddings=[vectors[c.chunk_id] for c in chunks],
        documents=[c.embed_text for c in chunks],
        metadatas=[c.metadata() for c in chunks],
    )
    return True


def embed(store, chunks: list[Chunk], progress: Progress | None, fail_after: int | None) -> None:
    """Embed and add ``chunks`` in batches; ``fail_after`` raises after that many batches (tests)."""
    for n, i in enumerate(range(0, len(chunks), EMBED_BATCH)):
        if fail_after is not None and n >= fail_after:
            msg = "ingest interrupted on purpose (fail_after)"
            raise RuntimeError(msg)
        part = chunks[i : i + EMBED_BATCH]
        store.add_texts(
            texts=[c.embed_text for c in part],
            metadatas=[c.metadata() for c in part],
            ids=[c.chunk_id for c in part],
        )
        if progress:
            progress(min(i + EMBED_BATCH, len(chunks)), len(chunks))


def fill_collection(
    client,
    settings: Settings,
    embedder: Embeddings,
    docs: list[Document],
    old: Manifest | None,
    roles: tuple[str, ...],
    generation: int,
    report: IngestReport,
    progress: Progress | None,
    fail_after: int | None,
) -> list[Chunk]:
    """Chunk every document into the new generation's collection: copied vectors for unchanged
    documents, fresh embeddings for the rest. Returns all chunks in document order."""
    name = f"{settings.collection}_g{generation}"
    meta = {"embedder": embedder_id(embedder), "dim": embedding_dim(embedder)}
    store = vector_store(client, name, embedder, meta)
    collection = client.get_collection(name)
    chunks: list[Chunk] = []
    to_embed: list[Chunk] = []
    for doc in docs:
        doc_chunks = chunk_document(
            doc, settings.chunk_size, settings.chunk_overlap, settings.chunk_max, roles
        )
        chunks.extend(doc_chunks)
        if doc.doc_id in report.unchanged and reuse_vectors(client, old, collection, doc_chunks):
            report.reused_chunks += len(doc_chunks)
        else:
            to_embed.extend(doc_chunks)
    embed(store, to_embed, progress, fail_after)
    report.embedded_chunks = len(to_embed)
    return chunks


def ingest(
    settings: Settings,
    embedder: Embeddings,
    paths: list[Path],
    progress: Progress | None = None,
    fail_after: int | None = None,
) -> IngestReport:
    """Index ``paths`` (files or folders) as the new complete set of documents.

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
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    name = embedder_id(embedder)
    old = Manifest.read(data_dir)
    if old is not None and (old.embedder != name or old.chroma_host != settings.chroma_host):
        old = None  # vectors from another model or another server cannot be reused
    client = make_client(settings)
    data = data_hash(knowledge_raw, scope_raw)
    compare(docs, old, data, report)
    if not report.changed:
        report.chunks, report.generation = old.chunk_count, old.generation
        report.seconds = time.perf_counter() - t0
        return report

    generation = next_generation(client, settings, old)
    chunks = fill_collection(
        client, settings, embedder, docs, old, roles, generation, report, progress, fail_after
    )
    store_name = f"store_g{generation}.json"
    tokens = [tokenize(c.embed_text) for c in chunks]
    write_store(data_dir, store_name, docs, chunks, tokens, knowledge_raw, scope_raw)
    manifest = Manifest(
        generation=generation,
        collection=f"{settings.collection}_g{generation}",
        store=store_name,
        embedder=name,
        dim=embedding_dim(embedder),
        docs={d.doc_id: {"hash": d.content_hash, "title": d.title, "path": d.path} for d in docs},
        chunk_count=len(chunks),
        built_at=time.time(),
        chroma_host=settings.chroma_host,
        data_hash=data,
    )
    manifest.write(data_dir)
    sweep(client, settings, manifest)
    report.chunks, report.generation = len(chunks), generation
    report.seconds = time.perf_counter() - t0
    return report
