"""Do the articles speak about what the question asks? Its focus, found and checked.

The focus is the question's own words for the thing it asks about — nouns and verbs that are neither
framing ("靠谱", "来得及"), nor names the knowledge base already knows (roles, persons, paths, cue
words) — joined into phrases ("失业金", "N+1赔偿", "进大厂"). Each phrase is looked up in the
articles: present, mentioned only through its head word ("赔偿" for "N+1赔偿"), or absent. Any
absent phrase: not covered; only passing mentions: partly covered; else covered. The rules'
word lists live under ``focus:`` in ``corpus/scope.yaml``, calibrated on its own examples.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import jieba.posseg

from advisor.index.search import Passage
from advisor.kb.facts import Knowledge
from advisor.kb.knowledge_map import KnowledgeMap, squash
from advisor.text.occurrences import Occurrences
from advisor.text.structure import Span, sentences
from advisor.text.tokens import (
    ASKS,
    DOMAIN_DICT,
    POINTER,
    STOPWORDS,
    asks_anything,
    first_word,
    is_everyday,
    is_general,
    said_as_word,
    tokenize,
)

# "我前同事说实在不行就去送外卖": the asker tells what someone they know does, as a question about others
_SOMEONE_I_KNOW = re.compile(
    r"我(?:的)?(?:前|老|大学|高中|初中)?(?:同事|朋友|同学|哥们|闺蜜|邻居|室友|舍友|发小|老乡|亲戚|[表堂][哥姐弟妹])"
)
# "有没有程序员被裁后搞自媒体的例子": an example asked for is about others, whoever asks
_EXAMPLE_ASKED = re.compile(r"例子|案例|故事|真事|先例|实例")

log = logging.getLogger(__name__)
COVERED, PARTIAL, ABSENT = "covered", "partial", "not_covered"
MAX_MENTIONS = 2
EVIDENCE_PASSAGES = 2  # the best passages whose words count as evidence for a question
BARE_ASK_CHARS = 6  # "值不值得", "求指点": a trailing clause this short asks about what came before
EVIDENCE_WORDS = 2  # topical words of the question they must share to answer past an unknown word
_JOINERS = {"+", "-", "＋"}
_CLAUSE = re.compile(
    r"[，,。；;！!？?\n]+|\s{2,}|(?<=[\u4e00-\u9fff])\s(?=[\u4e00-\u9fff])"
)  # a phone's space too
# A last clause that only points at what came before ("这样行得通吗", "这么干靠谱不"): the plan it judges is
# what is asked about.
_POINTS_BACK = re.compile(r"^(?:那|那么)?(?:这样|这么|那样|那么做|这种|这些|如此)")
# "先不辞职": what follows a negation is not what is asked (没 takes nouns: "没社保" asks about 社保).
_NOT_DOING = frozenset(
    {"不", "别", "不想", "不要", "不用", "不打算", "先不", "不敢", "没敢", "不太敢", "不太想"}
)
# "做财务的", "我是干行政的", "当会计的": the asker's own job, said before the question.
_STATED_JOB = re.compile(r"(?:^|[我，,。\s])(?:是)?(?:做|干|搞|当)(?P<job>[\u4e00-\u9fffA-Za-z]{2,6}?)的")
# "我是UI设计师", "我是一名HRBP": a job title said of oneself (its last characters say it is a job).
_STATED_TITLE = re.compile(
    r"我是(?:一[个名位])?(?P<job>[\u4e00-\u9fffA-Za-z]{1,8}?(?:师|员|经理|主管|总监|专员|顾问|编辑|BP|bp))"
    r"(?=[，,。！!？?、\s]|$)"
)
# "做数据那种的": one of the kinds just listed, no job of one's own
_KIND_POINTED = re.compile(r"[那这][种类个]$")
_COUNTED = re.compile(r"[\d一二三四五六七八九十几两年月]")  # "做了十年的", "做到总监的": no job named
# Money asked for, and a sentence that states pay with a figure ("薪资涨幅可达 30%-50%", "时薪…二十块").
# pay and prices, not savings ("收多少钱合适", "怎么定价")
_PAY = r"挣|赚|到手|工资|薪资|薪水|收入|年包|月薪|年薪|时薪|收费|价格|学费|收多少|要价|定价|报价"
# what something costs the asker, or what a platform takes ("入驻要交多少钱", "平台抽成几个点")
_FEE = r"费用|入驻费|会员费|服务费|抽成|佣金|扣点|[交付买]\S{0,3}?多少钱|多少钱一[个门套节年月]"
_MONEY_ASKED = re.compile(f"{_PAY}|{_FEE}")
_HOW_MUCH = re.compile(r"多少|几[千万百块]|几个点|几成|多高|什么价|啥价|贵不贵")
_FIGURE = r"(?:\d|[一二三四五六七八九十百千万两]+)\s*(?:%|元|块|万|倍|k|K)"
_PAY_FIGURE = re.compile(rf"(?:{_PAY}|薪)[^\n]{{0,24}}?{_FIGURE}|{_FIGURE}[^\n]{{0,24}}?(?:{_PAY}|薪)")
# An amount, not a share: a raise "高 20%-30%" says nothing of what a job pays ("月薪大概多少")
_AMOUNT = r"(?:\d|[一二三四五六七八九十百千万两]+)\s*(?:元|块|万|k|K)"
_PAY_AMOUNT = re.compile(rf"(?:{_PAY}|薪)[^\n]{{0,24}}?{_AMOUNT}|{_AMOUNT}[^\n]{{0,24}}?(?:{_PAY}|薪)")
# A fee stated with its figure close by ("抽成 10%"); "按项目收费…收入…高 50%" is a raise, not a fee.
_FEE_FIGURE = re.compile(
    rf"(?:费|抽成|佣金|扣点|价)[^\n]{{0,8}}?{_FIGURE}|{_FIGURE}[^\n]{{0,8}}?(?:费|抽成|佣金|扣点)"
)
_RAISE = re.compile(
    r"涨|提升|提高|高多少|多拿|翻倍|多挣|多赚|比\S{0,12}?[多高]"
)  # compared: a percent answers
# "备点", "先学点", "看下", "试一下", "试一试": a verb and a measure word, not a topic
_QUANTIFIED = re.compile(r"^[先再多还就]?.[点些下]$|^.{1,2}一[下点些]$|^(.)一\1$")
# "降点薪", "学些技术": a measure word inside a verb and its object
_MEASURE_INSIDE = re.compile(r"(?<=.)(?:一)?[点些](?=.)")
# "多不多", "值不值得", "难不难": a yes-or-no question's frame (A-not-A), not what is asked about
_A_NOT_A = re.compile(r"(.{1,2})不\1")
# "家里还有房贷", "背着三百万车贷": a burden the asker has, told beside the question, not asked about
# (not "我有PMP证…", which may be what is asked about, nor "还有没有…": a question)
_HAD = re.compile(r"(?:还有|背着?|扛着?|欠着?|压着)(?!没|啥|什么|哪|无|点|些)[^，,。；;！!？?\s]{0,3}$")
# the burden said after it: "房贷还压着"
_WEIGHS = re.compile(r"\s*(?:还|也|都)?(?:压着|背着|没还完|要还|还没还完)")


@dataclass(frozen=True)
class Phrase:
    text: str  # the question's own words, a bound verb included ("领失业金")
    words: tuple[str, ...]  # its focus words, squashed ("失业金",); joined numbers count as one ("n+1")
    bound: str = ""  # a one-character verb that changes what it asks ("进" in "进大厂")

    @property
    def check(self) -> str:
        return squash(self.text)

    @property
    def head(self) -> str:
        """Chinese phrases end in their head: the last word of two characters or more."""
        return next((w for w in reversed(self.words) if len(w) >= 2), self.words[-1])

    def __len__(self) -> int:
        return len(self.check)


@dataclass(frozen=True)
class Coverage:
    """How the answerability decision was reached (kept in the ``Answer`` for the eval and debugging)."""

    verdict: str = COVERED
    phrases: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    head: str | None = None
    mentions: tuple[Span, ...] = ()
    reason: str = ""
    amount: bool = False  # what is missing is an amount of money (``unstated_pay``): the answer may show it

    @property
    def focus_text(self) -> str:
        """The question's words for what the articles do not cover, for "文章没有讲到{focus_text}"."""
        return "、".join(self.missing)

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "phrases": list(self.phrases),
            "missing": list(self.missing),
            "head": self.head,
            "reason": self.reason,
        }


