"""Where the index lives: all of it in Chroma, so any number of processes on any number of machines
serve the same knowledge base from one ``chroma run`` server (or one embedded ``PersistentClient``).

Per generation ``N`` there are two collections: ``<collection>_g<N>`` holds the passages (vectors, plus
offsets, roles, heading path and BM25 tokens as metadata) and ``<collection>_g<N>_docs`` the document
bodies and the knowledge data. ``<collection>_meta`` holds one record, the live-generation pointer
(:class:`Manifest`); an ingest switches every reader to a new generation with one upsert of it.
What a reader builds from a generation is in ``advisor.index.snapshot``.

Every call into ``chromadb`` is in this module (as langchain-chroma's ``Chroma`` class wraps one
collection): the client, :class:`ChromaCollection` for one collection's reads and writes, and the
generation bookkeeping. The rest of the package never holds a raw Chroma collection.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from advisor.config import Settings
from advisor.errors import IndexMissingError, IndexUnavailableError

log = logging.getLogger(__name__)
FORMAT_VERSION = 3
LIVE_ID = "live"
PLACEHOLDER_VECTOR = [1.0]  # records that are data, not passages, still need a vector in Chroma
PAGE = 2000  # records per read: bounded memory per response, few round trips


# Seconds one request to a Chroma server may take. chromadb's own default is to wait forever, so a
# hung (stopped, not dead) server would hold an ingest or a generation load for good. Queries made
# while answering have a tighter bound of their own (the answer deadline, see index/search.py);
# chromadb shares one HTTP session per server address, so this is per process, not per client.
REQUEST_TIMEOUT = 120.0


def make_client(settings: Settings):
    """Chroma server when a host is configured, else the embedded ``PersistentClient``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
            bound_requests(client, REQUEST_TIMEOUT)
            return client
        except Exception as exc:
            msg = (
                f"连不上{where(settings)}（{exc}）。请确认 chroma run 已启动，"
                "且 ADVISOR_CHROMA_HOST / ADVISOR_CHROMA_PORT 指向它"
            )
            raise IndexUnavailableError(msg) from exc
    path = Path(settings.data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def bound_requests(client, seconds: float) -> None:
    """Give the HTTP client's session a timeout (chromadb creates it with ``timeout=None``)."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if session is None:  # another chromadb layout: queries are still bounded by index/search.py
        log.warning("could not set a request timeout on the Chroma client")
        return
    session.timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))


def where(settings: Settings) -> str:
    """The index's location in words, for messages."""
    if settings.chroma_host:
        return f"Chroma 服务 {settings.chroma_host}:{settings.chroma_port}"
    return str(Path(settings.data_dir) / "chroma")


def collection_names(client) -> set[str]:
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


def chunks_name(settings: Settings, generation: int) -> str:
    return f"{settings.collection}_g{generation}"


def docs_name(settings: Settings, generation: int) -> str:
    return f"{settings.collection}_g{generation}_docs"


def meta_name(settings: Settings) -> str:
    return f"{settings.collection}_meta"


def generation_of(settings: Settings, name: str) -> int | None:
    """The generation a collection belongs to (passages or documents), ``None`` for any other name."""
    m = re.fullmatch(re.escape(settings.collection) + r"_g(\d+)(?:_docs)?", name)
    return int(m.group(1)) if m else None


def max_batch_size(client, cap: int) -> int:
    """Records per write: ``cap``, or less when the client allows less."""
    try:
        return max(1, min(cap, int(client.get_max_batch_size())))
    except Exception:  # an older server without the call
        return 512


class ChromaCollection:
    """One Chroma collection as the index uses it. Vectors are always given, so Chroma's own
    embedding function never runs (none is attached)."""

    def __init__(self, collection) -> None:
        self._collection = collection

    @classmethod
    def open(cls, client, name: str) -> ChromaCollection:
        """An existing collection; raises when it is gone (swept by a newer ingest)."""
        return cls(client.get_collection(name, embedding_function=None))

    @classmethod
    def create_passages(cls, client, name: str, metadata: dict) -> ChromaCollection:
        """A new passage collection searched by cosine distance; raises when the name is taken."""
        return cls(
            client.create_collection(
                name, metadata=metadata, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        )

    @classmethod
    def data(cls, client, name: str, create: bool = False) -> ChromaCollection:
        """A collection of records that are data, not passages (documents, the live pointer)."""
        if create:
            return cls(client.create_collection(name, embedding_function=None))
        return cls(client.get_or_create_collection(name, embedding_function=None))

    def add(
        self,
        ids: list[str],
        vectors: Sequence | None = None,
        metadatas: list[dict] | None = None,
        documents: list[str] | None = None,
    ) -> None:
        """Write new records; data records get the placeholder vector."""
        vectors = vectors if vectors is not None else [PLACEHOLDER_VECTOR for _ in ids]
        self._collection.add(ids=ids, embeddings=vectors, metadatas=metadatas, documents=documents)

    def upsert(self, record_id: str, metadata: dict, document: str) -> None:
        """Replace one data record in one write (the live-pointer switch)."""
        self._collection.upsert(
            ids=[record_id], embeddings=[PLACEHOLDER_VECTOR], metadatas=[metadata], documents=[document]
        )

    def get(self, ids: list[str], include: list[str]) -> dict:
        """The named records' ``ids`` and the ``include``d fields (vectors as plain lists)."""
        got = self._collection.get(ids=ids, include=include)
        if "embeddings" in include and got.get("embeddings") is not None:
            got["embeddings"] = [v.tolist() if hasattr(v, "tolist") else list(v) for v in got["embeddings"]]
        return got

    def records(self, include: list[str]) -> Iterator[tuple[str, dict | None, str | None]]:
        """(id, metadata, document) of every record, a page at a time."""
        offset = 0
        while True:
            got = self._collection.get(include=include, limit=PAGE, offset=offset)
            ids = got["ids"]
            metas = got.get("metadatas") or [None] * len(ids)
            documents = got.get("documents") or [None] * len(ids)
            yield from zip(ids, metas, documents, strict=True)
            if len(ids) < PAGE:
                return
            offset += len(ids)

    def count(self) -> int:
        return self._collection.count()

    def nearest(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        """The ``n`` nearest records as ``(id, cosine distance)``, nearest first."""
        got = self._collection.query(query_embeddings=[vector], n_results=max(n, 1), include=["distances"])
        return list(zip(got["ids"][0], got["distances"][0], strict=True))


@dataclass
class Manifest:
    """The live-generation pointer: which collections serve, built by which embedder, from which
    documents (content hashes, so the next ingest can reuse unchanged documents' vectors)."""

    generation: int
    collection: str
    docs_collection: str
    embedder: str
    dim: int
    docs: dict[str, dict]
    chunk_count: int
    built_at: float
    data_hash: str = ""  # of the knowledge data, so editing knowledge.yaml alone makes a new generation
    previous: int = 0  # the generation this one replaced; kept until the next switch
    version: int = FORMAT_VERSION

    @classmethod
    def read(cls, client, settings: Settings) -> Manifest | None:
        """The live pointer, or ``None`` when no index (of this format) was ever switched in."""
        if meta_name(settings) not in collection_names(client):
            return None
        got = ChromaCollection.data(client, meta_name(settings)).get([LIVE_ID], ["metadatas", "documents"])
        if not got["ids"]:
            return None
        meta = got["metadatas"][0] or {}
        if meta.get("version") != FORMAT_VERSION:
            return None
        scalars = {f.name: meta[f.name] for f in fields(cls) if f.name != "docs" and f.name in meta}
        return cls(docs=json.loads(got["documents"][0] or "{}"), **scalars)

    def publish(self, client, settings: Settings) -> None:
        """The switch: one upsert of the pointer record, so every reader sees the old or the new one."""
        meta = {k: v for k, v in asdict(self).items() if k != "docs"}
        pointer = ChromaCollection.data(client, meta_name(settings))
        pointer.upsert(LIVE_ID, meta, json.dumps(self.docs, ensure_ascii=False))


def read_live(client, settings: Settings) -> Manifest:
    """The live pointer; a clear message when there is none yet."""
    manifest = Manifest.read(client, settings)
    if manifest is None:
        msg = f"还没有索引（{where(settings)}）。请先运行：python ingest.py"
        raise IndexMissingError(msg)
    return manifest


def drop_generation(client, settings: Settings, generation: int) -> None:
    """Delete both collections of a generation (best effort: another process may be doing the same)."""
    for name in (chunks_name(settings, generation), docs_name(settings, generation)):
        try:
            client.delete_collection(name)
        except Exception as exc:  # already gone, or the server is briefly unreachable
            log.debug("could not delete collection %s: %s", name, exc)


def sweep(client, settings: Settings, keep: Manifest) -> list[int]:
    """Drop generations older than the live one, except the one it replaced (a replica may still be
    loading or serving it for a few seconds). Newer numbers may be an ingest in progress elsewhere and
    are left alone; leftovers of crashed runs go once a newer generation is live. Returns what went."""
    gone = sorted(
        {
            g
            for name in collection_names(client)
            if (g := generation_of(settings, name)) is not None and g < keep.generation and g != keep.previous
        }
    )
    for g in gone:
        drop_generation(client, settings, g)
    return gone
