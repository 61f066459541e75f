"""How the articles write a person's name: 老沈, 小陈, 阿May, 王姐, 海哥, and full names (许捷, 孙晓雯) where
the text introduces them. Shared by the structure reader (a path's case is the paragraph that names someone)
and discovery (who that someone is)."""

from __future__ import annotations

import re

NAME = r"(?:[老小阿](?:[A-Z][a-z]+|[\u4e00-\u9fffA-Z])[姐哥]?|[\u4e00-\u9fff][姐哥叔姨])"  # 老沈, 王姐, 阿May, 小乔姐
# The common single-character surnames: a full name is one of them and one or two more characters. Alone
# that is any word ("高薪", "周末"), so a full name counts only where the text introduces someone.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
FULL_NAME = rf"(?:[{SURNAMES}][\u4e00-\u9fff]{{1,2}})"
_AGE = r"\d{2}\s*岁"
# A full name stands after no other character ("的程序员，35 岁" is nobody), or after a word that
# introduces someone ("前同事叫许捷", "访谈嘉宾陈屿").
_INTRODUCED = r"(?:(?<![\u4e00-\u9fff])|(?<=叫)|(?<=是)|(?<=嘉宾)|(?<=同事)|(?<=朋友)|(?<=同学))"
# a case's person, introduced: "老葛，37 岁", "林姐 37 岁", "小周(…)", "老穆今年…", "许捷，36 岁"
# ("小步试错" is nobody; nor is "高薪" without an age after it)
# …and a given name or a nickname told with an age by who introduces them ("前同事美玲，41岁", "我认识的
# 大刘，36岁")
_GIVEN = r"(?:(?<=同事)|(?<=朋友)|(?<=认识的)|(?<=叫))([\u4e00-\u9fff]{2})"
CASE_PERSON = re.compile(
    rf"({NAME})(?:\s*[,，(（]|\s*{_AGE}|今年)|{_INTRODUCED}({FULL_NAME})(?:\s*[,，]\s*|\s*|今年\s*){_AGE}"
    rf"|{_GIVEN}\s*[,，]?\s*{_AGE}"
)


def introduced(m: re.Match) -> str:
    """The name a ``CASE_PERSON`` match introduces."""
    return next(g for g in m.groups() if g)
