"""The benchmark workloads written with PyTorch on the CPU, one thread (common.THREADS).

Training is the lesson's code: nn.Sequential(Linear(1, 16), ReLU, Linear(16, 16), ReLU,
Linear(16, 1)) in float32 (the lesson's dtype and PyTorch's default), nn.MSELoss and
torch.optim.Adam, one vectorised forward pass per batch, with batches drawn as the lesson
draws them: DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True), seeded.
The random graph (b) uses float64 scalar tensors, the same numbers as the scalar engines.
"""

from __future__ import annotations

from typing import Any

import torch
from common import (
    BATCH_SIZE,
    LR,
    MLP784_BATCH,
    MLP784_BLOCKS,
    MLP784_LR,
    MLP784_SIZES,
    THREADS,
    Sizes,
    graph_figures,
    graph_program,
    line_split,
    mlp784_batches,
    time_epochs,
    time_graph,
    time_steps,
)

torch.set_num_threads(THREADS)


def lesson_model() -> torch.nn.Sequential:
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(1, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 1),
    )


def training_tensors() -> tuple[torch.Tensor, torch.Tensor]:
    x_train, y_train, _, _ = line_split()
    return torch.tensor(x_train).reshape(-1, 1), torch.tensor(y_train).reshape(-1, 1)


def training(sizes: Sizes, epochs: int | None = None) -> dict[str, Any]:
    """(a) seconds per epoch of the lesson's loop: forward, loss, zero_grad, backward, step."""
    x_train, y_train = training_tensors()
    model = lesson_model()
    loss_fn = torch.nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)

    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x_train, y_train),
        batch_size=BATCH_SIZE,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )

    def run_epoch(epoch: int) -> None:
        for xb, yb in loader:
            pred = model(xb)
            loss = loss_fn(pred, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    epochs = epochs or sizes.epochs["torch"]
    return {
        "seconds_per_epoch": time_epochs(run_epoch, epochs),
        "epochs_timed": epochs,
        "dtype": "float32",
    }


def vector_training(sizes: Sizes) -> dict[str, Any]:
    """(a') the same loop as (a); timed again next to chainrule's vectorized engine."""
    return training(sizes, sizes.vector_epochs["torch"])


def _mlp784_step(dtype: torch.dtype) -> Any:
    """(b')'s step in `dtype`, with its model, optimizer and batches made."""
    torch.manual_seed(0)
    n = MLP784_SIZES
    model = torch.nn.Sequential(
        torch.nn.Linear(n[0], n[1]), torch.nn.ReLU(),
        torch.nn.Linear(n[1], n[2]), torch.nn.ReLU(),
        torch.nn.Linear(n[2], n[3]),
    ).to(dtype)  # fmt: skip
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=MLP784_LR)
    data = [(torch.tensor(x, dtype=dtype), torch.tensor(labels)) for x, labels in mlp784_batches()]
    assert data[0][0].shape == (MLP784_BATCH, n[0])

    def run_step(i: int) -> None:
        x, labels = data[i % len(data)]
        loss = loss_fn(model(x), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return run_step


def mlp784(sizes: Sizes) -> dict[str, Any]:
    """(b') microseconds per SGD step of a 784-128-64-10 MLP, softmax cross-entropy, batches
    of 64: in float32 (PyTorch's default, the target's measure), then, in the same process,
    in float64 (chainrule's precision), for comparison."""
    warmup, timed = sizes.mlp784_steps
    float32 = time_steps(_mlp784_step(torch.float32), warmup, timed, MLP784_BLOCKS)
    float64 = time_steps(_mlp784_step(torch.float64), warmup, timed, MLP784_BLOCKS)
    return {"us_per_step": float32, "us_per_step_float64": float64, "steps_timed": timed,
            "dtype": "float32"}  # fmt: skip


def floor(sizes: Sizes) -> dict[str, Any]:
    """The per-step overhead floor: one Adam step of a 1-1-1 network on one sample."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.ReLU(), torch.nn.Linear(1, 1))
    loss_fn = torch.nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    x, y = torch.tensor([[0.5]]), torch.tensor([[2.0]])

    def run_step(i: int) -> None:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    warmup, timed = sizes.floor_steps
    return {"us_per_step": time_steps(run_step, warmup, timed), "dtype": "float32"}


def step(sizes: Sizes) -> dict[str, Any]:
    """(f) microseconds per training step on one sample (a batch of shape (1, 1))."""
    x_train, y_train = training_tensors()
    model = lesson_model()
    loss_fn = torch.nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)

    def run_step(i: int) -> None:
        k = i % len(x_train)
        pred = model(x_train[k : k + 1])
        loss = loss_fn(pred, y_train[k : k + 1])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    warmup, timed = sizes.steps["torch"]
    return {
        "us_per_step": time_steps(run_step, warmup, timed),
        "steps_timed": timed,
        "dtype": "float32",
    }


def graph(sizes: Sizes) -> dict[str, Any]:
    """(b) the shared random graph with 0-d float64 tensors; constants need no gradient."""
    program = graph_program(sizes.graph_nodes, sizes.graph_pool)

    def constant(c: float) -> torch.Tensor:
        return torch.tensor(c, dtype=torch.float64)

    def leaf(x: float) -> torch.Tensor:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    timed = time_graph(program, constant, leaf, sizes.graph_repeats)
    figures = graph_figures(
        program, sizes.graph_repeats, timed, lambda t: t.item(), lambda t: t.grad.item()
    )
    return {**figures, "dtype": "float64"}


WORKLOADS = {
    "training": training,
    "vtraining": vector_training,
    "mlp784": mlp784,
    "floor": floor,
    "step": step,
    "graph": graph,
}
