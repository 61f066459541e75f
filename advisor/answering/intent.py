"""What a question asks, in terms of the knowledge base: a person's story, a role's paths, one path,
what a role does, two roles compared, a move between roles, risk control, the toolkit, the pains — or
something general. Rule-based on the cue words of ``knowledge.yaml`` and the names the articles'
headings give; the conversation so far resolves "他", "第二条路" and "这个岗位"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from advisor.answering.state import Intent, State
from advisor.kb.facts import Knowledge
from advisor.kb.knowledge_map import KnowledgeMap, squash
from advisor.text.tokens import POINTER, asks_anything, char_pairs, first_word, is_everyday, tokenize

_WHEN = re.compile(r"[这那][几两些]?(?:年|天|阵子|段时间|个月|会儿)")  # 这几年, 这阵子, 那两年: a time
SELF = re.compile(r"我|本人|咱|自己")  # the asker speaks of themselves
# "我在做用户运营" / "我是干活动运营的": the role named right after is the asker's own, not what is asked.
_OWN_BEFORE = re.compile(
    r"(?:我|本人)(?:现在|目前|一直)?(?:在|是)?(?:做|干|搞)(?:了)?(?:[\d一二三四五六七八九十几]+年)?$"
)
_SUBJECT_PRONOUN = re.compile(r"它|这个岗|这个职位|这个角色|这岗|这行|这活|[干做当]这个(?![人月])")
_ORDINALS = "一二三123"


@dataclass
class _Found:
    """Everything the question mentions, before deciding the kind."""

    q: str
    persons: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)  # explainer names, in order of mention
    path: str | None = None
    path_role: str | None = None
    described: bool = False  # the person is described, not named
    faint: bool = False  # described by one word and a third-person word only: "他" may mean someone else


def has(q: str, words) -> bool:
    return any(w and w in q for w in words)


def asks_case(q: str, kb: Knowledge, strict: bool = False) -> bool:
    """The question asks for a real example ("有没有真实例子", "有没有人干成了"); ``strict``: not only
    by a word that also says how things went ("转型成功")."""
    words = ("案例", *kb.synonyms.get("案例", ()))
    q = _AS_A_CASE.sub(" ", q.lower())
    # a role's name that holds such a word ("客户成功") names the role, not how things went
    q = _without(q, [r.lower() for r in {*kb.roles, *kb.role_hints()} if any(w in r.lower() for w in words)])
    return has(q, [w for w in words if not (strict and w in _IN_PASSING)]) or _someone_like(q, kb)


def _someone_like(q: str, kb: Knowledge) -> bool:
    """ "有没有被裁了后来混得还行的运营": someone of a role, described by what happened to them, asked for."""
    who = "|".join(re.escape(w.lower()) for w in (*kb.roles, *_SOMEONE))
    return bool(re.search(rf"有没有[^，,。？?！!\s]{{1,20}}?的(?:{who})", q))


_SOMEONE = ("人", "姐", "哥", "大姐", "大哥", "同行", "前辈", "过来人")


_IN_PASSING = ("成功", "干成")
# "以后讲课当案例用", "整理成案例": something used as an example, not an example asked for
_AS_A_CASE = re.compile(r"(?:当|作为|当作|整理成|写成|做成)(?:[\u4e00-\u9fff]{0,2}?)(?:案例|例子)")


def situation(q: str, kb: Knowledge) -> str | None:
    """The risk-control strategy whose cue words describe the asker's state (被裁, 失业…: words of the
    shared frame), not a question about it."""
    frame = set(kb.cues("frame"))
    for strategy, cues in kb.risk_cues.items():
        if any(c in frame and c in q for c in cues):
            return strategy
    return None


# "那个…的工具", "那个看板": a demonstrative before a thing, not someone ("那个…的女的", "那个回老家的程序员",
# "那个女高管", "那个被裁后接活的" are people: a person word, or nothing, after it)
_THAT_ONE = re.compile(r"那个(?P<said>[^，,。？?！!]{0,16})")
_PERSON_HEAD = re.compile(r"^[女男老小大阿]|[员师者人长总哥姐叔姨爷婶娘妈爸士家手生友事]")


def _things_named(q: str) -> str:
    """The question without "那个…X" where X is a thing ("那个能查数的工具", "那个看板上的颜色"); "那个做游戏的
    后来…" still tells of someone (后来 is no noun)."""

    def thing(m: re.Match) -> str:
        said = m.group("said")
        cut = said.find("的")
        word, tag = first_word(said[cut + 1 :] if 0 < cut <= 12 else said)  # what "那个(…的)" is about
        return " " if tag.startswith("n") and tag != "nr" and not _PERSON_HEAD.search(word) else m.group(0)

    return _THAT_ONE.sub(thing, q)


# someone the articles tell of, pointed at: "那个被裁的大姐", "文章里那个做实施顾问的", "故事里的他"
_POINTED = re.compile(
    r"(?:那个|那位|文章里|文中|故事里)[^，,。？?]{0,12}?(?:的|那)?[^，,。？?]{0,6}(?:姐|哥|叔|姨|人|他|她|主编|大姐|大哥|男的|女的)"
)


def points_at_someone(q: str) -> bool:
    return _POINTED.search(q) is not None


def tells_of_someone(q: str, kb: Knowledge, pronouns: bool = True) -> bool:
    """A third-person word that points at someone: not "我家那位" (who asks about), not "那个能查数的工具";
    without ``pronouns``, one that tells of someone new ("有个…", "那位…"), not 他/她."""
    cues = [c for c in kb.cues("third_person") if pronouns or (len(c) >= 2 and not c.isascii())]
    told = _things_named(_without(q, kb.cues("kin")))
    return has(told, cues) or bool(_ADDRESSED.search(told))


# "做电商ERP那家被裁的大姐": a description ending in how one addresses a stranger tells of someone
_ADDRESSED = re.compile(r"(?<![我咱])(?<!我家)(?<!我们)的(?:大姐|大哥|姐姐|大叔|阿姨|老哥|哥们|大佬|前辈)")


def _without(q: str, words) -> str:
    for w in words:
        q = q.replace(w, " ")
    return q


def first_at(q: str, words) -> int:
    hits = [q.find(w) for w in words if w and w in q]
    return min(hits) if hits else -1


_ANOTHER = re.compile(r"另(?:一|外一?)(?:个|位)|另外那(?:个|位)")  # someone else than the one just told of


def _persons(q: str, kb: Knowledge, kmap: KnowledgeMap) -> tuple[list[str], bool, bool]:
    """Persons named, or described (then the flag is set): by their aliases, or by words the articles
    use only where they tell about that person — two such words, or one with a third-person word
    ("有个…", "那位…"; the last flag says the description is only that faint)."""
    named = sorted((q.find(p.name), p.name) for p in kb.persons if p.name.lower() in q)
    if named:
        return [n for _, n in named], False, False
    third = tells_of_someone(q, kb) or bool(_ANOTHER.search(q))  # "另一个做游戏的呢"
    skip = set(kb.cues("frame")) | kb.role_hints()
    skip |= {a for e in kb.explainers for a in e.aliases} | set(kb.paths)
    words = [w for w in dict.fromkeys(tokenize(q, search=False)) if len(w) >= 2 and w not in skip]
    described = []
    ages = _AGE.findall(q)
    for p in kb.persons:
        aliases = [a for a in p.aliases if not _shared_address(a, p.name, kb)]
        hits = sum(a in q for a in aliases) + sum(kmap.only_about(w, p.name) for w in words)
        hits += sum(_age_of_only(age, p.name, kb, kmap) for age in ages)
        if hits >= 2 or (hits == 1 and third):
            # as many clues each ("41岁" for 美玲, "saas" for 老张): the one whose own lines say more of
            # the question's words ("零售saas…售前")
            told = kmap.person_text(p.name).lower()
            described.append((hits, sum(w in told for w in words), p.name))
    best = sorted(described, reverse=True)[:1]
    return [n for *_, n in best], True, bool(best) and best[0][0] == 1


