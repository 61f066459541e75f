"""The check-ins over the weeks as a small SVG: one panel per metric, its values as a line, the target
dashed. The image carries its own white card and dark ink, so it reads the same on a light or dark page
(no plotting library, like the plan's timeline)."""

from __future__ import annotations

import html

from advisor.planning.model import fmt
from advisor.progress.model import FollowedPlan

LINE, TARGET, INK, GRID = "#2563eb", "#dc2626", "#1f2937", "#e5e7eb"
FONT = "'WenQuanYi Micro Hei','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif"


def _panel(name: str, target: float, points: list[tuple[str, float]], top: int, width: int) -> list[str]:
    left, height = 56, 120
    high = max([target, *(v for _, v in points)]) * 1.15 or 1.0
    step = (width - left - 24) / max(1, len(points) - 1)

    def y(v: float) -> float:
        return top + 28 + height - v / high * height

    out = [f'<text x="12" y="{top + 18}" class="t">{html.escape(name)}</text>']
    for frac in (0, 0.5, 1):
        gy = top + 28 + height - frac * height
        out.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - 16}" y2="{gy:.1f}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" class="a">{fmt(round(high * frac, 1))}</text>'
        )
    ty = y(target)
    out.append(
        f'<line x1="{left}" y1="{ty:.1f}" x2="{width - 16}" y2="{ty:.1f}" stroke="{TARGET}" stroke-dasharray="6,4"/>'
    )
    out.append(
        f'<text x="{width - 18}" y="{ty - 5:.1f}" text-anchor="end" class="a" style="fill:{TARGET}">目标 {fmt(target)}</text>'
    )
    xy = [(left + k * step, y(v)) for k, (_, v) in enumerate(points)]
    if len(xy) > 1:
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in xy)
        out.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
    for (x, yy), (day, v) in zip(xy, points, strict=True):
        out.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="4" fill="{LINE}"/>')
        out.append(f'<text x="{x:.1f}" y="{yy - 8:.1f}" text-anchor="middle" class="v">{fmt(v)}</text>')
        out.append(
            f'<text x="{x:.1f}" y="{top + 28 + height + 16}" text-anchor="middle" class="a">{day[5:]}</text>'
        )
    return out


def progress_svg(plan: FollowedPlan, title: str = "每周指标") -> str:
    width, panel = 640, 178
    height = 36 + panel * len(plan.metrics)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f"<style>text{{font:12px {FONT};fill:{INK}}}.t{{font-size:14px;font-weight:bold}}"
        ".a{fill:#4b5563;font-size:11px}.v{font-weight:bold}</style>",
        f'<rect x="0" y="0" width="{width}" height="{height}" rx="10" fill="#ffffff" stroke="{GRID}"/>',
        f'<text x="12" y="24" class="t">{html.escape(title)}（蓝线：你的数据 · 红虚线：目标）</text>',
    ]
    for k, m in enumerate(plan.metrics):
        points = [(c.day.isoformat(), c.values[m.name]) for c in plan.checkins if m.name in c.values]
        out += _panel(m.name, m.target, points, 30 + k * panel, width)
    out.append("</svg>")
    return "".join(out)
