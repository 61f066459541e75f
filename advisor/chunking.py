"""Heading-aware, sentence-aware chunking of Chinese Markdown with exact character offsets."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .corpus import GENERAL_ROLE, Document
from .errors import ConfigError

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
# A sentence runs to a Chinese/Western terminator (plus closing quotes/brackets) or a line break.
_SENTENCE = re.compile(r"[^。！？!?；;…\n]*(?:[。！？!?；;…]+[”’\"」』）)]*|\n|$)")
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


@dataclass(frozen=True)
class Section:
    path: tuple[str, ...]
    start: int
    end: int


def split_sections(body: str) -> list[Section]:
    """Sections by Markdown heading; text before the first heading gets an empty path."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    pos = 0
    path: tuple[str, ...] = ()
    for m in _HEADING.finditer(body):
        if m.start() > pos:
            sections.append(Section(path, pos, m.start()))
        level = len(m.group(1))
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, m.group(2).strip()))
        path = tuple(t for _, t in stack)
        pos = m.end() + 1 if m.end() < len(body) and body[m.end()] == "\n" else m.end()
    if pos < len(body):
        sections.append(Section(path, pos, len(body)))
    return sections


def split_sentences(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets, whitespace trimmed) inside ``body[start:end]``."""
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(body, start, end):
        s, e = m.start(), m.end()
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


_SOFT_BREAK = re.compile(r"[，,、：:（(“\s]")


def cap_spans(body: str, spans: list[tuple[int, int]], max_len: int) -> list[tuple[int, int]]:
    """Split the rare sentence longer than ``max_len`` (e.g. text without punctuation) at its last
    comma-like break before the limit, or hard at the limit when there is none."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while e - s > max_len:
            window = body[s : s + max_len]
            breaks = [m.end() for m in _SOFT_BREAK.finditer(window) if m.end() > max_len // 2]
            cut = s + (breaks[-1] if breaks else max_len)
            out.append((s, cut))
            s = cut
        out.append((s, e))
    return out


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
    embed_overlap: bool = False,
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
