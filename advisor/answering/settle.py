"""Retrieval decides what is asked about, the words decide the shape. ``intent.py`` reads a question by
its cue words; when the best passage's unit leads every other unit clearly and the cue words found no
name of their own (a person, a path, a role explained), that unit says what the question is about.
A follow-up keeps what the conversation supplied."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from advisor.answering.intent import (
    KINDS_OF_PATH,
    REMEDY,
    SELF,
    WHICH,
    asks_case,
    asks_ready_made,
    has,
    only_worry,
    paths_cued,
    points_at_someone,
    tells_of_someone,
)
from advisor.answering.state import Intent
from advisor.answering.units import CLEAR_LEAD, SECTION_KEY, Unit, Units, section_at, section_topic
from advisor.kb.facts import Knowledge
from advisor.kb.knowledge_map import KnowledgeMap, heading_label, run_said, squash
from advisor.text.tokens import is_everyday, tokenize

# Kinds the cue words may have guessed from a single word ("转", "做什么"): a clear retrieval unit of
# another kind outranks them. A person, a path or a comparison was named and stays.
_GUESSED = ("general", "explain", "transition", "pains", "risk", "toolkit")


def _from_unit(intent: Intent, unit: Unit) -> Intent:
    """The intent for a unit, keeping the asker's role."""
    if unit.kind == "story":
        return replace(intent, kind="story", person=unit.person, subjects=(), topic=None)
    if unit.kind == "path":
        return replace(intent, kind="path", role=unit.role, path=unit.path, subjects=(), topic=None)
    if unit.kind == "paths":
        return replace(intent, kind="paths", role=unit.role or intent.role, subjects=(), topic=None)
    if unit.kind == "section":
        return replace(intent, kind="section", subjects=(), topic=f"{unit.subject}{SECTION_KEY}{unit.topic}")
    if unit.kind == "explain":
        return replace(
            intent, kind="explain", subjects=(unit.subject,) if unit.subject else (), topic=unit.topic
        )
    return replace(intent, kind=unit.kind, role=unit.role or intent.role, subjects=(), topic=None)


