"""Which of many texts contain a word, without scanning them all.

The answer path asks the whole knowledge base small questions about words ("does the corpus say
提高效率 at all?", "how often does 数据 occur?", "which chunks name two of the question's words?").
A scan of every text is a few milliseconds per word at ×100 and grows with the corpus. Here each
character and each pair of adjacent characters maps to the set of texts holding it, as one integer
bit mask (Python's ints are arbitrary-precision bit sets: ``&`` intersects them at C speed), built once
per index generation. A word can only occur in a text holding all of its characters and pairs, so only
those few texts are scanned; the answer is exact, the index only narrows where to look.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence


class Occurrences:
    """Exact substring look-ups over a fixed list of texts (``texts[i]`` is text *i*)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        grams: dict[str, list[int]] = {}
        for i, text in enumerate(self.texts):
            for g in _gram_set(text):
                grams.setdefault(g, []).append(i)
        self._masks = {g: _mask(ids) for g, ids in grams.items()}
        self._found: dict[str, tuple[int, ...]] = {}

    def where(self, word: str) -> tuple[int, ...]:
        """Indices of the texts that contain ``word``, in order (remembered per word)."""
        if word not in self._found:
            if len(self._found) > 100_000:  # a long-running server asked about many words
                self._found.clear()
            self._found[word] = tuple(i for i in self._candidates(word) if word in self.texts[i])
        return self._found[word]

    def contains(self, word: str) -> bool:
        return bool(self.where(word)) if word else True

    def count(self, word: str) -> int:
        """Non-overlapping occurrences of ``word`` over all texts (as ``str.count`` on each)."""
        return sum(self.texts[i].count(word) for i in self.where(word)) if word else 0

    def _candidates(self, word: str) -> Iterator[int]:
        mask = -1
        for g in _gram_set(word):
            mask &= self._masks.get(g, 0)
            if not mask:
                return iter(())
        if mask == -1:  # no characters: every text
            return iter(range(len(self.texts)))
        return _bits(mask)


def _gram_set(text: str) -> set[str]:
    """Every character and every pair of adjacent characters."""
    return set(text).union(map(str.__add__, text, text[1:]))


def _mask(ids: list[int]) -> int:
    """The bit set of ``ids`` (built as bytes: one shift per id would copy the growing int each time)."""
    bits = bytearray(ids[-1] // 8 + 1)  # ids ascend
    for i in ids:
        bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low
