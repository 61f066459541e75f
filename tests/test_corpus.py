"""Fidelity and format checks for the knowledge-base corpus in corpus/.

The articles in corpus/ are cleaned copies of raw web captures kept in
../shared/seeds/. Body text must stay word-for-word identical to the seed;
only web debris is removed and Markdown heading/table markers are added.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEEDS = ROOT.parent / "shared" / "seeds"

ARTICLES = ["transition-guide", "bigtech-stories", "pm-role", "pm-vs-ops"]
ALLOWED_ROLES = {"技术", "产品", "运营", "市场", "通用"}

# Headings the editor added that do not occur in the seed text.
EDITOR_HEADINGS = {"bigtech-stories": {"结语"}}

DEBRIS = ["取消评论", "微信扫一扫", "赞赏", "首页 >", "二维码", "分享到", "验证码"]

# Seed lines that were deliberately removed (site debris, moved to front matter
# or duplicated); every other long seed line must survive in the body.
REMOVED_PREFIXES = (
    "本文由人人都是产品经理作者",  # -> front matter `license`
    "更多精彩内容",
    "摘要:",  # duplicate of the lead paragraph
    "**",  # {% hint %} block
    "#互联网PM工作内容",  # hashtag tag list
)

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")
TABLE_SEP_RE = re.compile(r"^\|[\s:|-]+\|$")


def load(stem: str) -> tuple[dict, str]:
    text = (CORPUS / f"{stem}.md").read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{stem}: missing front matter"
    end = text.find("\n---\n", 4)
    assert end != -1, f"{stem}: unterminated front matter"
    meta = yaml.safe_load(text[4:end])
    assert isinstance(meta, dict), f"{stem}: front matter is not a mapping"
    return meta, text[end + len("\n---\n") :]


def headings(body: str) -> list[tuple[int, str]]:
    out = []
    for line in body.splitlines():
        m = HEADING_RE.match(line)
        if m:
            out.append((len(m.group(1)), m.group(2).strip()))
    return out


def text_pieces(body: str) -> list[tuple[str, bool]]:
    """Return (piece, is_heading) for every text piece in the body."""
    pieces = []
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = HEADING_RE.match(line)
        if m:
            pieces.append((m.group(2).strip(), True))
            continue
        line = line.removeprefix("> ")
        if line.startswith("|"):
            if TABLE_SEP_RE.match(line):
                continue
            pieces.extend((c.strip(), False) for c in line.strip("|").split("|"))
            continue
        pieces.append((line, False))
    return [(p, h) for p, h in pieces if p]


def seed_lines(name: str) -> list[str]:
    text = (SEEDS / name).read_text(encoding="utf-8")
    return [line.lstrip() for line in text.splitlines()]


needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed captures not available at {SEEDS}")


@pytest.mark.parametrize("stem", ARTICLES)
def test_front_matter(stem):
    meta, body = load(stem)
    assert meta.get("id") == stem
    assert stem.isascii()
    assert isinstance(meta.get("title"), str) and meta["title"].strip()
    roles = meta.get("roles")
    assert isinstance(roles, list) and roles
    assert set(roles) <= ALLOWED_ROLES
    assert isinstance(meta.get("seed"), str) and meta["seed"].endswith(".txt")
    if "published" in meta:
        assert isinstance(meta["published"], str)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["published"])
    assert body.strip(), f"{stem}: empty body"


def test_front_matter_facts():
    meta, _ = load("bigtech-stories")
    assert meta["author"] == "骆齐"
    assert meta["published"] == "2025-03-02"
    assert meta["source"] == "https://www.woshipm.com/zhichang/6186941.html"
    assert "禁止转载" in meta["license"]
    meta, _ = load("pm-role")
    assert meta["author"] == "方哥"
    assert meta["published"] == "2025-09-14"
    meta, _ = load("pm-vs-ops")
    assert meta["source"] == "DMC商业思维"
    assert "title_note" in meta
    meta, _ = load("transition-guide")
    assert "title_note" in meta
    assert set(meta["roles"]) == ALLOWED_ROLES


@pytest.mark.parametrize("stem", ARTICLES)
def test_markdown_shape(stem):
    _, body = load(stem)
    assert body.endswith("\n") and not body.endswith("\n\n")
    lines = body.splitlines()
    assert "---" not in [line.strip() for line in lines]
    hs = headings(body)
    assert hs, f"{stem}: no headings"
    assert all(level >= 2 for level, _ in hs), f"{stem}: H1 in body"
    assert min(level for level, _ in hs) == 2
    # Headings never skip a level going down (## -> #### is a bug).
    prev = 1
    for level, text in hs:
        assert level <= prev + 1, f"{stem}: heading level jump at {text!r}"
        prev = level


@needs_seeds
@pytest.mark.parametrize("stem", ARTICLES)
def test_body_is_verbatim_from_seed(stem):
    meta, body = load(stem)
    lines = seed_lines(meta["seed"])
    allowed = EDITOR_HEADINGS.get(stem, set())
    missing = []
    for piece, is_heading in text_pieces(body):
        if is_heading and piece in allowed:
            continue
        if not any(piece in line for line in lines):
            missing.append(piece)
    assert not missing, f"{stem}: text not found in seed: {missing[:5]}"


@needs_seeds
@pytest.mark.parametrize("stem", ARTICLES)
def test_no_article_text_lost(stem):
    meta, body = load(stem)
    body_lines = [line.strip() for line in body.splitlines()]
    # Table rows were built from space-separated seed lines ("能力类型 具体要求").
    body_lines += [
        " ".join(cell.strip() for cell in line.strip("|").split("|"))
        for line in body_lines
        if line.startswith("|")
    ]
    body_text = "\n".join(body_lines)
    lost = [
        line
        for line in seed_lines(meta["seed"])
        if len(line) >= 30
        and "http" not in line
        and not line.startswith(REMOVED_PREFIXES)
        and line not in body_text
    ]
    assert not lost, f"{stem}: seed paragraphs missing from body: {lost[:3]}"


@pytest.mark.parametrize("stem", ARTICLES)
def test_debris_removed(stem):
    _, body = load(stem)
    assert "http" not in body
    assert "![" not in body
    for word in DEBRIS:
        assert word not in body, f"{stem}: debris {word!r} left in body"


def test_bigtech_story_sections():
    _, body = load("bigtech-stories")
    h2 = [text for level, text in headings(body) if level == 2]
    assert h2 == [
        "一、烟火照归人——老张的县城慢镜头",
        "二、破茧——女高管王姐的变形记",
        "三、代码之外有青山——老周的二次元突围",
        "结语",
    ]
    sections = re.split(r"^## .*$", body, flags=re.MULTILINE)
    laozhang, wangjie, laozhou, epilogue = sections[1:]
    assert "老张" in laozhang and "王姐" not in laozhang
    assert "王姐" in wangjie and "老周" not in wangjie
    assert "老周" in laozhou and "老张" not in laozhou
    assert epilogue.strip().startswith("在这些跌跌撞撞的转型故事里")
    assert body.count("中年职场人曾是推动大厂前行的中坚力量") == 1


def test_transition_guide_case_names():
    _, body = load("transition-guide")
    for name in ["老林", "小陈", "小徐", "老郑", "小周"]:
        assert name in body


def test_transition_guide_heading_paths():
    _, body = load("transition-guide")
    path: list[str] = []
    oblique_parents = []
    for level, text in headings(body):
        del path[level - 2 :]
        path.append(text)
        if "斜向突破" in text:
            assert level == 4, text
            oblique_parents.append(path[-2][:3])
    assert oblique_parents == ["(一)", "(二)", "(三)", "(四)"]
    # Numbered steps inside 实操步骤 blocks are list items, not headings.
    assert not any("锚定公司技术战略" in text for _, text in headings(body))
    assert "\n1. 锚定公司技术战略:" in body
    # The toolkit table survives as a Markdown table.
    assert "| 工具名称 | 用途 | 核心内容 / 互联网适配点 |" in body


def test_pm_role_structure():
    _, body = load("pm-role")
    hs = headings(body)
    assert (3, "vs 项目经理") in hs
    assert (3, "Q1:非技术背景的人能成为互联网PM吗?") in hs
    assert "| 用户洞察力 |" in body
    assert "互联网PM具体是做什么的?" not in body  # title/caption repeats
    assert "方哥 2025-09-14" not in body


def test_readme_exists():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for stem in ARTICLES:
        assert stem in readme
