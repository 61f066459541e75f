"""Facts an article states by its own shape, so a new article in the guide's style needs no data entry:
a role is a heading "(一)数据分析中层:…" (its paths are the headings under it that name one of the
guide's three kinds of path), a person is a story heading "老沈:…" / "女高管王姐的变形记", a case is a
path's "案例:…经理老K,…" line. ``knowledge.yaml`` still adds what structure cannot say (hint words,
aliases, synonyms) and overrides what it finds."""

from __future__ import annotations

import re
from dataclasses import replace

from advisor.kb.facts import Knowledge, Person
from advisor.kb.knowledge_map import KnowledgeMap, job_table_rows
from advisor.kb.names import CASE_PERSON, FULL_NAME, NAME, introduced
from advisor.text.structure import Section, outline, subtree

# "(一)数据分析中层:…", "(一)商务BD / 大客户销售中层:…" (one role under several names)
_ROLE = re.compile(
    r"^(?:[（(][一二三四五六七八九十]+[)）])?\s*([\u4e00-\u9fffA-Za-z](?:[\u4e00-\u9fffA-Za-z /／、&]{0,22}?"
    r"[\u4e00-\u9fffA-Za-z])?)\s*中层\s*[:：]"
)
_NAMES = re.compile(r"\s*[/／、&]\s*")
# "三、代码之外有青山——老周的二次元突围", "老沈:从大厂…", "说说老何": a name that opens the heading or its
# second part, or ends it
_PERSON = re.compile(rf"(?:^|——|—|:|：|、)\s*(?:[\u4e00-\u9fff]{{0,3}}?)({NAME})(?:的|\s*[:：]|\s*$)")
# a story section's heading that names its person inside ("被裁 PMO 罗姐的 “二次交付”", "被裁的老魏,从…")
_STORY_PERSON = re.compile(rf"(?:的|\s|:|：)({NAME})(?:的|这|那|\s*[:：,，]|\s*$)")  # "故事：刘姐这两年"
_SHE = re.compile(r"[姐姨妈]$")
STORY_HEADING = ("故事", "经历")
JOB_TITLES = ("经理", "总监", "主管", "专员", "助理", "顾问")  # a rank, said of every role
TOLD_OF = 3  # …or, in a heading that does not say "故事", three times ("蒋姐被裁后的两年")
NAMED_IN_STORY = 2  # a story says its person's name again below its heading ("选路小结" is no person)
ROLE_MENTIONS = 2  # a role's hint words in a story, at the least, for the story to be of that role


