"""What every engine's benchmark code shares: the sizes, the data and the random graph.

Each engine module (chainrule_runs, micrograd_runs, torch_runs, numpy_runs) writes the
workloads in its own library's words, but reads its sizes, its training data and its random op
sequence from here, so the engines do the same work. This file imports only the
standard library, so loading it costs a worker process next to nothing.
"""

from __future__ import annotations

import os
import random
import resource
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sizes:
    """How much work each workload does. `official` is what `make bench` runs."""

    # (a) training: epochs timed after one warm-up epoch, per engine
    epochs: dict[str, int]
    # (b) random expression graph: about this many Values, over a pool of this many leaves
    graph_nodes: int
    graph_pool: int
    graph_repeats: int  # builds and backward passes in one process; the medians are kept
    # (c) chain of additions; micrograd is only checked to fail, on a shorter chain
    chain_length: int
    micrograd_chain_length: int
    # (d) leaves and binary nodes allocated under tracemalloc
    memory_count: int
    # (f) steps at batch size 1: (warm-up, timed), per engine
    steps: dict[str, tuple[int, int]]
    # (a') the lesson's epochs, vectorized: epochs timed after one warm-up, per engine
    vector_epochs: dict[str, int]
    # (b') and the 1-1-1 floor: (warm-up, timed) steps
    mlp784_steps: tuple[int, int]
    floor_steps: tuple[int, int]


OFFICIAL = Sizes(
    epochs={"chainrule": 20, "micrograd": 3, "torch": 100},
    graph_nodes=100_000,
    graph_pool=1_000,
    graph_repeats=3,
    chain_length=1_000_000,
    micrograd_chain_length=2_000,
    memory_count=100_000,
    steps={"chainrule": (100, 2000), "micrograd": (10, 300), "torch": (100, 2000)},
    vector_epochs={"chainrule": 300, "torch": 100},
    mlp784_steps=(10, 200),
    floor_steps=(200, 3000),
)

QUICK = Sizes(
    epochs={"chainrule": 1, "micrograd": 1, "torch": 3},
    graph_nodes=20_000,
    graph_pool=200,
    graph_repeats=1,
    chain_length=100_000,
    micrograd_chain_length=2_000,
    memory_count=20_000,
    steps={"chainrule": (5, 30), "micrograd": (2, 5), "torch": (5, 30)},
    vector_epochs={"chainrule": 10, "torch": 5},
    mlp784_steps=(2, 10),
    floor_steps=(10, 100),
)


def sizes(quick: bool) -> Sizes:
    return QUICK if quick else OFFICIAL


# ---------------------------------------------------------------------------------------
# (a) and (f): the lesson's problem, y = 2x + 1 on 200 points in [-10, 10], 80/20 split.
# ---------------------------------------------------------------------------------------

# The threads an engine's matrix products may use: one (PyTorch's set_num_threads, NumPy's
# BLAS), unless run.py sets CHAINRULE_BENCH_THREADS: (b') is also measured with every core
# of the machine for each engine, as each runs out of the box. Set before NumPy loads.
THREADS = int(os.environ.get("CHAINRULE_BENCH_THREADS", "1"))
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_blas_threads() -> None:
    """NumPy's BLAS to THREADS threads: to be called before NumPy is imported."""
    for name in BLAS_THREADS:
        os.environ[name] = str(THREADS)


N_POINTS = 200
BATCH_SIZE = 32
LR = 0.01
LAYER_SIZES = [16, 16, 1]  # after one input: the lesson's 1-16-16-1 network


def line_split(seed: int = 0) -> tuple[list[float], list[float], list[float], list[float]]:
    """(x_train, y_train, x_val, y_val): 160 and 40 points of y = 2x + 1, seeded shuffle."""
    xs = [-10.0 + 20.0 * i / (N_POINTS - 1) for i in range(N_POINTS)]
    order = list(range(N_POINTS))
    random.Random(seed).shuffle(order)
    n_train = int(0.8 * N_POINTS)
    train, val = order[:n_train], order[n_train:]
    return (
        [xs[i] for i in train],
        [2.0 * xs[i] + 1.0 for i in train],
        [xs[i] for i in val],
        [2.0 * xs[i] + 1.0 for i in val],
    )


