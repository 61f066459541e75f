"""Loading knowledge-base documents: front matter, body, and clear reasons for what is skipped."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from advisor.errors import CorpusError

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt")
GENERAL_ROLE = "通用"
# Files that sit beside the articles in a corpus folder but are not articles.
NOT_ARTICLES = frozenset({"readme.md", "__init__.py", "knowledge.yaml", "scope.yaml"})
MAX_FILE_BYTES = 20 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_OPENING = re.compile(r"\A---[ \t]*\r?\n")
_ASCII_ID = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Document:
    """One article. ``body`` is the text every chunk offset points into."""

    doc_id: str
    title: str
    body: str
    roles: tuple[str, ...] = (GENERAL_ROLE,)
    source: str | None = None
    author: str | None = None
    published: str | None = None
    path: str | None = None
    meta: dict = field(default_factory=dict, compare=False)
    # ``roles:`` as written, names the knowledge data does not know included ("roles: [项目经理, PMO]"):
    # what an article about a new role calls it (``kb/discover.py``)
    declared_roles: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        parts = [self.doc_id, self.title, ",".join(self.roles), self.source or "", self.body]
        if set(self.declared_roles) - set(self.roles):  # a new role's name changed: the article changed
            parts.append(",".join(self.declared_roles))
        payload = "\x1f".join(parts)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Skipped:
    """A file that could not be used, with a message for the person running ingest."""

    path: str
    reason: str


def slug_id(name: str) -> str:
    """A short, stable ASCII id for a file name; non-ASCII names get a hash."""
    slug = _ASCII_ID.sub("-", name.lower()).strip("-")
    if not slug or len(slug) < 3:
        slug = "doc-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
    return slug[:64]


def _clean_roles(raw: object, known: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        return (GENERAL_ROLE,)
    roles = tuple(r for r in (str(x).strip() for x in raw) if r in (*known, GENERAL_ROLE))
    return roles or (GENERAL_ROLE,)


def _declared(raw: object) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return tuple(dict.fromkeys(s for s in (str(x).strip() for x in items) if s))


def parse_document(text: str, path: Path, roles: tuple[str, ...] = ()) -> Document:
    """Split front matter from body; derive id and title when the file has none.

    ``roles`` are the role names the knowledge base knows; other values in ``roles:`` are dropped.
    """
    meta: dict = {}
    body = text
    match = _FRONT_MATTER.match(text)
    if match is None and _OPENING.match(text):
        msg = "front matter 从第 1 行的 --- 开始，但没有结束的 --- 行（请在元数据后加一行 ---）"
        raise CorpusError(msg)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            msg = f"front matter 不是有效的 YAML：{exc}"
            raise CorpusError(msg) from exc
        if loaded is not None and not isinstance(loaded, dict):
            msg = "front matter 必须是键值对"
            raise CorpusError(msg)
        meta = loaded or {}
        body = text[match.end() :]
    body = body.replace("\r\n", "\n").strip("\n") + "\n"
    if not body.strip():
        msg = "正文为空"
        raise CorpusError(msg)
    doc_id = str(meta.get("id") or slug_id(path.stem))
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", doc_id):
        msg = f"id {doc_id!r} 必须是简短的 ASCII 标识（字母、数字、-、_、.）"
        raise CorpusError(msg)
    title = str(meta.get("title") or _first_line(body))
    return Document(
        doc_id=doc_id,
        title=title.strip(),
        body=body,
        roles=_clean_roles(meta.get("roles"), roles),
        declared_roles=_declared(meta.get("roles")),
        source=_opt(meta.get("source")),
        author=_opt(meta.get("author")),
        published=_opt(meta.get("published")),
        path=str(path),
        meta={k: v for k, v in meta.items() if isinstance(v, (str, int, float, bool))},
    )


def _opt(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _first_line(body: str) -> str:
    for line in body.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:60]
    return "未命名文档"


def read_document(path: Path, roles: tuple[str, ...] = ()) -> Document:
    """Read one file, refusing binary, non-UTF-8, empty and unsupported files with a Chinese reason."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        msg = f"不支持的文件类型 {path.suffix or '（无扩展名）'}，只接受 .md / .txt"
        raise CorpusError(msg)
    size = path.stat().st_size
    if size == 0:
        msg = "文件为空"
        raise CorpusError(msg)
    if size > MAX_FILE_BYTES:
        msg = f"文件过大（{megabytes(size)}），上限 {megabytes(MAX_FILE_BYTES)}"
        raise CorpusError(msg)
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        msg = "看起来是二进制文件，已跳过"
        raise CorpusError(msg)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"文件不是 UTF-8 编码（第 {exc.start} 字节处无法解码），请另存为 UTF-8 后重试"
        raise CorpusError(msg) from exc
    return parse_document(text, path, roles)


def megabytes(size: int) -> str:
    """A size in MB with one decimal, so 21 MB never reads as the 20 MB limit."""
    return f"{size / 1024 / 1024:.1f} MB"


def iter_files(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders (recursively, sorted) and keep explicit files as given. A file in a folder that
    is a symlink leading out of that folder is skipped with the reason (a ``.md`` link to
    ``/etc/passwd`` must not be indexed and served); files named explicitly are read as given."""
    out: list[Path] = []
    skipped: list[Skipped] = []
    for p in paths:
        if not p.is_dir():
            out.append(p)
            continue
        root = p.resolve()
        for f in sorted(p.rglob("*")):
            if any(part.startswith((".", "__pycache__")) for part in f.relative_to(p).parts):
                continue
            if f.name.lower() in NOT_ARTICLES or not f.is_file():
                continue
            target = f.resolve()
            if not target.is_relative_to(root):
                skipped.append(Skipped(str(f), f"符号链接指向给定文件夹以外（{target}），已跳过"))
                continue
            out.append(f)
    return out, skipped


def load_documents(paths: list[Path], roles: tuple[str, ...] = ()) -> tuple[list[Document], list[Skipped]]:
    """Load every usable document; anything unusable becomes a ``Skipped`` with its reason."""
    docs: dict[str, Document] = {}
    files, skipped = iter_files(paths)
    for f in files:
        if not f.exists():
            skipped.append(Skipped(str(f), "文件不存在"))
            continue
        try:
            doc = read_document(f, roles)
        except (CorpusError, OSError) as exc:
            skipped.append(Skipped(str(f), str(exc)))
            continue
        if doc.doc_id in docs:
            skipped.append(Skipped(str(f), f"id {doc.doc_id!r} 与 {docs[doc.doc_id].path} 重复"))
            continue
        docs[doc.doc_id] = doc
    return list(docs.values()), skipped