def settle(
    intent: Intent, unit: Unit, lead: float, question: str, kb: Knowledge, kmap: KnowledgeMap | None = None
) -> Intent:
    """The intent once retrieval has had its say (see the module's docstring)."""
    if intent.follow_up:
        if kmap is not None and lead > 0 and _said_only_there(intent, unit, question, kmap):
            return _from_unit(intent, unit)
        return intent
    q = question.lower()
    if unit.kind == "path" and lead > 0:
        # "产品纵向往上走": the path is named, the role only by its name, which also means a product; and
        # "产品+垂直领域这条路": a path pointed at as one. However narrow its lead, the path retrieval
        # ranks first is the one meant
        if (
            intent.kind == "path"
            and intent.role is None
            and intent.path == unit.path
            and (unit.role or "") in q
        ):
            return replace(intent, role=unit.role)
        if intent.kind == "general" and _THIS_PATH.search(q):
            return _from_unit(intent, unit)
        # "做了8年社群运营，想辞职自己接私域的活": the path of the asker's own role retrieval leads with
        # (not of someone the question tells about: "有个短视频PM…")
        own = intent.stated_role and unit.role == intent.role and not tells_of_someone(q, kb)
        if intent.kind == "general" and own and lead >= OWN_PATH_LEAD:
            return _from_unit(intent, unit)
        # "说通用营销太卷了，有没有换个行业去做营销的路子": the role's paths, led by the one retrieval
        # ranks first by as much (not when every path is asked for, "哪几条", nor their cases)
        if (
            intent.kind == "paths"
            and unit.role == intent.role
            and intent.path is None
            and lead >= OWN_PATH_LEAD
            and not (WHICH.search(q) or asks_case(q, kb))
        ):
            return replace(intent, path=unit.path)
    if unit.kind == "story" and intent.kind == "general" and intent.risk and REMEDY.search(q):
        # "可他又怕一下子辞职了搞砸，文章里有没有说先小范围试一试的法子": a way the guide's risk control
        # gives, asked for someone the asker knows, not a story worded alike
        return replace(intent, kind="risk")
    if unit.kind == "general" or lead < CLEAR_LEAD:
        # Nothing clear from retrieval: a situation the guide's risk control speaks to ("刚被裁，要提前
        # 备点啥") is what a question with no subject of its own is about.
        # Not so for a question about others in that situation ("被优化的那些中年人，真有去送外卖的吗").
        # And a question with no subject of its own that asks for an example ("有没有…被裁了以后干出点名堂
        # 的例子") or tells of someone ("听说有个大厂UI被裁后自己接活的，他…") is about the story retrieval
        # leads with, however narrowly.
        about_others = tells_of_someone(q, kb)
        tells = tells_of_someone(q, kb, pronouns=False)
        if intent.kind == "general" and unit.kind == "story" and (asks_case(q, kb) or tells):
            return _from_unit(intent, unit)
        if intent.kind == "paths" and unit.kind == "story" and tells and "我" not in q:
            # "听说有个做UI的被裁了自己接活": the role said is that person's, not the asker's
            return _from_unit(intent, unit)
        return (
            replace(intent, kind="risk")
            if intent.kind == "general" and intent.risk and not about_others
            else intent
        )
    if unit.kind in ("pains", "risk") and _path_only_cued(intent, q, kb, kmap):
        # "评审会上老被怼，做设计的是不是天生就没话语权": 话语权 is a cue of 斜向突破, but the passages
        # retrieval clearly leads with are the pain that says it
        return _from_unit(intent, unit)
    if intent.kind in ("path", "paths") and intent.role is None and unit.kind in ("path", "paths"):
        # "想找个细分、不好替代的方向" from someone in 产品; "做数据这行的…" in a role the data files
        # do not list: the role whose section retrieval ranks first
        return replace(intent, role=unit.role)
    if unit.kind == "path" and intent.kind == "general" and intent.role is None and _broad(q, kb):
        return replace(intent, kind="paths", role=unit.role)  # "一般都有哪几条路可以走"
    if intent.person or unit == _unit_of(intent):
        return intent
    if unit.kind == "story" and intent.kind == "paths":
        # "做数据分析的，37了，有啥出路" asks for the role's paths, not a story in its field; "那个pmo姐姐后来是
        # 怎么翻身的" asks about someone pointed at, whose role it names
        pointed = points_at_someone(q) and not SELF.search(q)
        return _from_unit(intent, unit) if pointed else intent
    if unit.kind == "story":  # a person described by what they did, asked about as a person
        # "头三个月该干啥": 干啥 asks what the asker should do, not what someone did
        asks_story = (has(q, kb.cues("story")) and not _TO_DO.search(q)) or tells_of_someone(q, kb)
        # the asker may speak of themselves beside someone pointed at ("那个被裁的大姐给同行的建议是啥
        # 我想转给我老婆看看"): it is still that person asked about
        own = SELF.search(q) and not points_at_someone(q)
        # An example asked for is of others, whoever asks ("我哥…真有写代码的被裁后在B站混出来的吗")
        if (asks_story and not own) or has(q, kb.cues("story_asked")) or asks_case(q, kb, strict=True):
            return _from_unit(intent, unit)
        # "裁员风声越来越紧，除了存钱还能准备点啥": a story worded alike is not what the asker's
        # situation asks for; the risk control their words point to is
        return replace(intent, kind="risk") if intent.kind == "general" and intent.risk else intent
    if intent.kind == "risk" and unit.kind == "pains" and REMEDY.search(q):
        return intent  # "怕踩坑，先试试水有啥讲究": the guide's remedy, not the pain worded like the worry
    if intent.kind == "explain" and intent.subjects and unit.kind == "explain":
        return intent  # the role the question names, not the one retrieval's passages explain best
    if intent.kind == "toolkit" and asks_ready_made(q):
        return intent  # "有没有现成的表格": the templates, not a path whose tools line names a 表格
    if intent.kind in _GUESSED:
        # A role's paths do not answer a guessed pain or risk; a section of its own that retrieval clearly
        # leads with does ("想直接裸辞出去试试做顾问，靠谱吗" → a new article's 风险提示)
        if unit.kind == "paths" and intent.kind != "general":
            return intent
        if unit.kind == "path" and intent.role and unit.role != intent.role:
            return intent  # another role's path: the asker's own role decides
        return _from_unit(intent, unit)
    return intent


def _path_only_cued(intent: Intent, q: str, kb: Knowledge, kmap: KnowledgeMap | None) -> bool:
    """A path read from a cue word alone (``path_cues``: 话语权, 细分…), its name and targets unsaid."""
    if intent.kind != "path" or not intent.path or intent.path in q:
        return False
    if intent.path not in paths_cued(q, kb):
        return False
    info = kmap.path(intent.role or "", intent.path) if kmap is not None else None
    targets = info.targets if info is not None else []
    return not any(len(t) >= 3 and squash(t) in squash(q) for t in targets)


