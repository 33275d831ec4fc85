"""The benchmark workloads written with micrograd 0.1.0 (PyPI), the comparator.

micrograd has an MLP but no loss and no optimizer, so the MSE is written with its Values
and Adam by hand over its parameters, with PyTorch's formulas (as chainrule's Adam).
MLP(1, [16, 16, 1]) makes ReLU hidden layers and a linear last layer (nonlin=False).
"""

from __future__ import annotations

import math
import random
import sys
from typing import Any

from common import (
    BATCH_SIZE,
    LAYER_SIZES,
    LR,
    Sizes,
    graph_figures,
    graph_program,
    line_split,
    shuffled_batches,
    time_epochs,
    time_graph,
    time_steps,
    traced_bytes_per_object,
)
from micrograd.engine import Value
from micrograd.nn import MLP


class Adam:
    """torch.optim.Adam's update over micrograd Values (micrograd ships no optimizer)."""

    def __init__(
        self,
        params: list[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = params
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m = [0.0] * len(params)
        self.v = [0.0] * len(params)
        self.t = 0

    def step(self) -> None:
        self.t += 1
        beta1, beta2 = self.betas
        correction1 = 1.0 - beta1**self.t
        correction2 = 1.0 - beta2**self.t
        for k, p in enumerate(self.params):
            g = p.grad
            self.m[k] = beta1 * self.m[k] + (1.0 - beta1) * g
            self.v[k] = beta2 * self.v[k] + (1.0 - beta2) * g * g
            denominator = math.sqrt(self.v[k] / correction2) + self.eps
            p.data -= self.lr * (self.m[k] / correction1) / denominator


def mse(preds: list[Value], targets: list[float]) -> Value:
    return sum((p - y) ** 2 for p, y in zip(preds, targets)) * (1.0 / len(preds))


def training(sizes: Sizes) -> dict[str, Any]:
    """(a) seconds per epoch of the same loop as chainrule's."""
    random.seed(0)  # micrograd's Neuron draws its weights from the global random
    x_train, y_train, _, _ = line_split()
    model = MLP(1, LAYER_SIZES)
    optimizer = Adam(model.parameters(), lr=LR)

    def run_epoch(epoch: int) -> None:
        for xb, yb in shuffled_batches(x_train, y_train, BATCH_SIZE, seed=epoch):
            preds = [model([x]) for x in xb]
            loss = mse(preds, yb)
            model.zero_grad()
            loss.backward()
            optimizer.step()

    epochs = sizes.epochs["micrograd"]
    return {"seconds_per_epoch": time_epochs(run_epoch, epochs), "epochs_timed": epochs}


def step(sizes: Sizes) -> dict[str, Any]:
    """(f) microseconds per training step on one sample."""
    random.seed(0)
    x_train, y_train, _, _ = line_split()
    model = MLP(1, LAYER_SIZES)
    optimizer = Adam(model.parameters(), lr=LR)

    def run_step(i: int) -> None:
        k = i % len(x_train)
        pred = model([x_train[k]])
        loss = mse([pred], [y_train[k]])
        model.zero_grad()
        loss.backward()
        optimizer.step()

    warmup, timed = sizes.steps["micrograd"]
    return {"us_per_step": time_steps(run_step, warmup, timed), "steps_timed": timed}


def graph(sizes: Sizes) -> dict[str, Any]:
    """(b) the shared random graph. micrograd sorts recursively, one Python frame per level
    of depth, so the recursion limit is raised above the graph's depth for this workload."""
    program = graph_program(sizes.graph_nodes, sizes.graph_pool)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * program.depth + 1000))
    timed = time_graph(program, Value, Value, sizes.graph_repeats)
    return graph_figures(
        program, sizes.graph_repeats, timed, lambda v: float(v.data), lambda v: float(v.grad)
    )


def chain(sizes: Sizes) -> dict[str, Any]:
    """(c) micrograd cannot: check that a short chain already overflows its recursive sort
    at Python's default recursion limit."""
    length = sizes.micrograd_chain_length
    x = Value(0.0)
    for _ in range(length):
        x = x + 1.0
    try:
        x.backward()
    except RecursionError:
        return {"fails": "RecursionError", "length": length, "limit": sys.getrecursionlimit()}
    return {"fails": None, "length": length, "limit": sys.getrecursionlimit()}


def memory(sizes: Sizes) -> dict[str, Any]:
    """(d) tracemalloc bytes per leaf Value(float) and per a * b node."""
    count = sizes.memory_count
    floats = [k + 0.5 for k in range(count)]
    a, b = Value(1.5), Value(2.5)
    return {
        "bytes_per_leaf": traced_bytes_per_object(lambda k: Value(floats[k]), count),
        "bytes_per_binary": traced_bytes_per_object(lambda k: a * b, count),
        "count": count,
    }


WORKLOADS = {
    "training": training,
    "step": step,
    "graph": graph,
    "chain": chain,
    "memory": memory,
}
