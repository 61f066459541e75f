"""What every section builder of a 转型规划 reads (``PlanContext``): the knowledge map, the plan data,
the person, the path order; and the two lookups both the sections and the timeline need."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.errors import CorpusError
from advisor.grounding.quotes import example_of, find_phrase, quoted_items
from advisor.kb.knowledge_map import KnowledgeMap, PathInfo
from advisor.planning.model import PlanData, PlanInput
from advisor.text.structure import Block, Span


@dataclass
class PlanContext:
    """What every section builder reads: the knowledge map, the plan data, the person, the path order."""

    kmap: KnowledgeMap
    data: PlanData
    inputs: PlanInput
    order: list[PathInfo]

    @property
    def top(self) -> PathInfo:
        return self.order[0]

    @property
    def doc(self) -> str:
        return self.kmap.kb.guide.get("doc", "")

    @property
    def body(self) -> str:
        return self.kmap.bodies[self.doc]

    def text(self, span: Span) -> str:
        return self.kmap.text(span)

    def rule(self, key: str) -> Block:
        """A risk-control line by its strategy and label (``plan.rules``)."""
        strategy, label = self.data.rules[key]
        for sec in self.kmap.risk_strategies():
            if strategy in sec.heading:
                for block in sec.blocks:
                    if (block.label or "").startswith(label):
                        return block
        msg = f"指南里找不到「{strategy}」下的「{label}」：请检查 knowledge.yaml 的 plan.rules"
        raise CorpusError(msg)

    def template(self, key: str) -> tuple[str, Span]:
        """A toolkit template by the section it fills: (its name, its "核心内容" cell)."""
        wanted = self.data.sections.get(key, {}).get("template", "")
        for row in self.kmap.toolkit_rows():
            cells = self.kmap.cells(row)
            if wanted and len(cells) >= 3 and wanted in self.text(cells[0]):
                return self.text(cells[0]), cells[2]
        msg = f"指南的工具包里找不到模板「{wanted}」：请检查 knowledge.yaml 的 plan.sections"
        raise CorpusError(msg)

    def fields(self, key: str) -> list[tuple[Span, Span | None]]:
        """A template's fields as (name, example): "项目目标(如‘…’)" -> (项目目标, …)."""
        _, cell = self.template(key)
        return [example_of(item, self.body) for item in quoted_items(cell, self.body)]

    def phrase(self, phrase: str) -> Span:
        """An exact phrase of the guide's text (never a heading: headings are not quoted)."""
        for sec in self.kmap.outlines.get(self.doc, []):
            for block in sec.blocks:
                found = find_phrase(self.body, self.doc, phrase, block.span.start, block.span.end)
                if found is not None:
                    return found
        msg = f"指南里找不到「{phrase}」：请检查 knowledge.yaml 的 plan 部分"
        raise CorpusError(msg)

    def focus(self, what: str) -> str:
        return f"{self.inputs.role}中层走{self.top.name}{what}"


def path_order(kmap: KnowledgeMap, data: PlanData, inputs: PlanInput) -> list[PathInfo]:
    """The role's paths: the goal's path first, the others in the guide's order."""
    paths = kmap.paths(inputs.role)
    if not paths:
        msg = f"文章里没有找到{inputs.role}中层的转型路径"
        raise CorpusError(msg)
    first = data.goals.get(inputs.goal)
    return sorted(paths, key=lambda p: (p.name != first, p.index))


def mvp_example(ctx: PlanContext, path: str) -> Block | None:
    """The guide's MVP example for the person's role on ``path`` (``plan.mvp_examples``)."""
    for ex in ctx.data.mvp_examples:
        if ex.get("role") == ctx.inputs.role and path in ex.get("paths", ()):
            strategy = ctx.data.rules["mvp"][0]
            for sec in ctx.kmap.risk_strategies():
                if strategy in sec.heading:
                    found = next((b for b in sec.blocks if b.label == ex.get("label")), None)
                    if found is not None:
                        return found
    return None


def trial_step(ctx: PlanContext, info: PathInfo) -> Block | None:
    """The path's own small trial: a step whose label has a trial word ("内部小范围实践")."""
    return next((s for s in info.steps if any(w in (s.label or "") for w in ctx.data.trial_words)), None)
