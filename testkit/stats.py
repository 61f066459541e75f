"""Percentiles and latency summaries: one definition, so every report's p95 means the same."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100, linear interpolation between ranks); ``None`` for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


def summary_ms(seconds: Sequence[float]) -> dict:
    """p50 / p95 / mean / max in milliseconds, and the sample count."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "mean_ms": float(np.mean(ms)) if ms else None,
        "max_ms": max(ms) if ms else None,
    }
