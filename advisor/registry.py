"""Backends registered by id (``provider:model`` specs) instead of if/elif chains."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

F = TypeVar("F", bound=Callable)


class Registry(dict[str, F], Generic[F]):
    """``name -> factory``; ``@registry.register("a", "b")`` files a factory under each name."""

    def register(self, *names: str) -> Callable[[F], F]:
        def deco(factory: F) -> F:
            for name in names:
                self[name] = factory
            return factory

        return deco
