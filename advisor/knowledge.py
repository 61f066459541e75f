"""Facts about the knowledge base (roles, paths, persons, question patterns, examples) as data.

They live in ``knowledge.yaml`` beside the articles. Ingest reads it from the corpus folders it is
given and stores it in the index generation, so every process that serves that index (an app
replica without the corpus folder, say) knows the same roles, persons and examples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from .config import packaged_corpus
from .errors import CorpusError

KNOWLEDGE_FILE = "knowledge.yaml"
SCOPE_FILE = "scope.yaml"
DATA_FILES = (KNOWLEDGE_FILE, SCOPE_FILE)


@dataclass(frozen=True)
class Person:
    """Someone an article tells about: the stories' 老张/王姐/老周, the guide's cases 老林/小陈…"""

    name: str
    doc: str
    heading: str | None = None
    pronoun: str = "他"
    role: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Knowledge:
    """The parsed ``knowledge.yaml`` (see the comments in that file for each field)."""

    roles: dict[str, tuple[str, ...]]
    paths: tuple[str, ...]
    persons: tuple[Person, ...]
    broad_question: str = ""
    specific_question: str = ""
    refusal_topics: tuple[str, ...] = ()
    examples: dict[str, tuple[tuple[str, str | None], ...]] = field(default_factory=dict)
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, raw: dict) -> Knowledge:
        try:
            roles = {
                str(r): tuple(str(h).lower() for h in (v or {}).get("hints", []))
                for r, v in raw["roles"].items()
            }
            persons = tuple(Person(**p) for p in raw.get("persons", []))
            examples = {
                str(group): tuple((str(q), r) for q, r in items)
                for group, items in (raw.get("examples") or {}).items()
            }
            questions = raw.get("questions") or {}
            return cls(
                roles=roles,
                paths=tuple(raw.get("paths", ())),
                persons=persons,
                broad_question=questions.get("broad", ""),
                specific_question=questions.get("specific", ""),
                refusal_topics=tuple(raw.get("refusal_topics", ())),
                examples=examples,
                raw=raw,
            )
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"{KNOWLEDGE_FILE} 格式不对：{exc}"
            raise CorpusError(msg) from exc

    @property
    def role_names(self) -> tuple[str, ...]:
        return tuple(self.roles)

    @property
    def person_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.persons)

    @cached_property
    def broad_re(self) -> re.Pattern | None:
        return re.compile(self.broad_question) if self.broad_question else None

    @cached_property
    def specific_re(self) -> re.Pattern | None:
        return re.compile(self.specific_question) if self.specific_question else None

    def person(self, name: str) -> Person | None:
        return next((p for p in self.persons if p.name == name), None)

    def example_questions(self) -> list[tuple[str, str | None]]:
        return [item for items in self.examples.values() for item in items]


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        msg = f"无法读取 {path}：{exc}"
        raise CorpusError(msg) from exc
    if not isinstance(data, dict):
        msg = f"{path} 必须是键值对"
        raise CorpusError(msg)
    return data


def merge(base: dict, extra: dict) -> dict:
    """``extra`` over ``base``: mappings merge key by key, lists are concatenated without repeats."""
    out = dict(base)
    for key, value in extra.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = merge(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            out[key] = old + [v for v in value if v not in old]
        else:
            out[key] = value
    return out


def read_data_file(folders: Iterable[Path], name: str) -> dict:
    """``name`` from every given folder that has one, merged; the packaged copy when none has."""
    found = [Path(f) / name for f in folders if Path(f).is_dir() and (Path(f) / name).is_file()]
    if not found:
        found = [packaged_corpus() / name]
    data: dict = {}
    for path in found:
        data = merge(data, _read_yaml(path))
    return data


def packaged_knowledge() -> Knowledge:
    """The knowledge data shipped with the package (used before any index exists)."""
    return Knowledge.from_dict(read_data_file([], KNOWLEDGE_FILE))