# (b'): an MNIST-sized classifier on made-up data (the timing does not depend on the numbers).
MLP784_SIZES = (784, 128, 64, 10)
MLP784_BATCH = 64
MLP784_LR = 0.01
# (b') times its steps in blocks and keeps the fastest block, for every engine alike: its
# ratios compare steps of about a millisecond, where a neighbour's burst on a shared
# machine would otherwise decide the figure.
MLP784_BLOCKS = 5


def mlp784_batches(n_batches: int = 8, seed: int = 0) -> list[tuple[list[list[float]], list[int]]]:
    """n_batches of 64 inputs in [0, 1) (784 each) and labels 0-9, the same for every engine."""
    rng = random.Random(seed)
    return [
        (
            [[rng.random() for _ in range(MLP784_SIZES[0])] for _ in range(MLP784_BATCH)],
            [rng.randrange(MLP784_SIZES[-1]) for _ in range(MLP784_BATCH)],
        )
        for _ in range(n_batches)
    ]


def shuffled_batches(
    xs: Sequence[float], ys: Sequence[float], batch_size: int, seed: int
) -> Iterator[tuple[list[float], list[float]]]:
    """The points in a seeded random order, batch_size at a time (the last batch smaller)."""
    order = list(range(len(xs)))
    random.Random(seed).shuffle(order)
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        yield [xs[i] for i in chosen], [ys[i] for i in chosen]


def time_epochs(run_epoch: Callable[[int], object], n_epochs: int) -> float:
    """Seconds per epoch over n_epochs, after one untimed warm-up epoch."""
    run_epoch(0)
    start = now()
    for epoch in range(1, n_epochs + 1):
        run_epoch(epoch)
    return (now() - start) / n_epochs


def time_steps(
    run_step: Callable[[int], object], warmup: int, timed: int, blocks: int = 1
) -> float:
    """Microseconds per call of run_step(i), after `warmup` untimed calls: over all `timed`
    calls, or, with blocks > 1, in the fastest of that many blocks of timed // blocks calls
    (what the step costs when nothing else on the machine gets in its way)."""
    for i in range(warmup):
        run_step(i)
    per_block = timed // blocks
    fastest = float("inf")
    first = warmup
    for _ in range(blocks):
        start = now()
        for i in range(first, first + per_block):
            run_step(i)
        fastest = min(fastest, (now() - start) / per_block * 1e6)
        first += per_block
    return fastest


# ---------------------------------------------------------------------------------------
# (b): a random expression graph. The op sequence is drawn from a seeded generator before
# any engine runs, so every engine builds the same graph, node for node.
# ---------------------------------------------------------------------------------------

# Every op maps pool values in [0, 1] to [0, 1], so no value grows or vanishes whatever the
# sequence. Each is written only with what micrograd 0.1.0 also has (+, *, relu) and with
# constants that are shared leaves, so one op makes the same Values in every engine.
MUL, AVERAGE, SHIFTED_RELU, FLIP = 0, 1, 2, 3
NEW_VALUES = {MUL: 1, AVERAGE: 2, SHIFTED_RELU: 2, FLIP: 2}  # Values each op creates
CONSTANTS = (0.5, -0.1, 1.0, -1.0)  # half, minus_tenth, one, minus_one


@dataclass(frozen=True)
class GraphProgram:
    leaves: list[float]
    steps: list[tuple[int, int, int]]  # (op, i, j): pool[i] = op(pool[i], pool[j])
    n_values: int  # every Value the build creates: leaves, constants, ops and the root's sum
    depth: int  # longest path from a leaf to the root, in operations


def graph_program(n_values: int, pool: int, seed: int = 0) -> GraphProgram:
    """A seeded op sequence that builds about n_values Values over a pool of leaves.

    Each step replaces pool[i] with a node that uses it, and the root adds up the final
    pool pairwise, so every Value built is reachable from the root: backward visits all.
    """
    rng = random.Random(seed)
    leaves = [rng.uniform(0.0, 1.0) for _ in range(pool)]
    count = pool + len(CONSTANTS) + (pool - 1)  # leaves, constants, the pairwise root sum
    depth = [0] * pool
    steps = []
    while count < n_values:
        op = rng.randrange(4)
        i = rng.randrange(pool)
        j = rng.randrange(pool - 1)
        j += j >= i  # any slot but i, so a node never takes the same Value twice
        steps.append((op, i, j))
        count += NEW_VALUES[op]
        if op in (MUL, AVERAGE):
            depth[i] = max(depth[i], depth[j]) + NEW_VALUES[op]
        else:
            depth[i] += NEW_VALUES[op]
    tree_height = (pool - 1).bit_length()
    return GraphProgram(leaves, steps, count, max(depth) + tree_height)


