"""The benchmark workloads written with chainrule, as a user writes them.

Only the public API: `Value`, `MLP`, `mse_loss`, `Adam`, `zero_grad`, `backward`, `step`.
Each function runs one workload in this (fresh) process and returns a dict of figures
that worker.py prints as JSON. Sizes and data come from common.py, shared with the other
engines' modules.
"""

from __future__ import annotations

import hashlib
from typing import Any

from common import (
    BATCH_SIZE,
    LAYER_SIZES,
    LR,
    MLP784_BLOCKS,
    MLP784_LR,
    MLP784_SIZES,
    Sizes,
    graph_figures,
    graph_program,
    limit_blas_threads,
    line_split,
    mlp784_batches,
    now,
    peak_rss_mb,
    shuffled_batches,
    time_epochs,
    time_graph,
    time_steps,
    traced_bytes_per_object,
)

# NumPy's matrix products get as many threads as PyTorch is given (one, unless the run says).
limit_blas_threads()

from autograd import Value  # noqa: E402
from nn import MLP, SGD, Adam, batches, cross_entropy, mse_loss  # noqa: E402


def training(sizes: Sizes) -> dict[str, Any]:
    """(a) seconds per epoch of the lesson's training loop, one sample at a time."""
    x_train, y_train, _, _ = line_split()
    model = MLP(1, LAYER_SIZES, seed=0)
    optimizer = Adam(model.parameters(), lr=LR)

    def run_epoch(epoch: int) -> None:
        for xb, yb in shuffled_batches(x_train, y_train, BATCH_SIZE, seed=epoch):
            preds = [model([x]) for x in xb]
            loss = mse_loss(preds, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    epochs = sizes.epochs["chainrule"]
    return {"seconds_per_epoch": time_epochs(run_epoch, epochs), "epochs_timed": epochs}


def step(sizes: Sizes) -> dict[str, Any]:
    """(f) microseconds per training step on one sample."""
    x_train, y_train, _, _ = line_split()
    model = MLP(1, LAYER_SIZES, seed=0)
    optimizer = Adam(model.parameters(), lr=LR)

    def run_step(i: int) -> None:
        k = i % len(x_train)
        pred = model([x_train[k]])
        loss = mse_loss([pred], [y_train[k]])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    warmup, timed = sizes.steps["chainrule"]
    return {"us_per_step": time_steps(run_step, warmup, timed), "steps_timed": timed}


def graph(sizes: Sizes) -> dict[str, Any]:
    """(b) build and backward of the shared random expression graph."""
    program = graph_program(sizes.graph_nodes, sizes.graph_pool)
    timed = time_graph(program, Value, Value, sizes.graph_repeats)
    return graph_figures(program, sizes.graph_repeats, timed, lambda v: v.data, lambda v: v.grad)


def chain(sizes: Sizes, shared: bool = False) -> dict[str, Any]:
    """(c) x = x + 1.0 repeated (or x = x + one, one shared leaf); backward time, peak RSS."""
    x = start_leaf = Value(0.0)
    one = Value(1.0)
    start = now()
    if shared:
        for _ in range(sizes.chain_length):
            x = x + one
    else:
        for _ in range(sizes.chain_length):
            x = x + 1.0
    built = now()
    x.backward()
    done = now()
    if start_leaf.grad != 1.0:
        raise AssertionError(f"d x_n / d x_0 should be 1.0, got {start_leaf.grad!r}")
    return {
        "length": sizes.chain_length,
        "shared_leaf": shared,
        "forward_s": built - start,
        "backward_s": done - built,
        "peak_rss_mb": peak_rss_mb(),
        "root": x.data,
    }


def memory(sizes: Sizes) -> dict[str, Any]:
    """(d) tracemalloc bytes per leaf Value(float) and per a * b node."""
    count = sizes.memory_count
    floats = [k + 0.5 for k in range(count)]  # made before tracing: not counted
    a, b = Value(1.5), Value(2.5)
    return {
        "bytes_per_leaf": traced_bytes_per_object(lambda k: Value(floats[k]), count),
        "bytes_per_binary": traced_bytes_per_object(lambda k: a * b, count),
        "count": count,
    }


def grads(sizes: Sizes) -> dict[str, Any]:
    """Hashes of the gradients after one fixed batch, and of the weights after an epoch.

    The same in every fresh process (and any PYTHONHASHSEED) when the engine is
    deterministic: nothing may depend on object ids or set order.
    """
    x_train, y_train, _, _ = line_split()
    model = MLP(1, LAYER_SIZES, seed=0)
    optimizer = Adam(model.parameters(), lr=LR)
    loss = mse_loss([model([x]) for x in x_train[:BATCH_SIZE]], y_train[:BATCH_SIZE])
    loss.backward()
    grad_text = repr([(name, p.grad) for name, p in model.named_parameters()])
    optimizer.step()
    for xb, yb in shuffled_batches(x_train, y_train, BATCH_SIZE, seed=1):
        loss = mse_loss([model([x]) for x in xb], yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    weight_text = repr([(name, p.data) for name, p in model.named_parameters()])
    return {
        "grad_sha256": hashlib.sha256(grad_text.encode()).hexdigest(),
        "weights_sha256": hashlib.sha256(weight_text.encode()).hexdigest(),
        "n_parameters": len(model.parameters()),
    }


def page(sizes: Sizes) -> dict[str, Any]:
    """(i) seconds to write the 2-2-2 step-through page in a fresh process (loading the
    drawing code, the recorded pass, the rendered picture, the file), and its size."""
    import tempfile
    from pathlib import Path

    from autograd.render import find_renderer
    from chainrule.examples import build

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2-2-2.html"
        start = now()
        from autograd import step_through

        example = build("2-2-2")
        step_through(example.root, color_roles=True).save(path)
        seconds = now() - start
        size = path.stat().st_size
    return {"seconds": seconds, "bytes": size, "renderer": find_renderer()}


def frames(sizes: Sizes) -> dict[str, Any]:
    """(h) the 2-2-2 network's step frames as PNGs, as `chainrule example 2-2-2 --frames`
    draws them (the layout once, then every frame drawn with it), and, for comparison in
    the same process, the way they were drawn before: each step laid out on its own."""
    import tempfile
    from pathlib import Path

    from autograd import backward_steps, draw_dot, save_step_frames
    from autograd.render import find_renderer
    from chainrule import examples

    options = {"decimals": 9, "color_roles": True}
    with tempfile.TemporaryDirectory() as folder:
        example = examples.build("2-2-2")
        start = now()
        paths = save_step_frames(example.root, folder, **options)
        seconds = now() - start
        example = examples.build("2-2-2")
        start = now()
        for step in backward_steps(example.root):
            draw_dot(example.root, step=step, **options).save(Path(folder) / "each.png")
        each = now() - start
    return {
        "frames_s": seconds,
        "each_step_s": each,
        "n_frames": len(paths),
        "renderer": find_renderer(),
    }


# -- the vectorized engine (Tensor, Linear, Sequential) ------------------------------------


def vector_training(sizes: Sizes) -> dict[str, Any]:
    """(a') seconds per epoch of the lesson's training, a batch per call (float64)."""
    import numpy as np

    x_train, y_train, _, _ = line_split()
    x, y = np.array(x_train).reshape(-1, 1), np.array(y_train).reshape(-1, 1)
    model = MLP(1, LAYER_SIZES, seed=0).vectorized()
    optimizer = Adam(model.parameters(), lr=LR)

    def run_epoch(epoch: int) -> None:
        for xb, yb in batches(x, y, BATCH_SIZE, seed=epoch):
            loss = mse_loss(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    epochs = sizes.vector_epochs["chainrule"]
    return {"seconds_per_epoch": time_epochs(run_epoch, epochs), "epochs_timed": epochs,
            "dtype": "float64"}  # fmt: skip


def _mlp784_step() -> Any:
    """(b')'s step, with its model, optimizer and batches made: step(i) trains on batch i."""
    import numpy as np

    from autograd import Tensor
    from nn import Linear, ReLU, Sequential

    sizes = MLP784_SIZES
    model = Sequential(
        Linear(sizes[0], sizes[1], seed=1), ReLU(),
        Linear(sizes[1], sizes[2], seed=2), ReLU(),
        Linear(sizes[2], sizes[3], seed=3),
    )  # fmt: skip
    optimizer = SGD(model.parameters(), lr=MLP784_LR)
    # The batches made Tensors once, beforehand, as PyTorch's are made torch.tensors
    # (Tensor(array) copies and checks the array: a price per batch, not per step).
    data = [(Tensor(x), np.array(labels)) for x, labels in mlp784_batches()]

    def run_step(i: int) -> None:
        x, labels = data[i % len(data)]
        loss = cross_entropy(model(x), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return run_step


def mlp784(sizes: Sizes) -> dict[str, Any]:
    """(b') microseconds per SGD step of a 784-128-64-10 MLP, softmax cross-entropy, batches
    of 64, float64."""
    warmup, timed = sizes.mlp784_steps
    us = time_steps(_mlp784_step(), warmup, timed, MLP784_BLOCKS)
    return {"us_per_step": us, "steps_timed": timed,
            "dtype": "float64"}  # fmt: skip


def floor(sizes: Sizes) -> dict[str, Any]:
    """The per-step overhead floor: one Adam step of a 1-1-1 network on one sample, for the
    scalar engine (MLP) and the vectorized one (its Sequential), in this process."""
    import numpy as np

    warmup, timed = sizes.floor_steps
    scalar = MLP(1, [1, 1], seed=0)
    vector = MLP(1, [1, 1], seed=0).vectorized()
    results = {}
    for name, model in (("scalar", scalar), ("vector", vector)):
        optimizer = Adam(model.parameters(), lr=LR)
        x, y = ([0.5], 2.0) if name == "scalar" else (np.array([[0.5]]), np.array([[2.0]]))

        def run_step(i: int) -> None:
            loss = mse_loss(model(x), y)  # noqa: B023
            optimizer.zero_grad()  # noqa: B023
            loss.backward()
            optimizer.step()  # noqa: B023

        results[f"{name}_us_per_step"] = time_steps(run_step, warmup, timed)
    return results


def checks(sizes: Sizes) -> dict[str, Any]:
    """The cost of the finite-value checks of the vectorized engine: (b')'s step with every
    check as it is (each operation's result, the leaves' gradients, the optimizer's look at
    the gradient and the weights before it writes) and with each replaced by one that
    passes. The two alternate in blocks of steps, so a change in the machine's load falls on
    both; each keeps its fastest block."""
    import autograd.tensor
    import autograd.tensor_backward
    import nn.tensor_optim

    def passes(*args: Any) -> bool:
        return True

    # (where a check is looked up, its name): each operation's result, the leaves'
    # gradients at the end of backward, and the optimizer step's look before it writes
    places = [
        (autograd.tensor, "all_finite"),
        (autograd.tensor_backward, "finite_quietly"),
        (nn.tensor_optim, "all_finite"),
        (nn.tensor_optim.FlatParameters, "moves_safely"),
    ]
    checked = [getattr(owner, name) for owner, name in places]
    unchecked = [passes] * len(places)

    warmup, timed = sizes.mlp784_steps
    run_step = _mlp784_step()
    for i in range(warmup):
        run_step(i)
    block = max(timed // 10, 1)
    best = {"checked": float("inf"), "unchecked": float("inf")}
    for _ in range(10):
        for label, checks in (("checked", checked), ("unchecked", unchecked)):
            for (owner, name), check in zip(places, checks, strict=True):
                setattr(owner, name, check)
            start = now()
            for i in range(block):
                run_step(i)
            best[label] = min(best[label], (now() - start) / block * 1e6)
    for (owner, name), check in zip(places, checked, strict=True):
        setattr(owner, name, check)
    return {f"{label}_us_per_step": us for label, us in best.items()}


def deck(sizes: Sizes) -> dict[str, Any]:
    """(l) seconds to write the 2-2-2's lecture deck in a fresh process, as `chainrule
    example 2-2-2 --deck` does (the pass, the frames in the lecture look, the PDF), and
    the file's size."""
    import tempfile
    from pathlib import Path

    from autograd.render import find_renderer
    from chainrule.examples import build

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2-2-2.pdf"
        start = now()
        from autograd.deck import save_deck

        example = build("2-2-2")
        save_deck(example.root, path, color_roles=True, constants=example.constant_values())
        seconds = now() - start
        size = path.stat().st_size
    return {"seconds": seconds, "bytes": size, "renderer": find_renderer()}


WORKLOADS = {
    "vtraining": vector_training,
    "mlp784": mlp784,
    "floor": floor,
    "checks": checks,
    "training": training,
    "step": step,
    "graph": graph,
    "chain": chain,
    "chain_shared": lambda sizes: chain(sizes, shared=True),
    "memory": memory,
    "grads": grads,
    "frames": frames,
    "page": page,
    "deck": deck,
}