@lru_cache(maxsize=8)
def _pos_with(words: frozenset[str]) -> jieba.posseg.POSTokenizer:
    """A part-of-speech tokenizer that also knows ``words`` (个税, 软考…) as nouns; separate from the
    search tokenizer, whose segmentation the index was built with."""
    tok = jieba.Tokenizer()
    tok.load_userdict(str(DOMAIN_DICT))
    for w in words:
        tok.add_word(w, freq=2000, tag="n")
    return jieba.posseg.POSTokenizer(tok)


def anchor_words(kb: Knowledge) -> set[str]:
    """The names the knowledge base is built around (roles, persons, explained roles, paths): a
    question that uses them is about the articles' subjects."""
    words = kb.known_names() | set(kb.target_aliases) | set(kb.target_aliases.values())
    return {squash(w) for w in words}


def known_words(kb: Knowledge) -> set[str]:
    """Names and cue words of the knowledge base: never a focus the articles lack. The setting
    (大厂, 中年: ``intents.frame``) is not among them: it can be what a question asks about."""
    words = set(anchor_words(kb)) | set(kb.synonyms)
    cues = [v for k, v in kb.intents.items() if k != "frame"]
    topics = [ref.cues for ref in kb.explainer_topics.values()]  # 文科, 没写过代码: 非技术背景
    for group in (*cues, *kb.synonyms.values(), *kb.risk_cues.values(), *kb.path_cues.values(), *topics):
        words |= set(group)
    return {squash(w) for w in words}


