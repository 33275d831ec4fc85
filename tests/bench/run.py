"""The benchmark suite: chainrule against micrograd 0.1.0 and PyTorch CPU (`make bench`).

Every measurement runs in a fresh process (worker.py), one per engine per workload per
round, with the engines' order rotated from round to round. Ratios are taken inside a
round, between processes that ran back to back, and the report gives their medians over
the rounds, as a table on stdout and as JSON in bench-results/latest.json.
Run `python tests/bench/run.py --help` for the options; README.md says what is measured.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RESULTS = REPO / "bench-results" / "latest.json"
OFFICIAL_ROUNDS = 5
WORKER_TIMEOUT_S = 900


@dataclass(frozen=True)
class Run:
    """One worker process: `label` names it in the results (an engine, or an engine and a
    run number when the same engine runs twice, as in the determinism check)."""

    label: str
    engine: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Workload:
    name: str
    letter: str
    title: str
    runs: Callable[[int], list[Run]]  # the round's runs, before rotation


def _engines(*engines: str) -> Callable[[int], list[Run]]:
    return lambda round_index: [Run(engine, engine) for engine in engines]


def _twice_with_new_hash_seeds(round_index: int) -> list[Run]:
    # Two fresh chainrule processes with different hash seeds (and so different set and
    # dict-of-str orders and object addresses): their gradients must not differ in a bit.
    return [
        Run(f"chainrule#{k}", "chainrule", {"PYTHONHASHSEED": str(2 * round_index + k)})
        for k in (1, 2)
    ]


# The machine's cores: (b') is measured twice, each engine on one thread (as (a) has
# PyTorch) and each on every core (as PyTorch and NumPy run out of the box); the target is
# taken on the latter, the same number of threads for both (the issue asks one thread of
# (a) alone). Labels of the second kind end in "@cores".
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
MLP784_ENGINES = ("chainrule", "numpy", "torch")


def _mlp784_runs(round_index: int) -> list[Run]:
    runs = [Run(engine, engine) for engine in MLP784_ENGINES]
    if CORES > 1:
        every_core = {"CHAINRULE_BENCH_THREADS": str(CORES)}
        runs += [Run(f"{engine}@cores", engine, every_core) for engine in MLP784_ENGINES]
    return runs


WORKLOADS = [
    Workload(
        "training", "a", "(a) training, y = 2x + 1", _engines("chainrule", "micrograd", "torch")
    ),
    Workload("graph", "b", "(b) random graph", _engines("chainrule", "micrograd", "torch")),
    Workload("chain", "c", "(c) chain", _engines("chainrule", "micrograd")),
    Workload("memory", "d", "(d) memory per node", _engines("chainrule", "micrograd")),
    Workload("import", "e", "(e) import time", _engines("chainrule", "micrograd", "torch")),
    Workload("step", "f", "(f) step at batch size 1", _engines("chainrule", "micrograd", "torch")),
    Workload("grads", "g", "determinism", _twice_with_new_hash_seeds),
    Workload("frames", "h", "(h) 2-2-2 step frames, PNG", _engines("chainrule")),
    Workload("page", "i", "(i) 2-2-2 step-through page", _engines("chainrule")),
    Workload("vtraining", "a'", "(a') training, vectorized", _engines("chainrule", "torch")),
    Workload("mlp784", "b'", "(b') MLP 784-128-64-10 step", _mlp784_runs),
    Workload("floor", "j", "(j) 1-1-1 step, overhead floor", _engines("chainrule", "torch")),
    Workload("checks", "k", "(k) finite checks, (b')'s step", _engines("chainrule")),
    Workload("deck", "l", "(l) 2-2-2 lecture deck, PDF", _engines("chainrule")),
]
BY_NAME = {w.name: w for w in WORKLOADS} | {w.letter: w for w in WORKLOADS}


# ---------------------------------------------------------------------------------------
# Running the workers
# ---------------------------------------------------------------------------------------


def run_worker(run: Run, workload: str, quick: bool) -> dict[str, Any]:
    """Start worker.py for one engine and workload; its JSON, or {"error": ...}."""
    command = [sys.executable, str(HERE / "worker.py"), run.engine, workload]
    if quick:
        command.append("--quick")
    env = os.environ | run.env
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=WORKER_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {WORKER_TIMEOUT_S} s"}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"error": f"exit {done.returncode}: " + " | ".join(tail)}
    return json.loads(done.stdout.strip().splitlines()[-1])


def rotated(runs: list[Run], round_index: int) -> list[Run]:
    """Round r starts with the r-th run, so each engine goes first, second, ... in turn."""
    k = round_index % len(runs)
    return runs[k:] + runs[:k]


def available_engines() -> tuple[set[str], dict[str, str]]:
    """Engines that can run here, and a note for each one skipped."""
    engines, notes = {"chainrule", "numpy"}, {}  # numpy: (b')'s hand-written floor
    for engine, package, how in (
        ("micrograd", "micrograd", "pip install micrograd==0.1.0 (make bench does)"),
        ("torch", "torch", "pip install torch==2.13.0, a CPU build"),
    ):
        if importlib.util.find_spec(package) is None:
            notes[engine] = f"{package} is not installed: skipped ({how})"
        else:
            engines.add(engine)
    return engines, notes


def warm_caches() -> None:
    """Import every engine once, untimed, so no round pays for compiling its source.

    chainrule's own packages and this folder are byte-compiled explicitly as well:
    compileall writes .pyc files even where PYTHONDONTWRITEBYTECODE stops imports from
    doing so, and without them every worker would compile the engine again ((e) included).
    """
    root = HERE.parent.parent
    for folder in (root / "autograd", root / "nn", HERE):
        compileall.compile_dir(folder, quiet=1)
    code = "import sys; sys.path.insert(0, sys.argv[1]); import common, chainrule_runs"
    for module in ("micrograd_runs", "torch_runs", "numpy_runs"):
        code += f"\ntry:\n    import {module}\nexcept ImportError:\n    pass"
    subprocess.run([sys.executable, "-c", code, str(HERE)], capture_output=True, check=False)


# ---------------------------------------------------------------------------------------
# Figures and ratios of one round
# ---------------------------------------------------------------------------------------


def round_figures(workload: str, results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The figures of one workload in one round, ratios included, as a flat dict."""
    ok = {label: r for label, r in results.items() if "error" not in r}
    c, m, t = ok.get("chainrule"), ok.get("micrograd"), ok.get("torch")
    figures: dict[str, Any] = {}
    if workload == "training":
        for label, r in ok.items():
            figures[f"{label}.s_per_epoch"] = r["seconds_per_epoch"]
        if c and m:
            figures["speedup_vs_micrograd"] = m["seconds_per_epoch"] / c["seconds_per_epoch"]
        if c and t:
            figures["slowdown_vs_torch"] = c["seconds_per_epoch"] / t["seconds_per_epoch"]
    elif workload == "graph":
        for label, r in ok.items():
            figures[f"{label}.forward_nodes_per_s"] = r["n_values"] / r["forward_s"]
            figures[f"{label}.backward_nodes_per_s"] = r["n_values"] / r["backward_s"]
            figures[f"{label}.forward_without_gc_nodes_per_s"] = (
                r["n_values"] / r["forward_without_gc_s"]
            )
        if c and m:
            figures["forward_speedup_vs_micrograd"] = m["forward_s"] / c["forward_s"]
            figures["backward_speedup_vs_micrograd"] = m["backward_s"] / c["backward_s"]
            figures["forward_without_gc_speedup_vs_micrograd"] = (
                m["forward_without_gc_s"] / c["forward_without_gc_s"]
            )
            figures["same_result_as_micrograd"] = _close(c["root"], m["root"]) and _close(
                c["leaf_grad_sum"], m["leaf_grad_sum"]
            )
        if c:
            figures["n_values"] = c["n_values"]
            figures["depth"] = c["depth"]
    elif workload == "chain":
        if c:
            figures["chainrule.backward_s"] = c["backward_s"]
            figures["chainrule.forward_s"] = c["forward_s"]
            figures["chainrule.peak_rss_mb"] = c["peak_rss_mb"]
            figures["length"] = c["length"]
        if m:
            failed = m["fails"]
            figures["micrograd.result"] = (
                f"fails ({failed}) at {m['length']:,}" if failed else f"ran {m['length']:,}"
            )
    elif workload == "memory":
        for label, r in ok.items():
            figures[f"{label}.bytes_per_leaf"] = r["bytes_per_leaf"]
            figures[f"{label}.bytes_per_binary"] = r["bytes_per_binary"]
    elif workload == "import":
        for label, r in ok.items():
            figures[f"{label}.import_ms"] = r["import_s"] * 1000
            figures[f"{label}.heavy_modules"] = r["numpy_loaded"] or r["graphviz_loaded"]
    elif workload == "step":
        for label, r in ok.items():
            figures[f"{label}.us_per_step"] = r["us_per_step"]
        if c and t:
            figures["speedup_vs_torch"] = t["us_per_step"] / c["us_per_step"]
        if c and m:
            figures["speedup_vs_micrograd"] = m["us_per_step"] / c["us_per_step"]
    elif workload == "page" and c:
        figures["chainrule.page_s"] = c["seconds"]
        figures["chainrule.page_mb"] = c["bytes"] / 1e6
    elif workload == "deck" and c:
        figures["chainrule.deck_s"] = c["seconds"]
        figures["chainrule.deck_mb"] = c["bytes"] / 1e6
    elif workload == "frames" and c:
        figures["chainrule.frames_s"] = c["frames_s"]
        figures["chainrule.each_step_s"] = c["each_step_s"]
        figures["frames_vs_each_step"] = c["frames_s"] / c["each_step_s"]
        figures["chainrule.n_frames"] = c["n_frames"]
    elif workload == "vtraining":
        for label, r in ok.items():
            figures[f"{label}.vector_s_per_epoch"] = r["seconds_per_epoch"]
        if c and t:
            figures["vector_vs_torch"] = c["seconds_per_epoch"] / t["seconds_per_epoch"]
    elif workload == "mlp784":
        for label, r in ok.items():
            engine, _, cores = label.partition("@")
            key = "mlp784_cores_us_per_step" if cores else "mlp784_us_per_step"
            figures[f"{engine}.{key}"] = r["us_per_step"]
        cc, nc, tc = (ok.get(f"{engine}@cores") for engine in MLP784_ENGINES)
        if cc and tc:
            figures["mlp784_cores_vs_torch"] = cc["us_per_step"] / tc["us_per_step"]
        if nc and tc:
            figures["mlp784_cores_floor_vs_torch"] = nc["us_per_step"] / tc["us_per_step"]
        n = ok.get("numpy")  # the hand-written NumPy step: the floor under any NumPy engine
        if t:
            figures["torch.mlp784_float64_us_per_step"] = t["us_per_step_float64"]
        if c and t:
            figures["mlp784_vs_torch"] = c["us_per_step"] / t["us_per_step"]
            figures["mlp784_vs_torch_float64"] = c["us_per_step"] / t["us_per_step_float64"]
        if n and t:
            figures["mlp784_floor_vs_torch"] = n["us_per_step"] / t["us_per_step"]
        if c and n:
            figures["mlp784_vs_floor"] = c["us_per_step"] / n["us_per_step"]
    elif workload == "floor":
        if c:
            figures["chainrule.floor_us"] = c["scalar_us_per_step"]
            figures["chainrule.vector_floor_us"] = c["vector_us_per_step"]
        if t:
            figures["torch.floor_us"] = t["us_per_step"]
        if c and t:
            figures["vector_floor_vs_torch"] = c["vector_us_per_step"] / t["us_per_step"]
    elif workload == "checks" and c:
        figures["chainrule.checked_us"] = c["checked_us_per_step"]
        figures["chainrule.unchecked_us"] = c["unchecked_us_per_step"]
        figures["checks_cost"] = c["checked_us_per_step"] / c["unchecked_us_per_step"] - 1.0
    elif workload == "grads":
        for label, r in ok.items():
            figures[f"{label}.grad_sha256"] = r["grad_sha256"]
            figures[f"{label}.weights_sha256"] = r["weights_sha256"]
    for label, r in results.items():
        if "error" in r:
            figures[f"{label}.error"] = r["error"]
    return figures


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300)


