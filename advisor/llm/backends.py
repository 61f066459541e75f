"""Chat-model backends behind LangChain's ``BaseChatModel``, chosen by a ``provider:model`` string.

- ``extractive`` (default): no model; answers are composed from source sentences.
- ``openai:MODEL``: any OpenAI-compatible endpoint (DeepSeek, Qwen, Kimi, GLM, Ollama, vLLM, llama.cpp).
- ``local:NAME`` / ``local:PATH.gguf``: a GGUF model run in-process by llama.cpp on the CPU
  (``qwen2.5-1.5b`` from the ``local`` extra's part packages, or any ``.gguf`` file).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage

from advisor.config import Settings
from advisor.errors import ConfigError, LLMUnavailableError
from advisor.registry import Registry

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
    """A GGUF model in-process through llama.cpp: a name from ``advisor.llm.model_files.MODELS`` or a path."""
    from advisor.console import say
    from advisor.llm.llamacpp import LlamaCppChatModel
    from advisor.llm.model_files import MODELS, require_llama_cpp, resolve_model

    if not settings.llm_model:
        msg = f"ADVISOR_LLM 需要写成 local:模型名（{'、'.join(MODELS)}）或 local:/路径/模型.gguf"
        raise ConfigError(msg)
    require_llama_cpp()  # before assembling a gigabyte for a runtime that is not there
    path = resolve_model(settings.llm_model, settings.model_cache_dir, progress=say)
    name = settings.llm_model.lower() if settings.llm_model.lower() in MODELS else path.stem
    return LlamaCppChatModel.load(
        path,
        name,
        context_tokens=settings.local_context_tokens,
        max_tokens=min(settings.max_tokens, settings.local_max_tokens),
        prompt_tokens=settings.local_prompt_tokens,
        n_threads=settings.local_threads,
        queue_timeout=settings.llm_timeout,
    )


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


def _retrying(
    chat_model: BaseChatModel, msgs: list[BaseMessage], timeout: float, retries: int, end: float
) -> Iterator[str]:
    """Retry with backoff on passing failures, only before the first token and only within ``end``."""
    for attempt in range(retries + 1):
        started = False
        try:
            for piece in _stream_once(chat_model, msgs, min(time.monotonic() + timeout * 4, end)):
                started = True
                yield piece
            return
        except Exception as exc:
            pause = min(0.5 * 2**attempt, 4.0)
            if started or attempt == retries or not retryable(exc) or time.monotonic() + pause >= end:
                raise
            time.sleep(pause)


_DONE = object()


def _bounded(pieces: Iterator[str], end: float) -> Iterator[str]:
    """``pieces`` produced in a thread of their own and handed over until ``end`` (monotonic) at the
    latest: a model that hangs or trickles one chunk every 20 s cannot hold the answer past its
    deadline (a read timeout only limits the wait for each chunk). The producer stops at its next
    piece once the answer has moved on; its request ends at the client's own timeout."""
    handoff: queue.Queue = queue.Queue()
    stop = threading.Event()

    def produce() -> None:
        try:
            for piece in pieces:
                if stop.is_set():
                    break
                handoff.put(piece)
            handoff.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            handoff.put(exc)
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()

    threading.Thread(target=produce, name="llm-stream", daemon=True).start()
    try:
        while True:
            try:
                item = handoff.get(timeout=max(0.0, end - time.monotonic()))
            except queue.Empty:
                msg = "大模型服务响应超时"
                raise LLMUnavailableError(msg) from None
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def stream_with_retries(
    chat_model: BaseChatModel,
    msgs: list[BaseMessage],
    timeout: float,
    retries: int,
    deadline: float | None = None,
) -> Iterator[str]:
    """Stream a reply, retrying with backoff on passing failures, but only before the first token; the
    whole of it (retries, waits and a slow stream) ends by ``deadline`` (``time.monotonic()``)."""
    end = deadline if deadline is not None else time.monotonic() + timeout * 4 * (retries + 1)
    return _bounded(_retrying(chat_model, msgs, timeout, retries, end), end)