@dataclass
class Answerability:
    """The decision over one index generation (its bodies, knowledge data and calibration lists)."""

    kmap: KnowledgeMap
    data: dict
    known: set[str] = field(init=False)
    corpus: Occurrences = field(init=False)  # the bodies, then the headings, squashed
    doc_ids: list[str] = field(init=False)  # whose body ``corpus.texts[i]`` is

    def __post_init__(self) -> None:
        self.known = known_words(self.kmap.kb)
        self.anchors = anchor_words(self.kmap.kb)
        headings = [h for sections in self.kmap.outlines.values() for s in sections for h in s.path]
        self.doc_ids = list(self.kmap.bodies)
        self.corpus = Occurrences([*map(squash, self.kmap.bodies.values()), squash(" ".join(headings))])
        self.generic = {squash(w) for w in self.data.get("generic", [])}
        self.modals = tuple(self.data.get("modal_prefixes", []))
        self.bound = set(self.data.get("bound_verbs", []))
        self.tags = set(self.data.get("focus_tags", []))
        self.method_cues = tuple(self.data.get("method_cues", []))
        self.focus_words = {squash(w) for w in self.data.get("focus_words", [])}
        self.kin = tuple(squash(w) for w in self.kmap.kb.cues("kin"))
        self.main_share = float(self.data.get("main_share", 0.5))
        self.common = int(self.data.get("common_count", 10))
        self.likeness_floor = float(self.data.get("likeness_floor", math.inf))
        self.general_floor = float(self.data.get("general_likeness_floor", math.inf))

    def _focusable(self, word: str, flag: str) -> str | None:
        """The word as a focus candidate, or None (framing, known, too short, not a noun)."""
        w = squash(word)
        bare = w
        while bare[:1] and bare[0] in self.modals and len(bare) > 1:  # "能涨", "要学": the verb counts
            bare = bare[1:]
        if flag.startswith("v") or len(bare) <= 1:  # a noun like 会计师 keeps its first character
            w = bare
        if w in self.focus_words:
            return w
        if any(w.startswith(k) for k in self.kin):  # "帮我老公问下": who asks, not what about
            return None
        latin = _LATIN_HEAD.match(w)  # "PMP证", one token: the certificate named
        if latin and latin.group(0) != w and latin.group(0) in self.focus_words:
            return latin.group(0)
        if _QUANTIFIED.match(w) or _A_NOT_A.search(w):
            return None
        if flag not in self.tags or w in STOPWORDS or w in self.generic or self._known(w):
            return None
        return w if len(w) >= 2 or flag == "eng" else None

    def present(self, word: str) -> bool:
        """Does the word occur in the articles (headings included)?"""
        return self.corpus.contains(squash(word))

    def _known(self, w: str) -> bool:
        """A known name, or a word made mostly of one ("岗能涨薪" holds 涨薪)."""
        return w in self.known or (
            len(w) >= 4 and any(len(k) >= 2 and 2 * len(k) >= len(w) and _holds(w, k) for k in self.known)
        )

    def _tokens(self, question: str) -> list[tuple[str, str]]:
        """(word, tag) pairs, a one-character noun joined to the word before it (失业+金 → 失业金)."""
        out: list[tuple[str, str]] = []
        for t in _pos_with(frozenset(self.focus_words)).cut(question):
            prev = out[-1] if out else ("", "x")
            if len(t.word) == 1 and t.flag.startswith("n") and len(prev[0]) >= 2 and prev[1][:1] in "nejl":
                out[-1] = (out[-1][0] + t.word, "n")
            else:
                out.append((t.word, t.flag))
        return out

    def read(self, question: str) -> tuple[list[Phrase], int]:
        """The question's focus phrases (runs of adjacent focus words, "+1" style joiners kept), and
        how many characters of it are names the knowledge base knows (its anchors)."""
        toks = self._tokens(question)
        out: list[Phrase] = []
        run: list[str] = []
        shown: list[str] = []  # the question's own spelling ("GDPR", not "gdpr")
        anchors = 0
        for i, (word, tag) in enumerate([*toks, ("", "x")]):
            focus = self._focusable(word, tag)
            if focus and _not_doing(toks, i):
                focus = None  # "先不辞职": what the asker will not do is not what they ask about
            if focus and _counted(toks, i):
                focus = None  # "给多少家店换上了": a count asked for, 家店 its measure and unit
            joiner = (
                bool(run) and (word in _JOINERS or (word.isascii() and word.isdigit())) and i + 1 < len(toks)
            )
            if focus or joiner:
                if joiner:
                    run[-1] += squash(word)
                else:
                    run.append(focus)
                shown.append(word.strip())
                continue
            anchors += len(squash(word)) if len(squash(word)) >= 2 and squash(word) in self.anchors else 0
            if run and word == "的":
                continue  # "保底的技能": the run is still a modifier of what follows
            named = any(f in w for w in run for f in self.focus_words)  # "跳槽时薪资": 跳槽 is asked
            if run and not named and tag in self.tags and self._known(squash(word)):
                run, shown = [], []  # "保底技能": a modifier of a noun the knowledge base knows (技能)
                continue
            if run:
                bound = toks[i - len(run) - 1][0] if i - len(run) - 1 >= 0 else ""
                bound = bound if bound in self.bound else ""
                out.append(Phrase(bound + "".join(shown), tuple(run), bound))
            run, shown = [], []
        return out, anchors

    def phrases(self, question: str) -> list[Phrase]:
        return self.read(question)[0]

    def _kind(self, p: Phrase, asks_how: bool, others: bool = False) -> str:
        """present, passing (only its head, or only once and the question asks how) or missing. A
        named topic (``focus_words``: 简历, 社保…) the articles lack is missing whatever surrounds it,
        and so is a phrase whose only present word is a common one (工作, 行业)."""
        if self.corpus.contains(p.check):
            # one mention, when it is no word of its sentence ("试验" in "A/B测试验证"), is no mention:
            # the question's word is read as its own word for what the articles do say
            once = asks_how and self.corpus.count(p.check) <= 1
            return "passing" if once and self._said_as_word(p.check) else "present"
        if len(p.check) == 2 and self.corpus.contains(p.check[::-1]):
            return "present"  # "关店" told as "她把店关了"
        loose = _MEASURE_INSIDE.sub("", p.check)  # "降点薪" is the articles' 降薪, a little of it
        if loose != p.check and len(loose) >= 2 and self.corpus.contains(loose):
            return "present"
        if any(w in self.focus_words and not self._topic_present(w, others) for w in p.words):
            return "missing"
        if p.head in self.focus_words and any(map(self.corpus.contains, self.kmap.kb.synonyms_of(p.head))):
            return "present"  # "开网店" of a story that says 跨境店: a named topic its synonym gives (above)
        if not self.corpus.contains(p.head):
            core = _present_suffix(p.head, self.corpus)  # "提高效率" asks about 效率, "讲道理" about 道理
            if core is None or asks_how:
                return "present" if is_everyday(p.head) and len(p.words) > 1 else "missing"
            return "present"
        # a phrase whose only present word is a common one (工作, 行业), or whose other words the
        # articles lack ("宠物运营"); not one of their subjects beside an everyday word ("公司CS组")
        common = self.corpus.count(p.head) > self.common and not self._said_apart(p)
        if common and (is_everyday(p.head) or not all(map(self.corpus.contains, p.words))):
            return "missing"
        if p.bound and not asks_how:
            return "passing"
        # The head is what is asked about ("保底技能" asks about 技能): a modifier the articles lack does
        # not make them silent on it, unless the question asks how that specific thing works.
        return "passing" if asks_how and any(not self.corpus.contains(w) for w in p.words) else "present"

    def _said_as_word(self, word: str) -> bool:
        return any(said_as_word(word, self.corpus.texts[i]) for i in self.corpus.where(word))

    def _said_apart(self, p: Phrase) -> bool:
        """Every word of the phrase is the articles', one of them a word of substance besides its common
        head: "转AI方向" (AI, 方向) is about what they say; "找工作" (找, 工作) is not."""
        words = [w for w in p.words if w != p.head]
        return all(map(self.corpus.contains, p.words)) and any(not is_everyday(w) for w in words)

    def _topic_present(self, word: str, others: bool = False) -> bool:
        """A named topic the articles have. For a question about other people (the stories' "那些被裁的
        中年人，有去送外卖的吗"), also as a shorter named topic inside it (外卖骑手) or by a synonym
        (``knowledge.yaml``: 摆摊 for 煎饼摊): that someone did it is told. Asked for oneself ("我能不能先去
        送外卖过渡"), it is advice the articles do not give."""
        if self.corpus.contains(word) or not others:
            return self.corpus.contains(word)
        return any(map(self.corpus.contains, self.kmap.kb.synonyms_of(word))) or any(
            len(t) >= 2 and t != word and t in word and self.corpus.contains(t) for t in self.focus_words
        )

    def _named_missing(self, p: Phrase, others: bool = False) -> bool:
        """A topic asked by name (``focus_words``) or a product's name (Axure, PMP) the articles lack."""
        shown = p.text
        return any(
            (w in self.focus_words or self._lacked_name(w, shown)) and not self._topic_present(w, others)
            for w in p.words
        )

    def _lacked_name(self, word: str, shown: str) -> bool:
        """An English word written as a name (PMP, Axure), unless it is an abbreviation the synonyms give
        in the articles' own words ("JD": 岗位需求)."""
        return (
            word.isascii()
            and word.isalpha()
            and len(word) >= 2
            and _as_name(word, shown)
            and not any(map(self.corpus.contains, self.kmap.kb.synonyms_of(word)))
        )

    def assess(
        self,
        question: str,
        passages: list[Passage],
        about: str | None = None,
        likeness: float | None = None,
        continued: bool = False,
    ) -> Coverage:
        """The decision; ``about`` names what the question is about when it is about something the
        knowledge base is built around (a story, a path…): then only a question asking how something
        works ("怎么算"), or naming a topic of ``focus_words`` the articles lack, can find them short.
        ``likeness`` (the scope gate's ``covered_margin``) is how much more the question resembles the
        labelled answered questions than the unanswered ones: at ``likeness_floor`` or above, a word
        the articles lack is read as the asker's own word for what they do cover, unless it names a
        product or a standard (PMP, GDPR). A ``continued`` question (a follow-up that names nothing of its
        own) asking about a named topic the articles lack is not covered: the subject it continues does
        not make that topic answerable."""
        aside = self.said_aside(question, passages)
        if aside is not None:
            return aside
        phrases, anchors = self.read(self.ask_clause(question))
        others = (
            "我" not in question and any(c in question for c in self.kmap.kb.cues("third_person"))
        ) or bool(_SOMEONE_I_KNOW.search(question) or _EXAMPLE_ASKED.search(question))
        # what the asker fears ("怕搞砸了全家喝西北风") is a worry the articles speak to as a whole,
        # unless it is a topic asked by name ("怕社保断缴")
        phrases = [
            p
            for p in phrases
            if not _beside(p.text, question)
            and not (_feared(p.text, question) and not self._named_missing(p, others))
        ]
        # A topic asked by name (简历, PMP) counts wherever it stands: "技术经理想考个PMP，值不值".
        named = [
            p
            for p in self.read(question)[0]
            if self._named_missing(p, others)
            and p.text not in {x.text for x in phrases}
            and not _beside(p.text, question)
        ]
        phrases = [*named, *phrases]
        if not phrases:
            return Coverage(COVERED, reason="no focus beyond names the knowledge base knows")
        asks_how = any(c in question for c in self.method_cues)
        if about and not asks_how:
            lacking = tuple(
                p.text for p in phrases if self._named_missing(p, others)
            )  # "打算裸辞…攒几个月的钱"
            if lacking and continued:  # "被裁了社保断缴怎么补" after a story: not more of the story
                reason = f"a named topic absent from the articles, in a follow-up about {about}"
                return Coverage(ABSENT, tuple(p.text for p in phrases), lacking, reason=reason)
            inner = about == "story" and all(self._inner(p) for p in phrases)
            # "他回去以后靠啥过活啊": a word for what the person did, said of them; the story tells it
            of_person = about == "story" and bool(POINTER.search(question))
            if (
                continued
                and "我" not in question
                and not inner
                and not of_person
                and self._all_absent(question, phrases, passages, likeness)
            ):
                # "热干面正宗做法是啥" after 老张's story: all it asks is absent, the story only its cue.
                # Not the asker's own word for themselves ("那我文科生能干不"): that asks about the subject.
                reason = f"all the focus of a follow-up about {about} is absent from the articles"
                names = tuple(p.text for p in phrases)
                return Coverage(ABSENT, names, names, reason=reason)
            reason = f"about {about}, a subject of the articles" + (
                ", beside a named topic" if lacking else ""
            )
            return Coverage(COVERED, tuple(p.text for p in phrases), lacking, reason=reason)
        kinds = {p: self._kind(p, asks_how, others) for p in phrases}
        total = anchors + sum(len(p) for p in phrases)
        missing = [p for p in phrases if kinds[p] == "missing"]
        passing = [p for p in phrases if kinds[p] == "passing"]
        names = tuple(p.text for p in phrases)
        weight = sum(len(p) for p in missing) / total
        named = [p for p in missing if self._named_missing(p, others)]  # 简历, 社保, Axure: asked by name
        if missing and (weight >= self.main_share or (named and len(named) == len(phrases))):
            if not named and self.spoken_to(question, missing, passages):
                reason = "an unknown word beside what the best passages speak to: answered on that evidence"
                return Coverage(COVERED, names, reason=reason)
            if not named and self._alike_answered(likeness, missing):  # 礼物, 简历: asked by name
                reason = f"worded unlike the articles, but alike the questions they answer ({likeness:.3f})"
                return Coverage(COVERED, names, reason=reason)
            if not asks_anything(question) and len(missing) < len(phrases):
                # "拿到n+1了 我老公想拿去加盟个奶茶店": told, not asked, and partly of what they cover
                reason = (
                    "a message that asks nothing: what it names the articles lack is said, the rest answered"
                )
                return Coverage(COVERED, names, tuple(p.text for p in missing), reason=reason)
            reason = f"focus absent from the articles ({weight:.0%} of the question)"
            return Coverage(ABSENT, names, tuple(p.text for p in missing), reason=reason)
        if named:  # "应届生怎么进大厂": say what is missing, then answer the rest
            reason = f"a named topic absent from the articles beside what they cover ({weight:.0%})"
            return Coverage(COVERED, names, tuple(p.text for p in named), reason=reason)
        sole = len(phrases) == 1  # a passing mention answers nothing only when it is all that is asked
        if (
            passing
            and asks_anything(question)  # "…说再也不想进大厂了" tells, asks nothing to fall short of
            and (asks_how or sole)
            and (weight + sum(len(p) for p in passing) / total) >= self.main_share
        ):
            head = passing[0].head
            reason = f"'{passing[0].text}': the articles mention only '{head}', in passing"
            return Coverage(
                PARTIAL, names, tuple(p.text for p in passing), head, self.mentions(head, passages), reason
            )
        return Coverage(COVERED, names, reason="the question's main focus occurs in the articles")

    def _inner(self, p: Phrase) -> bool:
        """A word for how someone felt or fared (``cues.inner``: 心情, 心态, 后悔): asked after a story
        ("他回县城以后一开始心情咋样"), the story tells it in its own words (焦虑得满嘴燎泡)."""
        return any(w in self.kmap.kb.cues("inner") for w in p.words)

    def _all_absent(self, question: str, phrases, passages: list[Passage], likeness: float | None) -> bool:
        """Every focus phrase is missing from the articles and no best passage speaks to it. A word too
        common to name a topic ("这种小尝试…算合理": 合理) is no focus of a follow-up: the subject is."""
        phrases = [p for p in phrases if not _everyday_phrase(p, self.focus_words)]
        missing = [p for p in phrases if self._kind(p, False) == "missing"]
        return (
            bool(phrases)
            and len(missing) == len(phrases)
            and not self.spoken_to(question, missing, passages)
            and not self._alike_answered(likeness, missing)
        )

    def said_aside(self, question: str, passages: list[Passage]) -> Coverage | None:
        """What the articles never give, said before the rest is answered: the asker's own job
        ("做财务的…怎么转型") or an amount of pay ("字节P8年包多少") none of the best passages states."""
        unknown = self.unknown_role(question)
        if unknown:
            reason = f"the asker's own job '{unknown}' is in none of the articles"
            return Coverage(COVERED, (unknown,), (unknown,), reason=reason)
        pay = unstated_pay(question, passages)
        if pay:
            reason = "an amount of money asked for that no retrieved passage gives"
            return Coverage(COVERED, (pay,), (pay,), reason=reason, amount=True)
        return None

    def unknown_role(self, question: str) -> str | None:
        """The job the asker says they do ("做财务的", "我是当会计的", "我是UI设计师") when the articles
        never mention it and it is none of the roles they cover: their paths are not this asker's."""
        m = _STATED_JOB.search(question) or _STATED_TITLE.search(question)
        if m is None:
            return None
        job = squash(m.group("job"))
        if (
            len(job) < 2
            or job[0] in "到了过完得成出个作着为"
            or _COUNTED.search(job)
            or _KIND_POINTED.search(job)
            or self._known(job)
            or any(k in job for k in self.anchors if len(k) >= 2)
        ):
            return None
        return m.group("job") if not self.corpus.contains(job) and job not in STOPWORDS else None

    def _alike_answered(self, likeness: float | None, missing: list[Phrase]) -> bool:
        """The missing words read as the asker's own words for what the articles cover: the question is
        clearly alike the answered ones (``likeness_floor``), or somewhat alike (``general_likeness_floor``)
        and every missing word is one of the general language (护城河, 招人), not a name (NPDP, 客栈's 私活)."""
        if likeness is None or likeness < min(self.likeness_floor, self.general_floor):
            return False
        if any(self._lacked_name(w, p.text) for p in missing for w in p.words):
            return False
        return likeness >= self.likeness_floor or all(_general_phrase(p, self.focus_words) for p in missing)

    def spoken_to(self, question: str, missing: list[Phrase], passages: list[Passage]) -> bool:
        """Evidence that the best passages speak to the question although one of its words is unknown
        ("有人出来帮餐馆做数据成功了吗" beside a case of 外卖平台经营分析): at least ``EVIDENCE_WORDS``
        of its other topical words occur in them. Framing words (被裁, 大厂) and everyday ones do not count."""
        # an everyday word asked directly ("这合理吗", "正常吗") asks for a judgement of what the rest of
        # the question tells: the passages that speak to the rest answer it
        if not passages or any(
            _asked_directly(p.text, question) and not _everyday_phrase(p, self.focus_words) for p in missing
        ):
            return False
        gone = {w for p in missing for w in p.words}
        frame = {squash(w) for w in self.kmap.kb.cues("frame")} | self.generic
        words = {
            t
            for t in tokenize(question)
            if len(t) >= 2 and t not in gone and t not in frame and not is_everyday(t) and not self._known(t)
        }
        text = squash(" ".join(p.text for p in passages[:EVIDENCE_PASSAGES]))
        return sum(w in text for w in words) >= EVIDENCE_WORDS

    def ask_clause(self, question: str) -> str:
        """What is asked, without the clauses that only tell who asks: every clause with a question
        word, and the last one ("我老公天天开会画图，产品经理到底在忙啥" asks about 产品经理; "GDPR有哪些
        条款，国内要遵守吗" asks both). A trailing "怎么办" carries nothing, so the clause before it counts."""
        clauses = _clauses(question)
        while len(clauses) > 1 and not any(self.read(clauses[-1])):
            if not _bare_ask(clauses[-1]):
                # "收入时有时无 啥时候该认了回去上班啊": it asks about something of its own; the clauses
                # before it tell the asker's state, unless they ask too or name a thing ("想学个烘焙，…")
                told = [c for c in clauses[:-1] if ASKS.search(c) or self._names_thing(c)]
                return "，".join([*told, clauses[-1]])
            clauses = clauses[:-1]  # "…，怎么办": the clause before says what about
        if len(clauses) > 1 and _POINTS_BACK.match(clauses[-1].strip()):
            return "，".join(clauses)  # "先海投简历，再录课卖，这样行得通吗": 这样 is what came before
        asked = [c for c in clauses[:-1] if ASKS.search(c)] + clauses[-1:]
        return "，".join(asked) if asked else question

    def _names_thing(self, clause: str) -> bool:
        """The clause has a focus phrase that names a thing ("想学个烘焙"), not only an idiom that tells
        how things go ("收入时有时无")."""
        return any(not all(first_word(w)[1] in _IDIOM_TAGS for w in p.words) for p in self.phrases(clause))

    def mentions(self, word: str, passages: list[Passage]) -> tuple[Span, ...]:
        """Sentences that mention ``word``: in the retrieved passages first, then anywhere."""
        holding = [self.doc_ids[i] for i in self.corpus.where(word) if i < len(self.doc_ids)]
        spans = [Span(p.doc_id, p.start, p.end) for p in passages] + [
            Span(doc_id, 0, len(self.kmap.bodies[doc_id])) for doc_id in holding
        ]
        found: list[Span] = []
        for span in spans:
            for s in sentences(span, self.kmap.bodies[span.doc_id]):
                if word in squash(self.kmap.text(s)) and s not in found:
                    found.append(s)
                    if len(found) >= MAX_MENTIONS:
                        return tuple(found)
        return tuple(found)


