"""The data beside the corpus (``corpus/knowledge.yaml``) names things the articles really contain:
a person, heading or section it points to that no article has would silently empty an answer plan."""

from __future__ import annotations


def test_every_person_is_in_the_articles_and_every_story_heading_resolves(adv):
    kmap = adv.derived.kmap
    for person in kmap.kb.persons:
        assert person.name in kmap.bodies[person.doc], person.name
        if person.heading:
            assert kmap.person_section(person.name) is not None, person.heading
        assert kmap.person_text(person.name), f"nothing tells about {person.name}"


def test_every_role_has_the_guides_three_paths_with_their_fit_sentence_and_steps_or_directions(adv):
    kmap = adv.derived.kmap
    for role in kmap.kb.role_names:
        paths = kmap.paths(role)
        assert [p.name for p in paths] == list(kmap.kb.paths), role
        assert all(p.fit is not None and (p.steps or p.directions) for p in paths), role


def test_every_explained_role_and_topic_points_to_a_section(adv):
    kmap = adv.derived.kmap
    for explainer in kmap.kb.explainers:
        assert kmap.explainer_sections(explainer.name), explainer.name
    for topic, ref in kmap.kb.explainer_topics.items():
        assert kmap.section(ref) is not None, topic


def test_an_added_articles_paths_fit_line_may_open_the_list_of_its_steps(adv):
    """Writers of the guide's style put "适合…,关键是 …" either as a paragraph or as the first item of the
    list its steps continue; both are the path's fit sentence."""
    from advisor.kb.discover import discover
    from advisor.kb.knowledge_map import KnowledgeMap

    body = (
        "# 测试中层转型\n\n## 二、测试中层的转型路径\n\n### (一)测试中层:适配 “AI 测试” 趋势的转型方案\n\n"
        "互联网测试中层(功能测试、自动化测试等)的转型,核心是 “对质量结果负责”。\n\n"
        "#### 1. 纵向深耕:测试经理→质量保障负责人\n\n"
        "- 适合想在质量领域继续晋升的中层,关键是 “从管执行升级为管质量体系”。\n"
        "- 1. 建立质量度量体系:每月汇报 4 个核心指标;\n"
        "- 2. 推动测试左移:在需求评审阶段介入;\n"
    )
    bodies = {**adv.derived.kmap.bodies, "qa": body}
    kmap = KnowledgeMap(bodies, discover(adv.derived.knowledge, bodies))
    info = kmap.path("测试", "纵向深耕")
    assert info is not None and len(info.steps) == 2
    assert info.fit is not None and "管质量体系" in kmap.text(info.key)


def test_a_role_under_several_names_is_one_role_known_by_each(adv):
    """ "(一)商务BD / 大客户销售中层:…": one role whose heading gives two names; its first name is the
    role, and an asker who says either ("做大客户销售的", "干了十几年商务") is of it."""
    from advisor.answering.intent import named_role
    from advisor.kb.discover import discover
    from advisor.kb.knowledge_map import KnowledgeMap

    body = (
        "# 商务中层转型\n\n## 二、转型路径\n\n### (一)商务BD / 大客户销售中层:适配 “方案化销售” 趋势的转型方案\n\n"
        "互联网 BD / 销售中层的转型,核心是 “从卖关系转向卖方案”。\n\n"
        "#### 1. 纵向深耕:销售经理→大客户总监\n\n"
        "- 适合想在销售体系内继续晋升的中层,关键是 “从个人签单升级为团队作战”。\n"
        "- 1. 选定 1-2 个重点行业:复盘过去 3 年签约数据;\n\n"
        "## 四、BD 中层转型的风险防控:三条规则\n\n### 规则一:先算 “收入安全垫”\n\n- 按家庭月支出准备现金。\n"
    )
    bodies = {**adv.derived.kmap.bodies, "bd": body}
    kb = discover(adv.derived.knowledge, bodies)
    kmap = KnowledgeMap(bodies, kb)
    assert "商务BD" in kb.role_names and "大客户销售" not in kb.role_names
    assert named_role("我做大客户销售的,想当总监", kb) == "商务BD"
    assert named_role("干了十几年商务,想出来单干", kb) == "商务BD"
    assert kmap.path("商务BD", "纵向深耕") is not None
    risk = kmap.guide_section("risk", "商务BD")
    assert risk is not None and risk.doc_id == "bd"