def _said_only_there(intent: Intent, unit: Unit, question: str, kmap: KnowledgeMap) -> bool:
    """ "医疗那个方向靠谱吗" after 产品's 斜向突破: a follow-up naming what the path it continues never says
    and the path retrieval leads with does (市场's 斜向突破 names 医疗健康) is about that path."""
    if unit.kind != "path" or intent.kind != "path" or (unit.role, unit.path) == (intent.role, intent.path):
        return False
    here = kmap.path(intent.role or "", intent.path or "")
    there = kmap.path(unit.role or "", unit.path or "")
    if here is None or there is None:
        return False
    here_text, there_text = kmap.section_text(here.section), kmap.section_text(there.section)
    q = question.lower()
    # "有真实例子吗": a word that only says what kind of example is asked for names no other path
    words = [
        t for t in tokenize(q, search=False) if len(t) >= 2 and not is_everyday(t) and not _of_example(t, q)
    ]
    return any(w in there_text and w not in here_text for w in words)


def _of_example(word: str, question: str) -> bool:
    return any(f"{word}{x}" in question for x in ("例子", "的例子", "案例", "的案例"))


OWN_PATH_LEAD = 0.1  # how far one path of the asker's own role must lead to be what a general question asks
_TO_DO = re.compile(r"(?:该|要|得|先|能)(?:干|做)(?:点|些)?(?:啥|嘛|什么)")
_THIS_PATH = re.compile(r"这条(?:路|路子|路径|线)|这个(?:方向|路子|路径)")


def example_story(
    intent: Intent, passages: Sequence, units: Units, question: str, kb: Knowledge
) -> Intent | None:
    """ "有没有被裁之后回老家的例子", asked with no subject or role of its own: an example of what happened
    to someone is the story retrieval ranks best, however narrowly; a story asked for with a role said
    ("讲个大厂程序员被裁后的故事") is the best-ranked one of someone from that role."""
    told = has(question, kb.cues("story_asked"))  # "讲个大厂程序员被裁后的故事": a role's people only
    # "被裁以后又找到出路的客服主管的真事，说说": a story asked for, though 出路 reads as the paths
    kind_ok = intent.kind == "general" or (intent.kind == "paths" and told)
    if not kind_ok or not (told or asks_case(question, kb)) or (intent.role and not told):
        return None
    stories = [u for u in map(units.of, passages) if u.kind == "story"]
    if intent.role:
        stories = [u for u in stories if (p := kb.person(u.person or "")) and p.role == intent.role]
        if not stories:  # "讲讲做产品的人转型的故事": no story is of a PM; the guide's 产品 cases are
            cases = [p for p in kb.persons if p.role == intent.role and not p.heading and p.path]
            return replace(intent, kind="case", person=cases[0].name) if cases else None
    return replace(intent, kind="story", person=stories[0].person) if stories else None


def with_passages_role(intent: Intent, passages: Sequence, units: Units) -> Intent:
    """A path question that names no role takes the role its best passages are about (``Units.role``),
    unless it asks for the kinds of path, whoever asks."""
    if intent.kind in ("path", "paths") and intent.role is None and intent.topic != KINDS_OF_PATH:
        return replace(intent, role=units.role(passages))
    if intent.kind in ("risk", "pains") and intent.role is None and passages:
        # "转行这段时间手里得留多少钱才安全" found in the 客服 article's own "钱：先留够 12 个月…": the
        # conversation is then about that role, and "那报班考证最多花多少合适" is asked of its rules
        return replace(intent, role=_own_section_role(intent.kind, passages[0], units.kmap))
    return intent


def _own_section_role(key: str, passage, kmap: KnowledgeMap) -> str | None:
    """The role whose own article's section for ``key`` (risk control, pains) holds ``passage``."""
    guide = kmap.kb.guide.get("doc")
    parts = kmap.role_section_parts(key)
    return next((role for part, sec, role in parts if sec.doc_id != guide and part.holds(passage)), None)


def _unit_of(intent: Intent) -> Unit:
    subject = intent.subjects[0] if intent.subjects else None
    if intent.kind == "path":
        return Unit("path", role=intent.role, path=intent.path)
    if intent.kind == "story":
        return Unit("story", person=intent.person)
    return Unit(intent.kind, role=intent.role if intent.kind == "paths" else None, subject=subject)