def unstated_pay(question: str, passages: list[Passage]) -> str | None:
    """The question's words for an amount of pay, a price or a fee (一个月能挣多少, 年包多少, 入驻要交多少钱)
    when none of the best passages states it with a figure: the articles give raises in percent and one
    hourly wage, never salaries, prices or platforms' fees. (Requiring the passage to share the question's
    words as well misread follow-ups, "那转过去工资能涨多少", whose subject is the conversation's.)"""
    m = _MONEY_ASKED.search(question)
    if m is None or not _HOW_MUCH.search(question):
        return None
    word = m.group(0)
    fee = re.fullmatch(_FEE, word) is not None  # a fee is stated as one: "时薪二十块" is no fee
    if any(states_pay(question, p.text) for p in passages[: EVIDENCE_PASSAGES + 1]):
        return None
    if word in _PRICE_WORDS:  # "收多少钱合适", "怎么定价": what to charge
        return "收费标准"
    if fee:  # "入驻要交多少钱": what it costs
        return "费用" if "多少钱" in word else f"{word}多少"
    return f"{word}多少" if len(word) == 1 or word == "到手" else f"{word}的具体数字"


_PRICE_WORDS = ("收多少", "要价", "定价", "报价")


def asks_raise(question: str) -> bool:
    """Pay asked for as a raise ("转过去工资能涨多少"): the articles give raises, in percent."""
    return _MONEY_ASKED.search(question) is not None and _RAISE.search(question) is not None