def test_an_article_that_numbers_its_own_paths_has_them_with_their_fit_key_and_case(adv):
    """ "出路一：…", "出路二：…" under an article's own heading, with "适合谁：" and "关键一招：" lines: the
    article's declared role has three paths (the guide's kinds by their number), each with its fit, key,
    steps and case, and the case's person is known, as 她. No path heading named a guide kind, so the
    article had no role, no paths and no case persons."""
    from advisor.answering.intent import named_role
    from advisor.kb.discover import discover
    from advisor.kb.knowledge_map import KnowledgeMap

    def path(n: str, who: str) -> str:
        return (
            f"### 出路{n}：换个地方写\n\n**适合谁：** 写了十年稿子的人。\n\n**关键一招：** 先找付钱的人。\n\n"
            f"1. 列一本账。\n2. 接一个小单。\n\n**这条路的优势：** 不看年龄。\n\n"
            f"**真人案例：** {who}，41岁，原来是内容主管，她第一年接了3个客户。\n\n"
        )

    body = (
        "# 编辑的出路\n\n## 一、岗位\n\n| 岗位 | 日常 |\n|---|---|\n| 主编 / 内容主管 | 定选题 |\n\n"
        "## 三、三条出路\n\n" + path("一", "苏姐") + path("二", "老白") + path("三", "小金")
    )
    bodies = {**adv.derived.kmap.bodies, "editor": body}
    kb = discover(adv.derived.knowledge, bodies, {"editor": ("内容编辑", "新媒体")})
    kmap = KnowledgeMap(bodies, kb)
    infos = kmap.paths("内容编辑")
    assert [i.name for i in infos] == list(kb.paths) and all(i.own for i in infos)
    first = infos[0]
    assert "写了十年稿子" in kmap.text(first.fit) and "先找付钱的人" in kmap.text(first.key)
    assert len(first.steps) == 2 and first.case is not None and first.title == "换个地方写"
    assert kb.person("苏姐") is not None and kb.person("苏姐").pronoun == "她"
    assert named_role("我先生是主编，想换个活法", kb) == "内容编辑"  # a job its table lists


def test_a_name_an_article_declares_is_no_hint_of_another_role(adv):
    """An article about 运维 alone: "运维" is its role's name, though the data lists it among 技术's words
    (a 运维 asker was read as 技术, whose paths they got)."""
    from advisor.answering.intent import named_role
    from advisor.kb.discover import discover

    body = (
        "# 运维人的出路\n\n## 三条出路\n\n### 出路一：往上走\n\n**适合谁：** 带过团队的人。\n\n1. 做一件事。\n\n"
        "### 出路二：往外走\n\n**适合谁：** 想换环境的人。\n\n1. 做一件事。\n"
    )
    bodies = {**adv.derived.kmap.bodies, "ops": body}
    kb = discover(adv.derived.knowledge, bodies, {"ops": ("运维", "SRE")})
    assert "运维" in kb.role_names and "运维" not in kb.roles["技术"]
    assert named_role("我做了十年运维，想转行", kb) == "运维"


def test_a_sections_tables_are_split_where_the_article_splits_them():
    """Rows on consecutive lines are one table, header first; a blank line starts another, and a
    "|:---:|" line is a rule under a header, not a row."""
    from advisor.text.structure import outline, table_cells, tables

    body = "## 岗位\n\n| 岗位 | 月薪 |\n|:---|---:|\n| 主编 | 2 万 |\n| 审核 | 1.5 万 |\n\n| 场景 | 止损线 |\n|---|---|\n| 求职 | 100 份 |\n"
    section = next(s for s in outline("d", body) if s.heading == "岗位")
    found = [[table_cells(body[r.span.start : r.span.end])[0] for r in t] for t in tables(section, body)]
    assert found == [["岗位", "主编", "审核"], ["场景", "求职"]]


def test_the_questions_an_article_asks_itself_are_read_with_their_answers():
    """A heading asked as a question, and a numbered or bold question line inside a section, are the
    article's own questions; each is answered by its lines up to the next question. A question in a
    paragraph's prose is not one."""
    from advisor.text.structure import asked, outline

    body = (
        "## 常见问题\n\n"
        "**Q1：45 岁以上还来得及吗？**\n\nA：来得及，但要更早做选择。\n\n"
        "**问：要不要考证？**\n\n答：大多数情况下不必。\n\n证书雇主基本不看。\n\n"
        "### Q2:非技术背景的人能成为PM吗?\n\nA:完全可以。\n\n"
        "## 写在最后\n\n转型难吗？难，但值得。\n"
    )
    found = [
        (a.question, [body[b.span.start : b.span.end] for b in a.answer])
        for a in asked(outline("d", body), body)
    ]
    assert found == [
        ("45 岁以上还来得及吗？", ["A：来得及，但要更早做选择。"]),
        ("要不要考证？", ["答：大多数情况下不必。", "证书雇主基本不看。"]),
        ("非技术背景的人能成为PM吗?", ["A:完全可以。"]),
    ]


def test_full_names_count_as_persons_only_where_someone_is_introduced():
    """许捷 / 陈屿 / 周敏 are introduced by an age or by who they are; "程序员" and "王者荣耀" are nobody."""
    from advisor.kb.names import CASE_PERSON, introduced

    said = {
        "前同事叫许捷，36 岁那年还在写活动页": "许捷",
        "访谈嘉宾陈屿，38 岁": "陈屿",
        "周敏，38岁，原来在某大厂": "周敏",
        "孙晓雯今年40岁，在杭州": "孙晓雯",
        "老葛，37 岁": "老葛",
    }
    for text, name in said.items():
        m = CASE_PERSON.search(text)
        assert m is not None and introduced(m) == name, text
    for text in ("团队里的程序员，35 岁以上", "玩王者荣耀，35 岁了", "公司招一个28岁的"):
        assert CASE_PERSON.search(text) is None, text


