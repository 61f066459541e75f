"""Tokens: jieba (search mode) with the domain dictionary and stopwords, and which words are everyday."""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from pathlib import Path

import jieba
import jieba.posseg

DOMAIN_DICT = Path(__file__).with_name("domain_dict.txt")
# Function words carry no topic; dropping them keeps colloquial questions from matching everything.
STOPWORDS = frozenset(
    w.strip()
    for w in Path(__file__).with_name("stopwords.txt").read_text("utf-8").splitlines()
    if w.strip() and not w.startswith("#")
)
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    """One jieba tokenizer per process, with the domain words loaded (startup ~1 s)."""
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.load_userdict(str(DOMAIN_DICT))
    return tok


# Below this IDF (jieba's general Chinese table) a word is everyday: 东西 4.8, 需求 5.2; 县城 7.0 is not.
EVERYDAY_IDF = 6.5
# The commoner half of jieba's general IDF table (its median is ~12): words any Chinese speaker uses, not
# names of things (程序员客栈's 私活 is 12.5; 护城河 9.5, 保底 10.9, 不值钱 9.7 are below).
GENERAL_IDF = 12.0


@lru_cache(maxsize=1)
def _general_idf() -> dict[str, float]:
    from jieba.analyse import default_tfidf  # loads jieba's IDF table once, on first use

    return default_tfidf.idf_freq


@lru_cache(maxsize=1)
def _tagger() -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(_tokenizer())


WORD_WINDOW = 12  # characters either side of an occurrence that jieba reads to place it


def said_as_word(word: str, text: str) -> bool:
    """Some occurrence of ``word`` in ``text`` is a word of it, or inside one; not one that straddles two
    ("试验" in "测试验证": 测试 | 验证)."""
    start = text.find(word)
    while start >= 0:
        lo = max(0, start - WORD_WINDOW)
        window = text[lo : start + len(word) + WORD_WINDOW]
        a, b = start - lo, start - lo + len(word)
        spans = [(s, e) for _, s, e in _tokenizer().tokenize(window)]
        starts, ends = {s for s, _ in spans}, {e for _, e in spans}
        if (a in starts and b in ends) or any(s <= a and b <= e for s, e in spans):
            return True
        start = text.find(word, start + 1)
    return False


def first_word(text: str) -> tuple[str, str]:
    """The first word of ``text`` and its part-of-speech tag (jieba's: n… nouns, t time, v verbs)."""
    pair = next(iter(_tagger().cut(text)), None)
    return (pair.word, pair.flag) if pair is not None else ("", "x")


def tagged(text: str) -> list[tuple[str, str]]:
    """``text``'s words with their part-of-speech tags (jieba's: n… nouns, nr names, r pronouns)."""
    return [(p.word, p.flag) for p in _tagger().cut(text)]


def is_everyday(word: str) -> bool:
    """A word too common in Chinese at large to identify anything ("东西", "现在"), whatever the corpus
    says; words jieba's table lacks (码农, 社区团购) are rare by definition."""
    return _general_idf().get(word, math.inf) < EVERYDAY_IDF


# jieba's tags of words that say how, when, how much or who, never what: adverbs (偷偷), time words (天天,
# 当时), pronouns (每天), numerals and measures (整天), prepositions, conjunctions, particles, state words
_FUNCTION_TAGS = ("d", "t", "r", "m", "q", "p", "c", "u", "z", "e", "y", "o")


def names_nothing(word: str) -> bool:
    """A word that cannot describe a person or a thing, however rare in the corpus ("天天" told of 老张)."""
    first, tag = first_word(word)
    return first == word and tag != "eng" and tag.startswith(_FUNCTION_TAGS)  # "eng": AI, APP


# A word that asks: what a clause holding none of them (and no question mark) does not do
ASKS = re.compile(
    r"吗|呢|啥|什么|怎么|怎样|如何|哪|几|多少|咋|么|能不能|要不要|是不是|有没有|可不可以|该不该"
)


# "选公办还是民办", "值不值", "这岁数还值得不": a choice, an A-not-A or a closing 不 asks too
_ASKS_ALSO = re.compile(r"还是|(.)不\1|不[。！!～~\s]*$")


def asks_anything(text: str) -> bool:
    """A question mark or a word that asks, somewhere: not a message that only tells how things are."""
    return bool(ASKS.search(text) or _ASKS_ALSO.search(text)) or "?" in text or "？" in text


_ASKING = re.compile(r"[哪什怎谁几啥咋多]")  # 哪条, 什么, 怎么: a pronoun that asks says what is asked


# "那人后来呢", "这个人现在干啥": a person pointed at without 他/她 (not 我这个人, 这人生, 那人家)
PERSON_POINTER = re.compile(r"(?<![我你咱])[那这]个?人(?![们生家])|此人")
# 他, 她, ta, 那人: the one just told of (他们: several, not that one)
POINTER = re.compile(rf"[他她它](?!们)|ta\b|{PERSON_POINTER.pattern}", re.IGNORECASE)


def only_points(word: str) -> bool:
    """A pronoun that points at who or what was said (他们, 这样, 那种): "他们用 AI…" is no answer to
    "他们一个月挣多少", so a text holding it says nothing more of what is asked."""
    first, tag = first_word(word)
    return first == word and tag == "r" and not _ASKING.search(word)


def is_general(word: str) -> bool:
    """A word of the general language ("护城河", "招人"), as opposed to a name or a term jieba's table
    lacks ("NPDP", "非全日制硕士") or one only specialists use."""
    return _general_idf().get(word, math.inf) < GENERAL_IDF


def char_pairs(text: str) -> set[str]:
    """The text's adjacent character pairs: how names said loosely are matched ("AI方案架构师" shares
    ai, 方案, 架构, 构师 with "AI解决方案架构师"), whatever the tokenizer makes of them."""
    return {text[i : i + 2] for i in range(len(text) - 1)}


def tokenize(text: str, search: bool = True) -> list[str]:
    """jieba tokens (search mode: compounds and their parts), lower-cased, without punctuation or
    stopwords."""
    tok = _tokenizer()
    out = []
    for token in tok.lcut_for_search(text.lower()) if search else tok.lcut(text.lower()):
        token = token.strip()
        if token and _KEEP.search(token) and token not in STOPWORDS:
            out.append(token)
    return out