def states_pay(question: str, text: str) -> bool:
    """``text`` gives the amount the question asks for: a fee with its figure, a raise in percent or as
    an amount, pay as an amount ("薪资涨幅可达 30%-50%" answers "工资能涨多少", not "月薪大概多少")."""
    m = _MONEY_ASKED.search(question)
    if m is None:
        return False
    fee = re.fullmatch(_FEE, m.group(0)) is not None
    stated = _FEE_FIGURE if fee else _PAY_FIGURE if _RAISE.search(question) else _PAY_AMOUNT
    return stated.search(text) is not None


_CLASSIFIERS = "家个位台款条名只份次篇本套间所座"


def _counted(toks: list[tuple[str, str]], i: int) -> bool:
    """A measure word and a one-character noun jieba keeps as one word, right after 多少 / 几 / a number
    ("多少家店", "几个人"): what is counted, not a topic."""
    word, prev = toks[i][0], toks[i - 1][0] if i else ""
    return len(word) == 2 and word[0] in _CLASSIFIERS and (prev.endswith(("多少", "几")) or prev.isdigit())


def _not_doing(toks: list[tuple[str, str]], i: int) -> bool:
    """Word ``i`` follows a negation ("先不辞职", "不敢直接辞职": an adverb may stand between) that is not
    a question's A-not-A ("要不要注册")."""
    if i >= 2 and toks[i - 1][1] in ("d", "ad") and toks[i - 2][0] in _NOT_DOING:
        i -= 1
    neg = toks[i - 1][0] if i else ""
    if neg not in _NOT_DOING:
        return False
    before = toks[i - 2][0] if i >= 2 else ""
    return not (len(neg) == 2 and before.endswith(neg[1]))


