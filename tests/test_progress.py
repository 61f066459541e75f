"""转型跟进: a saved plan, weekly check-ins, the guide's dashboard and its rules firing with the guide's own
sentences, cited; deleting, wrong tokens, bad input, the chat, the CLI, and two processes on PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import CORPUS, run_cli

from advisor.errors import InputError
from advisor.progress.follow import check_in, save_plan
from advisor.progress.model import ProgressData
from advisor.progress.report import context, progress_report
from advisor.progress.store import NOT_FOUND, ProgressStore, token_hash

START = date(2026, 1, 5)
OPS = {"role": "运营", "years": 10, "level": "经理", "goal": "跨界", "savings_months": 8, "hours": 8}
GUIDE = (CORPUS / "transition-guide.md").read_text("utf-8")
REVIEW = "每周更新核心指标,若连续 2 周指标无改善,及时调整转型策略。"
MVP = "MVP 需满足 “1 个月内可落地、投入成本不超过月薪 10%、能验证核心能力匹配度”"
RESERVE = "资金储备:留存 “6-12 个月生活费”"


@pytest.fixture
def store(tmp_path):
    s = ProgressStore(f"sqlite:///{tmp_path / 'advisor.db'}")
    yield s
    s.close()


def week(k: int, **kw) -> dict:
    """The k-th weekly check-in after START."""
    return {"day": START + timedelta(days=7 * k), "hours": 6, "spent": 200, **kw}


def follow(adv, store, values: list[float], inputs=OPS, pay=None, **each) -> tuple[str, list[list[str]]]:
    """Save the plan and check in once a week with ``values``; the rules firing after each week."""
    token = save_plan(adv.derived, store, inputs, pay=pay, start=START)
    fired = []
    for k, v in enumerate(values):
        extra = {key: seq[k] for key, seq in each.items()}
        check_in(store, token, week(k, values={"服务客户数": v}, **extra), today=date(2026, 12, 1))
        fired.append([f.key for f in progress_report(adv.derived, store.load(token)).firings])
    return token, fired


def assert_verified(adv, report) -> None:
    """Every [n] resolves to an exact span of its document and nothing is flagged unsupported."""
    assert report.unsupported == [] and report.citations
    for c in report.citations:
        assert adv.derived.bodies[c.doc_id][c.start : c.end] == c.quote


def test_guide_sentences_the_tests_quote_are_in_the_guide():
    for sentence in (REVIEW, MVP, RESERVE, "连续 2 周指标不达标", "暂停项目转向其他方向"):
        assert sentence in GUIDE


def test_flat_metric_fires_the_two_week_rule_with_the_guides_sentence(adv, store):
    token, fired = follow(adv, store, [3, 3, 3, 3])
    assert fired == [[], [], ["review"], ["review"]]  # the third flat week is the second without change
    report = progress_report(adv.derived, store.load(token))
    assert "### 连续 2 周指标无改善" in report.text
    line = next(ln for ln in report.text.splitlines() if REVIEW in ln)
    n = int(line.rsplit("[", 1)[1].rstrip("]"))
    assert REVIEW in report.citations[n - 1].quote
    assert "「服务客户数」最近 2 周：3 → 3 → 3，目标 5" in report.text
    assert "计划里的下一条路是「纵向深耕」" in report.text  # what to do next, from the plan's order
    assert report.colours == {"服务客户数": "🔴 红"}
    assert "| 服务客户数 | 5（文章：3 个月内服务 5-8 家客户[" in report.text
    assert_verified(adv, report)


def test_improving_metric_fires_nothing_and_turns_green(adv, store):
    token, fired = follow(adv, store, [1, 2, 4, 5])
    assert fired == [[], [], [], []]
    report = progress_report(adv.derived, store.load(token))
    assert report.colours == {"服务客户数": "🟢 绿"}
    assert "**目前没有规则触发**" in report.text


def test_below_target_after_the_mvp_month_fires_the_stoploss_row(adv, store):
    _, fired = follow(adv, store, [2, 3, 3, 4, 4, 4, 4])
    assert "stoploss" not in {k for f in fired[:5] for k in f}
    assert fired[-1] == ["review", "stoploss", "mvp"]  # weeks 5 and 6 are past 1 个月内 and below 5
    token, _ = follow(adv, store, [2, 3, 3, 4, 4, 4, 4])
    text = progress_report(adv.derived, store.load(token)).text
    assert "触发条件：连续 2 周指标不达标[" in text and "止损措施：暂停项目转向其他方向[" in text


def test_over_budget_mvp_fires_the_mvp_rule(adv, store):
    token, fired = follow(adv, store, [1, 2], pay=20000, spent=[1500, 1000])
    assert fired == [[], ["mvp"]]  # 2500 元 > 10 % of 20000
    report = progress_report(adv.derived, store.load(token))
    assert (
        MVP in report.text and "累计花了 2500 元，超过你填写的月薪 20000 元的 10%（2000 元）" in report.text
    )
    assert "计划里的第一个 MVP" in report.text
    assert_verified(adv, report)


def test_savings_dropping_below_six_months_fires_the_reserve_rule(adv, store):
    token, fired = follow(adv, store, [1, 2, 3], savings_months=[7, 6, 5])
    assert fired == [[], [], ["reserve"]]
    text = progress_report(adv.derived, store.load(token)).text
    assert RESERVE in text and "1 项可快速变现的基础技能" in text and "你填写的存款还够 5 个月生活费" in text


def test_delete_removes_every_row_and_the_token_then_reveals_nothing(adv, store, tmp_path):
    keep, _ = follow(adv, store, [1, 2])
    token, _ = follow(adv, store, [1, 2, 3])
    assert store.rows() == 3 + 4
    assert store.delete(token) == 4
    assert store.rows() == 3 and store.load(keep).checkins
    for action in (lambda: store.load(token), lambda: store.delete(token)):
        with pytest.raises(InputError) as err:
            action()
        assert str(err.value) == NOT_FOUND


def test_wrong_token_gets_one_message_and_nothing_is_stored_or_revealed(adv, store, tmp_path):
    token, _ = follow(adv, store, [1])
    assert len(token) >= 32  # 192 random bits, URL-safe
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("advisor.db*"))  # with the WAL file
    assert token_hash(token).encode() in raw and token.encode() not in raw  # only the hash is stored
    for wrong in ("", "x" * 32, token[:-1], token_hash(token)):
        with pytest.raises(InputError) as err:
            check_in(store, wrong, week(1, values={"服务客户数": 2}), today=date(2026, 12, 1))
        assert str(err.value) == NOT_FOUND  # the same words whether it never existed or was deleted
    assert len(store.load(token).checkins) == 1


def test_bad_check_in_names_every_problem_in_chinese_and_stores_nothing(adv, store):
    token, _ = follow(adv, store, [1])
    bad = {"day": "2026-13-01", "values": {"服务客户数": "三", "粉丝数": 5}, "hours": -1}
    with pytest.raises(InputError) as err:
        check_in(store, token, bad, today=date(2026, 12, 1))
    message = str(err.value)
    for part in ("「服务客户数」请填数字", "这个计划没有指标「粉丝数」", "本周投入的小时数", "日期请写成"):
        assert part in message
    with pytest.raises(InputError, match="不能晚于今天"):
        check_in(store, token, week(60, values={"服务客户数": 2}), today=date(2026, 2, 1))
    assert len(store.load(token).checkins) == 1


def test_a_path_without_a_target_in_the_guide_asks_for_the_persons_own(adv, store):
    tech = {**OPS, "role": "技术"}  # 横向跨界: 工具日均使用次数, no number in the guide
    with pytest.raises(InputError, match="文章没有给「日均使用次数」定目标数字"):
        save_plan(adv.derived, store, tech, start=START)
    token = save_plan(adv.derived, store, tech, {"日均使用次数": 30}, start=START)
    check_in(store, token, week(0, values={"日均使用次数": 12}), today=date(2026, 12, 1))
    text = progress_report(adv.derived, store.load(token)).text
    assert "| 日均使用次数 | 30（你定的；文章：工具日均使用次数[" in text


def test_every_metric_phrase_is_in_the_guide_and_holds_its_target(adv):
    data = ProgressData.from_kb(adv.derived.knowledge)
    ctx = context(adv.derived, OPS)
    for paths in data.metrics.values():
        for specs in paths.values():
            for spec in specs:
                span = ctx.phrase(spec["phrase"])  # raises when the guide lacks the phrase
                if spec.get("target") is not None:
                    assert f"{spec['target']:g}" in ctx.text(span)


def test_chat_answers_this_week_and_whether_to_give_up_from_the_plan(adv):
    token = adv.follow(OPS, start=START)
    for k, v in enumerate([3, 3, 3]):
        adv.check_in(token, week(k, values={"服务客户数": v}))
    quit_ = adv.ask("是不是该放弃了？", progress=token)
    assert quit_.intent == "progress" and REVIEW in quit_.text and "计划里的下一条路" in quit_.text
    assert_verified(adv, quit_)
    week_ = adv.ask("我这周该干嘛", progress=token)
    assert "**按你的计划，第" in week_.text and week_.citations
    other = adv.ask("王姐被裁后做了什么？", progress=token)
    assert other.intent != "progress"  # everything else goes to the chat as before
    adv.forget(token)


def test_cli_and_two_processes_on_one_postgres_see_the_same_plan(corpus_index, postgres, tmp_path):
    env = {"ADVISOR_DATABASE_URL": postgres.create_database(), "ADVISOR_CORPUS_DIR": str(CORPUS)}
    data = corpus_index.data_dir
    plan = ("plan", "--role", "运营", "--years", "10", "--level", "经理", "--goal", "跨界")
    saved = run_cli(
        *plan, "--savings-months", "5", "--hours", "8", "--save", "--json", data_dir=data, env=env
    )
    assert saved.returncode == 0, saved.stderr
    token = saved.stderr.split("请保存好）：\n", 1)[1].split()[0]
    one = run_cli(
        "checkin", token, "--metric", "服务客户数=3", "--hours", "6", "--spent", "200", data_dir=data, env=env
    )
    assert one.returncode == 0 and "安全垫不够" in one.stderr  # 5 months < 6: the reserve rule
    shown = run_cli("progress", token, "--json", data_dir=data, env=env)  # a third process reads it back
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert "| 服务客户数 | 5（文章：" in report["text"] and [f["key"] for f in report["firings"]] == [
        "reserve"
    ]
    out = tmp_path / "progress.md"
    assert run_cli("progress", token, "--markdown", str(out), data_dir=data, env=env).returncode == 0
    md = out.read_text("utf-8")
    assert "data:image/svg+xml;base64," in md and "# 我的转型计划" in md and "## 来源" in md
    gone = run_cli("forget", token, data_dir=data, env=env)
    assert gone.returncode == 0 and "2 条" in gone.stderr
    again = run_cli("progress", token, data_dir=data, env=env)
    assert again.returncode == 2 and NOT_FOUND in again.stderr and token not in again.stderr


def test_journey_scorer_catches_a_missing_and_a_spurious_firing():
    from evals.journeys import score

    good = {"a": [{"expect": ["review"], "fired": ["review"], "verbatim": True}]}
    assert score(good)["journeys_passed"] == 1.0
    bad = {
        "a": [{"expect": ["review"], "fired": [], "verbatim": True}],
        "b": [{"expect": [], "fired": ["mvp"], "verbatim": False}],
    }
    scores = score(bad)
    assert scores["fires_expected"] == 0.0 and scores["no_spurious"] == 0.5
    assert scores["quotes_verbatim"] == 0.5 and scores["journeys_passed"] == 0.0


def test_an_older_table_gets_the_new_nullable_column_at_start(tmp_path):
    """A database made before ``monthly_pay`` existed is migrated when the store first opens it."""
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE progress_plans (token_hash VARCHAR(64) PRIMARY KEY, created_at DATETIME NOT NULL, "
            "start DATE NOT NULL, inputs JSON NOT NULL, metrics JSON NOT NULL)"
        )
    store = ProgressStore(f"sqlite:///{path}")
    token = store.save(OPS, [], START, 20000.0)
    assert store.load(token).monthly_pay == 20000.0
    store.close()


def test_the_progress_download_is_rewritten_in_its_plans_folder_not_a_new_one_per_view(adv, store):
    """Each view of 我的进展 offers its Markdown download; a server running for months kept one new temp
    folder per view. Now one folder per plan (named by a digest, never the token) is rewritten."""
    from advisor.web.progress_handlers import _download

    token, _ = follow(adv, store, [3, 4])
    other, _ = follow(adv, store, [2])
    report = progress_report(adv.derived, store.load(token))
    first, again = _download(report, token), _download(report, token)
    assert first == again and token not in first
    assert "服务客户数" in Path(first).read_text("utf-8")
    elsewhere = _download(progress_report(adv.derived, store.load(other)), other)
    assert elsewhere != first and Path(elsewhere).parent.parent == Path(first).parent.parent
