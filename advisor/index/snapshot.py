"""What one index generation holds, and how a reader gets all of it into memory at once.

Passages live in the generation's Chroma collection with their offsets, roles, heading path and BM25
tokens as metadata (Chroma metadata values are scalars, so lists are JSON strings); document bodies,
the knowledge data and the BM25 index itself live in its ``_docs`` collection. A reader loads both
and only then starts serving the new generation.

The BM25 index (``bm25s``' score matrix: three numpy arrays and the vocabulary) is built once, by the
ingest, and stored as records of the generation it belongs to: in Chroma, because that is where every
replica already reads its generation from (replicas keep no index files and may run on other machines),
and with the generation, so it is swept with it and can never pair with another generation's
passages. The arrays are ``.npy`` bytes in base64, cut into pieces that keep each record small. A
generation written before the index was stored gets it rebuilt from the passages' tokens.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field

import numpy as np

from advisor.errors import IndexMismatchError, IndexMissingError
from advisor.index.bm25 import BM25
from advisor.index.chroma import ChromaCollection, Manifest
from advisor.index.chunking import Chunk
from advisor.kb.documents import Document
from advisor.kb.facts import Knowledge

DOC_PREFIX = "doc:"
DATA_IDS = {"knowledge": "data:knowledge", "scope": "data:scope"}
BM25_PREFIX = "bm25:"
BM25_PARAMS = BM25_PREFIX + "params"
BM25_PIECE = 1 << 20  # characters of base64 per record


@dataclass
class IndexSnapshot:
    """What a searcher needs in memory: passages, bodies, BM25, knowledge data, the collection name."""

    manifest: Manifest
    chunks: list[Chunk]
    bodies: dict[str, str]
    bm25: BM25
    knowledge: Knowledge
    scope: dict = field(default_factory=dict)
    declared_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per document, as written
    titles: dict[str, str] = field(default_factory=dict)  # per document
    by_id: dict[str, int] = field(default_factory=dict)
    same_as: dict[int, int] = field(default_factory=dict)  # a passage -> the first one with its text

    def __post_init__(self) -> None:
        self.by_id = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        # Knowledge bases grow by reposts: the same passage in several documents. Found once per
        # generation, so that a search shows each text once (``search.distinct``).
        first: dict[str, int] = {}
        self.same_as = {i: j for i, c in enumerate(self.chunks) if (j := first.setdefault(c.text, i)) != i}

    def idf(self, token: str) -> float:
        """BM25 idf of a token; an unseen token counts as rarer than any seen one."""
        return self.bm25.idf_of(token)


# -- writing ---------------------------------------------------------------------------------------
def chunk_metadata(chunk: Chunk, tokens: list[str], order: int) -> dict:
    """Everything a reader needs about a passage besides its vector; its text is the body's span.
    Tokens are space-separated (a jieba token never contains a space): compact, and readable in Chroma."""
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "heading": json.dumps(list(chunk.section), ensure_ascii=False),
        "start": chunk.start,
        "end": chunk.end,
        "roles": ",".join(chunk.roles),
        "order": order,
        "tokens": " ".join(tokens),
    }


def stored_tokens(metadata: dict) -> list[str]:
    return metadata["tokens"].split()


def doc_record(doc: Document) -> dict:
    return {
        "title": doc.title,
        "body": doc.body,
        "roles": list(doc.roles),
        "declared_roles": list(doc.declared_roles),
        "source": doc.source,
        "author": doc.author,
        "published": doc.published,
        "path": doc.path,
        "hash": doc.content_hash,
    }


def write_documents(
    collection: ChromaCollection, docs: list[Document], knowledge: dict, scope: dict, batch: int
) -> None:
    """Bodies and the knowledge data of one generation, as records of its ``_docs`` collection."""
    records = [(DOC_PREFIX + d.doc_id, doc_record(d), "doc") for d in docs]
    records += [(DATA_IDS["knowledge"], knowledge, "data"), (DATA_IDS["scope"], scope, "data")]
    for i in range(0, len(records), batch):
        part = records[i : i + batch]
        collection.add(
            ids=[r[0] for r in part],
            documents=[json.dumps(r[1], ensure_ascii=False) for r in part],
            metadatas=[{"kind": r[2]} for r in part],
        )


def bm25_records(bm25: BM25) -> list[tuple[str, str]]:
    """``(id, document)`` records of a BM25 index: its parameters and vocabulary, then each array's
        ``.npy`` bytes in base64 pieces (the parameters say how many pieces each array has). Every document
    is JSON, like the other data records, so a reader of the previous release skips them unharmed."""
    params, arrays = bm25.to_state()
    records, pieces = [], {}
    for name, array in arrays.items():
        buf = io.BytesIO()
        np.save(buf, array, allow_pickle=False)
        text = base64.b64encode(buf.getvalue()).decode("ascii")
        parts = [text[i : i + BM25_PIECE] for i in range(0, len(text), BM25_PIECE)] or [""]
        pieces[name] = len(parts)
        records += [(f"{BM25_PREFIX}{name}:{k}", json.dumps(part)) for k, part in enumerate(parts)]
    return [(BM25_PARAMS, json.dumps({**params, "pieces": pieces}, ensure_ascii=False)), *records]


def write_bm25(collection, bm25: BM25) -> None:
    """The generation's BM25 index into its ``_docs`` collection, one record per write (large ones)."""
    for rid, document in bm25_records(bm25):
        collection.add([rid], documents=[document], metadatas=[{"kind": "bm25"}])