def build_graph(
    program: GraphProgram, constant: Callable[[float], Any], leaf: Callable[[float], Any]
) -> tuple[Any, list[Any]]:
    """Run the program with any engine's scalars; returns (root, leaves).

    `leaf` makes a value that wants a gradient, `constant` one that does not (for the
    scalar engines both are their Value). Only +, * and .relu() are used.
    """
    half, minus_tenth, one, minus_one = (constant(c) for c in CONSTANTS)
    leaves = [leaf(x) for x in program.leaves]
    pool = list(leaves)
    for op, i, j in program.steps:
        a = pool[i]
        if op == MUL:
            pool[i] = a * pool[j]
        elif op == AVERAGE:
            pool[i] = (a + pool[j]) * half
        elif op == SHIFTED_RELU:
            pool[i] = (a + minus_tenth).relu()  # relu(a - 0.1): zero for a few
        else:  # FLIP: 1 - a
            pool[i] = one + a * minus_one
    while len(pool) > 1:  # pairwise, so the sum adds only log2(pool) to the depth
        paired = [pool[k] + pool[k + 1] for k in range(0, len(pool) - 1, 2)]
        if len(pool) % 2:
            paired.append(pool[-1])
        pool = paired
    return pool[0], leaves


def time_graph(
    program: GraphProgram,
    constant: Callable[[float], Any],
    leaf: Callable[[float], Any],
    repeats: int,
) -> tuple[float, float, float, Any, list[Any]]:
    """(forward s, backward s, forward s without gc, root, leaves).

    Forward and backward are medians over `repeats` builds, each started from a freshly
    collected heap and followed by root.backward(). The forward time includes the cyclic
    garbage collector's passes over the growing graph, which at 100,000 nodes are most of
    it; one more build with the collector off shows the engine's own share.
    """
    import gc
    import statistics

    forward, backward = [], []
    for _ in range(repeats):
        root = leaves = None  # drop the previous graph before building the next one
        gc.collect()  # micrograd's closures make cycles that only the collector frees
        start = now()
        root, leaves = build_graph(program, constant, leaf)
        built = now()
        root.backward()
        forward.append(built - start)
        backward.append(now() - built)
    # Once more with the collector off: how much of the build is the engine itself.
    root = leaves = None
    gc.collect()
    gc.disable()
    try:
        start = now()
        root, leaves = build_graph(program, constant, leaf)
        forward_without_gc = now() - start
        root.backward()
    finally:
        gc.enable()
    medians = statistics.median(forward), statistics.median(backward)
    return *medians, forward_without_gc, root, leaves


def graph_figures(
    program: GraphProgram,
    repeats: int,
    timed: tuple[float, float, float, Any, list[Any]],
    data_of: Callable[[Any], float],
    grad_of: Callable[[Any], float],
) -> dict[str, Any]:
    """What every engine reports for (b), from time_graph's result; data_of and grad_of read
    a number and its gradient out of that engine's scalar type."""
    forward_s, backward_s, forward_without_gc_s, root, leaves = timed
    return {
        "n_values": program.n_values,
        "depth": program.depth,
        "forward_s": forward_s,
        "backward_s": backward_s,
        "forward_without_gc_s": forward_without_gc_s,
        "repeats": repeats,
        "root": data_of(root),
        "leaf_grad_sum": sum(grad_of(leaf) for leaf in leaves),
    }


# ---------------------------------------------------------------------------------------
# Shared measuring helpers.
# ---------------------------------------------------------------------------------------


def now() -> float:
    from time import perf_counter

    return perf_counter()


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def traced_bytes_per_object(make: Callable[[int], Any], count: int) -> float:
    """Bytes tracemalloc sees allocated per object when make(k) runs for k < count.

    The list that keeps the objects alive is allocated before tracing starts, so only the
    objects themselves (and whatever they own) are counted.
    """
    import gc
    import tracemalloc

    kept: list[Any] = [None] * count
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for k in range(count):
        kept[k] = make(k)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / count