def test_a_path_heading_after_the_articles_own_numbering(adv):
    """ "03 | 第一条路：…" (a listicle) and "第二问：第一条路，…" (an interview) number a path; "第一块：…"
    and "03 | 扎心的现实" do not."""
    kb = adv.derived.knowledge
    assert kb.own_path_number('03 | 第一条路：往实体走，去传统企业当"真正管钱的人"') == 1
    assert kb.own_path_number("第二问：第一条路，留在技术里往深处扎") == 1
    assert kb.own_path_number("出路二：把自己做成一个小编辑部") == 2
    assert kb.own_path_number("第一块：先盘点") is None
    assert kb.own_path_number("02 | 扎心的现实：35岁的财务BP，到底难在哪") is None
    # lettered or bracketed
    assert kb.own_path_number("路线B：换一个甲方——去金融、制造和国企做基础设施负责人") == 2
    assert kb.own_path_number("【第三条路】自己出来接活") == 3
    assert kb.own_path_number("出路一直都有，只是看不见") is None
    assert kb.own_path_number("路线Api的设计") is None


def test_headings_marked_the_way_posts_mark_them_are_sections():
    """A 公众号 or 小红书 post marks its sections by a bar ("▍先说结论") and its parts by a bracketed name
    ("【第一条路】…"), not by "#": read as no heading, its paths, pains and stories were one long preamble.
    A bracketed word opening a sentence ("【注意】…。") is no heading."""
    from advisor.text.structure import outline

    body = (
        "开头一段。\n\n▍先说结论\n\n正文。\n\n【第一条路】留在公司里往上走\n\n适合谁：在职的人。\n\n"
        "【注意】这是一句话，它有句号。\n\n## 三、风险\n\n正文二。\n"
    )
    found = [s.path for s in outline("d", body)]
    assert found == [(), ("先说结论",), ("先说结论", "【第一条路】留在公司里往上走"), ("三、风险",)]
    section = next(s for s in outline("d", body) if s.heading.startswith("【第一条路】"))
    assert "【注意】这是一句话" in body[section.blocks[-1].span.start : section.blocks[-1].span.end]


def test_headings_an_editor_or_a_zhihu_answer_marks_are_sections():
    """A talk's transcript numbers its parts on plain lines ("（三）往哪儿走：…") and tells its paths in
    paragraphs that open with their number ("第一条路，往收入那边靠…。这条路适合…"); a 知乎 answer sets its
    parts in bold alone ("**说说老何**"). Read as no heading, such an article was one preamble: no role, no
    path, no story. A bold label that opens a list ("**具体怎么走：**"), an FAQ's bold question and a
    numbered line inside a paragraph stay lines; so does a bold line under "#" headings ("**痛点一：…**"
    stresses a point there), unless it numbers a path."""
    from advisor.text.structure import outline

    talk = (
        "开场白。\n\n（三）往哪儿走：三条路\n\n好，说正事。\n\n第一条路，往收入那边靠，转续约销售。"
        "这条路适合不怕背数字的人。\n\n第二条路，往专业那边走。这条路适合懂行业的人。\n\n"
        "**说说老何**\n\n老何，41岁。\n\n**具体怎么走：**\n- 先列客户\n\n"
        "**问：要不要考证？**\n答：不必。\n\n正文里一行\n（五）不是标题\n"
    )
    assert [s.path for s in outline("d", talk)] == [
        (),
        ("（三）往哪儿走：三条路",),
        ("（三）往哪儿走：三条路", "第一条路，往收入那边靠，转续约销售。"),
        ("（三）往哪儿走：三条路", "第二条路，往专业那边走。"),
        ("（三）往哪儿走：三条路", "说说老何"),
    ]
    first = next(s for s in outline("d", talk) if s.heading.startswith("第一条路"))
    assert talk[first.start : first.end].strip() == "这条路适合不怕背数字的人。"
    blog = (
        "## 难在哪\n\n**痛点一：没有业绩**\n\n正文。\n\n## 三条路\n\n**第一条路：去甲方**\n- 适合谁：老销售\n"
    )
    assert [s.path for s in outline("d", blog)] == [("难在哪",), ("三条路",), ("三条路", "第一条路：去甲方")]


def test_names_told_the_way_a_talk_or_a_blog_tells_them():
    """ "前同事美玲，41岁" and "我认识的大刘，36岁" introduce a case's person; "小乔姐" is one name, not 小乔."""
    import re

    from advisor.kb.names import CASE_PERSON, NAME, introduced

    for text, name in {"我有个前同事美玲，41岁，在零售SaaS": "美玲", "我认识的大刘，36岁": "大刘"}.items():
        m = CASE_PERSON.search(text)
        assert m is not None and introduced(m) == name, text
    assert re.match(NAME, "小乔姐：从一门没人买的课").group(0) == "小乔姐"
    assert CASE_PERSON.search("去了大厂，36岁") is None