_LATIN_HEAD = re.compile(r"[a-z][a-z0-9+#]+")


def _holds(word: str, name: str) -> bool:
    """``name`` is in ``word`` as a word of its own: a Latin name not inside a longer one ("pm" is not in
    "pmp证")."""
    at = word.find(name)
    while at >= 0:
        end = at + len(name)
        if not name.isascii() or not (
            (at and word[at - 1].isascii() and word[at - 1].isalpha())
            or (end < len(word) and word[end].isascii() and word[end].isalpha())
        ):
            return True
        at = word.find(name, at + 1)
    return False


def _general_phrase(p: Phrase, named: set[str]) -> bool:
    """Every word of the phrase is of the general language and none a named topic; a short modifier
    jieba glued together ("建条护城河": 建条) does not count against it, a long one (非全日制硕士) does."""
    return all(
        w not in named and (is_general(w) or (w != p.head and len(w) <= 2 and not w.isascii()))
        for w in p.words
    )


def _everyday_phrase(p: Phrase, named: set[str]) -> bool:
    """Every word of the phrase is an everyday one and none a named topic (社保 is everyday and named):
    stricter than ``_general_phrase``, too common to name a topic at all ("算合理": 合理)."""
    return all(is_everyday(w) and w not in named for w in p.words)


def _as_name(word: str, text: str) -> bool:
    """An English word written as a name (PMP, Axure, GDPR), not an everyday one ("all in")."""
    at = text.lower().find(word)
    spelled = text[at : at + len(word)] if at >= 0 else word
    return any(c.isupper() for c in spelled) or len(word) >= 5


