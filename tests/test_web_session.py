"""The role radio follows the role a conversation remembers only to a choice it offers: set to any other
value (a role an article added after the page was built), Gradio refused every later event of the chat
and the page showed 错误 instead of answers."""

from __future__ import annotations

from advisor.web import session

META = {"1": {"state": {"role": "客服"}, "sources": ""}}
HISTORY = [{"role": "user", "content": "我老婆做客服主管"}, {"role": "assistant", "content": "…"}]


def test_the_radio_follows_a_remembered_role_it_offers():
    follow = session.after_answer(HISTORY, META, "全部", ["全部", "运营", "客服"])[0]
    assert follow == "客服"


def test_the_radio_keeps_its_value_for_a_role_it_does_not_offer():
    follow = session.after_answer(HISTORY, META, "全部", ["全部", "技术", "产品", "运营", "市场"])[0]
    assert follow != "客服"
    saved = session.saved_value(HISTORY, META)
    role = session.restore(saved, ["全部", "技术", "产品", "运营", "市场"])[3]
    assert role != "客服"
    assert session.restore(saved, ["全部", "客服"])[3] == "客服"
