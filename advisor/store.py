"""Where the index lives: the Chroma client, the manifest of the live generation, and the snapshot a
searcher loads (passages, document bodies, BM25, and the knowledge-base data).

Vectors are in Chroma (embedded ``PersistentClient`` or a ``chroma run`` server); passages, bodies
and the knowledge data of a generation are in ``store_g<N>.json``; ``manifest.json`` names the live
generation and is only ever replaced by an atomic rename.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .chunking import Chunk
from .config import Settings
from .corpus import Document
from .errors import IndexMismatchError, IndexMissingError
from .knowledge import Knowledge
from .lexical import BM25

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
FORMAT_VERSION = 2


def make_client(settings: Settings):
    """Chroma server when a host is configured, else the embedded ``PersistentClient``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = Path(settings.data_dir) / "chroma"
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


def collection_names(client) -> set[str]:
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


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
    data_hash: str = ""  # of the knowledge data, so editing knowledge.yaml alone makes a new generation
    version: int = FORMAT_VERSION

    @classmethod
    def read(cls, data_dir: Path) -> Manifest | None:
        path = Path(data_dir) / MANIFEST
        if not path.exists():
            return None
        raw = json.loads(path.read_text("utf-8"))
        if raw.get("version") != FORMAT_VERSION:
            return None
        return cls(**raw)

    def write(self, data_dir: Path) -> None:
        """The switch to this generation: write aside, then rename over the old manifest."""
        tmp = Path(data_dir) / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), "utf-8")
        os.replace(tmp, Path(data_dir) / MANIFEST)


@dataclass
class IndexSnapshot:
    """What a searcher needs in memory: passages, bodies, BM25, knowledge data, the collection name."""

    manifest: Manifest
    chunks: list[Chunk]
    bodies: dict[str, str]
    bm25: BM25
    knowledge: Knowledge
    scope: dict = field(default_factory=dict)
    by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {c.chunk_id: i for i, c in enumerate(self.chunks)}

    def idf(self, token: str) -> float:
        """BM25 idf of a token; an unseen token counts as rarer than any seen one."""
        return self.bm25.idf.get(token, math.log(1 + (self.bm25.n + 0.5) / 0.5))


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


def _chunk_record(c: Chunk, tokens: list[str]) -> dict:
    return {
        "id": c.chunk_id,
        "doc_id": c.doc_id,
        "section": list(c.section),
        "start": c.start,
        "end": c.end,
        "roles": list(c.roles),
        "tokens": tokens,
    }


def write_store(
    data_dir: Path,
    name: str,
    docs: list[Document],
    chunks: list[Chunk],
    tokens: list[list[str]],
    knowledge: dict,
    scope: dict,
) -> None:
    """One generation's passages, bodies, BM25 tokens and knowledge data, written atomically."""
    payload = {
        "docs": {d.doc_id: _doc_record(d) for d in docs},
        "chunks": [_chunk_record(c, t) for c, t in zip(chunks, tokens, strict=True)],
        "knowledge": knowledge,
        "scope": scope,
    }
    tmp = Path(data_dir) / (name + ".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    os.replace(tmp, Path(data_dir) / name)


def load_snapshot(settings: Settings, embedder_name: str | None = None) -> IndexSnapshot:
    """Read the live generation; refuse clearly if missing or built by another embedder."""
    data_dir = Path(settings.data_dir)
    manifest = Manifest.read(data_dir)
    if manifest is None:
        msg = f"还没有索引（{data_dir}）。请先运行：python ingest.py"
        raise IndexMissingError(msg)
    if embedder_name and manifest.embedder != embedder_name:
        msg = (
            f"索引由嵌入模型 {manifest.embedder}（{manifest.dim} 维）构建，当前配置的是 {embedder_name}。"
            "两者的向量不可混用，请用当前模型重新运行：python ingest.py"
        )
        raise IndexMismatchError(msg)
    raw = json.loads((data_dir / manifest.store).read_text("utf-8"))
    bodies = {d: v["body"] for d, v in raw["docs"].items()}
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
    return IndexSnapshot(
        manifest, chunks, bodies, BM25(tokens), Knowledge.from_dict(raw["knowledge"]), raw.get("scope") or {}
    )


def sweep(client, settings: Settings, keep: Manifest) -> None:
    """Drop collections and store files of other generations (old ones, or leftovers of a crash)."""
    prefix = f"{settings.collection}_g"
    for name in collection_names(client):
        if name.startswith(prefix) and name != keep.collection:
            try:
                client.delete_collection(name)
            except Exception as exc:  # another process may have dropped it first
                log.warning("could not delete old collection %s: %s", name, exc)
    for f in Path(settings.data_dir).glob("store_g*.json*"):
        if f.name != keep.store:
            f.unlink(missing_ok=True)
