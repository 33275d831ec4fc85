"""The benchmark harness's bookkeeping (tests/bench/run.py), without timing anything: which
processes (b') starts, and which ratios it takes from their results. Speed itself is only
ever measured by `make bench`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "bench"))
import run  # noqa: E402  (tests/bench/run.py)


def test_mlp784_runs_each_engine_on_one_thread_and_on_every_core(monkeypatch):
    monkeypatch.setattr(run, "CORES", 2)
    runs = run._mlp784_runs(0)
    assert [(r.label, r.engine, r.env) for r in runs] == [
        ("chainrule", "chainrule", {}),
        ("numpy", "numpy", {}),
        ("torch", "torch", {}),
        ("chainrule@cores", "chainrule", {"CHAINRULE_BENCH_THREADS": "2"}),
        ("numpy@cores", "numpy", {"CHAINRULE_BENCH_THREADS": "2"}),
        ("torch@cores", "torch", {"CHAINRULE_BENCH_THREADS": "2"}),
    ]
    monkeypatch.setattr(run, "CORES", 1)  # one core: the one-thread runs are all there is
    assert [r.label for r in run._mlp784_runs(0)] == ["chainrule", "numpy", "torch"]


def test_mlp784_ratios_are_taken_between_runs_with_the_same_threads():
    results = {
        "chainrule": {"us_per_step": 1200.0},
        "numpy": {"us_per_step": 1000.0},
        "torch": {"us_per_step": 800.0, "us_per_step_float64": 1500.0},
        "chainrule@cores": {"us_per_step": 750.0},
        "numpy@cores": {"us_per_step": 600.0},
        "torch@cores": {"us_per_step": 700.0, "us_per_step_float64": 1300.0},
    }
    figures = run.round_figures("mlp784", results)
    assert figures["mlp784_vs_torch"] == pytest.approx(1.5)
    assert figures["mlp784_cores_vs_torch"] == pytest.approx(750 / 700)
    assert figures["mlp784_cores_floor_vs_torch"] == pytest.approx(600 / 700)
    assert figures["mlp784_floor_vs_torch"] == pytest.approx(1.25)
    assert figures["mlp784_vs_floor"] == pytest.approx(1.2)
    assert figures["mlp784_vs_torch_float64"] == pytest.approx(0.8)
    assert figures["chainrule.mlp784_cores_us_per_step"] == 750.0
    assert figures["torch.mlp784_us_per_step"] == 800.0
    # A run that failed leaves its ratios out instead of taking one against nothing.
    results["torch@cores"] = {"error": "exit 1"}
    figures = run.round_figures("mlp784", results)
    assert "mlp784_cores_vs_torch" not in figures and "mlp784_vs_torch" in figures


def test_the_mlp784_target_is_taken_on_every_core_where_there_are_several(monkeypatch):
    monkeypatch.setattr(run, "CORES", 2)
    targets = {t.key: t for t in run._mlp784_targets()}
    assert targets["mlp784_cores_vs_torch"].threshold == 1.3
    assert targets["mlp784_cores_vs_torch"].compare == "<="
    assert targets["mlp784_vs_torch"].compare == "info"
    monkeypatch.setattr(run, "CORES", 1)
    (only,) = run._mlp784_targets()
    assert (only.key, only.compare, only.threshold) == ("mlp784_vs_torch", "<=", 1.3)
