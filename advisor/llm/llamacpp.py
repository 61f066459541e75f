"""A GGUF model run in-process by llama.cpp (llama-cpp-python), as a LangChain chat model.

In-process rather than llama.cpp's OpenAI-compatible server: one process to start and stop, no port,
no second copy of the model in memory, and the KV cache of the fixed prompt prefix (system prompt and
worked examples) is reused across questions. One model serves the whole app, so generations queue on
a lock; a caller that waits longer than ``queue_timeout`` gets a one-line notice (and the excerpt
answer) instead of waiting on.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from advisor.errors import LLMUnavailableError
from advisor.llm.model_files import require_llama_cpp

ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_LOADING = threading.Lock()  # model loads that adjust llama.cpp's default model parameters


def _uses_amx(llama_cpp: Any) -> bool:
    """Whether this llama.cpp build runs AMX kernels: a build made with ``-march=native`` on a CPU with
    AMX (Sapphire Rapids and later) crashes in its first decode when weights are repacked for AMX
    (llama-cpp-python 0.3.36, measured: a segmentation fault in ``Llama.eval``)."""
    try:
        return b"AMX_INT8 = 1" in llama_cpp.llama_print_system_info()
    except (AttributeError, OSError):  # an older binding without the call: assume none
        return False


def _open_llama(llama_cpp: Any, **kw) -> Any:
    """``llama_cpp.Llama(**kw)``, without the repacked ("extra") weight buffers where AMX would run:
    the binding builds its model parameters from ``llama_model_default_params`` and offers no argument
    for this one, so the default is adjusted for the length of the load only."""
    if not _uses_amx(llama_cpp):
        return llama_cpp.Llama(**kw)
    low = llama_cpp.llama_cpp
    with _LOADING:
        default = low.llama_model_default_params

        def without_extra_buffers():
            params = default()
            params.use_extra_bufts = False
            return params

        low.llama_model_default_params = without_extra_buffers
        try:
            return llama_cpp.Llama(**kw)
        finally:
            low.llama_model_default_params = default


class LlamaCppChatModel(BaseChatModel):
    """Greedy, streamed chat completions from one ``llama_cpp.Llama``; safe to share between threads."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    # Mirrors the ``local_*`` settings on purpose: the model is a LangChain chat model usable without
    # ``Settings`` (``backends._local`` maps one onto the other).
    model_name: str
    model_path: str
    context_tokens: int = 4096
    max_tokens: int = 256
    # The prompt's share of the window, kept small so the first token comes within ~8 s on a CPU: one
    # thread reads ~70 prompt tokens/s on this busy 2-core machine, and the ~330-token fixed prefix is
    # cached after the first question, leaving ~570 new tokens (see bench/results/local_llm.md).
    prompt_tokens: int = 900
    temperature: float = 0.0
    repeat_penalty: float = 1.05
    # 0: half the cores. ggml's threads wait on each other every step, so on a busy machine a second
    # thread can make writing ten times slower (measured here: 1.2-2 vs 15-22 tokens/s on 2 busy cores).
    n_threads: int = 0
    queue_timeout: float = 30.0
    prompt_style: str = "compact"  # which prompt ``advisor.llm.prompts`` builds for this model
    _llm: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def load(cls, path: Path, name: str, **kw) -> LlamaCppChatModel:
        llama_cpp = require_llama_cpp()
        obj = cls(model_name=name, model_path=str(path), **kw)
        threads = obj.n_threads or max(1, (os.cpu_count() or 2) // 2)
        obj._llm = _open_llama(
            llama_cpp,
            model_path=str(path),
            n_ctx=obj.context_tokens,
            n_threads=threads,
            n_threads_batch=threads,
            n_batch=256,
            verbose=False,
        )
        return obj

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    @property
    def prompt_budget(self) -> int:
        """Tokens the prompt may take: the time-to-first-token budget, within the window."""
        return min(self.prompt_tokens, self.context_tokens - self.max_tokens)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        chat = [{"role": ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        if not self._lock.acquire(timeout=self.queue_timeout):
            msg = "本地模型正忙（正在回答其他问题）"
            raise LLMUnavailableError(msg)
        try:
            chunks = self._llm.create_chat_completion(
                messages=chat,
                stream=True,
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                temperature=self.temperature,
                repeat_penalty=self.repeat_penalty,
                stop=stop or [],
            )
            try:
                for part in chunks:
                    choice = part["choices"][0]
                    piece = choice.get("delta", {}).get("content") or ""
                    finish = choice.get("finish_reason")
                    meta = {"finish_reason": finish, "model_name": self.model_name} if finish else {}
                    if piece or meta:
                        chunk = ChatGenerationChunk(
                            message=AIMessageChunk(content=piece, response_metadata=meta)
                        )
                        if run_manager and piece:
                            run_manager.on_llm_new_token(piece, chunk=chunk)
                        yield chunk
            finally:
                chunks.close()  # a consumer that stops early frees the model for the next one
        finally:
            self._lock.release()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
