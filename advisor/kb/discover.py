"""Facts an article states by its own shape, so a new article in the guide's style needs no data entry:
a role is a heading "(一)数据分析中层:…" (its paths are the headings under it that name one of the
guide's three kinds of path), a person is a story heading "老沈:…" / "女高管王姐的变形记", a case is a
path's "案例:…经理老K,…" line. ``knowledge.yaml`` still adds what structure cannot say (hint words,
aliases, synonyms) and overrides what it finds."""

from __future__ import annotations

import re
from dataclasses import replace

from advisor.kb.facts import Knowledge, Person
from advisor.kb.knowledge_map import KnowledgeMap
from advisor.text.structure import outline

_ROLE = re.compile(r"^(?:[（(][一二三四五六七八九十]+[)）])?\s*([\u4e00-\u9fffA-Za-z]{2,8}?)中层\s*[:：]")
_NAME = r"(?:[老小阿][\u4e00-\u9fffA-Z]|[\u4e00-\u9fff][姐哥叔姨])"
# "三、代码之外有青山——老周的二次元突围", "老沈:从大厂…": a name that opens the heading or its second part
_PERSON = re.compile(rf"(?:^|——|—|:|：|、)\s*(?:[\u4e00-\u9fff]{{0,3}}?)({_NAME})(?:的|\s*[:：])")
_CASE = re.compile(rf"({_NAME})\s*[,，(（]")
_SHE = re.compile(r"[姐姨妈]$")


def _roles(kb: Knowledge, outlines: dict) -> dict[str, tuple[str, ...]]:
    found = dict(kb.roles)
    for sections in outlines.values():
        for s in sections:
            m = _ROLE.match(s.heading)
            if m and m.group(1) not in found and any(p in c.heading for c in sections for p in kb.paths):
                role = m.group(1)
                found[role] = (role.lower(), f"做{role.lower()}", f"{role.lower()}岗")
    return found


def _story_persons(kb: Knowledge, outlines: dict) -> list[Person]:
    known = set(kb.person_names)
    out = []
    for doc_id, sections in outlines.items():
        for s in sections:
            m = _PERSON.search(s.heading) if s.level >= 2 else None
            if m and m.group(1) not in known:
                name = m.group(1)
                known.add(name)
                out.append(
                    Person(name, doc_id, heading=s.heading, pronoun="她" if _SHE.search(name) else "他")
                )
    return out


def _case_persons(kb: Knowledge, kmap: KnowledgeMap) -> list[Person]:
    known = set(kb.person_names)
    out = []
    for info in kmap.all_paths():
        if info.case is None:
            continue
        m = _CASE.search(kmap.text(info.case.span))
        if m and m.group(1) not in known:
            known.add(m.group(1))
            out.append(Person(m.group(1), info.section.doc_id, role=info.role, path=info.name))
    return out


def discover(kb: Knowledge, bodies: dict[str, str]) -> Knowledge:
    """``kb`` with the roles, story persons and case persons the articles' structure names besides."""
    outlines = {doc_id: outline(doc_id, body) for doc_id, body in bodies.items()}
    first = replace(kb, roles=_roles(kb, outlines), persons=(*kb.persons, *_story_persons(kb, outlines)))
    cases = _case_persons(first, KnowledgeMap(bodies, first))
    return replace(first, persons=(*first.persons, *cases)) if cases else first
