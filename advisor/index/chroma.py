"""Where the index lives: all of it in Chroma, so any number of processes on any number of machines
serve the same knowledge base from one ``chroma run`` server (or one embedded ``PersistentClient``).

Per generation ``N`` there are two collections: ``<collection>_g<N>`` holds the passages (vectors, plus
offsets, roles, heading path and BM25 tokens as metadata) and ``<collection>_g<N>_docs`` the document
bodies and the knowledge data. ``<collection>_meta`` holds one record, the live-generation pointer
(:class:`Manifest`); an ingest switches every reader to a new generation with one upsert of it.
What a reader builds from a generation is in ``advisor.index.snapshot``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from advisor.config import Settings
from advisor.errors import IndexMissingError, IndexUnavailableError

log = logging.getLogger(__name__)
FORMAT_VERSION = 3
LIVE_ID = "live"
PLACEHOLDER_VECTOR = [1.0]  # records that are data, not passages, still need a vector in Chroma


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


def data_collection(client, name: str, metadata: dict | None = None, create: bool = False):
    """A collection of records that are data (no embedding function: vectors are always given)."""
    if create:
        return client.create_collection(name, metadata=metadata, embedding_function=None)
    return client.get_or_create_collection(name, metadata=metadata, embedding_function=None)


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
        got = data_collection(client, meta_name(settings)).get(
            ids=[LIVE_ID], include=["metadatas", "documents"]
        )
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
        data_collection(client, meta_name(settings)).upsert(
            ids=[LIVE_ID],
            embeddings=[PLACEHOLDER_VECTOR],
            metadatas=[meta],
            documents=[json.dumps(self.docs, ensure_ascii=False)],
        )


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
