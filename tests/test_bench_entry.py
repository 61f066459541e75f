"""``python -m bench <sub>``: one entry point, every benchmark listed, a mistyped name refused; the ×1000
row is an extrapolation that follows the measured growth."""

import subprocess
import sys

from conftest import ROOT

from bench.__main__ import SUBCOMMANDS
from bench.scale import linear, power_law


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_one_entry_point_lists_and_dispatches_every_benchmark():
    listed = bench("--help")
    assert listed.returncode == 0
    for name in ("run", "profile", "chat_load", "replicas", "local_llm", "faults", "page_load"):
        assert name in SUBCOMMANDS and f"  {name} " in listed.stdout
    sub = bench("profile", "--help")
    assert sub.returncode == 0 and "python -m bench profile" in sub.stdout
    wrong = bench("nope")
    assert wrong.returncode == 2 and "unknown subcommand 'nope'" in wrong.stderr and "profile" in wrong.stderr


def test_extrapolation_follows_the_measured_growth():
    flat = power_law([(1, 10.0), (10, 10.0), (100, 10.0)], 1000)
    assert flat == (10.0, 0.0)
    value, exponent = power_law([(10, 2.0), (100, 20.0)], 1000)
    assert round(exponent, 6) == 1.0 and round(value, 6) == 200.0
    assert linear([(1, 100.0), (100, 298.0)], 1000) == 298.0 + 198.0 / 99 * 900
    assert power_law([(100, 5.0)], 1000) is None