def _roles(
    kb: Knowledge,
    outlines: dict,
    bodies: dict[str, str],
    declared: dict[str, tuple[str, ...]],
    titles: dict[str, str],
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """The roles, with their hint words, and the homes of roles that have no "…中层:" heading. An article
    with paths of its own is about a role of its own: the names it declares that are no role yet ("roles:
    [技术, 算法]" → 算法), else the one its title says ("roles: [市场]" under "…品牌 / 市场营销中层转型实录" →
    品牌), so that its paths answer its askers rather than the guide's section for the broader role."""
    found, homes = dict(kb.roles), dict(kb.homes)
    for doc_id, sections in outlines.items():
        if not any(kb.paths_named(c.heading) or kb.own_path_number(c.heading) for c in sections):
            # no paths: no role of its own
            continue
        body = bodies.get(doc_id, "")
        headed = [m for s in sections if (m := _ROLE.match(s.heading))]
        names = [n for n in declared.get(doc_id, ()) if n not in found]
        if declared.get(doc_id) and not names and not headed:  # every name declared is a role already
            names = [n for n in title_roles(titles.get(doc_id, "")) if n not in found]
        if names and not headed:
            # "roles: [项目经理, PMO]" above "(一)纵向深耕:项目经理→…": an article about one new role
            hints = [h for n in names for h in role_hints(n, body)] + sub_roles(body)
            hints += job_titles(sections, body, kb.section_words.get("jobs", ()))
            found[names[0]] = tuple(dict.fromkeys([*hints, *_own_letters(names, doc_id, bodies)]))
            homes[names[0]] = doc_id
            # a name an article declares is its role's, not a hint of another ("运维" under 技术 in the data)
            own = {n.lower() for n in names}
            found = {r: h if r == names[0] else tuple(w for w in h if w not in own) for r, h in found.items()}
            continue
        for m in headed:
            names = [n for n in _NAMES.split(m.group(1)) if len(n) >= 2]
            if names and names[0] not in found:
                hints = [h for n in names for h in role_hints(n, body, m.group(1))]
                if len(headed) == 1:  # the article's one role
                    hints += sub_roles(body)
                hints += _own_letters(names, doc_id, bodies)
                found[names[0]] = tuple(dict.fromkeys(hints))
    return found, homes


# "…品牌 / 市场营销中层转型实录": the role a title names before "中层"
_TITLE_ROLE = re.compile(
    r"([\u4e00-\u9fffA-Za-z](?:[\u4e00-\u9fffA-Za-z /／、&]{0,22}?[\u4e00-\u9fffA-Za-z])?)\s*中层"
)


def title_roles(title: str) -> list[str]:
    """The role names a title gives ("品牌 / 市场营销中层" → 品牌, 市场营销), without "互联网"."""
    m = _TITLE_ROLE.search(title)
    named = m.group(1).removeprefix("互联网").strip() if m else ""
    return [n for n in _NAMES.split(named) if len(n) >= 2]


def _own_letters(names: list[str], doc_id: str, bodies: dict[str, str]) -> list[str]:
    """A Latin word in the role's name ("BD" in 商务BD) that the articles write mostly in this role's
    article: a word for the role ("地推BD"), not a general one ("AI" in "AI产品", said everywhere)."""
    out = []
    for word in {w for n in names for w in re.findall(r"[A-Za-z]{2,}", n)}:
        here, everywhere = bodies[doc_id].count(word), sum(b.count(word) for b in bodies.values())
        if here >= OWN_WORD_MIN and here >= OWN_WORD_SHARE * everywhere:
            out.append(word.lower())
    return out


OWN_WORD_MIN, OWN_WORD_SHARE = 3, 0.8
_SUB_ROLE = re.compile(
    r"^\s*[-*]\s*([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z ]{1,12}?)\s*(?:[(（][^)）]*[)）])?\s*中层\s*[:：]",
    re.M,
)


def sub_roles(body: str) -> list[str]:
    """The kinds of the role an article about one role writes its examples for ("- 广告销售中层:…",
    "- HRBP 中层:…", "- 交互设计中层:…"): words a question uses for that role. Not "某电商公司测试中层"
    (a company, not a kind) nor "想做猎头的招聘中层"."""
    out = []
    for m in _SUB_ROLE.finditer(body):
        name = m.group(1).strip()
        if not name.startswith("某") and "的" not in name:
            out += [name.lower().replace(" ", ""), name.lower()]
    return [h for h in dict.fromkeys(out) if len(h) >= 2]


def job_titles(sections: list[Section], body: str, headers: tuple[str, ...]) -> list[str]:
    """The jobs an article about one role lists in a table whose header opens with one of ``headers``
    ("| 岗位 | 日常…", rows "| 主编 / 内容主管 | …"): words a question uses for that role ("我先生是主编")."""
    return list(
        dict.fromkeys(n.lower() for job in job_table_rows(sections, body, headers) for n in job.names)
    )


def role_hints(role: str, body: str, heading_name: str = "") -> tuple[str, ...]:
    """The words a question may use for a role the article introduces: its name, "做" and "岗" around
    its name and the name's last word ("做分析的" for 数据分析; "做bd的" and "商务" for 商务BD, a name
    in two scripts being two words), and the kinds the article lists beside it ("数据分析中层(业务分析、经营分析、
    用户分析等)"). ``heading_name``: the role's names as its heading writes them ("商务BD / 大客户销售")."""
    name = role.lower()
    tail = name[-2:] if len(name) >= 4 and name[-2:] not in JOB_TITLES else name  # not "做经理" for 项目经理
    hints = [name, f"做{name}", f"{name}岗", f"做{tail}", f"搞{tail}"]
    for part in re.findall(r"[\u4e00-\u9fff]{2,}|[a-z]{2,}", name):
        if part != name:  # 商务BD: "做bd的", "干了十几年商务"
            hints += [f"做{part}", *([part] if not part.isascii() else [])]
    said = re.escape(heading_name or role)
    for m in re.finditer(rf"{said}\s*中层\s*[(（]([^)）]{{2,40}})[)）]", body):
        hints += [k.strip().removesuffix("等").lower() for k in re.split(r"[、,，]", m.group(1))]
    return tuple(dict.fromkeys(h for h in hints if len(h) >= 2))


def _story_persons(kb: Knowledge, outlines: dict, bodies: dict[str, str]) -> list[Person]:
    known = set(kb.person_names)
    out = []
    for doc_id, sections in outlines.items():
        for s in sections:
            cued = any(w in s.heading for w in STORY_HEADING)
            if not (cued or re.search(NAME, s.heading)):  # most headings name nobody: their text is not read
                continue
            told = bodies.get(doc_id, "")[s.start : max(x.end for x in subtree(sections, s))]
            m = _PERSON.search(s.heading)
            # under a heading, or opening a top heading as its speaker would ("小乔姐：从一门没人买的课…")
            m = m if m and (s.level >= 2 or (m.start() == 0 and m.group(0)[-1] in ":：")) else None
            name = (
                m.group(1)
                if m and told.count(m.group(1)) >= NAMED_IN_STORY
                else _story_heading(s.heading, told)
            )
            if name and name not in known:
                known.add(name)
                out.append(Person(name, doc_id, heading=s.heading, pronoun=_pronoun(name, told)))
    return out


def _story_heading(heading: str, told: str) -> str | None:
    """A person named inside a heading that says it tells a story ("真实故事:被裁的老魏,从…", "一个完整的
    故事：被“毕业”的孙晓雯…"), or whose section names them again and again ("…：蒋姐被裁后的两年")."""
    cued = any(w in heading for w in STORY_HEADING)
    names = [m.group(1) for m in _STORY_PERSON.finditer(heading)] if cued else re.findall(NAME, heading)
    if cued:  # a full name ("被“毕业”的孙晓雯，…") or any name ("故事：刘姐这两年") the story introduces
        # ("孙晓雯今年40岁，…", "刘姐，杭州人…")
        introduced_in = {introduced(m) for m in CASE_PERSON.finditer(told)}
        full = [n for n in [*re.findall(FULL_NAME, heading), *names] if n in introduced_in]
        if full:
            return full[0]
    need = NAMED_IN_STORY if cued else TOLD_OF
    counted = sorted(((told.count(n), n) for n in names), reverse=True)
    return counted[0][1] if counted and counted[0][0] >= need else None


def _pronoun(name: str, told: str) -> str:
    """她 for 王姐, or for a person whose story says 她 more often than 他 (阿May)."""
    return "她" if _SHE.search(name) or told.count("她") > told.count("他") else "他"


def _case_persons(kb: Knowledge, kmap: KnowledgeMap) -> list[Person]:
    known = set(kb.person_names)
    out = []
    for info in kmap.all_paths():
        for block in info.cases:  # "案例:…", "另一个案例:…": each introduces its own person
            case = kmap.text(block.span)
            m = CASE_PERSON.search(case)
            name = introduced(m) if m else None
            if name and name not in known:
                known.add(name)
                pronoun = _pronoun(name, case)  # 苏姐 is 她
                out.append(Person(name, info.section.doc_id, pronoun=pronoun, role=info.role, path=info.name))
    return out


def story_role(kb: Knowledge, text: str) -> str | None:
    """The role a story's own words give its person (客户端开发, 主程 → 技术; 运营总监 → 运营): the role
    whose hint words occur at least twice, twice as often as any other role's."""
    low = text.lower()
    counts = sorted(
        ((sum(low.count(h) for h in hints), role) for role, hints in kb.roles.items()), reverse=True
    )
    if not counts or counts[0][0] < ROLE_MENTIONS:
        return None
    runner_up = counts[1][0] if len(counts) > 1 else 0
    return counts[0][1] if counts[0][0] >= 2 * runner_up else None


def _story_roles(kb: Knowledge, kmap: KnowledgeMap) -> tuple[Person, ...]:
    """Each story person without a role, with the role of the article that tells the story when it is
    about one role only (a new 数据分析 guide's 老沈), else the one their story speaks of (``story_role``)."""
    out = []
    for person in kb.persons:
        section = kmap.person_section(person.name) if person.heading and person.role is None else None
        if section is None:
            out.append(person)
            continue
        own = [r for r in kb.role_names if getattr(kmap.role_section(r), "doc_id", None) == person.doc]
        text = " ".join(kmap.text(b.span) for b in section.blocks)
        out.append(replace(person, role=own[0] if len(own) == 1 else story_role(kb, text)))
    return tuple(out)


def discover(
    kb: Knowledge,
    bodies: dict[str, str],
    declared: dict[str, tuple[str, ...]] | None = None,
    titles: dict[str, str] | None = None,
) -> Knowledge:
    """``kb`` with the roles, story persons and case persons the articles' structure names besides;
    ``declared``: each article's ``roles:`` as written, ``titles`` its title (a role no heading names,
    see ``_roles``)."""
    outlines = {doc_id: outline(doc_id, body) for doc_id, body in bodies.items()}
    roles, homes = _roles(kb, outlines, bodies, declared or {}, titles or {})
    first = replace(
        kb, roles=roles, homes=homes, persons=(*kb.persons, *_story_persons(kb, outlines, bodies))
    )
    kmap = KnowledgeMap(bodies, first)
    cases = _case_persons(first, kmap)
    return replace(first, persons=(*_story_roles(first, kmap), *cases))
