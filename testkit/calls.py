"""Counting chat-model calls through LangChain's callbacks, to show which answers never reached the model
(refusals are decided by retrieval alone)."""

from __future__ import annotations

import threading
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler


class ModelCalls(BaseCallbackHandler):
    """``ModelCalls.attach(model)``; ``.count`` is the number of generations the model started."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    @classmethod
    def attach(cls, chat_model) -> ModelCalls:
        counter = cls()
        chat_model.callbacks = [*(chat_model.callbacks or []), counter]
        return counter

    def on_chat_model_start(self, serialized: dict, messages: list, **kwargs: Any) -> None:
        with self._lock:
            self.count += 1

    def on_llm_start(self, serialized: dict, prompts: list, **kwargs: Any) -> None:
        with self._lock:
            self.count += 1