_AGE = re.compile(r"(\d{2})\s*岁")


def _age_of_only(age: str, name: str, kb: Knowledge, kmap: KnowledgeMap) -> bool:
    """ "那个42岁的大哥": the age the articles give ``name`` and no other person."""
    said = re.compile(rf"(?<!\d){age}\s*岁")
    return bool(said.search(kmap.person_text(name))) and not any(
        said.search(kmap.person_text(p.name)) for p in kb.persons if p.name != name
    )


def _shared_address(alias: str, name: str, kb: Knowledge) -> bool:
    """ "大姐" for 王姐 says nothing once another article tells of 蒋姐: an address ending as the name
    does ("…姐") that fits another person too."""
    end = name[-1]
    return (
        len(alias) <= 2
        and alias.endswith(end)
        and end in _ADDRESS
        and any(o.name != name and o.name.endswith(end) for o in kb.persons)
    )


_ADDRESS = "姐哥叔姨"


def _subjects(q: str, kb: Knowledge) -> list[str]:
    """Explained roles the question mentions (the longest alias wins where aliases overlap)."""
    spans = []
    for e in kb.explainers:
        for a in e.aliases:
            for m in re.finditer(re.escape(a), q):
                spans.append((m.start(), -len(a), m.end(), e.name))
    taken, out = [], []
    for start, _, end, name in sorted(spans):
        if any(s < end and start < e for s, e in taken):
            continue
        taken.append((start, end))
        if name not in out:
            out.append(name)
    return out


def _described_subject(q: str, kb: Knowledge, role: str | None = None) -> list[str]:
    """ "运营里头那个做数据的", "专门负责拉流量的岗": a role named with what one of its kinds does, which
    only that kind's name says (数据运营, 流量运营 under 运营); the role may be the conversation's ("运营岗
    分那么多种" → "专门搞活动的那个具体干啥")."""
    found = []
    for e in kb.explainers:
        stem = e.name.replace(e.parent or "", "") if e.parent and e.parent in e.name else ""
        if (
            len(stem) >= 2
            and (e.parent.lower() in q or e.parent == role)
            and re.search(rf"(?:做|搞|管|负责|弄|专门)\s*[\u4e00-\u9fff]?{stem}(?:的|那)", q)
        ):
            found.append(e.name)
    return found if len(found) == 1 else []


def _roles(q: str, kb: Knowledge) -> list[str]:
    """Roles the question names by their hint words ("做产品", "后端", and "做工具类产品的" as "做产品的");
    a bare "产品" is a product, and a
    job the asker says they cannot do ("做市场的，不会写代码") or moves to ("这样能转产品经理吗") is not theirs."""
    q = _SAID_DO.sub("做", _TO_A_JOB.sub(" ", _NOT_A_JOB.sub(" ", _YEARS_DONE.sub("做", q))))
    names = "|".join(re.escape(r.lower()) for r in sorted(kb.roles, key=len, reverse=True))
    if names:  # "我是产品，在试着转…": the role said as what one is, as "做产品" says it
        q = re.sub(rf"我是(?=(?:{names})(?:[，,。？?！!\s的]|$))", "我做", q)
    q = re.sub(rf"做[\u4e00-\u9fffa-z]{{1,4}}?(?=(?:{names})的)", "做", q) if names else q  # 做工具类产品的
    spans = {r: _hits(q, hints) for r, hints in kb.roles.items()}
    # "广告销售" (a new article's 商务BD) is not also "广告" (市场): a hit inside another role's longer one;
    # "研发项目经理" is a 项目经理, not also 研发 (技术): a hit right before another role's names its kind
    found = sorted((min(a for a, _ in own), r) for r in spans if (own := _own_hits(r, spans)))
    return [r for _, r in found]


