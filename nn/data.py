"""Data for training: the lesson's y = 2x + 1 points, a train/validation split, batches.

The batch size chooses the kind of gradient descent (the lesson's table): the whole
training set per step is batch gradient descent, one sample per step is stochastic
gradient descent, and a few (32) is mini-batch gradient descent. Shuffling uses a
random.Random(seed) of its own, so the same seed gives the same split and the same batches
without touching global random state.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import TypeVar

X = TypeVar("X")
Y = TypeVar("Y")


def line_data(
    n_points: int = 200, low: float = -10.0, high: float = 10.0
) -> tuple[list[float], list[float]]:
    """n_points evenly spaced x in [low, high] (both ends included, like np.linspace) and
    y = 2x + 1 for each: the function the lesson's network learns."""
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 2:
        raise ValueError(f"n_points must be an int of at least 2, got {n_points!r}")
    if not low < high:
        raise ValueError(f"line_data needs low < high, got low={low!r}, high={high!r}")
    step = (high - low) / (n_points - 1)
    xs = [low + i * step for i in range(n_points - 1)] + [float(high)]
    ys = [2.0 * x + 1.0 for x in xs]
    return xs, ys


def train_val_split(
    xs: Sequence[X], ys: Sequence[Y], val_fraction: float = 0.2, seed: int | None = 0
) -> tuple[list[X], list[Y], list[X], list[Y]]:
    """Shuffle the samples (seeded) and keep val_fraction of them aside for validation.

    Returns (x_train, y_train, x_val, y_val). With 200 points and val_fraction 0.2 that is
    160 for training and 40 for validation, as in the lesson.
    """
    _check_same_length(xs, ys)
    if isinstance(val_fraction, bool) or not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction!r}")
    order = list(range(len(xs)))
    random.Random(seed).shuffle(order)
    n_val = round(val_fraction * len(xs))
    n_train = len(xs) - n_val
    if n_train < 1:
        raise ValueError(f"no samples left for training: {len(xs)} samples in all")
    train, val = order[:n_train], order[n_train:]
    return (
        [xs[i] for i in train],
        [ys[i] for i in train],
        [xs[i] for i in val],
        [ys[i] for i in val],
    )


def batches(
    xs: Sequence[X],
    ys: Sequence[Y],
    batch_size: int,
    *,
    shuffle: bool = True,
    seed: int | None = 0,
) -> Iterator[tuple[list[X], list[Y]]]:
    """(x_batch, y_batch) lists of batch_size samples each (the last may be shorter), in a
    seeded random order when shuffle is True: one pass over the data, one epoch. Given
    NumPy arrays, the batches are arrays (rows of xs and ys), in the same order."""
    _check_same_length(xs, ys)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    order = list(range(len(xs)))
    if shuffle:
        random.Random(seed).shuffle(order)
    return _batches(xs, ys, order, batch_size)


def _batches(
    xs: Sequence[X], ys: Sequence[Y], order: list[int], batch_size: int
) -> Iterator[tuple[list[X], list[Y]]]:
    # A separate generator, so bad arguments raise when batches() is called, not later.
    arrays = hasattr(xs, "shape") and hasattr(ys, "shape")  # NumPy arrays: array batches
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        if arrays:
            yield xs[chosen], ys[chosen]  # type: ignore[call-overload]
        else:
            yield [xs[i] for i in chosen], [ys[i] for i in chosen]


def _check_same_length(xs: Sequence[object], ys: Sequence[object]) -> None:
    if len(xs) != len(ys):
        raise ValueError(f"xs and ys must have the same length, got {len(xs)} and {len(ys)}")
