"""How the articles write a person's name: 老沈, 小陈, 阿May, 王姐, 海哥. Shared by the structure reader
(a path's case is the paragraph that names someone) and discovery (who that someone is)."""

from __future__ import annotations

import re

NAME = r"(?:[老小阿](?:[A-Z][a-z]+|[\u4e00-\u9fffA-Z])|[\u4e00-\u9fff][姐哥叔姨])"  # 老沈, 王姐, 阿May
# a case's person, introduced: "老葛，37 岁", "林姐 37 岁", "小周(…)", "老穆今年…" ("小步试错" is nobody)
CASE_PERSON = re.compile(rf"({NAME})(?:\s*[,，(（]|\s*\d{{2}}\s*岁|今年)")