def _broad(q: str, kb: Knowledge) -> bool:
    broad = kb.broad_re
    return bool(broad and broad.search(q))


# What an article's closing section is called: its conclusion, whatever the article is about.
_CLOSING = re.compile(r"结语|总结|结论|写在最后|尾声|最后的话")


def concluding(intent: Intent, passages: Sequence, kmap: KnowledgeMap) -> Intent:
    """A question about what an article concludes is about the closing section of the article retrieval
    ranks first among those that have one; with none, a general question."""
    for passage in passages:
        closing = [s for s in kmap.outlines.get(passage.doc_id, []) if s.path and _CLOSING.search(s.heading)]
        if closing:
            return replace(intent, kind="section", topic=section_topic(closing[-1]))
    return replace(intent, kind="general")


# why a move is hard, or what the asker lacks for it ("总觉得差点啥", "差在哪"): the pain names the gap
_WHY = re.compile(r"为啥|为什么|为何|咋回事|怎么回事|怎么会|差在哪|差点啥|差点什么|缺点啥|缺点什么|卡在哪")
STUCK_TOP = 5  # passages a pain must be among to answer "why does the move feel so hard"


def stuck_crossing(intent: Intent, question: str, passages: Sequence, units: Units) -> Intent:
    """ "做工具类产品的，想搞AI产品，可感觉摸不着门，咋回事": a move to a path's target asked *why* it is
    hard is the pain the guide names for that crossing, when retrieval found the pains among its best."""
    if intent.kind != "path" or not _WHY.search(question):
        return intent
    if not any(units.of(p).kind == "pains" for p in passages[:STUCK_TOP]):
        return intent
    return replace(intent, kind="pains", path=None)


UNFOUND_TOP = 5  # passages the risk control a cue word read must be among
UNFOUND_LEAD = 0.15  # ...else a pain retrieval leads with by this much is what is asked


def unfound_risk(
    intent: Intent, question: str, passages: Sequence, units: Units, before: str | None
) -> Intent:
    """ "面试老被问你做的内容带来多少钱…这是为啥啊": 钱 reads as the safety net, but the question asks
    why, no risk-control passage is among the best and the pain retrieval leads with says why. A cue word
    biases the reading; it does not hold against retrieval that finds none of what it cued. Not in a
    conversation already on risk control (``before``, the last question's kind): "那要一直没起色，啥时候该停"
    goes on with it."""
    if intent.kind != "risk" or intent.follow_up or before == "risk" or not passages:
        return intent
    # "我们测试组是不是要被砍了": the cue is only the worry every article's reader shares, and no way
    # out is asked for
    worry, why = only_worry(question, units.kmap.kb), bool(_WHY.search(question))
    if not (why or worry):  # "做多久就该停" asks for the remedy, however retrieval ranks it
        return intent
    top = list(passages[:UNFOUND_TOP])
    pains = [u for u in map(units.of, top) if u.kind == "pains"]
    if worry and why and pains:
        # "为啥感觉代理商里老员工都是最先被裁的啊": why the layoff falls on them is a pain the article
        # names, never the safety net, whatever risk passage retrieval also found
        return _from_unit(intent, pains[0])
    parts = [part for part, _, _ in units.kmap.role_section_parts("risk")]
    if any(part.holds(p) for p in top for part in parts):
        return intent
    unit, lead = units.leader(list(passages))
    # only a pain: the guide's risk control is worded tersely, and a story or the stories' epilogue
    # retrieval prefers is no answer to "家里得留多少钱保底"
    if unit.kind == "pains" and lead >= UNFOUND_LEAD:
        return _from_unit(intent, unit)
    # a worry: the pains most of the best passages hold, however narrowly the first of them leads
    return _from_unit(intent, pains[0]) if worry and len(pains) * 2 > UNFOUND_TOP else intent


def _part_name(heading: str) -> str:
    """A part's name: its heading before a colon ("内容审核主管" of "内容审核主管：站在最后一道闸门上")."""
    return squash(re.split(r"[:：]", heading_label(heading), maxsplit=1)[0])


