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
