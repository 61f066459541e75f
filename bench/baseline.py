"""The plain pipeline most RAG tutorials ship, as the benchmark's point of comparison.

LangChain + Chroma, fixed-size character chunks (``RecursiveCharacterTextSplitter``, 500 characters,
50 overlap, default separators), dense-only top-k with the **same** embedder as ours, no BM25, no
headings in the embedded text, no role filter, no citation check; its "answer" is the top passage.

Both come from LangChain itself (``langchain-text-splitters``, ``langchain-chroma``: the ``bench``
extra), so the comparison is with the library code a tutorial runs. Documents are read with the
project's loader so that both pipelines see the same bodies (front matter removed) and the
baseline's ``start_index`` offsets line up with the golden set's gold spans.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from advisor.config import quiet_network
from advisor.kb.documents import load_documents


@dataclass
class BaselinePassage:
    """What the relevance labels need: document and character span (plus the text)."""

    doc_id: str
    start: int
    end: int
    text: str


class PlainRAG:
    """Tutorial RAG: split, embed, ``Chroma.from_documents``, ``similarity_search``."""

    def __init__(
        self, embedder: Embeddings, persist_dir: Path, chunk_size: int = 500, chunk_overlap: int = 50
    ):
        quiet_network()
        self.embedder = embedder
        self.persist_dir = Path(persist_dir)
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size, chunk_overlap=chunk_overlap, add_start_index=True
        )
        self.store = None
        self.chunks = 0
        self.documents = 0

    def ingest(self, paths: list[Path]) -> float:
        """Build the index from scratch; returns wall seconds (load + split + embed + store)."""
        from langchain_chroma import Chroma

        if self.persist_dir.exists():
            shutil.rmtree(self.persist_dir)
        t0 = time.perf_counter()
        docs, _skipped = load_documents(paths)
        chunks = self.splitter.create_documents(
            [d.body for d in docs], [{"doc_id": d.doc_id, "title": d.title} for d in docs]
        )
        self.store = Chroma.from_documents(
            chunks, self.embedder, persist_directory=str(self.persist_dir), collection_name="baseline"
        )
        self.chunks, self.documents = len(chunks), len(docs)
        return time.perf_counter() - t0

    def search(self, query: str, k: int = 5) -> list[BaselinePassage]:
        hits = self.store.similarity_search(query, k=k)
        return [
            BaselinePassage(
                doc_id=h.metadata["doc_id"],
                start=int(h.metadata["start_index"]),
                end=int(h.metadata["start_index"]) + len(h.page_content),
                text=h.page_content,
            )
            for h in hits
        ]

    def answer(self, query: str, k: int = 5) -> str:
        """What a tutorial returns without an LLM: the best-matching chunk."""
        hits = self.search(query, k=k)
        return hits[0].text if hits else ""