def _own_hits(role: str, spans: dict[str, list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """The role's hits that are neither inside another role's longer one nor right before one."""
    others = [o for r, hits in spans.items() if r != role for o in hits]
    return [h for h in spans[role] if not _inside(h, others) and not any(h[1] == o[0] for o in others)]


def _hits(q: str, words) -> list[tuple[int, int]]:
    """Where each of ``words`` first occurs in ``q``, as (start, end)."""
    return [(at, at + len(w)) for w in words if w and (at := q.find(w)) >= 0]


def _inside(hit: tuple[int, int], others) -> bool:
    """``hit`` lies within a longer one of ``others``."""
    return any(a <= hit[0] and hit[1] <= b and b - a > hit[1] - hit[0] for a, b in others)


# "做了十年编辑", "干了9年产品": years said between the verb and the job
_YEARS_DONE = re.compile(r"[做干搞当]了?(?:[\d一二两三四五六七八九十几多半]{1,4}|好几)年(?:多|半)?的?")
_SAID_DO = re.compile(r"[干搞弄](?=[^，,。？?！!\s]{1,4}的)")  # "干市场的", "搞产品的": as said with 做
_TO_A_JOB = re.compile(
    r"(?:转|转行|转岗|改行)(?:做|当|成|到|去)?(?=[^型])[^，,。？?！!\s]{0,5}"
)  # where one goes
_NOT_A_JOB = re.compile(
    r"(?:不会|不懂|没做过|没干过|没学过|不擅长|不是"
    # a skill a move may need ("去AI公司做安全评测要会写代码吗"): asked about, not the asker's job
    r"|(?:要|需要|得|必须|用不用|要不要|需不需要)(?:会|懂))"
    r"\s*(?:写|做|搞|干|学)?[^，,。？?！!\s]{0,4}"
)


def named_role(text: str, kb: Knowledge) -> str | None:
    """The one role ``text`` names by its hint words (none when it names several): retrieval's soft
    preference for that role's passages (``Retriever.search(hint=...)``)."""
    roles = _roles(text.lower(), kb)
    return roles[0] if len(roles) == 1 else None


def _path(q: str, kb: Knowledge, kmap: KnowledgeMap, role: str | None) -> tuple[str | None, str | None]:
    """(path, role it belongs to) named, numbered ("第二条"), pointed to by a target role, or cued; a job
    held before ("我妈以前在阿里做区域运营总监") is where someone comes from, no target."""
    sq = squash(_PAST_JOB.sub(" ", q))
    for alias, target in kb.target_aliases.items():
        if squash(alias) in sq:
            sq += squash(target)
    jobs = [squash(w) for w in (*kb.roles, *kb.role_hints(), *(a for e in kb.explainers for a in e.aliases))]
    hits = [
        (said, info.name, info.role)
        for info in kmap.all_paths()
        for t in info.targets
        if role in (None, info.role) and (said := _target_said(squash(t), sq, jobs))
    ]
    if hits:
        _, name, path_role = max(hits)
        return name, path_role
    for name in kb.paths:
        if name in q:
            return name, None
    m = kb.pattern("ordinal").search(q) if kb.pattern("ordinal") else None
    if m and kb.paths:
        return kb.paths[_ORDINALS.index(m.group(1)) % len(kb.paths)], None
    cued = paths_cued(q, kb)
    return (cued[0], None) if cued else (None, None)


_PAST_JOB = re.compile(
    r"(?:以前|之前|原来|曾经)(?:在[^，,。？?！!\s]{1,8}?)?(?:做|当|是)[^，,。？?！!\s]{2,10}"
)
# What the asker rules out is not the path they ask for: "除了往上升", "不想带团队"
_NOT_WANTED = re.compile(
    r"除了[^，,。？?还]{1,10}?(?:以外|之外|还|$)|(?:不想|不愿意?|不打算|不喜欢|不要)[^，,。？?就只而但]{1,8}"
)


def paths_cued(q: str, kb: Knowledge) -> list[str]:
    """The paths whose cue words (``path_cues``) the question says, in the data's order; not in what the
    asker rules out ("他不想当领导…除了往上升还有别的路不" is no 纵向深耕)."""
    wanted = _NOT_WANTED.sub(" ", q)
    return [name for name, cues in kb.path_cues.items() if has(wanted, cues)]


# a table asked for ("有没有…方向的表", "有啥表能帮我理一理"), not 代表, 表达, 表哥, 表现, nor a table worked
# on ("Excel怎么用VLOOKUP把两张表…对起来")
_TABLE = re.compile(
    r"(?:有没有|有啥|有什么|推荐|求)[^，,。？?！!]{0,16}?(?:啥|什么|哪些|哪个|的|有)表"
    r"(?![达现示演哥姐弟妹态率情面白扬彰决])"
)
_READY_MADE = re.compile(r"现成|套用|拿来就用|直接用|模板|工具表|表格|能用|用得上")


def asks_ready_made(q: str) -> bool:
    """The question asks for something ready to use ("有没有现成的表格"): the toolkit itself."""
    return bool(_READY_MADE.search(q))


LOOSE_PAIRS = 3  # character pairs of a target said loosely ("AI方案架构师" for "AI 解决方案架构师")


def _target_said(target: str, sq: str, jobs: list[str]) -> int:
    """How much of a path's target the question says: its character pairs found in the question when
    it says the whole target, or at least ``LOOSE_PAIRS`` of them with its last two characters (the
    job's head: 架构师, 顾问) and one pair no job name has (not "产品经理" of "技术产品经理"), so a target
    said in short beats a shorter one said whole; 0 when not said."""
    if len(target) < 3:
        return 0
    found = [p for p in char_pairs(target) if p in sq]
    if target in sq:
        return len(found)
    own = [p for p in found if not any(p in j for j in jobs)]
    if len(found) >= LOOSE_PAIRS and own and target[-2:] in sq:
        return len(found)
    # "转客户成功的话…": the target said without its title (客户成功负责人), its core long and its own
    core = _TITLE.sub("", target)
    if len(core) >= CORE_CHARS and core != target and core in sq and not any(core in j for j in jobs):
        return len(char_pairs(core))
    return 0


_TITLE = re.compile(r"(?:负责人|总监|经理|顾问|专家|主管)$")
CORE_CHARS = 4  # a target's core said alone ("客户成功"), shorter ones (大客户) name too much


def _without_targets(q: str, kmap: KnowledgeMap) -> str:
    """The question without the path targets it names whole: the role word inside one ("往技术产品经理
    转": 产品) says where the asker goes, not who they are."""
    sq = squash(q)
    for t in sorted({squash(t) for info in kmap.all_paths() for t in info.targets}, key=len, reverse=True):
        if len(t) >= 4 and t in sq:
            sq = sq.replace(t, "／")
    return sq if sq != squash(q) else q


def find(question: str, kb: Knowledge, kmap: KnowledgeMap) -> _Found:
    q = question.lower()
    persons, described, faint = _persons(q, kb, kmap)
    f = _Found(
        q,
        persons,
        _roles(_without_targets(q, kmap), kb),
        _subjects(q, kb) or _described_subject(q, kb),
        described=described and bool(persons),
        faint=faint,
    )
    f.path, f.path_role = _path(q, kb, kmap, f.roles[0] if len(f.roles) == 1 else None)
    return f


def _own_role(f: _Found, kb: Knowledge, about_subjects: bool) -> str | None:
    """The asker's role when the question states it (not when a role is only what is asked about)."""
    if len(f.roles) != 1:
        return None
    role = f.roles[0]
    if about_subjects and not SELF.search(f.q):
        parents = {kb.explainer(s).parent for s in f.subjects}
        if role in parents:
            return None
    return role


def _transition_target(f: _Found, kb: Knowledge) -> str | None:
    """The role after a "转/去做/当" cue: an explained role or a role name."""
    for cue in kb.cues("transition"):
        for m in re.finditer(re.escape(cue), f.q):
            rest = f.q[m.end() : m.end() + 8]
            if rest.startswith("型"):  # 转型 is not a move to a role
                continue
            for e in kb.explainers:
                if has(rest, e.aliases):
                    return e.name
            for r in kb.roles:
                if rest.startswith(r) or rest.startswith(r.lower()):
                    return r
    return None


def _risk(q: str, kb: Knowledge, on: str | None = None) -> str | None:
    """The strategy a cue word names; a one-character cue only as a word of its own ("多少钱", not "不值钱").
    Such a cue alone does not move the conversation off the strategy it is ``on``: "那试的时候砸多少钱进去"
    after 小步试错 asks what a trial may cost, not how much to save."""
    words = set(tokenize(q, search=False))
    if has(q, kb.cues("earnings")):  # "质检主管一般拿多少钱": what a job pays, not the money set aside
        words.discard("钱")
    cued = next((name for name, cues in kb.risk_cues.items() if _cued(q, cues, words)), None)
    if cued and on and cued != on and not _cued(q, [c for c in kb.risk_cues[cued] if len(c) > 1], words):
        return on
    return cued


# Asks for a remedy ("怕踩坑，先试试水有啥讲究"): the guide's risk control, not the pain worded like the worry
REMEDY = re.compile(r"讲究|办法|法子|怎么办|咋办|注意|怎么做|咋做|如何|怎么弄|咋弄|招")
# ...or for any way out of the worry, the money set aside included: the safety net answers
_WAY_OUT = re.compile(REMEDY.pattern + r"|咋整|怎么破|出路|准备|打算|该干|该做|存|攒|留多少")


def only_worry(question: str, kb: Knowledge) -> bool:
    """Every risk cue the question says is the worry of being laid off (``frame`` and ``worry`` cues:
    被裁, 砍了, 心慌), and it asks for no way out: that says who asks, not what they ask for ("我们测试组
    是不是要被砍了")."""
    q = question.lower()
    said = {c for cues in (*kb.risk_cues.values(), kb.cues("risk")) for c in cues if c and c in q}
    shared = set(kb.cues("frame")) | set(kb.cues("worry"))
    return bool(said) and said <= shared and not _WAY_OUT.search(q)


def _cued(q: str, cues, words: set[str]) -> bool:
    return any(c and c in q and (len(c) > 1 or c in words) for c in cues)


def _topic(q: str, kb: Knowledge, subject: str | None = None) -> str | None:
    """An explained role's topic the question asks about (能力, 职业发展…), by the topic's cue words;
    with ``subject``, only a topic about that role or the role it is part of (how 流量运营 works with the
    other operations roles is 运营's 协同)."""
    explainer = kb.explainer(subject) if subject else None
    parent = explainer.parent if explainer else None
    for t, ref in kb.explainer_topics.items():
        if (t in q or has(q, ref.cues)) and (subject is None or ref.subject in (None, subject, parent)):
            return t
    return None


# "这样能去干产品经理么", "像我这种能干吗": the asker as the question before told them
_LIKE_THIS = re.compile(r"这样|这种|像我|我这")


def topic_before(asked: Intent, question: str, before: str, kb: Knowledge) -> Intent:
    """ "我是学文科的没写过代码" → "这样能去干产品经理么": a role asked about by someone "like this", asking
    no topic of its own, is asked of the topic the question before said (非技术背景); "产品经理这个岗到底
    是干啥的" after it asks what the job is."""
    if asked.kind != "explain" or asked.topic is not None or not asked.subjects:
        return asked
    if not _LIKE_THIS.search(question):
        return asked
    topic = _topic(before.lower(), kb, asked.subjects[0])
    return replace(asked, topic=topic) if topic else asked


def _topic_beside(q: str, kb: Knowledge, subjects: tuple[str, ...]) -> list[tuple[str, str]]:
    """A topic of another role the same article explains: "不会写代码能干吗" after "vs 项目经理" (a
    section of the PM article) is the PM's 非技术背景."""
    docs = {sec.doc for s in subjects if (e := kb.explainer(s)) for sec in e.sections}
    return [
        (t, ref.subject)
        for t, ref in kb.explainer_topics.items()
        if ref.doc in docs and ref.subject and (t in q or has(q, ref.cues))
    ]


def _direction(q: str, kb: Knowledge, kmap: KnowledgeMap, role: str | None) -> str | None:
    """The path of ``role`` whose section speaks of the direction the question names ("往银发经济这块
    靠"): the only one that mentions its words, or one mentioning them at least twice as often. Each
    place the question names a direction is tried ("该往哪转？想往AI方向靠": not 哪, then AI)."""
    pattern = kb.pattern("direction")
    for m in pattern.finditer(q) if pattern and role else ():
        found = _direction_named(m, kb, kmap, role)
        if found:
            return found
    # "听说老人那块市场还行，想往那边转转": the direction named before the words that point back at it
    for m in _POINTED_BACK.finditer(q) if role and pattern and pattern.search(q) else ():
        found = _direction_named(m, kb, kmap, role, back=True)
        if found:
            return found
    return None


_POINTED_BACK = re.compile(r"([\u4e00-\u9fffA-Za-z]{1,8}?)(?:那块|这块|那一块|这一块|那边|那个方向|这个方向)")


_TENURE = re.compile(r"[\d一二三四五六七八九十几两多]\s*(?:年|个月)|好些年|了$")


def _direction_named(
    m: re.Match, kb: Knowledge, kmap: KnowledgeMap, role: str, back: bool = False
) -> str | None:
    """``back``: named before words that point back at it, where an everyday word the data gives
    synonyms for is a domain word ("老人那块": 银发); elsewhere such a word ("成功") says no direction."""
    role_words = {*kb.roles, *kb.role_hints()}
    said = m.group(1).strip().lower()
    # "在大厂做财务bp，…": a role's word said and the clause ends; not "做搜索算法转大模型" (from, to)
    clause_job = not m.group(0)[-1:].isalnum() and any(len(w) >= 2 and w in said for w in role_words)
    if m.group(0).startswith("做") and (said.endswith("的") or _TENURE.search(said) or clause_job):
        # "做社群运营的，…", "我做社群运营快十年了": what the asker does, not where they go
        return None
    if m.group(0).startswith("转型"):
        return None  # "转型的方向": 转型 is no move to somewhere
    # "做产品的，…": the asker's own role, not a direction
    words = [w.removesuffix("的") for w in re.split(r"[/、和与及 ]+", m.group(1).strip())]
    words = [
        w
        for w in words
        if w and (len(w) >= 2 or w.isascii()) and w not in role_words and w not in ("转型", "这个", "那个")
    ]
    # the words as said ("银发经济"), else their rarer parts ("那种AI方案的活儿": ai, 方案)
    parts = [
        t
        for t in tokenize(m.group(1), search=False)
        if (len(t) >= 2 or t.isascii()) and (not is_everyday(t) or (back and kb.synonyms_of(t)))
    ]
    parts = [t for t in parts if t not in role_words]
    for said, least in ((words, 1), (parts, 2)):
        found = _most_said(said, kb if back else None, kmap, role, least)
        if found:
            return found
    return None


HEADING_WEIGHT = 3  # a word in a path's heading (its target, its trend) says more than one in its lines


def _most_said(
    words: list[str], kb: Knowledge | None, kmap: KnowledgeMap, role: str, least: int
) -> str | None:
    """The path of ``role`` whose section says ``words`` (with ``kb``, or their synonyms: 老人 as 老年人)
    at least ``least`` times, twice as often as any other path's."""
    if not words:
        return None
    counts, headed = [], set()
    for info in kmap.paths(role):
        text, heading = kmap.section_text(info.section), info.section.heading.lower()
        said = sum(
            max(
                text.count(v) + (HEADING_WEIGHT - 1) * heading.count(v)
                for v in {w, *(kb.synonyms_of(w) if kb else ())}
            )
            for w in words
        )
        counts.append((said, info.name))
        if any(w in heading for w in words):
            headed.add(info.name)
    counts.sort(reverse=True)
    if not counts or counts[0][0] < least:
        return None
    # "帮人做私域", "自己接私域的活…咋起步": the one path whose heading names a word of it (运营→私域增长顾问),
    # though 纵向深耕's lines speak of 私域 too
    if len(counts) == 1 or counts[0][0] >= 2 * counts[1][0] or headed == {counts[0][1]}:
        return counts[0][1]
    return None


def _described_path(q: str, kb: Knowledge, kmap: KnowledgeMap, role: str) -> str | None:
    """The path of ``role`` a question describes in its rarer words ("用AI投广告那个"), said at least twice
    as often in its section as in any other; the knowledge base's own cue words describe none."""
    known = {w.lower() for group in kb.intents.values() for w in group} | {*kb.synonyms.get("案例", ())}
    words = [
        t
        for t in tokenize(q, search=False)
        if (len(t) >= 2 or t.isascii()) and not is_everyday(t) and t not in known and "例" not in t
    ]
    return _most_said(words, kb, kmap, role, 2)


def _paths_named(q: str, kb: Knowledge, kmap: KnowledgeMap, role: str | None) -> list[str]:
    """Every path of ``role`` the question points to, by name, target or cue, in the guide's order."""
    sq = squash(q)
    found = set()
    for info in kmap.paths(role) if role else []:
        if info.name in q or any(len(squash(t)) >= 3 and squash(t) in sq for t in info.targets):
            found.add(info.name)
    for alias, target in kb.target_aliases.items():
        if squash(alias) in sq:
            found |= {i.name for i in kmap.paths(role) if target in i.targets} if role else set()
    found |= set(paths_cued(q, kb))
    return [p for p in kb.paths if p in found]


def _transition_from(f: _Found, kb: Knowledge, own: str | None) -> str | None:
    """The role the asker moves from: one named before the "转" cue, else their known role."""
    cut = min((f.q.find(c) for c in kb.cues("transition") if c in f.q), default=-1)
    before = [r for r in f.roles if 0 <= first_at(f.q, kb.roles[r]) < cut]
    return before[0] if before else own


def _moved_from(f: _Found, kb: Knowledge, target: str) -> tuple[str, ...]:
    """ "当项目经理，想转产品经理": the explained role named before the move's cue is the one left, and
    what the two differ in is part of the answer."""
    explainer = kb.explainer(target)
    if explainer is None:  # a role's name ("转测试"), not a role an article explains
        return ()
    at = first_at(f.q, explainer.aliases)
    if at < 0:  # "转产品" names the role, not the explained role's aliases
        return ()
    # the cue right before the target ("当项目经理，想转产品经理": 转, not 当)
    cut = max(
        (m.start() for c in kb.cues("transition") for m in re.finditer(re.escape(c), f.q[:at])), default=-1
    )
    before = [s for s in f.subjects if s != target and 0 <= first_at(f.q, kb.explainer(s).aliases) < cut]
    return tuple(before[:1])


# "这俩活到底差在哪": both roles the conversation is on
_BOTH = re.compile(r"这俩|这两个|这两者|两者|它俩|俩岗|两个岗|两个活|这两种|这两行")


def _compare(f: _Found, kb: Knowledge, state: State) -> tuple[str, ...] | None:
    subs = list(f.subjects)
    if not subs and len(state.subjects) >= 2 and _BOTH.search(f.q):
        subs = list(state.subjects[:2])
    if len(subs) == 1 and state.subjects and (_SUBJECT_PRONOUN.search(f.q) or POINTER.search(f.q)):
        subs = [state.subjects[0], subs[0]]
    if not subs and len(f.roles) == 1 and state.subjects and POINTER.search(f.q):
        # "那运营呢，跟他是啥关系" after 产品经理 was explained: the role named beside the one before
        subs = [state.subjects[0], kb.explained_role(f.roles[0])]
    if len(subs) < 2 and len(f.roles) >= 2:  # (a role no article explains, like 市场, names nothing)
        subs = [s for s in (kb.explained_role(r) for r in f.roles[:2]) if s]
    if len(subs) < 2:  # "产品跟运营到底差在哪": role names joined are roles, though 产品 alone is a product
        names = "|".join(map(re.escape, kb.role_names))
        m = re.search(rf"({names})\s*(?:跟|和|与|同|还是|vs|比)\s*({names})", f.q) if names else None
        subs = [kb.explained_role(m.group(1)), kb.explained_role(m.group(2))] if m else subs
    subs = [s for s in dict.fromkeys(subs) if s]
    if len(subs) > 2:  # "研发想转岗，项目经理和产品经理哪个…": 研发 says who asks, not what is compared
        hints = set(kb.roles.get(f.roles[0], ())) if f.roles else set()  # the asker's, named first
        named = [s for s in subs if any(a in f.q and a not in hints for a in kb.explainer(s).aliases)]
        subs = named if len(named) >= 2 else subs
    return tuple(subs[:2]) if len(subs) >= 2 else None


def _person(f: _Found, kb: Knowledge, kmap: KnowledgeMap, state: State) -> tuple[str | None, bool]:
    """The person asked about, and whether the conversation supplied it ("他" = the last one asked about,
    unless the question names or clearly describes someone else)."""
    pronoun = state.person and POINTER.search(f.q)
    if f.persons and not (f.faint and pronoun and not _told_elsewhere(f, kb, kmap, state.person)):
        return f.persons[0], False
    if pronoun and "它" not in f.q and not f.subjects:
        return state.person, True
    return None, False


def _told_elsewhere(f: _Found, kb: Knowledge, kmap: KnowledgeMap, current: str | None) -> bool:
    """ "他后来在B站是靠啥内容火的" while 老张 is talked about: one word of 老周's own, not an everyday one,
    that 老张's story never says, and the pronoun fits 老周 — the clue outweighs the conversation."""
    other = kb.person(f.persons[0])
    if not current or other.name == current or other.pronoun not in f.q:
        return False
    told = kmap.person_text(current).lower()
    return any(a in f.q and a not in told and not is_everyday(a) for a in other.aliases)


# Topics whose own lines hold examples: "有例子吗" after them asks for those, whatever cue words it has
_EXAMPLED = ("pains", "path", "explain", "risk", "toolkit")
# The topics a follow-up that names nothing new carries on ("那具体呢？", "那我这样的呢")
_CONTINUED = (
    "story",
    "case",
    "explain",
    "compare",
    "risk",
    "path",
    "paths",
    "transition",
    "toolkit",
    "pains",
    "section",
)


def _continued(base: Intent, f: _Found, kb: Knowledge, state: State, example: bool = False) -> Intent | None:
    """A follow-up that names nothing new continues the previous topic ("那具体呢？")."""
    # "那…", "这…" point back ("这几年…" says when, not what); so does "她每天…" about a person or a job
    # just explained (not about a move just asked: "他自己说懂需求拆解，那还难在哪")
    about_one = state.topic in ("explain", "story", "case")
    pointing = f.q.startswith(("那", "这", "还", *(("她", "他") if about_one else ()))) and not _WHEN.match(
        f.q
    )
    asks_back = f.q.rstrip("？?。！! ~").endswith("呢")  # "…那我这种情况呢": a question back to the topic
    # "真转过去了钱能多拿点吗" after a path (or a story): what it pays is asked of what was just shown
    paid = state.topic in ("path", "story", "case") and has(f.q, kb.cues("earnings"))
    # "我是学中文的，一行代码都不会写，这种也能去干产品吗" after 产品经理 was explained: a topic of it
    first = state.subjects[0] if state.subjects else None
    on_table = first is not None and any(kb.explained_role(r) in state.subjects for r in f.roles)
    topical = state.topic in ("explain", "compare") and on_table and _topic(f.q, kb, first) is not None
    # "像我这样的，先从哪下手比较稳": the asker as told before, asked of what was just shown
    like_this = bool(_LIKE_THIS.search(f.q))
    elliptic = (
        pointing or asks_back or len(f.q) <= 14 or has(f.q, kb.cues("detail")) or paid or topical or like_this
    )
    # "有啥出路" asks a role's paths anew when a role is known; "那有啥办法…" (how to, not which way)
    # still continues the topic
    m = kb.broad_re.search(f.q) if kb.broad_re else None
    broad = bool(m and state.role and m.group(2) != "办")
    # "那有没有运营的例子" when 运营 is already known; asking for an ``example`` of the topic, a role says
    # whose example and the question needs no pointing word
    # (a role whose explained role the conversation is on is no new name: 产品 after 产品经理)
    roles_new = (
        []
        if example
        else [r for r in f.roles if r != state.role and kb.explained_role(r) not in state.subjects]
    )
    elliptic = elliptic or example
    names_new = roles_new or f.subjects or f.persons or f.path or broad
    if not (elliptic and state.topic) or names_new:
        return None
    if state.topic in ("risk", "pains") and _someone_like(f.q.lower(), kb) and tells_of_someone(f.q, kb):
        return None  # "那有没有被裁了后来混得还行的运营，她现在咋样了": someone's story, not the safety net again
    if state.topic in ("story", "case") and _OWN_MOVE.search(f.q) and has(f.q, kb.cues("detail")):
        return None  # "我也想试试帮人做私域接单 怎么起步" after her story: the asker's own way in
    carry = {"subjects": state.subjects, "risk": state.risk, "path": state.path, "person": state.person}
    kind = state.topic
    if kind == "case":
        kind = "story" if state.person and kb.person(state.person).heading else "case"
    case_of = kb.person(state.person) if kind == "case" and state.person else None
    if case_of and case_of.path and has(f.q, (*kb.cues("start"), *kb.cues("detail"))):
        # "那第一步具体该干嘛" after a path's case: the steps of the path the case walked
        return replace(base, kind="path", role=case_of.role, path=case_of.path, follow_up=True)
    if kind == "path" and asks_case(f.q, kb):
        return replace(base, kind="path", path=state.path, topic="case", follow_up=True)
    if kind == "pains" and _WHAT_NOW.search(f.q):  # "那咋办" after the pains: the ways out, not them again
        if state.situation:  # "我是被裁的运营…" earlier: the safety net comes before any path
            return replace(
                base, kind="risk", risk=state.situation, role=base.role or state.role, follow_up=True
            )
        role = base.role or state.role
        return replace(base, kind="paths", role=role, topic=None if role else KINDS_OF_PATH, follow_up=True)
    if kind in _CONTINUED:
        # after "产品经理跟项目经理有啥区别", "不会写代码能干吗" is the topic of whichever role has it
        topic = _topic(f.q, kb, first)
        if topic and kind == "compare" and not has(f.q, kb.cues("compare")):
            # "我不会写代码能干这个吗" after "它跟项目经理有啥不一样": a topic of the role first asked about
            kind, carry = "explain", {**carry, "subjects": (first,)}
        one = _one_compared(f, kb, state) if kind == "compare" and topic is None else None
        if one:  # "那运营具体干哪几件事" after 产品经理 and 运营 were compared: what that one does
            kind, carry = "explain", {**carry, "subjects": (one,)}
        if topic is None and kind == "explain":  # "不会写代码能干吗" after "vs 项目经理": the PM's topic
            beside = _topic_beside(f.q, kb, state.subjects)
            if beside:
                topic, subject = beside[0]
                carry = {**carry, "subjects": (subject,)}
        topic = topic or state.detail
        risk = base.risk or state.risk
        return replace(base, kind=kind, topic=topic, follow_up=True, **{**carry, "risk": risk})
    return None


def _one_compared(f: _Found, kb: Knowledge, state: State) -> str | None:
    """The one of the two roles just compared that a follow-up names and asks what it does, comparing
    nothing: the question has narrowed to it."""
    if has(f.q, kb.cues("compare")) or not has(f.q, kb.cues("explain")):
        return None
    named = {*f.subjects, *(kb.explained_role(r) for r in f.roles)}
    one = [s for s in state.subjects if s in named]
    return one[0] if len(one) == 1 else None


def _all_said(words: list[str], text: str) -> bool:
    return bool(text) and all(w in text for w in words)


def _path_text(kmap: KnowledgeMap, role: str, path: str) -> str:
    info = kmap.path(role, path)
    return kmap.section_text(info.section) if info else ""


def current_text(state: State, kmap: KnowledgeMap) -> str:
    """What the articles say about what the conversation is on: the path's section, the explained
    role's sections, or the person's story (lower-cased); "" when it is on nothing in particular.
    A cue word said there continues the topic rather than starting another one."""
    if state.topic == "path" and state.role and state.path:
        return _path_text(kmap, state.role, state.path)
    if state.topic in ("explain", "compare", "transition") and state.subjects:
        return " ".join(kmap.section_text(s) for s in kmap.explainer_sections(state.subjects[0]))
    if state.topic in ("story", "case") and state.person:
        return kmap.person_text(state.person).lower()
    return ""


@dataclass
class _Reading:
    """The question with what it names and the asker's role, before the kind is decided."""

    f: _Found
    base: Intent
    topic: str | None
    target: str | None
    asks_subject: bool
    subject: str | None


def _read(question: str, state: State, kb: Knowledge, kmap: KnowledgeMap, role: str | None) -> _Reading:
    f = find(question, kb, kmap)
    q = f.q
    bare = _bare_role_asked(f, kb)
    if bare:
        f.subjects = [bare]
    elif not f.subjects and state.role and not f.roles:
        f.subjects = _described_subject(q, kb, state.role)
    before = _explained(state.subjects[0], kb) if state.subjects else None  # the conversation's subject
    topic = _topic(q, kb, f.subjects[0] if f.subjects else before)
    # "做产品的想升总监得干啥": a path named by its cue (升总监) is what is asked of the role, not what it does
    on_path = bool(f.path) and f.path not in q and not topic and len(f.roles) == 1
    asks_subject = (
        bool(f.subjects)
        and not on_path
        and (
            has(q, kb.cues("explain"))
            or has(q, kb.cues("compare"))
            or bool(topic)
            or _names_narrow_role(f, kb)
        )
    )
    own = _own_role(f, kb, asks_subject)
    target = _transition_target(f, kb)
    if target and own is None:
        own = _transition_from(f, kb, None)
    base = Intent(
        role=role or own or state.role,
        stated_role=bool(role or own),
        risk=_risk(q, kb, state.risk),
        situation=situation(q, kb) or state.situation,
    )
    pointed = before if _SUBJECT_PRONOUN.search(q) else None
    return _Reading(f, base, topic, target, asks_subject, _asked_subject(f, kb) or pointed)


def _explained(subject: str, kb: Knowledge) -> str | None:
    """The explained role a subject of the conversation stands for: a move's target may be a role name
    ("当产品助理" → 产品), whose explained role is 产品经理."""
    return subject if kb.explainer(subject) else kb.explained_role(subject)


def _bare_role_asked(f: _Found, kb: Knowledge) -> str | None:
    """ "运营主要干哪几件事": a role named as what the question is about (it opens the question, nobody
    says it is theirs) and asked what it does is the role an article explains for it."""
    if f.subjects or f.path or len(f.roles) != 1 or SELF.search(f.q) or not has(f.q, kb.cues("explain")):
        return None
    role = f.roles[0]
    return kb.explained_role(role) if f.q.lstrip().startswith(role.lower()) else None


def _names_narrow_role(f: _Found, kb: Knowledge) -> bool:
    """The question names, not as the asker's own, a role an article explains that is narrower than a
    role (数据运营 under 运营): then it asks what that role is ("数据运营平时做什么", "流量运营主要负责哪些
    工作"), whatever its wording, unless the asker says who they are or asks about a move."""
    speaks_of_kin = has(f.q, kb.cues("kin"))  # "我闺女…说是做用户运营": her job, not the asker's
    if (SELF.search(f.q) and not speaks_of_kin) or f.path or has(f.q, kb.cues("transition")):
        return False  # the asker says who they are, or asks about a move
    explained = [e for e in map(kb.explainer, f.subjects) if e and e.parent]
    # narrower: not the role's own explainer (产品经理 stands for 产品)
    return any(
        kb.explained_role(e.parent) != e.name and not _stated_as_own(f.q, e.aliases) for e in explained
    )


def _asked_subject(f: _Found, kb: Knowledge) -> str | None:
    """The first explained role the question asks about: one the asker only says they do ("我在做用户运营，
    …产品运营…") gives way to another one it names."""
    asked = [s for s in f.subjects if not _stated_as_own(f.q, kb.explainer(s).aliases)]
    return asked[0] if asked else (f.subjects[0] if f.subjects else None)


def _stated_as_own(q: str, aliases) -> bool:
    at = first_at(q, aliases)
    return at > 0 and bool(_OWN_BEFORE.search(q[max(0, at - 10) : at]))


def _names_family(q: str, family: dict, kb: Knowledge) -> bool:
    """The question names a group of roles: by its words ("运营岗位"), or by the role its members belong
    to and a word for jobs ("运营都分哪几种岗位") or for splitting into kinds ("运营又分好几种是吧")."""
    parents = {e.parent for e in map(kb.explainer, family["members"]) if e and e.parent}
    return has(q, family["words"]) or (
        has(q, tuple(parents)) and (has(q, _JOB_WORDS) or bool(_SPLIT_INTO.search(q)))
    )


def _one_asked(r: _Reading, family: dict, kb: Knowledge) -> bool:
    """ "运营分好多种吧，流量运营是干嘛的": the group is the frame, the one member named is what is asked."""
    named = [s for s in r.f.subjects if s in family["members"]]
    return len(named) == 1 and has(r.f.q, kb.cues("explain")) and not has(r.f.q, kb.cues("compare"))


_SPLIT_INTO = re.compile(r"分(?:成|为)?(?:好|哪)?[几多][种类个]|好几[种类]")


_JOB_WORDS = ("岗位", "职位", "岗", "工种")


def _gives_way(q: str, pronoun: str, kb: Knowledge) -> bool:
    """A person the question only describes is not the one it is about when it speaks of someone by
    the other pronoun ("我老婆…手动发券…她干活比人家慢"), of the asker's own family without asking for a
    case ("我老公在大厂做后端十几年…他这种情况"), or compares ("产品跟运营到底差在哪？我天天做的拉新…")."""
    used = {p for p in "他她" if p in q}
    other_pronoun = bool(used) and pronoun not in used
    kin = has(q, kb.cues("kin")) and not asks_case(q, kb)
    return other_pronoun or kin or has(q, kb.cues("compare"))


def _pointed(q: str, kb: Knowledge) -> bool:
    """A third-person word that points (那个, 有位…), not a pronoun (他, 她)."""
    return has(q, [c for c in kb.cues("third_person") if not POINTER.fullmatch(c)])


def _about_someone(
    r: _Reading, state: State, kb: Knowledge, kmap: KnowledgeMap, role: str | None
) -> Intent | None:
    """A person, a group of roles, two roles compared, a move to another role, or a role explained."""
    q, base = r.f.q, r.base
    person, resolved = _person(r.f, kb, kmap, state)
    if person and r.f.faint and not resolved and r.subject and r.asks_subject and not _pointed(q, kb):
        person = None  # "我老婆当产品经理…天天…她具体干啥": one word of a story and "她" are no person
    if person and r.f.described and not resolved and _gives_way(q, kb.person(person).pronoun, kb):
        person = None
    if person and resolved and SELF.search(q) and has(q, kb.cues("risk")):
        person = None  # "我也想像她那样出来干，兜底的钱得备多少": the asker's own safety net
    if person and resolved and r.f.path and r.f.path_role and has(q, kb.cues("compare")):
        person = None  # "她那种跟私域顾问是不是一回事？收入咋样": the path she is held against is asked
    if person:
        kind = "story" if kb.person(person).heading else "case"
        if not SELF.search(q):  # "那个做收银系统的程序员" describes the person, not the asker
            base = replace(base, role=role or state.role, stated_role=bool(role))
        # "老张后来呢" right after his story: named again, it still goes on from what was told
        again = person == state.person and state.topic in ("story", "case") and bool(_LATER.search(q))
        found = replace(base, kind=kind, person=person, follow_up=resolved or again, topic=r.topic)
        return replace(found, described=r.f.described)
    family = next(
        (
            n
            for n, fam in kb.families.items()
            if _names_family(q, fam, kb) and has(q, fam["cues"]) and not _one_asked(r, fam, kb)
        ),
        None,
    )
    if family:
        return replace(base, kind="family", subjects=kb.families[family]["members"], topic=family)
    comparing = has(q, kb.cues("compare"))
    if base.role and _CHOICE.search(q) and WHICH.search(q):
        # "该往上升、转客户成功还是自己出来干，咋判断适合哪条": a choice among the role's paths
        return replace(base, kind="paths")
    pair = _compare(r.f, kb, state) if comparing else None
    paths = _paths_named(q, kb, kmap, base.role) if comparing and not pair else []
    # "他们跟产品经理有啥区别", "产品和运营到底有啥不一样": 运营 is compared, not the asker's role
    if (
        pair
        and not r.f.subjects
        and len(r.f.roles) == 1
        and (POINTER.search(q) or (r.f.roles[0] in pair and not SELF.search(q)))
    ):
        base = replace(base, role=state.role, stated_role=False)
    if pair or (len(paths) >= 2 and base.role):
        return replace(base, kind="compare", subjects=pair or tuple(paths[:2]))
    if comparing and WHICH.search(q):  # "这几条路到底有啥区别": every path, side by side
        return replace(base, kind="paths", topic=None if base.role else KINDS_OF_PATH)
    target = kb.explainer(r.target or "")
    if target and base.role and target.parent != base.role:  # "做了6年用户运营，想转产品经理"
        return replace(base, kind="transition", subjects=(target.name,))
    if (
        r.subject
        and (r.asks_subject or _SUBJECT_PRONOUN.search(q))
        and not _in_target(q, r.subject, kb, kmap)
    ):
        return replace(base, kind="explain", subjects=(r.subject,), topic=r.topic)
    return None


def _in_target(q: str, subject: str, kb: Knowledge, kmap: KnowledgeMap) -> bool:
    """The explained role is named only inside a longer path target ("往AI产品经理那边靠": 产品经理 in
    横向跨界's "AI 产品经理"): the question is about that path, not about the role in general."""
    explainer = kb.explainer(subject)
    if explainer is None:  # a subject an added article explains under its own heading, with no aliases
        return False
    sq = squash(q)
    targets = [t for info in kmap.all_paths() for t in map(squash, info.targets) if len(t) >= 3 and t in sq]
    hits = [squash(a) for a in explainer.aliases if squash(a) and squash(a) in sq]
    return bool(hits and targets) and all(any(a in t and len(t) > len(a) for t in targets) for a in hits)


def analyze(
    question: str, state: State, kb: Knowledge, kmap: KnowledgeMap, role: str | None = None
) -> Intent:
    """The intent of ``question`` in the conversation so far; ``role`` is a role chosen in the app."""
    r = _read(question, state, kb, kmap, role)
    f, q, base = r.f, r.f.q, r.base
    found = _about_someone(r, state, kb, kmap, role)
    if found is not None:
        return found
    # "有具体例子吗…我怕他翻车": the topic's examples; but a story asked for after risk control, the
    # toolkit or the pains ("有没有跟他差不多的人后来重新站起来的故事") is a person's story
    storied = has(q, kb.cues("story_asked")) and state.topic in ("risk", "toolkit", "pains")
    # "有没有做市场的人转型成功的真实例子" after the pains: someone who made it, a path's case, not a pain's
    storied = storied or (state.topic == "pains" and bool(_MADE_IT.search(q)))
    case = asks_case(q, kb)
    if (
        has(q, kb.cues("analogy"))
        and (state.subjects or state.topic)
        and not (f.persons or f.roles or f.subjects or f.path)
    ):
        # "能打个比方不" after what two jobs are: the articles' likeness for what was just asked about
        return replace(base, kind="general", follow_up=True, subjects=tuple(state.subjects))
    if case and state.topic in _EXAMPLED and not storied:
        follow = _continued(base, f, kb, state, example=True)
        if follow is not None:
            return follow
    if case and state.topic == "paths" and state.role and not (f.path or f.roles):
        described = _described_path(q, kb, kmap, state.role)
        if described:  # "用AI投广告那个能举个例子不" after a role's paths: the path it describes, its case
            return replace(base, kind="path", role=state.role, path=described, topic="case", follow_up=True)
    for kind in ("toolkit", "risk"):
        said = [c for c in kb.cues(kind) if c in q]
        if kind == "toolkit" and _TABLE.search(q):  # "有没有啥表能帮我理一理": a table asked for
            said.append("表")
        if not said:
            continue
        path_role = f.path_role or base.role
        if f.path and path_role and _all_said(said, _path_text(kmap, path_role, f.path)):
            break  # "想转AI架构师，你说要内部小项目试错": a step of the path named, not risk control
        # "有没有现成的表格" asks for the toolkit itself, though the path just shown names a 表格 tool
        if kind == "risk" and base.role and _told_before_asking_way(q, said, kb):
            continue  # "天天背指标…有没有收入稳一点的方向": the way asked for is the role's paths
        ready = kind == "toolkit" and asks_ready_made(q)
        # "第一次失败亏了多少啊" after someone's story: a figure of that story, not risk control
        of_story = state.topic == "story" and bool(state.person) and not SELF.search(q) and kb.shapes_asked(q)
        follow = (
            _continued(base, f, kb, state)
            if not ready and (of_story or _all_said(said, current_text(state, kmap)))
            else None
        )
        if follow is not None:
            return follow  # "活动运营是干啥的" → "指标看啥": the 指标 of 活动运营, not the guide's 数据验证
        return replace(base, kind=kind)
    if f.path and f.path not in q and _TYPES.search(q):
        # "转型分往上升、跨过去、斜着叉出去三种，啥意思": a path's cue among the kinds counted is the kinds
        return replace(base, kind="paths", topic=None if base.role else KINDS_OF_PATH)
    direction = _direction(q, kb, kmap, base.role)
    if (f.path or direction) and (f.path_role or base.role):
        return replace(base, kind="path", path=f.path or direction, role=base.role or f.path_role)
    # "当产品经理是不是得自己会写代码啊": what the job asks of anyone (its 能力), not someone's move
    asks_of_job = bool(r.topic) and not base.role and r.subject == r.target
    if (
        r.target
        and r.target not in kb.roles.get(base.role or "", ())
        and r.target != base.role
        and not asks_of_job
    ):
        return replace(base, kind="transition", subjects=(r.target, *_moved_from(f, kb, r.target)))
    if r.subject and not base.role:
        return replace(base, kind="explain", subjects=(r.subject,), topic=r.topic)
    if has(q, kb.cues("conclusion")):  # "那三个人的故事，作者最后到底想说啥": settled by retrieval
        return replace(base, kind="conclusion")
    if has(q, kb.cues("pains")):
        return replace(base, kind="pains")
    if f.path:
        return replace(base, kind="path", path=f.path)
    follow = _continued(base, f, kb, state)
    if follow is not None:
        return follow
    broad = kb.broad_re is not None and kb.broad_re.search(q)
    bare_statement = bool(SELF.search(q)) and base.stated_role and len(q) <= 16  # "我是做运营的"
    # "我弟在游戏公司做主程，40了被裁，说再也不想进大厂了": asks nothing; the role's ways out, the net first
    # (not "那个在杭州电商干了9年被裁的财务": someone else described, whose story retrieval finds)
    told = bool(base.stated_role and base.situation) and not (
        asks_anything(q) or _pointed(q, kb) or tells_of_someone(q, kb)
    )
    bare_statement = bare_statement or told
    if case and state.role and state.topic is None and not f.roles and not broad:
        # "真有砍那么狠的吗，有没有具体例子" after a question retrieval answered ("为啥公司一降本第一个砍的
        # 总是客户成功部门"): the examples beside what it found, not the role's paths
        return replace(base, kind="general", follow_up=True)
    # "有没有做技术的人真转成功的例子": the role's paths with their cases, and its people's stories
    detail = has(q, kb.cues("detail"))
    if base.role and (broad or bare_statement or detail or case):
        # "自己接私域的活靠谱吗？具体咋起步": the one path whose words it says, in detail
        only_detail = detail and not (broad or bare_statement or case)
        described = _described_path(q, kb, kmap, base.role) if only_detail else None
        if described:
            return replace(base, kind="path", path=described)
        return replace(base, kind="paths")
    if broad and not base.role and WHICH.search(q):  # "有哪几条路": whose, retrieval may find ("做数据这行
        # 的…"); "转型总体上有哪几类路子" asks for the guide's kinds of path, whoever asks
        return replace(base, kind="paths", topic=KINDS_OF_PATH if _TYPES.search(q) else None)
    return base


_MADE_IT = re.compile(r"成功|干成|转成了|转过去了|上岸|翻身|混得(?:不错|还行|好)")
_CLAUSE = re.compile(r"[^，,。？?！!；;]+")


def _told_before_asking_way(q: str, said: list[str], kb: Knowledge) -> bool:
    """The question asks which way to go (``questions.broad``: "有没有…的方向") in a clause of its own,
    and the cue words ``said`` are only in the clauses that tell the asker's situation."""
    way = kb.broad_re.search(q) if kb.broad_re is not None else None
    if way is None:
        return False
    asking = next((c.group() for c in _CLAUSE.finditer(q) if c.start() <= way.start() < c.end()), "")
    return not any(w in asking for w in said)


# the asker means to do something themselves ("我也想试试…", "我打算…"), not to hear more of it
_OWN_MOVE = re.compile(r"我(?:也|自己)?(?:想|打算|准备|要)(?!知道|问|了解|听)")
_LATER = re.compile(r"后来|然后|之后|接着|现在|如今|最后")
_WHAT_NOW = re.compile(r"咋办|怎么办|如何是好|咋整|怎么破|出路|咋弄|怎么做|稳住|先干点?啥|先做点?啥|先做什么")
KINDS_OF_PATH = "kinds"  # the topic of a question about the kinds of path, asked for no role
_CHOICE = re.compile(r"还是|或者|要么")
WHICH = re.compile(r"哪几|[几哪三][类种条]|分几(?!步)|总体|整体|大方向")
_TYPES = re.compile(r"[几哪三][类种]|分几(?!步)|总体|整体|大方向")  # not "分几步走": a path's steps