def summarise(per_round: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of each number over the rounds; other values kept when all rounds agree."""
    keys = sorted({key for figures in per_round for key in figures})
    summary: dict[str, Any] = {}
    for key in keys:
        values = [figures[key] for figures in per_round if key in figures]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            summary[key] = {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
                "rounds": len(values),
            }
        else:
            distinct = sorted({json.dumps(v) for v in values})
            summary[key] = {"values": [json.loads(v) for v in distinct], "rounds": len(values)}
    return summary


# ---------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    workload: str
    text: str
    key: str  # a figure of summarise(); its median is compared
    compare: str  # ">=", ">", "<=", "<", "none true", "all equal", or "info" (not judged)
    threshold: float = 0.0
    unit: str = "x"


def _mlp784_targets() -> list[Target]:
    """(b')'s target: on every core for both engines (one thread each where there is one
    core), with the one-thread ratio shown beside it."""
    one = "(b') float64 step <= 1.3x PyTorch's float32, one thread each"
    if CORES == 1:
        return [Target("mlp784", one, "mlp784_vs_torch", "<=", 1.3)]
    each = f"{CORES} threads each"
    return [
        Target(
            "mlp784",
            f"(b') float64 step <= 1.3x PyTorch's float32, {each}",
            "mlp784_cores_vs_torch",
            "<=",
            1.3,
        ),
        Target(
            "mlp784",
            f"(b') hand-written NumPy step / PyTorch's float32, {each}",
            "mlp784_cores_floor_vs_torch",
            "info",
        ),
        Target("mlp784", one.replace("<= 1.3x", "/"), "mlp784_vs_torch", "info"),
    ]


TARGETS = [
    Target(
        "training", "(a) >= 40x faster than micrograd per epoch", "speedup_vs_micrograd", ">=", 40
    ),
    Target("training", "(a) <= 10x slower than PyTorch per epoch", "slowdown_vs_torch", "<=", 10),
    Target("graph", "(b) forward >= 4x micrograd", "forward_speedup_vs_micrograd", ">=", 4),
    Target("graph", "(b) backward >= 1.5x micrograd", "backward_speedup_vs_micrograd", ">=", 1.5),
    Target(
        "graph",
        "(b) forward with gc off vs micrograd (information)",
        "forward_without_gc_speedup_vs_micrograd",
        "info",
    ),
    Target("chain", "(c) backward < 1 s", "chainrule.backward_s", "<", 1, " s"),
    Target("chain", "(c) peak RSS < 400 MB", "chainrule.peak_rss_mb", "<", 400, " MB"),
    Target("memory", "(d) <= 120 bytes per leaf", "chainrule.bytes_per_leaf", "<=", 120, " B"),
    Target(
        "memory", "(d) <= 200 bytes per binary node", "chainrule.bytes_per_binary", "<=", 200, " B"
    ),
    Target("import", "(e) import autograd <= 30 ms", "chainrule.import_ms", "<=", 30, " ms"),
    Target("import", "(e) no numpy or graphviz imported", "chainrule.heavy_modules", "none true"),
    Target("step", "(f) faster than PyTorch per step", "speedup_vs_torch", ">", 1),
    Target("grads", "gradients bitwise identical across runs", "grad_sha256", "all equal"),
    # 3.5 s: the 2-2-2's 36 frames, one render each, before frames shared one layout.
    Target("frames", "(h) 2-2-2 frames <= 3.5 s", "chainrule.frames_s", "<=", 3.5, " s"),
    # The same machine, the same round: no slower than laying out every frame on its own.
    Target("frames", "(h) frames / each step drawn alone <= 1", "frames_vs_each_step", "<=", 1),
    Target("page", "(i) 2-2-2 step-through page written < 2 s", "chainrule.page_s", "<", 2, " s"),
    Target("page", "(i) its file < 1 MB", "chainrule.page_mb", "<", 1, " MB"),
    Target("deck", "(l) 2-2-2 lecture deck written < 5 s", "chainrule.deck_s", "<", 5, " s"),
    Target("grads", "weights after an epoch bitwise identical", "weights_sha256", "all equal"),
    Target("vtraining", "(a') vectorized epoch <= 0.5x PyTorch's", "vector_vs_torch", "<=", 0.5),
    *_mlp784_targets(),
    Target(
        "mlp784",
        "(b') hand-written NumPy float64 step / PyTorch's float32, one thread each",
        "mlp784_floor_vs_torch",
        "info",
    ),
    Target("mlp784", "(b') chainrule / the hand-written NumPy step", "mlp784_vs_floor", "info"),
    Target("mlp784", "(b') float64 step / PyTorch's float64", "mlp784_vs_torch_float64", "info"),
    Target("floor", "(j) vectorized 1-1-1 step / PyTorch's", "vector_floor_vs_torch", "info"),
    Target("checks", "(k) finite checks' share of (b')'s step", "checks_cost", "info", 0, ""),
]


def judge(target: Target, summary: dict[str, Any]) -> dict[str, Any]:
    """pass / fail / n/a for one target, with the figure it was judged on."""
    verdict = {"target": target.text, "workload": target.workload}
    if target.compare == "all equal":  # every run of every round printed the same hash
        hashes = [
            value
            for key, entry in summary.items()
            if key.endswith("." + target.key)
            for value in entry["values"]
        ]
        rounds = sum(e["rounds"] for k, e in summary.items() if k.endswith("." + target.key))
        if not hashes:
            return verdict | {"result": "n/a", "measured": "not run"}
        same = len(set(hashes)) == 1
        measured = f"{len(set(hashes))} distinct hash(es) in {rounds} runs"
        return verdict | {"result": "pass" if same else "fail", "measured": measured}
    entry = summary.get(target.key)
    if entry is None:
        return verdict | {"result": "n/a", "measured": "not measured"}
    if target.compare == "none true":
        ever = any(entry["values"])
        measured = "numpy or graphviz loaded" if ever else "neither loaded"
        return verdict | {"result": "fail" if ever else "pass", "measured": measured}
    value = entry["median"]
    spread = f" [{_number(entry['min'])}-{_number(entry['max'])}]"
    measured = f"{_number(value)}{target.unit}{spread}"
    if target.compare == "info":
        return verdict | {"result": "info", "measured": measured, "median": value}
    passed = {
        ">=": value >= target.threshold,
        ">": value > target.threshold,
        "<=": value <= target.threshold,
        "<": value < target.threshold,
    }[target.compare]
    return verdict | {"result": "pass" if passed else "fail", "measured": measured, "median": value}


# ---------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------

FIGURE_ROWS = [  # (workload, what, key suffix, how to show it)
    ("training", "seconds per epoch", "s_per_epoch", "s"),
    ("graph", "forward, nodes/s", "forward_nodes_per_s", "rate"),
    ("graph", "backward, nodes/s", "backward_nodes_per_s", "rate"),
    ("graph", "forward with gc off, nodes/s", "forward_without_gc_nodes_per_s", "rate"),
    ("chain", "backward seconds", "backward_s", "s"),
    ("chain", "build seconds", "forward_s", "s"),
    ("chain", "peak RSS, MB", "peak_rss_mb", "n"),
    ("chain", "result", "result", "text"),
    ("memory", "bytes per leaf", "bytes_per_leaf", "n"),
    ("memory", "bytes per a*b node", "bytes_per_binary", "n"),
    ("import", "import, ms", "import_ms", "n"),
    ("import", "numpy/graphviz loaded", "heavy_modules", "text"),
    ("step", "microseconds per step", "us_per_step", "n"),
    ("frames", "2-2-2 step frames, PNGs written", "n_frames", "n"),
    ("frames", "2-2-2 step frames, seconds", "frames_s", "s"),
    ("frames", "each step drawn on its own, seconds", "each_step_s", "s"),
    ("page", "seconds to write it", "page_s", "s"),
    ("page", "file size, MB", "page_mb", "n"),
    ("vtraining", "seconds per epoch (chainrule: Tensor)", "vector_s_per_epoch", "s"),
    ("mlp784", "microseconds per step (numpy: by hand)", "mlp784_us_per_step", "n"),
    ("mlp784", "microseconds per step, torch in float64", "mlp784_float64_us_per_step", "n"),
    ("mlp784", f"microseconds per step, {CORES} threads each", "mlp784_cores_us_per_step", "n"),
    ("floor", "microseconds per step (chainrule: Value)", "floor_us", "n"),
    ("floor", "microseconds per step (chainrule: Tensor)", "vector_floor_us", "n"),
    ("checks", "microseconds per step, checked", "checked_us", "n"),
    ("checks", "microseconds per step, checks off", "unchecked_us", "n"),
]
ENGINES = ("chainrule", "micrograd", "torch", "numpy")


def _number(x: float) -> str:
    # Enough digits that a figure shown next to its threshold never looks equal to it; a
    # count (frames written, bytes) as the whole number it is.
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 0.01:
        return f"{x:.3f}"
    return f"{x:.3g}"


def _cell(entry: dict[str, Any] | None, how: str) -> str:
    if entry is None:
        return "-"
    if "values" in entry:
        return " / ".join(str(v) for v in entry["values"])
    value = entry["median"]
    if how == "rate":
        return f"{value:,.0f}"
    if how == "s":
        return f"{value:.4g}"
    return _number(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[k]) for row in [header, *rows]) for k in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    rule = "  ".join("-" * w for w in widths)
    head = "  ".join(cell.ljust(w) for cell, w in zip(header, widths)).rstrip()
    return "\n".join([head, rule, *lines])


def report(
    summary: dict[str, dict[str, Any]], verdicts: list[dict[str, Any]], meta: dict[str, Any]
) -> str:
    titles = {w.name: w.title for w in WORKLOADS}
    sizes = {  # the sizes actually run (smaller with --quick)
        "graph": ("n_values", "{:,.0f} Values"),
        "chain": ("length", "{:,.0f} additions"),
    }
    for workload, (key, text) in sizes.items():
        if key in summary.get(workload, {}):
            titles[workload] += ", " + text.format(summary[workload][key]["median"])
    rows = []
    for workload, what, suffix, how in FIGURE_ROWS:
        if workload not in summary:
            continue
        cells = [_cell(summary[workload].get(f"{engine}.{suffix}"), how) for engine in ENGINES]
        if any(cell != "-" for cell in cells):
            rows.append([titles[workload], what, *cells])
    errors = [
        f"  {workload} {key.removesuffix('.error')}: {' / '.join(entry['values'])}"
        for workload, figures in summary.items()
        for key, entry in figures.items()
        if key.endswith(".error")
    ]
    target_rows = [[v["target"], v["measured"], v["result"].upper()] for v in verdicts]
    kind = "OFFICIAL" if meta["official"] else "NOT OFFICIAL (" + meta["why_not_official"] + ")"
    parts = [
        f"chainrule benchmark: {meta['rounds']} round(s), medians; {kind}",
        f"python {meta['python']}, {meta['machine']}; micrograd {meta['versions']['micrograd']},"
        f" torch {meta['versions']['torch']} (1 thread; (b') also {CORES} threads each)",
        "",
        _table(["workload", "figure (median over rounds)", *ENGINES], rows),
        "",
        _table(
            ["target (ratios taken inside each round)", "median [min-max]", "result"], target_rows
        ),
    ]
    notes = meta["notes"] + (["errors:", *errors] if errors else [])
    if notes:
        parts += ["", "notes:", *(f"  {note}" for note in notes)]
    return "\n".join(parts)


def describe_setup(
    engines: set[str], notes: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    reasons = []
    if args.quick:
        reasons.append("--quick: smaller sizes")
    if args.rounds < OFFICIAL_ROUNDS:
        reasons.append(f"--rounds {args.rounds} < {OFFICIAL_ROUNDS}")
    if args.only:
        reasons.append(f"--only {','.join(args.only)}")
    versions = {}
    for package in ("micrograd", "torch"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "official": not reasons,
        "why_not_official": "; ".join(reasons),
        "rounds": args.rounds,
        "quick": args.quick,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
        "git_commit": commit,
        "versions": versions,
        "engines": sorted(engines),
        "notes": list(notes.values()),
        "torch_setup": "torch.set_num_threads(1), NumPy's BLAS on 1 thread; (b') also with "
        f"{CORES} threads for each; training and step in float32 (the lesson's dtype), the "
        "random graph in float64",
        "cores": CORES,
        "chain_setup": "x = x + 1.0 repeated: each step also makes a leaf for 1.0",
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark chainrule against micrograd 0.1.0 and PyTorch CPU, each "
        "measurement in a fresh process, engines rotated per round, medians of in-round ratios."
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=OFFICIAL_ROUNDS,
        help=f"rounds to run (default and minimum for official figures: {OFFICIAL_ROUNDS})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller sizes and fewer epochs: a smoke run, labelled not official",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORKLOAD",
        help="run only this workload (name or letter: "
        + ", ".join(f"{w.letter}={w.name}" for w in WORKLOADS)
        + "); may repeat",
    )
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help=f"JSON file (default {RESULTS.relative_to(REPO)})"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    for name in args.only or []:
        if name not in BY_NAME:
            parser.error(
                f"unknown workload {name!r}; choose from " + ", ".join(w.name for w in WORKLOADS)
            )
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    selected = [BY_NAME[name] for name in args.only] if args.only else WORKLOADS
    selected = [w for w in WORKLOADS if w in selected]  # keep the suite's order
    engines, notes = available_engines()
    meta = describe_setup(engines, notes, args)
    warm_caches()
    started = time.perf_counter()
    raw: list[dict[str, dict[str, Any]]] = []
    per_round: dict[str, list[dict[str, Any]]] = {w.name: [] for w in selected}
    for round_index in range(args.rounds):
        raw.append({})
        for workload in selected:
            runs = [r for r in workload.runs(round_index) if r.engine in engines]
            results: dict[str, dict[str, Any]] = {}
            for run in rotated(runs, round_index):
                t0 = time.perf_counter()
                results[run.label] = run_worker(run, workload.name, args.quick)
                status = results[run.label].get("error", "ok")
                print(
                    f"round {round_index + 1}/{args.rounds}  {workload.name:<8} {run.label:<12}"
                    f" {time.perf_counter() - t0:6.1f} s  {status}",
                    file=sys.stderr,
                    flush=True,
                )
            raw[-1][workload.name] = results
            per_round[workload.name].append(round_figures(workload.name, results))
    summary = {name: summarise(rounds) for name, rounds in per_round.items()}
    verdicts = [judge(t, summary[t.workload]) for t in TARGETS if t.workload in summary]
    meta["total_seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "meta": meta,
        "targets": verdicts,
        "summary": summary,
        "rounds": [
            {"raw": r, "figures": {n: per_round[n][k] for n in per_round}}
            for k, r in enumerate(raw)
        ],
    }
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(report(summary, verdicts, meta))
    print(f"\n{meta['total_seconds']} s; JSON written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
