"""Heading-aware, sentence-aware chunking of Chinese Markdown with exact character offsets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from advisor.errors import ConfigError
from advisor.kb.documents import GENERAL_ROLE, Document
from advisor.text.markdown import cap_spans, split_sections, split_sentences

SECTION_SEP = " › "


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: its text is exactly ``document.body[start:end]``."""

    chunk_id: str
    doc_id: str
    title: str
    section: tuple[str, ...]
    text: str
    start: int
    end: int
    roles: tuple[str, ...]
    source: str | None = None
    new_from: int | None = None  # where the sentences not carried over from the previous chunk begin

    @property
    def section_path(self) -> str:
        return SECTION_SEP.join((self.title, *self.section))

    @property
    def index_text(self) -> str:
        """Text for BM25: the heading path (context for short passages) and the whole passage."""
        return f"{self.section_path}\n{self.text}"

    @property
    def embed_text(self) -> str:
        """Text for the dense vector: the heading path and only the sentences this chunk adds. Each
        sentence is embedded once (embedding is nearly all of an ingest); the overlap carried from
        the previous chunk still counts for BM25 and is shown to the reader."""
        own = self.text if self.new_from is None else self.text[self.new_from - self.start :].lstrip()
        return f"{self.section_path}\n{own}"


def chunk_roles(doc: Document, path: tuple[str, ...], roles: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Roles (of the known ``roles``) named by the outermost heading that names one, else the document's."""
    for heading in path:
        found = tuple(r for r in roles if r in heading)
        if found:
            return found
    return doc.roles or (GENERAL_ROLE,)


def _pack(spans: list[tuple[int, int]], size: int, overlap: int) -> list[list[tuple[int, int]]]:
    """Greedy packing of whole sentences up to ``size`` characters, with sentence-level overlap."""
    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        s, e = spans[i]
        if current and e - current[0][0] > size:
            groups.append(current)
            carry: list[tuple[int, int]] = []
            for span in reversed(current[1:]):
                if current[-1][1] - span[0] > overlap:
                    break
                carry.insert(0, span)
            current = carry
            if current and e - current[0][0] > size:
                current = []
            continue
        current.append((s, e))
        i += 1
    if current:
        groups.append(current)
    return groups


def chunk_id(doc_id: str, start: int, end: int, text: str, new_from: int) -> str:
    """Stable across re-ingests of unchanged text: derived from the content (and the part of it that
    is embedded, so a vector is reused only for the same embedded text), not from run order."""
    digest = hashlib.sha1(f"{start}:{new_from}:{end}:{text}".encode()).hexdigest()[:10]
    return f"{doc_id}#{digest}"


def chunk_document(
    doc: Document,
    size: int = 320,
    overlap: int = 80,
    max_len: int = 600,
    roles: tuple[str, ...] = (),
    embed_overlap: bool = True,
) -> list[Chunk]:
    """Split by heading first, then pack whole sentences; a sentence is only cut when it alone
    exceeds ``max_len`` (the embedder would truncate it anyway). Unless ``embed_overlap``, a chunk's
    embedded text leaves out the sentences carried over from the previous chunk."""
    if size <= 0 or overlap < 0 or overlap >= size or max_len < size:
        msg = f"chunk size/overlap 无效：size={size}, overlap={overlap}"
        raise ConfigError(msg)
    chunks: list[Chunk] = []
    for section in split_sections(doc.body):
        spans = cap_spans(doc.body, split_sentences(doc.body, section.start, section.end), max_len)
        tags = chunk_roles(doc, section.path, roles)
        previous_end = section.start
        for group in _pack(spans, size, overlap):
            start, end = group[0][0], group[-1][1]
            text = doc.body[start:end]
            new_from = start if embed_overlap else max(start, previous_end)
            previous_end = end
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc.doc_id, start, end, text, new_from),
                    doc_id=doc.doc_id,
                    title=doc.title,
                    section=section.path,
                    text=text,
                    start=start,
                    end=end,
                    roles=tags,
                    source=doc.source,
                    new_from=new_from,
                )
            )
    return chunks
