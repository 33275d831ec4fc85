"""(b')'s step written by hand in NumPy: the floor under any NumPy engine.

No autograd engine at all: the forward pass, its derivatives worked out on paper, and SGD,
as a learner who knows the matrices would write them for this one network. The weights
and their gradients live in two flat buffers (each parameter a view), so the gradients
are written in place by the matrix products and the SGD step is one operation over the
whole model. It runs in float64, as chainrule's Tensor does by default, one BLAS thread.
Whatever a NumPy engine adds to this (the graph, the checks, the generality) is overhead
over it; what this takes itself is the price of the arithmetic on this machine.
"""

from __future__ import annotations

from typing import Any

from common import limit_blas_threads

limit_blas_threads()  # before NumPy loads, as in chainrule_runs

import numpy as np  # noqa: E402
from common import (  # noqa: E402
    MLP784_BATCH,
    MLP784_BLOCKS,
    MLP784_LR,
    MLP784_SIZES,
    Sizes,
    mlp784_batches,
    time_steps,
)


def _mlp784_step() -> Any:
    """step(i): one SGD step of the 784-128-64-10 ReLU network on batch i (mod 8), softmax
    cross-entropy averaged over the batch; weights laid out as PyTorch's Linear, (out, in)."""
    sizes = MLP784_SIZES
    shapes = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        shapes += [(n_out, n_in), (n_out,)]
    total = sum(int(np.prod(s)) for s in shapes)
    data, grad = np.empty(total), np.zeros(total)
    params, grads, start = [], [], 0
    rng = np.random.default_rng(0)
    for shape in shapes:
        size = int(np.prod(shape))
        params.append(data[start : start + size].reshape(shape))
        grads.append(grad[start : start + size].reshape(shape))
        bound = 1.0 / np.sqrt(shape[-1] if len(shape) == 2 else shapes[-2][-1])
        params[-1][...] = rng.uniform(-bound, bound, shape)
        start += size
    w1, b1, w2, b2, w3, b3 = params
    gw1, gb1, gw2, gb2, gw3, gb3 = grads
    batches = [(np.array(x), np.array(labels)) for x, labels in mlp784_batches()]
    rows = np.arange(MLP784_BATCH)
    work = np.empty(total)  # kept from step to step, as chainrule's optimizers keep theirs

    def run_step(i: int) -> float:
        x, labels = batches[i % len(batches)]
        # forward: z = a @ W.T + b, ReLU between layers
        z1 = x @ w1.T + b1
        a1 = np.maximum(z1, 0.0)
        z2 = a1 @ w2.T + b2
        a2 = np.maximum(z2, 0.0)
        z3 = a2 @ w3.T + b3
        shifted = z3 - z3.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total_e = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(total_e[:, 0]) - shifted[rows, labels]))
        # backward: dL/dz3 = (softmax - onehot) / batch; then each layer's products
        d3 = e / total_e
        d3[rows, labels] -= 1.0
        d3 /= MLP784_BATCH
        np.matmul(d3.T, a2, out=gw3)
        np.sum(d3, axis=0, out=gb3)
        d2 = d3 @ w3
        d2 *= z2 > 0.0
        np.matmul(d2.T, a1, out=gw2)
        np.sum(d2, axis=0, out=gb2)
        d1 = d2 @ w2
        d1 *= z1 > 0.0
        np.matmul(d1.T, x, out=gw1)
        np.sum(d1, axis=0, out=gb1)
        # SGD over the flat buffer: p -= lr * g
        np.subtract(data, np.multiply(grad, MLP784_LR, out=work), out=data)
        return loss

    return run_step


def mlp784(sizes: Sizes) -> dict[str, Any]:
    """(b') microseconds per step of the hand-written float64 step."""
    warmup, timed = sizes.mlp784_steps
    us = time_steps(_mlp784_step(), warmup, timed, MLP784_BLOCKS)
    return {"us_per_step": us, "steps_timed": timed,
            "dtype": "float64"}  # fmt: skip


WORKLOADS = {"mlp784": mlp784}