def _present_suffix(word: str, corpus: Occurrences) -> str | None:
    """The word's last two or more characters when the articles have them or they are an everyday word:
    a compound the tokenizer kept whole ("提高效率", "讲道理") is about its head (效率, 道理)."""
    for k in range(1, len(word) - 1):
        tail = word[k:]
        if (corpus.contains(tail) or is_everyday(tail)) and not _QUANTIFIED.match(tail):
            return tail
    if len(word) >= 3 and word[-1] in _PEOPLE_OF and corpus.contains(word[:-1]):
        return word[:-1]  # "家里人", "身边人": the people of what the articles speak of (家里, 身边)
    return None


_PEOPLE_OF = "人们"


_ASK_WORDS = "怎么|如何|咋|多少|几|吗|哪"


def _asked_directly(phrase: str, question: str) -> bool:
    """The unknown phrase is what the question word asks about ("要怎么定价", "定价多少"): then it is the
    question's core, and passages about the rest do not answer it."""
    p = re.escape(phrase)
    return bool(re.search(rf"(?:{_ASK_WORDS})\S{{0,2}}{p}|{p}\S{{0,2}}(?:{_ASK_WORDS})", question))


_FEAR = re.compile(r"(?:怕|担心|害怕|生怕|就怕|恐怕)")


