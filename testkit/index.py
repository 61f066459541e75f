"""Reading an index the way a test checks it: the live generation, whole, without an ``Advisor``."""

from __future__ import annotations

from advisor.index.chroma import make_client, read_live
from advisor.index.snapshot import IndexSnapshot, check_embedder, load_generation


def load_snapshot(settings, embedder_name: str | None = None) -> IndexSnapshot:
    """The live generation; ``IndexMismatchError`` when ``embedder_name`` is not the one it was built by."""
    client = make_client(settings)
    manifest = read_live(client, settings)
    check_embedder(manifest, embedder_name)
    return load_generation(client, manifest)
