"""The persistent index: Chroma (embedded or server) for vectors, a JSON store for passages and BM25.

Every ingest writes a new *generation* (a fresh Chroma collection and store file) and only then
switches ``manifest.json`` with an atomic rename, so an interrupted or failed ingest leaves the
previous index serving.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .chunking import Chunk, chunk_document
from .config import Settings, quiet_network
from .corpus import Document, Skipped, load_documents
from .embeddings import embedder_id
from .lexical import BM25, tokenize

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class IndexMissingError(RuntimeError):
    """No index has been built yet."""


class IndexMismatchError(RuntimeError):
    """The index was built by another embedding model than the one configured."""


def make_client(settings: Settings):
    """Chroma server when a host is configured, else the embedded ``PersistentClient``."""
    quiet_network()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def vector_store(client, name: str, embedder: Embeddings, metadata: dict | None = None):
    """A LangChain ``Chroma`` store over our client; Chroma's own embedding function never runs."""
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=name,
        embedding_function=embedder,
        client=client,
        collection_metadata=metadata,
        collection_configuration={"hnsw": {"space": "cosine"}},
    )


@dataclass
class Manifest:
    generation: int
    collection: str
    store: str
    embedder: str
    dim: int
    docs: dict[str, dict]
    chunk_count: int
    built_at: float
    chroma_host: str | None = None
    version: int = FORMAT_VERSION

    @classmethod
    def read(cls, data_dir: Path) -> Manifest | None:
        path = data_dir / MANIFEST
        if not path.exists():
            return None
        raw = json.loads(path.read_text("utf-8"))
        if raw.get("version") != FORMAT_VERSION:
            return None
        return cls(**raw)

    def write(self, data_dir: Path) -> None:
        tmp = data_dir / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(self.__dict__, ensure_ascii=False, indent=1), "utf-8")
        os.replace(tmp, data_dir / MANIFEST)


@dataclass
class IndexSnapshot:
    """What a searcher needs in memory: passages, bodies, BM25, and the vector collection name."""

    manifest: Manifest
    chunks: list[Chunk]
    bodies: dict[str, str]
    sources: dict[str, str | None]
    bm25: BM25
    by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {c.chunk_id: i for i, c in enumerate(self.chunks)}


def _chunk_to_json(c: Chunk, tokens: list[str]) -> dict:
    return {
        "id": c.chunk_id,
        "doc_id": c.doc_id,
        "title": c.title,
        "section": list(c.section),
        "start": c.start,
        "end": c.end,
        "roles": list(c.roles),
        "tokens": tokens,
    }


def load_snapshot(settings: Settings, embedder_name: str | None = None) -> IndexSnapshot:
    """Read the current generation; refuse clearly if missing or built by another embedder."""
    manifest = Manifest.read(settings.data_dir)
    if manifest is None:
        msg = f"还没有索引（{settings.data_dir}）。请先运行：python ingest.py"
        raise IndexMissingError(msg)
    if embedder_name and manifest.embedder != embedder_name:
        msg = (
            f"索引由嵌入模型 {manifest.embedder}（{manifest.dim} 维）构建，当前配置的是 {embedder_name}。"
            "两者的向量不可混用，请用当前模型重新运行：python ingest.py"
        )
        raise IndexMismatchError(msg)
    raw = json.loads((settings.data_dir / manifest.store).read_text("utf-8"))
    bodies = {d: v["body"] for d, v in raw["docs"].items()}
    sources = {d: v.get("source") for d, v in raw["docs"].items()}
    chunks, tokens = [], []
    for r in raw["chunks"]:
        doc = raw["docs"][r["doc_id"]]
        chunks.append(
            Chunk(
                chunk_id=r["id"],
                doc_id=r["doc_id"],
                title=doc["title"],
                section=tuple(r["section"]),
                text=doc["body"][r["start"] : r["end"]],
                start=r["start"],
                end=r["end"],
                roles=tuple(r["roles"]),
                source=doc.get("source"),
            )
        )
        tokens.append(r["tokens"])
    return IndexSnapshot(manifest, chunks, bodies, sources, BM25(tokens))


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
    seconds: float = 0.0
    generation: int = 0
    changed: bool = False


def _doc_record(doc: Document) -> dict:
    return {
        "title": doc.title,
        "body": doc.body,
        "roles": list(doc.roles),
        "source": doc.source,
        "author": doc.author,
        "published": doc.published,
        "path": doc.path,
        "hash": doc.content_hash,
    }


