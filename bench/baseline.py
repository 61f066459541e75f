"""The plain pipeline most RAG tutorials ship, as the benchmark's point of comparison.

LangChain + Chroma, fixed-size character chunks (``RecursiveCharacterTextSplitter``, 500 characters,
50 overlap, default separators), dense-only top-k with the **same** embedder as ours, no BM25, no
headings in the embedded text, no role filter, no citation check; its "answer" is the top passage.

``langchain-text-splitters`` is not a dependency of this project, so :class:`RecursiveCharacterSplitter`
is a line-for-line port of its algorithm (keep_separator="start", strip_whitespace, add_start_index).
Documents are read with the project's loader so that both pipelines see the same bodies (front
matter removed) and the baseline's ``start_index`` offsets line up with the golden set's gold spans.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings

from advisor.config import quiet_network
from advisor.kb.documents import load_documents


class RecursiveCharacterSplitter:
    """Port of ``langchain_text_splitters.RecursiveCharacterTextSplitter`` (default behaviour)."""

    def __init__(self, chunk_size: int = 500, chunk_overlap: int = 50, separators: list[str] | None = None):
        if chunk_overlap > chunk_size:
            msg = "chunk_overlap must not exceed chunk_size"
            raise ValueError(msg)
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.separators = separators or ["\n\n", "\n", " ", ""]

    @staticmethod
    def _split_with_regex(text: str, separator: str) -> list[str]:
        if separator:
            parts = re.split(f"({separator})", text)
            splits = [parts[i] + parts[i + 1] for i in range(1, len(parts), 2)]
            if len(parts) % 2 == 0:
                splits += parts[-1:]
            splits = [parts[0], *splits]
        else:
            splits = list(text)
        return [s for s in splits if s]

    def _merge(self, splits: list[str]) -> list[str]:
        docs: list[str] = []
        current: list[str] = []
        total = 0
        for d in splits:
            n = len(d)
            if total + n > self.chunk_size and current:
                text = "".join(current).strip()
                if text:
                    docs.append(text)
                while total > self.chunk_overlap or (total + n > self.chunk_size and total > 0):
                    total -= len(current[0])
                    current = current[1:]
            current.append(d)
            total += n
        text = "".join(current).strip()
        if text:
            docs.append(text)
        return docs

    def _split(self, text: str, separators: list[str]) -> list[str]:
        final: list[str] = []
        separator = separators[-1]
        rest: list[str] = []
        for i, s in enumerate(separators):
            if s == "":
                separator = s
                break
            if re.search(re.escape(s), text):
                separator = s
                rest = separators[i + 1 :]
                break
        good: list[str] = []
        for s in self._split_with_regex(text, re.escape(separator)):
            if len(s) < self.chunk_size:
                good.append(s)
                continue
            if good:
                final.extend(self._merge(good))
                good = []
            if not rest:
                final.append(s)
            else:
                final.extend(self._split(s, rest))
        if good:
            final.extend(self._merge(good))
        return final

    def split_text(self, text: str) -> list[str]:
        return self._split(text, self.separators)

    def create_documents(self, texts: list[str], metadatas: list[dict]) -> list[LCDocument]:
        out = []
        for text, meta in zip(texts, metadatas, strict=True):
            index, previous = 0, 0
            for chunk in self.split_text(text):
                offset = index + previous - self.chunk_overlap
                index = text.find(chunk, max(0, offset))
                previous = len(chunk)
                out.append(LCDocument(page_content=chunk, metadata={**meta, "start_index": index}))
        return out


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
        self.splitter = RecursiveCharacterSplitter(chunk_size, chunk_overlap)
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
