"""Facts about the knowledge base (roles, paths, persons, explained roles, question cues, examples) as
data.

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

from advisor.config import packaged_corpus
from advisor.errors import CorpusError, read_mapping
from advisor.text.structure import HEADING_NUMBER

KNOWLEDGE_FILE = "knowledge.yaml"
SCOPE_FILE = "scope.yaml"


@dataclass(frozen=True)
class Person:
    """Someone an article tells about: the stories' 老张/王姐/老周, the guide's cases 老林/小陈…"""

    name: str
    doc: str
    heading: str | None = None
    pronoun: str = "他"
    role: str | None = None
    path: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionRef:
    """A section by document and a substring of its heading ("" is the text before the first heading)."""

    doc: str
    heading: str = ""
    cues: tuple[str, ...] = ()
    subject: str | None = None  # for an explainer topic: the explained role it is about


@dataclass(frozen=True)
class Explainer:
    """A role an article explains (产品经理, 用户运营…): where, and the words questions use for it."""

    name: str
    aliases: tuple[str, ...]
    sections: tuple[SectionRef, ...]
    parent: str | None = None


def _words(items) -> tuple[str, ...]:
    return tuple(str(w).lower() for w in items or ())


@dataclass(frozen=True)
class AnswerShape:
    """What a question asks for by its form ("多久" asks for a duration): a sentence holding that form
    (``looks_like``, "3 个月内") speaks to it though it shares no word with the question."""

    name: str
    asks: tuple[str, ...]
    looks_like: re.Pattern


def _shapes(raw: dict | None) -> tuple[AnswerShape, ...]:
    return tuple(
        AnswerShape(str(name), _words(v.get("asks")), re.compile(str(v["looks_like"]), re.IGNORECASE))
        for name, v in (raw or {}).items()
    )


def _word_map(raw: dict | None) -> dict[str, tuple[str, ...]]:
    return {str(k): _words(v) for k, v in (raw or {}).items()}


def _with_synonyms(cues: dict[str, tuple[str, ...]], synonyms: dict[str, tuple[str, ...]]):
    """Each cue list with the synonyms of the words it holds (止损 → 刹车, 越陷越深…): one list of words
    for one meaning, kept in ``synonyms``."""
    return {
        k: tuple(
            dict.fromkeys([*words, *(w for key, group in synonyms.items() if key in words for w in group)])
        )
        for k, words in cues.items()
    }


def _topics(raw: dict, synonyms: dict[str, tuple[str, ...]]) -> dict[str, SectionRef]:
    """The explained roles' topics; each topic's cue words with the synonyms of the topic's name and of
    its cues (能力 → 本事, 挑战 → 难在哪)."""
    out = {}
    for k, v in (raw.get("explainer_topics") or {}).items():
        cues = _with_synonyms({k: (str(k), *_words(v.get("cues")))}, synonyms)[k]
        out[str(k)] = SectionRef(v["doc"], v.get("heading", ""), cues, v.get("subject"))
    return out


def _persons(raw: dict) -> tuple[Person, ...]:
    return tuple(Person(**{**p, "aliases": _words(p.get("aliases"))}) for p in raw.get("persons", []))


def _explainers(raw: dict) -> tuple[Explainer, ...]:
    return tuple(
        Explainer(
            name=e["name"],
            aliases=_words(e.get("aliases") or [e["name"]]),
            sections=tuple(SectionRef(**s) for s in e.get("sections", [])),
            parent=e.get("parent"),
        )
        for e in raw.get("explainers", [])
    )


@dataclass(frozen=True)
class Knowledge:
    """The parsed ``knowledge.yaml`` (see the comments in that file for each field)."""

    roles: dict[str, tuple[str, ...]]
    paths: tuple[str, ...]
    persons: tuple[Person, ...]
    explainers: tuple[Explainer, ...] = ()
    questions: dict[str, str] = field(default_factory=dict)
    intents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    risk_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    path_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    target_aliases: dict[str, str] = field(default_factory=dict)
    risk_principles: dict[str, str] = field(default_factory=dict)
    risk_templates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    guide: dict[str, str] = field(default_factory=dict)
    section_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    explainer_topics: dict[str, SectionRef] = field(default_factory=dict)
    families: dict[str, dict] = field(default_factory=dict)
    refusal_topics: tuple[str, ...] = ()
    examples: dict[str, tuple[tuple[str, str | None], ...]] = field(default_factory=dict)
    shapes: tuple[AnswerShape, ...] = ()
    # role -> the article about that role alone, whose paths sit under no "…中层:" heading (found by
    # ``kb/discover.py`` from the article's structure and its declared roles, never written as data)
    homes: dict[str, str] = field(default_factory=dict)
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, raw: dict) -> Knowledge:
        try:
            synonyms = _word_map(raw.get("synonyms"))
            return cls(
                roles={str(r): _words((v or {}).get("hints")) for r, v in raw["roles"].items()},
                paths=tuple(raw.get("paths", ())),
                persons=_persons(raw),
                explainers=_explainers(raw),
                questions={str(k): str(v) for k, v in (raw.get("questions") or {}).items()},
                intents=_word_map(raw.get("intents")),
                risk_cues=_with_synonyms(_word_map(raw.get("risk_cues")), synonyms),
                path_cues=_word_map(raw.get("path_cues")),
                synonyms=synonyms,
                target_aliases={str(k).lower(): str(v) for k, v in (raw.get("target_aliases") or {}).items()},
                risk_principles={str(k): str(v) for k, v in (raw.get("risk_principles") or {}).items()},
                risk_templates={str(k): tuple(v) for k, v in (raw.get("risk_templates") or {}).items()},
                guide={str(k): str(v) for k, v in (raw.get("guide") or {}).items()},
                section_words=_word_map(raw.get("section_words")),
                labels=dict(raw.get("labels") or {}),
                explainer_topics=_topics(raw, synonyms),
                families={
                    str(k): {
                        "words": _words(v.get("words")),
                        "cues": _words(v.get("cues")),
                        "members": tuple(v.get("members", ())),
                    }
                    for k, v in (raw.get("families") or {}).items()
                },
                refusal_topics=tuple(raw.get("refusal_topics", ())),
                shapes=_shapes(raw.get("answer_shapes")),
                examples={
                    str(group): tuple((str(q), r) for q, r in items)
                    for group, items in (raw.get("examples") or {}).items()
                },
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

    def pattern(self, name: str) -> re.Pattern | None:
        """A regular expression of ``questions`` (broad, specific, ordinal), compiled once."""
        return self._patterns.get(name)

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern]:
        return {k: re.compile(v, re.IGNORECASE) for k, v in self.questions.items() if v}

    @property
    def broad_re(self) -> re.Pattern | None:
        return self.pattern("broad")

    @property
    def specific_re(self) -> re.Pattern | None:
        return self.pattern("specific")

    def cues(self, intent: str) -> tuple[str, ...]:
        return self.intents.get(intent, ())

    def person(self, name: str) -> Person | None:
        return next((p for p in self.persons if p.name == name), None)

    def explainer(self, name: str) -> Explainer | None:
        return next((e for e in self.explainers if e.name == name), None)

    def label_words(self, kind: str) -> tuple[str, ...]:
        value = self.labels.get(kind, ())
        return (value,) if isinstance(value, str) else tuple(value)

    def explained_role(self, role: str) -> str | None:
        """The explained role that stands for a mid-level role (产品 -> 产品经理, 技术 -> 研发工程师)."""
        named = [e.name for e in self.explainers if e.parent == role]
        return next((n for n in named if role in n), named[0] if named else None)

    def synonyms_of(self, word: str) -> set[str]:
        """Every word of the synonym groups ``word`` belongs to (as their key or a member); empty if none."""
        return {
            w for key, group in self.synonyms.items() if word == key or word in group for w in (key, *group)
        }

    def paths_named(self, text: str) -> list[str]:
        """The guide's kinds of path ``text`` names ("2. 横向跨界:运营→…", "| 斜向突破 | …"), in the guide's order."""
        return [p for p in self.paths if p in text]

    @cached_property
    def _own_path(self) -> re.Pattern | None:
        words = "|".join(map(re.escape, self.section_words.get("paths", ())))
        if not words:
            return None
        return re.compile(
            rf"^\s*[【\[]?\s*{HEADING_NUMBER}(?:(?:{words})\s*([一二三四五1-5A-Ea-e])(?![A-Za-z])"
            rf"|第\s*([一二三四五1-5])\s*条\s*(?:{words}|路)?)"
            r"(?:\s*[】\]]\s*[:：，,—-]?|\s*[:：，,—-]|\s)"
        )

    def own_path_number(self, heading: str) -> int | None:
        """Which of its paths a heading numbers in an article's own words ("出路二：把自己做成一个小编辑部…",
        "第三条路:…", after the article's own numbering: "03 | 第一条路：…", "第二问：第一条路，…"), by
        ``section_words['paths']``; ``None`` for any other heading ("第一块：…")."""
        m = self._own_path.match(heading) if self._own_path else None
        if m is None:
            return None
        digit = m.group(1) or m.group(2)
        if digit.isdigit():
            return int(digit)
        return "一二三四五".index(digit) + 1 if digit in "一二三四五" else ord(digit.upper()) - ord("A") + 1

    def shapes_asked(self, question: str) -> list[AnswerShape]:
        """The forms of answer a question asks for by its words ("挣多少": an amount, "多久": a duration)."""
        q = question.lower()
        return [s for s in self.shapes if any(a in q for a in s.asks)]

    def role_hints(self) -> set[str]:
        """Every role's hint words ("程序员", "做产品"): words that say which role someone has."""
        return {h for hints in self.roles.values() for h in hints}

    def documents(self) -> set[str]:
        """The articles this data was written about (its persons, explained roles, guide sections): an
        article outside them was added later and is known by its own structure only."""
        refs = [*self.explainer_topics.values(), *(r for e in self.explainers for r in e.sections)]
        guide = {self.guide["doc"]} if "doc" in self.guide else set()
        return {p.doc for p in self.persons} | {r.doc for r in refs} | guide

    def known_names(self) -> set[str]:
        """Every name the knowledge base is built around: paths, roles and their hint words, persons and
        the words that describe them, explained roles and their aliases."""
        words = {*self.paths, *self.roles, *self.role_hints()}
        for p in self.persons:
            words |= {p.name, *p.aliases}
        for e in self.explainers:
            words |= {e.name, *e.aliases}
        return words

    def example_questions(self) -> list[tuple[str, str | None]]:
        return [item for items in self.examples.values() for item in items]


def _read_yaml(path: Path) -> dict:
    return read_mapping(
        path, yaml.safe_load, yaml.YAMLError, CorpusError, "无法读取 {path}：{exc}", "{path} 必须是键值对"
    )


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