def _sweep(client, settings: Settings, keep: Manifest) -> None:
    """Drop collections and store files of other generations (old ones, or leftovers of a crash)."""
    prefix = f"{settings.collection}_g"
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        if name.startswith(prefix) and name != keep.collection:
            try:
                client.delete_collection(name)
            except Exception as exc:
                log.warning("could not delete old collection %s: %s", name, exc)
    for f in settings.data_dir.glob("store_g*.json*"):
        if f.name != keep.store:
            f.unlink(missing_ok=True)


def ingest(
    settings: Settings,
    embedder: Embeddings,
    paths: list[Path],
    progress: Callable[[int, int], None] | None = None,
    fail_after: int | None = None,
) -> IngestReport:
    """Index ``paths`` (files or folders) as the new complete set of documents.

    Unchanged documents (same content hash, same embedder) reuse their stored vectors; changed ones
    are re-chunked and re-embedded; documents no longer present are dropped. ``fail_after`` makes
    the run raise after that many embedded batches (used to prove that a failed ingest is harmless).
    """
    t0 = time.perf_counter()
    report = IngestReport()
    docs, report.skipped = load_documents(paths)
    if not docs:
        msg = "没有可用的文档：" + "；".join(f"{s.path}（{s.reason}）" for s in report.skipped)
        raise ValueError(msg)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    name = embedder_id(embedder)
    old = Manifest.read(settings.data_dir)
    if old is not None and (old.embedder != name or old.chroma_host != settings.chroma_host):
        old = None  # vectors from another model or another server cannot be reused
    client = make_client(settings)

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
    report.changed = bool(report.added or report.updated or report.removed or old is None)
    if not report.changed:
        report.chunks = old.chunk_count
        report.generation = old.generation
        report.seconds = time.perf_counter() - t0
        return report

    generation = (old.generation if old else 0) + 1
    # Continue numbering past leftovers of interrupted runs so names never collide.
    existing = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    while f"{settings.collection}_g{generation}" in existing:
        generation += 1
    col_name = f"{settings.collection}_g{generation}"
    dim = int(getattr(embedder, "dim", 0) or len(embedder.embed_query("维度")))
    store = vector_store(client, col_name, embedder, {"embedder": name, "dim": dim})
    collection = client.get_collection(col_name)

    chunks: list[Chunk] = []
    to_embed: list[Chunk] = []
    try:
        old_collection = client.get_collection(old.collection) if old else None
    except Exception:
        old_collection = None
    for doc in docs:
        doc_chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap, settings.chunk_max)
        chunks.extend(doc_chunks)
        if doc.doc_id in report.unchanged and old_collection is not None:
            ids = [c.chunk_id for c in doc_chunks]
            got = old_collection.get(ids=ids, include=["embeddings"])
            vectors = dict(zip(got["ids"], got["embeddings"], strict=True))
            if len(vectors) == len(ids):
                collection.add(
                    ids=ids,
                    embeddings=[vectors[i] for i in ids],
                    documents=[c.embed_text for c in doc_chunks],
                    metadatas=[c.metadata() for c in doc_chunks],
                )
                continue
        to_embed.extend(doc_chunks)

    batch = 16
    for n, i in enumerate(range(0, len(to_embed), batch)):
        if fail_after is not None and n >= fail_after:
            msg = "ingest interrupted on purpose (fail_after)"
            raise RuntimeError(msg)
        part = to_embed[i : i + batch]
        store.add_texts(
            texts=[c.embed_text for c in part],
            metadatas=[c.metadata() for c in part],
            ids=[c.chunk_id for c in part],
        )
        if progress:
            progress(min(i + batch, len(to_embed)), len(to_embed))
    report.embedded_chunks = len(to_embed)

    store_name = f"store_g{generation}.json"
    payload = {
        "docs": {d.doc_id: _doc_record(d) for d in docs},
        "chunks": [_chunk_to_json(c, tokenize(c.embed_text)) for c in chunks],
    }
    tmp = settings.data_dir / (store_name + ".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    os.replace(tmp, settings.data_dir / store_name)

    manifest = Manifest(
        generation=generation,
        collection=col_name,
        store=store_name,
        embedder=name,
        dim=dim,
        docs={d.doc_id: {"hash": d.content_hash, "title": d.title, "path": d.path} for d in docs},
        chunk_count=len(chunks),
        built_at=time.time(),
        chroma_host=settings.chroma_host,
    )
    manifest.write(settings.data_dir)  # the switch: atomic rename
    _sweep(client, settings, manifest)
    report.chunks = len(chunks)
    report.generation = generation
    report.seconds = time.perf_counter() - t0
    return report