def _said_of(name: str, q: str) -> int:
    """How much of the part's name the question says: the longest of its names said whole ("主编" of
    "主编和内容主管"), or a long run of it ("本地生活"); 0 for none."""
    names = [n for n in re.split(r"[和与及/／、]", name) if len(n) >= 2]
    whole = max((len(n) for n in names if n in q), default=0)
    return max(whole, _JOB_CHARS if run_said(name, q, _JOB_CHARS) else 0)


JOB_TOP = 5  # passages a role's own "what the job is" section must be among to answer what it does
_JOB_CHARS = 3  # a run of a part's heading said in the question names that part ("内容审核主管是干嘛的")


def job_asked(intent: Intent, question: str, passages: Sequence, units: Units) -> Intent:
    """ "我老公在saas公司做客户成功…他每天到底忙啥": what a role an added article introduces does is that
    article's own section saying so (``KnowledgeMap.article_section``, "job"), when retrieval finds it among its
    best; a part of it the question names ("内容审核主管：站在最后一道闸门上"), that part. A person, a
    path or a role the data explains keeps its own answer."""
    kmap = units.kmap
    kb = kmap.kb
    if intent.person or intent.path or intent.subjects or intent.follow_up or intent.kind == "compare":
        return intent
    if not has(question, kb.cues("job")) or _TO_DO.search(question):
        return intent
    role = intent.role or units.role(list(passages))
    section = kmap.article_section(role, "job") if role and not kb.explained_role(role) else None
    top = list(passages[:JOB_TOP])
    if section is None or not any(s.holds(p) for s in kmap.tree(section) for p in top):
        return intent
    q = squash(question)
    parts = kmap.children(section)
    said = [_said_of(_part_name(c.heading), q) for c in parts]
    most = max(said, default=0)
    chosen = parts[said.index(most)] if most and said.count(most) == 1 else section  # the part said most
    return replace(intent, kind="section", subjects=(), topic=section_topic(chosen))


# "那他们这行…", "这几样…", "他们…": a question that goes on from the answer just given
_GOES_ON = re.compile(r"^\s*(?:那|那么|这|这些|这几|他们|她们)")
SECTION_TOP = 5  # passages the section answered before must be among for a question going on to stay in it


def stays_in_section(
    intent: Intent, question: str, passages: Sequence, units: Units, before: str | None, where: str | None
) -> Intent:
    """ "那他们这行最值钱的本事是啥" after "客服主管每天到底在忙啥" (answered from the article's section on
    the job): a question that goes on from a section's answer, naming nothing of its own, stays in that
    section when retrieval finds it among the best, though another section words it closer ("最不值钱")."""
    if before != "section" or not where or intent.kind not in ("section", "general"):
        return intent
    if intent.topic == where or not (intent.follow_up or _GOES_ON.search(question)):
        return intent
    section = section_at(units.kmap, where)
    if section is None or not any(section.holds(p) for p in passages[:SECTION_TOP]):
        return intent
    return replace(intent, kind="section", subjects=(), topic=where, goes_on=True)


def tools_asked(intent: Intent, question: str, kb: Knowledge) -> Intent:
    """ "我们社群运营还是人工发券…有啥工具能省事", "想测一下新功能有没有用，有什么工具": named tools are
    asked for, whatever pain or risk the other words say; the lines that name them answer (the general
    plan, the asker's role's paths first). The templates asked for by name stay the toolkit."""
    q = question.lower()
    if intent.kind not in ("risk", "pains") or intent.follow_up or not _asks_for(q, kb.cues("tools")):
        return intent
    if has(q, kb.cues("toolkit")) or asks_ready_made(q):
        return intent
    return replace(intent, kind="general", risk=None)


# what asks for a thing by its kind: "有啥工具", "推荐个软件", "工具有哪些" (not "新人拿个AI工具就…", "工具类产品")
_ASKING_BEFORE = r"(?:有啥|有什么|有没有|哪些|哪个|什么|啥|推荐|用啥|用什么)[^，,。？?！!\s]{0,4}"
_ASKING_AFTER = r"[^，,。？?！!\s]{0,3}(?:推荐|有哪些|有啥|用啥|是啥|是什么|好用)"


def _asks_for(q: str, words: Sequence[str]) -> bool:
    """Whether the question asks for one of ``words`` (a kind of thing), not only mentions it."""
    kinds = "|".join(re.escape(w) for w in words if w)
    return (
        bool(kinds) and re.search(rf"{_ASKING_BEFORE}(?:{kinds})|(?:{kinds}){_ASKING_AFTER}", q) is not None
    )