def _around(text: str, question: str) -> list[tuple[str, str]]:
    """Each place ``text`` is said: the part of its clause before it, and the part after it."""
    return [
        (_CLAUSE.split(question[: m.start()])[-1], _CLAUSE.split(question[m.end() :])[0])
        for m in re.finditer(re.escape(text), question)
    ]


def _feared(text: str, question: str) -> bool:
    """``text`` is said only after a word of fear in its clause ("怕搞砸了全家喝西北风")."""
    places = _around(text, question)
    return bool(places) and all(_FEAR.search(before) for before, _ in places)


def _bare_ask(clause: str) -> bool:
    """A trailing clause that only asks ("怎么办", "该怎么办才好呢", "值不值得") or asks nothing ("看得我
    心里发慌"), not one that asks about something ("啥时候该认了回去上班啊": 上班, though no focus word)."""
    if not ASKS.search(clause) or len(clause.strip()) <= BARE_ASK_CHARS:
        return True
    words = [
        t for t in tokenize(clause, search=False) if len(t) >= 2 and not is_everyday(t) and not ASKS.search(t)
    ]
    return not words


_IDIOM_TAGS = ("l", "i")  # jieba's idioms and set phrases: "时有时无", "半途而废"


def _clauses(question: str) -> list[str]:
    """The question's clauses, split at punctuation and a phone's space, blank ones dropped."""
    return [c for c in _CLAUSE.split(question) if c.strip()]


def _beside(text: str, question: str) -> bool:
    """``text`` only tells the asker's circumstances: a burden carried (``_only_had``) or how someone
    they know is doing, in a clause that asks nothing while another clause asks ("为啥干我们这行一到35就
    这么难，我同学在国企好好的")."""
    return _only_had(text, question) or _of_someone_i_know(text, question) or _told_after(text, question)


def _told_after(text: str, question: str) -> bool:
    """``text`` is only in clauses after the last one that asks, which ask nothing themselves and tell what
    keeps happening to the asker ("产品经理和项目经理到底啥区别啊，面试老被问懵"). Not a state told there
    ("…转行做什么好，失业金也领不到"): a topic the articles lack is still said to be missing."""
    clauses = _clauses(question)
    last_ask = max((i for i, c in enumerate(clauses) if ASKS.search(c)), default=None)
    if last_ask is None:
        return False
    after = [c for c in clauses[last_ask + 1 :] if text in c]
    return (
        not any(text in c for c in clauses[: last_ask + 1])
        and bool(after)
        and all(_KEEPS_HAPPENING.search(c) for c in after)
    )


# "老被问懵", "每次都被问住", "总是卡在这": what keeps happening to the asker
_KEEPS_HAPPENING = re.compile(r"老被|老是|总被|总是|每次|一直|天天|经常")


def _of_someone_i_know(text: str, question: str) -> bool:
    clauses = _clauses(question)
    holding = [c for c in clauses if text in c]
    asking = [c for c in clauses if ASKS.search(c) and text not in c]
    return bool(holding and asking) and all(_SOMEONE_I_KNOW.search(c) and not ASKS.search(c) for c in holding)


def _only_had(text: str, question: str) -> bool:
    """``text`` is named only as something the asker has ("家里还有房贷，有没有稳一点的试法"); asked about
    ("房贷还不上怎么办"), it counts."""
    places = _around(text, question)
    return bool(places) and all(_HAD.search(before) or _WEIGHS.match(after) for before, after in places)