def bm25_from_records(records: dict[str, str]) -> BM25 | None:
    """The stored BM25 index, or ``None`` when the generation has none (or an incomplete one)."""
    if BM25_PARAMS not in records:
        return None
    params = json.loads(records[BM25_PARAMS])
    arrays = {}
    for name, count in params.pop("pieces").items():
        parts = [records.get(f"{BM25_PREFIX}{name}:{k}") for k in range(count)]
        if any(p is None for p in parts):
            return None
        raw = base64.b64decode("".join(json.loads(p) for p in parts))
        arrays[name] = np.load(io.BytesIO(raw), allow_pickle=False)
    return BM25.from_state(params, arrays)


# -- reading ---------------------------------------------------------------------------------------


def check_embedder(manifest: Manifest, embedder_name: str | None) -> None:
    if embedder_name and manifest.embedder != embedder_name:
        msg = (
            f"索引由嵌入模型 {manifest.embedder}（{manifest.dim} 维）构建，当前配置的是 {embedder_name}。"
            "两者的向量不可混用，请用当前模型重新运行：python ingest.py"
        )
        raise IndexMismatchError(msg)


def _chunk(chunk_id: str, m: dict, doc: dict) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        doc_id=m["doc_id"],
        title=doc["title"],
        section=tuple(json.loads(m["heading"])),
        text=doc["body"][m["start"] : m["end"]],
        start=m["start"],
        end=m["end"],
        roles=tuple(r for r in m["roles"].split(",") if r),
        source=doc.get("source"),
    )


def load_generation(client, manifest: Manifest) -> IndexSnapshot:
    """The whole generation named by ``manifest``; refuses one that is gone or incomplete."""
    try:
        docs_col = ChromaCollection.open(client, manifest.docs_collection)
        chunks_col = ChromaCollection.open(client, manifest.collection)
    except Exception as exc:  # swept by a newer ingest while this reader was switching
        msg = f"索引第 {manifest.generation} 代已不存在（{exc}）。请稍后重试或重新运行：python ingest.py"
        raise IndexMissingError(msg) from exc
    docs: dict[str, dict] = {}
    data: dict[str, dict] = {}
    bm25_parts: dict[str, str] = {}
    for rid, _meta, document in docs_col.records(["documents"]):
        if rid.startswith(DOC_PREFIX):
            docs[rid.removeprefix(DOC_PREFIX)] = json.loads(document)
        elif rid.startswith(BM25_PREFIX):
            bm25_parts[rid] = document
        else:
            data[rid] = json.loads(document)
    rows = sorted(chunks_col.records(["metadatas"]), key=lambda r: r[1]["order"])
    if len(rows) != manifest.chunk_count or DATA_IDS["knowledge"] not in data:
        msg = (
            f"索引第 {manifest.generation} 代不完整（应有 {manifest.chunk_count} 个文本块，读到 {len(rows)} 个）。"
            "请重新运行：python ingest.py"
        )
        raise IndexMissingError(msg)
    chunks = [_chunk(rid, m, docs[m["doc_id"]]) for rid, m, _ in rows]
    bm25 = bm25_from_records(bm25_parts)
    if bm25 is None or bm25.n != len(chunks):  # written before BM25 was stored: build it once here
        bm25 = BM25([stored_tokens(m) for _, m, _ in rows])
    return IndexSnapshot(
        manifest,
        chunks,
        {d: v["body"] for d, v in docs.items()},
        bm25,
        Knowledge.from_dict(data[DATA_IDS["knowledge"]]),
        data.get(DATA_IDS["scope"]) or {},
        {d: tuple(v.get("declared_roles") or ()) for d, v in docs.items()},
        {d: v.get("title") or "" for d, v in docs.items()},
    )
